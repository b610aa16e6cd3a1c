"""Commands that move data in and out: migrate, import, export, settings."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

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
from watchcube.config import Settings
from watchcube.errors import WatchcubeError
from watchcube.importer import import_file
from watchcube.store.db import Database, migrate, open_database
from watchcube.store.records import count_records, iter_records
from watchcube.store.users import change_settings, get_user


@contextmanager
def connect(database_url: str | None) -> Iterator[tuple[Database, Settings]]:
    """The configured database (the flag wins over ``WATCHCUBE_DATABASE_URL``), closed after."""
    settings = load_settings(database_url)
    try:
        db = open_database(settings.database_url)
    except WatchcubeError as exc:
        fail(exc)
    try:
        yield db, settings
    finally:
        db.dispose()


@app.command("migrate")
def migrate_command(database_url: DatabaseOption = None) -> None:
    """Create or upgrade the database schema to the newest migration."""
    settings = load_settings(database_url)
    db = Database(settings.database_url)
    try:
        revision = migrate(db)
    except WatchcubeError as exc:
        fail(exc)
    finally:
        db.dispose()
    console.print(f"database at migration {revision}")


@app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="Takeout zip/JSON/HTML or a records file.")],
    user: UserOption,
    timezone: Annotated[
        str | None,
        typer.Option(help="IANA zone for an ambiguous HTML zone abbreviation (IST, CST...)."),
    ] = None,
    as_json: JsonOption = False,
    database_url: DatabaseOption = None,
) -> None:
    """Import a watch history; importing it again inserts nothing twice."""
    show = sys.stderr.isatty() and not as_json
    with (
        connect(database_url) as (db, settings),
        Progress(
            SpinnerColumn(),
            TextColumn("[progress.description]{task.description}"),
            TextColumn("{task.completed:,} records"),
            TimeElapsedColumn(),
            console=console,
            disable=not show,
            transient=True,
        ) as bar,
    ):
        task = bar.add_task(f"importing {path.name}", total=None)
        try:
            summary = import_file(
                db,
                user,
                path,
                settings,
                timezone=timezone,
                progress=lambda n: bar.advance(task, n),
            )
        except WatchcubeError as exc:
            fail(exc)
    if as_json:
        print_json(
            {
                key: summary.to_json()[key]
                for key in ("inserted", "duplicates", "skipped", "warnings", "data_version")
            }
        )
        return
    skipped = ", ".join(f"{n} {kind}" for kind, n in summary.skipped.items()) or "nothing"
    console.print(
        f"{path.name} ({summary.format}): {summary.inserted:,} inserted, "
        f"{summary.duplicates:,} duplicates, skipped {skipped}; "
        f"{summary.ads:,} ads, {summary.music:,} YouTube Music; "
        f"{summary.warnings} warnings; data version {summary.data_version}",
        highlight=False,
    )
    for message in summary.warning_messages:
        console.print(f"[yellow]warning:[/] {message}", highlight=False)


@app.command("export")
def export_command(user: UserOption, database_url: DatabaseOption = None) -> None:
    """Write the user's records as NDJSON on stdout (a backup that `import` restores)."""
    stream = sys.stdout.buffer
    with connect(database_url) as (db, _):
        for record in iter_records(db, user):
            stream.write(orjson.dumps(record.to_json()) + b"\n")
    stream.flush()


@app.command("settings")
def settings_command(
    user: UserOption,
    timezone: Annotated[str | None, typer.Option(help="IANA time zone name.")] = None,
    session_gap: Annotated[
        int | None, typer.Option("--session-gap", help="Session gap in minutes.")
    ] = None,
    as_json: JsonOption = False,
    database_url: DatabaseOption = None,
) -> None:
    """Show or change the user's settings (a change bumps the data version)."""
    with connect(database_url) as (db, _):
        try:
            with db.write() as conn:
                if timezone is None and session_gap is None:
                    found = get_user(conn, user)
                    if found is None:
                        fail(f"no user {user!r}")
                else:
                    found = change_settings(
                        conn, user, timezone=timezone, session_gap_minutes=session_gap
                    )
                records = count_records(conn, user)
        except WatchcubeError as exc:
            fail(exc)
    shown = {
        "user_id": found.user_id,
        "timezone": found.settings.timezone,
        "session_gap_minutes": found.settings.session_gap_minutes,
        "data_version": found.data_version,
        "records": records,
    }
    if as_json:
        print_json(shown)
    else:
        for key, value in shown.items():
            out.print(f"{key:>20}: {value}", highlight=False)
