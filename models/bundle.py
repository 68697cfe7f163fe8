"""Everything a trained model needs to score raw shipments, saved and loaded as one file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline
from threadpoolctl import ThreadpoolController

from features.build import FeatureContext, query_features
from features.reference import Reference
from features.screening import WatchlistIndex
from features.state import HistoryState
from models.contract import FeatureContract
from models.reasons import cleaned, firing_flags, reasons, record_reasons
from models.rules import Checklist, RedFlagRules, model_checklist

EXPLAIN_FROM = 0.5
"""Rows scoring at least half the alert threshold get reasons ordered by model contribution
(a per-row rule, so results do not depend on how rows are batched)."""
BUNDLE_FILE = "bundle.joblib"
PARALLEL_PREDICT_ROWS = 20_000
"""Below this many rows one OpenMP thread predicts faster: the gradient-boosting predictor
synchronises its threads once per tree, which costs more than the work on a small batch
(and much more on a busy machine)."""


@dataclass(frozen=True)
class ScoredRecord:
    """One shipment's ``diversion_score``, ``alert`` and reasons (strongest first)."""

    diversion_score: float
    alert: bool
    reasons: list[str]


@dataclass
class ModelBundle:
    """The fitted pipeline, the rules baseline, the frozen history state and watchlist index,
    the default alert threshold, and the feature contract."""

    pipeline: Pipeline
    rules: RedFlagRules
    state: HistoryState
    watchlist: WatchlistIndex | None
    contract: FeatureContract
    threshold: float
    """Alert threshold chosen at training time (the score at the budget of record)."""
    metadata: dict = field(default_factory=dict)

    @property
    def checklist(self) -> Checklist:
        """The flags this model's reasons are drawn from."""
        return model_checklist(self.contract.extras.categorical)

    def context(self, workers: int = 2) -> FeatureContext:
        return FeatureContext(Reference.load(), self.watchlist, workers=workers)

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        """Calibrated diversion probabilities for a feature frame."""
        return _probabilities(self.pipeline, features)

    def predict_in_order(self, features: pd.DataFrame) -> np.ndarray:
        """``predict`` for a frame of exactly the contract's features in order, without the
        pipeline's column-selecting step (a fifth of a small batch's model call)."""
        if tuple(features.columns) != self.contract.features:
            raise ValueError("the frame's columns are not the contract's features in order")
        return _probabilities(_after_selection(self.pipeline), features)

    def score_features(
        self, shipments: pd.DataFrame, features: pd.DataFrame, threshold: float | None = None
    ) -> pd.DataFrame:
        """``diversion_score``, ``alert`` and ``reasons`` for rows whose features are known."""
        threshold = self.threshold if threshold is None else threshold
        if features.empty:
            return pd.DataFrame(
                {
                    "diversion_score": pd.Series(dtype="float64"),
                    "alert": pd.Series(dtype="bool"),
                    "reasons": pd.Series(dtype="str"),
                },
                index=shipments.index,
            )
        scores = self.predict(features)
        alert = scores >= threshold
        explain = scores >= threshold * EXPLAIN_FROM
        return pd.DataFrame(
            {
                "diversion_score": scores,
                "alert": alert,
                "reasons": reasons(
                    shipments, features, scores, self.predict, explain, self.checklist
                ),
            },
            index=shipments.index,
        )

    def score_shipments(
        self,
        shipments: list[Mapping[str, object]],
        names: list[str],
        features: list[list[float]],
        threshold: float,
    ) -> list[ScoredRecord]:
        """``score_features`` for single shipments (typed values; feature rows with columns
        ``names``, as ``features.record.RecordFeatures`` gives them): every row and each of its
        firing flags' clean copies go through the model in one call, since a call costs about
        the same for one row as for a few dozen."""
        if not features:
            return []
        checklist = self.checklist
        values = [dict(zip(names, row, strict=True)) for row in features]
        firing = [firing_flags(row, checklist) for row in values]
        copies = [
            cleaned(row, code, checklist)
            for row, codes in zip(values, firing, strict=True)
            for code in codes
        ]
        frame = pd.DataFrame([*values, *copies], columns=names)[list(self.contract.features)]
        predictions = self.predict_in_order(frame)
        scores, clean = predictions[: len(values)], iter(predictions[len(values) :])
        results = []
        for shipment, row, codes, score in zip(shipments, values, firing, scores, strict=True):
            clean_scores = {code: next(clean) for code in codes}
            if score >= threshold * EXPLAIN_FROM:
                strengths = {code: score - clean_scores[code] for code in codes}
            else:
                points = {code: float(checklist.by_code[code].points) for code in codes}
                strengths = {code: value for code, value in points.items() if value > 0}
            reasons = record_reasons(shipment, row, strengths, checklist)
            results.append(ScoredRecord(float(score), bool(score >= threshold), reasons))
        return results

    def score(
        self, shipments: pd.DataFrame, *, threshold: float | None = None, workers: int = 2
    ) -> pd.DataFrame:
        """Score validated shipments against the frozen training state only: the online
        meaning of history (``docs/scoring.md``), under which a row's answer does not depend on
        the other rows sent with it."""
        if shipments.empty:
            return self.score_features(shipments, pd.DataFrame(index=shipments.index), threshold)
        features = query_features(shipments, self.state, self.context(workers))
        return self.score_features(shipments, features, threshold)

    def save(self, folder: Path) -> Path:
        path = folder / BUNDLE_FILE
        joblib.dump(self, path, compress=3)
        return path


def _probabilities(model: Pipeline, features: pd.DataFrame) -> np.ndarray:
    threads = None if len(features) >= PARALLEL_PREDICT_ROWS else 1
    with _thread_pools().limit(limits=threads, user_api="openmp"):
        return model.predict_proba(features)[:, 1]


@cache
def _after_selection(pipeline: Pipeline) -> Pipeline:
    """The pipeline's steps after the first (made once per loaded model)."""
    return pipeline[1:]


@cache
def _thread_pools() -> ThreadpoolController:
    """Found once (scanning the loaded libraries takes about 2 ms, longer than a small
    prediction); by the first prediction scikit-learn's OpenMP runtime is loaded."""
    return ThreadpoolController()


def load_bundle(path: Path) -> ModelBundle:
    """Load a bundle file and check that it fits the running code (``FeatureContractError``).

    A bundle is a pickle: load only bundles from the configured model registry.
    """
    bundle = joblib.load(path)
    bundle.contract.check()
    return bundle
