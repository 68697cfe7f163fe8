import pandas as pd
import pytest

from features.normalise import parse_countries, parse_country_lists, parse_dates, parse_hs6


@pytest.mark.parametrize(
    ("raw", "hs6"),
    [
        ("854231", "854231"),
        ("8542.31", "854231"),
        ("8542 31 00", "854231"),
        ("8542.31.00.10", "854231"),
        ("85423100", "854231"),
        ("8542310010", "854231"),
        ("8542-31", "854231"),
        ("030490", "030490"),
        ("84A1", None),
        ("85423", None),
        ("85423100101", None),
        ("", None),
    ],
)
def test_hs_codes_reduce_to_hs6_or_are_refused(raw, hs6):
    parsed = parse_hs6(pd.Series([raw], dtype="str")).iloc[0]
    assert (None if pd.isna(parsed) else parsed) == hs6


@pytest.mark.parametrize(
    ("raw", "iso2"),
    [
        ("AM", "AM"),
        ("am", "AM"),
        (" KZ ", "KZ"),
        ("ARM", "AM"),
        ("KAZ", "KZ"),
        ("Armenia", "AM"),
        ("Kyrgyzstan", "KG"),
        ("Kyrgyz Republic", "KG"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("United Arab Emirates", "AE"),
        ("UAE", "AE"),
        ("Hong Kong", "HK"),
        ("Russian Federation", "RU"),
        ("Russia", "RU"),
        ("United Kingdom", "GB"),
        ("UK", "GB"),
        ("Korea, Republic of", "KR"),
        ("South Korea", "KR"),
        ("Taiwan", "TW"),
        ("Narnia", None),
        ("XX", None),
    ],
)
def test_countries_accept_iso2_iso3_and_common_english_names(raw, iso2):
    parsed = parse_countries(pd.Series([raw], dtype="str")).iloc[0]
    assert (None if pd.isna(parsed) else parsed) == iso2


def test_country_lists_are_normalised_and_report_the_first_unknown_element():
    raw = pd.Series(["KZ;RU", "kaz; Belarus", "GE;Narnia;XX", None], dtype="str")
    codes, unknown = parse_country_lists(raw, ";")
    assert codes.tolist()[:2] == ["KZ;RU", "KZ;BY"]
    assert unknown.iloc[2] == "Narnia"
    assert unknown.iloc[[0, 1, 3]].isna().all()


@pytest.mark.parametrize(
    ("raw", "date_format", "expected"),
    [
        ("2023-03-14", None, "2023-03-14"),
        ("20230314", None, "2023-03-14"),
        ("2023-03-14T10:30:00", None, "2023-03-14"),
        ("14/03/2023", None, None),
        ("45000", None, None),
        ("2023-02-30", None, None),
        ("14.03.2023", "%d.%m.%Y", "2023-03-14"),
    ],
)
def test_dates_are_iso_8601_unless_the_column_map_names_a_format(raw, date_format, expected):
    parsed = parse_dates(pd.Series([raw], dtype="str"), date_format).iloc[0]
    assert (None if pd.isna(parsed) else parsed.date().isoformat()) == expected
