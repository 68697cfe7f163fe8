"""A fast contract check for one shipment record already typed by the request model.

``parse_record`` accepts only records in plain canonical form (ISO dates, known countries,
digit HS codes, numbers in range, unique ids) and returns their typed, normalised values:
the same values the file validator (``features.validation``) would give them. Anything else
returns None and the caller falls back to the file validator, which also words the errors:
the fast path never rejects, so it can never reject differently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np

from features.names import normalise_name
from features.normalise import HS6_LENGTH, HS_PATTERN, HS_SEPARATORS, parse_country
from features.schema import LABEL_COLUMN, SHIPMENT_COLUMNS, TRANSIT_SEPARATOR, Column, Kind
from features.validation import DERIVED_ID_SEPARATOR

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
FAST_YEARS = range(1900, 2200)
"""Dates outside these years take the file validator's path (its calendar is bounded)."""
ENTITY_KEY = Column("entity key", Kind.TEXT, False)
"""How an entity key (a column-map extra) is read: optional text."""


class _NotCanonical(Exception):
    """A value the fast path leaves to the file validator."""


def parse_record(
    values: Mapping[str, object], entity_keys: tuple[str, ...] = ()
) -> dict[str, object] | None:
    """Typed canonical values of one record (text stripped, empty = None; dates as
    ``datetime64[D]``; countries ISO-2; HS-6; the consignee id derived when missing; the label
    ignored, as the file validator ignores it for scoring; ``entity_keys`` as text), or None
    when the record needs the file validator."""
    try:
        record = {
            column.name: _parse(column, values.get(column.name))
            for column in SHIPMENT_COLUMNS
            if column.name != LABEL_COLUMN
        }
        record |= {key: _parse(ENTITY_KEY, values.get(key)) for key in entity_keys}
    except _NotCanonical:
        return None
    record[LABEL_COLUMN] = np.nan
    if record["consignee_id"] is None:
        name = normalise_name(record["consignee_name"])
        record["consignee_id"] = record["consignee_country"] + DERIVED_ID_SEPARATOR + name
    return record


def _parse(column, value: object) -> object:
    if isinstance(value, str):
        if "\x00" in value:
            raise _NotCanonical
        value = value.strip() or None
    if value is None:
        if column.required:
            raise _NotCanonical
        return np.datetime64("NaT", "D") if column.kind is Kind.DATE else _missing(column)
    return PARSERS[column.kind](column, value)


def _missing(column) -> object:
    numeric = column.kind in (Kind.POSITIVE, Kind.NON_NEGATIVE, Kind.LABEL)
    return np.nan if numeric else None


def _text(column, value: object) -> str:
    if not isinstance(value, str):
        raise _NotCanonical
    return value


def _date(column, value: object) -> np.datetime64:
    if not isinstance(value, str) or not ISO_DAY.fullmatch(value):
        raise _NotCanonical
    if int(value[:4]) not in FAST_YEARS:
        raise _NotCanonical
    try:
        return np.datetime64(value, "D")
    except ValueError:
        raise _NotCanonical from None


def _country(column, value: object) -> str:
    code = parse_country(_text(column, value))
    if code is None:
        raise _NotCanonical
    return code


def _country_list(column, value: object) -> str | None:
    items = [item.strip() for item in _text(column, value).split(TRANSIT_SEPARATOR)]
    codes = [_country(column, item) for item in items if item]
    return TRANSIT_SEPARATOR.join(codes) or None


def _hs_code(column, value: object) -> str:
    compact = HS_SEPARATORS.sub("", _text(column, value))
    if not re.fullmatch(HS_PATTERN, compact):
        raise _NotCanonical
    return compact[:HS6_LENGTH]


def _number(column, value: object) -> float:
    if not isinstance(value, float) or not np.isfinite(value):
        raise _NotCanonical
    if value < 0 or (column.kind is Kind.POSITIVE and value == 0):
        raise _NotCanonical
    return value


def _choice(column, value: object) -> str:
    text = _text(column, value)
    text = text.upper() if column.choices[0].isupper() else text.lower()
    if text not in column.choices:
        raise _NotCanonical
    return text


PARSERS = {
    Kind.TEXT: _text,
    Kind.DATE: _date,
    Kind.COUNTRY: _country,
    Kind.COUNTRY_LIST: _country_list,
    Kind.HS_CODE: _hs_code,
    Kind.POSITIVE: _number,
    Kind.NON_NEGATIVE: _number,
    Kind.CHOICE: _choice,
}
