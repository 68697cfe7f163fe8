"""Every door gives the same answer: the parity suite.

The same shipments go through the five doors: ``divert score`` (pandas), ``divert score
--engine spark``, a real ``divert serve`` process (its per-record path, up to 50 records a
request, and its vectorised path, more), and the logged MLflow model (``pyfunc.load_model``
and ``spark_udf`` in small Arrow batches). History means two things (``docs/scoring.md``):
the file doors read the whole file point in time, the online doors only the model's frozen
history. On rows that share one day, where no row is history for another, the two meanings
agree and so must every door, to the last bit of every score.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import mlflow
import pandas as pd
import pytest
from mlflow.exceptions import MlflowException
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from features.column_map import ColumnMap
from features.errors import ModelInputError
from features.extras import ExtraColumns
from features.schema import LABEL_COLUMN, pandas_dtypes
from models.alert_threshold import THRESHOLD_PARAM, version_threshold
from models.reasons import SEPARATOR
from models.tracking import load_registered_bundle, open_store, resolve_model
from serve.api import json_records
from serve.batch import score_file
from serve.options import Engine
from serve.scoring import ScoreRequest
from serve.spark_scoring import score_on_spark
from serve.threshold import policy_from_options
from tests.serve.test_api import Server, _start, _stop
from tests.serve.test_spark import local_spark, read_table
from training.decision import decide_threshold
from training.run import TrainingConfig, run_training

pytestmark = pytest.mark.filterwarnings(
    "ignore:PySpark does not yet fully support pandas:FutureWarning"
)
CHAMPION = "models:/diversion-detector@champion"
ANSWER = ["shipment_id", "diversion_score", "alert", "reasons"]
ROWS = 120
PER_RECORD_REQUEST = 50
"""The HTTP service's per-record path takes requests up to this size."""
UDF_BATCH_ROWS = 7
ENTITY_KEY = "broker_id"


@contextmanager
def tracking(home: Path) -> Iterator[None]:
    """MLflow pointed at ``home``'s registry (as a configured server) for one door's call."""
    before = os.environ.get("MLFLOW_TRACKING_URI")
    os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{home / 'mlflow.db'}"
    try:
        open_store(home)
        yield
    finally:
        os.environ.pop("MLFLOW_TRACKING_URI")
        if before is not None:
            os.environ["MLFLOW_TRACKING_URI"] = before


@dataclass
class Door:
    """One registered version as every door sees it."""

    home: Path
    uri: str
    column_map: ColumnMap
    spark: SparkSession
    server: Server | None = None

    @property
    def extras(self) -> ExtraColumns:
        return self.column_map.extra_columns

    def file(self, rows: pd.DataFrame, work: Path, engine: Engine = Engine.PANDAS) -> pd.DataFrame:
        path, out = work / f"{engine}-in.csv", work / f"{engine}-out.csv"
        rejects = work / f"{engine}-rejects.csv"
        rows.to_csv(path, index=False)
        with tracking(self.home):
            version = resolve_model(open_store(self.home), self.uri)
            bundle = load_registered_bundle(version.uri)
        request = ScoreRequest(
            str(path), str(out), str(rejects), column_map=self.column_map, engine=engine
        )
        threshold = version_threshold(version, bundle.threshold)
        if engine is Engine.PANDAS:
            score_file(request, bundle, version, threshold)
        else:
            score_on_spark(self.spark, request, bundle, version, threshold)
        scored = read_table(out)
        return answers(scored.assign(alert=scored["alert"] == "true"))

    def http(self, rows: pd.DataFrame, request_size: int) -> pd.DataFrame:
        records = json_records(rows, self.extras)
        results = []
        for start in range(0, len(records), request_size):
            status, body = self.server.request(
                "POST", "/v1/score", records[start : start + request_size]
            )
            assert status == 200, body
            results += body["results"]
        served = pd.DataFrame(results)
        return answers(served.assign(reasons=served["reasons"].map(SEPARATOR.join)))

    def pyfunc(self, rows: pd.DataFrame, **params) -> pd.DataFrame:
        with tracking(self.home):
            model = mlflow.pyfunc.load_model(self.uri)
        return answers(model.predict(typed(rows, self.extras), params=params or None))

    def spark_udf(self, rows: pd.DataFrame) -> pd.DataFrame:
        with tracking(self.home):
            udf = mlflow.pyfunc.spark_udf(
                self.spark,
                self.uri,
                result_type="shipment_id string, diversion_score double, alert boolean, "
                "reasons string",
                env_manager="local",
            )
        frame = self.spark.createDataFrame(typed(rows, self.extras))
        scored = frame.select(udf(F.struct(*frame.columns)).alias("answer")).select("answer.*")
        # collected row by row: pyspark's Arrow toPandas trips over pandas 3
        return answers(pd.DataFrame([row.asDict() for row in scored.collect()]))


def answers(frame: pd.DataFrame) -> pd.DataFrame:
    """The four answer columns, in a form every door can be compared in exactly."""
    picked = frame[ANSWER].copy()
    picked["shipment_id"] = picked["shipment_id"].astype("str")
    picked["diversion_score"] = picked["diversion_score"].astype("float64")
    picked["alert"] = picked["alert"].astype("bool")
    picked["reasons"] = picked["reasons"].fillna("").astype("str")
    return picked.reset_index(drop=True)


def typed(rows: pd.DataFrame, extras: ExtraColumns) -> pd.DataFrame:
    """File rows typed as the MLflow model's signature wants them (empty = missing)."""
    dtypes = pandas_dtypes() | dict.fromkeys(extras.text, "str")
    dtypes |= dict.fromkeys(extras.numeric, "float64")
    present = rows[[name for name in rows.columns if name in dtypes]].replace("", None)
    return present.astype({name: dtypes[name] for name in present.columns})


@pytest.fixture(scope="module")
def home(trained, tmp_path_factory) -> Path:
    """A private copy of the trained registry (artifacts shared, read-only) in which the
    champion gets a threshold recorded by ``divert threshold --alert-rate 0.1``."""
    home = tmp_path_factory.mktemp("parity") / "home"
    home.mkdir()
    shutil.copy(trained.home / "mlflow.db", home / "mlflow.db")
    with tracking(home):
        store = open_store(home)
        decide_threshold(store, CHAMPION, policy_from_options({"alert_rate": 0.1}), record=True)
    return home


@pytest.fixture(scope="module")
def spark(home):
    with pytest.MonkeyPatch.context() as patch:
        # Spark's Python workers inherit this environment; in them the MLflow model reads the
        # recorded threshold from the tracking server of its process
        patch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{home / 'mlflow.db'}")
        session = local_spark(
            "divert parity",
            **{
                "spark.sql.shuffle.partitions": "3",
                "spark.sql.execution.arrow.maxRecordsPerBatch": str(UDF_BATCH_ROWS),
            },
        )
    yield session
    session.stop()


@pytest.fixture(scope="module")
def door(home, spark):
    """The champion with its recorded threshold, behind every door."""
    server = _start(home, None)
    try:
        yield Door(home, CHAMPION, ColumnMap(), spark, server)
    finally:
        assert "Traceback" not in _stop(server)


@pytest.fixture(scope="module")
def later(trained) -> pd.DataFrame:
    return pd.read_csv(trained.later, dtype="str", keep_default_na=False).head(ROWS)


@pytest.fixture(scope="module")
def one_day(later) -> pd.DataFrame:
    """Later rows moved to one day: none of them is history for another."""
    return later.assign(ship_date=later["ship_date"].iloc[0])


def test_every_door_gives_every_row_the_same_answer(door, one_day, tmp_path):
    expected = door.file(one_day, tmp_path)
    assert expected["alert"].any() and expected["reasons"].str.contains(r"\|").any()
    doors = {
        "spark engine": door.file(one_day, tmp_path, engine=Engine.SPARK),
        "HTTP per-record path": door.http(one_day, PER_RECORD_REQUEST),
        "HTTP vectorised path": door.http(one_day, ROWS),
        "MLflow pyfunc": door.pyfunc(one_day),
        "MLflow spark_udf": door.spark_udf(one_day),
    }
    for name, answer in doors.items():
        pd.testing.assert_frame_equal(answer, expected, check_exact=True, obj=name)


def test_every_door_alerts_at_the_recorded_threshold(door, one_day, tmp_path):
    with tracking(door.home):
        version = resolve_model(open_store(door.home), CHAMPION)
    recorded = float(version.tags["alert_threshold"])
    assert recorded != load_registered_bundle(version.uri).threshold
    for name, answer in {
        "file": door.file(one_day, tmp_path),
        "HTTP": door.http(one_day, ROWS),
        "MLflow pyfunc": door.pyfunc(one_day),
    }.items():
        alerts = answer["diversion_score"] >= recorded
        assert answer["alert"].tolist() == alerts.tolist(), name


def test_the_threshold_param_overrides_the_recorded_threshold(door, one_day):
    answer = door.pyfunc(one_day, **{THRESHOLD_PARAM: 0.0})
    assert answer["alert"].all()


def test_labels_in_the_input_change_no_answer_at_any_door(door, one_day, tmp_path):
    labelled = one_day.assign(**{LABEL_COLUMN: "1"})
    with_labels = door.file(labelled, tmp_path)
    summary = json.loads((tmp_path / "pandas-out.csv.summary.json").read_text())
    assert summary["ignored_columns"] == [LABEL_COLUMN, "outcome_date"]
    pd.testing.assert_frame_equal(with_labels, door.file(one_day, tmp_path))
    pd.testing.assert_frame_equal(door.http(labelled, ROWS), door.http(one_day, ROWS))
    pd.testing.assert_frame_equal(door.pyfunc(labelled), door.pyfunc(one_day))


def test_online_doors_answer_a_row_the_same_whatever_its_batch(door, later):
    """Rows of many days: the online doors agree with each other and with a row scored alone."""
    alone = pd.concat([door.pyfunc(later.iloc[[row]]) for row in range(0, ROWS, 10)])
    whole = door.pyfunc(later)
    pd.testing.assert_frame_equal(
        whole.iloc[::10].reset_index(drop=True), alone.reset_index(drop=True)
    )
    for name, answer in {
        "HTTP per-record path": door.http(later, PER_RECORD_REQUEST),
        "HTTP vectorised path": door.http(later, ROWS),
        "MLflow spark_udf": door.spark_udf(later),
    }.items():
        pd.testing.assert_frame_equal(answer, whole, check_exact=True, obj=name)


def test_file_doors_agree_on_rows_of_many_days(door, later, tmp_path):
    pd.testing.assert_frame_equal(
        door.file(later, tmp_path, engine=Engine.SPARK),
        door.file(later, tmp_path),
        check_exact=True,
    )


def test_rejected_rows_are_rejected_alike_and_the_rest_scored_alike(door, one_day, tmp_path):
    broken = one_day.copy()
    broken.loc[[3, 40], "hs_code"] = "not a code"
    broken.loc[7, "ship_date"] = "2024-13-45"
    scored = door.file(broken, tmp_path)
    rejects = pd.read_csv(tmp_path / "pandas-rejects.csv", dtype="str")
    answer = door.pyfunc(broken)
    refused = answer["reasons"].str.startswith("REJECTED: ")
    assert answer.loc[refused, "shipment_id"].tolist() == rejects["shipment_id"].tolist()
    pd.testing.assert_frame_equal(answer[~refused].reset_index(drop=True), scored)


def test_a_batch_with_every_row_rejected_gets_its_reasons_from_the_mlflow_model(door, one_day):
    answer = door.pyfunc(one_day.head(3).assign(hs_code="unknown"))
    assert answer["reasons"].str.startswith("REJECTED: hs_code: not an HS code").all()
    assert answer["diversion_score"].isna().all() and not answer["alert"].any()


@pytest.fixture(scope="module")
def keyed(trained, spark, tmp_path_factory):
    """A model trained with an entity key, ``broker_id``, from the column map."""
    folder = tmp_path_factory.mktemp("keyed")
    history = pd.read_csv(trained.history, dtype="str", keep_default_na=False)
    history[ENTITY_KEY] = "B-" + history["freight_forwarder"].str.len().astype("str")
    history.to_csv(folder / "history.csv", index=False)
    config = TrainingConfig(
        data=folder / "history.csv",
        column_map=ColumnMap(entity_keys=(ENTITY_KEY,)),
        watchlist=trained.watchlist,
        model_name="keyed",
        promote=True,
        force_promote=True,  # small data need not beat the rules (see conftest)
        seed=3,
    )
    home = folder / "home"
    run_training(config, open_store(home))
    server = _start(home, None, model="models:/keyed@champion")
    try:
        yield Door(home, "models:/keyed@champion", config.column_map, spark, server)
    finally:
        assert "Traceback" not in _stop(server)


def test_a_model_with_an_entity_key_scores_alike_at_every_door(keyed, one_day, tmp_path):
    rows = one_day.assign(**{ENTITY_KEY: "B-3"})
    expected = keyed.file(rows, tmp_path)
    for name, answer in {
        "spark engine": keyed.file(rows, tmp_path, engine=Engine.SPARK),
        "HTTP per-record path": keyed.http(rows, PER_RECORD_REQUEST),
        "HTTP vectorised path": keyed.http(rows, ROWS),
        "MLflow pyfunc": keyed.pyfunc(rows),
    }.items():
        pd.testing.assert_frame_equal(answer, expected, check_exact=True, obj=name)


def test_a_missing_entity_key_is_a_clear_error_at_every_door(keyed, one_day, tmp_path):
    without_map = Door(keyed.home, keyed.uri, ColumnMap(), keyed.spark, keyed.server)
    for engine in Engine:
        with pytest.raises(ModelInputError, match=r"lacks column\(s\) \['broker_id'\]"):
            without_map.file(one_day, tmp_path, engine=engine)
    status, body = keyed.server.request("POST", "/v1/score", json_records(one_day.head(2)))
    assert status == 422
    assert {tuple(problem["loc"][2:]) for problem in body["detail"]} == {(ENTITY_KEY,)}
    with pytest.raises(MlflowException, match="broker_id"):
        without_map.pyfunc(one_day)
