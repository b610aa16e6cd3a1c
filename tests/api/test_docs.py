"""docs/api.md is generated from the OpenAPI document and must not fall behind it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_api_reference_is_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "api_docs.py"), "--check"], check=False
    )
    assert result.returncode == 0, "docs/api.md is stale: run python scripts/api_docs.py"
