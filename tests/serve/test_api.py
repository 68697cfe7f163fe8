"""The HTTP service as a client meets it: a real `divert serve` process on loopback."""

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass

import pandas as pd
import pytest

from serve.api import MAX_BODY_BYTES, MAX_RECORDS, json_records
from tests.factories import shipment

TOKEN = "test-token-4f9d"
STARTUP_SECONDS = 120


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    token: str | None

    def request(
        self, method: str, path: str, body=None, *, token: str | None = "default", raw=None
    ) -> tuple[int, dict]:
        token = self.token if token == "default" else token
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        payload = raw if raw is not None else (None if body is None else json.dumps(body))
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        assert "Traceback" not in text
        return response.status, json.loads(text)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(home, token: str | None, workers: int = 1, model: str | None = None) -> Server:
    port = _free_port()
    environment = {**os.environ, "DIVERT_HOME": str(home)}
    environment.pop("MLFLOW_TRACKING_URI", None)
    environment.pop("DIVERT_API_TOKEN", None)
    if token:
        environment["DIVERT_API_TOKEN"] = token
    process = subprocess.Popen(
        [sys.executable, "-m", "serve", "serve", "--port", str(port), "--workers", str(workers)]
        + (["--model", model] if model else []),
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = Server(port, process, token)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()
        try:
            if server.request("GET", "/v1/health", token=None)[0] == 200:
                return server
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise AssertionError(f"divert serve did not answer within {STARTUP_SECONDS} s")


def _stop(server: Server) -> str:
    server.process.terminate()
    output, _ = server.process.communicate(timeout=30)
    return output


@pytest.fixture(scope="module")
def secured(trained):
    server = _start(trained.home, TOKEN)
    yield server
    assert "Traceback" not in _stop(server)


@pytest.fixture(scope="module")
def open_server(trained):
    server = _start(trained.home, None)
    yield server
    _stop(server)


@pytest.fixture(scope="module")
def later_rows(trained) -> pd.DataFrame:
    return pd.read_csv(trained.later, dtype="str", keep_default_na=False).head(120)


def test_health_answers_without_a_token(secured):
    assert secured.request("GET", "/v1/health", token=None) == (200, {"status": "ok"})


@pytest.mark.parametrize("token", [None, "wrong-token"], ids=["no token", "wrong token"])
@pytest.mark.parametrize("path", ["/v1/model", "/v1/score", "/docs"])
def test_everything_but_health_needs_the_token_when_one_is_set(secured, path, token):
    method = "POST" if path == "/v1/score" else "GET"
    status, body = secured.request(method, path, [shipment()], token=token)
    assert status == 401
    assert body == {"detail": "missing or wrong bearer token"}


def test_without_a_configured_token_no_authentication_is_asked(open_server):
    status, body = open_server.request("GET", "/v1/model", token=None)
    assert status == 200 and body["name"] == "diversion-detector"


def test_the_model_endpoint_names_version_alias_threshold_contract_and_seeds(secured, trained):
    status, body = secured.request("GET", "/v1/model")
    assert status == 200
    assert body["name"] == trained.config.model_name
    assert body["version"] == trained.result.version
    assert body["alias"] == "champion"
    assert 0 < body["threshold"] < 1
    assert body["threshold_source"].startswith("training run")
    assert body["feature_contract"]["features"][0] == "hs_chpl_listed"
    assert body["seeds_version"] == body["feature_contract"]["seeds_version"]


def test_two_worker_processes_answer_as_one_does(trained, secured, later_rows):
    server = _start(trained.home, TOKEN, workers=2)
    try:
        records = json_records(later_rows.head(20))
        for request in ([records[0]], records[1:4], records):
            assert server.request("POST", "/v1/score", request) == secured.request(
                "POST", "/v1/score", request
            )
    finally:
        assert "Traceback" not in _stop(server)


def test_a_request_does_not_change_what_later_requests_see(secured, later_rows):
    records = json_records(later_rows)
    _, first = secured.request("POST", "/v1/score", records[-1:])
    secured.request("POST", "/v1/score", records[:-1])
    _, again = secured.request("POST", "/v1/score", records[-1:])
    assert again == first


def _record(**changes):
    return {**json_records(pd.DataFrame([shipment()]))[0], **changes}


def _without(name: str) -> dict:
    return {key: value for key, value in _record().items() if key != name}


BAD_RECORDS = {
    "missing required field": ([_without("hs_code")], ["body", 0, "hs_code"], "missing"),
    "number where text belongs": ([_record(hs_code=854231)], ["body", 0, "hs_code"], "string_type"),
    "text where a number belongs": (
        [_record(value_usd="lots")], ["body", 0, "value_usd"], "float_parsing",
    ),
    "unknown field": ([_record(colour="red")], ["body", 0, "colour"], "extra_forbidden"),
    "date not ISO": (
        [_record(), _record(shipment_id="S-2", ship_date="14/03/2025")],
        ["body", 1, "ship_date"], "shipment_contract",
    ),
    "unknown country": (
        [_record(consignee_country="Narnia")], ["body", 0, "consignee_country"],
        "shipment_contract",
    ),
    "negative value": ([_record(value_usd=-5.0)], ["body", 0, "value_usd"], "shipment_contract"),
    "empty batch": ([], ["body"], "too_short"),
    "an object, not a list": (_record(), ["body"], "list_type"),
}  # fmt: skip


@pytest.mark.parametrize(("body", "location", "kind"), BAD_RECORDS.values(), ids=BAD_RECORDS)
def test_bad_records_get_422_with_the_path_of_the_broken_field(secured, body, location, kind):
    status, answer = secured.request("POST", "/v1/score", body)
    assert status == 422
    assert {"loc": location, "type": kind}.items() <= answer["detail"][0].items()


def test_a_body_that_is_not_json_gets_422(secured):
    status, answer = secured.request("POST", "/v1/score", raw="{not json")
    assert status == 422 and answer["detail"][0]["type"] == "json_invalid"


def test_more_than_the_record_limit_gets_413(secured):
    status, answer = secured.request("POST", "/v1/score", [_record()] * (MAX_RECORDS + 1))
    assert status == 413
    assert answer["detail"] == f"at most {MAX_RECORDS} records per request"


def test_a_body_over_the_byte_limit_gets_413_before_it_is_read(secured):
    padding = "x" * (MAX_BODY_BYTES + 1)
    status, answer = secured.request("POST", "/v1/score", raw=padding)
    assert status == 413 and "request body over" in answer["detail"]


def test_a_chunked_body_over_the_byte_limit_gets_413(secured):
    connection = http.client.HTTPConnection("127.0.0.1", secured.port, timeout=60)
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    chunks = (b"x" * 65536 for _ in range(MAX_BODY_BYTES // 65536 + 2))
    try:
        connection.request("POST", "/v1/score", body=chunks, headers=headers, encode_chunked=True)
        response = connection.getresponse()
        status, text = response.status, response.read().decode()
    finally:
        connection.close()
    assert status == 413 and "Traceback" not in text
