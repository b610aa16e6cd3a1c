"""``watchcube synth``: write a realistic synthetic watch history for demos, tests, benchmarks."""

from __future__ import annotations

import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from watchcube.cli.app import UserOption, app, console, fail
from watchcube.errors import WatchcubeError
from watchcube.ingest.locales import LOCALE_CODES
from watchcube.records import Record, format_instant
from watchcube.synth import generate, write
from watchcube.synth.generator import DEFAULT_END, DEFAULT_YEARS
from watchcube.synth.writers import Format, ZipInner


@app.command("synth")
def synth_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    user: UserOption = "me",
    records: Annotated[int, typer.Option("--records", "-n", min=0, help="How many.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Same seed, same bytes.")] = 0,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="File format.")] = "ndjson",
    locale: Annotated[
        str, typer.Option(help=f"Takeout language: {', '.join(LOCALE_CODES)}.")
    ] = "en-US",
    timezone: Annotated[
        str, typer.Option(help="IANA zone the viewing rhythm (and HTML timestamps) follow.")
    ] = "Europe/Berlin",
    start_year: Annotated[
        int | None,
        typer.Option(min=2005, max=2099, help=f"First year (default: end {DEFAULT_END})."),
    ] = None,
    years: Annotated[float, typer.Option(min=0.01, help="Length of the history.")] = DEFAULT_YEARS,
    zone_abbreviation: Annotated[
        str | None,
        typer.Option(help="HTML timestamps' zone (CET, TRT, ...; default: the zone at export)."),
    ] = None,
    zip_inner: Annotated[ZipInner, typer.Option(help="Watch history format in a zip.")] = "json",
) -> None:
    """Write a synthetic watch history (NDJSON records or a Takeout export)."""
    end = DEFAULT_END
    if start_year is not None:
        end = date(start_year, 1, 1) + timedelta(days=round(years * 365.25) - 1)
    with Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeElapsedColumn(),
        console=console,
        disable=not sys.stderr.isatty(),
        transient=True,
    ) as bar:
        started = time.perf_counter()
        task = bar.add_task(f"generating {records:,} records", total=None)
        try:
            history = generate(records, seed=seed, timezone=timezone, end=end, years=years)
            generated = time.perf_counter()
            bar.update(task, description=f"writing {output.name}", total=len(history))
            write(
                history,
                output,
                fmt,
                locale=locale,
                zone_abbreviation=zone_abbreviation,
                timezone=timezone,
                zip_inner=zip_inner,
                account=user,
                progress=lambda n: bar.advance(task, n),
            )
        except WatchcubeError as exc:
            fail(exc)
        written = time.perf_counter()
    console.print(
        f"{output} ({fmt}, {_size(output.stat().st_size)}): {_describe(history)}, "
        f"{timezone}; generated in {generated - started:.1f} s, "
        f"written in {written - generated:.1f} s",
        highlight=False,
        soft_wrap=True,
    )


def _describe(history: list[Record]) -> str:
    """What a history holds, in a few words."""
    if not history:
        return "0 records"
    ads = sum(record.is_ad for record in history)
    music = sum(record.product == "youtube_music" for record in history)
    removed = sum(record.video_id is None for record in history)
    channels = len({record.channel_id for record in history} - {None})
    first = format_instant(history[0].watched_at_us)[:10]
    last = format_instant(history[-1].watched_at_us)[:10]
    return (
        f"{len(history):,} records ({ads:,} ads, {music:,} YouTube Music, {removed:,} removed)"
        f" from {channels:,} channels, {first}..{last}"
    )


def _size(size: float) -> str:
    for unit in ("bytes", "kB", "MB"):
        if size < 1000:
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:,.1f} GB"
