"""One loaded model version scoring small batches of records, as the HTTP service needs it.

A request never changes the model: each record is scored against the history state frozen at
training time only, exactly as ``ModelBundle.score`` and the MLflow pyfunc do (the online
meaning of history, ``docs/scoring.md``). Consequence: neither earlier requests nor the other
records of the same request count as history; the next retraining run folds them in. This
keeps every answer reproducible from the model version and the record alone, whatever it is
batched with, and lets any number of workers serve one version.

Two paths give the same answers. Up to ``RECORD_PATH_MAX_RECORDS`` records in canonical form
with distinct ids take the per-record path: ``features.record_validation``,
``features.record`` and ``ModelBundle.score_shipments``, in plain Python, a few milliseconds a
request. Any other batch takes the vectorised path, which also words contract errors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from features.build import FeatureContext, query_features
from features.extras import ExtraColumns
from features.intake import FIRST_DATA_LINE, validate_frame
from features.record import RecordFeatures
from features.record_validation import parse_record
from models.alert_threshold import version_threshold
from models.bundle import ModelBundle
from models.reasons import SEPARATOR
from models.tracking import (
    ModelVersionInfo,
    load_registered_bundle,
    open_store,
    parse_model_uri,
    resolve_model,
)

RECORD_PATH_MAX_RECORDS = 50
"""Larger requests take the vectorised path, whose lower cost per record repays its fixed cost
of about 160 ms (500 same-day records, names not screened before: 0.3 s against 0.9 s)."""
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
    record_features: RecordFeatures

    @classmethod
    def load(cls, uri: str, home: Path) -> ScoringService:
        """Resolve ``uri`` in the configured registry and load that version (contract checked)."""
        _, alias, _ = parse_model_uri(uri)
        version = resolve_model(open_store(home), uri)
        bundle = load_registered_bundle(version.uri)
        chosen = version_threshold(version, bundle.threshold)
        context = bundle.context(workers=SINGLE_WORKER)
        record_features = RecordFeatures(bundle.state, context)
        return cls(bundle, version, alias, chosen.value, chosen.source, context, record_features)

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

    def score(self, records: list[Mapping[str, object]]) -> list[dict]:
        """``shipment_id``, ``diversion_score``, ``alert`` and ``reasons`` (a list) per record,
        in order; ``RecordsRejected`` naming every broken value if any record is invalid.

        Records hold raw values by column name (text, or numbers for numeric columns)."""
        (answer,) = self.score_all([records])
        if isinstance(answer, Exception):
            raise answer
        return answer

    def score_all(self, requests: Sequence[list[Mapping[str, object]]]) -> list:
        """``score`` of several requests at once, each answer or exception in its place: the
        requests the per-record path can answer share one model call."""
        answers: list = [None] * len(requests)
        quick: list[tuple[int, list[dict]]] = []
        for position, records in enumerate(requests):
            shipments = canonical_records(records, self.bundle.contract.extras)
            if shipments is None:
                try:
                    answers[position] = self.score_vectorised(pd.DataFrame(records))
                except Exception as error:
                    answers[position] = error
            else:
                quick.append((position, shipments))
        shipments = [shipment for _, group in quick for shipment in group]
        features = self.record_features.rows(shipments)
        names = self.record_features.names
        scored = iter(self.bundle.score_shipments(shipments, names, features, self.threshold))
        for position, group in quick:
            answers[position] = [
                {"shipment_id": shipment["shipment_id"], **asdict(next(scored))}
                for shipment in group
            ]
        return answers

    def score_vectorised(self, records: pd.DataFrame) -> list[dict]:
        """``score`` through the vectorised path, for any batch."""
        validated = validate_frame(records, self.bundle.contract.scoring_map())
        if len(validated.rejects):
            raise RecordsRejected(_problems(validated))
        shipments = validated.shipments
        features = query_features(shipments, self.bundle.state, self.context)
        scored = self.bundle.score_features(shipments, features, self.threshold)
        reasons = scored["reasons"].fillna("")
        return [
            {
                "shipment_id": shipment_id,
                "diversion_score": float(score),
                "alert": bool(alert),
                "reasons": text.split(SEPARATOR) if text else [],
            }
            for shipment_id, score, alert, text in zip(
                shipments["shipment_id"],
                scored["diversion_score"],
                scored["alert"],
                reasons,
                strict=True,
            )
        ]


def canonical_records(
    records: list[Mapping[str, object]], extras: ExtraColumns
) -> list[dict] | None:
    """The records' typed values if there are at most ``RECORD_PATH_MAX_RECORDS``, every one
    is canonical and their ids are distinct; None otherwise."""
    if len(records) > RECORD_PATH_MAX_RECORDS:
        return None
    shipments = []
    for record in records:
        shipment = parse_record(record, extras)
        if shipment is None:
            return None
        shipments.append(shipment)
    if len({shipment["shipment_id"] for shipment in shipments}) < len(shipments):
        return None
    return shipments


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
