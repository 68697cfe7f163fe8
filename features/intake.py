"""Reading a shipment file end to end: header check, chunked validation, rejects, tally."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from features.column_map import ColumnMap
from features.fields import RowProblem
from features.readers import DEFAULT_CHUNK_ROWS, RawChunk, file_format, iter_chunks, read_header
from features.validation import ShipmentValidator, ValidatedChunk, empty_rejects
from features.writers import TableWriter

MAX_EXAMPLES = 3
FIRST_DATA_LINE = 2


@dataclass
class RuleTally:
    """How many rows broke one rule of one column, with a few examples."""

    count: int = 0
    examples: list[tuple[int, str]] = field(default_factory=list)
    """(line, value) of the first rows that broke the rule."""


@dataclass
class IntakeReport:
    """Counts of one pass over a file; ``rows_read == rows_valid + rows_rejected`` always."""

    path: Path
    file_format: str
    columns: list[str]
    rows_read: int = 0
    rows_valid: int = 0
    rows_rejected: int = 0
    tallies: dict[tuple[str, str], RuleTally] = field(default_factory=dict)
    read_as_missing: dict[str, RuleTally] = field(default_factory=dict)
    """Per column: unknown codes in an optional field, read as missing (rows kept)."""

    def add(self, chunk: ValidatedChunk) -> None:
        valid, rejected = len(chunk.shipments), len(chunk.rejects)
        self.rows_valid += valid
        self.rows_rejected += rejected
        self.rows_read += valid + rejected
        for problem in chunk.problems:
            _tally(self.tallies.setdefault((problem.column, problem.rule), RuleTally()), problem)
        for problem in chunk.read_as_missing:
            _tally(self.read_as_missing.setdefault(problem.column, RuleTally()), problem)

    @property
    def missing_counts(self) -> dict[str, int]:
        """Values read as missing per column, for summaries."""
        return {column: tally.count for column, tally in sorted(self.read_as_missing.items())}

    @property
    def usable(self) -> bool:
        """A file is usable when at least one row passed validation."""
        return self.rows_valid > 0


def _tally(tally: RuleTally, problem: RowProblem) -> None:
    tally.count += len(problem.values)
    room = MAX_EXAMPLES - len(tally.examples)
    for line, value in problem.values.head(room).items():
        tally.examples.append((int(line), str(value)))


def iter_validated(
    path: Path,
    column_map: ColumnMap | None = None,
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    report: IntakeReport | None = None,
    rejects_path: Path | None = None,
    labels: bool = False,
) -> Iterator[ValidatedChunk]:
    """Validate ``path`` chunk by chunk; tally into ``report`` and write rejects if asked;
    read the label column only with ``labels`` (see ``ShipmentValidator``).

    Raises ``ShipmentFileError`` before the first chunk when the file is unusable as a whole.
    The rejects file is only moved into place once the whole file has been read.
    """
    column_map = column_map or ColumnMap()
    options = {"delimiter": column_map.delimiter, "encoding": column_map.encoding}
    header = read_header(path, **options)
    validator = ShipmentValidator(column_map, labels=labels)
    validator.check_header(header, str(path))
    rejects = TableWriter(rejects_path) if rejects_path else None
    chunks = 0
    try:
        for raw in iter_chunks(path, chunk_rows=chunk_rows, **options):
            chunks += 1
            chunk = validator.validate(raw)
            if report is not None:
                report.add(chunk)
            if rejects is not None:
                rejects.write(chunk.rejects)
            yield chunk
    except BaseException:
        if rejects is not None:
            rejects.abort()
        raise
    if rejects is not None:
        if not chunks:
            rejects.write(empty_rejects(header))
        rejects.close()


def validate_file(
    path: Path,
    column_map: ColumnMap | None = None,
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    rejects_path: Path | None = None,
) -> IntakeReport:
    """One validating pass over ``path`` (labels included) that keeps only the counts (memory
    stays bounded)."""
    column_map = column_map or ColumnMap()
    header = read_header(path, delimiter=column_map.delimiter, encoding=column_map.encoding)
    report = IntakeReport(path=path, file_format=file_format(path), columns=header)
    for _ in iter_validated(
        path,
        column_map,
        chunk_rows=chunk_rows,
        report=report,
        rejects_path=rejects_path,
        labels=True,
    ):
        pass
    return report


def validate_frame(
    frame: pd.DataFrame, column_map: ColumnMap | None = None, *, labels: bool = False
) -> ValidatedChunk:
    """Validate in-memory records (raw values, any dtype) as if they were a file's rows.

    Line numbers count as in a CSV file: the first record is line 2.
    """
    column_map = column_map or ColumnMap()
    validator = ShipmentValidator(column_map, labels=labels)
    validator.check_header([str(name) for name in frame.columns], "records")
    raw = frame.astype("str").apply(lambda column: column.str.strip().replace("", pd.NA))
    raw.index = pd.Index(range(FIRST_DATA_LINE, FIRST_DATA_LINE + len(frame)), name="line")
    return validator.validate(RawChunk(frame=raw))
