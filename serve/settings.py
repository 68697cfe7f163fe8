"""The one configuration object that entry points build and pass down."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

HOME_VARIABLE = "DIVERT_HOME"
DEFAULT_HOME = ".divert"


@dataclass(frozen=True)
class Settings:
    """Where the embedded default keeps its files (demo data, later the MLflow store)."""

    home: Path

    @classmethod
    def from_environment(cls) -> Settings:
        """``$DIVERT_HOME`` if set, else ``./.divert``; always an absolute path."""
        return cls(home=Path(os.environ.get(HOME_VARIABLE, DEFAULT_HOME)).resolve())

    @property
    def demo_dir(self) -> Path:
        return self.home / "demo"
