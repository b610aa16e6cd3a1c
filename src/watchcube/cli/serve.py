"""Commands that run the service: serve, token."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from watchcube.api.auth import Authenticator, mint_token
from watchcube.cli.app import DatabaseOption, UserOption, app, console, fail
from watchcube.config import Settings
from watchcube.errors import ConfigError, WatchcubeError
from watchcube.store.db import open_database

RedisOption = Annotated[
    str | None,
    typer.Option("--redis-url", envvar="WATCHCUBE_REDIS_URL", help="Redis URL (optional)."),
]


def run_server(host: str, port: int, workers: int) -> None:
    """Serve the API with granian (the fastest ASGI server measured here) until stopped."""
    from granian import Granian
    from granian.constants import Interfaces

    Granian(
        "watchcube.api.app:create_app",
        factory=True,
        address=host,
        port=port,
        workers=workers,
        interface=Interfaces.ASGI,
        log_access=False,
        workers_kill_timeout=30,
    ).serve()


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    database_url: DatabaseOption = None,
    redis_url: RedisOption = None,
) -> None:
    """Serve the HTTP API and the dashboard (SIGTERM or Ctrl-C stops it gracefully)."""
    # Worker processes read their configuration from the environment.
    if database_url:
        os.environ["WATCHCUBE_DATABASE_URL"] = database_url
    if redis_url:
        os.environ["WATCHCUBE_REDIS_URL"] = redis_url
    try:
        settings = Settings()
        Authenticator.from_settings(settings)
        open_database(settings.database_url).dispose()
    except WatchcubeError as exc:
        fail(exc)
    console.print(f"watchcube serving on http://{host}:{port}/ ({workers} worker(s))")
    run_server(host, port, workers)


@app.command("token")
def token_command(
    user: UserOption,
    admin: Annotated[bool, typer.Option("--admin", help="May act for every user.")] = False,
    ttl: Annotated[int, typer.Option("--ttl", min=1, help="Lifetime in seconds.")] = 86_400,
    private_key: Annotated[
        Path | None,
        typer.Option(help="RS256 private key (PEM); default HS256 with WATCHCUBE_JWT_SECRET."),
    ] = None,
) -> None:
    """Print a bearer token for a user."""
    if private_key is not None:
        token = mint_token(
            private_key.read_bytes(), user, admin=admin, ttl_seconds=ttl, algorithm="RS256"
        )
    else:
        secret = Settings().jwt_secret
        if not secret:
            fail(ConfigError("set WATCHCUBE_JWT_SECRET (or give --private-key)"))
        token = mint_token(secret, user, admin=admin, ttl_seconds=ttl)
    typer.echo(token)
