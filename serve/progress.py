"""A progress bar on a terminal, silence in CI logs and pipes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import Progress, SpinnerColumn, TextColumn


@contextmanager
def progress_reporter(*, enabled: bool) -> Iterator[Callable[[str, int], None]]:
    """Yield ``report(stage, rows)``: adds ``rows`` to the stage's counter on the bar."""
    if not enabled:
        yield lambda stage, rows: None
        return
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed:,} rows"),
        transient=True,
    ) as bar:  # fmt: skip
        tasks: dict[str, int] = {}

        def report(stage: str, rows: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage)
            bar.advance(tasks[stage], rows)

        yield report
