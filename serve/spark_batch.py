"""The ``divert score --engine spark`` entry: check, resolve the model, run on Spark, report."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from features.column_map import ColumnMap
from features.errors import DivertError
from features.readers import read_header
from features.writers import output_format
from models.bundle import ModelBundle
from serve.batch import check_something_scored, load_scoring_model, render_summary
from serve.scoring import ScoreSummary, scoring_input, summary_path

INSTALL_HINT = "pip install 'diversion-detector[spark]'"
SUCCESS_MARKER = "_SUCCESS"


class SparkMissingError(DivertError):
    """The ``spark`` extra is not installed."""


try:
    import pyspark  # noqa: F401  (the spark extra)
except ModuleNotFoundError as missing:
    raise SparkMissingError(
        f"the Spark engine needs pyspark, which is not installed: {INSTALL_HINT} "
        "(Spark also needs Java 17 or newer)"
    ) from missing

from serve.spark_input import is_local  # noqa: E402
from serve.spark_scoring import SparkScoreRequest, score_on_spark  # noqa: E402
from serve.spark_session import spark_session  # noqa: E402


class SparkOutputError(DivertError):
    """An output location cannot be written, or would overwrite the input or other files."""


def check_spark_outputs(file: str, outputs: dict[str, str]) -> None:
    """Refuse, before any work, local outputs that would overwrite the input, each other, or
    anything but an earlier Spark output folder (URIs are left to Spark)."""
    seen = {Path(file).resolve(): f"the input {file}"} if is_local(file) else {}
    for role, location in outputs.items():
        if not is_local(location):
            continue
        path = Path(location)
        folder = path.parent
        if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
            raise SparkOutputError(f"cannot write {role} {path}: folder {folder} is not writable")
        taken = seen.get(path.resolve())
        if taken is not None:
            raise SparkOutputError(
                f"{role} {path} is {taken}; scoring never overwrites its input or one output "
                "with another, give another path"
            )
        seen[path.resolve()] = f"the {role} path"
        if path.is_dir() and any(path.iterdir()) and not (path / SUCCESS_MARKER).exists():
            raise SparkOutputError(
                f"{role} {path} is a folder that is not an earlier Spark output (no "
                f"{SUCCESS_MARKER}); give a new path"
            )
        if path.exists() and not path.is_dir() and role != "summary":
            raise SparkOutputError(
                f"{role} {path} is a file; the Spark engine writes a folder of part files, "
                "give another path"
            )


def check_local_input(request: SparkScoreRequest, bundle: ModelBundle) -> None:
    """The file-level checks of a file on the driver, before Spark starts (a folder or a URI
    is checked by Spark when it reads it)."""
    path = Path(request.path)
    if not is_local(request.path) or path.is_dir():
        return
    column_map = request.column_map
    header = read_header(path, delimiter=column_map.delimiter, encoding=column_map.encoding)
    scoring_input(bundle, header, column_map, request.path)


def run_spark_score(
    file: str,
    out: str,
    *,
    model: str | None,
    rejects: str | None,
    threshold: float | None,
    column_map: ColumnMap,
    watchlist: Path | None,
    output_format_name: str | None,
    master: str | None,
    echo: Callable[[str], None],
) -> ScoreSummary:
    """Resolve the model, start (or join) Spark, score ``file`` into ``out``, report."""
    rejects = rejects or f"{out.rstrip('/')}.rejects.csv"
    summary_file = str(summary_path(Path(out))) if is_local(out) else None
    outputs = {"--out": out, "--rejects": rejects} | (
        {"summary": summary_file} if summary_file else {}
    )
    check_spark_outputs(file, outputs)
    request = SparkScoreRequest(
        path=file,
        out=out,
        rejects=rejects,
        column_map=column_map,
        threshold=threshold,
        watchlist=watchlist,
        file_format=output_format(PurePosixPath(out), output_format_name),
    )
    version, bundle = load_scoring_model(model)
    check_local_input(request, bundle)
    spark, started = spark_session(master)
    try:
        summary = score_on_spark(spark, request, bundle, version)
    finally:
        if started:
            spark.stop()
    echo(render_summary(summary))
    check_something_scored(summary)
    return summary
