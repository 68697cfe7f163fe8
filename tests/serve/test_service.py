"""The service's per-record path answers exactly as its vectorised path, record for record,
and a record's answer does not depend on the records sent with it."""

from __future__ import annotations

import pandas as pd
import pytest

from serve.api import json_records, shipment_record_model
from serve.service import RecordsRejected, ScoringService, canonical_records
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


def test_records_of_many_days_score_together_as_on_the_vectorised_path(service, records):
    for start in range(0, len(records), 30):
        batch = records[start : start + 30]
        assert service.score(batch) == service.score_vectorised(pd.DataFrame(batch))


def test_a_record_scores_the_same_whatever_it_is_sent_with(service, records):
    alone = [service.score([record])[0] for record in records[:60]]
    assert service.score(records[:60]) == alone
    assert service.score_vectorised(pd.DataFrame(records[:60])) == alone


def test_the_records_exercise_alerts_and_explained_reasons(service, records):
    results = service.score(records[:1]) + [service.score([r])[0] for r in records[1:]]
    assert any(result["alert"] for result in results)
    assert sum(len(result["reasons"]) >= 2 for result in results) > len(results) // 10


@pytest.mark.parametrize(
    "batch",
    [
        [shipment(shipment_id="A"), shipment(shipment_id="A")],
        [shipment(ship_date="01/02/2024")],
        [shipment(shipment_id=str(number)) for number in range(51)],
    ],
    ids=["repeated id", "date not ISO", "many records"],
)
def test_batches_the_per_record_path_cannot_answer_take_the_vectorised_path(batch):
    typed = [shipment_record_model()(**record).model_dump() for record in _present(batch)]
    assert canonical_records(typed, ()) is None


def _present(batch: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{key: value for key, value in record.items() if value != ""} for record in batch]


def test_requests_scored_together_get_the_answers_they_get_alone(service, records):
    broken = dict(records[0], ship_date="2024-13-45")
    requests = [records[:1], records[1:3], [broken], records[3:4], records[4:70], records[70:]]
    answers = service.score_all(requests)
    assert isinstance(answers[2], RecordsRejected)
    for request, answer in zip(requests, answers, strict=True):
        if request != [broken]:
            assert answer == service.score(request)
