"""The goods catalogue: HS-6 codes with price norms, sectors, and the baskets actors buy from.

CHPL codes and tiers come from ``seeds`` (the packaged CHPL table); the non-CHPL codes are real
HS 2022 subheadings picked to cover machinery, vehicles, chemicals, consumer goods, medicines and
food. Prices are order-of-magnitude norms (HS 8542 around $4.2 per unit, IndexBox [secondary]);
everything else about them is [inference].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from seeds.tables import ChplTable

SECTORS: tuple[str, ...] = (
    "electronics",
    "telecom_it",
    "instruments",
    "aerospace",
    "semicon_equipment",
    "machine_tools",
    "industrial",
    "automotive",
    "chemicals",
    "pharma",
    "food",
    "consumer",
)
"""Product sectors: what a consignee buys and what an exporter sells."""

HUMANITARIAN_SECTORS: tuple[str, ...] = ("pharma", "food")

# hs6: (sector, median unit price USD, median lot in units, unit mass kg, description or "")
# An empty description means the CHPL table's wording is used.
_GOODS: dict[str, tuple[str, float, float, float, str]] = {
    "854231": ("electronics", 4.2, 2000, 0.002, ""),
    "854232": ("electronics", 3.0, 1500, 0.002, ""),
    "854233": ("electronics", 1.2, 3000, 0.001, ""),
    "854239": ("electronics", 2.5, 2500, 0.002, ""),
    "851762": ("telecom_it", 650.0, 10, 3.0, ""),
    "852691": ("aerospace", 900.0, 5, 1.5, ""),
    "853221": ("electronics", 0.35, 20000, 0.0005, ""),
    "853224": ("electronics", 0.03, 50000, 0.0001, ""),
    "854800": ("electronics", 6.0, 500, 0.02, ""),
    "847150": ("telecom_it", 2500.0, 4, 12.0, ""),
    "850440": ("electronics", 120.0, 40, 1.5, ""),
    "851769": ("telecom_it", 300.0, 20, 1.0, ""),
    "852589": ("instruments", 800.0, 6, 0.8, ""),
    "852910": ("telecom_it", 40.0, 100, 0.3, ""),
    "852990": ("telecom_it", 25.0, 300, 0.1, ""),
    "853669": ("electronics", 1.5, 3000, 0.01, ""),
    "853690": ("electronics", 2.0, 2000, 0.01, ""),
    "854110": ("electronics", 0.08, 30000, 0.0003, ""),
    "854121": ("electronics", 0.12, 25000, 0.0003, ""),
    "854129": ("electronics", 1.5, 4000, 0.002, ""),
    "854130": ("electronics", 2.0, 2000, 0.003, ""),
    "854149": ("electronics", 3.0, 1000, 0.002, ""),
    "854151": ("electronics", 6.0, 600, 0.003, ""),
    "854159": ("electronics", 1.0, 3000, 0.002, ""),
    "854160": ("electronics", 0.5, 5000, 0.001, ""),
    "848210": ("industrial", 8.0, 1000, 0.2, ""),
    "848220": ("industrial", 25.0, 300, 1.0, ""),
    "848230": ("industrial", 90.0, 50, 5.0, ""),
    "848250": ("industrial", 40.0, 100, 1.5, ""),
    "880730": ("aerospace", 500.0, 20, 2.0, ""),
    "901310": ("instruments", 1500.0, 5, 1.0, ""),
    "901380": ("instruments", 200.0, 20, 0.3, ""),
    "901420": ("aerospace", 5000.0, 3, 2.0, ""),
    "901480": ("aerospace", 1200.0, 5, 1.5, ""),
    "847180": ("telecom_it", 800.0, 8, 5.0, ""),
    "848610": ("semicon_equipment", 400_000.0, 1, 3000.0, ""),
    "848620": ("semicon_equipment", 800_000.0, 1, 5000.0, ""),
    "848640": ("semicon_equipment", 200_000.0, 1, 2000.0, ""),
    "853400": ("electronics", 15.0, 500, 0.05, ""),
    "854320": ("instruments", 4000.0, 3, 6.0, ""),
    "902750": ("instruments", 8000.0, 2, 15.0, ""),
    "903020": ("instruments", 3500.0, 3, 5.0, ""),
    "903032": ("instruments", 400.0, 10, 0.5, ""),
    "903039": ("instruments", 1200.0, 5, 2.0, ""),
    "903082": ("semicon_equipment", 150_000.0, 1, 800.0, ""),
    "845710": ("machine_tools", 250_000.0, 1, 8000.0, ""),
    "845811": ("machine_tools", 180_000.0, 1, 6000.0, ""),
    "845891": ("machine_tools", 150_000.0, 1, 5000.0, ""),
    "845961": ("machine_tools", 200_000.0, 1, 7000.0, ""),
    "846693": ("machine_tools", 300.0, 50, 3.0, ""),
    "847130": ("telecom_it", 900.0, 30, 2.0, "Portable automatic data-processing machines"),
    "847330": ("telecom_it", 50.0, 200, 0.3, "Parts and accessories of data-processing machines"),
    "851713": ("telecom_it", 400.0, 100, 0.2, "Smartphones"),
    "852352": ("electronics", 2.0, 5000, 0.005, "Smart cards"),
    "854442": ("electronics", 5.0, 500, 0.1, "Insulated conductors fitted with connectors"),
    "853641": ("electronics", 3.0, 1000, 0.02, "Relays for a voltage not exceeding 60 V"),
    "850760": ("electronics", 120.0, 50, 2.5, "Lithium-ion accumulators"),
    "853710": ("industrial", 2000.0, 4, 40.0, "Control panels for a voltage not exceeding 1 000 V"),
    "850152": ("industrial", 600.0, 10, 25.0, "AC motors, multi-phase, 750 W to 75 kW"),
    "903180": ("instruments", 3000.0, 3, 8.0, "Other measuring or checking instruments"),
    "902610": ("instruments", 1500.0, 5, 3.0, "Instruments for measuring flow or level of liquids"),
    "848180": ("industrial", 200.0, 50, 2.0, "Taps, cocks, valves and similar appliances"),
    "841370": ("industrial", 2500.0, 5, 60.0, "Centrifugal pumps"),
    "841430": ("industrial", 350.0, 20, 12.0, "Compressors for refrigerating equipment"),
    "842952": ("industrial", 180_000.0, 1, 20000.0, "Excavators with 360 degree superstructure"),
    "847989": ("industrial", 50_000.0, 1, 1500.0, "Machines having individual functions, n.e.s."),
    "730890": ("industrial", 2.0, 20000, 1.0, "Structures and parts of structures of steel"),
    "760612": ("industrial", 3.5, 10000, 1.0, "Plates and sheets of aluminium alloys"),
    "840991": ("automotive", 80.0, 100, 1.5, "Parts for spark-ignition engines"),
    "870899": ("automotive", 60.0, 300, 2.0, "Parts and accessories of motor vehicles"),
    "870829": ("automotive", 100.0, 100, 5.0, "Parts and accessories of vehicle bodies"),
    "870840": ("automotive", 1500.0, 10, 45.0, "Gear boxes for motor vehicles"),
    "401110": ("automotive", 90.0, 200, 9.0, "New pneumatic tyres for motor cars"),
    "390110": ("chemicals", 1.4, 20000, 1.0, "Polyethylene, specific gravity below 0.94"),
    "290511": ("chemicals", 0.5, 50000, 1.0, "Methanol"),
    "382499": ("chemicals", 3.0, 5000, 1.0, "Chemical products and preparations, n.e.s."),
    "320820": ("chemicals", 5.0, 2000, 1.0, "Paints and varnishes, acrylic or vinyl based"),
    "300490": ("pharma", 12.0, 5000, 0.05, "Medicaments in measured doses"),
    "300420": ("pharma", 8.0, 5000, 0.04, "Medicaments containing antibiotics"),
    "300215": ("pharma", 150.0, 500, 0.02, "Immunological products in measured doses"),
    "901890": ("pharma", 500.0, 20, 1.5, "Medical and surgical instruments"),
    "190110": ("food", 6.0, 5000, 0.8, "Infant food preparations"),
    "210690": ("food", 4.0, 5000, 1.0, "Food preparations, n.e.s."),
    "090121": ("food", 6.0, 5000, 1.0, "Roasted coffee"),
    "040221": ("food", 3.5, 10000, 1.0, "Milk powder, unsweetened"),
    "180690": ("food", 5.0, 4000, 1.0, "Chocolate and cocoa preparations"),
    "220421": ("food", 6.0, 3000, 1.3, "Wine of fresh grapes, bottled"),
    "392690": ("consumer", 2.0, 5000, 0.05, "Articles of plastics, n.e.s."),
    "330499": ("consumer", 8.0, 2000, 0.2, "Beauty and skin-care preparations"),
    "940360": ("consumer", 150.0, 50, 25.0, "Wooden furniture"),
    "611020": ("consumer", 12.0, 2000, 0.3, "Knitted jerseys and pullovers of cotton"),
    "852872": ("consumer", 350.0, 50, 12.0, "Colour television receivers"),
}

# fmt: off
_SECTOR_BASKETS: dict[str, dict[str, float]] = {
    "electronics": {
        "854231": 8, "854232": 4, "854233": 2, "854239": 4, "853221": 4, "853224": 6,
        "854800": 3, "850440": 5, "853669": 6, "853690": 6, "854110": 4, "854121": 4,
        "854129": 3, "854130": 2, "854149": 2, "854151": 1, "854159": 2, "854160": 2,
        "853400": 5, "852352": 5, "854442": 10, "853641": 6, "850760": 6,
    },
    "telecom_it": {
        "851762": 12, "847150": 8, "847180": 6, "851769": 10, "852910": 4, "852990": 4,
        "847130": 25, "847330": 15, "851713": 16,
    },
    "instruments": {
        "852589": 6, "901310": 3, "901380": 8, "854320": 6, "902750": 5, "903020": 6,
        "903032": 8, "903039": 6, "901480": 3, "903180": 25, "902610": 24,
    },
    "aerospace": {
        "880730": 30, "901420": 10, "852691": 10, "901480": 10, "848210": 10, "848250": 5,
        "392690": 10, "840991": 15,
    },
    "semicon_equipment": {
        "848610": 15, "848620": 25, "848640": 15, "903082": 15, "902750": 10, "847989": 20,
    },
    "machine_tools": {
        "845710": 15, "845811": 10, "845891": 8, "845961": 10, "846693": 25, "847989": 15,
        "848180": 7, "850152": 10,
    },
    "industrial": {
        "848210": 10, "848220": 5, "848230": 3, "848250": 4, "850440": 4, "853710": 10,
        "850152": 10, "848180": 15, "841370": 10, "841430": 8, "842952": 3, "847989": 8,
        "730890": 5, "760612": 5,
    },
    "automotive": {
        "870899": 30, "870829": 15, "870840": 10, "840991": 15, "401110": 12, "848210": 6,
        "848250": 3, "854231": 4, "853690": 5,
    },
    "chemicals": {"390110": 30, "290511": 15, "382499": 30, "320820": 25},
    "pharma": {"300490": 50, "300420": 20, "300215": 15, "901890": 15},
    "food": {"190110": 20, "210690": 25, "090121": 15, "040221": 15, "180690": 15, "220421": 10},
    "consumer": {"392690": 20, "330499": 20, "940360": 15, "611020": 25, "852872": 20},
}

_DIVERSION_BASKETS: dict[str, dict[str, float]] = {
    # Tier 1-2 heavy, some other sanctioned goods: front companies, conduits, networks, variants.
    "diversion_core": {
        "854231": 16, "854232": 6, "854233": 5, "854239": 12, "853221": 5, "853224": 7,
        "851762": 7, "852691": 2, "854800": 4, "850440": 3, "853669": 2, "853690": 2,
        "854129": 2, "854130": 1, "854149": 1, "854159": 2, "851769": 2, "848210": 3,
        "848250": 1, "880730": 1, "901380": 1, "853400": 2, "903020": 1, "846693": 2,
        "847130": 5, "847330": 4, "854442": 3, "850760": 3,
    },
    # Overpaying buyers chase the scarcest parts: Tier 1 and 2.
    "diversion_premium": {
        "854231": 20, "854232": 8, "854233": 7, "854239": 15, "853221": 8, "853224": 8,
        "851762": 7, "852691": 3, "854800": 4, "854129": 3, "854151": 3, "854159": 4,
        "847130": 5, "847330": 5,
    },
    # Fake transit by road and rail: broader, heavier goods.
    "diversion_transit": {
        "854231": 8, "854232": 3, "854239": 6, "853221": 4, "853224": 4, "851762": 6,
        "854800": 3, "850440": 5, "853690": 4, "854129": 3, "851769": 4, "848210": 7,
        "848220": 3, "848250": 3, "880730": 2, "901380": 2, "903020": 2, "845961": 2,
        "846693": 4, "870899": 6, "847130": 6, "848180": 4, "850152": 4,
    },
    # Machine tools and bearings, a growing part of diversion from 2023.
    "diversion_machine_tools": {
        "845710": 15, "845811": 10, "845891": 8, "845961": 12, "846693": 20, "848210": 10,
        "848220": 5, "848230": 5, "848250": 5, "847989": 10,
    },
}

_TRADE_BASKETS: dict[str, dict[str, float]] = {
    # Component distributors and IT traders stock what their customers build with: chips,
    # capacitors, network gear (Tier 1-2 heavy, like the diversion baskets, at normal prices).
    "component_distribution": {
        "854231": 18, "854232": 8, "854233": 5, "854239": 12, "853221": 7, "853224": 9,
        "854800": 5, "851762": 9, "850440": 3, "853669": 4, "853690": 4, "854129": 2,
        "854149": 2, "854159": 2, "853400": 3, "854442": 4, "853641": 3, "847130": 4,
        "847330": 3,
    },
}

# fmt: on

MIXED_BASKET = "mixed"
"""Trading houses and forwarders buy across sectors."""

VAGUE_DESCRIPTIONS: tuple[str, ...] = (
    "Electronic components",
    "Spare parts",
    "Parts for equipment",
    "Industrial goods",
    "Samples, no commercial value",
    "Electrical parts",
)
"""Goods descriptions that say nothing (R27: description inconsistent with the HS code)."""


def _short_description(wording: str) -> str:
    """A document-style description from the HS subheading wording."""
    text = wording.split(", whether")[0].split(" (")[0]
    head, _, tail = text.partition(": ")
    return f"{head} - {tail}" if tail else head


@dataclass(frozen=True)
class Catalogue:
    """HS-6 goods as a table (``goods``) plus named baskets of code weights.

    ``goods`` has one row per code, indexed 0..n-1 in a fixed order, with columns ``hs6``,
    ``tier`` (CHPL tier or ""), ``chpl``, ``tier12``, ``humanitarian``, ``sector``,
    ``unit_price``, ``lot``, ``unit_mass`` and ``description``. A basket maps to an array of
    probabilities over those rows.
    """

    goods: pd.DataFrame
    baskets: dict[str, np.ndarray]

    def basket_names(self) -> tuple[str, ...]:
        return tuple(self.baskets)

    def chpl_fraction(self, basket: str) -> float:
        """Expected share of CHPL codes in draws from ``basket``."""
        return float(self.baskets[basket] @ self.goods["chpl"].to_numpy(np.float64))

    def sector_codes(self) -> np.ndarray:
        """Sector index (into ``SECTORS``) of each goods row."""
        return self.goods["sector"].map({s: i for i, s in enumerate(SECTORS)}).to_numpy()


def build_catalogue(chpl: ChplTable) -> Catalogue:
    """The goods table and baskets; every CHPL code of ``chpl`` must be priced here."""
    missing = sorted(set(chpl.tier_by_hs6) - set(_GOODS))
    if missing:
        raise ValueError(f"CHPL codes without a price norm in the simulator: {missing!r}")
    codes = sorted(_GOODS)
    rows = []
    for code in codes:
        sector, price, lot, mass, text = _GOODS[code]
        tier = chpl.tier(code) or ""
        description = text or _short_description(chpl.description_by_hs6[code])
        rows.append((code, tier, sector, price, lot, mass, description))
    goods = pd.DataFrame(
        rows, columns=["hs6", "tier", "sector", "unit_price", "lot", "unit_mass", "description"]
    )
    goods["chpl"] = goods["tier"] != ""
    goods["tier12"] = goods["tier"].isin(["1", "2"])
    goods["humanitarian"] = goods["sector"].isin(HUMANITARIAN_SECTORS) & (goods["hs6"] != "220421")
    index = {code: i for i, code in enumerate(codes)}

    def as_probabilities(weights: dict[str, float]) -> np.ndarray:
        vector = np.zeros(len(codes))
        for code, weight in weights.items():
            vector[index[code]] = weight
        return vector / vector.sum()

    baskets = {name: as_probabilities(w) for name, w in _SECTOR_BASKETS.items()}
    baskets |= {name: as_probabilities(w) for name, w in _DIVERSION_BASKETS.items()}
    baskets |= {name: as_probabilities(w) for name, w in _TRADE_BASKETS.items()}
    baskets[MIXED_BASKET] = np.mean([baskets[s] for s in SECTORS], axis=0)
    humanitarian = goods["humanitarian"].to_numpy(np.float64)
    baskets["humanitarian"] = humanitarian / humanitarian.sum()
    return Catalogue(goods=goods, baskets=baskets)
