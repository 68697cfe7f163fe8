"""The MLflow pyfunc: raw shipment rows in; ``diversion_score``, ``alert``, ``reasons`` out.

Rows are scored against the history frozen in the model (the online meaning of history, as
``divert serve``), so a row's answer does not depend on the rows batched with it. The alert
threshold follows ``models.alert_threshold``: the ``threshold`` param, else the threshold
recorded on the logged model (read once at load), else the training default.
"""

from __future__ import annotations

import logging
from pathlib import Path

import mlflow.pyfunc
import pandas as pd
from mlflow.exceptions import MlflowException
from mlflow.models import Model
from mlflow.models.signature import ModelSignature
from mlflow.types import ColSpec, ParamSchema, ParamSpec, Schema

from features.errors import DivertError
from features.intake import validate_frame
from features.schema import NUMERIC_KINDS, SHIPMENT_COLUMNS, TRAINING_ONLY_NAMES
from models.alert_threshold import (
    THRESHOLD_PARAM,
    THRESHOLD_TAG,
    AlertThreshold,
    threshold_in_force,
)
from models.bundle import ModelBundle, load_bundle
from models.contract import FeatureContract

BUNDLE_ARTIFACT = "bundle"
REJECTED_PREFIX = "REJECTED: "
OUTPUT_COLUMNS = ("shipment_id", "diversion_score", "alert", "reasons")
log = logging.getLogger(__name__)


def signature(contract: FeatureContract) -> ModelSignature:
    """Inputs from the shipment schema (numbers as double, the rest as string; optional columns
    not required) plus the model's extra columns (required; numeric extras as double, the
    rest as string); outputs one row per input
    row; the ``threshold`` param (default: the recorded or training threshold)."""
    inputs = Schema(
        [
            ColSpec(
                "double" if column.kind in NUMERIC_KINDS else "string",
                column.name,
                required=column.required,
            )
            for column in SHIPMENT_COLUMNS
        ]
        + [ColSpec("string", name, required=True) for name in contract.extras.text]
        + [ColSpec("double", name, required=True) for name in contract.extras.numeric]
    )
    outputs = Schema(
        [
            ColSpec("string", "shipment_id"),
            ColSpec("double", "diversion_score"),
            ColSpec("boolean", "alert"),
            ColSpec("string", "reasons"),
        ]
    )
    params = ParamSchema([ParamSpec(THRESHOLD_PARAM, "double", None)])
    return ModelSignature(inputs=inputs, outputs=outputs, params=params)


def score_records(bundle: ModelBundle, records: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """One output row per input row, in order; rejected rows get no score and their reason.

    ``ModelInputError`` if the records lack an entity key of the model; a label column is
    ignored (logged once per call)."""
    bundle.contract.check_input(records.columns, "the records")
    for name in TRAINING_ONLY_NAMES:
        if name in records and records[name].notna().any():
            log.warning("column %r ignored: labels are never scoring inputs", name)
    validated = validate_frame(records, bundle.contract.scoring_map())
    scored = bundle.score(validated.shipments, threshold=threshold)
    lines = pd.RangeIndex(2, 2 + len(records))
    result = pd.DataFrame(
        {
            "shipment_id": pd.Series(records["shipment_id"].to_numpy(), index=lines, dtype="str"),
            "diversion_score": scored["diversion_score"].reindex(lines),
            "alert": scored["alert"].reindex(lines, fill_value=False).astype(bool),
            "reasons": scored["reasons"].reindex(lines),
        }
    )
    rejected = validated.rejects.set_index("line")["reason"]
    result.loc[rejected.index, "reasons"] = REJECTED_PREFIX + rejected
    return result.reset_index(drop=True)


def recorded_threshold(model_folder: Path) -> tuple[str | None, str]:
    """The ``alert_threshold`` tag of the logged model in ``model_folder`` and where it was
    read; (None, why) when there is no tracking server to ask or the model is not logged."""
    model_id = Model.load(model_folder).model_id
    if model_id is None:
        return None, "the model was not logged to a tracking server"
    if not mlflow.tracking.is_tracking_uri_set():
        return None, "no tracking URI is set"
    try:
        tags = mlflow.get_logged_model(model_id).tags
    except MlflowException as error:
        return None, f"logged model {model_id} cannot be read ({error.message})"
    return tags.get(THRESHOLD_TAG), f"tag {THRESHOLD_TAG!r} of logged model {model_id}"


class DiversionModel(mlflow.pyfunc.PythonModel):
    """Loads the bundle (checking its feature contract) and scores raw shipment rows."""

    def load_context(self, context) -> None:
        bundle_path = Path(context.artifacts[BUNDLE_ARTIFACT])
        self.bundle = load_bundle(bundle_path)
        recorded, where = recorded_threshold(_model_folder(bundle_path))
        self.threshold = threshold_in_force(
            given=None,
            given_where="",
            recorded=recorded,
            recorded_where=where,
            training=self.bundle.threshold,
        )

    def threshold_for(self, params: dict | None) -> AlertThreshold:
        """The threshold in force for one call: its ``threshold`` param, else the loaded one."""
        given = (params or {}).get(THRESHOLD_PARAM)
        if given is None:
            return self.threshold
        where = f"param {THRESHOLD_PARAM!r}"
        return threshold_in_force(
            given=given, given_where=where, recorded=None, recorded_where="", training=0.0
        )

    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
        try:
            threshold = self.threshold_for(params)
            return score_records(self.bundle, model_input, threshold.value)
        except DivertError as error:
            raise MlflowException.invalid_parameter_value(str(error)) from error


def _model_folder(artifact: Path) -> Path:
    """The folder holding the ``MLmodel`` file that ``artifact`` belongs to."""
    for folder in artifact.parents:
        if (folder / "MLmodel").exists():
            return folder
    raise FileNotFoundError(f"no MLmodel file above {artifact}")
