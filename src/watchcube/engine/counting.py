"""Counting over bounded integer domains: distinct pairs and key tallies.

Every "distinct X per Y" of the aggregations (channels per month, videos per channel,
channels per session ...) is a set of keys ``group * values + value`` in a known space.
When that space is small enough, a bitmap (or ``bincount``) counts it in one linear pass,
an order of magnitude faster than hashing; beyond ``DENSE_CELLS`` the keys are sorted
instead, so memory stays bounded whatever the cardinalities.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from watchcube.engine.frame import Array

DENSE_CELLS: Final = 1 << 25  # 32 MiB of bitmap, or 256 MiB of counts at most per call
SPARSE_CELLS: Final = 16  # bitmap cells per key past which sorting nearly sorted keys wins


def distinct_keys(
    group: Array, value: Array, values: int, *, groups: int, nearly_sorted: bool = False
) -> Array:
    """The sorted distinct keys ``group * values + value`` (groups in ``0..groups-1``).

    ``nearly_sorted`` keys (led by time order, say) sort in almost linear time, so for them
    a bitmap only pays when it is dense: at most ``SPARSE_CELLS`` cells per key.
    """
    keys = group.astype(np.int64) * values + value
    space = groups * values
    if space <= DENSE_CELLS and not (nearly_sorted and space > SPARSE_CELLS * len(keys)):
        seen = np.zeros(space, np.bool_)
        seen[keys] = True
        return np.flatnonzero(seen)
    return runs(keys)[0]


def distinct_per_group(
    group: Array, value: Array, values: int, *, groups: int, missing: int | None = None
) -> Array:
    """How many distinct values each group has, as an array of ``groups`` counts.

    ``missing`` is a value that is not counted (the code of "no channel", say): skipping
    it here is cheaper than filtering the inputs.
    """
    keys = distinct_keys(group, value, values, groups=groups)
    if missing is not None:
        keys = keys[keys % values != missing]
    return np.bincount(keys // values, minlength=groups)


def tally(keys: Array, space: int) -> tuple[Array, Array]:
    """The distinct keys (ascending) of ``keys`` in ``0..space-1`` and how often each occurs."""
    if space <= DENSE_CELLS:
        counts = np.bincount(keys, minlength=space)
        present = np.flatnonzero(counts)
        return present, counts[present]
    return runs(keys)


def runs(keys: Array) -> tuple[Array, Array]:
    """The distinct keys (ascending) and their counts, by sorting.

    Not ``np.unique``: its hashing is far slower here, while a stable sort (timsort) is
    nearly linear on keys that arrive nearly sorted, as keys led by time order do.
    """
    ordered = np.sort(keys, kind="stable")
    starts = np.flatnonzero(np.diff(ordered, prepend=ordered[:1] - 1))
    return ordered[starts], np.diff(starts, append=len(ordered))
