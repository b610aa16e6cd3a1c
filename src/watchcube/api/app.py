"""The FastAPI application: routes by resource, one error handler, metrics per route."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from pydantic.json_schema import models_json_schema
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from watchcube import __version__, metrics
from watchcube.api import errors
from watchcube.api.auth import Authenticator
from watchcube.api.routes import admin, aggregations, health, records, users, web
from watchcube.api.schemas import DOCUMENTED
from watchcube.config import Settings
from watchcube.refresh.worker import Worker
from watchcube.service import Service


class MetricsMiddleware:
    """Request latency per route template (not per raw path: bounded label values)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            metrics.REQUEST_SECONDS.labels(template, scope["method"], str(status)).observe(
                time.perf_counter() - started
            )


def create_app(settings: Settings | None = None, service: Service | None = None) -> FastAPI:
    """The API; ``service`` lets a caller (tests, demo) share one it already made."""
    # Read now, not from a cache: a server worker process may inherit a stale one.
    settings = settings or Settings()
    authenticator = Authenticator.from_settings(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = service is None
        running = service or Service(settings)
        app.state.service = running
        running.start_listening()
        stop = threading.Event()
        embedded = settings.embedded_worker
        if embedded is None:
            embedded = running.db.is_sqlite
        thread = None
        if embedded:
            # Embedded mode: the refresh loop runs here, no second process needed.
            worker = Worker(running, poll_seconds=settings.worker_poll_seconds)
            thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
            thread.start()
        try:
            yield
        finally:
            stop.set()
            if thread is not None:
                thread.join(timeout=30)
            web.prerenderer.close()  # its V8 context; made again if another app draws
            if own:
                running.close()

    app = FastAPI(
        title="watchcube",
        version=__version__,
        summary="Pre-computed watch-history analytics",
        lifespan=lifespan,
        # Our own metrics cover what we need; the built-in OpenTelemetry hooks cost ~15%.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    app.state.authenticator = authenticator
    if service is not None:
        app.state.service = service
    errors.install(app)
    for module in (aggregations, records, users, admin, health, web):
        app.include_router(module.router)
    app.mount("/static", web.static, name="static")
    app.add_middleware(MetricsMiddleware)
    _document(app)
    return app


_ERRORS = {
    "401": "Missing, malformed, badly signed or expired token",
    "403": "The token may not access this user",
    "404": "Unknown user or aggregation type",
    "422": "Invalid filters, settings, records or file",
    "503": "The database is unavailable",
}


def _document(app: FastAPI) -> None:
    """Add the shapes that routes send as raw bytes, and bearer auth, to the OpenAPI."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = FastAPI.openapi(app)
        _, definitions = models_json_schema(
            [(model, "serialization") for model in DOCUMENTED],
            ref_template="#/components/schemas/{model}",
        )
        components = schema.setdefault("components", {})
        components.setdefault("schemas", {}).update(definitions.get("$defs", {}))
        components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
        error = {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        }
        for path, operations in schema["paths"].items():
            if not path.startswith("/v1/"):
                continue
            for method, operation in operations.items():
                operation["security"] = [{"bearer": []}]
                statuses = dict(_ERRORS)
                if method in ("post", "put"):
                    statuses["413"] = "Body or upload too large"
                for status, description in statuses.items():
                    operation["responses"][status] = {"description": description, **error}
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
