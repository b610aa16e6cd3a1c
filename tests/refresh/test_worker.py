"""The worker on SQLite and PostgreSQL: carry forward what a change cannot affect,
recompute what it can, mark changes processed, retry failures, validate honestly."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import orjson
import pytest
from sqlalchemy import select, update

from tests.utils.factories import record
from watchcube.config import Settings
from watchcube.filters import parse
from watchcube.refresh.validation import validate_user
from watchcube.refresh.worker import Worker
from watchcube.service import Query, Service
from watchcube.store.schema import data_change_log, precomputed_aggregations
from watchcube.synth import generate

YEAR_2023 = Query.of(parse({"year": "2023"}))
ALL_TIME = Query.of(parse({}))


@pytest.fixture
def service(database_url: str) -> Iterator[Service]:
    running = Service(Settings(database_url=database_url, redis_url=None))
    yield running
    running.close()


def _stored(service: Service, query: Query) -> dict[str, tuple[int, object]]:
    table = precomputed_aggregations.c
    with service.db.read() as conn:
        rows = conn.execute(
            select(table.aggregation_type, table.data_version, table.computed_at).where(
                table.user_id == "alice", table.filter_hash == query.filter_hash
            )
        ).all()
    return {row.aggregation_type: (row.data_version, row.computed_at) for row in rows}


def _pending(service: Service) -> int:
    return int(service.status("alice")["pending_changes"])


def test_insert_refreshes_only_what_it_can_affect(service: Service) -> None:
    history = generate(3000, seed=7, timezone="UTC", end=date(2025, 12, 31), years=3.5)
    service.add_records("alice", history)
    worker = Worker(service)
    first = worker.refresh_user("alice")
    assert first is not None and first.changes == 1 and first.computed > 0
    assert _pending(service) == 0
    before_2023 = _stored(service, YEAR_2023)
    before_all = _stored(service, ALL_TIME)
    assert len(before_2023) == 10 and {v for v, _ in before_2023.values()} == {1}

    service.add_records("alice", [record("2026-03-01T20:00:00", "new-2026")])
    second = worker.refresh_user("alice")
    assert second is not None and second.data_version == 2
    after_2023 = _stored(service, YEAR_2023)
    after_all = _stored(service, ALL_TIME)
    assert {name: v for name, (v, _) in after_2023.items()} == dict.fromkeys(before_2023, 2)
    assert {name: at for name, (_, at) in after_2023.items()} == {
        name: at for name, (_, at) in before_2023.items()
    }
    assert all(after_all[name][1] > before_all[name][1] for name in before_all)
    assert second.carried >= 10 and second.computed >= 10

    # Reads are served without computing: all time from the refreshed store, 2023 carried.
    for query in (ALL_TIME, YEAR_2023):
        served = service.results("alice", query, ["kpi", "top_channels"])
        assert {item.layer for item in served.values()} <= {"store", "memory"}
        assert all(item.data_version == 2 for item in served.values())
    assert worker.refresh_user("alice") is None  # nothing pending
    assert validate_user(service, "alice").ok


def test_read_your_writes_before_the_worker_runs(service: Service) -> None:
    service.add_records("alice", [record(f"2023-05-0{d}T10:00:00", f"v{d}") for d in range(1, 8)])
    Worker(service).refresh_user("alice")
    service.add_records("alice", [record("2023-05-09T10:00:00", "late")])
    assert _pending(service) == 1
    served = service.results("alice", YEAR_2023, ["kpi"])["kpi"]
    assert served.layer == "computed"
    assert orjson.loads(served.body)["data"]["total_videos"] == 8
    never_stored = Query.of(parse({"limit": "5"}))
    fresh = service.results("alice", never_stored, ["kpi"], stale_ok=True)["kpi"]
    assert (fresh.data_version, fresh.stale, fresh.layer) == (2, False, "computed")


def test_stale_ok_serves_the_old_result_flagged(service: Service) -> None:
    service.add_records("alice", [record(f"2023-05-0{d}T10:00:00", f"v{d}") for d in range(1, 8)])
    Worker(service).refresh_user("alice")
    service.add_records("alice", [record("2023-05-09T10:00:00", "late")])
    service.cache.memory.clear()
    old = service.results("alice", YEAR_2023, ["kpi"], stale_ok=True)["kpi"]
    body = orjson.loads(old.body)
    assert (old.stale, body["stale"], body["data_version"]) == (True, True, 1)
    assert body["data"]["total_videos"] == 7


def test_deletes_and_settings_are_refreshed(service: Service) -> None:
    service.add_records("alice", [record(f"2023-05-0{d}T10:00:00", f"v{d}") for d in range(1, 8)])
    worker = Worker(service)
    worker.refresh_user("alice")
    service.delete_records("alice", date(2023, 5, 1), date(2023, 5, 2))
    service.change_settings("alice", timezone="Asia/Tokyo", session_gap_minutes=None)
    report = worker.refresh_user("alice")
    assert report is not None and report.changes == 2 and report.carried == 0
    assert validate_user(service, "alice").ok
    kpi = orjson.loads(service.results("alice", ALL_TIME, ["kpi"])["kpi"].body)
    assert kpi["data"]["total_videos"] == 5 and kpi["data_version"] == 3


def test_validate_catches_a_row_changed_behind_its_back(service: Service) -> None:
    service.add_records("alice", generate(500, seed=3, timezone="UTC"))
    Worker(service).refresh_user("alice")
    honest = validate_user(service, "alice")
    assert honest.ok and honest.checked > 10
    table = precomputed_aggregations.c
    with service.db.write() as conn:
        conn.execute(
            update(precomputed_aggregations)
            .where(table.user_id == "alice", table.aggregation_type == "kpi")
            .values(data=orjson.dumps({"total_videos": -1}).decode())
        )
    report = validate_user(service, "alice")
    assert not report.ok
    assert {d["type"] for d in report.differences} == {"kpi"}


def test_a_failing_refresh_is_retried_later(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    service.add_records("alice", [record("2023-05-01T10:00:00", "v1")])
    worker = Worker(service)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(service.cache, "evaluate", broken)
    with pytest.raises(RuntimeError):
        worker.refresh_user("alice")
    table = data_change_log.c
    with service.db.read() as conn:
        row = conn.execute(select(data_change_log).where(table.user_id == "alice")).one()
    assert (row.attempts, row.processed_at) == (1, None)
    assert row.last_error == "RuntimeError: disk on fire"
    assert row.retry_at is not None
    assert worker.run_once() == 0  # backing off
    monkeypatch.undo()
    report = worker.refresh_user("alice")
    assert report is not None and _pending(service) == 0
