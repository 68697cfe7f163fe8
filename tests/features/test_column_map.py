"""A column map adapts a source file's headers to the contract."""

import pytest

from features.column_map import load_column_map
from features.errors import ColumnMapError, ShipmentFileError
from features.intake import iter_validated, validate_file
from tests.factories import shipments, write_csv

SOURCE_HEADERS = {"shipment_id": "Declaration No", "consignee_name": "Buyer", "hs_code": "Tariff"}


def _source_rows(count: int = 3) -> list[dict[str, str]]:
    rows = shipments(count)
    renamed = []
    for row in rows:
        row = {SOURCE_HEADERS.get(name, name): value for name, value in row.items()}
        del row["destination_country"]
        renamed.append({**row, "port": "Hamburg", "lines": "4"})
    return renamed


def _map(tmp_path, text: str):
    path = tmp_path / "map.toml"
    path.write_text(text, encoding="utf-8")
    return load_column_map(path)


MAP_TEXT = """
[columns]
shipment_id = "Declaration No"
consignee_name = "Buyer"
hs_code = "Tariff"

[constants]
destination_country = "Korea, Republic of"

[extras]
categorical = ["port"]
numeric = ["lines"]
"""


def test_a_column_map_renames_adds_constants_and_keeps_extras(tmp_path):
    path = write_csv(tmp_path / "in.csv", _source_rows())
    (chunk,) = iter_validated(path, _map(tmp_path, MAP_TEXT))
    assert chunk.rejects.empty
    valid = chunk.shipments
    assert valid["shipment_id"].tolist() == ["S-0000", "S-0001", "S-0002"]
    assert set(valid["destination_country"]) == {"KR"}
    assert valid["port"].tolist() == ["Hamburg"] * 3
    assert valid["lines"].dtype == "float64" and valid["lines"].tolist() == [4.0] * 3
    assert "Declaration No" in chunk.source.columns


def test_a_bad_numeric_extra_sends_the_row_to_the_rejects(tmp_path):
    rows = _source_rows()
    rows[1]["lines"] = "four"
    path = write_csv(tmp_path / "in.csv", rows)
    (chunk,) = iter_validated(path, _map(tmp_path, MAP_TEXT))
    assert chunk.rejects["line"].tolist() == [3]
    assert "lines: not a plain number" in chunk.rejects.loc[0, "reason"]


def test_a_mapped_source_column_the_file_lacks_is_named(tmp_path):
    rows = [{k: v for k, v in row.items() if k != "Buyer"} for row in _source_rows()]
    path = write_csv(tmp_path / "in.csv", rows)
    with pytest.raises(ShipmentFileError) as caught:
        validate_file(path, _map(tmp_path, MAP_TEXT))
    message = str(caught.value)
    assert "maps consignee_name to source column 'Buyer', which the file lacks" in message


def test_a_map_forcing_the_wrong_delimiter_gets_a_hint(tmp_path):
    path = write_csv(tmp_path / "in.csv", shipments(2), delimiter=";")
    column_map = _map(tmp_path, '[read]\ndelimiter = ","\n')
    with pytest.raises(ShipmentFileError, match="single column; is the delimiter right"):
        validate_file(path, column_map)


def test_read_options_set_encoding_and_date_format(tmp_path):
    rows = shipments(
        2,
        ship_date="14.03.2023",
        consignee_registered_on="01.06.2022",
        consignee_name="Société Générale Ltée",
    )
    path = tmp_path / "in.csv"
    path.write_bytes(write_csv(tmp_path / "utf8.csv", rows).read_text("utf-8").encode("cp1252"))
    column_map = _map(tmp_path, '[read]\nencoding = "cp1252"\ndate_format = "%d.%m.%Y"\n')
    (chunk,) = iter_validated(path, column_map)
    assert chunk.rejects.empty
    assert chunk.shipments["consignee_name"].iloc[0] == "Société Générale Ltée"
    assert str(chunk.shipments["ship_date"].iloc[0].date()) == "2023-03-14"


def test_an_invalid_constant_is_a_file_level_problem(tmp_path):
    path = write_csv(tmp_path / "in.csv", _source_rows())
    column_map = _map(tmp_path, MAP_TEXT.replace("Korea, Republic of", "Atlantis"))
    with pytest.raises(ShipmentFileError, match="constant destination_country = 'Atlantis'"):
        validate_file(path, column_map)


BAD_MAPS = {
    "not TOML": ("[columns\n", "is not valid TOML"),
    "unknown section": ("[renames]\na = 'b'\n", "unknown section(s) ['renames']"),
    "unknown canonical name": (
        "[columns]\nconsignee = 'Buyer'\n",
        "[columns] names 'consignee', which is not a canonical column",
    ),
    "value not a string": ("[columns]\nshipment_id = 3\n", "must be a non-empty string"),
    "mapped and constant": (
        "[columns]\nhs_code = 'Tariff'\n[constants]\nhs_code = '854231'\n",
        "['hs_code'] appear in both [columns] and [constants]",
    ),
    "source mapped twice": (
        "[columns]\nconsignee_name = 'Buyer'\nend_user_name = 'Buyer'\n",
        "source column(s) ['Buyer'] are mapped more than once",
    ),
    "extras of an unknown kind": ("[extras]\ntext = ['x']\n", "[extras] has ['text']"),
    "extras not a list": ("[extras]\nnumeric = 'x'\n", "[extras] numeric must be a list"),
    "extra clashes with canonical": (
        "[extras]\ncategorical = ['hs_code']\n",
        "clash with canonical or ground-truth column names",
    ),
    "long delimiter": ("[read]\ndelimiter = ';;'\n", "delimiter must be one character"),
    "unknown encoding": ("[read]\nencoding = 'klingon'\n", "encoding 'klingon' is not known"),
    "unknown read option": ("[read]\nquote = '\"'\n", "[read] has ['quote']"),
}


@pytest.mark.parametrize(("text", "message"), BAD_MAPS.values(), ids=BAD_MAPS)
def test_a_malformed_column_map_is_refused_with_its_file_and_entry(tmp_path, text, message):
    with pytest.raises(ColumnMapError) as caught:
        _map(tmp_path, text)
    assert message in str(caught.value)
    assert "map.toml" in str(caught.value)


def test_a_missing_column_map_file_is_a_clear_error(tmp_path):
    with pytest.raises(ColumnMapError, match="cannot read column map"):
        load_column_map(tmp_path / "absent.toml")
