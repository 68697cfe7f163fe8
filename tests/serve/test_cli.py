"""The command line as a user meets it: a real process, its exit code and its words."""

import os
import subprocess
import sys

import pandas as pd
import pytest

from models.tracking import CHAMPION, DEFAULT_MODEL_NAME
from serve.options import DEFAULT_MODEL_URI
from tests.factories import shipments, write_csv


def divert(*args: str, cwd=None, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "serve", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=None if env is None else {**os.environ, **env},
        timeout=900,
        check=False,
    )


def test_validate_exits_0_on_a_usable_file_and_lists_rejected_rows(tmp_path):
    rows = shipments(4)
    rows[2]["value_usd"] = "-1"
    path = write_csv(tmp_path / "in.csv", rows)
    result = divert("validate", path, "--rejects", tmp_path / "rejects.csv")
    assert result.returncode == 0, result.stderr
    assert "rejected                  1" in result.stdout
    assert "value_usd: must not be negative: 1 row(s), e.g. line 4: '-1'" in result.stdout
    assert (tmp_path / "rejects.csv").exists()


def test_validate_exits_1_and_names_a_missing_required_column(tmp_path):
    rows = [{k: v for k, v in row.items() if k != "hs_code"} for row in shipments(2)]
    result = divert("validate", write_csv(tmp_path / "in.csv", rows))
    assert result.returncode == 1
    assert "column 'hs_code': required column missing" in result.stderr
    assert "Traceback" not in result.stderr


def test_validate_exits_1_when_no_row_is_usable(tmp_path):
    path = write_csv(tmp_path / "in.csv", shipments(2, hs_code="none"))
    result = divert("validate", path)
    assert result.returncode == 1
    assert "verdict: unusable" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("validate",),
        ("frobnicate",),
        ("simulate", "--rows", "0", "--out", "x.csv"),
        ("simulate", "--out", "x.csv", "--start", "1 May 2022"),
    ],
    ids=["missing argument", "unknown command", "rows below 1", "date not ISO"],
)
def test_usage_errors_exit_2(tmp_path, args):
    result = divert(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_a_bad_column_map_is_one_message_and_exit_1(tmp_path):
    path = write_csv(tmp_path / "in.csv", shipments(2))
    (tmp_path / "map.toml").write_text("[columns]\nconsignee = 'Buyer'\n")
    result = divert("validate", path, "--column-map", tmp_path / "map.toml")
    assert result.returncode == 1
    assert result.stderr.startswith("error: ")
    assert "'consignee', which is not a canonical column" in result.stderr


def test_features_writes_one_row_per_valid_shipment_through_a_column_map(tmp_path):
    rows = [
        {("Buyer" if k == "consignee_name" else k): v for k, v in row.items()}
        | {"broker": f"B{i % 2}"}
        for i, row in enumerate(shipments(5))
    ]
    rows[4]["hs_code"] = "bad"
    path = write_csv(tmp_path / "in.csv", rows)
    (tmp_path / "map.toml").write_text(
        '[columns]\nconsignee_name = "Buyer"\n[extras]\nentity_keys = ["broker"]\n'
    )
    out = tmp_path / "features.parquet"
    result = divert("features", path, "--out", out, "--column-map", tmp_path / "map.toml")
    assert result.returncode == 0, result.stderr
    frame = pd.read_parquet(out)
    assert frame["shipment_id"].tolist() == ["S-0000", "S-0001", "S-0002", "S-0003"]
    assert frame["line"].tolist() == [2, 3, 4, 5]
    assert "broker_prior_shipments_365d" in frame.columns
    assert "rejected                  1" in result.stdout


def test_simulate_then_validate_accepts_every_row(tmp_path):
    out = tmp_path / "s.csv"
    result = divert(
        "simulate", "--rows", 3000, "--seed", 7, "--out", out, "--watchlist-out", tmp_path / "w.csv"
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "s.truth.csv").exists() and (tmp_path / "w.csv").exists()
    validated = divert("validate", out)
    assert validated.returncode == 0, validated.stderr
    assert "rejected                  0" in validated.stdout


def test_simulate_takes_the_world_and_the_outcome_delay(tmp_path):
    out = tmp_path / "s.csv"
    options = ["--world", "shifted", "--outcome-delay-days", 10, "--observer", "EU"]
    result = divert("simulate", "--rows", 3000, "--seed", 7, "--out", out, *options)
    assert result.returncode == 0, result.stderr
    shipments = pd.read_csv(out, parse_dates=["ship_date", "outcome_date"])
    assert (shipments["outcome_date"] - shipments["ship_date"]).dt.days.median() <= 20
    assert not shipments["exporter_country"].isin(["US", "GB", "JP"]).any()
    refused = divert("simulate", "--out", tmp_path / "t.csv", "--world", "utopia")
    assert refused.returncode == 1 and "world must be one of" in refused.stderr


def test_simulate_refuses_an_end_before_the_start(tmp_path):
    result = divert(
        "simulate", "--out", tmp_path / "s.csv", "--start", "2024-01-01", "--end", "2023-01-01"
    )
    assert result.returncode == 1
    assert "end must not be before start" in result.stderr
    assert not (tmp_path / "s.csv").exists()


def test_demo_runs_on_the_embedded_default(tmp_path):
    result = divert("demo", cwd=tmp_path, env={"DIVERT_HOME": str(tmp_path / "home")})
    assert result.returncode == 0, result.stderr
    demo = tmp_path / "home" / "demo"
    assert (demo / "later_scored.csv").exists() and (tmp_path / "home" / "mlflow.db").exists()
    assert "is the first champion" in result.stdout
    assert "top 10 shipments by risk" in result.stdout
    assert "mlflow ui --backend-store-uri sqlite:///" in result.stdout


def test_features_of_a_simulated_file_with_its_watchlist(tmp_path):
    data, watchlist = tmp_path / "s.csv", tmp_path / "w.csv"
    simulated = divert(
        "simulate", "--rows", 4000, "--seed", 3, "--out", data, "--watchlist-out", watchlist
    )
    assert simulated.returncode == 0, simulated.stderr
    out = tmp_path / "f.csv.gz"
    result = divert("features", data, "--out", out, "--watchlist", watchlist)
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(out)
    assert len(frame) == 4000
    assert frame["screen_consignee_name_score"].notna().all()
    assert frame["consignee_prior_shipments"].max() > 0


def test_the_default_model_uri_names_the_default_model_s_champion():
    assert f"models:/{DEFAULT_MODEL_NAME}@{CHAMPION}" == DEFAULT_MODEL_URI
