"""The threshold-tuning notebook: committed without outputs, and it runs headless (papermill)
against the session's trained model, recording a threshold that the next score uses."""

from pathlib import Path

import nbformat
import pandas as pd
import papermill
import pytest
from ipykernel.kernelspec import write_kernel_spec

from models.alert_threshold import THRESHOLD_TAG
from models.tracking import resolve_model
from serve.scoring import ScoreRequest, run_score
from serve.settings import Settings

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "threshold_tuning.ipynb"
KERNEL = "divert-test-python"
CHAMPION_URI = "models:/diversion-detector@champion"
FIGURES = 5


def test_the_notebook_is_committed_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
    assert "parameters" in code[0].metadata.get("tags", [])


@pytest.fixture
def kernel_name(tmp_path, monkeypatch) -> str:
    """A kernelspec that starts this test's own Python, first on the Jupyter path, so no kernel
    installed elsewhere on the machine (or missing there) is used instead."""
    jupyter = tmp_path / "jupyter"
    write_kernel_spec(jupyter / "kernels" / KERNEL)
    monkeypatch.setenv("JUPYTER_PATH", str(jupyter))
    return KERNEL


def test_the_notebook_records_a_threshold_that_scoring_then_uses(
    trained, store_copy, kernel_name, tmp_path, monkeypatch
):
    home = Path(store_copy.uri.removeprefix("sqlite:///")).parent
    executed = papermill.execute_notebook(
        NOTEBOOK,
        tmp_path / "executed.ipynb",
        parameters={
            "divert_home": str(home),
            "policy": "min_recall",
            "policy_value": 0.6,
            "record": True,
        },
        kernel_name=kernel_name,
        progress_bar=False,
        cwd=tmp_path,
    )
    figures = [
        output
        for cell in executed.cells
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    ]
    assert len(figures) == FIGURES

    tags = resolve_model(store_copy, CHAMPION_URI).tags
    assert tags["alert_threshold_policy"] == "min_recall"
    assert float(tags["alert_threshold_policy_value"]) == 0.6
    threshold = float(tags[THRESHOLD_TAG])

    monkeypatch.setenv("DIVERT_HOME", str(home))
    out = tmp_path / "scored.csv"
    summary = run_score(ScoreRequest(str(trained.later), str(out)), Settings.from_environment())
    assert summary.threshold == threshold
    assert summary.threshold_source.startswith("registry tag 'alert_threshold'")
    scored = pd.read_csv(out)
    assert summary.alerts == int((scored["diversion_score"] >= threshold).sum())
