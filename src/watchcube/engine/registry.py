"""The ten aggregation types by name, and ``compute``: several types over one filter.

``compute`` evaluates every requested type in one ``Context``, so R(f), the daily table,
the sessions and the per-channel table are each computed once however many types share
them (the dashboard asks for all ten at once).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Final

from watchcube.engine.channels import enhanced_channel_metrics, top_channels
from watchcube.engine.context import Context, Data
from watchcube.engine.frame import Frame
from watchcube.engine.patterns import day_time_heatmap, viewing_patterns
from watchcube.engine.relationships import channel_relationships
from watchcube.engine.sessions import session_analysis
from watchcube.engine.topics import topic_evolution, topics_leaderboard
from watchcube.engine.totals import kpi, monthly_trend
from watchcube.errors import NotFound
from watchcube.filters import Filters

TYPES: Final[dict[str, Callable[[Context], Data]]] = {
    "kpi": kpi,
    "monthly_trend": monthly_trend,
    "top_channels": top_channels,
    "day_time_heatmap": day_time_heatmap,
    "topics_leaderboard": topics_leaderboard,
    "session_analysis": session_analysis,
    "viewing_patterns": viewing_patterns,
    "enhanced_channel_metrics": enhanced_channel_metrics,
    "channel_relationships": channel_relationships,
    "topic_evolution": topic_evolution,
}


def check_types(types: Iterable[str]) -> list[str]:
    """The requested type names, in order, or ``NotFound`` naming the first unknown one."""
    names = list(dict.fromkeys(types))
    for name in names:
        if name not in TYPES:
            raise NotFound(f"unknown aggregation type {name!r} (known: {', '.join(TYPES)})")
    return names


def compute(frame: Frame, filters: Filters, types: Iterable[str] | None = None) -> dict[str, Data]:
    """The ``data`` of each requested type (all ten by default) for one filter."""
    names = list(TYPES) if types is None else check_types(types)
    ctx = Context(frame, filters)
    return {name: TYPES[name](ctx) for name in names}
