"""``divert score --engine spark``: score a dataset on Spark with the registered model.

The same three passes as the pandas scorer (``serve.scoring``), distributed:

1. Number the rows in file order, send all rows of a shipment id to one partition (sorted by
   line, so the validator finds duplicate ids exactly as in one pass over the file), validate
   each partition and absorb its valid rows into a partial ``HistoryState``; collect the
   partial states (aggregates, far smaller than the rows) and merge them into the model's
   state on the driver.
2. Broadcast the model with the merged state; each partition computes its rows' features and
   scores. Features read only events dated before each shipment's day from a state that knows
   the whole dataset, so every row gets the pandas scorer's answer whatever the partitioning.
3. Rank globally (score descending, then line, as the pandas scorer's stable sort) and write
   the rows in file order.

Outputs are Spark folders of part files (CSV, gzip CSV or Parquet); they are written only
after ``read = scored + rejected`` has been checked, and a complete one holds ``_SUCCESS``.
See ``docs/spark.md``.
"""

from __future__ import annotations

import pickle
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pyarrow as pa
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import (
    BinaryType,
    BooleanType,
    DoubleType,
    LongType,
    StringType,
    StructField,
    StructType,
)

from features.column_map import ColumnMap
from features.extras import ExtraColumns
from features.state import merge_states
from models.alert_threshold import AlertThreshold
from models.bundle import ModelBundle
from models.reasons import SEPARATOR
from models.tracking import ModelVersionInfo
from serve.scoring import (
    SCORE_COLUMNS,
    TOP_REASONS,
    ScoreRequest,
    ScoreSummary,
    is_local,
    scoring_context,
    scoring_input,
    summary_path,
    write_summary,
)
from serve.spark_input import (
    SparkSource,
    line_numbered,
    numbered,
    read_source,
    spark_path,
)
from serve.spark_partitions import (
    LINE,
    OUTCOME,
    AbsorbPartition,
    PartitionOutcome,
    ScorePartition,
    ScoringJob,
)
from serve.spark_session import quiet_pandas_warning

SHUFFLE_PARTITIONS = "spark.sql.shuffle.partitions"
PARTITIONS_PER_CORE = 2


def _shipment_id_key(header: tuple[str, ...], column_map: ColumnMap) -> Column:
    """The raw shipment id as the validator compares it (stripped), to partition by."""
    sources = [source for source, name in column_map.renames.items() if name == "shipment_id"]
    source = sources[0] if sources else "shipment_id"
    if source not in header:
        return F.lit("")
    return F.regexp_replace(F.col(f"`{source}`").cast("string"), r"(?U)^\s+|\s+$", "")


def partition_count(spark: SparkSession, requested: int | None) -> int:
    """``requested``, else ``spark.sql.shuffle.partitions`` if configured (spark-submit
    ``--conf``, spark-defaults.conf), else two per core of the cluster."""
    if requested:
        return requested
    configured = spark.sparkContext.getConf().get(SHUFFLE_PARTITIONS)
    if configured:
        return int(configured)
    return PARTITIONS_PER_CORE * spark.sparkContext.defaultParallelism


def _sorted(frame: DataFrame, partitions: int, order: list[Column]) -> DataFrame:
    """``frame`` sorted across ``partitions`` range partitions, in partition order."""
    return frame.repartitionByRange(partitions, *order).sortWithinPartitions(*order)


def _quoted(names: tuple[str, ...]) -> list[Column]:
    return [F.col(f"`{name}`") for name in names]


def _reject_schema(header: tuple[str, ...]) -> StructType:
    names = ["line", "reason", *header, "raw_text"]
    fields = [StructField(name, LongType() if name == "line" else StringType()) for name in names]
    return StructType([*fields, StructField(OUTCOME, BinaryType())])


def _scored_schema(header: tuple[str, ...]) -> StructType:
    return StructType(
        [
            StructField(LINE, LongType()),
            *(StructField(name, StringType()) for name in header),
            StructField("diversion_score", DoubleType()),
            StructField("alert", BooleanType()),
            StructField("reasons", StringType()),
        ]
    )


def _arrow(schema: StructType) -> pa.Schema:
    types = {
        LongType(): pa.int64(),
        StringType(): pa.string(),
        BinaryType(): pa.binary(),
        DoubleType(): pa.float64(),
        BooleanType(): pa.bool_(),
    }
    return pa.schema([pa.field(item.name, types[item.dataType]) for item in schema.fields])


def _map_in_arrow(frame: DataFrame, function, schema: StructType) -> DataFrame:
    with quiet_pandas_warning():
        return frame.mapInArrow(function, schema)


def _absorb(
    prepared: DataFrame,
    source: SparkSource,
    request: ScoreRequest,
    extras: ExtraColumns,
) -> DataFrame:
    """Pass 1: per partition, the rejects and then one row with its ``PartitionOutcome``."""
    schema = _reject_schema(source.layout.header)
    absorb = AbsorbPartition(source.layout, request.column_map, extras, _arrow(schema))
    return _map_in_arrow(prepared, absorb, schema)


def _outcomes(absorbed: DataFrame) -> list[PartitionOutcome]:
    """Each partition's pass-1 outcome, collected on the driver."""
    rows = absorbed.where(F.col(OUTCOME).isNotNull()).select(OUTCOME).collect()
    return [pickle.loads(row[OUTCOME]) for row in rows]


def _scored_and_alerts(scored: DataFrame) -> tuple[int, int]:
    totals = scored.agg(
        F.count(F.lit(1)).alias("rows"), F.count_if(F.col("alert")).alias("alerts")
    ).first()
    return totals["rows"], totals["alerts"]


def _top_reasons(scored: DataFrame) -> dict[str, int]:
    part = F.explode(F.split(F.col("reasons"), re.escape(SEPARATOR))).alias("part")
    codes = (
        scored.select(part)
        .where(F.col("part") != "")
        .groupBy(F.substring_index("part", ":", 1).alias("code"))
        .count()
        .orderBy(F.desc("count"), "code")
        .limit(TOP_REASONS)
        .collect()
    )
    return {row["code"]: row["count"] for row in codes}


def _write(frame: DataFrame, path: str, file_format: str) -> None:
    writer = frame.write.mode("overwrite")
    if file_format == "parquet":
        writer.parquet(spark_path(path))
        return
    options = {"header": True, "quote": '"', "escape": '"', "emptyValue": ""}
    if file_format == "csv.gz":
        options["compression"] = "gzip"
    writer.options(**options).csv(spark_path(path))


def score_on_spark(
    spark: SparkSession,
    request: ScoreRequest,
    bundle: ModelBundle,
    version: ModelVersionInfo,
    threshold: AlertThreshold,
) -> ScoreSummary:
    """Score ``request.path`` with ``bundle`` on ``spark``; see the module docstring."""
    started = time.perf_counter()
    context = scoring_context(bundle, request.watchlist, workers=1)  # Spark runs tasks in parallel
    source = read_source(spark, request.path, request.column_map)
    header = source.layout.header
    reading = scoring_input(bundle, header, request.column_map, request.path)
    request = replace(request, column_map=reading.column_map)
    scored_schema = _scored_schema(header)
    summary = ScoreSummary.start(request, version, threshold, reading.ignored)
    with _cache_scope() as cache:
        lines = cache(line_numbered(source, LINE))
        partitions = partition_count(spark, request.partitions)
        by_id = _shipment_id_key(header, request.column_map)
        prepared = cache(lines.frame.repartition(partitions, by_id).sortWithinPartitions(LINE))
        absorbed = cache(_absorb(prepared, source, request, bundle.state.extras))
        outcomes = _outcomes(absorbed)
        state = merge_states([bundle.state, *(o.state for o in outcomes if o.state is not None)])
        job = spark.sparkContext.broadcast(
            ScoringJob(replace(bundle, state=state), context, threshold.value)
        )
        score = ScorePartition(source.layout, request.column_map, job, _arrow(scored_schema))
        scored = cache(_map_in_arrow(prepared, score, scored_schema))
        summary.rows_read = sum(outcome.rows_read for outcome in outcomes)
        summary.rows_rejected = sum(outcome.rows_rejected for outcome in outcomes)
        summary.read_as_missing = dict(
            sorted(sum((Counter(o.read_as_missing) for o in outcomes), Counter()).items())
        )
        summary.rows_scored, summary.alerts = _scored_and_alerts(scored)
        summary.check_counts()
        rejects = absorbed.where(F.col(OUTCOME).isNull()).drop(OUTCOME)
        _write(rejects.coalesce(1).sortWithinPartitions("line"), request.rejects, "csv")
        ranking = [F.desc("diversion_score"), F.asc(LINE)]  # ties in file order, as in pandas
        ranked = cache(numbered(_sorted(scored, partitions, ranking), "risk_rank", 1))
        output = _sorted(ranked.frame, partitions, [F.asc(LINE)])
        output = output.select(*_quoted(header), *SCORE_COLUMNS)
        _write(output, request.out, request.file_format)
        summary.top_reasons = _top_reasons(scored)
        job.unpersist()
    summary.finish(started)
    if is_local(request.out):
        write_summary(summary_path(Path(request.out)), summary)
    return summary


@contextmanager
def _cache_scope() -> Iterator[Callable]:
    """``cache(frame)`` persists a frame (or takes a ``Numbered``'s) until the scope ends."""
    cached: list[DataFrame] = []

    def cache(item):
        if isinstance(item, DataFrame):
            item = item.persist()
            cached.append(item)
            return item
        if item.cached is not None:
            cached.append(item.cached)
        return item

    try:
        yield cache
    finally:
        for frame in cached:
            frame.unpersist()
