"""``channel_relationships``: which channels are watched in the same sessions.

Counting every pair of channels in every session is the most expensive aggregation, and
only the top ``limit`` edges are returned, so the pair count is restricted to channels
that can still reach them. A pair is together in at most as many sessions as either
channel has videos; with T the ``limit``-th largest count among the pairs of the most
watched channels, no pair involving a channel with fewer than T videos can be returned
(ties at T included: such a channel is kept). One round over a small candidate set finds
T; a second round over every channel with at least T videos, if that set is larger, is
exact.

Decisions where DESIGN.md is silent:
- ``sessions`` of a node counts the sessions of R(f) containing at least one of its
  records; ``videos`` counts its records in R(f).
- Records without channel take part in sessions but in no pair.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from watchcube.engine.channels import channel_counts, channel_details
from watchcube.engine.context import Context, Data, ratio
from watchcube.engine.sessions import sessions

EDGES_LIMIT: Final = 50
# Channels tried in the first round, per returned edge: enough on real histories for
# the second round to be unnecessary, small enough to stay cheap.
CANDIDATES_PER_EDGE: Final = 2


def channel_relationships(ctx: Context) -> Data:
    limit = ctx.filters.limit_or(EDGES_LIMIT)
    counts = channel_counts(ctx)
    candidates = min(counts.height, max(CANDIDATES_PER_EDGE * limit, 16))
    memberships, edges = _edges(ctx, counts["ch"].head(candidates), limit)
    if candidates < counts.height:
        threshold = edges["together"][-1] if edges.height == limit else 1
        needed = int((counts["videos"] >= threshold).sum())
        if needed > candidates:
            memberships, edges = _edges(ctx, counts["ch"].head(needed), limit)
    per_channel = dict(memberships.group_by("ch").len().iter_rows())
    ids = ctx.frame.channel_ids
    node_codes = sorted(set(edges["a"]) | set(edges["b"]))
    details = channel_details(ctx, node_codes)
    nodes = sorted(node_codes, key=lambda code: (-details[code]["videos"], code))
    return {
        "nodes": [
            {
                "channel_id": ids[code],
                "channel_name": details[code]["channel_name"],
                "videos": details[code]["videos"],
                "sessions": per_channel[code],
            }
            for code in nodes
        ],
        "edges": [
            {
                "source": ids[a],
                "target": ids[b],
                "sessions_together": together,
                "jaccard": ratio(together, per_channel[a] + per_channel[b] - together, 4),
            }
            for a, b, together in edges.iter_rows()
        ],
    }


def _edges(ctx: Context, codes: pl.Series, limit: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Distinct (session, channel) rows of the given channels, and their top pair counts.

    Codes follow id order, so ``a < b`` on codes is ``source < target`` on ids.
    """
    memberships = (
        pl.DataFrame({"session": sessions(ctx).ids, "ch": ctx.column("ch")})
        .filter(pl.col("ch").is_in(codes.implode()))
        .unique()
    )
    edges = (
        memberships.join(memberships, on="session", suffix="_b")
        .filter(pl.col("ch") < pl.col("ch_b"))
        .group_by(a="ch", b="ch_b")
        .agg(together=pl.len())
        .sort(["together", "a", "b"], descending=[True, False, False])
        .head(limit)
    )
    return memberships, edges
