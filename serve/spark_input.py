"""Reading a shipment dataset with Spark: every source column, each row with its line number.

A path without a URI scheme is a file on the driver (checked and sniffed there exactly as the
pandas scorer does); a URI (``hdfs://``, ``s3a://``, ``file://``...) or a folder is a dataset
that only Spark reads. CSV is read with Spark's multi-line parser (a quoted field spanning
several lines is one record, as in ``features.readers``), every value as a string, records
with the wrong number of fields kept in place for the rejects. Parquet keeps its types until
the partitions cast them to strings as ``features.readers`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

from pyspark import StorageLevel
from pyspark.errors import AnalysisException
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

from features.column_map import ColumnMap
from features.errors import ShipmentFileError
from features.readers import DELIMITER_CANDIDATES, file_format, read_header
from serve.scoring import is_local
from serve.spark_partitions import CORRUPT, SourceLayout

PARQUET_SUFFIXES = (".parquet", ".pq")
FIRST_CSV_LINE = 2
"""The header is line 1."""
FIRST_PARQUET_ROW = 1
PARTITION_BITS = 33
"""``monotonically_increasing_id`` keeps the row's number within its partition in the lower
33 bits and the partition in the upper ones."""
ROW_ID = "__divert_row_id"
BYTE_ORDER_MARK = "\ufeff"


@dataclass(frozen=True)
class SparkSource:
    """A dataset as Spark reads it, and how its rows arrive in the partitions."""

    frame: DataFrame
    layout: SourceLayout
    first_line: int
    single_partition: bool = False
    """True for one CSV file: Spark's multi-line CSV parser never splits a file."""


def spark_path(path: str) -> str:
    """The location Spark should use: a driver path as an absolute ``file://`` URI (so that
    it never resolves against a cluster's default file system), a URI as it is."""
    return Path(path).resolve().as_uri() if is_local(path) else path


def _sniffed_delimiter(path: Path, encoding: str) -> str:
    """The candidate that splits the header into the most fields (as ``features.readers``)."""
    fields = {
        d: len(read_header(path, delimiter=d, encoding=encoding)) for d in DELIMITER_CANDIDATES
    }
    return max(DELIMITER_CANDIDATES, key=fields.__getitem__)


def _is_parquet_dataset(path: str) -> bool:
    return PurePosixPath(urlparse(path).path.rstrip("/")).suffix.lower() in PARQUET_SUFFIXES


def _sniff(path: str, column_map: ColumnMap) -> tuple[list[str] | None, bool, str | None]:
    """``(header, is_parquet, delimiter)``: a file on the driver is checked and sniffed as the
    pandas reader does; for a folder or URI the header is left to Spark (None)."""
    local = Path(path)
    if not is_local(path) or local.is_dir():
        return None, _is_parquet_dataset(path), column_map.delimiter or ","
    encoding = column_map.encoding
    header = read_header(local, delimiter=column_map.delimiter, encoding=encoding)
    kind = file_format(local)
    if kind == "parquet":
        return header, True, None
    if kind == "csv.gz" and not local.name.lower().endswith(".gz"):
        raise ShipmentFileError(
            f"{path}: gzip-compressed, but Spark only decompresses files named *.gz; "
            "rename it to end in .gz"
        )
    return header, False, column_map.delimiter or _sniffed_delimiter(local, encoding)


def read_source(spark: SparkSession, path: str, column_map: ColumnMap) -> SparkSource:
    """The dataset at ``path`` (``ShipmentFileError`` when it cannot be read)."""
    header, parquet, delimiter = _sniff(path, column_map)
    location, encoding = spark_path(path), column_map.encoding
    try:
        if parquet:
            frame = spark.read.parquet(location)
            layout = SourceLayout(tuple(header or frame.columns))
            return SparkSource(frame, layout, FIRST_PARQUET_ROW)
        header = header or _csv_header(spark, location, delimiter, encoding)
        frame = _read_csv(spark, location, header, delimiter, encoding)
    except AnalysisException as error:
        raise ShipmentFileError(f"{path}: Spark cannot read it: {error.getMessage()}") from error
    utf8 = encoding.lower().replace("-", "").replace("_", "") == "utf8"
    layout = SourceLayout(tuple(header), delimiter, flag_undecodable=utf8)
    single_file = is_local(path) and not Path(path).is_dir()
    return SparkSource(frame, layout, FIRST_CSV_LINE, single_partition=single_file)


def _read_csv(
    spark: SparkSession, location: str, header: list[str], delimiter: str, encoding: str
) -> DataFrame:
    """Every column as a string; a record whose number of fields differs from the header's
    keeps its place, with its raw text in ``CORRUPT``."""
    schema = StructType([StructField(name, StringType()) for name in [*header, CORRUPT]])
    options = {
        "header": True,
        "multiLine": True,
        "mode": "PERMISSIVE",
        "columnNameOfCorruptRecord": CORRUPT,
        "sep": delimiter,
        "quote": '"',
        "escape": '"',
        "encoding": encoding,
    }
    return spark.read.schema(schema).options(**options).csv(location)


def _csv_header(spark: SparkSession, location: str, delimiter: str, encoding: str) -> list[str]:
    names = spark.read.options(header=True, sep=delimiter, encoding=encoding).csv(location).columns
    return [name.removeprefix(BYTE_ORDER_MARK).strip() for name in names]


@dataclass(frozen=True)
class Numbered:
    """A frame with a number column, its row count, and the persisted frame behind it (to
    ``unpersist`` when done)."""

    frame: DataFrame
    rows: int | None
    cached: DataFrame | None


def numbered(frame: DataFrame, column: str, first: int) -> Numbered:
    """``frame`` with consecutive numbers from ``first`` in its current order (the file's order
    for a fresh read, the sort order after ``orderBy``).

    Distributed: one small job counts the rows of each partition, and each row's number is its
    partition's offset plus its position within the partition. The frame is persisted first,
    so that the numbers and the counts come from one evaluation.
    """
    with_ids = frame.withColumn(ROW_ID, F.monotonically_increasing_id()).persist(
        StorageLevel.MEMORY_AND_DISK
    )
    partition = F.shiftright(F.col(ROW_ID), PARTITION_BITS)
    counts = with_ids.groupBy(partition.alias("partition")).count().collect()
    if not counts:
        empty = with_ids.withColumn(column, F.lit(None).cast("long")).drop(ROW_ID)
        return Numbered(empty, 0, with_ids)
    offsets, offset = [], first
    for row in sorted(counts, key=lambda row: row["partition"]):
        offsets += [F.lit(row["partition"]).cast("long"), F.lit(offset).cast("long")]
        offset += row["count"]
    position = F.col(ROW_ID).bitwiseAND((1 << PARTITION_BITS) - 1)
    number: Column = F.element_at(F.create_map(*offsets), partition) + position
    return Numbered(with_ids.withColumn(column, number).drop(ROW_ID), offset - first, with_ids)


def line_numbered(source: SparkSource, column: str) -> Numbered:
    """The source rows with their line numbers. A single partition needs no counting job:
    there a row's id is its position."""
    if source.single_partition:
        line = F.monotonically_increasing_id() + F.lit(source.first_line).cast("long")
        return Numbered(source.frame.withColumn(column, line), None, None)
    return numbered(source.frame, column, source.first_line)
