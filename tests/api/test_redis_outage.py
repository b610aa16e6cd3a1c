"""Redis vanishing mid-run degrades to memory and the store; it is used again on return."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import SECRET, Api
from tests.utils.servers import RedisProcess, serve_in_thread, wait_until
from watchcube import metrics
from watchcube.api.app import create_app
from watchcube.config import Settings
from watchcube.service import Service


@pytest.fixture
def redis_process(tmp_path: Path) -> Iterator[RedisProcess]:
    process = RedisProcess(tmp_path)
    process.start()
    yield process
    process.kill()


def test_requests_succeed_while_redis_is_down(redis_process: RedisProcess, tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'w.db'}",
        redis_url=redis_process.url,
        jwt_secret=SECRET,
    )
    service = Service(settings)
    assert service.redis is not None
    try:
        with serve_in_thread(create_app(settings, service)) as url:
            api = Api(url, service, settings)
            with api.client() as client:
                rows = [
                    {"watched_at": f"2024-01-{d:02d}T10:00:00Z", "video_id": f"v{d}"}
                    for d in range(1, 29)
                ]
                assert client.post("/v1/users/alice/records", json=rows).status_code == 200
                first = client.get("/v1/users/alice/dashboard")
                assert first.status_code == 200
                assert service.redis.client.dbsize() > 0

                errors_before = metrics.REDIS_ERRORS._value.get()
                redis_process.kill()
                service.memory.clear()
                for query in ({}, {"month": 1, "year": 2024}, {"limit": 2}):
                    response = client.get("/v1/users/alice/dashboard", params=query)
                    assert response.status_code == 200, response.text
                more = [{"watched_at": "2024-02-01T10:00:00Z", "video_id": "late"}]
                assert client.post("/v1/users/alice/records", json=more).status_code == 200
                kpi = client.get("/v1/users/alice/aggregations/kpi").json()
                assert kpi["data"]["total_videos"] == 29
                assert metrics.REDIS_ERRORS._value.get() > errors_before
                ready = client.get("/readyz")
                assert ready.status_code == 503
                assert ready.json()["checks"]["redis"].startswith("error")

                redis_process.start()

                def used_again() -> bool:
                    service.memory.clear()
                    client.get("/v1/users/alice/aggregations/kpi", params={"year": 2024})
                    return service.redis is not None and service.redis.client.dbsize() > 0

                wait_until(used_again, message="redis to be used again after its back-off")
                assert client.get("/readyz").status_code == 200
    finally:
        service.close()
