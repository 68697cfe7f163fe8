"""The steps of a training run: each timed and reported as it ends; live on a terminal."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


class Steps:
    """Runs named steps in turn: prints ``name  seconds`` as each ends (``echo``), shows a
    spinner, or a bar for a step with a known number of parts, while it runs (``live``), and
    keeps the seconds of each step for the run's log."""

    def __init__(self, echo: Callable[[str], None] | None = None, *, live: bool = False) -> None:
        self.echo = echo or (lambda line: None)
        self.live = live
        self.seconds: dict[str, float] = {}

    @contextmanager
    def step(self, name: str, parts: int | None = None) -> Iterator[Callable[[], None]]:
        """Time one step; yields ``advance()``, to call once per part done."""
        started = time.perf_counter()
        if self.live:
            columns = [SpinnerColumn(), TextColumn(name)]
            columns += [BarColumn()] if parts else []
            with Progress(*columns, TimeElapsedColumn(), transient=True) as bar:
                task = bar.add_task(name, total=parts)
                yield lambda: bar.advance(task)
        else:
            yield lambda: None
        self.seconds[name] = time.perf_counter() - started
        self.echo(f"  {name:<12}{self.seconds[name]:8.1f} s")
