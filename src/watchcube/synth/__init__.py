"""Synthetic watch histories for demos, tests and benchmarks, in every format we import.

``generate`` makes a realistic history of any size (deterministic per seed); ``write`` saves
it as portable NDJSON or as a Google Takeout export (JSON, "My Activity" HTML, or a zip).
"""

from __future__ import annotations

from watchcube.synth.generator import generate
from watchcube.synth.writers import FORMATS, write

__all__ = ["FORMATS", "generate", "write"]
