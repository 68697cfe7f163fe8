"""The front desk of file scoring: one request for every engine, checked once, then handed on.

``divert score`` (either engine) and the demo build one ``ScoreRequest``; ``run_score``
refuses output paths that could not be written or would overwrite an input, resolves and
loads the model, applies the one threshold rule (``models.alert_threshold``) and hands the
request to an engine: ``serve.batch`` streams the file with pandas on this machine,
``serve.spark_scoring`` runs it on Spark. Both engines check the file's header here
(``scoring_input``: not already scored, the model's entity keys present, labels ignored),
fill one ``ScoreSummary`` and give every row the same answer. The online doors (HTTP,
``serve.service``; the MLflow model, ``models.pyfunc``) score records instead, against the
model's frozen history (``docs/scoring.md``).
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

from features.build import FeatureContext
from features.column_map import ColumnMap
from features.errors import (
    CountMismatchError,
    NothingScoredError,
    OutputPathError,
    ShipmentFileError,
    SparkMissingError,
)
from features.readers import read_header
from features.screening import WatchlistIndex
from features.validation import ShipmentValidator, ignored_labels
from features.watchlist import read_watchlist
from features.writers import output_format
from models.alert_threshold import AlertThreshold, version_threshold
from models.bundle import ModelBundle
from models.tracking import (
    ModelVersionInfo,
    load_registered_bundle,
    open_store,
    resolve_model,
)
from serve.options import DEFAULT_MODEL_URI, SCORE_CHUNK_ROWS, Engine
from serve.progress import progress_reporter
from serve.settings import Settings

SCORE_COLUMNS = ("diversion_score", "alert", "risk_rank", "reasons")
TOP_REASONS = 5
SUMMARY_SUFFIX = ".summary.json"
REJECTS_SUFFIX = ".rejects.csv"
SPARK_INSTALL_HINT = "pip install 'diversion-detector[spark]'"
SPARK_SUCCESS_MARKER = "_SUCCESS"


@dataclass(frozen=True)
class ScoreRequest:
    """One scoring run, whatever the engine. Paths are text: the Spark engine also takes
    URIs (``hdfs://...``) and writes folders of part files."""

    path: str
    out: str
    rejects: str = ""
    """Default ``<out>.rejects.csv``."""
    model: str = DEFAULT_MODEL_URI
    column_map: ColumnMap = field(default_factory=ColumnMap)
    threshold: float | None = None
    """For this run only; see ``models.alert_threshold``."""
    watchlist: Path | None = None
    file_format: str | None = None
    """csv, csv.gz or parquet; default (and after construction, always) by the suffix of
    ``out``."""
    engine: Engine = Engine.PANDAS
    chunk_rows: int = SCORE_CHUNK_ROWS
    workers: int = 1
    """Pandas: processes scoring chunks in pass 2 (``serve.chunk_scoring``)."""
    spark_master: str | None = None
    partitions: int | None = None
    """Spark: partitions for validation, scoring and sorting (``partition_count``)."""

    def __post_init__(self) -> None:
        if not self.rejects:
            object.__setattr__(self, "rejects", self.out.rstrip("/") + REJECTS_SUFFIX)
        resolved = output_format(PurePosixPath(self.out), self.file_format)
        object.__setattr__(self, "file_format", resolved)

    def outputs(self) -> dict[str, str]:
        """Role -> location of everything the run writes (the summary only beside local
        outputs)."""
        outputs = {"--out": self.out, "--rejects": self.rejects}
        if is_local(self.out):
            outputs["summary"] = str(summary_path(Path(self.out)))
        return outputs


@dataclass
class ScoreSummary:
    """What a run did; printed on stderr and written as JSON beside the output."""

    input: str
    output: str
    rejects: str
    model: str
    model_version: str
    threshold: float
    threshold_source: str
    ignored_columns: list[str] = field(default_factory=list)
    """Columns of the input never read for scoring (the label and its outcome date)."""
    rows_read: int = 0
    rows_scored: int = 0
    rows_rejected: int = 0
    read_as_missing: dict[str, int] = field(default_factory=dict)
    """Unknown codes in optional fields per column, read as missing (their rows scored)."""
    alerts: int = 0
    top_reasons: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    rows_per_second: float = 0.0

    @classmethod
    def start(
        cls,
        request: ScoreRequest,
        version: ModelVersionInfo,
        threshold: AlertThreshold,
        ignored: list[str],
    ) -> ScoreSummary:
        """A run's summary before any row is read."""
        return cls(
            input=request.path,
            output=request.out,
            rejects=request.rejects,
            model=version.uri,
            model_version=version.version,
            threshold=threshold.value,
            threshold_source=threshold.source,
            ignored_columns=ignored,
        )

    def check_counts(self) -> None:
        """``CountMismatchError`` unless every row read was scored or rejected."""
        if self.rows_read != self.rows_scored + self.rows_rejected:
            raise CountMismatchError(
                f"{self.input}: read {self.rows_read} rows but scored {self.rows_scored} and "
                f"rejected {self.rows_rejected}; nothing was written, please report this"
            )

    def finish(self, started: float) -> None:
        """Time the run from ``started`` (``time.perf_counter``)."""
        self.seconds = round(time.perf_counter() - started, 3)
        self.rows_per_second = round(self.rows_read / max(self.seconds, 1e-9), 1)


def summary_path(out: Path) -> Path:
    return out.with_name(out.name + SUMMARY_SUFFIX)


def write_summary(path: Path, summary: ScoreSummary) -> None:
    """The summary as JSON, written to a temporary file and renamed into place."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.partial")
    temporary.write_text(json.dumps(asdict(summary), indent=2, default=str) + "\n")
    os.replace(temporary, path)


def is_local(location: str) -> bool:
    """True for a plain path on this machine, False for a URI such as ``hdfs://...``."""
    return urlparse(location).scheme == ""


def scoring_context(
    bundle: ModelBundle, watchlist: Path | None, *, workers: int = 2
) -> FeatureContext:
    """The bundle's feature context, screening against ``watchlist`` instead if one is given."""
    context = bundle.context(workers=workers)
    if watchlist is None:
        return context
    index = WatchlistIndex().fit(read_watchlist(watchlist))
    return FeatureContext(context.reference, index, workers=workers)


@dataclass(frozen=True)
class ScoringInput:
    """How a file is read for scoring by a model, after its header was checked."""

    column_map: ColumnMap
    """The user's map with the model's entity keys (``FeatureContract.scoring_map``)."""
    ignored: list[str]
    """Columns present but never read for scoring (labels)."""


def scoring_input(
    bundle: ModelBundle, header: list[str] | tuple[str, ...], column_map: ColumnMap, where
) -> ScoringInput:
    """Check a file's header for every engine (``ShipmentFileError``, ``ModelInputError``):
    not already scored, the model's entity keys present, the contract's required columns
    there."""
    header = list(header)
    check_not_scored(header, where)
    bundle.contract.check_input(map(column_map.target, header), str(where))
    scoring_map = bundle.contract.scoring_map(column_map)
    ShipmentValidator(scoring_map).check_header(header, str(where))
    return ScoringInput(scoring_map, ignored_labels(header, column_map))


def check_not_scored(header: list[str] | tuple[str, ...], path) -> None:
    """``ShipmentFileError`` if the file already has the columns scoring adds."""
    clashing = [name for name in header if name in SCORE_COLUMNS]
    if clashing:
        raise ShipmentFileError(
            f"{path} already has column(s) {clashing} (is it a scored file?); "
            "remove or rename them before scoring"
        )


def check_outputs(request: ScoreRequest) -> None:
    """Refuse, before any work, local outputs that could not be moved into place at the end
    of the run, or that would overwrite the input or each other (URIs are left to Spark).
    The pandas engine writes files; the Spark engine writes folders of part files, and may
    replace only an earlier Spark output folder."""
    seen: dict[Path, str] = {}
    if is_local(request.path):
        seen[Path(request.path).resolve()] = f"the input file {request.path}"
    for role, location in request.outputs().items():
        if not is_local(location):
            continue
        path = Path(location)
        _check_writable_folder(role, path)
        taken = seen.get(path.resolve())
        if taken is None and path.exists() and _same_file(path, request.path):
            taken = seen[Path(request.path).resolve()]
        if taken is not None:
            raise OutputPathError(
                f"{role} {path} is {taken}; scoring never overwrites its input or one output "
                "with another, give another path"
            )
        seen[path.resolve()] = f"the {role} path"
        if request.engine is Engine.SPARK and role != "summary":
            _check_spark_folder(role, path)
        elif path.is_dir():
            raise OutputPathError(f"cannot write {role} {path}: it is a folder; give a file name")


def _check_writable_folder(role: str, path: Path) -> None:
    folder = path.parent
    if not folder.exists():
        raise OutputPathError(f"cannot write {role} {path}: folder {folder} does not exist")
    if not folder.is_dir():
        raise OutputPathError(f"cannot write {role} {path}: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputPathError(f"cannot write {role} {path}: folder {folder} is not writable")


def _same_file(path: Path, source: str) -> bool:
    return is_local(source) and Path(source).exists() and path.samefile(source)


def _check_spark_folder(role: str, path: Path) -> None:
    if path.is_dir() and any(path.iterdir()) and not (path / SPARK_SUCCESS_MARKER).exists():
        raise OutputPathError(
            f"{role} {path} is a folder that is not an earlier Spark output (no "
            f"{SPARK_SUCCESS_MARKER}); give a new path"
        )
    if path.exists() and not path.is_dir():
        raise OutputPathError(
            f"{role} {path} is a file; the Spark engine writes a folder of part files, "
            "give another path"
        )


def load_scoring_model(model: str, settings: Settings) -> tuple[ModelVersionInfo, ModelBundle]:
    """The version behind ``model`` in the configured store, loaded (contract checked)."""
    store = open_store(settings.home)
    version = resolve_model(store, model)
    return version, load_registered_bundle(version.uri)


def run_score(request: ScoreRequest, settings: Settings, *, echo=lambda text: None) -> ScoreSummary:
    """Score ``request`` end to end and ``echo`` the summary; ``NothingScoredError`` (after
    writing the rejects and the summary) when no row could be scored, as ``divert validate``
    calls such a file unusable."""
    check_outputs(request)
    if request.engine is Engine.SPARK:
        require_spark()
    version, bundle = load_scoring_model(request.model, settings)
    threshold = version_threshold(version, bundle.threshold, given=request.threshold)
    if request.engine is Engine.SPARK:
        summary = _score_on_spark(request, bundle, version, threshold)
    else:
        from serve.batch import score_file

        enabled = sys.stderr.isatty() and not os.environ.get("CI")
        with progress_reporter(enabled=enabled) as progress:
            summary = score_file(request, bundle, version, threshold, progress=progress)
    echo(render_summary(summary))
    check_something_scored(summary)
    return summary


def require_spark() -> None:
    """``SparkMissingError`` with the install line when the ``spark`` extra is missing."""
    try:
        import pyspark  # noqa: F401  (the spark extra)
    except ModuleNotFoundError as missing:
        raise SparkMissingError(
            f"the Spark engine needs pyspark, which is not installed: {SPARK_INSTALL_HINT} "
            "(Spark also needs Java 17 or newer)"
        ) from missing


def _score_on_spark(
    request: ScoreRequest, bundle: ModelBundle, version: ModelVersionInfo, threshold
) -> ScoreSummary:
    """Check a local file's header on the driver, start (or join) Spark, score on it."""
    from serve.spark_scoring import score_on_spark
    from serve.spark_session import spark_session

    path = Path(request.path)
    if is_local(request.path) and not path.is_dir():
        column_map = request.column_map
        header = read_header(path, delimiter=column_map.delimiter, encoding=column_map.encoding)
        scoring_input(bundle, header, column_map, request.path)
    spark, started = spark_session(request.spark_master)
    try:
        return score_on_spark(spark, request, bundle, version, threshold)
    finally:
        if started:
            spark.stop()


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
                f"  column {name!r}: {count:,} unknown code(s) read as missing"
                for name, count in summary.read_as_missing.items()
            ),
            *(
                f"  column {name!r} ignored: labels are never scoring inputs"
                for name in summary.ignored_columns
            ),
            f"  model {summary.model}; {summary.seconds:.1f} s, {summary.rows_per_second:,.0f} "
            "rows/s",
            f"  summary: {summary_path(Path(summary.output))}",
        ]
    )
