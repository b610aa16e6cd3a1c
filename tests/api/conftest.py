"""An API on a real HTTP server, on SQLite without Redis and on PostgreSQL with Redis."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.conftest import REDIS_SERVER
from tests.utils.servers import serve_in_thread
from watchcube.api.app import create_app
from watchcube.api.auth import mint_token
from watchcube.config import Settings
from watchcube.service import Service

SECRET = "test-secret-0123456789abcdef-0123456789"


@dataclass
class Api:
    url: str
    service: Service
    settings: Settings

    def client(self, user: str | None = "alice", *, admin: bool = False) -> httpx.Client:
        headers = {}
        if user is not None:
            headers["Authorization"] = f"Bearer {mint_token(SECRET, user, admin=admin)}"
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


def make_api(database_url: str, redis_prefix: str, **overrides: object) -> Settings:
    redis_url = None if database_url.startswith("sqlite") else REDIS_SERVER
    return Settings(
        database_url=database_url,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        jwt_secret=SECRET,
        # Layers are asserted here; the worker's own tests cover the background refresh.
        embedded_worker=False,
        **overrides,  # type: ignore[arg-type]
    )


@pytest.fixture
def api(database_url: str, redis_prefix: str) -> Iterator[Api]:
    """SQLite without Redis, or PostgreSQL with Redis (the ``database_url`` parameter)."""
    settings = make_api(database_url, redis_prefix)
    service = Service(settings)
    with serve_in_thread(create_app(settings, service)) as url:
        yield Api(url, service, settings)
    service.close()
