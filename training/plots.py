"""The PNG plots each run logs: PR curves, calibration, threshold curves, feature importance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from sklearn.calibration import calibration_curve
from sklearn.metrics import precision_recall_curve

CALIBRATION_BINS = 10
TOP_FEATURES = 20


def _save(figure: Figure, path: Path) -> Path:
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    return path


def pr_curves(labels: np.ndarray, model: np.ndarray, rules: np.ndarray, path: Path) -> Path:
    figure = Figure(figsize=(6, 4.5))
    axes = figure.subplots()
    for name, scores in (("model", model), ("red-flag rules", rules)):
        precision, recall, _ = precision_recall_curve(labels, scores)
        axes.plot(recall, precision, label=name)
    axes.set(xlabel="recall", ylabel="precision", title="Holdout precision-recall", ylim=(0, 1.02))
    axes.legend()
    return _save(figure, path)


def calibration(labels: np.ndarray, scores: np.ndarray, path: Path) -> Path:
    observed, predicted = calibration_curve(
        labels, scores, n_bins=CALIBRATION_BINS, strategy="quantile"
    )
    figure = Figure(figsize=(5, 5))
    axes = figure.subplots()
    axes.plot([0, 1], [0, 1], linestyle=":", color="grey", label="perfect")
    axes.plot(predicted, observed, marker="o", label="model")
    axes.set(xlabel="mean score", ylabel="share diverted", title="Holdout calibration")
    axes.legend()
    return _save(figure, path)


def threshold_curves(labels: np.ndarray, scores: np.ndarray, path: Path) -> Path:
    precision, recall, thresholds = precision_recall_curve(labels, scores)
    alert_rate = np.array([(scores >= t).mean() for t in thresholds])
    figure = Figure(figsize=(6, 4.5))
    axes = figure.subplots()
    axes.plot(thresholds, precision[:-1], label="precision")
    axes.plot(thresholds, recall[:-1], label="recall")
    axes.plot(thresholds, alert_rate, label="alert rate")
    axes.set(xlabel="threshold", ylabel="share", title="Precision, recall and alert rate")
    axes.legend()
    return _save(figure, path)


def feature_importance(importance: pd.Series, path: Path) -> Path:
    top = importance.sort_values().tail(TOP_FEATURES)
    figure = Figure(figsize=(7, 6))
    axes = figure.subplots()
    axes.barh(top.index, top.to_numpy())
    axes.set(xlabel="drop in holdout PR-AUC when shuffled", title="Permutation importance")
    return _save(figure, path)
