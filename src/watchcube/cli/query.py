"""``watchcube query``: any aggregation for any filter, as JSON or as readable tables."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
import typer
from rich.table import Table

from watchcube.cli.app import (
    DatabaseOption,
    JsonOption,
    UserOption,
    app,
    fail,
    load_settings,
    out,
    print_json,
)
from watchcube.engine import TYPES
from watchcube.errors import WatchcubeError
from watchcube.filters import parse
from watchcube.service import Query, Service

_ROWS_SHOWN = 25


@app.command("query")
def query_command(
    aggregation_type: Annotated[str, typer.Argument(help="An aggregation type, or 'all'.")],
    user: UserOption,
    start: Annotated[str | None, typer.Option(help="First local date YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option(help="Last local date YYYY-MM-DD.")] = None,
    year: Annotated[int | None, typer.Option(help="A year (instead of a range).")] = None,
    quarter: Annotated[int | None, typer.Option(help="A quarter 1-4 of --year.")] = None,
    month: Annotated[int | None, typer.Option(help="A month 1-12 of --year.")] = None,
    channel: Annotated[list[str] | None, typer.Option(help="Channel id (repeatable).")] = None,
    topic: Annotated[list[str] | None, typer.Option(help="Topic (repeatable, any of).")] = None,
    product: Annotated[
        list[str] | None, typer.Option(help="youtube or youtube_music (repeatable).")
    ] = None,
    include_ads: Annotated[bool, typer.Option("--include-ads", help="Count ads too.")] = False,
    limit: Annotated[int | None, typer.Option(help="List length.")] = None,
    live: Annotated[bool, typer.Option("--live", help="Compute now; skip stored results.")] = False,
    as_json: JsonOption = False,
    database_url: DatabaseOption = None,
) -> None:
    """Print one aggregation (or all ten) for a filter."""
    types = list(TYPES) if aggregation_type == "all" else [aggregation_type]
    params: dict[str, Any] = {
        name: value
        for name, value in {
            "start": start,
            "end": end,
            "year": year,
            "quarter": quarter,
            "month": month,
            "channels": channel,
            "topics": topic,
            "products": product,
            "include_ads": include_ads or None,
            "limit": limit,
        }.items()
        if value is not None
    }
    settings = load_settings(database_url)
    try:
        query = Query.of(parse(params))
        service = Service(settings.model_copy(update={"redis_url": None}))
        try:
            served = service.results(user, query, types, live=live)
        finally:
            service.close()
    except WatchcubeError as exc:
        fail(exc)
    envelopes = {name: orjson.loads(served[name].body) for name in types}
    if as_json:
        print_json(envelopes if aggregation_type == "all" else envelopes[aggregation_type])
        return
    for name, envelope in envelopes.items():
        _show(name, envelope)


def _show(name: str, envelope: dict[str, Any]) -> None:
    out.rule(f"[bold]{name}[/]  filters={orjson.dumps(envelope['filters']).decode()}")
    scalars = Table(show_header=False, box=None)
    for key, value in envelope["data"].items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            out.print(_table(key, value))
        elif isinstance(value, list) and value and isinstance(value[0], list):
            out.print(_table(key, [{str(i): cell for i, cell in enumerate(row)} for row in value]))
        else:
            scalars.add_row(key, _text(value))
    out.print(scalars)
    out.print(
        f"[dim]computed_at {envelope['computed_at']} · data_version {envelope['data_version']}"
        f" · stale {envelope['stale']}[/]"
    )


def _table(title: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in rows[0]:
        table.add_column(column)
    for row in rows[:_ROWS_SHOWN]:
        table.add_row(*(_text(row.get(column)) for column in rows[0]))
    if len(rows) > _ROWS_SHOWN:
        table.caption = f"{len(rows) - _ROWS_SHOWN} more rows (use --json)"
    return table


def _text(value: Any) -> str:
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    return "-" if value is None else str(value)
