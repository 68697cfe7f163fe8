"""Rules for reading watchlist files into the canonical frame."""

from __future__ import annotations

import csv
import io
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from features.errors import WatchlistError
from features.watchlist import (
    WATCHLIST_COLUMNS,
    WatchlistFormat,
    detect_format,
    read_watchlist,
    watchlist_frame,
)

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "watchlists"
CSL_CURRENT = REFERENCE / "us_csl_sample_current_format.csv"
CSL_LEGACY = REFERENCE / "us_csl_sample_legacy_format.csv"

OPENSANCTIONS_HEADER = (
    "id,schema,name,aliases,birth_date,countries,addresses,identifiers,sanctions,phones,emails,"
    "dataset,first_seen,last_seen,last_change"
)


def write(tmp_path: Path, text: str, name: str = "list.csv") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def entry(frame: pd.DataFrame, name: str) -> pd.Series:
    """The only entry of ``frame`` listed under ``name``."""
    rows = frame[frame["name"] == name]
    assert len(rows) == 1, f"{len(rows)} entries named {name!r}"
    return rows.iloc[0]


@pytest.fixture(scope="module")
def csl_current() -> pd.DataFrame:
    return read_watchlist(CSL_CURRENT)


@pytest.fixture(scope="module")
def csl_legacy() -> pd.DataFrame:
    return read_watchlist(CSL_LEGACY)


# --- format detection ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [(CSL_CURRENT, WatchlistFormat.CSL_CURRENT), (CSL_LEGACY, WatchlistFormat.CSL_LEGACY)],
)
def test_csl_samples_are_told_apart_by_the_id_column(path: Path, expected: WatchlistFormat):
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert detect_format(header) is expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (OPENSANCTIONS_HEADER, WatchlistFormat.OPENSANCTIONS),
        # older exports: no last_change, first_seen and last_seen swapped
        (
            "id,schema,name,aliases,birth_date,countries,addresses,identifiers,sanctions,"
            "phones,emails,dataset,last_seen,first_seen",
            WatchlistFormat.OPENSANCTIONS,
        ),
        ("name", WatchlistFormat.PLAIN),
        ("name,country,address,listed_on", WatchlistFormat.PLAIN),
        ("listed_on,name,country", WatchlistFormat.PLAIN),
    ],
)
def test_other_formats_are_detected_from_the_header(header: str, expected: WatchlistFormat):
    assert detect_format(header.split(",")) is expected


# --- US CSL ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "count"), [(CSL_CURRENT, 13), (CSL_LEGACY, 115)])
def test_every_csl_row_is_one_entry_with_a_unique_id(path: Path, count: int):
    frame = read_watchlist(path)
    assert len(frame) == count
    assert tuple(frame.columns) == WATCHLIST_COLUMNS
    assert frame["entry_id"].is_unique


def test_canonical_frame_has_fixed_dtypes(csl_current: pd.DataFrame):
    assert csl_current["listed_on"].dtype == "datetime64[us]"
    assert all(isinstance(value, tuple) for value in csl_current["aliases"])
    assert all(isinstance(value, tuple) for value in csl_current["addresses"])
    assert csl_current["name"].dtype == "str"


def test_current_format_keeps_the_lists_id(csl_current: pd.DataFrame):
    assert entry(csl_current, "ROSNEFT TRADE LIMITED")["entry_id"] == "18300"


def test_legacy_ids_are_content_hashes_stable_across_reads(csl_legacy: pd.DataFrame):
    again = read_watchlist(CSL_LEGACY)
    assert csl_legacy["entry_id"].tolist() == again["entry_id"].tolist()
    assert csl_legacy["entry_id"].str.startswith("csl:").all()


def test_same_name_listed_on_several_rows_stays_several_entries(csl_legacy: pd.DataFrame):
    migeotte = csl_legacy[csl_legacy["name"] == "Gunther Migeotte"]
    assert len(migeotte) == 5
    assert migeotte["entry_id"].is_unique
    assert sorted(migeotte["listed_on"].dt.strftime("%Y-%m-%d").unique()) == [
        "2010-06-28",
        "2010-06-29",
        "2010-06-30",
        "2010-07-01",
    ]


def test_aliases_are_split_on_semicolons(csl_current: pd.DataFrame):
    aliases = entry(csl_current, "SME BANK")["aliases"]
    assert len(aliases) == 5
    assert aliases[:2] == (
        "JSC RUSSIAN BANK FOR SMALL AND MEDIUM ENTERPRISES SUPPORT",
        "JSC SME BANK",
    )


def test_the_and_before_a_last_alias_is_dropped(csl_current: pd.DataFrame):
    name = "China Electronics Technology Group Corporation 13th Research Institute (CETC 13)"
    aliases = entry(csl_current, name)["aliases"]
    assert aliases[-1] == "CETC Research Institute 13"
    assert "Hebei Semiconductor Research Institute" in aliases


def test_entries_without_aliases_have_an_empty_tuple(csl_current: pd.DataFrame):
    assert entry(csl_current, "Atlas Sanatgaran")["aliases"] == ()


@pytest.mark.parametrize(
    ("name", "addresses"),
    [
        ("RIM, Ryong Nam", ("Shenyang, CN", "Pyongyang, KP")),
        ("Atlas Sanatgaran", ("Komitas 26/114, Yerevan, Armenia, AM",)),
        ("Mohammed ABU JHEISHEH", ()),
    ],
)
def test_several_addresses_are_split(csl_current: pd.DataFrame, name: str, addresses: tuple):
    assert entry(csl_current, name)["addresses"] == addresses


@pytest.mark.parametrize(
    ("name", "country"),
    [
        ("Atlas Sanatgaran", "AM"),  # "..., Yerevan, Armenia, AM"
        ("RIM, Ryong Nam", "KP"),  # the last address's code: "Shenyang, CN; Pyongyang, KP"
        ("Evren KAYAKIRAN", "TR"),  # the address is only the code
        ("Mohammed ABU JHEISHEH", None),  # no address
    ],
)
def test_csl_country_is_the_code_ending_the_last_address(
    csl_current: pd.DataFrame, name: str, country: str | None
):
    found = entry(csl_current, name)["country"]
    assert found == country if country else pd.isna(found)


def test_an_address_ending_in_a_postcode_gives_no_country(csl_legacy: pd.DataFrame):
    # "3037 S. 69TH DRIVE, PHONEIX, AZ, 85043": AZ is Arizona here, and not last
    assert pd.isna(entry(csl_legacy, "ADRIAN MANUEL HERNANDEZ")["country"])


@pytest.mark.parametrize(
    ("path", "name", "listed_on"),
    [
        (CSL_CURRENT, "Sinobright Import and Export Company; and any successor, sub-unit, or "
         "subsidiary thereof", "2023-07-19"),
        (CSL_CURRENT, "Atlas Sanatgaran", None),
        (CSL_LEGACY, "32 Group China Ltd.", "2015-11-12"),
        (CSL_LEGACY, "200G PSA HOLDINGS LLC", None),
    ],
)  # fmt: skip
def test_start_date_is_the_listing_date(path: Path, name: str, listed_on: str | None):
    found = entry(read_watchlist(path), name)["listed_on"]
    assert found == pd.Timestamp(listed_on) if listed_on else pd.isna(found)


def test_csl_source_is_the_list_the_entry_comes_from(csl_legacy: pd.DataFrame):
    source = entry(csl_legacy, "32 Group China Ltd.")["source"]
    assert source == "Entity List (EL) - Bureau of Industry and Security"


# --- OpenSanctions --------------------------------------------------------------------------


def semicolon_record(*values: str) -> str:
    """A multi-valued OpenSanctions cell: one ``;``-delimited CSV record."""
    cell = io.StringIO()
    csv.writer(cell, delimiter=";", lineterminator="").writerow(values)
    return cell.getvalue()


@pytest.fixture
def opensanctions(tmp_path: Path) -> pd.DataFrame:
    sanctions = semicolon_record("Export controls - 2022-05-06 - 2024-01-01", "Other - 2023")
    rows = [
        OPENSANCTIONS_HEADER.split(","),
        ["NK-1", "Company", "Gefest-M LLC", semicolon_record("GEFEST-M OOO", "Gefest; Moscow"),
         "", "ru", "ul. Lenina 5, Moscow", "", sanctions, "", "", "US CSL",
         "2023-01-10T08:00:00", "2024-01-01T00:00:00", "2023-01-10T08:00:00"],
        ["NK-2", "Person", "Ivan Petrov", "", "1970-01-01", "ru;ae", "", "", "", "", "",
         "EU FSF", "2021-09-01T00:00:00", "2024-01-01T00:00:00", "2021-09-01T00:00:00"],
        ["NK-3", "Company", "Orion Parts", "", "", "", "", "", "UK sanctions - 2021-03", "", "",
         "UK HMT", "2022-02-01T00:00:00", "2024-01-01T00:00:00", "2022-02-01T00:00:00"],
    ]  # fmt: skip
    path = tmp_path / "targets.simple.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return read_watchlist(path)


def test_opensanctions_aliases_are_one_semicolon_record(opensanctions: pd.DataFrame):
    # a quoted alias may itself contain the separator
    assert entry(opensanctions, "Gefest-M LLC")["aliases"] == ("GEFEST-M OOO", "Gefest; Moscow")


def test_opensanctions_id_and_dataset_are_kept(opensanctions: pd.DataFrame):
    gefest = entry(opensanctions, "Gefest-M LLC")
    assert (gefest["entry_id"], gefest["source"]) == ("NK-1", "US CSL")
    assert gefest["addresses"] == ("ul. Lenina 5, Moscow",)


@pytest.mark.parametrize(("name", "country"), [("Gefest-M LLC", "RU"), ("Ivan Petrov", None)])
def test_opensanctions_country_is_the_only_country_named(
    opensanctions: pd.DataFrame, name: str, country: str | None
):
    found = entry(opensanctions, name)["country"]
    assert found == country if country else pd.isna(found)


@pytest.mark.parametrize(
    ("name", "listed_on"),
    [
        # earliest sanction start (2022-05-06; "2023" counts as 2023-12-31), before first_seen
        ("Gefest-M LLC", "2022-05-06"),
        # no sanction dates: first_seen
        ("Ivan Petrov", "2021-09-01"),
        # a month only: its last day, so that no shipment sees the entry too early
        ("Orion Parts", "2021-03-31"),
    ],
)
def test_opensanctions_listing_date_prefers_the_sanction_start(
    opensanctions: pd.DataFrame, name: str, listed_on: str
):
    assert entry(opensanctions, name)["listed_on"] == pd.Timestamp(listed_on)


# --- plain lists ----------------------------------------------------------------------------


def test_plain_list_with_every_column(tmp_path: Path):
    path = write(
        tmp_path,
        """
        name,country,address,listed_on
        Radiotekhnika LLC,am,"Komitas 26/114, Yerevan",2023-04-01
        Blue Sky FZE,,,
        """,
        "my_list.csv",
    )
    frame = read_watchlist(path)
    radio = entry(frame, "Radiotekhnika LLC")
    assert (radio["country"], radio["listed_on"]) == ("AM", pd.Timestamp("2023-04-01"))
    assert radio["addresses"] == ("Komitas 26/114, Yerevan",)
    blue = entry(frame, "Blue Sky FZE")
    assert pd.isna(blue["country"]) and pd.isna(blue["listed_on"]) and blue["addresses"] == ()
    assert set(frame["source"]) == {"my_list.csv"}


def test_plain_list_of_names_only_and_repeated_rows_get_distinct_ids(tmp_path: Path):
    frame = read_watchlist(write(tmp_path, "name\nAlpha LLC\nAlpha LLC\nBeta GmbH\n"))
    assert frame["name"].tolist() == ["Alpha LLC", "Alpha LLC", "Beta GmbH"]
    assert frame["entry_id"].is_unique


def test_a_file_with_a_header_only_is_an_empty_watchlist(tmp_path: Path):
    frame = read_watchlist(write(tmp_path, "name,country\n"))
    assert frame.empty and tuple(frame.columns) == WATCHLIST_COLUMNS


def test_watchlist_frame_fills_defaults():
    frame = watchlist_frame([{"name": "Alpha LLC", "listed_on": "2020-01-02"}])
    row = frame.iloc[0]
    assert (row["entry_id"], row["aliases"], row["addresses"]) == ("entry-0", (), ())
    assert row["listed_on"] == pd.Timestamp("2020-01-02") and pd.isna(row["country"])


# --- malformed files ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        (
            "foo,bar\n1,2\n",
            [
                "line 1: unknown header 'foo,bar'",
                "US CSL CSV, current format (columns _id, source, name",
                "US CSL CSV, legacy format",
                "OpenSanctions targets.simple.csv",
                "plain CSV (columns name, optional country, address, listed_on)",
            ],
        ),
        ("", ["is empty; expected a header line"]),
        (
            "name,country\nAlpha,RU\nBeta,RU,extra\n",
            ["expected 2 fields per record as in the header", "1 row", "line 3: 3 fields"],
        ),
        (
            "name,listed_on\nAlpha,2023-13-01\nBeta,soon\nGamma,2023-01-01\n",
            [
                "column 'listed_on': expected a date YYYY-MM-DD: 2 rows",
                "line 2: '2023-13-01', line 3: 'soon'",
            ],
        ),
        (
            "name,country\nAlpha,XX\n",
            ["column 'country': expected an ISO 3166-1 alpha-2 code or nothing", "line 2: 'XX'"],
        ),
        ("name,country\n ,RU\n", ["column 'name': expected a non-empty name", "line 2: ' '"]),
        ("name,name\nA,B\n", ["line 1: header repeats column(s) ['name']"]),
    ],
)
def test_malformed_files_name_the_file_the_line_and_what_was_expected(
    tmp_path: Path, text: str, fragments: list[str]
):
    path = write(tmp_path, text, "bad.csv")
    with pytest.raises(WatchlistError) as raised:
        read_watchlist(path)
    message = str(raised.value)
    assert repr(str(path)) in message
    for fragment in fragments:
        assert fragment in message


def test_every_problem_is_listed_at_once(tmp_path: Path):
    path = write(tmp_path, "name,country,listed_on\nAlpha,XX,2023-01-01\n,RU,later\n")
    with pytest.raises(WatchlistError) as raised:
        read_watchlist(path)
    assert str(raised.value).count("\n  - ") == 3


def test_a_bad_csl_start_date_names_its_column_and_line(tmp_path: Path):
    header = CSL_LEGACY.read_text(encoding="utf-8").splitlines()[0]
    row = "Entity List (EL),,,,Acme Ltd.,,,,2019/05/01" + "," * 19
    path = write(tmp_path, f"{header}\n{row}\n")
    with pytest.raises(WatchlistError, match=r"column 'start_date'.*line 2: '2019/05/01'"):
        read_watchlist(path)


def test_text_that_is_not_utf8_is_refused_with_its_line(tmp_path: Path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("name\nAlpha\nB\xe9ta GmbH\n".encode("latin-1"))
    with pytest.raises(WatchlistError, match=r"line 3: expected UTF-8 text, found byte b'\\xe9'"):
        read_watchlist(path)


def test_a_missing_file_is_a_watchlist_error(tmp_path: Path):
    with pytest.raises(WatchlistError, match="cannot be read"):
        read_watchlist(tmp_path / "nowhere.csv")
