"""A classifier fitted on earlier rows and stopped and calibrated on the latest ones.

Rows must come in time order (the trainer sorts them by ship date). The last
``calibration_share`` of them are never fitted on: they decide when boosting stops adding
trees (early stopping, where the estimator supports it) and calibrate its scores, so both see
the kind of drift that scoring later periods will.

The calibration keeps the classifier's order: isotonic regression (which alone would give
whole bands of rows one score) blended with a small share of the raw score, so that
calibrated scores are strictly increasing in the raw score. An alert budget can then be met
by a threshold, row for row.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.isotonic import IsotonicRegression
from sklearn.utils.validation import check_is_fitted

DEFAULT_CALIBRATION_SHARE = 0.2
RAW_SHARE = 1e-3
"""Weight of the raw score in the calibrated one: breaks the isotonic ties in the classifier's
order and moves no probability by more than 0.001."""
STOP_AFTER_ROUNDS = 20
"""Boosting stops when this many rounds in a row do not improve the loss on the late rows."""


class TimeCalibratedClassifier(ClassifierMixin, BaseEstimator):
    """Fit ``estimator`` on the earlier rows; stop it early and calibrate it on the later ones.

    Parameters
    ----------
    estimator : classifier
        Any scikit-learn classifier with ``predict_proba``; a histogram gradient-boosting or
        LightGBM classifier is stopped early on the late rows.
    calibration_share : float
        Share of the (time-ordered) rows held back for stopping and calibration.

    Attributes
    ----------
    estimator_ : the fitted estimator
    isotonic_ : IsotonicRegression from raw to calibrated scores
    classes_ : ndarray
    """

    def __init__(
        self, estimator: BaseEstimator, *, calibration_share: float = DEFAULT_CALIBRATION_SHARE
    ) -> None:
        self.estimator = estimator
        self.calibration_share = calibration_share

    def fit(self, X, y, sample_weight=None) -> TimeCalibratedClassifier:
        y = np.asarray(y)
        split = round(len(y) * (1 - self.calibration_share))
        weights = None if sample_weight is None else np.asarray(sample_weight)
        early_weights = None if weights is None else weights[:split]
        late_weights = None if weights is None else weights[split:]
        late_rows = _rows(X, split, len(y))
        self.estimator_ = _fit_stopping_early(
            clone(self.estimator),
            (_rows(X, 0, split), y[:split], early_weights),
            (late_rows, y[split:], late_weights),
        )
        raw = self.estimator_.predict_proba(late_rows)[:, 1]
        self.isotonic_ = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
        self.isotonic_.fit(raw, y[split:], late_weights)
        self.classes_ = self.estimator_.classes_
        return self

    def predict_proba(self, X) -> np.ndarray:
        check_is_fitted(self)
        raw = self.estimator_.predict_proba(X)[:, 1]
        positive = (1 - RAW_SHARE) * self.isotonic_.predict(raw) + RAW_SHARE * raw
        return np.column_stack([1 - positive, positive])

    def predict(self, X) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    @property
    def n_trees_(self) -> int | None:
        """Boosting rounds kept after early stopping (None for other estimators)."""
        fitted = self.estimator_
        if isinstance(fitted, HistGradientBoostingClassifier):
            return int(fitted.n_iter_)
        return getattr(fitted, "best_iteration_", None) or None


def _fit_stopping_early(estimator, early: tuple, late: tuple):
    """``estimator`` fitted on ``early`` (X, y, weights), stopped on ``late`` if it can be."""
    X, y, weights = early
    X_late, y_late, late_weights = late
    if isinstance(estimator, HistGradientBoostingClassifier):
        estimator.set_params(early_stopping=True, n_iter_no_change=STOP_AFTER_ROUNDS)
        return estimator.fit(
            X, y, sample_weight=weights, X_val=X_late, y_val=y_late, sample_weight_val=late_weights
        )
    if type(estimator).__module__.startswith("lightgbm"):
        from lightgbm import early_stopping

        return estimator.fit(
            X,
            y,
            sample_weight=weights,
            eval_set=[(X_late, y_late)],
            eval_sample_weight=None if late_weights is None else [late_weights],
            callbacks=[early_stopping(STOP_AFTER_ROUNDS, verbose=False)],
        )
    return estimator.fit(X, y, sample_weight=weights)


def _rows(X, start: int, stop: int):
    """Rows ``start:stop`` by position, for frames and arrays alike."""
    return X.iloc[start:stop] if hasattr(X, "iloc") else X[start:stop]
