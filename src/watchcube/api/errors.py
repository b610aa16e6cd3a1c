"""One place that turns every error into ``{"error": {"code", "message"}}`` with its status."""

from __future__ import annotations

import logging

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from watchcube.errors import InvalidRecords, WatchcubeError

log = logging.getLogger(__name__)


def error_response(status: int, code: str, message: str, **extra: object) -> Response:
    body: dict[str, object] = {"code": code, "message": message, **extra}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return Response(
        orjson.dumps({"error": body}), status, headers=headers, media_type="application/json"
    )


async def _watchcube_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WatchcubeError)
    if exc.status >= 500:
        log.error("%s: %s", exc.code, exc.message)
    if isinstance(exc, InvalidRecords):
        return error_response(exc.status, exc.code, exc.message, rows=exc.problems[:100])
    return error_response(exc.status, exc.code, exc.message)


async def _validation_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = exc.errors()
    first = problems[0] if problems else {"loc": (), "msg": "invalid request"}
    where = ".".join(str(part) for part in first.get("loc", ()))
    return error_response(422, "invalid_input", f"{where}: {first.get('msg')}")


async def _http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail))


async def _unexpected(_request: Request, exc: Exception) -> Response:
    log.exception("unexpected error", exc_info=exc)
    return error_response(500, "internal", "internal error; the server log has details")


def install(app: FastAPI) -> None:
    app.add_exception_handler(WatchcubeError, _watchcube_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
