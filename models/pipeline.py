"""The estimator pipeline: feature columns in registry order -> calibrated gradient boosting."""

from __future__ import annotations

from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import Pipeline

from features.registry import Feature, FeatureKind
from models.calibration import TimeCalibratedClassifier

CLASSIFIERS = ("hgb", "lightgbm")
DEFAULT_CLASSIFIER = "hgb"
LEARNING_RATE = 0.06
MAX_ITERATIONS = 400
MAX_LEAF_NODES = 31
MIN_SAMPLES_LEAF = 40
L2_REGULARISATION = 1.0


def gradient_boosting(classifier: str, features: tuple[Feature, ...], seed: int):
    """An unfitted gradient-boosting classifier of the named library, seeded."""
    categorical = [f.name for f in features if f.kind is FeatureKind.CATEGORY]
    if classifier == "hgb":
        return HistGradientBoostingClassifier(
            learning_rate=LEARNING_RATE,
            max_iter=MAX_ITERATIONS,
            max_leaf_nodes=MAX_LEAF_NODES,
            min_samples_leaf=MIN_SAMPLES_LEAF,
            l2_regularization=L2_REGULARISATION,
            categorical_features=categorical or None,
            early_stopping=False,  # stopped on the late rows by TimeCalibratedClassifier
            random_state=seed,
        )
    if classifier == "lightgbm":
        from lightgbm import LGBMClassifier

        return LGBMClassifier(
            learning_rate=LEARNING_RATE,
            n_estimators=MAX_ITERATIONS,
            num_leaves=MAX_LEAF_NODES,
            min_child_samples=MIN_SAMPLES_LEAF,
            reg_lambda=L2_REGULARISATION,
            random_state=seed,
            deterministic=True,
            force_row_wise=True,
            n_jobs=1,
            verbose=-1,
        )
    raise ValueError(f"unknown classifier {classifier!r}; expected one of {CLASSIFIERS}")


def build_pipeline(
    features: tuple[Feature, ...], *, classifier: str = DEFAULT_CLASSIFIER, seed: int = 0
) -> Pipeline:
    """Select the registry's feature columns in order, then a time-calibrated classifier."""
    names = [feature.name for feature in features]
    select = ColumnTransformer(
        [("features", "passthrough", names)], verbose_feature_names_out=False
    )
    select.set_output(transform="pandas")
    model = TimeCalibratedClassifier(gradient_boosting(classifier, features, seed))
    return Pipeline([("select", select), ("classifier", model)])
