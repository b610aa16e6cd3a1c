"""The API plus one route that sends fixed bytes: the baseline `bench/serve.py` compares to."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI
from starlette.responses import Response

from watchcube.api.app import create_app


def create() -> FastAPI:
    app = create_app()
    body = Path(os.environ["WATCHCUBE_BENCH_STATIC"]).read_bytes()

    @app.get("/bench/static", include_in_schema=False)
    async def static() -> Response:
        return Response(body, media_type="application/json")

    return app
