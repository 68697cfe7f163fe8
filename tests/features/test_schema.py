import re
from pathlib import Path

from features.schema import (
    CANONICAL_NAMES,
    EITHER_REQUIRED,
    REQUIRED_NAMES,
    SHIPMENT_COLUMNS,
    markdown_table,
)
from tests.factories import VALID_VALUES

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_column_table_is_generated_from_the_schema():
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- schema-table -->\n(.*?)<!-- /schema-table -->", text, re.S)
    assert found, "README.md lost its <!-- schema-table --> markers"
    assert found.group(1) == markdown_table(), (
        "README column table differs from features/schema.py; "
        "regenerate it with: python -m features.schema"
    )


def test_test_factory_covers_every_canonical_column_in_order():
    assert tuple(VALID_VALUES) == CANONICAL_NAMES


def test_required_columns_are_those_the_design_fixes():
    assert set(REQUIRED_NAMES) == {
        "shipment_id", "ship_date", "exporter_id", "exporter_country",
        "consignee_country", "destination_country", "hs_code", "value_usd",
    }  # fmt: skip
    assert set(EITHER_REQUIRED) == {"consignee_name", "consignee_id"}
    assert len({column.name for column in SHIPMENT_COLUMNS}) == len(SHIPMENT_COLUMNS)
