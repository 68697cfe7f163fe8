"""Small random shipment histories for point-in-time tests (validated frames)."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from features.column_map import ColumnMap
from features.extras import ExtraColumns
from features.intake import validate_frame
from tests.factories import shipment

CONSIGNEES = ("C1", "C2", "C3", "C4")
EXPORTERS = ("E1", "E2", "E3")
ADDRESSES = ("Komitas 26, Yerevan", "Abay 10, Almaty", "")
HS_CODES = ("854231", "853224", "848210", "300490")
FIRST_DAY = pd.Timestamp("2022-01-01")
EXTRAS = ExtraColumns(("broker",), ("office",), ("tax_rate",), {"office": ("O1", "O2")})
"""The extra columns of a random history, with a fixed vocabulary (O3 is "other")."""
COLUMN_MAP = ColumnMap(
    entity_keys=("broker",), categorical_extras=("office",), numeric_extras=("tax_rate",)
)


def random_history(seed: int, rows: int = 60, days: int = 400) -> pd.DataFrame:
    """Validated shipments over ``days`` days, several per day, labels on some of them."""
    return _random_history(seed, rows, days).copy()


@cache
def _random_history(seed: int, rows: int, days: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    labels = rng.choice(["", "", "0", "1"], size=rows)
    records = [
        shipment(
            shipment_id=f"S-{i:04d}",
            ship_date=str((FIRST_DAY + pd.Timedelta(days=int(day))).date()),
            consignee_id=str(rng.choice(CONSIGNEES)),
            exporter_id=str(rng.choice(EXPORTERS)),
            consignee_address=str(rng.choice(ADDRESSES)),
            hs_code=str(rng.choice(HS_CODES)),
            value_usd=str(rng.choice(["0", f"{rng.lognormal(8, 1):.2f}"], p=[0.1, 0.9])),
            quantity=str(int(rng.integers(1, 100))),
            net_mass_kg=str(rng.choice(["", "0", f"{rng.lognormal(2, 1):.3f}"])),
            origin_country=str(rng.choice(["", "US", "CN", "DE"])),
            diverted=str(labels[i]),
        )
        | {
            "broker": str(rng.choice(["", "B1", "B2"])),
            "office": str(rng.choice(["", "O1", "O2", "O3"])),
            "tax_rate": str(rng.choice(["", "0", "5", "12.5"])),
        }
        for i, day in enumerate(np.sort(rng.integers(0, days, size=rows)))
    ]
    validated = validate_frame(pd.DataFrame(records), COLUMN_MAP, labels=True)
    assert validated.rejects.empty
    return validated.shipments
