"""Dependencies shared by the routes, as ``Annotated`` aliases.

All are ``async def``: FastAPI runs a plain ``def`` dependency in a worker thread, which
alone costs more than serving a cached result.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import Depends, Request

from watchcube.api.auth import Authenticator, Principal
from watchcube.filters import parse
from watchcube.service import Query, Service

# Query parameters that steer a request rather than filter the records.
CONTROL_PARAMETERS = frozenset({"mode", "stale_ok", "types"})


async def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


async def get_principal(request: Request) -> Principal:
    authenticator: Authenticator = request.app.state.authenticator
    return authenticator.verify(request.headers.get("authorization"))


ServiceDep = Annotated[Service, Depends(get_service)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def authorized_user(user_id: str, principal: PrincipalDep) -> str:
    """The ``{user_id}`` of the path, once the caller may act for it (checked before the
    body is read, so a stranger learns nothing from validation errors)."""
    principal.authorize(user_id)
    return user_id


UserDep = Annotated[str, Depends(authorized_user)]


@lru_cache(maxsize=4096)
def parse_query_string(raw: bytes) -> tuple[Query, dict[str, str]]:
    """Filters and control parameters of a raw query string (memoized: dashboards repeat)."""
    grouped: dict[str, list[str]] = {}
    for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        grouped.setdefault(name, []).append(value)
    control = {name: values[-1] for name, values in grouped.items() if name in CONTROL_PARAMETERS}
    filters = {name: values for name, values in grouped.items() if name not in CONTROL_PARAMETERS}
    return Query.of(parse(filters)), control


def hot_request(request: Request) -> tuple[Service, str, tuple[Query, dict[str, str]]]:
    """What the dependencies above give, without the dependency machinery (hot routes):
    the service, the authorized ``{user_id}``, and the parsed query string."""
    authenticator: Authenticator = request.app.state.authenticator
    principal = authenticator.verify(request.headers.get("authorization"))
    user_id: str = request.path_params["user_id"]
    principal.authorize(user_id)
    service: Service = request.app.state.service
    return service, user_id, parse_query_string(request.scope.get("query_string", b""))


PATH_PARAMETERS_DOC = [
    {"name": "user_id", "in": "path", "required": True, "schema": {"type": "string"}},
]

FILTER_PARAMETERS_DOC = [
    {
        "name": "start",
        "in": "query",
        "schema": {"type": "string", "format": "date"},
        "description": "First local date (inclusive); not with year.",
    },
    {
        "name": "end",
        "in": "query",
        "schema": {"type": "string", "format": "date"},
        "description": "Last local date (inclusive); not with year.",
    },
    {
        "name": "year",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1970, "maximum": 2100},
    },
    {
        "name": "quarter",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 4},
        "description": "Needs year.",
    },
    {
        "name": "month",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 12},
        "description": "Needs year.",
    },
    {
        "name": "channels",
        "in": "query",
        "style": "form",
        "explode": True,
        "schema": {"type": "array", "items": {"type": "string"}, "maxItems": 100},
        "description": "Channel ids (comma-separated or repeated).",
    },
    {
        "name": "topics",
        "in": "query",
        "style": "form",
        "explode": True,
        "schema": {"type": "array", "items": {"type": "string"}, "maxItems": 50},
        "description": "Topics (any of them).",
    },
    {
        "name": "products",
        "in": "query",
        "style": "form",
        "explode": True,
        "schema": {
            "type": "array",
            "items": {"type": "string", "enum": ["youtube", "youtube_music"]},
        },
    },
    {"name": "include_ads", "in": "query", "schema": {"type": "boolean", "default": False}},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
    {
        "name": "mode",
        "in": "query",
        "schema": {"type": "string", "enum": ["precomputed", "live"]},
        "description": "live bypasses the pre-computed layers (for comparison).",
    },
    {
        "name": "stale_ok",
        "in": "query",
        "schema": {"type": "boolean", "default": False},
        "description": "Accept an older result (flagged stale) instead of waiting.",
    },
]
