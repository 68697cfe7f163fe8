"""From drawn (stream, date) pairs to complete shipment records, vectorised over all rows.

Each column is filled by one helper from the stream's consignee and behaviour; every
categorical value is drawn as an integer code and turned into text once, at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from features.schema import INCOTERMS_2020, TRANSPORT_MODES
from training.simulator.actors import (
    REEXPORTED_SECTORS,
    STAPLE_SLOTS,
    SUPPLIER_SLOTS,
    SupplierPools,
)
from training.simulator.behaviour import LEGITIMATE, behaviour_table
from training.simulator.calendar import day
from training.simulator.calibration import machine_tool_share
from training.simulator.config import (
    CALIBRATION_START,
    INVASION_DATE,
    LOT_SIGMA,
    UNIT_PRICE_SIGMA,
)
from training.simulator.goods import SECTORS, VAGUE_DESCRIPTIONS
from training.simulator.places import (
    CAUCASUS,
    CENTRAL_ASIA,
    DISTRIBUTOR_ORIGINS,
    DIVERSION_DESTINATIONS,
    DIVERSION_PAYER_COUNTRIES,
    EU_MEMBERS,
    EUROPE,
    NEIGHBOURS,
    SUBSIDIARY_ORIGINS,
    known_countries,
)
from training.simulator.world import World

PRICE_INFLATION_PER_YEAR = 0.02
"""General drift of unit prices [inference]."""

MASS_SIGMA = 0.15
NATIONAL_EXTENSIONS_8 = ("00", "10", "90", "11", "19", "80")
NATIONAL_EXTENSIONS_10 = ("0000", "0010", "9000", "1000", "0090", "8000")
HQ_COUNTRIES = ("US", "DE", "JP", "GB", "CH", "NL", "FR")

DIRECT_ATTEMPT_SHARE = 0.01
"""Share of diverted shipments after the invasion declared straight to Russia: careless or
testing attempts, which licence checks mostly stop (``labels``); fake-transit networks, which
never declare another destination, do not [inference]."""

MISSING_RATES = {
    "consignee_address": 0.05,
    "origin_country": 0.10,
    "quantity": 0.04,
    "net_mass_kg": 0.06,
    "transport_mode": 0.02,
    "incoterm": 0.08,
    "goods_description": 0.03,
    "payer_country": 0.25,
}
"""Share of rows where an optional field is left empty [inference]."""

_LIGHT = ("electronics", "telecom_it", "instruments", "aerospace")
_HEAVY = ("semicon_equipment", "machine_tools", "industrial", "automotive")
# Rows: light/heavy/bulk x land/far, plus forced land routing. Columns follow TRANSPORT_MODES:
# sea, air, road, rail, post, multimodal, unknown.
# fmt: off
_MODE_TABLE = np.array([
    [0.04, 0.35, 0.36, 0.04, 0.08, 0.10, 0.03],
    [0.12, 0.68, 0.00, 0.00, 0.12, 0.05, 0.03],
    [0.15, 0.03, 0.55, 0.12, 0.00, 0.12, 0.03],
    [0.75, 0.08, 0.00, 0.02, 0.00, 0.12, 0.03],
    [0.20, 0.02, 0.60, 0.10, 0.00, 0.05, 0.03],
    [0.80, 0.10, 0.00, 0.00, 0.00, 0.07, 0.03],
    [0.00, 0.00, 0.55, 0.25, 0.00, 0.20, 0.00],
])
# Columns follow INCOTERMS_2020: EXW FCA CPT CIP DAP DPU DDP FAS FOB CFR CIF.
_INCOTERM_TABLE = np.array([
    [0.10, 0.30, 0.10, 0.13, 0.22, 0.03, 0.08, 0.00, 0.02, 0.00, 0.02],
    [0.05, 0.10, 0.02, 0.02, 0.08, 0.00, 0.03, 0.03, 0.30, 0.15, 0.22],
    [0.35, 0.32, 0.06, 0.05, 0.14, 0.01, 0.03, 0.00, 0.02, 0.00, 0.02],
    [0.20, 0.20, 0.02, 0.02, 0.05, 0.00, 0.01, 0.03, 0.35, 0.06, 0.06],
])
# fmt: on

_RU_ROUTES = {
    "RU": ("PL;BY", "LT;BY", "LV", "FI", "EE"),
    "BY": ("PL", "LT", "LV"),
    "KZ": ("PL;BY;RU", "LT;BY;RU", "LV;RU", "FI;RU"),
    "KG": ("PL;BY;RU;KZ", "LV;RU;KZ", "FI;RU;KZ"),
    "UZ": ("PL;BY;RU;KZ", "LV;RU;KZ", "LT;BY;RU;KZ"),
    "TJ": ("PL;BY;RU;KZ;UZ", "LV;RU;KZ;UZ"),
    "MN": ("PL;BY;RU", "LV;RU"),
    "AM": ("PL;BY;RU;GE", "LV;RU;GE"),
    "GE": ("PL;BY;RU", "LV;RU"),
    "AZ": ("PL;BY;RU", "LT;BY;RU"),
}
"""Land routes from Europe through Belarus/Russia (normal before 2022, R31 after)."""
_FAR_RU_ROUTES = ("FI;RU", "LV;RU", "DE;PL;BY;RU")
"""Sea then land through Russia for non-European exporters (fake transit via Finland)."""
_CORRIDOR_ROUTES = {
    "KZ": ("TR;GE;AZ", "RO;GE;AZ", "BG;TR;GE;AZ"),
    "KG": ("TR;GE;AZ;KZ", "RO;GE;AZ;KZ"),
    "UZ": ("TR;GE;AZ;TM", "TR;GE;AZ;KZ"),
    "TJ": ("TR;GE;AZ;TM;UZ",),
    "MN": ("CN",),
    "AM": ("TR;GE", "BG;TR;GE"),
    "GE": ("TR", "BG;TR"),
    "AZ": ("TR;GE",),
}
"""The Middle Corridor through Türkiye, Georgia and the Caspian, avoiding Russia."""
_HUB_ROUTES = {"sea_asia": ("SG",), "sea_mideast": ("AE",), "sea_other": ("NL", "BE"),
               "air": ("TR", "AE")}  # fmt: skip
_ASIA = frozenset({"CN", "HK", "MO", "TW", "KR", "JP", "SG", "MY", "TH", "VN", "ID", "PH", "IN",
                   "AU", "NZ", "MN"})  # fmt: skip
_MIDEAST = frozenset({"AE", "SA", "QA", "OM", "JO", "EG", "IL", "PK"})


@dataclass(frozen=True)
class Vocab:
    """A fixed list of strings and the integer code of each."""

    values: tuple[str, ...]

    def code(self, items) -> np.ndarray:
        lookup = {v: i for i, v in enumerate(self.values)}
        return np.array([lookup[x] for x in items], dtype=np.int64)

    def text(self, codes: np.ndarray) -> pa.Array:
        """Strings for ``codes``; a negative code gives a missing value."""
        codes = np.asarray(codes, dtype=np.int64)
        indices = pa.array(np.maximum(codes, 0), mask=codes < 0)
        return pa.array(self.values, type=pa.string()).take(indices)


def country_vocab() -> Vocab:
    """Every country code a record can carry, sorted (codes compare like the strings)."""
    return Vocab(tuple(sorted(known_countries() | TRANSIT_ONLY)))


TRANSIT_ONLY = frozenset({"TM"})
"""Countries that only appear on routes (Turkmenistan on the Middle Corridor)."""


def _members(countries: Vocab, group) -> np.ndarray:
    """Boolean lookup table over country codes: is the country in ``group``?"""
    return np.isin(np.array(countries.values), sorted(group))


def _pick(rng: np.random.Generator, table: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """For each entry of ``rows``, a column index drawn from that row of ``table``."""
    cumulative = np.cumsum(table / table.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(len(rows))
    return np.minimum((u[:, None] >= cumulative[rows]).sum(axis=1), table.shape[1] - 1)


def _choose(rng: np.random.Generator, options, size: int, weights=None) -> np.ndarray:
    p = None if weights is None else np.asarray(weights, dtype=np.float64) / np.sum(weights)
    return rng.choice(len(options), size=size, p=p)


class _Rows:
    """Working columns of all rows while they are being filled."""

    def __init__(self, world: World, draws: pd.DataFrame) -> None:
        self.n = len(draws)
        self.ship_day = draws["ship_date"].to_numpy().astype("datetime64[D]")
        stream = draws["stream"].to_numpy()
        table = world.streams
        self.consignee = table["consignee"].to_numpy()[stream]
        behaviours = behaviour_table()
        self.behaviours = behaviours
        beh = table["typology"].map({t: i for i, t in enumerate(behaviours.index)}).to_numpy()
        self.beh = beh[stream]
        self.diverted = table["diverted"].to_numpy(dtype=bool)[stream]
        baskets = world.catalogue.basket_names()
        self.baskets = baskets
        self.basket = table["basket"].map({b: i for i, b in enumerate(baskets)}).to_numpy()[stream]
        self.post = self.ship_day >= day(INVASION_DATE)
        consignees = world.consignees
        self.legit = ~self.diverted
        self.rail = consignees["rail_via_russia"].to_numpy(bool)[self.consignee] & self.legit

    def param(self, name: str) -> np.ndarray:
        return self.behaviours[name].to_numpy()[self.beh]


def _goods(rng: np.random.Generator, world: World, rows: _Rows) -> np.ndarray:
    consignees = world.consignees
    staples = consignees[[f"staple_{j}" for j in range(STAPLE_SLOTS)]].to_numpy()
    goods = np.full(rows.n, -1, dtype=np.int64)
    use_staple = rng.random(rows.n) < rows.param("p_staple")
    slot = rng.integers(0, STAPLE_SLOTS, rows.n)
    goods[use_staple] = staples[rows.consignee[use_staple], slot[use_staple]]
    month = world.grid.month_of(rows.ship_day)
    tools = rows.diverted & (rng.random(rows.n) < machine_tool_share(world.grid)[month])
    basket = np.where(tools, rows.baskets.index("diversion_machine_tools"), rows.basket)
    need = (goods < 0) | tools
    for code in np.unique(basket[need]):
        idx = np.flatnonzero(need & (basket == code))
        p = world.catalogue.baskets[rows.baskets[code]]
        goods[idx] = rng.choice(len(p), size=len(idx), p=p)
    return goods


def _from_pools(
    rng: np.random.Generator, pools: SupplierPools, sector: np.ndarray, rows: np.ndarray
) -> np.ndarray:
    out = np.empty(len(rows), dtype=np.int64)
    for code in np.unique(sector[rows]):
        name = SECTORS[code]
        at = np.flatnonzero(sector[rows] == code)
        members, p = pools.members[name], pools.probabilities[name]
        out[at] = members[rng.choice(len(members), size=len(at), p=p)]
    return out


def _exporters(
    rng: np.random.Generator, world: World, rows: _Rows, goods: np.ndarray, countries: Vocab
) -> np.ndarray:
    consignees = world.consignees
    suppliers = consignees[[f"supplier_{j}" for j in range(SUPPLIER_SLOTS)]].to_numpy()
    count = consignees["n_suppliers"].to_numpy()[rows.consignee]
    regular = rng.random(rows.n) < rows.param("p_regular")
    slot = np.floor(rng.random(rows.n) * count).astype(np.int64)
    exporter = np.where(regular, suppliers[rows.consignee, slot], -1)
    sector = world.catalogue.sector_codes()[goods]
    exporter_country = countries.code(world.exporters["country"])
    own = countries.code(consignees["country"])[rows.consignee]
    need = ~regular
    for attempt in range(6):
        for diverted, pools in ((False, world.legit_pools), (True, world.diversion_pools)):
            idx = np.flatnonzero(need & (rows.diverted == diverted))
            if len(idx):
                exporter[idx] = _from_pools(rng, pools, sector, idx)
        need = exporter_country[exporter] == own
        if attempt == 0:
            need |= exporter < 0
        if not need.any():
            break
    return _reexported(rng, world, rows, sector, exporter, exporter_country, own)


def _reexported(
    rng: np.random.Generator,
    world: World,
    rows: _Rows,
    sector: np.ndarray,
    exporter: np.ndarray,
    exporter_country: np.ndarray,
    own: np.ndarray,
) -> np.ndarray:
    """``exporter`` with a behaviour's ``p_reexport`` share of the rows whose goods hub
    distributors resell moved to one of them (weighted by size, never in the consignee's
    country)."""
    exporters = world.exporters
    hub = np.flatnonzero(exporters["reexporter"].to_numpy(bool))
    resold = np.isin(sector, [SECTORS.index(name) for name in REEXPORTED_SECTORS])
    size = exporters["size"].to_numpy(np.float64)[hub]
    pick = hub[rng.choice(len(hub), size=rows.n, p=size / size.sum())]
    chosen = (rng.random(rows.n) < rows.param("p_reexport")) & resold
    chosen &= exporter_country[pick] != own
    return np.where(chosen, pick, exporter)


def _origins(
    rng: np.random.Generator, world: World, exporter: np.ndarray, countries: Vocab
) -> np.ndarray:
    n = len(exporter)
    manufacturer = world.exporters["kind"].to_numpy()[exporter] == "manufacturer"
    own = countries.code(world.exporters["country"])[exporter]
    plants = countries.code(SUBSIDIARY_ORIGINS)[_choose(rng, SUBSIDIARY_ORIGINS, n)]
    brands = countries.code(DISTRIBUTOR_ORIGINS)[
        _choose(rng, DISTRIBUTOR_ORIGINS, n, list(DISTRIBUTOR_ORIGINS.values()))
    ]
    home = rng.random(n) < 0.8
    origin = np.where(manufacturer, np.where(home, own, plants), brands)
    return np.where(rng.random(n) < MISSING_RATES["origin_country"], -1, origin)


def _destinations(
    rng: np.random.Generator, rows: _Rows, own: np.ndarray, countries: Vocab
) -> np.ndarray:
    destination = own.copy()
    mismatch = rng.random(rows.n) < rows.param("p_destination_mismatch")
    legit = mismatch & ~rows.diverted
    width = max(len(v) for v in NEIGHBOURS.values())
    table = np.full((len(countries.values), width), -1, dtype=np.int64)
    for country, near in NEIGHBOURS.items():
        table[countries.code([country])[0], : len(near)] = countries.code(near)
    sizes = (table >= 0).sum(axis=1)
    has = legit & (sizes[own] > 0)
    pick = np.floor(rng.random(rows.n) * np.maximum(sizes[own], 1)).astype(np.int64)
    destination[has] = table[own[has], pick[has]]
    hubs = np.sort(countries.code(DIVERSION_DESTINATIONS))
    diverted = mismatch & rows.diverted
    chosen = hubs[rng.integers(0, len(hubs), rows.n)]
    chosen = np.where(chosen == own, hubs[(np.searchsorted(hubs, chosen) + 1) % len(hubs)], chosen)
    destination[diverted] = chosen[diverted]
    attempt = rows.diverted & rows.post & (rows.param("p_destination_mismatch") > 0)
    attempt &= rng.random(rows.n) < DIRECT_ATTEMPT_SHARE
    destination[attempt] = countries.code(["RU"])[0]
    return destination


def _modes(
    rng: np.random.Generator,
    world: World,
    rows: _Rows,
    goods: np.ndarray,
    exporter_country: np.ndarray,
    destination: np.ndarray,
    countries: Vocab,
    land_bridge: np.ndarray,
) -> np.ndarray:
    """Transport modes; ``land_bridge`` rows and fake-transit rows go by road or rail."""
    sector = world.catalogue.goods["sector"].to_numpy()
    goods_class = np.where(np.isin(sector, _LIGHT), 0, np.where(np.isin(sector, _HEAVY), 1, 2))
    weight_class = goods_class[goods]
    europe = _members(countries, EUROPE)
    reachable = europe | _members(countries, CENTRAL_ASIA | CAUCASUS | {"TR", "RS", "RU", "BY"})
    land = europe[exporter_country] & reachable[destination]
    table_row = 2 * weight_class + np.where(land, 0, 1)
    forced = (rows.diverted & (rows.param("p_ru_transit") >= 1.0)) | land_bridge
    table_row = np.where(forced, 6, table_row)
    mode = _pick(rng, _MODE_TABLE, table_row)
    missing = rng.random(rows.n) < MISSING_RATES["transport_mode"]
    return np.where(missing, -1, mode)


def _routes(
    rng: np.random.Generator,
    rows: _Rows,
    chpl: np.ndarray,
    mode: np.ndarray,
    exporter_country: np.ndarray,
    destination: np.ndarray,
    countries: Vocab,
    land_bridge: np.ndarray,
) -> tuple[np.ndarray, Vocab]:
    """Declared transit countries; ``land_bridge`` rows always cross Russia."""
    european = _members(countries, EUROPE)[exporter_country]
    land_mode = np.isin(mode, [TRANSPORT_MODES.index(m) for m in ("road", "rail", "multimodal")])
    east = _members(countries, CENTRAL_ASIA | CAUCASUS)[destination]
    target = _members(countries, {"RU", "BY"})[destination]
    u = rng.random(rows.n)
    legit_ru = np.where(chpl, 0.04, 0.35)
    p_ru = np.where(rows.diverted, rows.param("p_ru_transit"), legit_ru)
    via_ru = land_mode & east & np.where(rows.post, u < p_ru, european | (u < 0.5))
    via_ru |= land_bridge & land_mode
    corridor = land_mode & east & ~via_ru & european
    far_ru = via_ru & ~european
    direct = land_mode & target & european

    routes: list[str] = []
    route = np.full(rows.n, -1, dtype=np.int64)

    def assign(mask: np.ndarray, options: tuple[str, ...]) -> None:
        idx = np.flatnonzero(mask)
        if len(idx) == 0:
            return
        codes = []
        for option in options:
            if option not in routes:
                routes.append(option)
            codes.append(routes.index(option))
        route[idx] = np.array(codes)[rng.integers(0, len(codes), len(idx))]

    for country in sorted(_RU_ROUTES):
        here = destination == countries.code([country])[0]
        assign(via_ru & european & here, _RU_ROUTES[country])
        assign(direct & here, _RU_ROUTES[country])
        assign(far_ru & here, tuple(_far_route(r, country) for r in _FAR_RU_ROUTES))
        if country in _CORRIDOR_ROUTES:
            assign(corridor & here, _CORRIDOR_ROUTES[country])
    sea = mode == TRANSPORT_MODES.index("sea")
    air = mode == TRANSPORT_MODES.index("air")
    hub = rng.random(rows.n)
    asia = _members(countries, _ASIA - {"SG"})[destination]
    mideast = _members(countries, _MIDEAST - {"AE"})[destination]
    other = ~_members(countries, _ASIA | _MIDEAST | EUROPE)[destination] & ~european
    assign(sea & (hub < 0.1) & asia, _HUB_ROUTES["sea_asia"])
    assign(sea & (hub < 0.1) & mideast, _HUB_ROUTES["sea_mideast"])
    assign(sea & (hub < 0.05) & other, _HUB_ROUTES["sea_other"])
    assign(air & (hub < 0.35) & east, _HUB_ROUTES["air"])
    return route, Vocab(tuple(routes))


def _land_bridge(
    rng: np.random.Generator, rows: _Rows, destination: np.ndarray, countries: Vocab
) -> np.ndarray:
    """Rows of look-alikes whose forwarder sends land freight through Russia after the invasion.

    Only consignees with ``rail_via_russia`` and only to Central Asia or the Caucasus; the
    share of their shipments is the behaviour's ``p_ru_transit``.
    """
    east = _members(countries, CENTRAL_ASIA | CAUCASUS)[destination]
    chosen = rng.random(rows.n) < rows.param("p_ru_transit")
    return rows.rail & rows.post & east & chosen


def _far_route(route: str, destination: str) -> str:
    hops = {"KG": ";KZ", "UZ": ";KZ", "TJ": ";KZ;UZ", "AM": ";GE"}
    return route + hops.get(destination, "") if destination not in ("RU", "BY") else route


@dataclass(frozen=True)
class Money:
    unit_value: np.ndarray
    quantity: np.ndarray
    value: np.ndarray
    mass: np.ndarray
    price_ratio: np.ndarray


def _money(rng: np.random.Generator, world: World, rows: _Rows, goods: np.ndarray) -> Money:
    table = world.catalogue.goods
    years = (rows.ship_day - day(CALIBRATION_START)).astype(np.int64) / 365.25
    norm = table["unit_price"].to_numpy()[goods] * (1 + PRICE_INFLATION_PER_YEAR) ** years
    noise = np.exp(UNIT_PRICE_SIGMA * rng.standard_normal(rows.n))
    premium = rng.random(rows.n) < rows.param("p_premium")
    low, high = rows.param("premium_low"), rows.param("premium_high")
    factor = np.where(premium, low + (high - low) * rng.random(rows.n), 1.0)
    unit_value = norm * noise * factor
    lot = table["lot"].to_numpy()[goods] * np.exp(LOT_SIGMA * rng.standard_normal(rows.n))
    lot_scale = np.where(rows.diverted, rows.param("lot_median"), 1.0)
    quantity = np.maximum(1.0, np.round(lot * lot_scale))
    value = np.maximum(np.round(unit_value * quantity, 2), 0.01)
    mass = quantity * table["unit_mass"].to_numpy()[goods]
    mass = np.round(mass * np.exp(MASS_SIGMA * rng.standard_normal(rows.n)), 3)
    return Money(unit_value, quantity, value, mass, value / quantity / norm)


def _pool_codes(pool: pd.DataFrame, countries: Vocab) -> tuple[np.ndarray, np.ndarray]:
    """Start offset and size of each country's block in a name pool sorted by country."""
    codes = countries.code(pool["country"])
    every = np.arange(len(countries.values))
    return np.searchsorted(codes, every), np.bincount(codes, minlength=len(every))


def _from_name_pool(
    rng: np.random.Generator, starts: np.ndarray, sizes: np.ndarray, country: np.ndarray
) -> np.ndarray:
    pick = np.floor(rng.random(len(country)) * np.maximum(sizes[country], 1)).astype(np.int64)
    return np.where(sizes[country] > 0, starts[country] + pick, -1)


def _end_users(
    rng: np.random.Generator,
    world: World,
    rows: _Rows,
    chpl: np.ndarray,
    own: np.ndarray,
    countries: Vocab,
) -> tuple[np.ndarray, np.ndarray]:
    """End-user name codes (consignee rows first, then the end-user pool) and countries."""
    n_consignees = len(world.consignees)
    p = np.where(rows.diverted, rows.param("p_end_user"), np.where(chpl, 0.55, 0.3))
    named = rng.random(rows.n) < p
    manufacturer = world.consignees["business_type"].to_numpy()[rows.consignee] == "manufacturer"
    u = rng.random(rows.n)
    itself = np.where(rows.diverted, u < 0.1, manufacturer & (u < 0.7))
    hubs = countries.code(DIVERSION_DESTINATIONS)
    elsewhere = rows.diverted & (rng.random(rows.n) < 0.45)
    country = np.where(elsewhere, hubs[rng.integers(0, len(hubs), rows.n)], own)
    starts, sizes = _pool_codes(world.end_users, countries)
    pooled = _from_name_pool(rng, starts, sizes, country)
    name = np.where(itself, rows.consignee, np.where(pooled >= 0, n_consignees + pooled, -1))
    country = np.where(itself, own, country)
    name = np.where(named, name, -1)
    return name, np.where(name >= 0, country, -1)


def _forwarders(
    rng: np.random.Generator, world: World, rows: _Rows, own: np.ndarray, countries: Vocab
) -> np.ndarray:
    """Forwarder name codes: consignee rows first, then the forwarder pool."""
    n_consignees = len(world.consignees)
    pool = world.forwarders
    global_rows = np.flatnonzero(pool["country"].to_numpy() == "")
    regional = pool[pool["country"] != ""]
    starts, sizes = _pool_codes(regional, countries)
    starts = starts + len(global_rows)
    u = rng.random(rows.n)
    hubs = countries.code(DIVERSION_DESTINATIONS)
    abroad = rows.diverted & (rng.random(rows.n) < 0.3)
    country = np.where(abroad, hubs[rng.integers(0, len(hubs), rows.n)], own)
    local = _from_name_pool(rng, starts, sizes, country)
    big = global_rows[rng.integers(0, len(global_rows), rows.n)]
    hub_share = rows.param("p_hub_forwarder")
    use_local = u < hub_share
    use_global = ~use_local & (u < hub_share + (1 - hub_share) * 0.7)
    code = np.where(use_local & (local >= 0), local, np.where(use_local | use_global, big, -1))
    code = np.where(code >= 0, n_consignees + code, -1)
    forwarder = world.consignees["business_type"].to_numpy()[rows.consignee] == "freight_forwarder"
    return np.where(forwarder & (rng.random(rows.n) < 0.5), rows.consignee, code)


def _payers(
    rng: np.random.Generator, world: World, rows: _Rows, own: np.ndarray, countries: Vocab
) -> np.ndarray:
    """Payer country codes: own country, a group headquarters, or a third country (R16).

    Look-alikes with a group headquarters abroad (``hq_country``) have a share
    ``p_third_payer`` of their invoices paid there; other legitimate consignees 4 %, by a
    headquarters in a Western country.
    """
    keep = 1.0 - MISSING_RATES["payer_country"]
    third_p = np.where(rows.diverted, rows.param("p_third_payer") / keep, 0.0)
    hq_text = world.consignees["hq_country"].to_numpy()
    has_hq = hq_text != ""
    hq_code = np.full(len(hq_text), -1, dtype=np.int64)
    hq_code[has_hq] = countries.code(hq_text[has_hq])
    group_hq = hq_code[rows.consignee]
    group_p = np.where(rows.legit & (group_hq >= 0), rows.param("p_third_payer") / keep, 0.0)
    third_codes = countries.code(DIVERSION_PAYER_COUNTRIES)
    weights = list(DIVERSION_PAYER_COUNTRIES.values())
    third = third_codes[_choose(rng, third_codes, rows.n, weights)]
    headquarters = countries.code(HQ_COUNTRIES)[rng.integers(0, len(HQ_COUNTRIES), rows.n)]
    u = rng.random(rows.n)
    payer = np.where(u < third_p, third, own)
    payer = np.where(~rows.diverted & (u < 0.04), headquarters, payer)
    payer = np.where(u < group_p, group_hq, payer)
    missing = rng.random(rows.n) < MISSING_RATES["payer_country"]
    return np.where(missing, -1, payer)


def _incoterms(rng: np.random.Generator, rows: _Rows, mode: np.ndarray) -> np.ndarray:
    sea = mode == TRANSPORT_MODES.index("sea")
    buyer = rows.param("buyer_terms").astype(bool)
    term = _pick(rng, _INCOTERM_TABLE, 2 * buyer + sea)
    return np.where(rng.random(rows.n) < MISSING_RATES["incoterm"], -1, term)


def _descriptions(
    rng: np.random.Generator, world: World, rows: _Rows, goods: np.ndarray
) -> tuple[np.ndarray, Vocab]:
    vocab = Vocab(tuple(world.catalogue.goods["description"]) + VAGUE_DESCRIPTIONS)
    vague = rng.random(rows.n) < rows.param("p_vague")
    vague_code = len(world.catalogue.goods) + rng.integers(0, len(VAGUE_DESCRIPTIONS), rows.n)
    code = np.where(vague, vague_code, goods)
    return np.where(rng.random(rows.n) < MISSING_RATES["goods_description"], -1, code), vocab


def hs_code_text(
    rng: np.random.Generator, hs6: pa.Array, exporter_country: np.ndarray, countries: Vocab
) -> pa.Array:
    """National tariff codes: EU CN8 and US HTS10 for many rows, some written with dots."""
    n = len(hs6)
    eu = _members(countries, EU_MEMBERS)[exporter_country]
    us = _members(countries, {"US"})[exporter_country]
    u = rng.random(n)
    digits = np.where(eu & (u < 0.7), 8, np.where(us & (u < 0.6), 10, np.where(u < 0.12, 10, 6)))
    extension = np.where(
        digits == 8,
        rng.integers(0, len(NATIONAL_EXTENSIONS_8), n),
        len(NATIONAL_EXTENSIONS_8) + rng.integers(0, len(NATIONAL_EXTENSIONS_10), n),
    )
    extension = np.where(
        digits == 6, len(NATIONAL_EXTENSIONS_8) + len(NATIONAL_EXTENSIONS_10), extension
    )
    ext_text = Vocab(NATIONAL_EXTENSIONS_8 + NATIONAL_EXTENSIONS_10 + ("",)).text(extension)
    dotted = (digits > 6) & (rng.random(n) < 0.05)
    dot = Vocab(("", ".")).text(dotted.astype(np.int64))
    head = pc.utf8_slice_codeunits(hs6, 0, 4)
    tail = pc.utf8_slice_codeunits(hs6, 4, 6)
    return pc.binary_join_element_wise(head, dot, tail, dot, ext_text, "")


def build_shipments(
    rng: np.random.Generator, world: World, draws: pd.DataFrame
) -> tuple[dict[str, object], dict[str, np.ndarray]]:
    """Fill the canonical columns for the drawn rows, in the order of ``draws``, all but the
    consignee's written name, id and address (``identity``, once successors are known).

    Returns the columns (pyarrow string arrays, numpy numbers and days) and the per-row facts
    the label and truth steps need (goods row, consignee row, typology code, flags).
    """
    rows = _Rows(world, draws)
    countries = country_vocab()
    consignees = world.consignees
    own = countries.code(consignees["country"])[rows.consignee]
    goods = _goods(rng, world, rows)
    chpl = world.catalogue.goods["chpl"].to_numpy()[goods]
    exporter = _exporters(rng, world, rows, goods, countries)
    exporter_country = countries.code(world.exporters["country"])[exporter]
    destination = _destinations(rng, rows, own, countries)
    land_bridge = _land_bridge(rng, rows, destination, countries)
    mode = _modes(rng, world, rows, goods, exporter_country, destination, countries, land_bridge)
    route, routes = _routes(
        rng, rows, chpl, mode, exporter_country, destination, countries, land_bridge
    )
    money = _money(rng, world, rows, goods)
    end_user, end_user_country = _end_users(rng, world, rows, chpl, own, countries)
    forwarder = _forwarders(rng, world, rows, own, countries)
    description, descriptions = _descriptions(rng, world, rows, goods)
    payer = _payers(rng, world, rows, own, countries)

    party_names = Vocab(
        tuple(consignees["name"]) + tuple(world.end_users["name"]) + tuple(world.forwarders["name"])
    )
    forwarder = np.where(forwarder >= len(consignees), forwarder + len(world.end_users), forwarder)
    address_missing = rng.random(rows.n) < MISSING_RATES["consignee_address"]
    quantity = np.where(rng.random(rows.n) < MISSING_RATES["quantity"], np.nan, money.quantity)
    mass = np.where(rng.random(rows.n) < MISSING_RATES["net_mass_kg"], np.nan, money.mass)
    hs6 = Vocab(tuple(world.catalogue.goods["hs6"])).text(goods)

    columns: dict[str, object] = {
        "ship_date": rows.ship_day,
        "exporter_id": Vocab(tuple(world.exporters["exporter_id"])).text(exporter),
        "exporter_country": countries.text(exporter_country),
        **identity_columns(consignees, rows.consignee, own, destination),
        "transit_countries": routes.text(route) if routes.values else pa.nulls(rows.n, pa.string()),
        "origin_country": countries.text(_origins(rng, world, exporter, countries)),
        "end_user_name": party_names.text(end_user),
        "end_user_country": countries.text(end_user_country),
        "hs_code": hs_code_text(rng, hs6, exporter_country, countries),
        "goods_description": descriptions.text(description),
        "value_usd": money.value,
        "quantity": quantity,
        "net_mass_kg": mass,
        "transport_mode": Vocab(TRANSPORT_MODES).text(mode),
        "incoterm": Vocab(INCOTERMS_2020).text(_incoterms(rng, rows, mode)),
        "freight_forwarder": party_names.text(forwarder),
        "payer_country": countries.text(payer),
    }
    ru_transit = np.zeros(rows.n, dtype=bool)
    if routes.values:
        through_target = np.array(
            [("RU" in r.split(";")) or ("BY" in r.split(";")) for r in routes.values]
        )
        ru_transit = (route >= 0) & through_target[np.maximum(route, 0)]
    facts = {
        "consignee": rows.consignee,
        "goods": goods,
        "typology": np.where(rows.diverted, rows.behaviours.index.to_numpy()[rows.beh], LEGITIMATE),
        "diverted": rows.diverted,
        "ru_transit": ru_transit,
        "price_ratio": money.price_ratio,
        "own_country": own,
        "destination": destination,
        "payer_differs": (payer >= 0) & (payer != own),
        "exporter_country": exporter_country,
        "address_missing": address_missing,
    }
    return columns, facts


def identity_columns(
    consignees: pd.DataFrame,
    consignee: np.ndarray,
    own_country: np.ndarray,
    destination: np.ndarray,
) -> dict[str, object]:
    """The columns that follow from each row's consignee, its country and destination (codes
    of ``country_vocab``); recomputed when a successor takes rows over. How the name, id and
    address are written is ``identity.written_identity``."""
    countries = country_vocab()
    registered = consignees["registered_on"].to_numpy().astype("datetime64[D]")
    known = consignees["registry_known"].to_numpy()
    return {
        "consignee_country": countries.text(own_country),
        "consignee_registered_on": np.where(known, registered, np.datetime64("NaT"))[consignee],
        "destination_country": countries.text(destination),
    }
