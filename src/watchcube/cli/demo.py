"""``watchcube demo``: a working dashboard on a realistic synthetic history, one command."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from watchcube.api.auth import mint_token, new_secret
from watchcube.cli.app import app, console, fail, load_settings
from watchcube.errors import WatchcubeError
from watchcube.refresh.worker import Worker
from watchcube.service import Service
from watchcube.synth import generate

DEMO_USER = "demo"


@app.command("demo")
def demo_command(
    records: Annotated[int, typer.Option(min=1, help="Synthetic records to create.")] = 100_000,
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8000,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    database: Annotated[
        Path, typer.Option(help="SQLite file of the demo (reused when it has data).")
    ] = Path("watchcube-demo.db"),
    seed: Annotated[int, typer.Option(help="Seed of the synthetic history.")] = 42,
) -> None:
    """Create a demo database, pre-compute the default filters, serve the dashboard."""
    url = f"sqlite:///{database.resolve()}"
    settings = load_settings(url)
    try:
        service = Service(settings)
    except WatchcubeError as exc:
        fail(exc)
    try:
        known = service.known_user(DEMO_USER)
        if known is None or known.data_version == 0:
            _fill(service, records, seed)
        else:
            console.print(f"reusing {database} (user {DEMO_USER!r}, delete the file to start over)")
        started = time.perf_counter()
        with console.status("pre-computing the default filters"):
            report = Worker(service).refresh_user(DEMO_USER, force=True)
        if report is not None:
            console.print(
                f"pre-computed {report.computed} results for {report.filters} filters "
                f"in {time.perf_counter() - started:.1f} s"
            )
    finally:
        service.close()
    secret = os.environ.get("WATCHCUBE_JWT_SECRET") or new_secret()
    os.environ["WATCHCUBE_JWT_SECRET"] = secret
    os.environ["WATCHCUBE_DATABASE_URL"] = url
    token = mint_token(secret, DEMO_USER, ttl_seconds=30 * 86_400)
    console.print(
        "\n[bold]watchcube demo is ready.[/] Open the dashboard:\n\n"
        f"    http://{host}:{port}/?token={token}\n\n"
        f"API token for user {DEMO_USER!r} (curl -H 'Authorization: Bearer ...'):\n{token}\n",
        highlight=False,
        soft_wrap=True,
    )
    _serve_in_a_fresh_process(host, port)


def _serve_in_a_fresh_process(host: str, port: int) -> None:
    """Become ``watchcube serve`` (same process id, configuration in the environment).

    granian forks its workers, and this process has run Polars (synthesis, pre-computing):
    a child forked from a process whose Polars thread pool is running can hang in its first
    parallel query (seen here: a new user's first uncached request never answered).
    """
    sys.stdout.flush()
    sys.stderr.flush()
    command = [sys.executable, "-m", "watchcube", "serve", "--host", host, "--port", str(port)]
    os.execv(sys.executable, command)


def _fill(service: Service, count: int, seed: int) -> None:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("synthesizing a watch history", total=count)
        history = generate(count, seed=seed, timezone="Europe/Berlin")
        bar.update(task, completed=count, description="storing it")
        service.add_records(DEMO_USER, history)
        service.change_settings(DEMO_USER, timezone="Europe/Berlin", session_gap_minutes=None)
    console.print(f"created {count:,} synthetic records for user {DEMO_USER!r}")
