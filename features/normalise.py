"""Vectorised parsing of raw (string) shipment columns into canonical values.

Each function takes a Series of raw strings (missing values as NA) and returns the parsed
Series; values that cannot be parsed become NA so that the validator can reject their rows.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pandas as pd
import pycountry
from unidecode import unidecode

HS_SEPARATORS = re.compile(r"[\s.\-]")
HS_PATTERN = r"\d{6,10}"
HS6_LENGTH = 6

IDENTIFIER_SEPARATORS = r"[\s.\-/_]"
"""Written between the parts of a registry, EORI or tax id ("KZ-123 456", "kz123456" and
"KZ123456" are one id)."""

COUNTRY_ALIASES: dict[str, str] = {
    "UK": "GB",
    "GREAT BRITAIN": "GB",
    "ENGLAND": "GB",
    "UAE": "AE",
    "EMIRATES": "AE",
    "USA": "US",
    "UNITED STATES OF AMERICA": "US",
    "AMERICA": "US",
    "RUSSIA": "RU",
    "TURKEY": "TR",
    "TURKIYE": "TR",
    "SOUTH KOREA": "KR",
    "KOREA": "KR",
    "REPUBLIC OF KOREA": "KR",
    "NORTH KOREA": "KP",
    "TAIWAN": "TW",
    "IRAN": "IR",
    "VIETNAM": "VN",
    "HONG KONG": "HK",
    "MACAU": "MO",
    "MACAO": "MO",
    "CZECH REPUBLIC": "CZ",
    "KYRGYZ REPUBLIC": "KG",
    "KIRGHIZIA": "KG",
    "MOLDOVA": "MD",
    "SYRIA": "SY",
    "LAOS": "LA",
    "BOLIVIA": "BO",
    "VENEZUELA": "VE",
    "TANZANIA": "TZ",
    "BURMA": "MM",
    "HOLLAND": "NL",
    "BELORUSSIA": "BY",
}
"""Common English names that ISO 3166 spells differently (keys upper-case ASCII)."""

_COUNTRY_KEY_JUNK = re.compile(r"[^A-Z0-9 ]+")


def _country_key(text: str) -> str:
    return " ".join(_COUNTRY_KEY_JUNK.sub(" ", unidecode(text).upper()).split())


@cache
def country_lookup() -> dict[str, str]:
    """Upper-case ASCII key (ISO-2, ISO-3, name, official or common name) -> ISO-2 code."""
    lookup: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                lookup[_country_key(value)] = country.alpha_2
        lookup[country.alpha_3] = country.alpha_2
        lookup[country.alpha_2] = country.alpha_2
    lookup.update(COUNTRY_ALIASES)
    return lookup


def parse_country(raw: str) -> str | None:
    """ISO-2 code for an ISO-2, ISO-3 or English country name; None when unknown."""
    return country_lookup().get(_country_key(raw))


def parse_countries(raw: pd.Series) -> pd.Series:
    """``parse_country`` over a Series, once per distinct value."""
    distinct = raw.dropna().unique()
    mapping = {value: parse_country(value) for value in distinct}
    return raw.map(mapping).astype("str")


def _spread(distinct: pd.Series, codes: np.ndarray, like: pd.Series) -> pd.Series:
    """Values computed for the distinct values of ``like`` (``pd.factorize`` codes), one per
    row of ``like``; NA where ``like`` is NA."""
    values = distinct.array.take(codes, allow_fill=True)
    return pd.Series(values, index=like.index, name=like.name)


def parse_country_lists(raw: pd.Series, separator: str) -> tuple[pd.Series, pd.Series]:
    """Parse separator-joined country lists.

    Returns the canonical lists (ISO-2 codes joined by ``separator``, NA when empty) and, per
    row, the first element that is not a known country (NA when all are known). Each
    distinct list is parsed once.
    """
    codes, distinct = pd.factorize(raw)
    joined, unknown = _parse_country_lists(pd.Series(distinct, dtype="str"), separator)
    return _spread(joined, codes, raw), _spread(unknown, codes, raw)


def _parse_country_lists(raw: pd.Series, separator: str) -> tuple[pd.Series, pd.Series]:
    present = raw.dropna()
    items = present.str.split(separator).explode().str.strip()
    items = items[items != ""]
    codes = parse_countries(items)
    unknown = items[codes.isna()].groupby(level=0).first()
    joined = codes.dropna().groupby(level=0).agg(separator.join)
    return joined.reindex(raw.index).astype("str"), unknown.reindex(raw.index).astype("str")


def parse_hs6(raw: pd.Series) -> pd.Series:
    """HS-6 code from a 6-10 digit HS or national code with optional dots, spaces or dashes
    (each distinct code parsed once)."""
    codes, distinct = pd.factorize(raw)
    compact = pd.Series(distinct, dtype="str").str.replace(HS_SEPARATORS, "", regex=True)
    valid = compact.str.fullmatch(HS_PATTERN).fillna(False).astype(bool)
    return _spread(compact.str.slice(0, HS6_LENGTH).where(valid), codes, raw)


def parse_dates(raw: pd.Series, date_format: str | None) -> pd.Series:
    """Dates (day precision) in ISO 8601, or in ``date_format`` when the column map sets one."""
    parsed = pd.to_datetime(raw, format=date_format or "ISO8601", errors="coerce")
    return parsed.dt.normalize().astype("datetime64[s]")


def normalise_identifier(text: str) -> str:
    """Upper case without separators; "" when nothing else is left."""
    return re.sub(IDENTIFIER_SEPARATORS, "", text).upper()


def normalise_identifiers(raw: pd.Series) -> pd.Series:
    """``normalise_identifier`` over a Series of text; NA (and nothing left) gives NA."""
    values = raw.str.replace(IDENTIFIER_SEPARATORS, "", regex=True).str.upper()
    return values.where(values != "")


def parse_numbers(raw: pd.Series) -> pd.Series:
    """Plain decimal numbers (no thousands separators); anything else becomes NaN."""
    return pd.to_numeric(raw, errors="coerce").astype("float64")
