"""The shipment record: the data contract, declared once as data.

Validation, the README column table, test factories, the simulator's output and (later) the
model signature and HTTP request model are all derived from ``SHIPMENT_COLUMNS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

SCHEMA_VERSION = "2"
"""2: a declared value of 0 is valid, a consignee needs a name or an id, outcome_date."""


class Kind(Enum):
    """How a column's values are parsed and checked; the value is the README's type label."""

    TEXT = "string"
    IDENTIFIER = "id"
    DATE = "date"
    COUNTRY = "ISO-2"
    COUNTRY_LIST = "list of ISO-2"
    HS_CODE = "HS code"
    NON_NEGATIVE = "float >= 0"
    CHOICE = "enum"
    LABEL = "0 / 1 / empty"


TRANSPORT_MODES = ("sea", "air", "road", "rail", "post", "multimodal", "unknown")
INCOTERMS_2020 = ("EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF")
TRANSIT_SEPARATOR = ";"
LABEL_COLUMN = "diverted"
OUTCOME_DATE_COLUMN = "outcome_date"
GROUND_TRUTH_PREFIX = "truth_"
"""Simulator ground-truth columns start with this; they are refused as inputs."""


@dataclass(frozen=True)
class Column:
    """One canonical column of the shipment record."""

    name: str
    kind: Kind
    required: bool
    notes: str = ""
    choices: tuple[str, ...] = ()
    training_only: bool = False
    unless: str = ""
    """Required unless this other column is given (a consignee needs a name or an id)."""

    @property
    def required_label(self) -> str:
        if self.training_only:
            return "training only"
        if self.unless:
            return f"unless {self.unless} is given"
        return "yes" if self.required else "no"


SHIPMENT_COLUMNS: tuple[Column, ...] = (
    Column("shipment_id", Kind.TEXT, True, "unique within a file"),
    Column("ship_date", Kind.DATE, True, "ISO 8601 (YYYY-MM-DD)"),
    Column("exporter_id", Kind.IDENTIFIER, True, "EORI / EIN / internal id"),
    Column("exporter_country", Kind.COUNTRY, True, "ISO-2; ISO-3 and English names accepted"),
    Column("consignee_name", Kind.TEXT, False, "as written on the document", unless="consignee_id"),
    Column("consignee_country", Kind.COUNTRY, True),
    Column(
        "consignee_id",
        Kind.IDENTIFIER,
        False,
        "stable id if the source has one; else derived from the normalised name + country",
        unless="consignee_name",
    ),
    Column("consignee_address", Kind.TEXT, False, "free text"),
    Column("consignee_registered_on", Kind.DATE, False, "company registration date, where known"),
    Column("destination_country", Kind.COUNTRY, True, "declared final destination"),
    Column("transit_countries", Kind.COUNTRY_LIST, False, "`;`-separated in files"),
    Column("origin_country", Kind.COUNTRY, False, "country of manufacture"),
    Column("end_user_name", Kind.TEXT, False),
    Column("end_user_country", Kind.COUNTRY, False),
    Column(
        "hs_code", Kind.HS_CODE, True, "6-10 digits, dots/spaces allowed; HS-6 = first 6 digits"
    ),
    Column("goods_description", Kind.TEXT, False),
    Column("value_usd", Kind.NON_NEGATIVE, True, "0 = no charge (samples, replacements)"),
    Column("quantity", Kind.NON_NEGATIVE, False),
    Column("net_mass_kg", Kind.NON_NEGATIVE, False),
    Column("transport_mode", Kind.CHOICE, False, ", ".join(TRANSPORT_MODES), TRANSPORT_MODES),
    Column("incoterm", Kind.CHOICE, False, "Incoterms 2020 code", INCOTERMS_2020),
    Column("freight_forwarder", Kind.TEXT, False),
    Column("payer_country", Kind.COUNTRY, False),
    Column(
        LABEL_COLUMN, Kind.LABEL, False, "empty = not inspected (unlabelled)", training_only=True
    ),
    Column(
        "outcome_date",
        Kind.DATE,
        False,
        "when the label became known; default ship_date + the run's --outcome-delay-days",
        training_only=True,
    ),
)

COLUMNS_BY_NAME: dict[str, Column] = {column.name: column for column in SHIPMENT_COLUMNS}
CANONICAL_NAMES: tuple[str, ...] = tuple(COLUMNS_BY_NAME)
REQUIRED_NAMES: tuple[str, ...] = tuple(c.name for c in SHIPMENT_COLUMNS if c.required)
TRAINING_ONLY_NAMES: tuple[str, ...] = tuple(c.name for c in SHIPMENT_COLUMNS if c.training_only)
"""The label and its outcome date: read by training only, never scoring inputs."""
EITHER_REQUIRED: tuple[str, str] = ("consignee_name", "consignee_id")
"""A row needs at least one of these; the id is derived from the name when missing."""


NUMERIC_KINDS = frozenset({Kind.NON_NEGATIVE, Kind.LABEL})


def pandas_dtypes() -> dict[str, str]:
    """Column dtypes for reading a shipment file with pandas: numbers as float64, the rest as
    text (``pd.read_csv(path, dtype=pandas_dtypes())``), as the model signature expects."""
    return {c.name: "float64" if c.kind in NUMERIC_KINDS else "str" for c in SHIPMENT_COLUMNS}


def markdown_table() -> str:
    """The column table of the README, generated from ``SHIPMENT_COLUMNS``."""
    lines = ["| column | type | required | notes |", "|---|---|---|---|"]
    for column in SHIPMENT_COLUMNS:
        lines.append(
            f"| {column.name} | {column.kind.value} | {column.required_label} | {column.notes} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
