"""The Python SDK against a real server, and its local fallback when the server is gone."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import SECRET, make_api
from tests.utils.servers import free_port, serve_in_thread
from watchcube import Client, LocalEngine
from watchcube.api.app import create_app
from watchcube.api.auth import mint_token
from watchcube.engine.registry import TYPES
from watchcube.errors import (
    Forbidden,
    InvalidFilter,
    InvalidRecords,
    NotFound,
    ServiceUnavailable,
)
from watchcube.records import Record
from watchcube.service import Service
from watchcube.synth import generate, write

TOKEN = mint_token(SECRET, "alice")


class RecordingTransport(httpx.HTTPTransport):
    """A real transport that remembers each response's status."""

    def __init__(self) -> None:
        super().__init__()
        self.statuses: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        self.statuses.append(response.status_code)
        return response


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'watchcube.db'}"
    service = Service(make_api(url, "wcsdk"))
    service.add_records("alice", generate(3000, seed=5))
    service.close()
    return url


@pytest.fixture
def server(database_url: str) -> Iterator[str]:
    settings = make_api(database_url, "wcsdk")
    with serve_in_thread(create_app(settings)) as url:
        yield url


@pytest.fixture
def local(database_url: str) -> Iterator[LocalEngine]:
    engine = LocalEngine(database_url)
    yield engine
    engine.close()


def test_the_fallback_gives_the_same_data_when_the_service_is_gone(
    database_url: str, local: LocalEngine
) -> None:
    settings = make_api(database_url, "wcsdk")
    with serve_in_thread(create_app(settings)) as url:
        client = Client(url, TOKEN, fallback=local)
        remote_kpi = client.aggregation("kpi", year=2025, include_ads=True)
        remote = client.dashboard(topics=["music", "gaming"], limit=5)
        remote_status = client.status()
    assert remote_kpi.source == "service" and remote_kpi.data["total_videos"] > 0
    assert list(remote) == list(TYPES)
    assert {envelope.source for envelope in remote.values()} == {"service"}
    assert remote_status.source == "service" and remote_status.records > 2900

    local_kpi = client.aggregation("kpi", year=2025, include_ads=True)
    assert local_kpi.source == "local"
    assert local_kpi.data == remote_kpi.data
    assert local_kpi.filter_hash == remote_kpi.filter_hash
    assert local_kpi.data_version == remote_kpi.data_version
    assert local_kpi.filters == {"start": "2025-01-01", "end": "2025-12-31", "include_ads": True}
    fallback = client.dashboard(topics=["music", "gaming"], limit=5)
    assert {name: item.data for name, item in fallback.items()} == {
        name: item.data for name, item in remote.items()
    }
    assert {envelope.source for envelope in fallback.values()} == {"local"}
    status = client.status()
    assert (status.source, status.records) == ("local", remote_status.records)
    client.close()


def test_a_5xx_answer_falls_back(local: LocalEngine) -> None:
    failing = httpx.MockTransport(
        lambda _request: httpx.Response(
            503, json={"error": {"code": "storage_unavailable", "message": "db down"}}
        )
    )
    with Client("http://service", TOKEN, fallback=local, transport=failing) as client:
        envelope = client.aggregation("top_channels", limit=3)
    assert envelope.source == "local" and len(envelope.data["channels"]) == 3
    with (
        Client("http://service", TOKEN, transport=failing) as client,
        pytest.raises(ServiceUnavailable, match="503 storage_unavailable: db down"),
    ):
        client.status()


def test_without_a_fallback_an_unreachable_service_raises() -> None:
    with (
        Client(f"http://127.0.0.1:{free_port()}", TOKEN) as client,
        pytest.raises(ServiceUnavailable, match="cannot reach"),
    ):
        client.aggregation("kpi")


def test_api_errors_become_the_domain_errors(server: str, local: LocalEngine) -> None:
    with Client(server, TOKEN, fallback=local) as client:
        with pytest.raises(InvalidFilter, match="year"):
            client.aggregation("kpi", year=1900)
        with pytest.raises(NotFound):
            client.aggregation("no_such_type")
        with pytest.raises(InvalidRecords, match="row 1"):
            client.add_records([{"watched_at": "2024-01-01T00:00:00Z", "title": "ok"}, {}])
    with Client(server, TOKEN, user="bob") as client, pytest.raises(Forbidden):
        client.status()


def test_conditional_requests_reuse_what_the_client_has(server: str) -> None:
    transport = RecordingTransport()
    with Client(server, TOKEN, transport=transport) as client:
        first = client.aggregation("topics_leaderboard", year=2024)
        again = client.aggregation("topics_leaderboard", year=2024)
        board = client.dashboard(year=2024, types=["kpi", "topics_leaderboard"])
        board_again = client.dashboard(year=2024, types=["kpi", "topics_leaderboard"])
    assert transport.statuses == [200, 304, 200, 304]
    assert again == first
    assert board_again == board and list(board) == ["kpi", "topics_leaderboard"]


def test_writes_through_the_service_and_locally(
    server: str, local: LocalEngine, tmp_path: Path
) -> None:
    with Client(server, TOKEN, fallback=local) as client:
        before = client.status()
        records = [
            Record(watched_at_us=1_790_000_000_000_000 + i * 60_000_000, title=f"New {i}")
            for i in range(3)
        ]
        written = client.add_records(
            [*records, {"watched_at": "2026-10-01T10:00:00Z", "title": "Mapped"}]
        )
        assert (written.inserted, written.duplicates, written.source) == (4, 0, "service")
        assert client.add_records(records).duplicates == 3
        export = tmp_path / "more.ndjson"
        write(generate(50, seed=99), export, "ndjson")
        summary = client.import_file(export)
        assert summary["source"] == "service" and summary["inserted"] > 0
        after = client.status()
        assert after.records == before.records + 4 + summary["inserted"]
        assert after.data_version > written.data_version

    gone = Client(f"http://127.0.0.1:{free_port()}", TOKEN, fallback=local)
    offline = gone.add_records([{"watched_at": "2026-10-02T10:00:00Z", "title": "Offline"}])
    assert (offline.inserted, offline.source) == (1, "local")
    assert gone.status().records == after.records + 1
    gone.close()


def test_importing_watchcube_stays_light() -> None:
    check = (
        "import sys, watchcube; "
        "heavy = {'httpx', 'polars', 'sqlalchemy', 'fastapi'} & set(sys.modules); "
        "assert not heavy, heavy; print(watchcube.__version__)"
    )
    run = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
