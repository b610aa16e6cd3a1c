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


def distinct_keys(group: Array, value: Array, values: int, *, groups: int) -> Array:
    """The sorted distinct keys ``group * values + value`` (groups in ``0..groups-1``)."""
    keys = group.astype(np.int64) * values + value
    if groups * values <= DENSE_CELLS:
        seen = np.zeros(groups * values, np.bool_)
        seen[keys] = True
        return np.flatnonzero(seen)
    return np.unique(keys)


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
    present, counts = np.unique(keys, return_counts=True)
    return present, counts
