"""Rules for name/address normalisation and point-in-time watchlist screening."""

# Cyrillic letters that look Latin are the point of the transliteration cases:
# ruff: noqa: RUF001
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from features.names import normalise_address, normalise_addresses, normalise_name, normalise_names
from features.screening import (
    ADDRESS_MATCH_COLUMNS,
    NAME_MATCH_COLUMNS,
    NAME_MATCH_THRESHOLD,
    WatchlistIndex,
)
from features.watchlist import read_watchlist, watchlist_frame

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "watchlists"
LATER = "2030-01-01"
"""A shipment date after every listing in the reference samples."""


@pytest.fixture(scope="module")
def csl() -> pd.DataFrame:
    """Both real CSL samples as one watchlist."""
    frames = [
        read_watchlist(REFERENCE / f"us_csl_sample_{kind}_format.csv")
        for kind in ("current", "legacy")
    ]
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def index(csl: pd.DataFrame) -> WatchlistIndex:
    return WatchlistIndex().fit(csl)


def dates(*values: str | None) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values)))


def screen(index: WatchlistIndex, name: str | None, on: str = LATER) -> pd.Series:
    """The best-match row for one shipment."""
    return index.best_name_matches(pd.Series([name]), None, dates(on)).iloc[0]


def listed_name(csl: pd.DataFrame, entry_id: str) -> str:
    return csl.loc[csl["entry_id"] == entry_id, "name"].item()


# --- name normalisation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("ROSNEFT TRADE LIMITED", "rosneft trade"),
        ("Gulf Gate Sea Cargo FZ-LLC", "gulf gate sea cargo"),
        ("ACHIM DEVELOPMENT, OOO", "achim development"),
        ("OBSHCHESTVO S OGRANICHENNOI OTVETSTVENNOSTYU 'ACHIM DEVELOPMENT'", "achim development"),
        ("AKTSIONERNOE OBSHCHESTVO SHVABE", "shvabe"),
        ("PUBLIC JOINT STOCK COMPANY ROSTELECOM", "rostelecom"),
        ("ACTIVEBUSINESSCOLLECTION LIMITED LIABILITY COMPANY", "activebusinesscollection"),
        ("TOO Kazakh Trade", "kazakh trade"),
        ("Samarkand Tech MChJ", "samarkand tech"),
        ("Özdemir Elektronik Ltd. Şti.", "ozdemir elektronik"),
        ("Özdemir Elektronik A.Ş.", "ozdemir elektronik"),
        ("Gulf Gate Spedition GmbH", "gulf gate spedition"),
        ("Yerevan Optics JSC", "yerevan optics"),
        (
            "Sinobright Import and Export Company; and any successor, sub-unit, or subsidiary "
            "thereof",
            "sinobright import and export",
        ),
        ("H & H METALFORM GMBH", "h and h metalform"),
        ("A.S.P. BUILDERS", "asp builders"),
        ("Fathi Mohammed QAR'AWI", "fathi mohammed qarawi"),
        ("GAZPROMBANK (SWITZERLAND) LTD", "gazprombank switzerland"),
        (
            "Gui\x92an New District Huawei Investment Co., Ltd.",
            "guian new district huawei investment",
        ),
        ("ООО «Радиотехника»", "radiotekhnika"),
        ("Тоо «Альфа»", "alfa"),
        ("Общество с ограниченной ответственностью «Ахим Девелопмент»", "akhim development"),
        ("LLC", "llc"),  # a name made only of a legal form keeps it
        ("  --  ", ""),
    ],
)
def test_name_normalisation(raw: str, normalised: str):
    assert normalise_name(raw) == normalised


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("ООО «Радиотехника»", "Radiotekhnika LLC"),
        ("АО «Швабе»", "AKTSIONERNOE OBSHCHESTVO SHVABE"),
        ("TOO «Almaty Bearing»", "Almaty Bearing Limited Liability Partnership"),
        ("MChJ Samarkand Tech", "Samarkand Tech Ltd."),
        ("Gulf Gate Shipping Co., L.L.C.", "GULF GATE SHIPPING CO LLC"),
        ("ozdemir elektronik", "ÖZDEMİR ELEKTRONİK A.Ş."),
    ],
)
def test_renderings_of_one_company_normalise_equal(one: str, other: str):
    assert normalise_name(one) == normalise_name(other)


def test_normalise_names_keeps_na_and_the_index():
    names = pd.Series(["Alpha LLC", None, "Alpha LLC"], index=[7, 8, 9], dtype="str")
    normalised = normalise_names(names)
    assert normalised.index.tolist() == [7, 8, 9]
    assert normalised[7] == normalised[9] == "alpha" and pd.isna(normalised[8])


# --- address normalisation ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (
            "Room 1905, 19/F, Nam Wo Hong Bldg., 148 Wing Lok Street, Sheung Wan, HK",
            "ROOM 1905 19F NAM WO HONG BUILDING 148 WING LOK ST SHEUNG WAN HONG KONG",
        ),
        ("3037 S. 69TH DRIVE, PHONEIX, AZ, 85043", "3037 South 69th Dr., Phoneix, AZ 85043"),
        ("No. 14, 35B Street, Al Satwa Road, Dubai, UAE, AE",
         "Number 14, 35 B St., Al Satwa Rd, Dubai"),
        ("Komitas 26/114, Yerevan, Armenia, AM", "komitas 26-114 yerevan"),
        ("P.O. Box 42340, Dubai, 396, AE", "PO BOX 42340 DUBAI 396 U.A.E."),
        ("Tian Wang te Zi #1, Baqiao District, Xian, China, CN",
         "Tian Wang te Zi No. 1, Baqiao Dist., Xian"),
        ("d. 19 ul. Vavilova, Moscow, 117997, RU", "д. 19, ул. Вавилова, Moscow 117997, Russia"),
    ],
)  # fmt: skip
def test_renderings_of_one_address_normalise_equal(one: str, other: str):
    assert normalise_address(one) == normalise_address(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Komitas 26/114, Yerevan", "Komitas 26/115, Yerevan"),
        ("12 Lenin St, Moscow", "Lenin St 12, Moscow"),  # word order is kept
    ],
)
def test_different_addresses_stay_different(one: str, other: str):
    assert normalise_address(one) != normalise_address(other)


def test_an_address_that_is_only_a_country_normalises_to_nothing():
    assert normalise_addresses(pd.Series(["CN", None], dtype="str")).tolist()[0] == ""


# --- the estimator --------------------------------------------------------------------------


def test_constructor_only_stores_options():
    index = WatchlistIndex(min_score=60.0, candidates=5, address_fuzzy_threshold=None)
    assert index.get_params() == {
        "min_score": 60.0,
        "candidates": 5,
        "address_fuzzy_threshold": None,
        "n_jobs": 1,
    }
    assert not [name for name in vars(index) if name.endswith("_")]


def test_querying_before_fit_is_an_error():
    with pytest.raises(NotFittedError):
        WatchlistIndex().best_name_matches(pd.Series(["x"]), None, dates(LATER))


def test_fit_refuses_a_frame_without_the_canonical_columns():
    with pytest.raises(ValueError, match=r"lacks canonical column\(s\) \['aliases'"):
        WatchlistIndex().fit(pd.DataFrame({"entry_id": ["1"], "name": ["Alpha"]}))


def test_outputs_have_fixed_columns_on_the_query_index(index: WatchlistIndex):
    names = pd.Series(["Atlas Sanatgaran", "Nobody Ltd"], index=[10, 20])
    as_of = dates(LATER, LATER)
    assert tuple(index.best_name_matches(names, None, as_of).columns) == NAME_MATCH_COLUMNS
    result = index.address_matches(names, as_of)
    assert tuple(result.columns) == ADDRESS_MATCH_COLUMNS
    assert result.index.tolist() == [10, 20]


# --- names: the real CSL sample under variants ----------------------------------------------


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        # typos
        ("Atlas Sanatgarn", "Atlas Sanatgaran"),
        ("ROSNEFT TRDAE LIMITED", "ROSNEFT TRADE LIMITED"),
        ("Gazprombank Leesing ZAO", "GAZPROMBANK LEASING ZAO"),
        # word order
        ("Ryong Nam Rim", "RIM, Ryong Nam"),
        ("Transgaz Volgograd Gazprom", "GAZPROM TRANSGAZ VOLGOGRAD, OOO"),
        # legal form changed
        ("Rosneft Trade Ltd", "ROSNEFT TRADE LIMITED"),
        ("OOO Achim Development", "ACHIM DEVELOPMENT, OOO"),
        ("Gefest-M Limited Liability Company", "GEFEST-M LLC"),
        ("TNK Trading International AG", "TNK Trading International S.A."),
        # transliterated from Cyrillic
        ("ООО «Гефест-М»", "GEFEST-M LLC"),
        ("АО «Технодинамика»", "AKTSIONERNOE OBSHCHESTVO TEKHNODINAMIKA"),
        ("ОАО «Газпромбанк»", "GAZPROMBANK OAO"),
        # an alias rather than the name
        ("TNK Trade Ltd", "ROSNEFT TRADE LIMITED"),
        ("Hebei Semiconductor Research Institute", "China Electronics Technology Group "
         "Corporation 13th Research Institute (CETC 13)"),
        ("MSP Bank AO", "SME BANK"),
        ("Havantur Canada Inc.", "2904977 CANADA, INC."),
    ],
)  # fmt: skip
def test_listed_entities_are_found_under_name_variants(
    csl: pd.DataFrame, index: WatchlistIndex, query: str, listed: str
):
    match = screen(index, query)
    assert match["score"] >= NAME_MATCH_THRESHOLD
    assert listed_name(csl, match["entry_id"]) == listed


def test_the_matched_name_is_the_listed_alias_as_written(index: WatchlistIndex):
    assert screen(index, "TNK Trade Ltd")["matched_name"] == "TNK TRADE LIMITED"


@pytest.mark.parametrize(
    "query",
    [
        "Siemens AG",
        "Blue Ocean Logistics FZE",
        "Tashkent Electro Supply MChJ",
        "Almaty Bearing Trade TOO",
        "Yerevan Optics LLC",
        "Shenzhen Huaqiang Electronics Co., Ltd.",
        "Gulf Gate Logistics LLC",
        "Novosibirsk Semiconductor Plant",
        "Rosneft",
    ],
)
def test_unrelated_names_are_not_hits(index: WatchlistIndex, query: str):
    assert screen(index, query)["score"] < NAME_MATCH_THRESHOLD


@pytest.mark.parametrize(("name", "score"), [(None, None), ("  --  ", None), ("Nobody Ltd", 0.0)])
def test_missing_names_score_nan_and_dissimilar_ones_zero(
    index: WatchlistIndex, name: str | None, score: float | None
):
    match = screen(index, name)
    assert pd.isna(match["score"]) if score is None else match["score"] == score
    assert pd.isna(match["entry_id"]) and pd.isna(match["matched_name"])


# --- names: listing dates -------------------------------------------------------------------

SINOBRIGHT = "Sinobright Import and Export Company"
"""Listed on 2023-07-19 in the current-format sample."""


@pytest.mark.parametrize(
    ("ship_date", "seen"),
    [
        ("2023-07-18", False),
        ("2023-07-19", False),  # listed that day: not yet
        ("2023-07-19 17:30", False),  # a time of day does not let the same day through
        ("2023-07-20", True),
    ],
)
def test_an_entry_is_seen_only_by_shipments_after_its_listing_day(
    index: WatchlistIndex, ship_date: str, seen: bool
):
    match = screen(index, SINOBRIGHT, on=ship_date)
    assert (match["score"] >= NAME_MATCH_THRESHOLD) == seen
    assert pd.notna(match["entry_id"]) == seen


def test_an_entry_without_a_listing_date_is_seen_by_every_shipment(index: WatchlistIndex):
    # Atlas Sanatgaran has no start_date
    assert screen(index, "Atlas Sanatgaran", on="1990-01-01")["score"] == 100.0


def test_a_shipment_without_a_date_sees_only_undated_entries(index: WatchlistIndex):
    names = pd.Series([SINOBRIGHT, "Atlas Sanatgaran"])
    result = index.best_name_matches(names, None, dates(None, None))
    assert result["score"].tolist() == [0.0, 100.0]


def test_among_namesakes_the_row_gets_one_listed_before_its_date(
    csl: pd.DataFrame, index: WatchlistIndex
):
    # Gunther Migeotte is listed five times, on 2010-06-28 (twice), -29, -30 and 07-01
    listed_on = csl.set_index("entry_id")["listed_on"]
    for ship_date in ("2010-06-29", "2010-06-30", "2010-07-01", "2010-07-02"):
        match = screen(index, "Gunther Migeotte", on=ship_date)
        assert listed_on[match["entry_id"]] < pd.Timestamp(ship_date)
    assert pd.isna(screen(index, "Gunther Migeotte", on="2010-06-28")["entry_id"])


def test_equal_scores_prefer_an_entry_of_the_shipments_country():
    watchlist = watchlist_frame(
        [
            {"entry_id": "ae", "name": "Polaris Trading LLC", "country": "AE"},
            {"entry_id": "am", "name": "Polaris Trading FZE", "country": "AM"},
        ]
    )
    index = WatchlistIndex().fit(watchlist)
    names = pd.Series(["Polaris Trading"] * 3)
    result = index.best_name_matches(names, pd.Series(["AM", "AE", None]), dates(*[LATER] * 3))
    assert result["entry_id"].tolist() == ["am", "ae", "ae"]
    assert result["country_match"].tolist() == [True, True, pd.NA]
    other = index.best_name_matches(names[:1], pd.Series(["KZ"]), dates(LATER))
    assert other["country_match"].tolist() == [False]


def test_results_do_not_depend_on_row_order_or_batching(index: WatchlistIndex):
    names = pd.Series(
        ["Atlas Sanatgarn", SINOBRIGHT, "Ryong Nam Rim", None, "Siemens AG", SINOBRIGHT]
    )
    as_of = dates("2024-01-01", "2023-07-01", LATER, LATER, LATER, "2024-01-01")
    whole = index.best_name_matches(names, None, as_of)
    order = [5, 2, 0, 4, 1, 3]
    shuffled = index.best_name_matches(names[order], None, as_of[order])
    pd.testing.assert_frame_equal(whole.loc[order], shuffled)
    parts = [index.best_name_matches(names[i : i + 2], None, as_of[i : i + 2]) for i in (0, 2, 4)]
    pd.testing.assert_frame_equal(whole, pd.concat(parts))


def test_threads_do_not_change_results(csl: pd.DataFrame, index: WatchlistIndex):
    names = pd.Series(["Atlas Sanatgarn", "TNK Trade Ltd", "Gazprombank Leesing ZAO"])
    as_of = dates(*[LATER] * 3)
    threaded = WatchlistIndex(n_jobs=2).fit(csl).best_name_matches(names, None, as_of)
    pd.testing.assert_frame_equal(index.best_name_matches(names, None, as_of), threaded)


def test_an_empty_watchlist_matches_nothing():
    index = WatchlistIndex().fit(watchlist_frame([]))
    result = index.best_name_matches(pd.Series(["Alpha LLC"]), None, dates(LATER))
    assert result["score"].tolist() == [0.0]
    assert index.address_matches(pd.Series(["1 Main St, Springfield"]), dates(LATER))[
        "matched"
    ].tolist() == [False]


# --- addresses ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "listed"),
    [
        ("79 Sadovnicheskaya Ulitsa, Moscow 115035, Russia",
         "79 ul. Sadovnicheskaya, Moscow, 115035, RU"),
        ("Komitas 26/114, Yerevan", "Komitas 26/114, Yerevan, Armenia, AM"),
        ("Number 14, 35 B St., Al Satwa Rd., Dubai, U.A.E.",
         "No. 14, 35B Street, Al Satwa Road, Dubai, UAE, AE"),
        ("ROOM 1905 19F NAM WO HONG BUILDING, 148 WING LOK ST, SHEUNG WANG, HONG KONG, SHEUNG WANG",
         "Room 1905, 19/F, Nam Wo Hong Bldg., 148 Wing Lok Street, Sheung Wang, Hong Kong, "
         "Sheung Wang, HK"),
        ("605 Trail Lakes Drive, Richardson, TX 75081",
         "605 TRAIL LAKE DRIVE, RICHARDSON, TX, 75081, US"),
    ],
)  # fmt: skip
def test_a_listed_address_is_found_under_other_renderings(
    index: WatchlistIndex, address: str, listed: str
):
    result = index.address_matches(pd.Series([address]), dates(LATER)).iloc[0]
    assert result["matched"]
    assert result["matched_address"] == listed


@pytest.mark.parametrize(
    "address",
    [
        "Komitas 26/115, Yerevan",  # another house
        "80 SW 9th Street Suite 2000, Miami, FL, 33130",  # another street number, fuzzy-close
        "Dubai, AE",  # too vague to link anyone
        "Gaza City, Gaza, PS",
        None,
    ],
)
def test_other_or_vague_addresses_do_not_match(index: WatchlistIndex, address: str | None):
    result = index.address_matches(pd.Series([address], dtype="str"), dates(LATER)).iloc[0]
    assert not result["matched"] and result["score"] == 0.0 and pd.isna(result["entry_id"])


def test_fuzzy_address_matching_can_be_switched_off(csl: pd.DataFrame):
    exact_only = WatchlistIndex(address_fuzzy_threshold=None).fit(csl)
    addresses = pd.Series(
        ["605 Trail Lakes Drive, Richardson, TX 75081", "605 Trail Lake Dr., Richardson, TX 75081"]
    )
    assert exact_only.address_matches(addresses, dates(LATER, LATER))["matched"].tolist() == [
        False,
        True,
    ]


@pytest.mark.parametrize(("ship_date", "matched"), [("2002-03-04", False), ("2002-03-05", True)])
def test_an_address_counts_only_after_its_entrys_listing_day(
    index: WatchlistIndex, ship_date: str, matched: bool
):
    # the Richardson address belongs to two entries, both listed on 2002-03-04
    address = pd.Series(["605 Trail Lake Drive, Richardson, TX, 75081"])
    assert index.address_matches(address, dates(ship_date))["matched"].item() is matched
