"""The ``watchcube`` command: one Typer group; each module in this package adds its commands."""

from __future__ import annotations

from watchcube.cli.app import app

# Importing a command module registers its commands on ``app``.
from watchcube.cli import data as _data  # noqa: F401  isort: skip
from watchcube.cli import demo as _demo  # noqa: F401  isort: skip
from watchcube.cli import query as _query  # noqa: F401  isort: skip
from watchcube.cli import refresh as _refresh  # noqa: F401  isort: skip
from watchcube.cli import serve as _serve  # noqa: F401  isort: skip
from watchcube.cli import synth as _synth  # noqa: F401  isort: skip


def main() -> None:
    """Console-script entry point."""
    app()
