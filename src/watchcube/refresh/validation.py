"""``validate``: recompute stored results from the records and compare, digit for digit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from watchcube.engine import TYPES, Context
from watchcube.filters import parse
from watchcube.service import Service
from watchcube.store import results as result_store


@dataclass
class ValidationReport:
    """Stored results checked, skipped as outdated (older data_version), and differing."""

    user_id: str
    checked: int = 0
    outdated: int = 0
    differences: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def validate_user(service: Service, user_id: str, sample: int | None = None) -> ValidationReport:
    """Recompute (a sample of) the user's current stored results and report any difference."""
    report = ValidationReport(user_id)
    user = service.user(user_id, fresh=True)
    with service.db.read() as conn:
        rows = result_store.sample_results(conn, user_id, sample)
    user, frame = service.frame_for(user)
    contexts: dict[str, Context] = {}
    for row in rows:
        if row.data_version != user.data_version or row.aggregation_type not in TYPES:
            report.outdated += 1
            continue
        context = contexts.get(row.filter_hash)
        if context is None:
            context = contexts[row.filter_hash] = Context(frame, parse(orjson.loads(row.filters)))
        fresh = orjson.loads(orjson.dumps(TYPES[row.aggregation_type](context)))
        stored = orjson.loads(row.data)
        report.checked += 1
        if fresh != stored:
            report.differences.append(
                {
                    "type": row.aggregation_type,
                    "filter_hash": row.filter_hash,
                    "filters": orjson.loads(row.filters),
                    "fields": sorted(
                        key for key in set(fresh) | set(stored) if fresh.get(key) != stored.get(key)
                    ),
                }
            )
    return report
