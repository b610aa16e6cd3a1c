"""Reading results over HTTP: envelopes, ETags, layers, equivalent filters, the bundle."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api
from watchcube.engine import TYPES

ENVELOPE_KEYS = {
    "user_id",
    "type",
    "filters",
    "filter_hash",
    "data",
    "computed_at",
    "expires_at",
    "data_version",
    "version",
    "stale",
}


def _rows(count: int = 300) -> list[dict[str, object]]:
    return [
        {
            "watched_at": f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00Z",
            "video_id": f"vid{i % 90}",
            "title": f"Video {i % 90}",
            "channel_id": f"UC{i % 9}",
            "channel_name": f"Channel {i % 9}",
            "topics": ["music"] if i % 3 else ["gaming", "music"],
        }
        for i in range(count)
    ]


@pytest.fixture
def loaded(api: Api) -> Api:
    with api.client() as client:
        response = client.post("/v1/users/alice/records", json=_rows())
        assert response.status_code == 200, response.text
        assert response.json() == {"inserted": 300, "duplicates": 0, "data_version": 1}
    return api


def test_envelope_layers_and_etag(loaded: Api) -> None:
    with loaded.client() as client:
        first = client.get("/v1/users/alice/aggregations/kpi", params={"year": 2023})
        assert first.status_code == 200
        body = first.json()
        assert set(body) == ENVELOPE_KEYS
        assert body["filters"] == {"start": "2023-01-01", "end": "2023-12-31"}
        assert body["data"]["total_videos"] == 300
        assert (body["data_version"], body["stale"], body["type"]) == (1, False, "kpi")
        assert first.headers["server-timing"].startswith("computed")
        assert first.headers["cache-control"] == "private, no-cache"
        again = client.get(
            "/v1/users/alice/aggregations/kpi",
            params={"start": "2023-01-01", "end": "2023-12-31"},
        )
        assert again.headers["server-timing"].startswith("memory")
        assert again.json()["filter_hash"] == body["filter_hash"]
        assert again.content == first.content
        etag = first.headers["etag"]
        cached = client.get(
            "/v1/users/alice/aggregations/kpi",
            params={"year": 2023},
            headers={"If-None-Match": etag},
        )
        assert cached.status_code == 304 and cached.content == b""


def test_results_survive_memory_loss_in_the_store(loaded: Api) -> None:
    with loaded.client() as client:
        first = client.get("/v1/users/alice/aggregations/top_channels", params={"limit": 3})
        loaded.service.memory.clear()
        second = client.get("/v1/users/alice/aggregations/top_channels", params={"limit": 3})
    layer = second.headers["server-timing"].split(";")[0]
    assert layer == ("redis" if loaded.settings.redis_url else "store")
    assert second.json() == first.json()
    assert len(second.json()["data"]["channels"]) == 3


def test_dashboard_bundle_has_all_ten(loaded: Api) -> None:
    with loaded.client() as client:
        response = client.get("/v1/users/alice/dashboard", params={"topics": "gaming"})
        assert response.status_code == 200
        types = response.json()["types"]
        assert list(types) == list(TYPES)
        assert all(set(envelope) == ENVELOPE_KEYS for envelope in types.values())
        assert types["kpi"]["data"]["total_videos"] == 100
        some = client.get("/v1/users/alice/dashboard", params={"types": "kpi,heatmap"})
        assert some.status_code == 422 and some.json()["error"]["code"] == "invalid_filter"
        two = client.get("/v1/users/alice/dashboard", params={"types": "kpi,top_channels"})
        assert list(two.json()["types"]) == ["kpi", "top_channels"]
        repeat = client.get(
            "/v1/users/alice/dashboard",
            params={"topics": "gaming"},
            headers={"If-None-Match": response.headers["etag"]},
        )
        assert repeat.status_code == 304


def test_read_your_writes(loaded: Api) -> None:
    with loaded.client() as client:
        before = client.get("/v1/users/alice/aggregations/kpi").json()
        more = [{"watched_at": "2024-03-01T10:00:00Z", "video_id": "new", "title": "New"}]
        assert client.post("/v1/users/alice/records", json=more).json()["data_version"] == 2
        after = client.get("/v1/users/alice/aggregations/kpi").json()
    assert after["data"]["total_videos"] == before["data"]["total_videos"] + 1
    assert after["data_version"] == 2


def test_live_mode_bypasses_stored_results(loaded: Api) -> None:
    with loaded.client() as client:
        stored = client.get("/v1/users/alice/aggregations/session_analysis")
        live = client.get("/v1/users/alice/aggregations/session_analysis", params={"mode": "live"})
        live_again = client.get(
            "/v1/users/alice/aggregations/session_analysis", params={"mode": "live"}
        )
    assert live.headers["server-timing"].startswith("live")
    assert live_again.headers["server-timing"].startswith("live")
    assert live.json()["data"] == stored.json()["data"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("month=13&year=2023", "invalid_filter"),
        ("quarter=2", "invalid_filter"),
        ("year=2023&start=2023-01-01", "invalid_filter"),
        ("start=2023-05-01&end=2023-04-01", "invalid_filter"),
        ("products=tiktok", "invalid_filter"),
        ("limit=0", "invalid_filter"),
        ("colour=blue", "invalid_filter"),
        ("mode=fast", "invalid_filter"),
    ],
)
def test_absurd_filters_are_clear_422s(loaded: Api, query: str, code: str) -> None:
    with loaded.client() as client:
        response = client.get(f"/v1/users/alice/aggregations/kpi?{query}")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == code


def test_unknown_type_and_user_are_404(loaded: Api) -> None:
    with loaded.client(admin=True) as client:
        assert client.get("/v1/users/alice/aggregations/nope").status_code == 404
        missing = client.get("/v1/users/nobody/aggregations/kpi")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
