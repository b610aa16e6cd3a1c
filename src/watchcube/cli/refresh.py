"""Commands that keep results fresh: worker, backfill, validate, cleanup, status."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Annotated

import typer
from rich.progress import Progress

from watchcube.cli.app import (
    DatabaseOption,
    JsonOption,
    UserOption,
    app,
    console,
    fail,
    load_settings,
    out,
    print_json,
)
from watchcube.cli.serve import RedisOption
from watchcube.errors import WatchcubeError
from watchcube.refresh.validation import validate_user
from watchcube.refresh.worker import Worker
from watchcube.service import Service
from watchcube.store.users import all_user_ids


def _service(database_url: str | None, redis_url: str | None = None) -> Service:
    try:
        return Service(load_settings(database_url, redis_url))
    except WatchcubeError as exc:
        fail(exc)


def _users(service: Service, user: str | None) -> list[str]:
    if user is not None:
        return [user]
    with service.db.read() as conn:
        return all_user_ids(conn)


@app.command("worker")
def worker_command(
    poll: Annotated[float | None, typer.Option(help="Seconds between polls.")] = None,
    database_url: DatabaseOption = None,
    redis_url: RedisOption = None,
) -> None:
    """Drain the change log and keep registered results fresh (SIGTERM stops it cleanly)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    service = _service(database_url, redis_url)
    worker = Worker(service, poll_seconds=poll or service.settings.worker_poll_seconds)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        worker.run(stop)
    finally:
        service.close()


@app.command("backfill")
def backfill_command(
    user: Annotated[
        str | None, typer.Option("--user", "-u", help="One user (default all).")
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Pre-compute every registered and default filter now."""
    service = _service(database_url)
    try:
        users = _users(service, user)
        worker = Worker(service)
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("backfilling", total=len(users))
            for user_id in users:
                report = worker.refresh_user(user_id, force=True)
                if report is not None:
                    console.print(
                        f"{user_id}: {report.filters} filters, {report.computed} computed, "
                        f"{report.carried} carried, {report.current} current "
                        f"({report.seconds:.2f} s)",
                        highlight=False,
                    )
                bar.advance(task)
    except WatchcubeError as exc:
        fail(exc)
    finally:
        service.close()


@app.command("validate")
def validate_command(
    user: Annotated[
        str | None, typer.Option("--user", "-u", help="One user (default all).")
    ] = None,
    sample: Annotated[int | None, typer.Option(min=1, help="Check N random results.")] = None,
    as_json: JsonOption = False,
    database_url: DatabaseOption = None,
) -> None:
    """Recompute stored results and compare; exits non-zero on any difference."""
    service = _service(database_url)
    try:
        reports = [validate_user(service, user_id, sample) for user_id in _users(service, user)]
    except WatchcubeError as exc:
        fail(exc)
    finally:
        service.close()
    bad = [r for r in reports if not r.ok]
    if as_json:
        print_json([vars(r) for r in reports])
    else:
        for report in reports:
            verdict = "[green]ok[/]" if report.ok else f"[red]{len(report.differences)} differ[/]"
            out.print(
                f"{report.user_id}: {report.checked} checked, {report.outdated} outdated, {verdict}"
            )
            for difference in report.differences:
                out.print(f"  {difference}", highlight=False)
    if bad:
        raise typer.Exit(1)


@app.command("cleanup")
def cleanup_command(database_url: DatabaseOption = None) -> None:
    """Delete expired results, old processed changes and cold filters."""
    service = _service(database_url)
    try:
        print_json(Worker(service).cleanup())
    finally:
        service.close()


@app.command("status")
def status_command(
    user: UserOption, as_json: JsonOption = False, database_url: DatabaseOption = None
) -> None:
    """A user's data version, records, and how fresh their pre-computed results are."""
    service = _service(database_url)
    try:
        status = service.status(user)
    except WatchcubeError as exc:
        fail(exc)
    finally:
        service.close()
    if as_json:
        print_json(status)
    else:
        for key, value in status.items():
            out.print(f"{key:>22}: {value}", highlight=False)
