"""A fast contract check for one shipment record already typed by the request model.

``parse_record`` accepts only records in plain canonical form (ISO dates, known countries,
digit HS codes, numbers in range, unique ids) and returns their typed, normalised values:
the same values the file validator (``features.validation``) would give them. Anything else
returns None and the caller falls back to the file validator, which also words the errors:
the fast path never rejects, so it can never reject differently.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from features.extras import ExtraColumns
from features.fields import FIELD_KINDS, NotCanonical
from features.names import normalise_name
from features.schema import (
    LABEL_COLUMN,
    NUMERIC_KINDS,
    OUTCOME_DATE_COLUMN,
    SHIPMENT_COLUMNS,
    Column,
    Kind,
)
from features.validation import DERIVED_ID_SEPARATOR

TEXT_EXTRA = Column("extra text", Kind.TEXT, False)
NUMBER_EXTRA = Column("extra number", Kind.NON_NEGATIVE, False)
"""How extras are read here: optional text, optional numbers (negative ones, which a
numeric extra may hold, take the file validator's path)."""


def parse_record(
    values: Mapping[str, object], extras: ExtraColumns | None = None
) -> dict[str, object] | None:
    """Typed canonical values of one record (text stripped, empty = None; dates as
    ``datetime64[D]``; countries ISO-2; HS-6; the consignee id derived when missing; the label
    ignored, as the file validator ignores it for scoring; ``extras`` as text or numbers), or
    None when the record needs the file validator."""
    extras = extras or ExtraColumns()
    try:
        record = {
            column.name: _parse(column, values.get(column.name))
            for column in SHIPMENT_COLUMNS
            if not column.training_only
        }
        record |= {name: _parse(TEXT_EXTRA, values.get(name)) for name in extras.text}
        record |= {name: _parse(NUMBER_EXTRA, values.get(name)) for name in extras.numeric}
    except NotCanonical:
        return None
    record[LABEL_COLUMN] = np.nan
    record[OUTCOME_DATE_COLUMN] = np.datetime64("NaT", "D")
    if record["consignee_id"] is None and record["consignee_name"] is None:
        return None
    if record["consignee_id"] is None:
        name = normalise_name(record["consignee_name"])
        record["consignee_id"] = record["consignee_country"] + DERIVED_ID_SEPARATOR + name
    return record


def _parse(column: Column, value: object) -> object:
    if isinstance(value, str):
        if "\x00" in value:
            raise NotCanonical
        value = value.strip() or None
    if value is None:
        if column.required:
            raise NotCanonical
        return _missing(column)
    return FIELD_KINDS[column.kind].value(column, value)


def _missing(column: Column) -> object:
    if column.kind is Kind.DATE:
        return np.datetime64("NaT", "D")
    return np.nan if column.kind in NUMERIC_KINDS else None
