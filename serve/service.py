"""One loaded model version scoring small batches of records, as the HTTP service needs it.

A request never changes the model: each batch is scored against the history state frozen at
training time (plus the batch's own rows dated before each shipment), exactly as
``ModelBundle.score`` does. Consequence: shipments sent in earlier requests do not count as
history for later ones; the next retraining run folds them in. This keeps every answer
reproducible from the model version alone and lets any number of workers serve one version.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from features.build import FeatureContext, compute_features
from features.intake import FIRST_DATA_LINE, validate_frame
from models.bundle import ModelBundle
from models.reasons import SEPARATOR
from models.tracking import (
    ModelVersionInfo,
    load_registered_bundle,
    open_store,
    parse_model_uri,
    resolve_model,
)
from serve.scoring import choose_threshold

SINGLE_WORKER = 1
"""Screening runs in the request's own thread: a second thread costs more than it saves on a
few rows."""


@dataclass(frozen=True)
class FieldProblem:
    """One value of one record that breaks the shipment contract."""

    record: int
    column: str | None
    message: str
    value: str | None = None


class RecordsRejected(ValueError):
    """Some records break the shipment contract; none of the batch was scored."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the records")
        self.problems = problems


@dataclass(frozen=True)
class ScoringService:
    bundle: ModelBundle
    version: ModelVersionInfo
    alias: str | None
    threshold: float
    threshold_source: str
    context: FeatureContext

    @classmethod
    def load(cls, uri: str, home: Path) -> ScoringService:
        """Resolve ``uri`` in the configured registry and load that version (contract checked)."""
        _, alias, _ = parse_model_uri(uri)
        version = resolve_model(open_store(home), uri)
        bundle = load_registered_bundle(version.uri)
        threshold, source = choose_threshold(bundle, version, None)
        context = bundle.context(workers=SINGLE_WORKER)
        return cls(bundle, version, alias, threshold, source, context)

    def describe(self) -> dict:
        """What ``GET /v1/model`` answers."""
        contract = self.bundle.contract.as_dict()
        return {
            "name": self.version.name,
            "version": self.version.version,
            "alias": self.alias,
            "uri": self.version.uri,
            "threshold": self.threshold,
            "threshold_source": self.threshold_source,
            "feature_contract": contract,
            "seeds_version": contract["seeds_version"],
        }

    def score(self, records: pd.DataFrame) -> pd.DataFrame:
        """``shipment_id``, ``diversion_score``, ``alert`` and ``reasons`` (a list) per record,
        in order; ``RecordsRejected`` naming every broken value if any record is invalid."""
        validated = validate_frame(records)
        if len(validated.rejects):
            raise RecordsRejected(_problems(validated))
        shipments = validated.shipments
        features, _ = compute_features(shipments, self.bundle.state, self.context)
        scored = self.bundle.score_features(shipments, features, self.threshold)
        reasons = scored["reasons"].fillna("")
        return pd.DataFrame(
            {
                "shipment_id": shipments["shipment_id"].to_numpy(),
                "diversion_score": scored["diversion_score"].to_numpy(),
                "alert": scored["alert"].to_numpy(),
                "reasons": [text.split(SEPARATOR) if text else [] for text in reasons],
            }
        )


def _problems(validated) -> list[FieldProblem]:
    problems = [
        FieldProblem(int(line) - FIRST_DATA_LINE, problem.column, problem.rule, str(value))
        for problem in validated.problems
        for line, value in problem.values.items()
    ]
    covered = {problem.record for problem in problems}
    for line, reason in validated.rejects.set_index("line")["reason"].items():
        record = int(line) - FIRST_DATA_LINE
        if record not in covered:
            problems.append(FieldProblem(record, None, str(reason)))
    return sorted(problems, key=lambda problem: (problem.record, problem.column or ""))
