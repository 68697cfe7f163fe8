"""The plain baseline a data scientist would try first: LightGBM on a file's raw columns.

No history, no profiles, no reference data: each code column as a category (LightGBM's
native categorical splits) or as its label-encoded integer, each number as it is, fitted on
the labelled rows before the cutoff. Needs the ``compare`` extra (``pip install
'.[compare]'``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score

from training.evaluation import alerted

BASELINE_BUDGETS = (0.01, 0.05, 0.10)
TREES = 400
LEARNING_RATE = 0.05


@dataclass(frozen=True)
class RawColumns:
    """Which raw columns of a file the baseline reads, and how."""

    categorical: tuple[str, ...]
    numeric: tuple[str, ...]

    def frame(self, rows: pd.DataFrame, *, native: bool, categories: dict) -> pd.DataFrame:
        """The model input: codes as categories with the training rows' levels (``native``)
        or as their integer codes, numbers as floats."""
        columns = {}
        for name in self.categorical:
            values = pd.Categorical(rows[name].replace("", np.nan), categories=categories[name])
            columns[name] = values if native else values.codes.astype("float64")
        for name in self.numeric:
            columns[name] = pd.to_numeric(rows[name].replace("", np.nan), errors="coerce")
        return pd.DataFrame(columns, index=rows.index)


def lightgbm_scores(
    raw: RawColumns,
    train: pd.DataFrame,
    labels: np.ndarray,
    test: pd.DataFrame,
    *,
    native: bool,
    seed: int,
) -> np.ndarray:
    """Fit on ``train`` (raw text columns) and ``labels``; scores of ``test``."""
    from lightgbm import LGBMClassifier

    categories = {
        name: pd.Index(train[name].replace("", np.nan).dropna().unique()).sort_values()
        for name in raw.categorical
    }
    model = LGBMClassifier(
        n_estimators=TREES,
        learning_rate=LEARNING_RATE,
        random_state=seed,
        deterministic=True,
        force_row_wise=True,
        n_jobs=2,
        verbose=-1,
    )
    model.fit(raw.frame(train, native=native, categories=categories), labels)
    return model.predict_proba(raw.frame(test, native=native, categories=categories))[:, 1]


def budget_row(name: str, scores: np.ndarray, labels: np.ndarray) -> dict[str, float | str]:
    """Precision at each baseline budget and PR-AUC of one scorer on the holdout."""
    row: dict[str, float | str] = {"scorer": name}
    for budget in BASELINE_BUDGETS:
        row[f"precision@{budget:.0%}"] = float(labels[alerted(scores, budget)].mean())
    row["PR-AUC"] = float(average_precision_score(labels, scores))
    return row


def markdown(rows: list[dict]) -> str:
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = [row[header[0]]] + [f"{row[name]:.3f}" for name in header[1:]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
