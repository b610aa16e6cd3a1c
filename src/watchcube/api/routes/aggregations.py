"""Reading results: one aggregation, or the dashboard bundle of several at once.

The hot path (an L1 hit) runs on the event loop: parse the memoized query, look up memory,
send the stored bytes. Anything slower runs in a worker thread. These two routes take the
bare request instead of FastAPI dependencies: resolving dependencies cost more than the
rest of a cached response together (the parameters are documented by hand instead).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from watchcube import metrics
from watchcube.api.deps import FILTER_PARAMETERS_DOC, PATH_PARAMETERS_DOC, hot_request
from watchcube.cache.layered import RESULT_VERSION
from watchcube.engine.registry import TYPES
from watchcube.errors import InvalidFilter
from watchcube.service import Query, Served, Service

router = APIRouter(tags=["aggregations"])

_TYPE_DOC = {
    "name": "aggregation_type",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "enum": list(TYPES)},
    "description": "One of the ten aggregation types.",
}
_ENVELOPE_DOC: dict[int | str, dict[str, Any]] = {
    "200": {
        "description": "The result envelope.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Envelope"}}},
    },
    "304": {"description": "Not modified (If-None-Match matched the ETag)."},
}


async def _serve(
    service: Service, user_id: str, query: Query, types: Sequence[str], control: dict[str, str]
) -> dict[str, Served]:
    mode = control.get("mode", "precomputed")
    if mode not in ("precomputed", "live"):
        raise InvalidFilter(f"mode: must be precomputed or live, not {mode!r}")
    live = mode == "live"
    stale_ok = control.get("stale_ok", "false").lower() in ("1", "true", "yes", "on")
    if not live:
        hot = service.memory_hits(user_id, query, types)
        if hot is not None:
            return hot
    return await run_in_threadpool(
        service.results, user_id, query, types, live=live, stale_ok=stale_ok
    )


def _respond(request: Request, body: bytes, etag: str, timing: str) -> Response:
    headers = {
        "ETag": etag,
        "Cache-Control": "private, no-cache",
        "Server-Timing": timing,
        "Vary": "Authorization",
    }
    match = request.headers.get("if-none-match")
    if match is not None and etag in {tag.strip() for tag in match.split(",")}:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def _timing(served: Sequence[Served]) -> str:
    layers: dict[str, int] = {}
    for item in served:
        layers[item.layer] = layers.get(item.layer, 0) + 1
    parts = [f'{layer};desc="{count} result(s)"' for layer, count in layers.items()]
    compute = sum(item.compute_ms for item in served)
    parts.append(f"compute;dur={compute:.3f}")
    return ", ".join(parts)


@router.get(
    "/v1/users/{user_id}/aggregations/{aggregation_type}",
    summary="One aggregation for a filter",
    responses=_ENVELOPE_DOC,
    openapi_extra={"parameters": [*PATH_PARAMETERS_DOC, _TYPE_DOC, *FILTER_PARAMETERS_DOC]},
)
async def get_aggregation(request: Request) -> Response:
    service, user_id, (query, control) = hot_request(request)
    aggregation_type = request.path_params["aggregation_type"]
    served = (await _serve(service, user_id, query, (aggregation_type,), control))[aggregation_type]
    return _respond(request, served.body, served.etag, _timing([served]))


@router.get(
    "/v1/users/{user_id}/dashboard",
    summary="Several aggregations (all ten by default) for one filter, in one response",
    openapi_extra={
        "parameters": [
            *PATH_PARAMETERS_DOC,
            *FILTER_PARAMETERS_DOC,
            {
                "name": "types",
                "in": "query",
                "schema": {"type": "string"},
                "description": "Comma-separated types (default: all ten).",
            },
        ]
    },
    responses={
        "200": {
            "description": "`{types: {type: envelope}}`",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Dashboard"}}},
        },
        "304": {"description": "Not modified."},
    },
)
async def get_dashboard(request: Request) -> Response:
    service, user_id, (query, control) = hot_request(request)
    bundle = await dashboard_bundle(service, user_id, query, control)
    return _respond(request, bundle.body, bundle.etag, bundle.timing)


@dataclass(frozen=True)
class Bundle:
    """A dashboard response: the JSON body, its ETag, and its Server-Timing header."""

    body: bytes
    etag: str
    timing: str


async def dashboard_bundle(
    service: Service, user_id: str, query: Query, control: dict[str, str]
) -> Bundle:
    """The dashboard bundle of ``query`` for ``user_id`` (the route, and the page that
    carries its first bundle)."""
    types = _types(control.get("types"))
    plain = not control.keys() - {"types"}
    version = service.known_version(user_id) if plain else None
    if version is not None:
        # The whole response, kept when it was last assembled from current results.
        key = service.cache.bundle_key(user_id, version, query.filter_hash, types)
        body = service.cache.memory.get(key)
        if body is not None:
            metrics.MEMORY_HITS.inc(len(types))
            etag = _bundle_etag(query.filter_hash, version, types)
            return Bundle(body, etag, _MEMORY_TIMING)
    served = await _serve(service, user_id, query, types, control)
    ordered = [served[name] for name in types]
    body = (
        b'{"types":{'
        + b",".join(b'"' + item.type.encode() + b'":' + item.body for item in ordered)
        + b"}}"
    )
    versions = {item.data_version for item in ordered}
    if len(versions) == 1 and not any(item.stale or item.layer == "live" for item in ordered):
        current = versions.pop()
        if plain:
            key = service.cache.bundle_key(user_id, current, query.filter_hash, types)
            service.cache.memory.set(key, body, service.settings.result_ttl_seconds)
        etag = _bundle_etag(query.filter_hash, current, types)
    else:
        digest = hashlib.sha256("".join(item.etag for item in ordered).encode()).hexdigest()
        etag = f'"d.{digest[:32]}"'
    return Bundle(body, etag, _timing(ordered))


_MEMORY_TIMING = 'memory;desc="bundle", compute;dur=0.000'


def _bundle_etag(filter_hash: str, version: int, types: Sequence[str]) -> str:
    digest = hashlib.sha256(",".join(types).encode()).hexdigest()[:12]
    return f'"d.{filter_hash[:20]}.{version}.{RESULT_VERSION}.{digest}"'


def _types(raw: str | None) -> tuple[str, ...]:
    if not raw:
        return tuple(TYPES)
    wanted = tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    unknown = [name for name in wanted if name not in TYPES]
    if unknown or not wanted:
        raise InvalidFilter(
            f"types: unknown type {unknown[0] if unknown else raw!r} (known: {', '.join(TYPES)})"
        )
    return wanted
