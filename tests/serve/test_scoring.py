"""Batch scoring: every row scored or rejected, same answer for any chunking or row order."""

import json
from dataclasses import asdict

import pandas as pd
import pytest

from features.errors import RegistryError
from serve.scoring import ScoreRequest, run_score, summary_path
from serve.settings import Settings
from tests.serve.test_cli import divert


def score(trained, monkeypatch, path, out, **options):
    monkeypatch.setenv("DIVERT_HOME", str(trained.home))
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    request = ScoreRequest(str(path), str(out), **({"chunk_rows": 1000} | options))
    return run_score(request, Settings.from_environment())


def test_every_input_column_comes_back_with_score_alert_rank_and_reasons(
    trained, monkeypatch, tmp_path
):
    out = tmp_path / "scored.csv"
    summary = score(trained, monkeypatch, trained.later, out)
    source = pd.read_csv(trained.later, dtype="str", keep_default_na=False)
    scored = pd.read_csv(out, dtype={"reasons": "str"}, keep_default_na=False)
    assert list(scored.columns) == [
        *source.columns,
        "diversion_score",
        "alert",
        "risk_rank",
        "reasons",
    ]
    assert scored["shipment_id"].tolist() == source["shipment_id"].tolist()
    assert scored["diversion_score"].between(0, 1).all()
    assert sorted(scored["risk_rank"]) == list(range(1, len(scored) + 1))
    assert scored.loc[scored["alert"], "reasons"].str.len().gt(0).all()
    assert summary.rows_read == summary.rows_scored == len(source)
    assert summary.alerts == int(scored["alert"].sum())


def test_chunk_size_does_not_change_a_single_byte(trained, monkeypatch, tmp_path):
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    score(trained, monkeypatch, trained.later, small, chunk_rows=97)
    score(trained, monkeypatch, trained.later, large, chunk_rows=100_000)
    assert small.read_bytes() == large.read_bytes()


def test_row_order_does_not_change_any_rows_result(trained, monkeypatch, tmp_path):
    source = pd.read_csv(trained.later, dtype="str", keep_default_na=False)
    shuffled_path = tmp_path / "shuffled.csv"
    source.sample(frac=1, random_state=3).to_csv(shuffled_path, index=False)
    score(trained, monkeypatch, trained.later, tmp_path / "a.csv")
    score(trained, monkeypatch, shuffled_path, tmp_path / "b.csv")
    columns = ["shipment_id", "diversion_score", "alert", "risk_rank", "reasons"]
    first = pd.read_csv(tmp_path / "a.csv", dtype="str")[columns].set_index("shipment_id")
    second = pd.read_csv(tmp_path / "b.csv", dtype="str")[columns].set_index("shipment_id")
    pd.testing.assert_frame_equal(
        second.loc[first.index].drop(columns="risk_rank"), first.drop(columns="risk_rank")
    )


def test_bad_rows_go_to_the_rejects_and_every_row_is_accounted_for(trained, monkeypatch, tmp_path):
    source = pd.read_csv(trained.later, dtype="str", keep_default_na=False).head(300)
    source.loc[5, "ship_date"] = "yesterday"
    source.loc[9, "value_usd"] = "-3"
    path = tmp_path / "messy.csv"
    source.to_csv(path, index=False)
    out = tmp_path / "scored.parquet"
    summary = score(trained, monkeypatch, path, out)
    rejects = pd.read_csv(out.with_name(out.name + ".rejects.csv"), dtype="str")
    assert rejects["line"].tolist() == ["7", "11"]
    assert summary.rows_read == 300 and summary.rows_scored == 298 and summary.rows_rejected == 2
    written = json.loads(summary_path(out).read_text())
    assert written["rows_read"] == written["rows_scored"] + written["rows_rejected"]
    assert len(pd.read_parquet(out)) == 298


def test_the_threshold_comes_from_the_command_line_when_given(trained, monkeypatch, tmp_path):
    summary = score(trained, monkeypatch, trained.later, tmp_path / "o.csv", threshold=0.0)
    assert summary.threshold == 0.0 and summary.threshold_source.startswith("command line")
    assert summary.alerts == summary.rows_scored


def test_a_wrong_model_uri_is_a_clear_error(trained, monkeypatch, tmp_path):
    with pytest.raises(RegistryError, match="no model version at 'models:/nobody@champion'"):
        score(
            trained, monkeypatch, trained.later, tmp_path / "o.csv", model="models:/nobody@champion"
        )
    assert not (tmp_path / "o.csv").exists()


def test_divert_score_on_the_command_line(trained, tmp_path):
    out = tmp_path / "scored.csv.gz"
    result = divert("score", trained.later, "--out", out, env={"DIVERT_HOME": str(trained.home)})
    assert result.returncode == 0, result.stderr
    assert "rows read" in result.stderr and "threshold" in result.stderr
    assert len(pd.read_csv(out)) > 0


def test_worker_processes_do_not_change_a_single_byte(trained, monkeypatch, tmp_path):
    source = pd.read_csv(trained.later, dtype="str", keep_default_na=False)
    source.loc[3, "hs_code"] = "not a code"
    path = tmp_path / "messy.csv"
    source.to_csv(path, index=False)
    alone, parallel = tmp_path / "alone.csv", tmp_path / "parallel.csv"
    first = score(trained, monkeypatch, path, alone, chunk_rows=97)
    second = score(trained, monkeypatch, path, parallel, chunk_rows=97, workers=2)
    assert parallel.read_bytes() == alone.read_bytes()
    rejects = [out.with_name(out.name + ".rejects.csv").read_bytes() for out in (alone, parallel)]
    assert rejects[0] == rejects[1]
    varying = ("output", "rejects", "seconds", "rows_per_second")
    assert {k: v for k, v in asdict(first).items() if k not in varying} == {
        k: v for k, v in asdict(second).items() if k not in varying
    }
