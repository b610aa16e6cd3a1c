"""``python -m watchcube``: the same as the ``watchcube`` command."""

from watchcube.cli import main

main()
