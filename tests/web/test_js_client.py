"""The JS client's own tests (node's built-in runner), run as part of the pytest suite."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

JS_TESTS = Path(__file__).parent / "js"


def test_js_client_suite_passes() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed (the JS client's tests need node 20+)")
    run = subprocess.run(
        [node, "--test", str(JS_TESTS)], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "# fail 0" in run.stdout and "# pass 0" not in run.stdout
