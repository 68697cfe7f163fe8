"""Small random shipment histories for point-in-time tests (validated frames)."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from features.intake import validate_frame
from tests.factories import shipment

CONSIGNEES = ("C1", "C2", "C3", "C4")
EXPORTERS = ("E1", "E2", "E3")
ADDRESSES = ("Komitas 26, Yerevan", "Abay 10, Almaty", "")
HS_CODES = ("854231", "853224", "848210", "300490")
FIRST_DAY = pd.Timestamp("2022-01-01")


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
            value_usd=f"{rng.lognormal(8, 1):.2f}",
            quantity=str(int(rng.integers(1, 100))),
            diverted=str(labels[i]),
        )
        for i, day in enumerate(np.sort(rng.integers(0, days, size=rows)))
    ]
    validated = validate_frame(pd.DataFrame(records), labels=True)
    assert validated.rejects.empty
    return validated.shipments
