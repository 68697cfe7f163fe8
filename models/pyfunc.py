"""The MLflow pyfunc: raw shipment rows in; ``diversion_score``, ``alert``, ``reasons`` out."""

from __future__ import annotations

from pathlib import Path

import mlflow.pyfunc
import pandas as pd
from mlflow.models.signature import ModelSignature
from mlflow.types import ColSpec, Schema

from features.intake import validate_frame
from features.schema import NUMERIC_KINDS, SHIPMENT_COLUMNS
from models.bundle import ModelBundle, load_bundle

BUNDLE_ARTIFACT = "bundle"
REJECTED_PREFIX = "REJECTED: "
OUTPUT_COLUMNS = ("shipment_id", "diversion_score", "alert", "reasons")


def signature() -> ModelSignature:
    """Inputs from the shipment schema (numbers as double, the rest as string; optional columns
    not required); outputs one row per input row."""
    inputs = Schema(
        [
            ColSpec(
                "double" if column.kind in NUMERIC_KINDS else "string",
                column.name,
                required=column.required,
            )
            for column in SHIPMENT_COLUMNS
        ]
    )
    outputs = Schema(
        [
            ColSpec("string", "shipment_id"),
            ColSpec("double", "diversion_score"),
            ColSpec("boolean", "alert"),
            ColSpec("string", "reasons"),
        ]
    )
    return ModelSignature(inputs=inputs, outputs=outputs)


def score_records(bundle: ModelBundle, records: pd.DataFrame) -> pd.DataFrame:
    """One output row per input row, in order; rejected rows get no score and their reason."""
    validated = validate_frame(records)
    scored = bundle.score(validated.shipments)
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


class DiversionModel(mlflow.pyfunc.PythonModel):
    """Loads the bundle (checking its feature contract) and scores raw shipment rows."""

    def load_context(self, context) -> None:
        self.bundle = load_bundle(Path(context.artifacts[BUNDLE_ARTIFACT]))

    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
        return score_records(self.bundle, model_input)
