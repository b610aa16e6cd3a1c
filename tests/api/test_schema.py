"""Property-based API tests from our own OpenAPI: no 5xx, responses match the schema."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.api.conftest import SECRET
from watchcube.api.app import create_app
from watchcube.api.auth import mint_token
from watchcube.config import Settings
from watchcube.records import record_from_mapping
from watchcube.service import Service

TOKEN = mint_token(SECRET, "alice")
# Creating the app reads no database; the service is attached by the fixture below.
CONFIG = Settings(
    database_url=f"sqlite:///{Path(tempfile.mkdtemp(prefix='wc-schema-')) / 'w.db'}",
    jwt_secret=SECRET,
)
APP = create_app(CONFIG, None)
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.fixture(scope="module", autouse=True)
def service() -> Iterator[Service]:
    running = Service(CONFIG)
    running.add_records(
        "alice",
        [
            record_from_mapping(
                {
                    "watched_at": f"2024-{m:02d}-0{d}T1{d}:00:00Z",
                    "video_id": f"v{m}{d}",
                    "channel_id": f"UC{d}",
                    "channel_name": f"Ch {d}",
                    "topics": ["music"],
                }
            )
            for m in range(1, 13)
            for d in range(1, 8)
        ],
    )
    APP.state.service = running
    yield running
    running.close()


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_api_conforms(operation: schemathesis.APIOperation) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"})

    check()
