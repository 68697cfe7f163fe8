"""How each kind of field is read: one table, ``FIELD_KINDS``, used by both validators.

Per ``schema.Kind`` one ``FieldKind`` holds, side by side, the reader of a whole column of raw
text (the file validator, ``features.validation``: parsed values and the rows breaking each
rule, worded for the rejects) and the reader of one typed value (the per-record fast path,
``features.record_validation``: the same parsed value, or ``NotCanonical`` to hand the record
to the file validator). A rule or a parser changes in one place for both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from features.normalise import (
    HS6_LENGTH,
    HS_PATTERN,
    HS_SEPARATORS,
    normalise_identifier,
    normalise_identifiers,
    parse_countries,
    parse_country,
    parse_country_lists,
    parse_dates,
    parse_hs6,
    parse_numbers,
)
from features.schema import TRANSIT_SEPARATOR, Column, Kind

NUMBER_RULE = "not a plain number (digits and '.', no thousands separator)"
LABEL_VALUES = {"0": 0.0, "1": 1.0, "0.0": 0.0, "1.0": 1.0}
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
FAST_YEARS = range(1900, 2200)
"""Dates outside these years take the file validator's path (its calendar is bounded)."""


@dataclass(frozen=True)
class RowProblem:
    """Rows failing one rule of one column, with the offending raw values."""

    column: str
    rule: str
    values: pd.Series
    """Offending raw values indexed by line; only the failing rows."""
    rejects: bool = True
    """False for a value read as missing (an unknown code in an optional field): the row is
    kept and the value counted, not rejected."""


class NotCanonical(Exception):
    """A value the per-record fast path leaves to the file validator."""


ColumnReader = Callable[[Column, pd.Series, str | None], tuple[pd.Series, list[RowProblem]]]
ValueReader = Callable[[Column, object], object]


@dataclass(frozen=True)
class FieldKind:
    """Both readers of one kind of field (missing values are handled by the callers)."""

    column: ColumnReader
    """Raw text (NA = missing) -> parsed values and the given values breaking a rule."""
    value: ValueReader
    """One given, stripped value -> its parsed value, or ``NotCanonical``."""


def failing(column: str, rule: str, raw: pd.Series, bad: pd.Series) -> list[RowProblem]:
    bad = bad.fillna(False).astype(bool)
    return [RowProblem(column, rule, raw[bad])] if bad.any() else []


READ_AS_MISSING = "unknown code, read as missing"


def unknown_code(column: Column, rule: str, raw: pd.Series, bad: pd.Series) -> list[RowProblem]:
    """Rows whose value is not a known code: a reject in a required field; in an optional one
    the value is read as missing and counted (real files carry ``ZZ``, ``XX``, ``00`` ...)."""
    if column.required:
        return failing(column.name, rule, raw, bad)
    return [
        replace(problem, rule=READ_AS_MISSING, rejects=False)
        for problem in failing(column.name, rule, raw, bad)
    ]


def parse_number_column(
    name: str,
    raw: pd.Series,
    out_of_range: Callable[[pd.Series], pd.Series] | None = None,
    rule: str = "",
) -> tuple[pd.Series, list[RowProblem]]:
    """Numbers of a column (canonical or a column-map extra) and the rows breaking rules."""
    values = parse_numbers(raw)
    given = raw.notna()
    unparsed = given & (values.isna() | ~np.isfinite(values.fillna(0.0)))
    problems = failing(name, NUMBER_RULE, raw, unparsed)
    if out_of_range is not None:
        problems += failing(name, rule, raw, given & ~unparsed & out_of_range(values))
    return values.where(~unparsed), problems


def _text_column(column, raw, date_format):
    return raw, []


def _text_value(column, value):
    if not isinstance(value, str):
        raise NotCanonical
    return value


def _identifier_column(column, raw, date_format):
    values = normalise_identifiers(raw)
    rule = "not an id (nothing but separators)"
    return values, failing(column.name, rule, raw, raw.notna() & values.isna())


def _identifier_value(column, value):
    identifier = normalise_identifier(_text_value(column, value))
    if not identifier:
        raise NotCanonical
    return identifier


def _date_column(column, raw, date_format):
    values = parse_dates(raw, date_format)
    expected = f"a date as {date_format!r}" if date_format else "an ISO 8601 date (YYYY-MM-DD)"
    return values, failing(column.name, f"not {expected}", raw, raw.notna() & values.isna())


def _date_value(column, value):
    if not isinstance(value, str) or not ISO_DAY.fullmatch(value):
        raise NotCanonical
    if int(value[:4]) not in FAST_YEARS:
        raise NotCanonical
    try:
        return np.datetime64(value, "D")
    except ValueError:
        raise NotCanonical from None


COUNTRY_RULE = "not a known country (ISO-2, ISO-3 or English name)"


def _country_column(column, raw, date_format):
    values = parse_countries(raw)
    return values, unknown_code(column, COUNTRY_RULE, raw, raw.notna() & values.isna())


def _country_value(column, value):
    code = parse_country(_text_value(column, value))
    if code is None:
        raise NotCanonical
    return code


def _country_list_column(column, raw, date_format):
    values, unknown = parse_country_lists(raw, TRANSIT_SEPARATOR)
    rule = f"has an unknown country (expected ISO-2 codes separated by {TRANSIT_SEPARATOR!r})"
    return values, unknown_code(column, rule, raw, unknown.notna())


def _country_list_value(column, value):
    items = [item.strip() for item in _text_value(column, value).split(TRANSIT_SEPARATOR)]
    codes = [_country_value(column, item) for item in items if item]
    return TRANSIT_SEPARATOR.join(codes) or None


def _hs_code_column(column, raw, date_format):
    values = parse_hs6(raw)
    rule = "not an HS code (6-10 digits; dots and spaces allowed)"
    return values, failing(column.name, rule, raw, raw.notna() & values.isna())


def _hs_code_value(column, value):
    compact = HS_SEPARATORS.sub("", _text_value(column, value))
    if not re.fullmatch(HS_PATTERN, compact):
        raise NotCanonical
    return compact[:HS6_LENGTH]


def _non_negative_column(column, raw, date_format):
    return parse_number_column(column.name, raw, lambda v: v < 0, "must not be negative")


def _number_value(column, value):
    if not isinstance(value, float) or not np.isfinite(value):
        raise NotCanonical
    if value < 0:
        raise NotCanonical
    return value


def _choice_column(column, raw, date_format):
    values = raw.str.upper() if column.choices[0].isupper() else raw.str.lower()
    bad = raw.notna() & ~values.isin(column.choices)
    rule = f"not one of {', '.join(column.choices)}"
    return values.where(~bad), unknown_code(column, rule, raw, bad)


def _choice_value(column, value):
    text = _text_value(column, value)
    text = text.upper() if column.choices[0].isupper() else text.lower()
    if text not in column.choices:
        raise NotCanonical
    return text


def _label_column(column, raw, date_format):
    values = raw.map(LABEL_VALUES).astype("float64")
    bad = raw.notna() & values.isna()
    return values, failing(column.name, "must be 0, 1 or empty", raw, bad)


def _label_value(column, value):
    if value not in LABEL_VALUES.values():
        raise NotCanonical
    return float(value)


FIELD_KINDS: dict[Kind, FieldKind] = {
    Kind.TEXT: FieldKind(_text_column, _text_value),
    Kind.IDENTIFIER: FieldKind(_identifier_column, _identifier_value),
    Kind.DATE: FieldKind(_date_column, _date_value),
    Kind.COUNTRY: FieldKind(_country_column, _country_value),
    Kind.COUNTRY_LIST: FieldKind(_country_list_column, _country_list_value),
    Kind.HS_CODE: FieldKind(_hs_code_column, _hs_code_value),
    Kind.NON_NEGATIVE: FieldKind(_non_negative_column, _number_value),
    Kind.CHOICE: FieldKind(_choice_column, _choice_value),
    Kind.LABEL: FieldKind(_label_column, _label_value),
}
