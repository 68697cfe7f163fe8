"""The service's per-record path answers exactly as its vectorised path, record for record."""

from __future__ import annotations

import pandas as pd
import pytest

from serve.api import json_records, shipment_record_model
from serve.service import RecordsRejected, ScoringService, same_day_records
from tests.factories import shipment

CHAMPION = "models:/diversion-detector@champion"


@pytest.fixture(scope="module")
def service(trained) -> ScoringService:
    return ScoringService.load(CHAMPION, trained.home)


@pytest.fixture(scope="module")
def records(trained) -> list[dict]:
    """Later-period rows as the request model hands them to the service."""
    rows = pd.read_csv(trained.later, dtype="str", keep_default_na=False).head(150)
    model = shipment_record_model()
    return [model(**record).model_dump() for record in json_records(rows)]


def test_each_record_alone_scores_as_on_the_vectorised_path(service, records):
    for record in records:
        assert service.score([record]) == service.score_vectorised(pd.DataFrame([record]))


def test_records_of_one_day_score_together_as_on_the_vectorised_path(service, records):
    by_day: dict[str, list[dict]] = {}
    for record in records:
        by_day.setdefault(record["ship_date"], []).append(record)
    for batch in by_day.values():
        assert service.score(batch) == service.score_vectorised(pd.DataFrame(batch))


def test_the_records_exercise_alerts_and_explained_reasons(service, records):
    results = service.score(records[:1]) + [service.score([r])[0] for r in records[1:]]
    assert any(result["alert"] for result in results)
    assert sum(len(result["reasons"]) >= 2 for result in results) > len(results) // 10


@pytest.mark.parametrize(
    "batch",
    [
        [shipment(shipment_id="A", ship_date="2024-01-01"), shipment(shipment_id="B")],
        [shipment(shipment_id="A"), shipment(shipment_id="A")],
        [shipment(ship_date="01/02/2024")],
    ],
    ids=["two days", "repeated id", "date not ISO"],
)
def test_batches_the_per_record_path_cannot_answer_take_the_vectorised_path(batch):
    typed = [shipment_record_model()(**record).model_dump() for record in _present(batch)]
    assert same_day_records(typed) is None


def _present(batch: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{key: value for key, value in record.items() if value != ""} for record in batch]


def test_requests_scored_together_get_the_answers_they_get_alone(service, records):
    by_day = {}
    for record in records:
        by_day.setdefault(record["ship_date"], []).append(record)
    broken = dict(records[0], ship_date="2024-13-45")
    requests = [records[:1], records[1:3], [broken], records[3:4], *list(by_day.values())[:2]]
    answers = service.score_all(requests)
    assert isinstance(answers[2], RecordsRejected)
    for request, answer in zip(requests, answers, strict=True):
        if request != [broken]:
            assert answer == service.score(request)
