"""``divert score`` on bad input: every case ends in the rejects or in one clear message.

The rules, as a user meets them (the command runs in-process through ``serve.cli.main``):

- a bad row goes to the rejects file with its line number and reason, every other row is
  scored, and ``rows_read == rows_scored + rows_rejected`` in the summary;
- harmless variations of a file (byte order mark, CRLF, other delimiters, quoting, long text,
  gzip, Parquet) are scored like a plain file, their text kept (trimmed of outer spaces);
- a file, option, model or output path that cannot be used stops the run with exit 1 (bad
  input) or 2 (usage) and one message; never a traceback nor an "unexpected" error, and the
  output folder is left exactly as it was (no output, rejects or summary, no temporary files,
  the input untouched);
- a file with no row that can be scored is unusable (exit 1, as for ``divert validate``), but
  its rejects and summary are written so that the user can see why;
- a rerun writes byte-identical output and rejects, whatever the format.
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import io
import json
import os
import random
import signal
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import mlflow
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from models.pyfunc import BUNDLE_ARTIFACT, DiversionModel, signature
from models.tracking import experiment_id, load_registered_bundle, pip_requirements
from serve.cli import DEBUG_VARIABLE, STOP_SIGNALS, main
from serve.scoring import summary_path
from tests.factories import shipment, shipments

GOOD = shipments(3)
GOOD_IDS = [row["shipment_id"] for row in GOOD]
BAD_LINE = len(GOOD) + 2
"""The line of a row appended after ``GOOD``: the header is line 1."""
LATIN_NAME = "Société Générale d'Électronique"
LONG_TEXT = " ".join(["silicon wafers"] * 70_000)
"""About 1 MB of goods description: long free text is legal and kept as it is."""
MULTILINE_TEXT = 'chips, "boards"\nand\r\nmore'
"""A quoted value with the delimiter, doubled quotes and embedded line breaks."""


def csv_bytes(
    rows: list[dict[str, str]],
    *,
    delimiter: str = ",",
    line_end: str = "\n",
    encoding: str = "utf-8",
) -> bytes:
    """Rows as a CSV file (quoted where needed; ``surrogateescape`` lets a test put raw bytes
    in a value)."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator=line_end)
    writer.writerow(rows[0])
    writer.writerows(row.values() for row in rows)
    errors = "surrogateescape" if encoding == "utf-8" else "strict"
    return text.getvalue().encode(encoding, errors)


def with_row(**overrides: str) -> bytes:
    """``GOOD`` plus one row ``S-BAD`` (at ``BAD_LINE``) with ``overrides``."""
    return csv_bytes([*GOOD, shipment(**{"shipment_id": "S-BAD", **overrides})])


def parquet_bytes(rows: list[dict[str, str]]) -> bytes:
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), sink)
    return sink.getvalue()


def gzip_bytes(content: bytes) -> bytes:
    return gzip.compress(content, mtime=0)


GOOD_BYTES = csv_bytes(GOOD)
HEADER, FIRST_ROW = GOOD_BYTES.split(b"\n")[:2]
UTF16_BYTES = GOOD_BYTES.decode().encode("utf-16")
MULTILINE = [dict(row) for row in GOOD]
MULTILINE[1]["goods_description"] = MULTILINE_TEXT
UNBALANCED = FIRST_ROW.replace(b"S-0000", b"S-BAD").replace(b"microcontrollers", b'"chips')


# --- the runner ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    code: int
    stderr: str


@pytest.fixture
def divert_score(trained, monkeypatch, capsys) -> Callable[..., Outcome]:
    """Run ``divert score *args`` in-process against the session's store; return the exit code
    and stderr. ``main`` installs SIGINT/SIGTERM handlers: they are restored afterwards."""
    monkeypatch.setenv("DIVERT_HOME", str(trained.home))
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv(DEBUG_VARIABLE, raising=False)

    def run(*args: object) -> Outcome:
        monkeypatch.setattr(sys, "argv", ["divert", "score", *map(str, args)])
        handlers = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
        capsys.readouterr()
        try:
            with pytest.raises(SystemExit) as exited:
                main()
        finally:
            for signum, handler in handlers.items():
                signal.signal(signum, handler)
        return Outcome(exited.value.code or 0, capsys.readouterr().err)

    return run


def assert_clear(outcome: Outcome, code: int, message: str) -> None:
    assert outcome.code == code, outcome.stderr
    assert message in outcome.stderr
    assert "Traceback" not in outcome.stderr
    assert "unexpected" not in outcome.stderr
    if code == 1:
        assert f"\n{outcome.stderr}".count("\nerror: ") == 1
    else:
        assert "Usage:" in outcome.stderr


def snapshot(folder: Path) -> dict[str, object]:
    """Every entry under ``folder``: file bytes, 'folder', or a symlink's target."""
    entries: dict[str, object] = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_symlink():
            entries[name] = f"-> {os.readlink(path)}"
        elif path.is_dir():
            entries[name] = "folder"
        else:
            entries[name] = path.read_bytes()
    return entries


def hidden(folder: Path) -> list[str]:
    """Temporary files and folders a run leaves behind (``.divert-score-*``, ``.*.partial``)."""
    return sorted(path.name for path in folder.iterdir() if path.name.startswith("."))


def written(out: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The scored rows, the rejects and the summary of a run into ``out``."""
    text = {"dtype": "str", "keep_default_na": False}
    scored = pd.read_parquet(out) if out.suffix == ".parquet" else pd.read_csv(out, **text)
    rejects = pd.read_csv(out.with_name(out.name + ".rejects.csv"), **text)
    return scored, rejects, json.loads(summary_path(out).read_text())


# --- a bad row ends in the rejects --------------------------------------------------------


@dataclass(frozen=True)
class Rejected:
    content: bytes
    reason: str
    line: int = BAD_LINE
    name: str = "in.csv"
    scored: tuple[str, ...] = tuple(GOOD_IDS)
    raw_text: tuple[str, ...] = ()
    """Text the reject's ``raw_text`` keeps (rows that could not be split into fields)."""


REJECTED = {
    "invalid UTF-8 byte in a value": Rejected(
        with_row(goods_description="caf\udce9"), "not valid UTF-8"
    ),
    "latin-1 text read as UTF-8": Rejected(
        csv_bytes(
            [*GOOD, shipment(shipment_id="S-BAD", consignee_name=LATIN_NAME)], encoding="latin-1"
        ),
        "not valid UTF-8",
    ),
    "NUL byte in a value": Rejected(with_row(goods_description="micro\x00chips"), "NUL"),
    "too many fields": Rejected(
        GOOD_BYTES + FIRST_ROW.replace(b"S-0000", b"S-BAD") + b",extra\n",
        "row has 26 fields, the header has 25",
        raw_text=("S-BAD", "extra"),
    ),
    "too few fields": Rejected(
        GOOD_BYTES + b"S-BAD,2023-01-01,DE1\n",
        "row has 3 fields, the header has 25",
        raw_text=("S-BAD,2023-01-01,DE1",),
    ),
    "unbalanced quote in the last row": Rejected(
        GOOD_BYTES + UNBALANCED + b"\n", "the header has 25", raw_text=("S-BAD", '"chips')
    ),
    "unbalanced quote mid-file joins the next record, both kept as raw text": Rejected(
        b"\n".join([HEADER, FIRST_ROW, UNBALANCED, *GOOD_BYTES.split(b"\n")[2:]]),
        "the header has 25",
        line=3,
        scored=("S-0000", "S-0002"),
        raw_text=("S-BAD", "S-0001"),
    ),
    "ragged row after a quoted multi-line value: lines count records": Rejected(
        csv_bytes(MULTILINE) + b"S-BAD,2023-01-01,DE1\n", "row has 3 fields"
    ),
    "bad value after a quoted multi-line value: lines count records": Rejected(
        csv_bytes([*MULTILINE, shipment(shipment_id="S-BAD", value_usd="-5")]),
        "value_usd: must not be negative: '-5'",
    ),
    "Excel serial date": Rejected(with_row(ship_date="45000"), "ship_date: not an ISO 8601 date"),
    "day/month/year date": Rejected(
        with_row(ship_date="14/03/2023"), "ship_date: not an ISO 8601 date"
    ),
    "impossible date": Rejected(with_row(ship_date="2023-02-30"), "ship_date: not an ISO 8601"),
    "thousands separator": Rejected(with_row(value_usd="12,500.00"), "no thousands separator"),
    "European decimal comma": Rejected(
        with_row(value_usd="12500,50"), "value_usd: not a plain number"
    ),
    "European thousands and decimals in a semicolon file": Rejected(
        csv_bytes([*GOOD, shipment(shipment_id="S-BAD", value_usd="12.500,00")], delimiter=";"),
        "value_usd: not a plain number",
    ),
    "currency sign": Rejected(with_row(value_usd="$12500"), "value_usd: not a plain number"),
    "currency code": Rejected(with_row(value_usd="12500 USD"), "value_usd: not a plain number"),
    "NaN": Rejected(with_row(value_usd="NaN"), "value_usd: not a plain number"),
    "infinity": Rejected(with_row(value_usd="inf"), "value_usd: not a plain number"),
    "negative value": Rejected(with_row(value_usd="-5"), "value_usd: must not be negative"),
    "negative quantity": Rejected(with_row(quantity="-1"), "quantity: must not be negative"),
    "unknown country": Rejected(
        with_row(consignee_country="Narnia"), "consignee_country: not a known country"
    ),
    "HS code with letters": Rejected(with_row(hs_code="8542AB"), "hs_code: not an HS code"),
    "HS code too short": Rejected(with_row(hs_code="85423"), "hs_code: not an HS code"),
    "empty required value": Rejected(with_row(exporter_id=""), "exporter_id: required value"),
    "whitespace-only required value": Rejected(
        with_row(exporter_id="   "), "exporter_id: required value missing"
    ),
    "neither consignee name nor id": Rejected(
        with_row(consignee_name="", consignee_id=" "), "consignee_name: required value missing"
    ),
    "duplicate shipment id": Rejected(
        with_row(shipment_id="S-0001"), "shipment_id: repeats an earlier row's id"
    ),
    "gzip file with a bad row": Rejected(
        gzip_bytes(with_row(value_usd="-5")), "value_usd: must not be negative", name="in.csv.gz"
    ),
    "Parquet file with a bad row (lines are row numbers from 1)": Rejected(
        parquet_bytes([*GOOD, shipment(shipment_id="S-BAD", hs_code="none")]),
        "hs_code: not an HS code",
        line=len(GOOD) + 1,
        name="in.parquet",
    ),
}


@pytest.mark.parametrize("case", REJECTED.values(), ids=REJECTED)
def test_a_bad_row_goes_to_the_rejects_and_every_other_row_is_scored(divert_score, tmp_path, case):
    path, out = tmp_path / case.name, tmp_path / "scored.csv"
    path.write_bytes(case.content)
    outcome = divert_score(path, "--out", out)
    assert outcome.code == 0, outcome.stderr
    scored, rejects, summary = written(out)
    assert rejects["line"].tolist() == [str(case.line)]
    assert case.reason in rejects.loc[0, "reason"]
    for text in case.raw_text:
        assert text in rejects.loc[0, "raw_text"]
    assert scored["shipment_id"].tolist() == list(case.scored)
    assert summary["rows_read"] == summary["rows_scored"] + summary["rows_rejected"]
    assert (summary["rows_scored"], summary["rows_rejected"]) == (len(case.scored), 1)
    assert hidden(tmp_path) == []


# --- harmless variations are scored like a plain file --------------------------------------


@dataclass(frozen=True)
class Accepted:
    content: bytes
    name: str = "in.csv"
    column_map: str | None = None
    kept: tuple[str, str, str] | None = None
    """(shipment_id, column, value): a value that must come out exactly as it went in."""
    ids: tuple[str, ...] = tuple(GOOD_IDS)


LATIN_ROWS = [*GOOD, shipment(shipment_id="S-LATIN", consignee_name=LATIN_NAME)]

ACCEPTED = {
    "byte order mark": Accepted(b"\xef\xbb\xbf" + GOOD_BYTES),
    "windows line endings": Accepted(csv_bytes(GOOD, line_end="\r\n")),
    "semicolon delimiter": Accepted(csv_bytes(GOOD, delimiter=";")),
    "tab delimiter": Accepted(csv_bytes(GOOD, delimiter="\t")),
    "pipe delimiter": Accepted(csv_bytes(GOOD, delimiter="|")),
    "quoted value with delimiter, doubled quotes and line breaks": Accepted(
        csv_bytes(MULTILINE), kept=("S-0001", "goods_description", MULTILINE_TEXT)
    ),
    "a 1 MB description": Accepted(
        with_row(shipment_id="S-LONG", goods_description=LONG_TEXT),
        kept=("S-LONG", "goods_description", LONG_TEXT),
        ids=(*GOOD_IDS, "S-LONG"),
    ),
    "latin-1 file with the encoding in the column map": Accepted(
        csv_bytes(LATIN_ROWS, encoding="latin-1"),
        column_map='[read]\nencoding = "latin-1"\n',
        kept=("S-LATIN", "consignee_name", LATIN_NAME),
        ids=(*GOOD_IDS, "S-LATIN"),
    ),
    "UTF-16 file with the encoding in the column map": Accepted(
        UTF16_BYTES, column_map='[read]\nencoding = "utf-16"\n'
    ),
    "blank lines between rows": Accepted(GOOD_BYTES.replace(b"\n", b"\n\n")),
    "spaces around names and values": Accepted(
        csv_bytes([{f" {k} ": f" {v} " for k, v in row.items()} for row in GOOD])
    ),
    "an extra column is passed through": Accepted(
        GOOD_BYTES.replace(b"\n", b",kept\n").replace(b"outcome_date,kept", b"outcome_date,note"),
        kept=("S-0002", "note", "kept"),
    ),
    "a label, even a malformed one, is ignored": Accepted(
        with_row(shipment_id="S-LABEL", diverted="yes"),
        kept=("S-LABEL", "diverted", "yes"),
        ids=(*GOOD_IDS, "S-LABEL"),
    ),
    "gzip file": Accepted(gzip_bytes(GOOD_BYTES), name="in.csv.gz"),
    "Parquet file": Accepted(parquet_bytes(GOOD), name="in.parquet"),
}


def test_unknown_codes_in_optional_fields_and_no_charge_rows_are_scored_and_counted(
    divert_score, tmp_path
):
    rows = [
        *GOOD,
        shipment(shipment_id="S-ZZ", origin_country="ZZ", payer_country="XX", incoterm="00"),
        shipment(shipment_id="S-FREE", value_usd="0", transport_mode="unknown-mode"),
    ]
    path, out = tmp_path / "in.csv", tmp_path / "scored.csv"
    path.write_bytes(csv_bytes(rows))
    outcome = divert_score(path, "--out", out)
    assert outcome.code == 0, outcome.stderr
    scored, rejects, summary = written(out)
    assert rejects.empty and summary["rows_scored"] == len(rows)
    assert summary["read_as_missing"] == {
        "incoterm": 1, "origin_country": 1, "payer_country": 1, "transport_mode": 1
    }  # fmt: skip
    assert "column 'origin_country': 1 unknown code(s) read as missing" in outcome.stderr
    assert scored.set_index("shipment_id").loc["S-ZZ", "origin_country"] == "ZZ", "kept as given"


@pytest.mark.parametrize("case", ACCEPTED.values(), ids=ACCEPTED)
def test_harmless_variations_are_scored_like_a_plain_file(divert_score, tmp_path, case):
    path, out = tmp_path / case.name, tmp_path / "scored.csv"
    path.write_bytes(case.content)
    options = []
    if case.column_map:
        (tmp_path / "map.toml").write_text(case.column_map)
        options = ["--column-map", tmp_path / "map.toml"]
    outcome = divert_score(path, "--out", out, *options)
    assert outcome.code == 0, outcome.stderr
    scored, rejects, summary = written(out)
    assert rejects.empty, rejects.to_dict("records")
    assert scored["shipment_id"].tolist() == list(case.ids)
    assert scored["diversion_score"].astype(float).between(0, 1).all()
    assert summary["rows_read"] == summary["rows_scored"] == len(case.ids)
    if case.kept:
        shipment_id, column, value = case.kept
        assert scored.set_index("shipment_id").loc[shipment_id, column] == value
    assert hidden(tmp_path) == []


# --- what cannot be used stops the run with one message and writes nothing ------------------


@dataclass(frozen=True)
class Refused:
    message: str
    content: bytes | None = GOOD_BYTES
    """The input file's bytes; None: no file is written."""
    options: tuple[str, ...] = ()
    """Further arguments; ``{folder}`` and ``{input}`` are filled in."""
    out: str | None = "{folder}/scored.csv"
    """The ``--out`` argument; None: the option is left out."""
    code: int = 1
    setup: Callable[[Path], object] | None = None
    """Prepares the folder (column maps, watchlists, things in the way)."""
    name: str = "in.csv"


def _file(name: str, content: str = "") -> Callable[[Path], object]:
    return lambda folder: (folder / name).write_text(content)


def _folder(name: str) -> Callable[[Path], object]:
    return lambda folder: (folder / name).mkdir()


def _symlink_to_input(name: str) -> Callable[[Path], object]:
    return lambda folder: (folder / name).symlink_to(folder / "in.csv")


MAP = ("--column-map", "{folder}/map.toml")
WATCHLIST = ("--watchlist", "{folder}/watchlist.csv")

REFUSED = {
    # the input file
    "empty file": Refused("the file is empty", content=b""),
    "blank lines only": Refused("the file is empty", content=b"\n\n  \n"),
    "blank first line": Refused("line 1 is blank", content=b"\n" + GOOD_BYTES),
    "random binary garbage": Refused("cannot be used", content=random.Random(2).randbytes(4000)),
    "UTF-16 file without an encoding": Refused("UTF-16", content=UTF16_BYTES),
    "missing required column": Refused(
        "column 'hs_code': required column missing",
        content=GOOD_BYTES.replace(b"hs_code", b"tariff_code", 1),
    ),
    "header repeats a name": Refused(
        "column name(s) ['hs_code'] appear more than once",
        content=GOOD_BYTES.replace(b"goods_description", b"hs_code", 1),
    ),
    "already scored file": Refused(
        "already has column(s) ['diversion_score'] (is it a scored file?)",
        content=GOOD_BYTES.replace(b"goods_description", b"diversion_score", 1),
    ),
    "ground-truth column": Refused(
        "column 'truth_diverted': simulator ground truth is never an input",
        content=GOOD_BYTES.replace(b"goods_description", b"truth_diverted", 1),
    ),
    "truncated gzip": Refused(
        "cannot be parsed as csv.gz", content=gzip_bytes(GOOD_BYTES)[:60], name="in.csv.gz"
    ),
    "corrupt Parquet": Refused(
        "cannot be parsed as parquet",
        content=b"PAR1" + random.Random(3).randbytes(500),
        name="in.parquet",
    ),
    "input is a folder": Refused("not a regular file", content=None, setup=_folder("in.csv")),
    "input missing": Refused("no such file", content=None),
    # output paths
    "output folder missing": Refused("does not exist", out="{folder}/missing/scored.csv"),
    "output folder is a file": Refused(
        "is not a folder", out="{folder}/a-file/scored.csv", setup=_file("a-file")
    ),
    "output is a folder": Refused("it is a folder", setup=_folder("scored.csv")),
    "output is the input": Refused("is the input file", out="{input}"),
    "output is the input, spelled another way": Refused(
        "is the input file", out="{folder}/sub/../in.csv", setup=_folder("sub")
    ),
    "output is a symlink to the input": Refused(
        "is the input file", setup=_symlink_to_input("scored.csv")
    ),
    "rejects are the input": Refused("is the input file", options=("--rejects", "{input}")),
    "rejects are the output": Refused(
        "is the --out path", options=("--rejects", "{folder}/scored.csv")
    ),
    "rejects folder missing": Refused(
        "does not exist", options=("--rejects", "{folder}/missing/rejects.csv")
    ),
    # options
    "unknown output format": Refused("unknown output format 'xlsx'", options=("--format", "xlsx")),
    "threshold above 1": Refused("'--threshold'", options=("--threshold", "1.5"), code=2),
    "negative threshold": Refused("'--threshold'", options=("--threshold", "-0.1"), code=2),
    "threshold not a number": Refused("'--threshold'", options=("--threshold", "high"), code=2),
    "chunk size 0": Refused("'--chunk-size'", options=("--chunk-size", "0"), code=2),
    "no --out": Refused("Missing option '--out'", out=None, code=2),
    "unknown option": Refused("No such option", options=("--colour", "red"), code=2),
    # column map
    "column map missing": Refused("cannot read column map", options=MAP),
    "column map is not TOML": Refused(
        "is not valid TOML", options=MAP, setup=_file("map.toml", "[columns\n")
    ),
    "column map names an unknown column": Refused(
        "'consignee', which is not a canonical column",
        options=MAP,
        setup=_file("map.toml", '[columns]\nconsignee = "Buyer"\n'),
    ),
    "column map maps a column the file lacks": Refused(
        "source column 'Buyer', which the file lacks",
        options=MAP,
        setup=_file("map.toml", '[columns]\nconsignee_name = "Buyer"\n'),
    ),
    "column map with an unknown encoding": Refused(
        "encoding 'klingon' is not known",
        options=MAP,
        setup=_file("map.toml", '[read]\nencoding = "klingon"\n'),
    ),
    # watchlist
    "watchlist missing": Refused("cannot be read", options=WATCHLIST),
    "watchlist of an unknown format": Refused(
        "unknown header", options=WATCHLIST, setup=_file("watchlist.csv", "foo,bar\n1,2\n")
    ),
    "watchlist with malformed rows": Refused(
        "malformed rows",
        options=WATCHLIST,
        setup=_file("watchlist.csv", "name,country\nAcme,XX\n,DE\n"),
    ),
    # model
    "model URI is not a URI": Refused("'foo' is not a registry URI", options=("--model", "foo")),
    "model URI of a run": Refused(
        "is not a registry URI", options=("--model", "runs:/0123abcd/model")
    ),
    "model URI without version or alias": Refused(
        "names no alias or version", options=("--model", "models:/diversion-detector")
    ),
    "model version not a number": Refused(
        "version 'latest' is not a number", options=("--model", "models:/diversion-detector/latest")
    ),
    "unknown model name": Refused(
        "no model version at 'models:/nobody@champion'",
        options=("--model", "models:/nobody@champion"),
    ),
    "unknown alias": Refused(
        "no model version at 'models:/diversion-detector@nobody'",
        options=("--model", "models:/diversion-detector@nobody"),
    ),
    "unknown version": Refused(
        "no model version at 'models:/diversion-detector/99'",
        options=("--model", "models:/diversion-detector/99"),
    ),
}


def run_refused(divert_score, folder: Path, case: Refused, *extra: object) -> Outcome:
    """Run ``case`` in ``folder``; check its message and that the folder did not change."""
    folder.mkdir(exist_ok=True)
    path = folder / case.name
    if case.content is not None:
        path.write_bytes(case.content)
    if case.setup:
        case.setup(folder)
    before = snapshot(folder)
    fill = {"folder": folder, "input": path}
    out = () if case.out is None else ("--out", case.out.format(**fill))
    outcome = divert_score(path, *out, *(option.format(**fill) for option in case.options), *extra)
    assert_clear(outcome, case.code, case.message)
    assert snapshot(folder) == before
    return outcome


@pytest.mark.parametrize("case", REFUSED.values(), ids=REFUSED)
def test_what_cannot_be_used_stops_with_one_message_and_writes_nothing(
    divert_score, tmp_path, case
):
    run_refused(divert_score, tmp_path / "work", case)


def test_a_model_with_another_feature_contract_is_refused(
    divert_score, trained, store_copy, tmp_path, monkeypatch
):
    bundle = load_registered_bundle(f"models:/{trained.config.model_name}/{trained.result.version}")
    bundle.contract = dataclasses.replace(
        bundle.contract, features=(*bundle.contract.features[:-1], "screen_retired_feature")
    )
    (tmp_path / "bundle").mkdir()
    with (
        mlflow.start_run(experiment_id=experiment_id(store_copy, "other-contract")),
        warnings.catch_warnings(),
    ):
        # No input example on purpose: MLflow would load and run the model while logging it.
        warnings.filterwarnings("ignore", ".*An input example was not provided")
        logged = mlflow.pyfunc.log_model(
            name="model",
            python_model=DiversionModel(),
            artifacts={BUNDLE_ARTIFACT: str(bundle.save(tmp_path / "bundle"))},
            signature=signature(bundle.contract),
            pip_requirements=pip_requirements(),
        )
    version = mlflow.register_model(logged.model_uri, trained.config.model_name).version
    monkeypatch.setenv("DIVERT_HOME", str(tmp_path / "home"))
    uri = f"models:/{trained.config.model_name}/{version}"
    case = Refused("the model's feature contract does not match", options=("--model", uri))
    run_refused(divert_score, tmp_path / "work", case)


def test_an_empty_store_says_how_to_get_a_model(divert_score, tmp_path, monkeypatch):
    monkeypatch.setenv("DIVERT_HOME", str(tmp_path / "empty-home"))
    outcome = run_refused(divert_score, tmp_path / "work", Refused("no model is registered"))
    assert "divert train" in outcome.stderr and "divert demo" in outcome.stderr


# --- a file with no row to score is unusable, and the rejects say why -----------------------

UNUSABLE = {
    "header only": (HEADER + b"\n", "has a header but no rows", 0),
    "header and blank lines": (GOOD_BYTES.split(b"\n")[0] + b"\n\n\n", "has a header but no", 0),
    "every row rejected": (
        csv_bytes(shipments(4, ship_date="14/03/2023")),
        "none of the 4 rows",
        4,
    ),
}


@pytest.mark.parametrize(("content", "message", "rejected"), UNUSABLE.values(), ids=UNUSABLE)
def test_a_file_with_no_row_to_score_exits_1_and_keeps_the_rejects(
    divert_score, tmp_path, content, message, rejected
):
    path, out = tmp_path / "in.csv", tmp_path / "scored.csv"
    path.write_bytes(content)
    outcome = divert_score(path, "--out", out)
    assert_clear(outcome, 1, message)
    rejects_path = out.with_name(out.name + ".rejects.csv")
    with rejects_path.open(newline="") as handle:
        columns = next(csv.reader(handle), [])
    assert columns[:2] == ["line", "reason"], "the rejects file has no header"
    scored, rejects, summary = written(out)
    assert scored.empty and "diversion_score" in scored.columns
    assert rejects["line"].tolist() == [str(line) for line in range(2, 2 + rejected)]
    if rejected:
        assert str(rejects_path) in outcome.stderr
    assert summary["rows_read"] == summary["rows_rejected"] == rejected
    assert summary["rows_scored"] == 0
    assert hidden(tmp_path) == []


# --- a rerun gives byte-identical output -----------------------------------------------------


@pytest.mark.parametrize("name", ["scored.csv", "scored.csv.gz", "scored.parquet"])
def test_a_rerun_writes_byte_identical_output_and_rejects(divert_score, tmp_path, name):
    path, out = tmp_path / "in.csv", tmp_path / name
    path.write_bytes(with_row(hs_code="none") + csv_bytes(shipments(40)).split(b"\n", 4)[-1])
    rejects = out.with_name(out.name + ".rejects.csv")
    runs = []
    for _ in range(2):
        outcome = divert_score(path, "--out", out)
        assert outcome.code == 0, outcome.stderr
        runs.append((out.read_bytes(), rejects.read_bytes()))
    assert runs[0] == runs[1]
    if name.endswith(".gz"):
        assert runs[0][0][4:8] == b"\0\0\0\0", "the gzip header carries a timestamp"
    assert hidden(tmp_path) == []
