"""Sessions of R(f): maximal runs whose consecutive gaps are at most the session gap.

Sessions are built from R(f) alone (filtered-out records and, unless ``include_ads``, ads
belong to no session). R(f) is in time order, so a session starts wherever the gap to the
previous record exceeds the session gap (a gap exactly equal stays in the session), and
every per-session figure is a gather at the start and end positions: no grouping needed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from watchcube.engine.context import Context, shared
from watchcube.engine.frame import Array


@dataclass(frozen=True, slots=True)
class Sessions:
    """``ids``: the session number of each record of R(f). Per session, in time order:
    ``start``/``end`` (positions in R(f) of its first and last record) and ``videos``."""

    ids: Array
    start: Array
    end: Array

    @property
    def videos(self) -> Array:
        return self.end - self.start + 1


def sessionize(ts: Array, gap_us: int) -> Sessions:
    """Sessions of time-ordered instants ``ts`` (epoch microseconds)."""
    starts_here = np.empty(len(ts), np.bool_)
    starts_here[:1] = True
    np.greater(np.diff(ts), gap_us, out=starts_here[1:])
    start = np.flatnonzero(starts_here)
    end = np.empty_like(start)
    end[:-1] = start[1:] - 1
    end[-1:] = len(ts) - 1
    return Sessions(ids=np.cumsum(starts_here) - 1, start=start, end=end)


@shared
def sessions(ctx: Context) -> Sessions:
    """The sessions of R(f), shared by ``session_analysis`` and ``channel_relationships``."""
    return sessionize(ctx.array("ts"), ctx.frame.gap_us)
