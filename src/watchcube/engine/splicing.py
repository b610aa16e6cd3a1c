"""Putting new records among a frame's records: where each goes, and the merged rows.

New records go where a full sort of all the records puts them: by instant, then video id
(missing first), then title, and after existing records with the same key (the stable
order a combined raw frame sorts into). Instants are compared as integers; the strings
only for the few new records that share an instant with existing ones.

When every new record comes after the existing ones (the common write), the merge appends
to the existing arrays in place (``growable``); otherwise it writes new arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from watchcube.engine import growable
from watchcube.engine.frame import Array, Frame, Rows


def positions(frame: Frame, raw: pl.DataFrame, ts: Array) -> Array:
    """For each new record (``raw``, in history order, instants ``ts``): how many of the
    frame's records come before it."""
    existing = frame.everything.columns["ts"]
    if not len(existing):
        return np.zeros(len(ts), np.int64)
    first = np.searchsorted(existing, ts, "left")
    after = np.searchsorted(existing, ts, "right")
    tied = np.flatnonzero(after > first)
    if len(tied):
        first[tied] += _tied_before(frame, raw, tied, first[tied], after[tied])
    return first


def _tied_before(
    frame: Frame, raw: pl.DataFrame, tied: Array, first: Array, after: Array
) -> list[int]:
    """For the new records ``tied``, each sharing its instant with the frame's records
    ``first[i]..after[i] - 1``: how many of those sort before it or equal it."""
    columns = frame.everything.columns
    at = np.concatenate([np.arange(a, b) for a, b in zip(first, after, strict=True)])
    ids = [frame.video_ids[int(v) - 1] if v else None for v in columns["vid"][at]]
    titles = frame.titles.gather(columns["row"][at]).to_list()
    existing = [_order_key(video, title) for video, title in zip(ids, titles, strict=True)]
    new_ids, new_titles = (raw[name].gather(tied).to_list() for name in ("video_id", "title"))
    counts, start = [], 0
    for video, title, stop in zip(new_ids, new_titles, np.cumsum(after - first), strict=True):
        key = _order_key(video, title)
        counts.append(sum(other <= key for other in existing[start:stop]))
        start = stop
    return counts


def _order_key(video_id: str | None, title: str) -> tuple[bool, str, str]:
    """The history order after the instant: missing video ids first, then ids, then titles."""
    return video_id is not None, video_id or "", title


def after(new: Array, old: Array, at: Array) -> tuple[Array, Array]:
    """For each new item (going before old item ``at[i]``), the item right after it once
    merged, and whether there is one (where there is not, the new item itself)."""
    result = new.copy()
    present = at < len(old)
    result[present] = old[at[present]]
    followed = np.zeros(len(new), np.bool_)
    followed[:-1] = at[1:] == at[:-1]
    result[followed] = new[1:][followed[:-1]]
    return result, present | followed


def before(new: Array, old: Array, at: Array) -> tuple[Array, Array]:
    """Like ``after``, the item right before each new item once merged."""
    result = new.copy()
    present = at > 0
    result[present] = old[at[present] - 1]
    preceded = np.zeros(len(new), np.bool_)
    preceded[1:] = at[1:] == at[:-1]
    result[preceded] = new[:-1][preceded[1:]]
    return result, present | preceded


@dataclass(frozen=True, slots=True)
class _Splice:
    """Where the items of two ordered sequences go in their merge: the new ones at
    ``dest``, the old ones, in order, in the other places (``old_at``; None when every new
    item comes after them, and the merge appends in place)."""

    dest: Array
    old_at: Array | None

    @classmethod
    def of(cls, at: Array, old: int) -> _Splice:
        """New items going before the old item at each of ``at`` (nondecreasing)."""
        dest = at + np.arange(len(at))
        if not len(at) or at[0] == old:
            return cls(dest, None)
        taken = np.zeros(old + len(at), np.bool_)
        taken[dest] = True
        return cls(dest, np.flatnonzero(~taken))

    def __call__(self, old: Array, new: Array) -> Array:
        if self.old_at is None:
            return growable.concatenate(old, new)
        merged = growable.empty(len(old) + len(new), old.dtype)
        merged[self.dest] = new
        merged[self.old_at] = old
        return merged

    def moved(self, index: Array) -> Array:
        """Where the old items at ``index`` are after the merge."""
        return index if self.old_at is None else self.old_at[index]


def merge(old: Rows, new: Rows, at: Array) -> Rows:
    """Old and new rows in one order, each new row going before the old row ``at[i]``."""
    if not old.height:
        return new
    rows = _Splice.of(at, old.height)
    entries = _Splice.of(old.topic_start[at][new.topic_row], len(old.topic_code))
    if rows.old_at is None:
        topic_start = growable.concatenate(
            old.topic_start, new.topic_start[1:] + old.topic_start[-1]
        )
    else:
        counts = rows(np.diff(old.topic_start), np.diff(new.topic_start))
        topic_start = growable.copy(np.concatenate(([0], np.cumsum(counts))))
    return Rows(
        columns={name: rows(values, new.columns[name]) for name, values in old.columns.items()},
        topic_start=topic_start,
        topic_code=entries(old.topic_code, new.topic_code),
        topic_row=entries(rows.moved(old.topic_row), rows.dest[new.topic_row]),
        topic_channel=entries(old.topic_channel, new.topic_channel),
        topic_month=entries(old.topic_month, new.topic_month),
    )
