"""A synthetic screening list in the US Consolidated Screening List (CSL) CSV format.

It lists some of the simulated diverters, months after their first shipment, and parties that
never appear as consignees (Russian and Belarusian end users, Chinese, Iranian and hub
companies), so screening features meet both true and irrelevant entries and must respect
listing dates.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from training.simulator.actors import Registry, choose, random_days
from training.simulator.calendar import MonthGrid, day
from training.simulator.config import (
    FALSE_LISTING_SHARE,
    INVASION_DATE,
    LISTING_MIN_LAG_DAYS,
    WATCHLIST_UNRELATED_MIN,
)
from training.simulator.naming import address, name_variant

CSL_COLUMNS: tuple[str, ...] = (
    "_id", "source", "entity_number", "type", "programs", "name", "title", "addresses",
    "federal_register_notice", "start_date", "end_date", "standard_order",
    "license_requirement", "license_policy", "call_sign", "vessel_type", "gross_tonnage",
    "gross_registered_tonnage", "vessel_flag", "vessel_owner", "remarks", "source_list_url",
    "alt_names", "citizenships", "dates_of_birth", "nationalities", "places_of_birth",
    "source_information_url", "ids",
)  # fmt: skip
"""Header of the current CSL CSV (with ``_id``)."""

ENTITY_LIST = "Entity List (EL) - Bureau of Industry and Security"
SDN_LIST = "Specially Designated Nationals (SDN) - Treasury Department"
SDN_SHARE = 0.15
"""Share of listed parties that come from OFAC's SDN list rather than the Entity List."""

SDN_FIRST_ID = 20_000
"""OFAC rows carry numeric ids; ours count up from here."""

ALIAS_KNOWN_SHARE = 0.3
"""Share of name variants in use that the list already carries as an alias [inference]."""

OUTSIDER_COUNTRIES = {"RU": 0.65, "BY": 0.10, "CN": 0.06, "HK": 0.05, "IR": 0.04, "TR": 0.03,
                      "AE": 0.03, "AM": 0.02, "KZ": 0.02}  # fmt: skip
"""Countries of listed parties that never ship in the simulation [inference]."""

EARLY_LISTINGS = (date(2014, 7, 1), date(2021, 12, 31))
INVASION_WAVE = (INVASION_DATE, date(2022, 6, 30))
LATER_LISTINGS = (date(2022, 7, 1), date(2024, 12, 31))
"""Russian parties were listed in a large wave right after the invasion, others before and
after (BIS rules of Feb-Apr 2022 and later) [secondary, shares are inference]."""


def outsiders(
    rng: np.random.Generator, registry: Registry, grid: MonthGrid, n: int
) -> pd.DataFrame:
    """Listed parties that do not ship: columns name_parts, name, country, address,
    listed_on (datetime64[D]) and listed_pos (grid position)."""
    n = max(n, WATCHLIST_UNRELATED_MIN)
    countries = choose(rng, OUTSIDER_COUNTRIES, n).astype(str)
    kinds = choose(rng, {"manufacturer": 0.6, "trading_house": 0.25, "distributor": 0.15}, n)
    names = registry.names(rng, countries, kinds)
    wave = rng.choice(3, size=n, p=[0.2, 0.45, 0.35])
    spans = (EARLY_LISTINGS, INVASION_WAVE, LATER_LISTINGS)
    listed = np.choose(wave, [random_days(rng, lo, hi, n) for lo, hi in spans])
    not_target = ~np.isin(countries, ["RU", "BY"])
    listed = np.where(not_target, random_days(rng, date(2018, 1, 1), date(2024, 12, 31), n), listed)
    return pd.DataFrame(
        {
            "name_parts": pd.Series(names, dtype=object),
            "name": [name.text for name in names],
            "country": countries,
            "address": [address(rng, c) for c in countries],
            "listed_on": listed.astype("datetime64[D]"),
            "listed_pos": grid.day_positions(listed),
        }
    )


def with_false_listings(
    rng: np.random.Generator, consignees: pd.DataFrame, grid: MonthGrid, hubs: frozenset[str]
) -> pd.DataFrame:
    """List ``FALSE_LISTING_SHARE`` of the lawful consignees trading in hub countries after the
    invasion, at a random time while they trade (``false_listing`` marks them).

    A lawful business so listed carries a screening hit like a diverter's."""
    frame = consignees.copy()
    start = np.maximum(frame["active_from"].to_numpy(), grid.fraction(INVASION_DATE))
    stop = frame["active_to"].to_numpy()
    eligible = (
        (frame["typology"] == "legitimate").to_numpy()
        & frame["country"].isin(hubs).to_numpy()
        & (frame["weight"].to_numpy() > 0)
        & (stop - start > 1.0)
    )
    chosen = eligible & (rng.random(len(frame)) < FALSE_LISTING_SHARE)
    when = start + rng.random(len(frame)) * (stop - start)
    planned = frame["planned_listing"].to_numpy().copy()
    planned[chosen] = when[chosen]
    frame["planned_listing"] = planned
    frame["false_listing"] = chosen
    return frame


def listing_dates(consignees: pd.DataFrame, shipments: pd.DataFrame, grid: MonthGrid) -> pd.Series:
    """Final listing day of each listed consignee (NaT when not listed within the window).

    ``shipments`` has one row per drawn shipment with columns ``consignee``, ``ship_date`` and
    ``diverted``. The planned listing moves later when needed so that it falls at least
    ``LISTING_MIN_LAG_DAYS`` after the consignee's first diverted shipment (its first
    shipment, for a false listing). A consignee that
    ships in the window but never diverts there is not listed, unless a name variant
    (typology 6) refers to it.
    """
    planned = consignees["planned_listing"].to_numpy()
    has_plan = ~np.isnan(planned)
    days = np.full(len(consignees), np.datetime64("NaT"), dtype="datetime64[D]")
    days[has_plan] = grid.position_days(planned[has_plan])
    ships = shipments.groupby("consignee")["ship_date"].min().reindex(consignees.index)
    diverted = shipments[shipments["diverted"]].groupby("consignee")["ship_date"].min()
    first = diverted.reindex(consignees.index).to_numpy(dtype="datetime64[D]")
    floor = first + np.timedelta64(LISTING_MIN_LAG_DAYS, "D")
    later = has_plan & ~np.isnat(first) & (floor > days)
    days[later] = floor[later]
    false_listing = consignees["false_listing"].to_numpy(bool)
    trading_floor = ships.to_numpy(dtype="datetime64[D]") + np.timedelta64(
        LISTING_MIN_LAG_DAYS, "D"
    )
    late = false_listing & has_plan & ~np.isnat(trading_floor) & (trading_floor > days)
    days[late] = trading_floor[late]
    parents = consignees["parent"].where(consignees["typology"] == "name_variant", -1)
    referenced = consignees.index.isin(parents[parents >= 0])
    clean = ships.notna().to_numpy() & np.isnat(first) & ~referenced & ~false_listing
    days[clean | (days > grid.end)] = np.datetime64("NaT")
    return pd.Series(days, index=consignees.index, name="listed_on")


def build_watchlist(
    rng: np.random.Generator,
    consignees: pd.DataFrame,
    listed_on: pd.Series,
    outsider_table: pd.DataFrame,
    end: date,
) -> pd.DataFrame:
    """The CSL frame: listed diverters (exact name, with aliases) and outsiders listed by ``end``.

    Aliases include some of the name variants that typology 6 consignees use on documents.
    """
    variants_of: dict[tuple[str, int], list[str]] = {}
    for _, row in consignees[consignees["typology"] == "name_variant"].iterrows():
        key = (
            ("c", int(row["parent"])) if row["parent"] >= 0 else ("o", int(row["parent_outsider"]))
        )
        variants_of.setdefault(key, []).append(row["name"])
    rows = []
    listed = listed_on.dropna()
    for index, when in listed.items():
        aliases = variants_of.get(("c", index), [])
        rows.append(_entry(rng, consignees.loc[index], when, aliases, len(rows)))
    for index, entry in outsider_table.iterrows():
        if entry["listed_on"] <= day(end):
            aliases = variants_of.get(("o", index), [])
            rows.append(_entry(rng, entry, entry["listed_on"], aliases, len(rows)))
    frame = pd.DataFrame(rows, columns=list(CSL_COLUMNS)).fillna("")
    order = np.lexsort((frame["name"].to_numpy(), frame["start_date"].to_numpy()))
    return frame.iloc[order].reset_index(drop=True).astype(str)


def _entry(
    rng: np.random.Generator, party: pd.Series, when, used_variants: list[str], serial: int
) -> dict:
    aliases = [name_variant(rng, party["name_parts"]).text for _ in range(rng.integers(0, 3))]
    aliases += [v for v in used_variants if rng.random() < ALIAS_KNOWN_SHARE]
    aliases = list(dict.fromkeys(a for a in aliases if a != party["name"]))
    addresses = [f"{party['address']}, {party['country']}"]
    if rng.random() < 0.2:
        addresses.append(f"{address(rng, party['country'])}, {party['country']}")
    sdn = rng.random() < SDN_SHARE
    entry = dict.fromkeys(CSL_COLUMNS, "")
    entry |= {
        "_id": str(SDN_FIRST_ID + 7 * serial + int(rng.integers(7)))
        if sdn
        else rng.bytes(28).hex(),
        "source": SDN_LIST if sdn else ENTITY_LIST,
        "name": party["name"],
        "addresses": "; ".join(addresses),
        "alt_names": "; ".join(aliases),
        "start_date": str(np.datetime64(when, "D")),
    }
    return entry
