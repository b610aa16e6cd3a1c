"""watchcube: pre-computed watch-history analytics.

The public face: ``Client`` (the HTTP SDK), ``LocalEngine`` (its local fallback) and
``__version__``. The SDK is imported on first use, so ``import watchcube`` stays instant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from watchcube.client import Client, LocalEngine

__version__ = "0.1.0"
__all__ = ["Client", "LocalEngine", "__version__"]


def __getattr__(name: str) -> Any:
    if name in ("Client", "LocalEngine"):
        from watchcube import client

        return getattr(client, name)
    raise AttributeError(f"module 'watchcube' has no attribute {name!r}")
