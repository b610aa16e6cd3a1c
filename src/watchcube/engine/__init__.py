"""The aggregation engine: a prepared columnar frame in, the ten aggregation types out.

Typical use (what the store, the cache and the SDK do)::

    frame = frames.get(FrameKey(user_id, data_version, timezone, session_gap_minutes))
    results = compute(frame, filters, types)   # {type: data}

``frames`` prepares a frame once per key, and after a write extends the previous version's
frame by the records it inserted (``extend``) instead of preparing it from scratch.
"""

from __future__ import annotations

from watchcube.engine.context import Context
from watchcube.engine.frame import Frame, raw_frame_from_records
from watchcube.engine.frame_cache import FrameCache, FrameKey
from watchcube.engine.preparation import extend, prepare
from watchcube.engine.registry import TYPES, check_types, compute

__all__ = [
    "TYPES",
    "Context",
    "Frame",
    "FrameCache",
    "FrameKey",
    "check_types",
    "compute",
    "extend",
    "prepare",
    "raw_frame_from_records",
]
