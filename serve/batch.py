"""The ``divert score`` entry: resolve the model, run the scorer with a progress bar, report."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from features.column_map import ColumnMap
from features.errors import DivertError
from features.writers import output_format as resolve_format
from models.bundle import ModelBundle
from models.tracking import (
    CHAMPION,
    DEFAULT_MODEL_NAME,
    ModelVersionInfo,
    load_registered_bundle,
    open_store,
    resolve_model,
)
from serve.progress import progress_reporter
from serve.scoring import ScoreRequest, ScoreSummary, score_file, summary_path
from serve.settings import Settings

DEFAULT_MODEL_URI = f"models:/{DEFAULT_MODEL_NAME}@{CHAMPION}"


class OutputPathError(DivertError):
    """An output path cannot be written, or would overwrite the input or another output."""


class NothingScoredError(DivertError):
    """The file has no row that could be scored (like ``divert validate``: unusable)."""


def default_rejects_path(out: Path) -> Path:
    return out.with_name(out.name + ".rejects.csv")


def check_output_paths(file: Path, outputs: dict[str, Path]) -> None:
    """Refuse, before any work, outputs that could not be moved into place at the end of the
    run, or that would overwrite the input or each other. ``outputs``: role -> path."""
    seen: dict[Path, str] = {file.resolve(): f"the input file {file}"}
    for role, path in outputs.items():
        folder = path.parent
        if not folder.exists():
            raise OutputPathError(f"cannot write {role} {path}: folder {folder} does not exist")
        if not folder.is_dir():
            raise OutputPathError(f"cannot write {role} {path}: {folder} is not a folder")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise OutputPathError(f"cannot write {role} {path}: folder {folder} is not writable")
        if path.is_dir():
            raise OutputPathError(f"cannot write {role} {path}: it is a folder; give a file name")
        taken = seen.get(path.resolve())
        if taken is None and path.exists() and file.exists() and path.samefile(file):
            taken = seen[file.resolve()]
        if taken is not None:
            raise OutputPathError(
                f"{role} {path} is {taken}; scoring never overwrites its input or one output "
                "with another, give another path"
            )
        seen[path.resolve()] = f"the {role} path"


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
    workers: int = 1,
) -> ScoreSummary:
    """Score ``file`` into ``out``; ``NothingScoredError`` (after writing the rejects and the
    summary) when no row could be scored, as ``divert validate`` calls such a file unusable."""
    rejects = rejects or default_rejects_path(out)
    check_output_paths(file, {"--out": out, "--rejects": rejects, "summary": summary_path(out)})
    file_format = resolve_format(out, output_format)
    version, bundle = load_scoring_model(model)
    request = ScoreRequest(
        path=file,
        out=out,
        rejects=rejects,
        column_map=column_map,
        threshold=threshold,
        watchlist=watchlist,
        file_format=file_format,
        chunk_rows=chunk_size,
        workers=workers,
    )
    with progress_reporter(enabled=sys.stderr.isatty() and not os.environ.get("CI")) as progress:
        summary = score_file(request, bundle, version, progress=progress)
    echo(render_summary(summary))
    check_something_scored(summary)
    return summary


def load_scoring_model(model: str | None) -> tuple[ModelVersionInfo, ModelBundle]:
    """The version behind ``model`` (default the champion) in the configured store, loaded."""
    store = open_store(Settings.from_environment().home)
    version = resolve_model(store, model or DEFAULT_MODEL_URI)
    return version, load_registered_bundle(version.uri)


def check_something_scored(summary: ScoreSummary) -> None:
    """``NothingScoredError`` when no row could be scored (the rejects are written by then)."""
    if summary.rows_scored:
        return
    if summary.rows_read == 0:
        raise NothingScoredError(f"{summary.input} has a header but no rows: nothing to score")
    raise NothingScoredError(
        f"none of the {summary.rows_read:,} rows of {summary.input} could be scored; each is "
        f"in the rejects {summary.rejects} with its line and reason"
    )


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
            *(
                f"  column {name!r} ignored: labels are never scoring inputs"
                for name in summary.ignored_columns
            ),
            f"  model {summary.model}; {summary.seconds:.1f} s, {summary.rows_per_second:,.0f} "
            "rows/s",
            f"  summary: {summary_path(Path(summary.output))}",
        ]
    )
