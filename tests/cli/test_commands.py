"""The command line, as a newcomer uses it (Typer's runner, a real database)."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from watchcube.cli import app

runner = CliRunner()


def run(*args: str, ok: bool = True) -> str:
    result = runner.invoke(app, list(args))
    if ok:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code != 0, result.output
    return result.output


@pytest.fixture
def db(database_url: str) -> str:
    return database_url


def test_import_reimport_export_restore(db: str, takeout_dir: Path, tmp_path: Path) -> None:
    source = takeout_dir / "en-ads.watch-history.json"
    summary = orjson.loads(
        run("import", str(source), "--user", "ann", "--json", "--database-url", db)
    )
    assert summary == {
        "inserted": 2390,
        "duplicates": 0,
        "skipped": {"visited": 1},
        "warnings": 0,
        "data_version": 1,
    }
    again = orjson.loads(run("import", str(source), "-u", "ann", "--json", "--database-url", db))
    assert (again["inserted"], again["duplicates"], again["data_version"]) == (0, 2390, 1)

    backup = tmp_path / "ann.ndjson"
    backup.write_text(run("export", "--user", "ann", "--database-url", db))
    assert len(backup.read_text().splitlines()) == 2390
    restored = orjson.loads(
        run("import", str(backup), "--user", "bob", "--json", "--database-url", db)
    )
    assert restored["inserted"] == 2390
    assert run("export", "--user", "bob", "--database-url", db) == backup.read_text()


def test_query_json_and_tables(db: str, takeout_dir: Path) -> None:
    run(
        "import", str(takeout_dir / "en-2021.watch-history.json"), "-u", "cat", "--database-url", db
    )
    run("settings", "--user", "cat", "--timezone", "Asia/Bangkok", "--database-url", db)
    envelope = orjson.loads(
        run("query", "kpi", "--user", "cat", "--year", "2021", "--json", "--database-url", db)
    )
    assert envelope["type"] == "kpi" and envelope["data_version"] == 2
    assert envelope["filters"] == {"start": "2021-01-01", "end": "2021-12-31"}
    assert envelope["data"]["total_videos"] > 0
    every = orjson.loads(run("query", "all", "-u", "cat", "--json", "--database-url", db))
    assert len(every) == 10
    table = run("query", "top_channels", "-u", "cat", "--limit", "3", "--database-url", db)
    assert "channels" in table and "computed_at" in table
    status = orjson.loads(run("status", "--user", "cat", "--json", "--database-url", db))
    assert status["records"] == 8241 and status["data_version"] == 2
    run("backfill", "--user", "cat", "--database-url", db)
    assert "ok" in run("validate", "--user", "cat", "--database-url", db)


def test_bad_inputs_fail_clearly(db: str, tmp_path: Path) -> None:
    truncated = tmp_path / "watch-history.json"
    truncated.write_text('[{"header": "YouTube", "title": "Watched x", "time": "2024-01-0')
    output = run("import", str(truncated), "-u", "dan", "--database-url", db, ok=False)
    assert "watch-history.json" in output
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(bytes(range(256)) * 10)
    assert "garbage.bin" in run("import", str(garbage), "-u", "dan", "--database-url", db, ok=False)
    assert "no user" in run("status", "--user", "dan", "--database-url", db, ok=False)
    assert "timezone" in run(
        "settings", "-u", "dan", "--timezone", "Nowhere/Land", "--database-url", db, ok=False
    )
    assert "month" in run(
        "query",
        "kpi",
        "-u",
        "dan",
        "--month",
        "13",
        "--year",
        "2024",
        "--database-url",
        db,
        ok=False,
    )


def test_synth_then_import(db: str, tmp_path: Path) -> None:
    target = tmp_path / "history.zip"
    run(
        "synth",
        "--user",
        "eve",
        "--records",
        "2000",
        "--seed",
        "3",
        "--format",
        "takeout-zip",
        "-o",
        str(target),
    )
    summary = orjson.loads(run("import", str(target), "-u", "eve", "--json", "--database-url", db))
    assert summary["inserted"] > 1900


def test_token_needs_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WATCHCUBE_JWT_SECRET", raising=False)
    assert "WATCHCUBE_JWT_SECRET" in run("token", "--user", "x", ok=False)
    monkeypatch.setenv("WATCHCUBE_JWT_SECRET", "s" * 40)
    assert run("token", "--user", "x").count(".") == 2
