"""The Spark engine gives every row the pandas scorer's answer, whatever the partitioning.

One local[2] Spark session serves the module (about 12 s to start); each test scores a file
with both engines and compares them row by row.
"""

import json
import subprocess
import sys

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyspark.sql import SparkSession
from typer.testing import CliRunner

from features.errors import OutputPathError
from models.alert_threshold import version_threshold
from models.tracking import load_registered_bundle, open_store, resolve_model
from serve.batch import score_file
from serve.cli import app
from serve.options import DEFAULT_MODEL_URI, Engine
from serve.scoring import ScoreRequest, check_outputs, summary_path
from serve.spark_scoring import score_on_spark

# pyspark warns that pandas 3 is not fully supported when a session starts; the scorer
# exchanges Arrow batches and never uses pyspark's pandas conversions.
pytestmark = pytest.mark.filterwarnings(
    "ignore:PySpark does not yet fully support pandas:FutureWarning"
)


def local_spark(name: str, **config: str) -> SparkSession:
    """A local[2] session for tests whose Python workers run this interpreter (which has the
    package installed) and inherit this process's environment as it is now."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYSPARK_PYTHON", sys.executable)
        builder = (
            SparkSession.builder.master("local[2]")
            .appName(name)
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
        )
        for key, value in config.items():
            builder = builder.config(key, value)
        return builder.getOrCreate()


@pytest.fixture(scope="module")
def spark():
    session = local_spark("divert tests", **{"spark.sql.shuffle.partitions": "4"})
    yield session
    session.stop()


@pytest.fixture(scope="module")
def model(trained):
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("MLFLOW_TRACKING_URI", raising=False)
        version = resolve_model(open_store(trained.home), DEFAULT_MODEL_URI)
        return load_registered_bundle(version.uri), version


def score_with_pandas(path, out, model):
    bundle, version = model
    rejects = out.with_name(out.name + ".rejects.csv")
    request = ScoreRequest(path=str(path), out=str(out), rejects=str(rejects))
    score_file(request, bundle, version, version_threshold(version, bundle.threshold))
    return out, rejects


def score_with_spark(spark, path, out, model, **options):
    bundle, version = model
    rejects = out.with_name(out.name + ".rejects.csv")
    request = ScoreRequest(
        path=str(path), out=str(out), rejects=str(rejects), engine=Engine.SPARK, **options
    )
    threshold = version_threshold(version, bundle.threshold)
    return score_on_spark(spark, request, bundle, version, threshold), rejects


def read_table(path) -> pd.DataFrame:
    """A CSV or Parquet output (a file, or Spark's folder of part files in order) as text,
    except the score, which is compared exactly as a float."""
    parts = sorted(path.glob("part-*")) if path.is_dir() else [path]
    frames = [
        pd.read_parquet(part).astype("str")
        if ".parquet" in part.name
        else pd.read_csv(part, dtype="str", keep_default_na=False)
        for part in parts
    ]
    frame = pd.concat(frames, ignore_index=True)
    if "alert" in frame:
        frame["alert"] = frame["alert"].str.lower()
    if "diversion_score" in frame:
        frame["diversion_score"] = frame["diversion_score"].astype("float64")
    return frame


def assert_same_results(spark_out, pandas_out):
    """Same rows in the same (file) order, same source values, and exactly the same score,
    alert, risk_rank and reasons per shipment_id."""
    expected = read_table(pandas_out).set_index("shipment_id")
    actual = read_table(spark_out).set_index("shipment_id")
    assert expected.index.is_unique
    pd.testing.assert_frame_equal(actual, expected, check_exact=True)


def test_spark_scores_a_csv_file_exactly_as_the_pandas_scorer(
    spark, model, trained, tmp_path, monkeypatch
):
    monkeypatch.setenv("DIVERT_HOME", str(trained.home))
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    pandas_out, pandas_rejects = score_with_pandas(trained.later, tmp_path / "pandas.csv", model)
    spark_out = tmp_path / "spark.csv"
    result = CliRunner().invoke(
        app, ["score", str(trained.later), "--out", str(spark_out), "--engine", "spark"]
    )
    assert result.exit_code == 0, result.output
    rows = len(pd.read_csv(trained.later))
    assert f"rows read {rows:,} = scored {rows:,} + rejected 0" in result.stderr
    assert (spark_out / "_SUCCESS").exists()
    assert_same_results(spark_out, pandas_out)
    rejects = read_table(tmp_path / "spark.csv.rejects.csv")
    pd.testing.assert_frame_equal(rejects, read_table(pandas_rejects))
    expected = json.loads(summary_path(pandas_out).read_text())
    summary = json.loads(summary_path(spark_out).read_text())
    for count in ("rows_read", "rows_scored", "rows_rejected", "alerts", "threshold"):
        assert summary[count] == expected[count], count


def write_messy_copy(source, path):
    """``source`` with rows the validator rejects (bad date, bad value, a repeated id, a
    record with too few fields, bytes that are not UTF-8) and a quoted two-line field."""
    frame = pd.read_csv(source, dtype="str", keep_default_na=False)
    frame.loc[5, "ship_date"] = "yesterday"
    frame.loc[9, "value_usd"] = "-3"
    frame.loc[700, "shipment_id"] = frame.loc[3, "shipment_id"]
    frame.loc[20, "goods_description"] = 'Two-line\ndescription, "quoted"'
    frame.loc[30, "consignee_name"] = "  padded name  "
    records = frame.to_csv(index=False).encode().split(b"\n")
    records.insert(60, b"TOO,FEW,FIELDS")
    fields = records[90].split(b",")
    fields[4] += b"\xff"
    records[90] = b",".join(fields)
    path.write_bytes(b"\n".join(records))
    return path


def test_rejects_and_scores_of_a_messy_file_match_for_any_partitioning(
    spark, model, trained, tmp_path
):
    messy = write_messy_copy(trained.later, tmp_path / "messy.csv")
    pandas_out, pandas_rejects = score_with_pandas(messy, tmp_path / "pandas.csv", model)
    summary, spark_rejects = score_with_spark(
        spark, messy, tmp_path / "spark.csv", model, partitions=7
    )
    records = len(pd.read_csv(trained.later)) + 1  # and the inserted short record
    assert (summary.rows_read, summary.rows_rejected) == (records, 5)
    rejects = read_table(spark_rejects)
    pd.testing.assert_frame_equal(rejects, read_table(pandas_rejects))
    assert rejects["line"].tolist() == ["7", "11", "60", "90", "703"]
    assert_same_results(tmp_path / "spark.csv", pandas_out)


def test_a_parquet_file_split_across_partitions_scores_as_with_pandas(
    spark, model, trained, tmp_path
):
    frame = pd.read_csv(trained.later, dtype="str").astype({"value_usd": "float64"})
    frame["ship_date"] = pd.to_datetime(frame["ship_date"]).dt.date
    parquet = tmp_path / "later.parquet"
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), parquet, row_group_size=200)
    pandas_out, _ = score_with_pandas(parquet, tmp_path / "pandas.parquet", model)
    spark.conf.set("spark.sql.files.maxPartitionBytes", "32k")
    try:
        score_with_spark(spark, parquet, tmp_path / "spark.parquet", model, partitions=3)
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    assert_same_results(tmp_path / "spark.parquet", pandas_out)


def test_without_pyspark_the_spark_engine_says_how_to_install_it(tmp_path):
    program = (
        "import sys; sys.modules['pyspark'] = None; from serve.cli import main; "
        "sys.argv = ['divert', 'score', 'in.csv', '--out', 'out.csv', '--engine', 'spark']; "
        "main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1
    assert "pip install 'diversion-detector[spark]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_outputs_never_replace_the_input_a_file_or_a_folder_spark_did_not_write(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("shipment_id\n")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("keep me")
    (tmp_path / "earlier").mkdir()
    (tmp_path / "earlier" / "_SUCCESS").write_text("")
    refused = {
        "in.csv": "is the input",
        "notes": "is a folder that is not an earlier Spark output",
        "report.csv": "is a file; the Spark engine writes a folder",
    }
    (tmp_path / "report.csv").write_text("a,b\n")

    def check(out: str) -> None:
        check_outputs(ScoreRequest(str(source), out, engine=Engine.SPARK))

    for name, message in refused.items():
        with pytest.raises(OutputPathError, match=message):
            check(str(tmp_path / name))
    check(str(tmp_path / "earlier"))
    check("hdfs:///scored/2025-06.parquet")
