"""Atomic, streaming writers for CSV, gzip CSV and Parquet output.

Output goes to a hidden temporary file beside the target and is renamed into place only when
the writer closes without error, so an interrupted run never leaves a half-written file at
the output path.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from features.errors import DivertError

FORMATS = ("csv", "csv.gz", "parquet")


def output_format(path: Path, explicit: str | None = None) -> str:
    """``explicit`` if given, else the format named by the suffix (.csv, .gz, .parquet)."""
    if explicit:
        if explicit not in FORMATS:
            raise DivertError(f"unknown output format {explicit!r}; expected one of {FORMATS}")
        return explicit
    name = path.name.lower()
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    if name.endswith(".gz"):
        return "csv.gz"
    return "csv"


def arrow_schema(frame: pd.DataFrame) -> pa.Schema:
    """Arrow types for a frame: dates as date32, text as string, numbers as they are."""
    fields = []
    for name, dtype in frame.dtypes.items():
        if pd.api.types.is_datetime64_any_dtype(dtype):
            arrow_type = pa.date32()
        elif pd.api.types.is_bool_dtype(dtype):
            arrow_type = pa.bool_()
        elif pd.api.types.is_integer_dtype(dtype):
            arrow_type = pa.int64()
        elif pd.api.types.is_float_dtype(dtype):
            arrow_type = pa.float64()
        else:
            arrow_type = pa.string()
        fields.append(pa.field(str(name), arrow_type))
    return pa.schema(fields)


class TableWriter:
    """Write frames with identical columns chunk by chunk; commit on a clean ``close``."""

    def __init__(self, path: Path, *, file_format: str | None = None) -> None:
        self.path = Path(path)
        self.format = output_format(self.path, file_format)
        self._temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.partial")
        self._writer: pa_csv.CSVWriter | pq.ParquetWriter | None = None
        self._sink: pa.NativeFile | None = None
        self._schema: pa.Schema | None = None

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()

    def _open(self, schema: pa.Schema) -> None:
        try:
            if self.format == "parquet":
                self._writer = pq.ParquetWriter(str(self._temporary), schema)
                return
            compression = "gzip" if self.format == "csv.gz" else None
            self._sink = pa.output_stream(str(self._temporary), compression=compression)
            self._writer = pa_csv.CSVWriter(self._sink, schema)
        except OSError as error:
            raise DivertError(f"cannot write {self.path}: {error}") from error

    def write(self, frame: pd.DataFrame) -> None:
        """Append a chunk; the first chunk fixes the columns and their types."""
        if self._schema is None:
            self._schema = arrow_schema(frame)
            self._open(self._schema)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        self._writer.write_table(table.cast(self._schema))

    def close(self) -> None:
        """Finish the file and move it into place (an empty frame's header if nothing came)."""
        if self._writer is None:
            self.write(pd.DataFrame())
        self._writer.close()
        if self._sink is not None:
            self._sink.close()
        os.replace(self._temporary, self.path)

    def abort(self) -> None:
        """Drop the partial output; the target path is left as it was."""
        if self._writer is not None:
            self._writer.close()
        if self._sink is not None and not self._sink.closed:
            self._sink.close()
        self._temporary.unlink(missing_ok=True)


def write_frame(frame: pd.DataFrame, path: Path, *, file_format: str | None = None) -> None:
    """Write one frame atomically."""
    with TableWriter(path, file_format=file_format) as writer:
        writer.write(frame)
