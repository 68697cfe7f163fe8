"""Hand-built shipment rows and files for tests, derived from the contract."""

from __future__ import annotations

import csv
from pathlib import Path

VALID_VALUES: dict[str, str] = {
    "shipment_id": "S-0001",
    "ship_date": "2023-03-14",
    "exporter_id": "DE123456789000",
    "exporter_country": "DE",
    "consignee_name": "Armtech Trading LLC",
    "consignee_country": "AM",
    "consignee_id": "AM-000123",
    "consignee_address": "Komitas 26, Yerevan",
    "consignee_registered_on": "2022-06-01",
    "destination_country": "AM",
    "transit_countries": "GE",
    "origin_country": "US",
    "end_user_name": "Armtech Trading LLC",
    "end_user_country": "AM",
    "hs_code": "8542.31.00",
    "goods_description": "microcontrollers",
    "value_usd": "12500.00",
    "quantity": "500",
    "net_mass_kg": "2.5",
    "transport_mode": "air",
    "incoterm": "FCA",
    "freight_forwarder": "Fast Cargo LLC",
    "payer_country": "AE",
    "diverted": "",
    "outcome_date": "",
}


def shipment(**overrides: str) -> dict[str, str]:
    """One valid shipment row as raw strings; keyword arguments replace single values."""
    unknown = set(overrides) - set(VALID_VALUES)
    if unknown:
        raise KeyError(f"not canonical columns: {sorted(unknown)}")
    return {**VALID_VALUES, **overrides}


def shipments(count: int, **overrides: str) -> list[dict[str, str]]:
    """``count`` valid rows with distinct ids."""
    return [shipment(**{"shipment_id": f"S-{i:04d}", **overrides}) for i in range(count)]


def write_csv(path: Path, rows: list[dict[str, str]], *, delimiter: str = ",") -> Path:
    """Write rows (dicts with the same keys) as a CSV file and return its path."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path
