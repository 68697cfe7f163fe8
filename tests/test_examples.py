"""The worked examples run end to end as their READMEs say."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

from features.column_map import load_column_map
from models.tracking import CHAMPION, load_registered_bundle, open_store
from serve.scoring import ScoreRequest, run_score
from serve.settings import Settings
from training.run import TrainingConfig, run_training

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "customs_declarations"
SCRIPT = EXAMPLE / "make_declarations.py"


def convert(trained, out: Path, *extra: str) -> subprocess.CompletedProcess:
    command = [sys.executable, str(SCRIPT), str(trained.history), str(trained.truth)]
    return subprocess.run(
        [*command, "--out", str(out), *extra], capture_output=True, text=True, check=False
    )


def test_the_declaration_example_trains_and_scores_as_its_readme_says(
    trained, tmp_path, monkeypatch
):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.setenv("DIVERT_HOME", str(tmp_path / "home"))
    earlier, later = tmp_path / "declarations.csv", tmp_path / "later.csv"
    done = convert(trained, earlier, "--later-from", "2024-12-01", "--later-out", str(later))
    assert done.returncode == 0, done.stderr
    layout = pd.read_csv(earlier, dtype="str", keep_default_na=False)
    assert "consignee_name" not in layout and "Importer ID" in layout
    assert layout["Fraud"].isin(["0", "1"]).all(), "every row labelled"
    column_map = load_column_map(EXAMPLE / "column_map.toml")
    config = TrainingConfig(
        data=earlier, column_map=column_map, promote=True, force_promote=True, seed=1
    )
    result = run_training(config, open_store(tmp_path / "home"))
    bundle = load_registered_bundle(f"models:/{config.model_name}@{CHAMPION}")
    assert bundle.metadata["treatment"] == "supervised"
    assert "extra_Office ID" in bundle.contract.features
    assert result.promotion.promoted
    request = ScoreRequest(str(later), str(tmp_path / "scored.csv"), column_map=column_map)
    summary = run_score(request, Settings.from_environment())
    assert summary.rows_rejected == 0
    assert summary.rows_scored == len(pd.read_csv(later))


def test_the_converter_is_deterministic_and_never_writes_over_its_input(trained, tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    assert convert(trained, first).returncode == 0
    assert convert(trained, second).returncode == 0
    assert first.read_bytes() == second.read_bytes()
    before = trained.truth.read_bytes()
    refused = convert(trained, trained.truth)
    assert refused.returncode != 0 and "one of the inputs" in refused.stderr
    assert trained.truth.read_bytes() == before
