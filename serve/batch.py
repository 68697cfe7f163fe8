"""The ``divert score`` entry: resolve the model, run the scorer with a progress bar, report."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from features.column_map import ColumnMap
from features.writers import output_format as resolve_format
from models.tracking import (
    CHAMPION,
    DEFAULT_MODEL_NAME,
    load_registered_bundle,
    open_store,
    resolve_model,
)
from serve.progress import progress_reporter
from serve.scoring import ScoreRequest, ScoreSummary, score_file, summary_path
from serve.settings import Settings

DEFAULT_MODEL_URI = f"models:/{DEFAULT_MODEL_NAME}@{CHAMPION}"


def default_rejects_path(out: Path) -> Path:
    return out.with_name(out.name + ".rejects.csv")


def run_score(
    file: Path,
    out: Path,
    *,
    model: str | None,
    rejects: Path | None,
    threshold: float | None,
    column_map: ColumnMap,
    watchlist: Path | None,
    output_format: str | None,
    chunk_size: int,
    echo: Callable[[str], None],
) -> ScoreSummary:
    store = open_store(Settings.from_environment().home)
    version = resolve_model(store, model or DEFAULT_MODEL_URI)
    bundle = load_registered_bundle(version.uri)
    request = ScoreRequest(
        path=file,
        out=out,
        rejects=rejects or default_rejects_path(out),
        column_map=column_map,
        threshold=threshold,
        watchlist=watchlist,
        file_format=resolve_format(out, output_format),
        chunk_rows=chunk_size,
    )
    with progress_reporter(enabled=sys.stderr.isatty() and not os.environ.get("CI")) as progress:
        summary = score_file(request, bundle, version, progress=progress)
    echo(render_summary(summary))
    return summary


def render_summary(summary: ScoreSummary) -> str:
    reasons = ", ".join(f"{code} {count:,}" for code, count in summary.top_reasons.items())
    return "\n".join(
        [
            f"scored {summary.input} -> {summary.output}",
            f"  rows read {summary.rows_read:,} = scored {summary.rows_scored:,} + rejected "
            f"{summary.rows_rejected:,} (rejects: {summary.rejects})",
            f"  alerts {summary.alerts:,} at threshold {summary.threshold:.4f} "
            f"({summary.threshold_source})",
            f"  most frequent reasons: {reasons or 'none'}",
            f"  model {summary.model}; {summary.seconds:.1f} s, {summary.rows_per_second:,.0f} "
            "rows/s",
            f"  summary: {summary_path(Path(summary.output))}",
        ]
    )
