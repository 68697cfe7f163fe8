"""Choices and defaults that the command line shows and the scoring desk uses, in a module
light enough to import when ``divert`` starts (before any heavy library)."""

from __future__ import annotations

from enum import StrEnum


class Engine(StrEnum):
    """Where a file is scored."""

    PANDAS = "pandas"
    SPARK = "spark"


DEFAULT_MODEL_URI = "models:/diversion-detector@champion"
"""The champion of the default registered model (``models.tracking`` names both; a test holds
them equal, since that module is too heavy to import here)."""
SCORE_CHUNK_ROWS = 100_000
"""Rows per chunk of the pandas engine: each chunk's temporaries (about 3 KB a row in
validation and features) come on top of the history state, so smaller chunks bound the peak
memory; below this the fixed cost of a chunk (a few tenths of a second) starts to show."""
