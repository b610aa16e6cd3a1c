"""Fixtures of the importer tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import watchcube.ingest
from watchcube.ingest import takeout_json


@pytest.fixture(params=["file", "stream"])
def reading(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Both ways a Takeout JSON export's runs are read: a regular file's by the workers, at
    their offsets (``file_runs``), or cut from a stream in the reading thread, as a zip
    member's are (``stream_runs``). Fails the test if its files were not read that way."""
    used = {"file": 0, "stream": 0}

    def counted(name: str, runs: Any) -> Any:
        def count(*args: Any) -> Any:
            used[name] += 1
            return runs(*args)

        return count

    monkeypatch.setattr(takeout_json, "file_runs", counted("file", takeout_json.file_runs))
    monkeypatch.setattr(takeout_json, "stream_runs", counted("stream", takeout_json.stream_runs))
    if request.param == "stream":
        monkeypatch.setattr(watchcube.ingest, "_regular_file", lambda stream: None)
    yield request.param
    other = "stream" if request.param == "file" else "file"
    assert used[request.param] > 0
    assert used[other] == 0
