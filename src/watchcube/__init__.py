"""watchcube: pre-computed watch-history analytics."""

from __future__ import annotations

__version__ = "0.1.0"
