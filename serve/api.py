"""The HTTP scoring service: ``POST /v1/score``, ``GET /v1/model``, ``GET /v1/health``.

Records are validated twice: by the request model generated from the shipment schema (types,
unknown or missing fields) and by the shipment contract (dates, countries, HS codes...). Both
answer 422 with the path of every broken field. Bodies over ``MAX_BODY_BYTES`` and batches
over ``MAX_RECORDS`` answer 413. Any other failure answers 500 with a fixed message; the
traceback goes to the server log only. With a token configured, every path but the health
check needs ``Authorization: Bearer <token>``.
"""

import hmac
import logging
from typing import Annotated

import pandas as pd
from fastapi import Body, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, create_model

from features.extras import ExtraColumns
from features.schema import NUMERIC_KINDS, SHIPMENT_COLUMNS, TRAINING_ONLY_NAMES
from serve.batching import Batcher
from serve.service import RecordsRejected, ScoringService

MAX_RECORDS = 1000
MAX_BODY_BYTES = 1 << 20
MAX_BATCH_REQUESTS = 64
"""Concurrent requests scored together in one model call at most (``serve.batching``)."""
HEALTH_PATH = "/v1/health"
INTERNAL_ERROR = "internal error; the server log has the details"
log = logging.getLogger("divert.api")


class ScoredShipment(BaseModel):
    shipment_id: str
    diversion_score: float
    alert: bool
    reasons: list[str]
    """Up to three "CODE: text" red flags, strongest first."""


class ScoreResponse(BaseModel):
    model: str
    threshold: float
    threshold_source: str
    ignored_fields: list[str]
    """Fields given but never read for scoring (the label ``diverted``, ``outcome_date``)."""
    results: list[ScoredShipment]


def shipment_record_model(extras: ExtraColumns | None = None) -> type[BaseModel]:
    """The request record, one field per schema column: numbers as numbers, the rest as text;
    required columns and the model's ``extras`` (present, null allowed) must be given; unknown
    fields are refused."""
    extras = extras or ExtraColumns()
    fields = {}
    for column in SHIPMENT_COLUMNS:
        kind = float if column.kind in NUMERIC_KINDS else str
        default = ... if column.required else None
        fields[column.name] = (kind | None, Field(default, description=column.notes))
    for name in extras.text:
        fields[name] = (str | None, Field(..., description="extra column of the model (text)"))
    for name in extras.numeric:
        fields[name] = (float | None, Field(..., description="extra column of the model (number)"))
    return create_model(
        "ShipmentRecord", __config__=ConfigDict(extra="forbid", allow_inf_nan=False), **fields
    )


def _error(status: int, detail) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


class GuardMiddleware:
    """Checks the bearer token and the body size before the application reads anything."""

    def __init__(self, app, *, token: str | None) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode() if token else None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if self.expected and scope["path"] != HEALTH_PATH:
            given = headers.get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):
                response = _error(401, "missing or wrong bearer token")
                response.headers["WWW-Authenticate"] = "Bearer"
                await response(scope, receive, send)
                return
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > MAX_BODY_BYTES:
            await _error(413, _too_large())(scope, receive, send)
            return
        if length is None:
            receive = await _buffered(receive)
            if receive is None:
                await _error(413, _too_large())(scope, _disconnected, send)
                return
        await self.app(scope, receive, send)


def _too_large() -> str:
    return f"request body over {MAX_BODY_BYTES} bytes; send at most {MAX_RECORDS} records"


async def _buffered(receive):
    """Read a body of undeclared length (chunked) up to the limit and replay it to the
    application; None if it grows past the limit."""
    parts, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        parts.append(message.get("body", b""))
        size += len(parts[-1])
        if size > MAX_BODY_BYTES:
            return None
        more = message.get("more_body", False)
    replay = [{"type": "http.request", "body": b"".join(parts), "more_body": False}]

    async def replayed():
        return replay.pop() if replay else await receive()

    return replayed


async def _disconnected():
    return {"type": "http.disconnect"}


def create_app(service: ScoringService, *, token: str | None = None) -> FastAPI:
    """The application for one loaded model version (``token`` None: no authentication)."""
    record_model = shipment_record_model(service.bundle.contract.extras)
    batcher = Batcher(service.score_all, max_batch=MAX_BATCH_REQUESTS)
    app = FastAPI(
        title="Diversion detector",
        summary="Scores export shipments for the likelihood of diversion to Russia.",
        version=service.version.version,
    )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError):
        problems = error.errors()
        if any(p["type"] == "too_long" and tuple(p["loc"]) == ("body",) for p in problems):
            return _error(413, f"at most {MAX_RECORDS} records per request")
        return _error(422, [_public(problem) for problem in problems])

    @app.exception_handler(Exception)
    async def internal_error(request: Request, error: Exception):
        log.exception("error while answering %s %s", request.method, request.url.path)
        return _error(500, INTERNAL_ERROR)

    @app.get(HEALTH_PATH)
    def health() -> dict:
        return {"status": "ok"}

    @app.get("/v1/model")
    def model() -> dict:
        return service.describe()

    @app.post("/v1/score", response_model=ScoreResponse)
    def score(
        records: Annotated[list[record_model], Body(min_length=1, max_length=MAX_RECORDS)],
    ):
        values = [record.model_dump() for record in records]
        try:
            results = batcher.submit(values)
        except RecordsRejected as rejected:
            return _error(422, [_contract_problem(p) for p in rejected.problems])
        ignored = [
            name for name in TRAINING_ONLY_NAMES if any(value[name] is not None for value in values)
        ]
        return {
            "model": service.version.uri,
            "threshold": service.threshold,
            "threshold_source": service.threshold_source,
            "ignored_fields": ignored,
            "results": results,
        }

    app.add_middleware(GuardMiddleware, token=token)
    return app


def _public(problem: dict) -> dict:
    """A validation error without the exception objects pydantic may put in ``ctx``."""
    return {key: problem[key] for key in ("type", "loc", "msg") if key in problem}


def _contract_problem(problem) -> dict:
    location = ["body", problem.record] + ([problem.column] if problem.column else [])
    detail = {"type": "shipment_contract", "loc": location, "msg": problem.message}
    if problem.value is not None:
        detail["input"] = problem.value
    return detail


def json_records(rows: pd.DataFrame, extras: ExtraColumns | None = None) -> list[dict]:
    """File rows read as text (empty = missing) as request records: schema numbers and numeric
    extras as JSON numbers (left as text if they do not parse, for the server to refuse with
    its path), other schema columns and text extras as strings, other columns dropped; extras
    are always present (null when empty)."""
    extras = extras or ExtraColumns()
    numeric = {column.name for column in SHIPMENT_COLUMNS if column.kind in NUMERIC_KINDS}
    numeric |= set(extras.numeric)
    names = [*(column.name for column in SHIPMENT_COLUMNS), *extras.names]
    records = []
    for row in rows.to_dict("records"):
        record = dict.fromkeys(extras.names)
        for name in names:
            value = row.get(name)
            if value is None or pd.isna(value) or value == "":
                continue
            record[name] = _number(value) if name in numeric else str(value)
        records.append(record)
    return records


def _number(value) -> float | str:
    try:
        return float(value)
    except ValueError:
        return str(value)
