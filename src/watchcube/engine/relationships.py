"""``channel_relationships``: which channels are watched in the same sessions.

Counting every pair of channels in every session is the most expensive aggregation, and
only the top ``limit`` edges are returned, so the count is restricted to channels that can
still reach them. A pair is together in at most as many sessions as either channel has
records; with T the ``limit``-th largest count among the pairs of the most watched
channels, no pair involving a channel with fewer than T records can be returned (a channel
with exactly T is kept: it could win a tie). One round over a small candidate set finds T;
a second round over every channel with at least T records, when that set is larger, is
exact.

Pairs are counted one of two ways, whichever costs less for the data at hand: ANDing
per-channel session bitsets (few long sessions: dense listening), or enumerating the
pairs inside each session (many short sessions).

Decisions where DESIGN.md is silent:
- ``sessions`` of a node counts the sessions of R(f) with at least one of its records;
  ``videos`` counts its records in R(f).
- Records without channel take part in sessions but in no pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from watchcube.engine.channels import channel_counts, channel_summary
from watchcube.engine.context import Context, Data, ratio
from watchcube.engine.counting import distinct_keys, tally
from watchcube.engine.frame import Array
from watchcube.engine.sessions import sessions

EDGES_LIMIT: Final = 50
# Candidates per returned edge: the first round's, and the pool whose memberships one
# pass over the records collects (enough, on real histories, for the second round too).
FIRST_ROUND_PER_EDGE: Final = 1
POOL_PER_EDGE: Final = 4
MIN_CANDIDATES: Final = 16


@dataclass(frozen=True, slots=True)
class Pairs:
    """The top pairs among some candidate channels, in edge order, and each candidate's
    session count (``sessions[i]`` belongs to ``codes[i]``)."""

    codes: Array
    sessions: Array
    source: Array
    target: Array
    together: Array


def channel_relationships(ctx: Context) -> Data:
    limit = ctx.filters.limit_or(EDGES_LIMIT)
    counts = channel_counts(ctx)
    everyone = len(counts.codes)
    pool = min(everyone, max(POOL_PER_EDGE * limit, MIN_CANDIDATES))
    members = _memberships(ctx, counts.codes[:pool])
    first_round = min(pool, max(FIRST_ROUND_PER_EDGE * limit, MIN_CANDIDATES))
    pairs = _top_pairs(members, first_round, limit)
    if first_round < everyone:
        threshold = pairs.together[-1] if len(pairs.together) == limit else 1
        needed = int(np.count_nonzero(counts.videos >= threshold))
        if needed > first_round:
            if needed > pool:
                members = _memberships(ctx, counts.codes[:needed])
            pairs = _top_pairs(members, needed, limit)
    sessions_of = dict(zip(pairs.codes.tolist(), pairs.sessions.tolist(), strict=True))
    in_edges = set(pairs.source.tolist()) | set(pairs.target.tolist())
    nodes = [int(code) for code in counts.codes if int(code) in in_edges]
    ids = ctx.frame.channel_ids
    return {
        "nodes": [
            {
                "channel_id": row["channel_id"],
                "channel_name": row["channel_name"],
                "videos": row["videos"],
                "sessions": sessions_of[code],
            }
            for code, row in zip(nodes, channel_summary(ctx, nodes), strict=True)
        ],
        "edges": [
            {
                "source": ids[source],
                "target": ids[target],
                "sessions_together": together,
                "jaccard": ratio(together, sessions_of[source] + sessions_of[target] - together, 4),
            }
            for source, target, together in zip(
                pairs.source.tolist(), pairs.target.tolist(), pairs.together.tolist(), strict=True
            )
        ],
    }


@dataclass(frozen=True, slots=True)
class Memberships:
    """The distinct (session, candidate) pairs of R(f), sorted by session then candidate;
    a candidate is its index (rank) in ``codes``."""

    codes: Array
    session: Array
    rank: Array


def _memberships(ctx: Context, codes: Array) -> Memberships:
    """The one pass over the records of R(f): which candidate channels each session has."""
    table = np.full(len(ctx.frame.channel_ids) + 1, -1, np.int64)
    table[codes] = np.arange(len(codes))
    rank = table[ctx.array("ch")]
    mine = np.flatnonzero(rank >= 0)
    found = sessions(ctx)
    members = distinct_keys(
        found.ids[mine], rank[mine], len(codes), groups=len(found.start), nearly_sorted=True
    )
    session, rank = np.divmod(members, len(codes))
    return Memberships(codes, session, rank)


def _top_pairs(members: Memberships, k: int, limit: int) -> Pairs:
    """Count the pairs among the first ``k`` candidates and keep the first ``limit``."""
    session, rank = members.session, members.rank
    if k < len(members.codes):
        kept = rank < k
        session, rank = session[kept], rank[kept]
    starts = np.flatnonzero(np.diff(session, prepend=-1))
    sizes = np.diff(starts, append=len(session))
    if _bitsets_are_cheaper(sizes, k):
        first, second, together = _pairs_by_bitsets(rank, sizes, k)
    else:
        first, second, together = _pairs_by_enumeration(rank, starts, sizes, k)
    codes = members.codes[:k]
    source = np.minimum(codes[first], codes[second])
    target = np.maximum(codes[first], codes[second])
    top = np.lexsort((target, source, -together))[:limit]
    return Pairs(
        codes=codes,
        sessions=np.bincount(rank, minlength=k),
        source=source[top],
        target=target[top],
        together=together[top],
    )


def _bitsets_are_cheaper(sizes: Array, k: int) -> bool:
    """Compare the rough costs of both ways (nanoseconds, measured on a laptop-class CPU)."""
    words = (np.count_nonzero(sizes >= 2) + 63) // 64
    pairs = int((sizes * (sizes - 1) // 2).sum())
    return bool(k * k * words * 0.7 + k * (5000 + 8 * words) < 19 * pairs)


def _pairs_by_bitsets(member_rank: Array, sizes: Array, k: int) -> tuple[Array, Array, Array]:
    """Co-occurrence counts as popcounts of ANDed per-channel session bitsets, over the
    sessions with at least two candidates (the others hold no pair)."""
    shared_sessions = np.flatnonzero(sizes >= 2)
    in_shared = np.repeat(sizes >= 2, sizes)
    row = np.repeat(np.arange(len(shared_sessions)), sizes[shared_sessions])
    width = -(-len(shared_sessions) // 64) * 64
    incidence = np.zeros((k, width), np.bool_)
    incidence[member_rank[in_shared], row] = True
    bits = np.packbits(incidence, axis=1).view(np.uint64)
    first, second, together = [], [], []
    for channel in range(k - 1):
        counts = np.bitwise_count(bits[channel] & bits[channel + 1 :]).sum(axis=1)
        partners = np.flatnonzero(counts)
        first.append(np.full(len(partners), channel))
        second.append(partners + channel + 1)
        together.append(counts[partners])
    if not together:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    return np.concatenate(first), np.concatenate(second), np.concatenate(together).astype(np.int64)


def _pairs_by_enumeration(
    member_rank: Array, starts: Array, sizes: Array, k: int
) -> tuple[Array, Array, Array]:
    """Co-occurrence counts by listing each session's pairs and tallying them."""
    end_of_member = np.repeat(starts + sizes, sizes)
    later = end_of_member - np.arange(len(member_rank)) - 1
    left = np.repeat(np.arange(len(member_rank)), later)
    offset = np.arange(len(left)) - np.repeat(np.cumsum(later) - later, later)
    right = left + 1 + offset
    low, high = (
        np.minimum(member_rank[left], member_rank[right]),
        np.maximum(member_rank[left], member_rank[right]),
    )
    keys, together = tally(low * k + high, k * k)
    first, second = np.divmod(keys, k)
    return first, second, together
