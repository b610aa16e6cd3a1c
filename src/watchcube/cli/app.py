"""The Typer application and the options every command shares (defined once, env defaults)."""

from __future__ import annotations

import sys
from typing import Annotated, NoReturn

import orjson
import typer
from rich.console import Console

from watchcube.config import Settings, get_settings
from watchcube.errors import WatchcubeError

app = typer.Typer(
    name="watchcube",
    help="Pre-computed watch-history analytics: import Takeout, query, serve.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

console = Console(stderr=True)  # messages, progress, errors
out = Console()  # results for people (tables, settings)

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="WATCHCUBE_DATABASE_URL",
        help="SQLAlchemy URL (default sqlite:///./watchcube.db).",
        show_default=False,
    ),
]
UserOption = Annotated[str, typer.Option("--user", "-u", help="User id.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def fail(error: WatchcubeError | str, code: int = 1) -> NoReturn:
    """Print an error for people on stderr and exit non-zero."""
    message = error.message if isinstance(error, WatchcubeError) else error
    console.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    raise typer.Exit(code)


def print_json(value: object) -> None:
    """Write one JSON document on stdout."""
    sys.stdout.buffer.write(orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n")
    sys.stdout.flush()


def load_settings(database_url: str | None = None, redis_url: str | None = None) -> Settings:
    """The process settings with the command's flags applied on top (validated)."""
    settings = get_settings()
    update = {"database_url": database_url, "redis_url": redis_url}
    given = {name: value for name, value in update.items() if value}
    if not given:
        return settings
    try:
        return Settings.model_validate(settings.model_dump() | given)
    except ValueError as exc:
        fail(f"invalid option: {exc}")
