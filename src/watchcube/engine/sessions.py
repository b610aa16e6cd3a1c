"""Sessions of R(f): maximal runs whose consecutive gaps are at most the session gap.

Sessions are built from R(f) alone (filtered-out records and, unless ``include_ads``, ads
belong to no session). R(f) is in time order, so a session starts wherever the gap to the
previous record exceeds the session gap (a gap exactly equal stays in the session), and
every per-session figure is a gather at the start and end positions: no group-by needed.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from watchcube.engine.context import Context, shared


@dataclass(frozen=True, slots=True)
class Sessions:
    """``ids``: the session number of each record of R(f); ``table``: one row per session
    in time order with ``start``/``end`` (instants), ``videos`` and ``start_hour`` (local).
    """

    ids: pl.Series
    table: pl.DataFrame


def sessionize(ts: pl.Series, hours: pl.Series, gap_us: int) -> Sessions:
    """Sessions of time-ordered instants ``ts`` (with their local ``hours``)."""
    starts_here = (ts.diff() > gap_us).fill_null(True)
    starts = starts_here.arg_true()
    ends = starts.shift(-1, fill_value=ts.len()) - 1
    table = pl.DataFrame(
        {
            "start": ts.gather(starts),
            "end": ts.gather(ends),
            "videos": ends - starts + 1,
            "start_hour": hours.gather(starts),
        }
    )
    return Sessions(ids=starts_here.cast(pl.UInt32).cum_sum() - 1, table=table)


@shared
def sessions(ctx: Context) -> Sessions:
    """The sessions of R(f), shared by ``session_analysis`` and ``channel_relationships``."""
    return sessionize(ctx.column("ts"), ctx.column("hour"), ctx.frame.gap_us)
