"""``simulate``: one call from a config to shipments, ground truth and a watchlist."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from features.schema import CANONICAL_NAMES, LABEL_COLUMN, OUTCOME_DATE_COLUMN
from seeds.tables import CountryGroups, load_chpl, load_country_groups
from training.simulator import actors, calibration, identity, lookalikes, successors, typologies
from training.simulator.actors import Registry, SupplierPools
from training.simulator.calendar import MonthGrid, day
from training.simulator.config import (
    MAX_EXPORTERS,
    MAX_LEGIT_CONSIGNEES,
    MAX_SUCCESSIONS,
    MIN_EXPORTERS,
    MIN_LEGIT_CONSIGNEES,
    SHIPMENTS_PER_EXPORTER,
    SHIPMENTS_PER_LEGIT_CONSIGNEE,
    SimulationConfig,
)
from training.simulator.goods import Catalogue, build_catalogue
from training.simulator.labels import InspectionDraws, Inspector, Labels, screening_dates
from training.simulator.places import CONSIGNEE_BASELINE_SHARES, DIVERSION_DESTINATIONS
from training.simulator.shipments import build_shipments, country_vocab, identity_columns
from training.simulator.streams import (
    Streams,
    concat,
    diversion_shapes,
    draw,
    legit_streams,
    window_weights,
)
from training.simulator.watchlist import (
    build_watchlist,
    listing_dates,
    outsiders,
    with_false_listings,
)
from training.simulator.world import World

STAGES = (
    "actors", "relocation", "typologies", "draw", "shipments", "watchlist", "labels", "lookalikes",
    "successors", "occasional", "identity", "reexport", "false_listings",
)  # fmt: skip
"""Each stage draws from its own generator spawned from the seed, so changing one stage does
not reshuffle the random numbers of the others (new stages are appended)."""

GLOBAL_FORWARDERS = 30
REGIONAL_FORWARDERS = 8
END_USERS_PER_COUNTRY = 40
ID_SERIAL_DIGITS = 14
RELOCATION_ROWS_PER_2022_CHPL = 7.0
"""Relocated firms trade ~3.5 years of which 10 months fall in 2022, with about half CHPL
goods: total rows per CHPL shipment of 2022 [derived]."""
OUTSIDERS_PER_LISTED_DIVERTER = 0.5


@dataclass(frozen=True)
class SimulatedHistory:
    """A simulated shipment history.

    ``shipments`` has exactly the canonical columns (``features.schema.CANONICAL_NAMES``) with
    ``diverted`` known only for inspected rows; ``truth`` holds the ground truth per
    ``shipment_id`` (``truth_diverted``, ``truth_typology``, ``truth_inspected``); ``watchlist``
    is a screening list in the US CSL CSV format.
    """

    shipments: pd.DataFrame
    truth: pd.DataFrame
    watchlist: pd.DataFrame


def simulate(config: SimulationConfig) -> SimulatedHistory:
    """Simulate ``config.rows`` export shipments between ``config.start`` and ``config.end``
    (with an ``observer``, only the rows its authority sees: fewer than ``config.rows``).

    Deterministic: the same config gives identical frames. See ``docs/simulator.md`` for the
    typologies, the calibration and the label mechanism.
    """
    seeds = np.random.SeedSequence(config.seed).spawn(len(STAGES))
    rngs = {stage: np.random.default_rng(s) for stage, s in zip(STAGES, seeds, strict=True)}
    grid = MonthGrid.for_config(config)
    world, intensity, outsider_table, registry = _world(rngs, config, grid)
    draws = draw(rngs["draw"], Streams(world.streams, intensity), grid, config.rows)
    columns, facts = build_shipments(rngs["shipments"], world, draws)

    order = np.lexsort(
        (rngs["shipments"].random(config.rows), facts["exporter_country"], columns["ship_date"])
    )
    columns = {name: _take(values, order) for name, values in columns.items()}
    facts = {name: values[order] for name, values in facts.items()}
    ship_day = columns["ship_date"]

    drawn = pd.DataFrame(
        {"consignee": facts["consignee"], "ship_date": ship_day, "diverted": facts["diverted"]}
    )
    listed_on = listing_dates(world.consignees, drawn, grid)
    watchlist = build_watchlist(
        rngs["watchlist"], world.consignees, listed_on, outsider_table, config.end
    )
    inspector = Inspector(
        InspectionDraws.draw(rngs["labels"], config.rows, config.outcome_delay_days),
        config.settings,
        ship_day,
        world.catalogue.goods,
        world.groups,
        np.array(country_vocab().values),
        day(config.end),
    )
    consignees, facts, labels = _labels_with_successors(
        rngs["successors"], registry, inspector, world.consignees, facts, listed_on, outsider_table
    )
    columns |= identity_columns(
        consignees, facts["consignee"], facts["own_country"], facts["destination"]
    )
    columns |= identity.written_identity(
        rngs["identity"], consignees, facts["consignee"], facts["address_missing"]
    )
    shipment_id = _shipment_ids(ship_day, columns["exporter_country"])
    shipments = _frame(columns, shipment_id, labels)
    truth = pd.DataFrame(
        {
            "shipment_id": shipments["shipment_id"],
            "truth_diverted": facts["diverted"].astype(np.int64),
            "truth_typology": pd.array(facts["typology"].astype(str), dtype="str"),
            "truth_inspected": labels.inspected.astype(np.int64),
            "truth_consignee": facts["consignee"].astype(np.int64),
            "truth_network": consignees["network"].to_numpy()[facts["consignee"]],
        }
    )
    if config.observer:
        seen = shipments["exporter_country"].isin(config.observed_countries).to_numpy()
        shipments = shipments[seen].reset_index(drop=True)
        truth = truth[seen].reset_index(drop=True)
    return SimulatedHistory(shipments=shipments, truth=truth, watchlist=watchlist)


def _world(
    rngs: dict[str, np.random.Generator], config: SimulationConfig, grid: MonthGrid
) -> tuple[World, np.ndarray, pd.DataFrame, Registry]:
    """All actors and streams; returns the world, stream intensities, listed outsiders and the
    registry of names and ids handed out so far."""
    rng = rngs["actors"]
    groups = load_country_groups()
    catalogue = build_catalogue(load_chpl())
    registry = Registry()
    n_exporters = np.clip(config.rows / SHIPMENTS_PER_EXPORTER, MIN_EXPORTERS, MAX_EXPORTERS)
    exporters = actors.make_exporters(rng, int(n_exporters))
    exporters = actors.with_reexporters(
        rngs["reexport"], exporters, max(5, round(n_exporters * actors.REEXPORTERS_PER_EXPORTER))
    )
    n_legit = np.clip(
        config.rows / SHIPMENTS_PER_LEGIT_CONSIGNEE, MIN_LEGIT_CONSIGNEES, MAX_LEGIT_CONSIGNEES
    )
    legit = actors.legit_consignees(rng, registry, groups, grid, int(n_legit))
    occasional = config.rows * actors.OCCASIONAL_ROW_SHARE / actors.OCCASIONAL_SHIPMENTS
    legit = pd.concat(
        [
            legit,
            actors.occasional_buyers(rngs["occasional"], registry, groups, grid, int(occasional)),
        ],
        ignore_index=True,
    )
    hub = legit["country"].map(lambda c: actors.country_class(groups, c) == "hub").to_numpy()
    legit = actors.share_mass_addresses(rng, legit, hub)
    legit_pools = actors.supplier_pools(exporters, diversion=False)
    legit = actors.equip(rng, legit, exporters, catalogue, legit_pools)
    exporters = actors.mark_russian_suppliers(exporters, legit)
    diversion_pools = actors.supplier_pools(exporters, diversion=True)
    legit = _with_lookalikes(
        rngs["lookalikes"], registry, grid, legit, config.rows, exporters, catalogue, legit_pools
    )

    shares = config.settings.typology_shares
    chpl_share = calibration.diversion_chpl_share(catalogue, shares)
    first_plan = calibration.plan_diversion(
        grid, _legit_chpl(legit, grid, catalogue), chpl_share, shares
    )
    base_units = _window_total(legit_streams(legit, grid).intensity, grid)
    rows_per_unit = config.rows / (base_units + _planned_total(first_plan, grid))

    relocated = _relocations(rngs["relocation"], registry, grid, first_plan, rows_per_unit)
    relocated = actors.equip(rngs["relocation"], relocated, exporters, catalogue, legit_pools)
    consignees = _scale_relocations(
        pd.concat([legit, relocated], ignore_index=True), grid, first_plan, catalogue
    )
    legit_total = _window_total(legit_streams(consignees, grid).intensity, grid)
    rows_per_unit = config.rows / (legit_total + _planned_total(first_plan, grid))
    counts = calibration.plan_counts(first_plan, rows_per_unit)
    consignees, outsider_table = _diverters(
        rngs["typologies"],
        registry,
        grid,
        consignees,
        counts,
        exporters,
        catalogue,
        diversion_pools,
    )
    consignees = with_false_listings(
        rngs["false_listings"], consignees, grid, frozenset(calibration.diversion_countries())
    )
    # Diverters changed the legitimate base (conduits stop when listed, some diverters keep a
    # cover business), so calibrate again on the final actors.
    established = consignees[~consignees["relocated"]]
    plan = calibration.plan_diversion(
        grid, _legit_chpl(established, grid, catalogue), chpl_share, shares
    )
    consignees = _scale_relocations(consignees, grid, plan, catalogue)
    streams = concat(
        legit_streams(consignees, grid),
        calibration.split_diversion(diversion_shapes(consignees, grid), plan, grid),
    )
    world = World(
        grid=grid,
        groups=groups,
        catalogue=catalogue,
        exporters=exporters,
        consignees=consignees,
        legit_pools=legit_pools,
        diversion_pools=diversion_pools,
        end_users=_end_users(rng, registry),
        forwarders=_forwarders(rng, registry, groups),
        streams=streams.table,
    )
    return world, streams.intensity, outsider_table, registry


def _labels_with_successors(
    rng: np.random.Generator,
    registry: Registry,
    inspector: Inspector,
    consignees: pd.DataFrame,
    facts: dict[str, np.ndarray],
    listed_on: pd.Series,
    outsider_table: pd.DataFrame,
) -> tuple[pd.DataFrame, dict[str, np.ndarray], Labels]:
    """Label, let findings hand diverted rows to successors, relabel, until nothing moves.

    Returns the consignees (successors appended), the facts with each row's final consignee,
    country and destination, and the final labels.
    """
    consignees = successors.with_networks(consignees)
    settled = np.zeros(len(consignees), dtype=bool)
    codes = {country: code for code, country in enumerate(country_vocab().values)}
    names = np.array(country_vocab().values)
    diverted_in = pd.Series(names[facts["own_country"][facts["diverted"]]]).value_counts()
    hubs = {str(country): float(count) for country, count in diverted_in.items()}
    for _ in range(MAX_SUCCESSIONS):
        screening = screening_dates(consignees, listed_on, outsider_table)
        labels = inspector.labels(facts, consignees, screening)
        found_on = successors.first_findings(
            facts["consignee"], labels.diverted_label, labels.outcome_day, len(consignees)
        )
        handover = successors.hand_over(
            rng,
            registry,
            consignees,
            {"ship_day": inspector.ship_day} | facts,
            found_on,
            settled,
            hubs,
            codes,
        )
        if handover.moved == 0:
            return consignees, facts, labels
        settled = np.concatenate([settled, np.zeros(len(handover.consignees) - len(settled), bool)])
        consignees = handover.consignees
        facts = facts | {
            "consignee": handover.consignee,
            "own_country": handover.own_country,
            "destination": handover.destination,
        }
    screening = screening_dates(consignees, listed_on, outsider_table)
    return consignees, facts, inspector.labels(facts, consignees, screening)


def _with_lookalikes(
    rng: np.random.Generator,
    registry: Registry,
    grid: MonthGrid,
    legit: pd.DataFrame,
    rows: int,
    exporters: pd.DataFrame,
    catalogue: Catalogue,
    pools: SupplierPools,
) -> pd.DataFrame:
    """``legit`` with the legitimate look-alikes appended, sized against its volume."""
    rows_per_weight_month = rows / _window_total(legit_streams(legit, grid).intensity, grid)
    extra = lookalikes.lookalike_consignees(
        rng, registry, grid, rows_per_weight_month, actors.business_centres(legit)
    )
    extra = actors.equip(rng, extra, exporters, catalogue, pools)
    extra = lookalikes.with_regular_suppliers(rng, extra)
    return pd.concat([legit, extra], ignore_index=True)


def _window_total(intensity: np.ndarray, grid: MonthGrid) -> float:
    return float((intensity * window_weights(grid)[None, :]).sum())


def _planned_total(plan: calibration.DiversionPlan, grid: MonthGrid) -> float:
    return sum(_window_total(level[None, :], grid) for level in plan.levels.values())


def _relocations(
    rng: np.random.Generator,
    registry: Registry,
    grid: MonthGrid,
    plan: calibration.DiversionPlan,
    rows_per_unit: float,
) -> pd.DataFrame:
    per_chpl = rows_per_unit * RELOCATION_ROWS_PER_2022_CHPL / SHIPMENTS_PER_LEGIT_CONSIGNEE
    counts = {
        country: max(2, round(chpl * per_chpl))
        for country, chpl in sorted(plan.relocation_chpl.items())
    }
    return actors.relocation_consignees(rng, registry, grid, counts)


def _legit_chpl(
    consignees: pd.DataFrame, grid: MonthGrid, catalogue: Catalogue
) -> dict[str, np.ndarray]:
    streams = legit_streams(consignees, grid)
    fraction = calibration.legit_chpl_fraction(consignees, catalogue)
    return calibration.chpl_by_country(streams, fraction[streams.table["consignee"].to_numpy()])


def _scale_relocations(
    consignees: pd.DataFrame, grid: MonthGrid, plan: calibration.DiversionPlan, catalogue: Catalogue
) -> pd.DataFrame:
    """Scale relocated firms' weights so their 2022 CHPL shipments match the plan."""
    relocated = consignees["relocated"].to_numpy()
    part = consignees[relocated]
    streams = legit_streams(part, grid)
    fraction = calibration.legit_chpl_fraction(part, catalogue)[streams.table["consignee"]]
    expected = streams.intensity[:, grid.in_year(calibration.SURGE_YEAR)].sum(axis=1) * fraction
    countries = streams.table["country"].to_numpy()
    per_country = pd.Series(expected).groupby(countries).sum()
    target = pd.Series(plan.relocation_chpl, dtype=np.float64)
    factor = (target / per_country[per_country > 0]).reindex(part["country"]).fillna(0.0)
    factor = factor.to_numpy()
    weights = consignees["weight"].to_numpy().copy()
    weights[relocated] *= factor
    frame = consignees.copy()
    frame["weight"] = weights
    return frame


def _diverters(
    rng: np.random.Generator,
    registry: Registry,
    grid: MonthGrid,
    consignees: pd.DataFrame,
    counts: dict[str, dict[str, int]],
    exporters: pd.DataFrame,
    catalogue: Catalogue,
    pools: SupplierPools,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run the typology generators in dependency order; returns consignees and outsiders."""
    legit = (consignees["typology"] == "legitimate") & (consignees["profile"] == "")
    cover = consignees[legit & (consignees["weight"] > 0)].groupby("country")["weight"].median()
    cover_weight = cover.to_dict()

    def equipped(frame: pd.DataFrame) -> pd.DataFrame:
        return actors.equip(rng, frame, exporters, catalogue, pools)

    fronts = typologies.front_companies(
        rng, registry, grid, counts["front_company"], actors.business_centres(consignees)
    )
    consignees = typologies.conduit_distributors(
        rng, consignees, grid, counts["conduit_distributor"]
    )
    transit = typologies.transit_routers(
        rng, registry, grid, counts["transit_routing"], cover_weight
    )
    premium = typologies.price_premium_buyers(
        rng, registry, grid, counts["price_premium"], cover_weight
    )
    new = [equipped(frame) for frame in (fronts, transit, premium)]
    consignees = pd.concat([consignees, *new], ignore_index=True)
    first_wave = ("conduit_distributor", "transit_routing", "price_premium")
    consignees = typologies.plan_listings(rng, consignees, grid, first_wave)

    network = typologies.shared_address_networks(
        rng, registry, grid, counts["shared_address_network"], consignees
    )
    consignees = pd.concat([consignees, equipped(network)], ignore_index=True)
    listed = int(consignees["planned_listing"].notna().sum())
    outsider_table = outsiders(rng, registry, grid, round(listed * OUTSIDERS_PER_LISTED_DIVERTER))
    variants = typologies.name_variants(
        rng, registry, grid, counts["name_variant"], consignees, outsider_table
    )
    consignees = pd.concat([consignees, equipped(variants)], ignore_index=True)
    consignees = typologies.plan_listings(
        rng, consignees, grid, ("shared_address_network", "name_variant")
    )
    consignees = actors.registered_before_trading(consignees, grid)
    return typologies.stop_listed(rng, consignees), outsider_table


def _end_users(rng: np.random.Generator, registry: Registry) -> pd.DataFrame:
    """End-user companies in every consignee market and diversion destination."""
    countries = sorted(set(CONSIGNEE_BASELINE_SHARES) | set(DIVERSION_DESTINATIONS))
    return actors.name_pool(rng, registry, countries, END_USERS_PER_COUNTRY, "manufacturer")


def _forwarders(
    rng: np.random.Generator, registry: Registry, groups: CountryGroups
) -> pd.DataFrame:
    """Global forwarders (country "") and regional ones in every non-partner market."""
    global_pool = actors.name_pool(
        rng, registry, ["US"] * GLOBAL_FORWARDERS, 1, "freight_forwarder"
    ).assign(country="")
    regional_countries = sorted(
        (set(CONSIGNEE_BASELINE_SHARES) - groups.partners) | set(DIVERSION_DESTINATIONS)
    )
    regional = actors.name_pool(
        rng, registry, regional_countries, REGIONAL_FORWARDERS, "freight_forwarder"
    )
    return pd.concat([global_pool, regional], ignore_index=True)


def _take(values, order: np.ndarray):
    if isinstance(values, np.ndarray):
        return values[order]
    return values.take(pa.array(order))


def _shipment_ids(ship_day: np.ndarray, exporter_country: pa.Array) -> pa.Array:
    """MRN-like ids: two-digit year, exporter country, then a serial in sorted order."""
    year = (ship_day.astype("datetime64[Y]").astype(np.int64) + 1970) % 100
    year_text = pc.utf8_lpad(pc.cast(pa.array(year), pa.string()), 2, "0")
    serial = pc.cast(pa.array(np.arange(len(ship_day), dtype=np.int64)), pa.string())
    serial_text = pc.utf8_lpad(serial, ID_SERIAL_DIGITS, "0")
    return pc.binary_join_element_wise(year_text, exporter_country, serial_text, "")


def _frame(columns: dict[str, object], shipment_id: pa.Array, labels: Labels) -> pd.DataFrame:
    """The canonical frame: str columns, float64 numbers, datetime64 dates (day precision)."""
    data: dict[str, object] = {"shipment_id": pd.array(shipment_id, dtype="str")}
    for name in CANONICAL_NAMES:
        if name in ("shipment_id", LABEL_COLUMN):
            continue
        if name == OUTCOME_DATE_COLUMN:
            data[name] = labels.outcome_day.astype("datetime64[us]")
            continue
        values = columns[name]
        if isinstance(values, np.ndarray) and values.dtype.kind == "M":
            data[name] = values.astype("datetime64[us]")
        elif isinstance(values, np.ndarray):
            data[name] = values.astype(np.float64)
        else:
            data[name] = pd.array(values, dtype="str")
    data[LABEL_COLUMN] = labels.diverted_label.astype(np.float64)
    return pd.DataFrame(data, columns=list(CANONICAL_NAMES))
