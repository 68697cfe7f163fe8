"""Rules of the shipment contract: what stops a file, what sends a row to the rejects."""

import gzip

import pandas as pd
import pytest

from features.errors import ShipmentFileError
from features.intake import iter_validated, validate_file, validate_frame
from features.writers import write_frame
from tests.factories import shipment, shipments, write_csv


def _csv_bytes(rows: list[dict[str, str]], delimiter: str = ",") -> bytes:
    header = delimiter.join(rows[0])
    lines = [
        delimiter.join(f'"{v}"' if delimiter in v else v for v in row.values()) for row in rows
    ]
    return ("\n".join([header, *lines]) + "\n").encode("utf-8", "surrogateescape")


def _without(column: str, rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{k: v for k, v in row.items() if k != column} for row in rows]


GOOD = shipments(3)
GOOD_BYTES = _csv_bytes(GOOD)
HEADER = GOOD_BYTES.split(b"\n")[0]


def _with_row(**overrides: str) -> bytes:
    return _csv_bytes([*GOOD, shipment(**{"shipment_id": "S-BAD", **overrides})])


FILE_ERRORS = {
    "empty file": (b"", "the file is empty"),
    "blank lines only": (b"\n\n  \n", "the file is empty"),
    "missing required column": (
        _csv_bytes(_without("consignee_country", GOOD)),
        "column 'consignee_country': required column missing",
    ),
    "near-miss header gets a hint": (
        GOOD_BYTES.replace(b"consignee_country", b"Consignee Country", 1),
        "did you mean 'Consignee Country'?",
    ),
    "header repeats a name": (
        GOOD_BYTES.replace(b"goods_description", b"hs_code", 1),
        "column name(s) ['hs_code'] appear more than once",
    ),
    "ground truth column": (
        GOOD_BYTES.replace(b"goods_description", b"truth_diverted", 1),
        "column 'truth_diverted': simulator ground truth is never an input",
    ),
}


@pytest.mark.parametrize(("content", "message"), FILE_ERRORS.values(), ids=FILE_ERRORS)
def test_an_unusable_file_stops_with_one_message_naming_the_problem(tmp_path, content, message):
    path = tmp_path / "in.csv"
    path.write_bytes(content)
    with pytest.raises(ShipmentFileError) as caught:
        validate_file(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)


def test_every_missing_column_is_listed_at_once(tmp_path):
    rows = _without("hs_code", _without("value_usd", GOOD))
    path = tmp_path / "in.csv"
    path.write_bytes(_csv_bytes(rows))
    with pytest.raises(ShipmentFileError) as caught:
        validate_file(path)
    assert "'hs_code': required column missing" in str(caught.value)
    assert "'value_usd': required column missing" in str(caught.value)


@pytest.mark.parametrize(
    ("path_kind", "message"), [("missing", "no such file"), ("directory", "not a regular file")]
)
def test_a_path_that_is_not_a_readable_file_is_refused(tmp_path, path_kind, message):
    path = tmp_path / "nothing.csv"
    if path_kind == "directory":
        path.mkdir()
    with pytest.raises(ShipmentFileError, match=message):
        validate_file(path)


ROW_REJECTS = {
    "duplicate shipment id": (_with_row(shipment_id="S-0001"), "shipment_id: repeats an earlier"),
    "bad date": (_with_row(ship_date="14/03/2023"), "ship_date: not an ISO 8601 date"),
    "Excel serial date": (_with_row(ship_date="45000"), "ship_date: not an ISO 8601 date"),
    "impossible date": (_with_row(ship_date="2023-02-30"), "ship_date: not an ISO 8601 date"),
    "bad registration date": (
        _with_row(consignee_registered_on="June 2022"),
        "consignee_registered_on: not an ISO 8601 date",
    ),
    "negative value": (_with_row(value_usd="-5"), "value_usd: must not be negative"),
    "thousands separator": (_with_row(value_usd="12,500.00"), "no thousands separator"),
    "not a number": (_with_row(value_usd="NaN"), "value_usd: not a plain number"),
    "infinite value": (_with_row(value_usd="inf"), "value_usd: not a plain number"),
    "negative quantity": (_with_row(quantity="-1"), "quantity: must not be negative"),
    "unknown country": (
        _with_row(consignee_country="Narnia"),
        "consignee_country: not a known country (ISO-2, ISO-3 or English name): 'Narnia'",
    ),
    "non-digit HS code": (_with_row(hs_code="8542AB"), "hs_code: not an HS code"),
    "five-digit HS code": (_with_row(hs_code="85423"), "hs_code: not an HS code"),
    "empty required value": (_with_row(exporter_id=""), "exporter_id: required value missing"),
    "neither consignee name nor id": (
        _with_row(consignee_name="", consignee_id=""),
        "consignee_name: required value missing (a consignee needs consignee_name or",
    ),
    "unknown code in a required country": (
        _with_row(destination_country="ZZ"),
        "destination_country: not a known country",
    ),
    "label not 0 or 1": (_with_row(diverted="yes"), "diverted: must be 0, 1 or empty"),
    "too few fields": (GOOD_BYTES + b"S-BAD,2023-01-01,DE1\n", "row has 3 fields, the header has"),
    "too many fields": (
        GOOD_BYTES + GOOD_BYTES.split(b"\n")[1].replace(b"S-0000", b"S-BAD") + b",extra\n",
        "row has 26 fields, the header has 25",
    ),
    "invalid UTF-8": (_with_row(goods_description="caf\udce9"), "not valid UTF-8"),
}


@pytest.mark.parametrize(("content", "reason"), ROW_REJECTS.values(), ids=ROW_REJECTS)
def test_a_bad_row_goes_to_the_rejects_with_its_line_and_reason(tmp_path, content, reason):
    path, rejects_path = tmp_path / "in.csv", tmp_path / "rejects.csv"
    path.write_bytes(content)
    report = validate_file(path, rejects_path=rejects_path)
    rejects = pd.read_csv(rejects_path, dtype=str, keep_default_na=False)
    assert report.usable
    assert report.rows_valid == len(GOOD)
    assert report.rows_read == report.rows_valid + report.rows_rejected == len(GOOD) + 1
    assert rejects["line"].tolist() == [str(len(GOOD) + 2)]
    assert reason in rejects.loc[0, "reason"]


ACCEPTED = {
    "byte order mark": b"\xef\xbb\xbf" + GOOD_BYTES,
    "semicolon delimiter": _csv_bytes(GOOD, ";"),
    "tab delimiter": _csv_bytes(GOOD, "\t"),
    "windows line endings": GOOD_BYTES.replace(b"\n", b"\r\n"),
    "quoted field with newline and comma": GOOD_BYTES
    + GOOD_BYTES.split(b"\n")[1]
    .replace(b"S-0000", b"S-MORE")
    .replace(b"microcontrollers", b'"chips,\nboards"')
    + b"\n",
    "lower-case incoterm and upper-case mode": _with_row(incoterm="fca", transport_mode="AIR"),
    "ISO-3 and English country names": _with_row(consignee_country="ARM", payer_country="Türkiye"),
    "national 10-digit HS code with dots": _with_row(hs_code="8542.31.00.10"),
    "no-charge shipment (declared value 0)": _with_row(value_usd="0"),
    "a consignee id without a name": _with_row(consignee_name=""),
    "extra unmapped column": GOOD_BYTES.replace(b"\n", b",x\n").replace(
        b"outcome_date,x", b"outcome_date,note"
    ),
}


@pytest.mark.parametrize("content", ACCEPTED.values(), ids=ACCEPTED)
def test_harmless_variations_are_accepted(tmp_path, content):
    path = tmp_path / "in.csv"
    path.write_bytes(content)
    report = validate_file(path)
    assert report.rows_rejected == 0, report.tallies
    assert report.rows_valid == report.rows_read > 0


UNKNOWN_CODES = {
    "origin_country": "ZZ",
    "payer_country": "XX",
    "end_user_country": "00",
    "transit_countries": "KZ;QU",
    "transport_mode": "boat",
    "incoterm": "XZ",
}


@pytest.mark.parametrize(("column", "code"), UNKNOWN_CODES.items(), ids=UNKNOWN_CODES)
def test_an_unknown_code_in_an_optional_field_is_read_as_missing_and_counted(
    tmp_path, column, code
):
    path = tmp_path / "in.csv"
    path.write_bytes(_with_row(**{column: code}))
    report = validate_file(path)
    assert report.rows_rejected == 0 and report.rows_valid == len(GOOD) + 1
    assert report.missing_counts == {column: 1}
    (chunk,) = iter_validated(path)
    value = chunk.shipments[column].iloc[-1]
    assert value == "KZ" if column == "transit_countries" else pd.isna(value)


def test_an_outcome_known_before_its_shipment_is_rejected_and_scoring_never_reads_it():
    rows = [
        shipment(shipment_id="A", diverted="1") | {"outcome_date": "2023-03-20"},
        shipment(shipment_id="B", diverted="1") | {"outcome_date": "2023-03-01"},
    ]
    training = validate_frame(pd.DataFrame(rows), labels=True)
    assert training.shipments["shipment_id"].tolist() == ["A"]
    assert "outcome_date: before ship_date: '2023-03-01'" in training.rejects["reason"].iloc[0]
    scoring = validate_frame(pd.DataFrame(rows))
    assert scoring.rejects.empty and scoring.shipments["outcome_date"].isna().all()


def test_one_id_written_in_several_formats_is_one_id():
    rows = [
        shipment(shipment_id=str(i), consignee_id=written, exporter_id=exporter)
        for i, (written, exporter) in enumerate(
            [("KZ-123 456", "DE 1234"), ("kz123456", "de-1234"), ("KZ.123/456", "DE1234")]
        )
    ]
    valid = validate_frame(pd.DataFrame(rows)).shipments
    assert set(valid["consignee_id"]) == {"KZ123456"}
    assert set(valid["exporter_id"]) == {"DE1234"}


def test_an_id_of_separators_only_is_rejected_with_its_reason():
    rows = [
        shipment(shipment_id="A", consignee_id="--"),
        shipment(shipment_id="B", exporter_id="/"),
    ]
    checked = validate_frame(pd.DataFrame(rows))
    assert checked.shipments.empty
    reasons = checked.rejects["reason"].tolist()
    assert "consignee_id: not an id (nothing but separators)" in reasons[0]
    assert "exporter_id: not an id (nothing but separators)" in reasons[1]


def test_a_header_only_file_is_unusable(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(HEADER + b"\n")
    report = validate_file(path)
    assert report.rows_read == 0 and not report.usable


def test_a_file_whose_rows_all_fail_is_unusable(tmp_path):
    path = write_csv(tmp_path / "in.csv", shipments(4, ship_date="14/03/2023"))
    report = validate_file(path)
    assert not report.usable
    tally = report.tallies[("ship_date", "not an ISO 8601 date (YYYY-MM-DD)")]
    assert tally.count == 4
    assert tally.examples == [(2, "14/03/2023"), (3, "14/03/2023"), (4, "14/03/2023")]


def test_valid_rows_come_out_typed_and_normalised(tmp_path):
    row = shipment(consignee_id="", hs_code="8542.31.00", consignee_country="Armenia")
    path = write_csv(tmp_path / "in.csv", [row])
    (chunk,) = iter_validated(path)
    valid = chunk.shipments.iloc[0]
    assert valid["hs_code"] == "854231"
    assert valid["consignee_country"] == "AM"
    assert valid["consignee_id"] == "AM:armtech trading"
    assert valid["ship_date"] == pd.Timestamp("2023-03-14")
    assert valid["value_usd"] == 12500.0
    assert pd.isna(valid["diverted"])
    assert chunk.shipments.index.tolist() == [2]


@pytest.mark.parametrize("chunk_rows", [1, 2, 5, 1000])
def test_validation_does_not_depend_on_the_chunk_size(tmp_path, chunk_rows):
    rows = shipments(9)
    rows[3]["ship_date"] = "bad"
    rows[7]["shipment_id"] = rows[1]["shipment_id"]
    path = write_csv(tmp_path / "in.csv", rows)
    (whole,) = iter_validated(path, chunk_rows=1000)
    parts = list(iter_validated(path, chunk_rows=chunk_rows))
    valid = pd.concat([part.shipments for part in parts])
    rejects = pd.concat([part.rejects for part in parts], ignore_index=True)
    pd.testing.assert_frame_equal(valid, whole.shipments)
    assert rejects["line"].tolist() == [5, 9]


@pytest.mark.parametrize("name", ["in.csv.gz", "in.parquet"])
def test_gzip_and_parquet_files_validate_like_csv(tmp_path, name):
    csv_path = write_csv(tmp_path / "in.csv", shipments(5))
    path = tmp_path / name
    if name.endswith(".gz"):
        path.write_bytes(gzip.compress(csv_path.read_bytes()))
    else:
        write_frame(pd.read_csv(csv_path, dtype=str, keep_default_na=False), path)
    (expected_chunk,) = iter_validated(csv_path)
    expected = expected_chunk.shipments
    (chunk,) = iter_validated(path)
    assert (
        chunk.shipments.drop(columns=[])
        .reset_index(drop=True)
        .equals(expected.reset_index(drop=True))
    )
    assert validate_file(path).rows_valid == 5
