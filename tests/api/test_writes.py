"""Writing over HTTP: batches validated whole, uploads streamed, ranges deleted, settings."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import orjson

from tests.api.conftest import Api


def _kpi(api: Api) -> dict[str, object]:
    with api.client() as client:
        data: dict[str, object] = client.get("/v1/users/alice/aggregations/kpi").json()["data"]
    return data


def test_ndjson_and_arrays_are_accepted(api: Api) -> None:
    lines = b"\n".join(
        orjson.dumps({"watched_at": f"2024-01-0{d}T08:00:00Z", "video_id": f"v{d}"})
        for d in range(1, 6)
    )
    with api.client() as client:
        response = client.post(
            "/v1/users/alice/records",
            content=lines,
            headers={"Content-Type": "application/x-ndjson"},
        )
        assert response.json() == {"inserted": 5, "duplicates": 0, "data_version": 1}
        again = client.post("/v1/users/alice/records", content=lines)
        assert again.json() == {"inserted": 0, "duplicates": 5, "data_version": 1}


def test_one_bad_row_rejects_the_batch_and_writes_nothing(api: Api) -> None:
    rows = [
        {"watched_at": "2024-01-01T08:00:00Z", "video_id": "ok"},
        {"watched_at": "yesterday", "video_id": "bad"},
        {"watched_at": "2024-01-01T09:00:00Z", "video_id": "x", "is_ad": "maybe"},
    ]
    with api.client() as client:
        response = client.post("/v1/users/alice/records", json=rows)
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "invalid_records"
        assert [(p["row"], p["field"]) for p in error["rows"]] == [(1, "watched_at"), (2, "is_ad")]
        assert "row 1" in error["message"]
        assert client.get("/v1/users/alice/status").status_code == 404
        broken = client.post("/v1/users/alice/records", content=b'[{"watched_at": ')
        assert broken.status_code == 422
        empty = client.post("/v1/users/alice/records", content=b"")
        assert empty.status_code == 422


def test_huge_bodies_are_refused(database_url: str, redis_prefix: str) -> None:
    from tests.api.conftest import make_api
    from tests.utils.servers import serve_in_thread
    from watchcube.api.app import create_app
    from watchcube.service import Service

    settings = make_api(database_url, redis_prefix, upload_max_bytes=1000)
    service = Service(settings)
    try:
        with serve_in_thread(create_app(settings, service)) as url:
            api = Api(url, service, settings)
            with api.client() as client:
                rows = [{"watched_at": "2024-01-01T08:00:00Z", "title": "x" * 2000}]
                response = client.post("/v1/users/alice/records", json=rows)
                assert response.status_code == 413
                assert response.json()["error"]["code"] == "payload_too_large"
                upload = client.post(
                    "/v1/users/alice/imports", files={"file": ("big.json", b"[" + b" " * 5000)}
                )
                assert upload.status_code == 413
    finally:
        service.close()


def test_multipart_import_of_a_real_export(api: Api, takeout_dir: Path) -> None:
    source = takeout_dir / "en-au-2021-aedt.watch-history.html"
    with api.client() as client:
        with source.open("rb") as handle:
            response = client.post(
                "/v1/users/alice/imports", files={"file": ("watch-history.html", handle)}
            )
        assert response.status_code == 200, response.text
        summary = response.json()
        assert (summary["inserted"], summary["data_version"]) == (563, 1)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.write(source, "Takeout/YouTube/history/watch-history.html")
        again = client.post(
            "/v1/users/alice/imports", files={"file": ("takeout.zip", buffer.getvalue())}
        )
        assert again.status_code == 200, again.text
        assert (again.json()["inserted"], again.json()["duplicates"]) == (0, 563)
        garbage = client.post(
            "/v1/users/alice/imports", files={"file": ("x.json", b"\x00\xff garbage")}
        )
        assert garbage.status_code == 422
        assert garbage.json()["error"]["code"] == "unreadable_file"
        assert client.get("/v1/users/alice/status").json()["records"] == 563
    assert _kpi(api)["total_videos"] == 563


def test_delete_by_local_dates(api: Api) -> None:
    rows = [
        {"watched_at": "2024-03-01T23:30:00Z", "video_id": "a"},  # 2024-03-02 in Berlin
        {"watched_at": "2024-03-02T12:00:00Z", "video_id": "b"},
        {"watched_at": "2024-03-03T12:00:00Z", "video_id": "c"},
    ]
    with api.client() as client:
        client.post("/v1/users/alice/records", json=rows)
        put = client.put("/v1/users/alice/settings", json={"timezone": "Europe/Berlin"})
        assert put.json() == {
            "timezone": "Europe/Berlin",
            "session_gap_minutes": 30,
            "data_version": 2,
        }
        deleted = client.delete(
            "/v1/users/alice/records", params={"start": "2024-03-02", "end": "2024-03-02"}
        )
        assert deleted.json() == {"deleted": 2, "data_version": 3}
        assert client.delete("/v1/users/alice/records").status_code == 422
    assert _kpi(api)["total_videos"] == 1


def test_settings_validation(api: Api) -> None:
    with api.client() as client:
        bad = client.put("/v1/users/alice/settings", json={"timezone": "Mars/Base"})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_settings"
        gap = client.put("/v1/users/alice/settings", content=json.dumps({"session_gap_minutes": 0}))
        assert gap.status_code == 422
        ok = client.put("/v1/users/alice/settings", json={"session_gap_minutes": 45})
        assert ok.json()["session_gap_minutes"] == 45
        assert client.get("/v1/users/alice/settings").json()["session_gap_minutes"] == 45
        status = client.get("/v1/users/alice/status").json()
        assert status["pending_changes"] == 1 and status["last_change_at"] is not None
