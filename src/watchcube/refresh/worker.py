"""The background processor: drains the change log and keeps registered results fresh.

For each user with pending changes, one worker at a time (an advisory lock on PostgreSQL)
claims the changes (``FOR UPDATE SKIP LOCKED``), loads the user's frame once, and for every
registered filter and type either leaves the result alone (already current), carries it
forward to the new ``data_version`` (no change can affect it), or recomputes it. Results
and the processed marks commit in one transaction: a worker killed halfway leaves the rows
pending for the next one, and nothing is lost.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import orjson
import psycopg
from sqlalchemy import Connection, make_url

from watchcube import defaults, metrics
from watchcube.cache.layered import RESULT_VERSION, Query, Served
from watchcube.engine import TYPES
from watchcube.filters import parse
from watchcube.refresh.scheduler import default_filters, instant_range, unaffected
from watchcube.service import Service
from watchcube.store import registry
from watchcube.store import results as result_store
from watchcube.store.changelog import (
    NOTIFY_CHANNEL,
    Change,
    attempts_of,
    changes_between,
    claim_pending,
    delete_processed_before,
    mark_processed,
    record_failure,
    total_pending,
    users_with_pending,
)
from watchcube.store.users import User

log = logging.getLogger(__name__)


@dataclass
class RefreshReport:
    """What one refresh of one user did."""

    user_id: str
    data_version: int
    changes: int = 0
    computed: int = 0
    carried: int = 0
    current: int = 0
    filters: int = 0
    seconds: float = 0.0
    published: list[Served] = field(default_factory=list, repr=False)


@dataclass
class _Plan:
    """What a refresh will write: computed rows, carried keys, the default filters."""

    user: User
    defaults: dict[str, str]
    report: RefreshReport
    rows: list[result_store.StoredResult] = field(default_factory=list)
    carried: list[tuple[str, str]] = field(default_factory=list)
    carried_from: int = 0

    def __post_init__(self) -> None:
        self.carried_from = self.user.data_version


class Worker:
    """One refresh worker; several may run against one PostgreSQL database."""

    def __init__(
        self,
        service: Service,
        *,
        name: str | None = None,
        poll_seconds: float = defaults.WORKER_POLL_SECONDS,
        cleanup_seconds: float = defaults.CLEANUP_INTERVAL_SECONDS,
    ) -> None:
        self.service = service
        self.db = service.db
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
        self.poll_seconds = poll_seconds
        self.cleanup_seconds = cleanup_seconds
        self._last_cleanup = 0.0

    # -- one user ------------------------------------------------------------------------

    def refresh_user(self, user_id: str, *, force: bool = False) -> RefreshReport | None:
        """Process the user's pending changes (``force``: refresh even without any).

        Returns None when there was nothing to do or another worker holds the user.
        """
        started = time.perf_counter()
        user = self.service.user(user_id, fresh=True)
        claimed: list[Change] = []
        try:
            if self.db.is_sqlite:
                # One writer at a time anyway: claim in a short transaction, compute outside
                # it (API writes are not held up), commit results with the processed marks.
                with self.db.write() as conn:
                    claimed = claim_pending(conn, user_id, user.data_version, self.name)
                if not claimed and not force:
                    return None
                log.info("refreshing %s: %d change(s)", user_id, len(claimed))
                with self.db.read() as conn:
                    plan = self._plan(user, claimed, conn)
                with self.db.write() as conn:
                    report = self._apply(plan, claimed, conn)
            else:
                with self.db.write() as conn:
                    if not _try_user_lock(conn, user_id):
                        return None
                    claimed = claim_pending(conn, user_id, user.data_version, self.name)
                    if not claimed and not force:
                        return None
                    log.info("refreshing %s: %d change(s)", user_id, len(claimed))
                    report = self._apply(self._plan(user, claimed, conn), claimed, conn)
        except Exception as exc:
            # The transaction has rolled back (and released its row locks) by now.
            self._failed(user_id, claimed, exc)
            raise
        for served in report.published:
            self.service.cache.publish(
                user_id, served.data_version, served.type, served.filter_hash, served.body
            )
        report.seconds = time.perf_counter() - started
        metrics.REFRESH_SECONDS.observe(report.seconds)
        metrics.LAST_REFRESH.set(time.time())
        metrics.RESULTS_REFRESHED.labels("computed").inc(report.computed)
        metrics.RESULTS_REFRESHED.labels("carried").inc(report.carried)
        log.info("refreshed %s", report)
        return report

    def _plan(self, user: User, claimed: list[Change], conn: Connection) -> _Plan:
        """Decide, for every registered filter and type, and compute what must be."""
        user, frame = self.service.frame_for(user)
        version = user.data_version
        defaults = default_filters(frame)
        entries = {e.filter_hash: e.filters for e in registry.registered(conn, user.user_id)}
        entries.update(defaults)
        stored = result_store.result_versions(conn, user.user_id)
        oldest = min((v.data_version for v in stored.values()), default=version)
        changes = changes_between(conn, user.user_id, oldest, version)
        plan = _Plan(
            user,
            defaults,
            RefreshReport(user.user_id, version, changes=len(claimed), filters=len(entries)),
        )
        gap = user.settings.session_gap_minutes
        for filter_hash, text in entries.items():
            query = Query.of(parse(orjson.loads(text)))
            window = instant_range(query.filters, user.settings.timezone)
            stale: list[str] = []
            for name in TYPES:
                row = stored.get((name, filter_hash))
                if row is not None and row.version == RESULT_VERSION:
                    if row.data_version == version:
                        plan.report.current += 1
                        continue
                    if row.data_version < version and unaffected(
                        changes, row.data_version, version, name, window, gap
                    ):
                        plan.carried.append((name, filter_hash))
                        plan.carried_from = min(plan.carried_from, row.data_version)
                        continue
                stale.append(name)
            if stale:
                served, computed = self.service.cache.evaluate(
                    user, frame, query, stale, layer="computed"
                )
                plan.rows.extend(computed)
                plan.report.published.extend(served.values())
        return plan

    @staticmethod
    def _apply(plan: _Plan, claimed: list[Change], conn: Connection) -> RefreshReport:
        """Write the plan and mark the claimed changes processed, in one transaction."""
        user_id = plan.user.user_id
        registry.set_defaults(conn, user_id, plan.defaults)
        result_store.put_results(conn, plan.rows)
        plan.report.computed = len(plan.rows)
        plan.report.carried = result_store.carry_forward(
            conn, user_id, plan.carried, plan.carried_from, plan.user.data_version
        )
        if claimed:
            mark_processed(conn, user_id, [c.data_version for c in claimed])
        return plan.report

    def _failed(self, user_id: str, claimed: list[Change], exc: Exception) -> None:
        versions = [c.data_version for c in claimed]
        log.exception("refresh of %s failed", user_id, exc_info=exc)
        if not versions:
            return
        with self.db.write() as conn:
            attempts = attempts_of(conn, user_id, versions)
            backoff = min(defaults.RETRY_MAX_SECONDS, 2.0**attempts)
            record_failure(conn, user_id, versions, f"{type(exc).__name__}: {exc}", backoff)

    # -- the loop ------------------------------------------------------------------------

    def run_once(self) -> int:
        """Refresh every user with due changes; returns how many users were refreshed."""
        with self.db.read() as conn:
            due = users_with_pending(conn)
        done = 0
        for user_id in due:
            try:
                if self.refresh_user(user_id) is not None:
                    done += 1
            except Exception:
                continue
        with self.db.read() as conn:
            pending, lag = total_pending(conn)
        metrics.PENDING_CHANGES.set(pending)
        metrics.FRESHNESS_LAG.set(lag)
        return done

    def run(self, stop: threading.Event) -> None:
        """Work until ``stop`` is set: on every change notice, and every ``poll_seconds``."""
        log.info("worker %s started", self.name)
        with self._notices() as wait:
            while not stop.is_set():
                try:
                    busy = self.run_once()
                    if time.monotonic() - self._last_cleanup >= self.cleanup_seconds:
                        self.cleanup()
                except Exception:
                    log.exception("worker loop failed; retrying")
                    stop.wait(1.0)
                    continue
                if not busy:
                    wait(stop)
        log.info("worker %s stopped", self.name)

    @contextmanager
    def _notices(self) -> Iterator[Callable[[threading.Event], None]]:
        """A function that blocks until a change is announced, ``stop`` or the poll time."""
        if self.db.is_sqlite:
            changed = self.service.changed

            def wait_local(stop: threading.Event) -> None:
                deadline = time.monotonic() + self.poll_seconds
                while not stop.is_set() and time.monotonic() < deadline:
                    if changed.wait(0.2):
                        changed.clear()
                        return

            yield wait_local
            return
        url = make_url(self.db.url).set(drivername="postgresql")
        with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as conn:
            conn.execute(f"LISTEN {NOTIFY_CHANNEL}")

            def wait_notify(stop: threading.Event) -> None:
                deadline = time.monotonic() + self.poll_seconds
                while not stop.is_set() and time.monotonic() < deadline:
                    if any(True for _ in conn.notifies(timeout=0.2, stop_after=1)):
                        return

            yield wait_notify

    def cleanup(self) -> dict[str, int]:
        """The hourly cleanup: expired results, old processed changes, cold filters."""
        now = datetime.now(UTC)
        settings = self.service.settings
        with self.db.write() as conn:
            report = {
                "expired_results": result_store.delete_expired(conn, now),
                "processed_changes": delete_processed_before(
                    conn, now - timedelta(seconds=settings.change_retention_seconds)
                ),
                "cold_filters": registry.expire_cold(
                    conn, now - timedelta(seconds=settings.registry_ttl_seconds)
                ),
            }
        self._last_cleanup = time.monotonic()
        log.info("cleanup: %s", report)
        return report


def _try_user_lock(conn: Connection, user_id: str) -> bool:
    """One worker per user at a time (released when the transaction ends)."""
    key = zlib.crc32(user_id.encode())
    return bool(conn.exec_driver_sql("SELECT pg_try_advisory_xact_lock(%s)", (key,)).scalar())
