"""Streaming readers for shipment files: CSV, gzip CSV and Parquet, every value as a string.

Rows come in chunks of a fixed number of rows so that memory stays bounded whatever the file
size. Each row carries its ``line``: for CSV the record number counting the header as 1 (a
quoted field spanning several physical lines counts once); for Parquet the row number from 1.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from features.errors import ShipmentFileError

DEFAULT_CHUNK_ROWS = 200_000
CSV_BLOCK_BYTES = 2 << 20
"""The CSV reader's block: it holds a few dozen blocks at once (about 70 MB at 2 MiB, 230 MB
at 8 MiB, no faster), and a record (a row, quoted line breaks included) must fit in one."""
DELIMITER_CANDIDATES = (",", ";", "\t", "|")
GZIP_MAGIC = b"\x1f\x8b"
PARQUET_MAGIC = b"PAR1"
HEADER_PROBE_BYTES = 1 << 20


@dataclass
class RawChunk:
    """A chunk of source rows as strings (NA for empty), plus the rows that could not be split."""

    frame: pd.DataFrame
    """Source columns as read; the index is the line number."""
    ragged: list[tuple[int, str, str]] = field(default_factory=list)
    """(line, message, raw text) for rows with the wrong number of fields."""
    undecodable: dict[int, str] = field(default_factory=dict)
    """line -> message for rows whose bytes are not valid in the file's encoding."""


def file_format(path: Path) -> str:
    """'parquet', 'csv.gz' or 'csv', from the file's first bytes (not its name)."""
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic == PARQUET_MAGIC:
        return "parquet"
    if magic.startswith(GZIP_MAGIC):
        return "csv.gz"
    return "csv"


def _open_bytes(path: Path) -> pa.NativeFile:
    compression = "gzip" if file_format(path) == "csv.gz" else None
    return pa.input_stream(str(path), compression=compression)


def _header_line(path: Path, encoding: str) -> str | None:
    """The first line of the file, or None if its start holds only blanks."""
    with _open_bytes(path) as stream:
        head = stream.read(HEADER_PROBE_BYTES)
    text = head.decode(encoding, errors="replace").removeprefix("\ufeff")
    return text.split("\n", 1)[0].rstrip("\r") if text.strip() else None


def _guess_delimiter(header_line: str) -> str:
    def field_count(delimiter: str) -> int:
        return len(next(csv.reader([header_line], delimiter=delimiter)))

    return max(DELIMITER_CANDIDATES, key=field_count)


def read_header(path: Path, *, delimiter: str | None = None, encoding: str = "utf-8") -> list[str]:
    """The column names of a shipment file (stripped); raises ``ShipmentFileError`` if none."""
    check_readable(path)
    kind = file_format(path)
    try:
        if kind == "parquet":
            return list(pq.ParquetFile(path).schema_arrow.names)
        line = _header_line(path, encoding)
    except (pa.ArrowInvalid, OSError, EOFError) as error:
        raise ShipmentFileError(f"{path}: cannot be parsed as {kind}: {error}") from error
    if line is None:
        raise ShipmentFileError(f"{path}: the file is empty (no header line)")
    if not line.strip():
        raise ShipmentFileError(f"{path}: line 1 is blank; the first line must be the header")
    if "\x00" in line:
        raise ShipmentFileError(
            f"{path}: the header holds NUL bytes, so the file is probably UTF-16; save it as "
            'UTF-8 or set [read] encoding = "utf-16" in a column map'
        )
    header = next(csv.reader([line], delimiter=delimiter or _guess_delimiter(line)))
    return [name.strip() for name in header]


def check_readable(path: Path) -> None:
    """Raise ``ShipmentFileError`` if ``path`` is missing, not a file, unreadable or empty."""
    if not path.exists():
        raise ShipmentFileError(f"{path}: no such file")
    if not path.is_file():
        raise ShipmentFileError(f"{path}: not a regular file")
    try:
        size = path.stat().st_size
        with path.open("rb"):
            pass
    except OSError as error:
        raise ShipmentFileError(f"{path}: cannot be read ({error.strerror})") from error
    if size == 0:
        raise ShipmentFileError(f"{path}: the file is empty (0 bytes)")


def _strings(column: pa.Array) -> tuple[pa.Array, np.ndarray | None]:
    """Cast a column to strings; also return a mask of values that are not valid UTF-8."""
    if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
        column = pc.binary_join(pc.cast(column, pa.list_(pa.string())), ";")
    if pa.types.is_binary(column.type):
        try:
            return column.cast(pa.string()), None
        except pa.ArrowInvalid:
            values = column.to_pylist()
            bad = np.zeros(len(values), dtype=bool)
            decoded = []
            for position, value in enumerate(values):
                try:
                    decoded.append(None if value is None else value.decode("utf-8"))
                except UnicodeDecodeError:
                    bad[position] = True
                    decoded.append(value.decode("utf-8", errors="replace"))
            return pa.array(decoded, pa.string()), bad
    return column.cast(pa.string()), None


def _to_chunk(table: pa.Table, lines: np.ndarray, ragged: list[tuple[int, str]]) -> RawChunk:
    columns, undecodable = {}, {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        strings, bad = _strings(column.combine_chunks())
        columns[name] = strings
        if bad is not None:
            for line in lines[bad]:
                undecodable.setdefault(int(line), f"{name}: bytes that are not valid UTF-8")
    frame = pa.table(columns).to_pandas()
    for name in frame.columns:
        frame[name] = frame[name].str.strip().replace("", pd.NA)
    frame.index = pd.Index(lines, name="line")
    return RawChunk(frame=frame, ragged=ragged, undecodable=undecodable)


def _rechunk(batches: Iterator[pa.RecordBatch], chunk_rows: int) -> Iterator[pa.Table]:
    """Tables of ``chunk_rows`` rows (the last shorter). No reference to a yielded table is
    kept here, so the consumer can free it (with the reader's buffers) before the next."""
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    for batch in batches:
        pending.append(batch)
        pending_rows += batch.num_rows
        while pending_rows >= chunk_rows:
            table = pa.Table.from_batches(pending)
            rest = table.slice(chunk_rows)
            pending, pending_rows = rest.to_batches(), rest.num_rows
            ready = [table.slice(0, chunk_rows)]
            del table, rest
            yield ready.pop()
    if pending_rows:
        yield pa.Table.from_batches(pending)


def _parquet_chunks(path: Path, chunk_rows: int) -> Iterator[RawChunk]:
    parquet = pq.ParquetFile(path)
    first_line = 1
    for table in _rechunk(parquet.iter_batches(batch_size=chunk_rows), chunk_rows):
        lines = np.arange(first_line, first_line + table.num_rows)
        first_line += table.num_rows
        chunk = _to_chunk(table, lines, [])
        del table
        yield chunk


def _csv_chunks(
    path: Path, header: list[str], chunk_rows: int, delimiter: str, encoding: str
) -> Iterator[RawChunk]:
    skipped: list[tuple[int, str, str]] = []

    def on_ragged(row: pa_csv.InvalidRow) -> str:
        message = f"row has {row.actual_columns} fields, the header has {row.expected_columns}"
        skipped.append((row.number, message, row.text))
        return "skip"

    reader = pa_csv.open_csv(
        _open_bytes(path),
        read_options=pa_csv.ReadOptions(
            use_threads=False,
            block_size=CSV_BLOCK_BYTES,
            column_names=header,
            skip_rows=1,
            encoding=encoding,
        ),
        parse_options=pa_csv.ParseOptions(
            delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_ragged
        ),
        convert_options=pa_csv.ConvertOptions(
            column_types={name: pa.binary() for name in header},
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )
    next_line = 2
    for table in _rechunk(iter(reader), chunk_rows):
        pending = sorted(item[0] for item in skipped if item[0] >= next_line)
        candidates = np.arange(next_line, next_line + table.num_rows + len(pending))
        lines = candidates[~np.isin(candidates, pending)][: table.num_rows]
        ragged = [item for item in skipped if item[0] < lines[-1]]
        skipped[:] = [item for item in skipped if item[0] > lines[-1]]
        next_line = int(lines[-1]) + 1
        chunk = _to_chunk(table, lines, ragged)
        del table
        yield chunk
    if skipped:
        empty = pa.table({name: pa.array([], pa.binary()) for name in header})
        yield _to_chunk(empty, np.array([], dtype=np.int64), list(skipped))


def iter_chunks(
    path: Path,
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    delimiter: str | None = None,
    encoding: str = "utf-8",
) -> Iterator[RawChunk]:
    """Yield the file's rows in chunks of ``chunk_rows`` (the last one shorter).

    Raises ``ShipmentFileError`` when the file cannot be parsed at all (the message says why
    and, for an encoding problem, how to set one in the column map).
    """
    header = read_header(path, delimiter=delimiter, encoding=encoding)
    try:
        if file_format(path) == "parquet":
            yield from _parquet_chunks(path, chunk_rows)
        else:
            line = _header_line(path, encoding)
            yield from _csv_chunks(
                path, header, chunk_rows, delimiter or _guess_delimiter(line), encoding
            )
    except (pa.ArrowInvalid, UnicodeDecodeError, OSError, EOFError) as error:
        message = f"{path}: cannot be parsed as {file_format(path)}: {error}"
        raise ShipmentFileError(message) from error


def read_frame(path: Path, **options) -> RawChunk:
    """The whole file as one chunk (for small files and tests)."""
    chunks = list(iter_chunks(path, chunk_rows=1 << 62, **options))
    if not chunks:
        header = read_header(path, **options)
        return RawChunk(frame=pd.DataFrame({name: pd.Series(dtype="str") for name in header}))
    ragged = [item for chunk in chunks for item in chunk.ragged]
    undecodable = {line: m for chunk in chunks for line, m in chunk.undecodable.items()}
    return RawChunk(pd.concat([chunk.frame for chunk in chunks]), ragged, undecodable)
