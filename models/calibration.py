"""A classifier calibrated on the latest part of its training data, never on random folds."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator
from sklearn.utils.validation import check_is_fitted

DEFAULT_CALIBRATION_SHARE = 0.2


class TimeCalibratedClassifier(ClassifierMixin, BaseEstimator):
    """Fit ``estimator`` on the earlier rows, calibrate its probabilities on the later ones.

    Rows must come in time order (the trainer sorts them by ship date): the last
    ``calibration_share`` of them calibrate the frozen estimator with ``method``, so the
    calibration sees the same kind of drift that scoring later periods will.

    Parameters
    ----------
    estimator : classifier
        Any scikit-learn classifier with ``predict_proba``.
    calibration_share : float
        Share of the (time-ordered) rows held back for calibration.
    method : {"isotonic", "sigmoid"}
        Passed to ``CalibratedClassifierCV``.

    Attributes
    ----------
    estimator_ : the fitted estimator (frozen inside the calibrator)
    calibrated_ : CalibratedClassifierCV
    classes_ : ndarray
    """

    def __init__(
        self,
        estimator: BaseEstimator,
        *,
        calibration_share: float = DEFAULT_CALIBRATION_SHARE,
        method: str = "isotonic",
    ) -> None:
        self.estimator = estimator
        self.calibration_share = calibration_share
        self.method = method

    def fit(self, X, y, sample_weight=None) -> TimeCalibratedClassifier:
        y = np.asarray(y)
        split = round(len(y) * (1 - self.calibration_share))
        weights = None if sample_weight is None else np.asarray(sample_weight)
        early = {} if weights is None else {"sample_weight": weights[:split]}
        late = {} if weights is None else {"sample_weight": weights[split:]}
        self.estimator_ = clone(self.estimator).fit(_rows(X, 0, split), y[:split], **early)
        frozen = FrozenEstimator(self.estimator_)
        self.calibrated_ = CalibratedClassifierCV(frozen, method=self.method)
        with warnings.catch_warnings():
            # The estimator is frozen on purpose (already fitted with its weights); scikit-learn
            # warns that the calibration weights do not reach it, which is what we want.
            warnings.filterwarnings("ignore", "Since FrozenEstimator does not appear to accept")
            self.calibrated_.fit(_rows(X, split, len(y)), y[split:], **late)
        self.classes_ = self.calibrated_.classes_
        return self

    def predict_proba(self, X) -> np.ndarray:
        check_is_fitted(self)
        return self.calibrated_.predict_proba(X)

    def predict(self, X) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def _rows(X, start: int, stop: int):
    """Rows ``start:stop`` by position, for frames and arrays alike."""
    return X.iloc[start:stop] if hasattr(X, "iloc") else X[start:stop]
