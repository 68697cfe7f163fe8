"""The simulator's configuration and its calibration constants.

Each calibration constant names the figure it comes from, tagged as in the team's research
notes (``domain-facts.md``): **[official]**, **[secondary]**, **[code]**, or **[inference]**
for our own modelling choices. ``docs/simulator.md`` tabulates them with their sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from features.errors import SimulationConfigError
from seeds import facts
from training.simulator.places import EXPORTER_COUNTRY_WEIGHTS


@dataclass(frozen=True)
class SimulationConfig:
    """What to simulate: how many shipments, from which seed, over which dates (inclusive)."""

    rows: int = 100_000
    seed: int = 0
    start: date = date(2021, 1, 1)
    end: date = date(2025, 6, 30)
    outcome_delay_days: int = 120
    """Median days from a shipment to its inspection outcome becoming known (log-normal)."""
    world: str = "default"
    """Which ``WORLDS`` entry sets the typology mix and the inspection rates."""
    observer: str = ""
    """Keep only the shipments this authority sees: those exported from one exporting country
    (ISO-2) or from the EU ("EU"); "" keeps the global view."""

    def __post_init__(self) -> None:
        if self.rows < 1:
            raise SimulationConfigError(f"rows must be at least 1, found {self.rows!r}")
        if self.world not in WORLDS:
            raise SimulationConfigError(
                f"world must be one of {sorted(WORLDS)}, found {self.world!r}"
            )
        if self.observer and not self.observed_countries:
            known = ", ".join(sorted(EXPORTER_COUNTRY_WEIGHTS))
            raise SimulationConfigError(
                f"observer must be an exporting country ({known}) or EU, found {self.observer!r}"
            )
        if self.outcome_delay_days < 0:
            raise SimulationConfigError(
                f"outcome_delay_days must not be negative, found {self.outcome_delay_days!r}"
            )
        if self.end < self.start:
            raise SimulationConfigError(
                f"end must not be before start, found start={self.start!r} end={self.end!r}"
            )

    @property
    def observed_countries(self) -> frozenset[str]:
        """Exporting countries whose shipments the observer sees (empty: none known)."""
        if self.observer == "EU":
            return EU_MEMBERS
        return frozenset({self.observer}) & frozenset(EXPORTER_COUNTRY_WEIGHTS)

    @property
    def settings(self) -> WorldSettings:
        """The figures of the configured world."""
        return WORLDS[self.world]


EU_MEMBERS = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)
"""The 27 EU member states since 2020 [official]: one customs union, one observer."""

# --- Key dates -------------------------------------------------------------------------------

INVASION_DATE = facts.INVASION_DATE

FINCEN_ALERT_DATE = date(2022, 6, 28)
"""FinCEN/BIS alert FIN-2022-Alert003 (F22): transshipment points and red flags [official]."""

HIGH_PRIORITY_ALERT_DATE = date(2023, 5, 19)
"""FinCEN/BIS alert FIN-2023-Alert004 (F23): nine high-priority HS codes [secondary]."""

CALIBRATION_START = date(2021, 1, 1)
"""The month grid always covers 2021-01 .. 2025-06 so calibration does not depend on the window."""

CALIBRATION_END = date(2025, 6, 30)

DIVERSION_RAMP_END = date(2022, 7, 1)
"""Diversion channels reach their 2022 level about four months after the invasion [inference]."""

RU_WIND_DOWN_DAYS = 40
"""In-flight orders to Russia/Belarus keep shipping for up to this many days [inference]."""

# --- Volumes ---------------------------------------------------------------------------------

GROWTH_MULTIPLES_2022: dict[str, float] = {
    "KG": 4.45,
    "AM": 2.65,
    "UZ": 2.30,
    "KZ": 1.94,
    "GE": 1.58,
    "TR": 1.23,
}
"""EU exports 2021 -> 2022 (Eric Dor, IESEG, via brusselstimes) [secondary]; applied to the
count of CHPL shipments per consignee country, calendar 2022 over calendar 2021."""

LEGIT_SURGE_SHARE = 0.6
"""Share of the 2022 CHPL surge to the growth countries that is legitimate (relocated IT firms,
re-routed legal trade); EBRD finds intermediated trade explains only 5-10 % of the drop in
direct exports, so not all growth is diversion [inference]."""

OTHER_RELOCATION_SURGE: dict[str, float] = {"RS": 0.10, "AE": 0.10}
"""Legitimate CHPL growth from relocated firms in Serbia and the UAE, as a share of the 2021
CHPL base [inference]."""

DIVERSION_SHARE_2023: dict[str, float] = {
    "CN": 0.30,
    "HK": 0.18,
    "AE": 0.08,
    "IN": 0.020,
    "SG": 0.015,
    "RS": 0.015,
    "MY": 0.010,
    "TH": 0.010,
    "VN": 0.008,
    "AZ": 0.006,
    "IL": 0.004,
    "MN": 0.004,
    "TJ": 0.004,
    "TW": 0.003,
    "ZA": 0.003,
    "BR": 0.003,
    "MX": 0.003,
    "MO": 0.002,
    "NI": 0.001,
    "CY": 0.004,
    "LT": 0.003,
    "LV": 0.003,
    "PL": 0.003,
    "EE": 0.002,
    "FI": 0.002,
}
"""Share of 2023 diverted shipments by consignee country for hubs without a growth multiple.
KSE/Bruegel (May 2024): mainland China 56.3 % and Hong Kong 19.3 % of Russia's 2023
battlefield-goods imports [secondary]; scaled down to 48 % together because these records hold
Western exporters' declarations only, not Chinese-made goods [inference]. Partner countries
(CY, LT, LV, PL, EE, FI: small trading companies re-exporting inside the EU or across a land
border) take 1.7 % [inference: the EU's "no re-export to Russia" clause of Dec 2023 exists
because such flows do; sized small]. The growth-multiple countries take the remainder."""

DIVERSION_CHPL_SHARE = 0.85
"""Expected CHPL share of diverted shipments (the diversion baskets in ``goods``), used to turn
the CHPL growth multiples into diverted-shipment volumes [inference]."""

TURKIYE_PEAK = date(2023, 2, 1)
TURKIYE_PEAK_LEVEL = 1.6
"""Türkiye's diversion peaks in Feb 2023 (S&P Global, Nov 2024) [secondary]; the peak height
relative to the 2022 plateau is ours [inference]."""

TURKIYE_YEAR_BEFORE_LOW = date(2023, 7, 1)
TURKIYE_LOW = date(2024, 7, 1)
TURKIYE_DROP_FROM_PEAK = 0.853
TURKIYE_DROP_YEAR_ON_YEAR = 0.781
"""Türkiye's CHPI exports to Russia, 3 months to Aug 2024: -85.3 % vs the Feb 2023 peak and
-78.1 % year on year (S&P Global Market Intelligence) [secondary]."""

HUB_DECLINE_2024: dict[str, float] = {"HK": 0.28, "CN": 0.19}
"""CHPL transshipments fell 28 % through Hong Kong and 19 % through mainland China in
Jan-May 2024 (US Commerce via Reuters, 2024-07-22) [secondary]."""

HUB_DECLINE_START = date(2023, 12, 1)
HUB_DECLINE_END = date(2024, 3, 1)

RISING_HUBS_2024: dict[str, float] = {"AE": 1.25, "KG": 1.4, "KZ": 1.15, "AM": 1.1}
"""Diversion level reached by mid-2025 relative to 2023 where it kept rising: German exports to
Kyrgyzstan up to +1,880 % in 2024 vs 2020-21 (Brookings/IMF) [secondary]; the UAE and Central
Asia taking over from Türkiye [inference]."""

EMERGING_HUBS: tuple[str, ...] = ("MY", "TH", "VN", "MN", "IN", "RS")
"""Hubs whose diversion grows from 2024: MY, TH, VN, MN added by UK OTSI in Jan 2025 [secondary];
IN and RS named as distributor hubs by the NYT (Jul 2024) [secondary]."""

EMERGING_HUB_GROWTH_2025 = 3.0
"""Emerging hubs' diversion level in mid-2025 relative to 2023 [inference]."""

RISE_START = date(2023, 12, 1)
RISE_END = date(2025, 6, 1)
"""Where diversion keeps rising or emerges, it grows linearly between these dates [inference]."""

MACHINE_TOOL_SHARE_2022 = 0.05
MACHINE_TOOL_SHARE_2025 = 0.20
"""Share of diverted shipments drawn from the machine-tool basket (CHPL 4.B, bearings); rises as
Russia's machine-tool imports grow (about 70 % of ~$900m in Q4 2023 from China, US assessment)
[secondary, shape is inference]."""

# --- Actors ----------------------------------------------------------------------------------

SHIPMENTS_PER_LEGIT_CONSIGNEE = 40
SHIPMENTS_PER_EXPORTER = 180
MIN_LEGIT_CONSIGNEES = 300
MAX_LEGIT_CONSIGNEES = 40_000
MIN_EXPORTERS = 80
MAX_EXPORTERS = 6_000
"""Actor counts scale with the number of rows; ~6,000 companies shipped ~800k restricted-chip
shipments to Russia in the NYT analysis (Jul 2024) [secondary]."""

FRONT_LIFETIME_MONTHS = (6, 24)
"""Front companies are burned and replaced within months (Fortap LLC, set up Apr 2022, imported
$138m within seven months, Reuters/RUSI) [secondary, range is inference]."""

LISTING_DELAY_MONTHS = (4, 18)
"""Listing follows the first diverted shipment by months, not days [inference]."""

LISTING_MIN_LAG_DAYS = 30
"""A listed consignee's listing date is at least this long after its first shipment."""

LISTING_STOP_MONTHS = 2
"""Exporters that screen stop shipping to a listed party within this many months [inference]."""

FALSE_LISTING_SHARE = 0.01
"""Share of lawful hub consignees put on the list without diverting (an ownership link, a name
confusion, evidence that never becomes a finding) [inference]."""

WATCHLIST_UNRELATED_MIN = 40
"""At least this many listed parties that never appear as consignees (Russian end users etc.)."""

REGISTRY_UNKNOWN_SHARE = 0.18
"""Share of consignees whose registration date is not found in a registry [inference]."""

CONSIGNEE_ID_UNKNOWN_SHARE = 0.25
"""Share of consignees without a stable source id [inference]."""

# --- Typologies ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TypologyFigures:
    """How much one diversion typology diverts, how often it is listed, and what it buys.

    ``share``: target share of diverted shipments [inference: the sources describe the
    typologies but do not size them]; ``shipments_per_diverter``: mean diverted shipments per
    diverting consignee over its life [inference]; ``listing_probability``: chance that a
    diverting consignee is put on the (synthetic) Entity List [inference]; ``basket``: the
    ``goods`` basket its diverted shipments draw from.
    """

    share: float
    shipments_per_diverter: float
    listing_probability: float
    basket: str


TYPOLOGY_FIGURES: dict[str, TypologyFigures] = {
    #                                         share  shipments  listing  basket
    "front_company":          TypologyFigures(0.34,  45.0,      0.40,    "diversion_core"),
    "conduit_distributor":    TypologyFigures(0.16,  70.0,      0.25,    "diversion_core"),
    "shared_address_network": TypologyFigures(0.12,  30.0,      0.15,    "diversion_core"),
    "transit_routing":        TypologyFigures(0.12,  45.0,      0.25,    "diversion_transit"),
    "price_premium":          TypologyFigures(0.13,  45.0,      0.15,    "diversion_premium"),
    "name_variant":           TypologyFigures(0.13,  35.0,      0.05,    "diversion_core"),
}  # fmt: skip
"""One row per diversion typology, in the order of ``behaviour.TYPOLOGIES``."""

TYPOLOGY_SHARES: dict[str, float] = {t: f.share for t, f in TYPOLOGY_FIGURES.items()}
"""Target share of diverted shipments per typology (the ``share`` column above)."""

TRANSIT_COUNTRIES: tuple[str, ...] = ("KZ", "KG", "UZ", "TJ", "AM", "GE", "AZ", "MN")
"""Consignee countries of the fake-transit typology: about $5bn of EU goods declared in transit
through Russia to Central Asia or the Caucasus in 2023 never arrived (IStories) [secondary]."""

# --- Prices and lots -------------------------------------------------------------------------

PRICE_PREMIUM_RANGE = (1.25, 1.90)
"""Unit-value mark-up of the price-premium typology: Türkiye -> Russia +25-55 %, China -> Russia
+87 %, median of controlled imports +75 % (BOFIT) [secondary]."""

FRONT_PREMIUM_RANGE = (1.10, 1.50)
FRONT_PREMIUM_PROBABILITY = 0.30
"""Front companies sometimes overpay too, by less [inference]."""

LEGIT_PREMIUM_RANGE = (1.15, 1.60)
LEGIT_PREMIUM_PROBABILITY = 0.03
"""Legitimate buyers occasionally pay above the norm (rush orders, small-lot surcharges)
[inference]."""

DIVERTED_LOT_MEDIAN = 0.45
"""Lots of the price-premium typology are smaller: median lot size relative to the HS-6 norm
[inference from F23's 'many smaller-value payments']; the other typologies use 0.6-0.8."""

UNIT_PRICE_SIGMA = 0.35
LOT_SIGMA = 0.9
"""Log-normal spread of unit prices around the HS-6 median and of lot sizes [inference]."""

# --- Labels ----------------------------------------------------------------------------------

INSPECTION_RATE = 0.02
"""Share of shipments inspected (end-use check, customs examination, audit) [inference: customs
administrations examine a small share of declarations, export declarations less than imports,
and an end-use check abroad is rarer still; 2 % of rows gives true diversions an inspection
rate of a few percent once the red flags have drawn inspectors to them]."""

RANDOM_AUDIT_RATE = 0.004
"""Inspections drawn at random, whatever the red flags [inference]."""

DETECTION_RATE = 0.85
"""Inspected diversions that are found; the rest are labelled 0 [inference]."""

FALSE_POSITIVE_RATE = 0.01
"""Inspected legitimate shipments wrongly labelled as diverted [inference: a finding has to hold
up, so wrong ones are rare; with few true diversions inspected, they are still a sixth of all
positive labels]."""

TIP_RATE_DIVERTED = 0.02
TIP_RATE_LEGITIMATE = 0.002
"""Share of diverted and of legitimate shipments an intelligence tip points at. Tips are rare
and noisy: with about one shipment in twenty diverted, fewer than half of them point at a real
diversion [inference]."""

OUTCOME_DELAY_SIGMA = 0.8
"""Log-normal spread of the days from a shipment to its known outcome around the configured
median (``SimulationConfig.outcome_delay_days``): a document check closes in weeks, an end-use
check abroad or an investigation in many months [inference]."""

SCREENING_VARIANT_HIT_RATE = 0.6
"""Chance that an inspector's screening catches a name variant of a listed party [inference]."""

# --- Consequences of findings ----------------------------------------------------------------

SUPPLIERS_LEARN_DAYS = (14, 120)
"""Days from a finding becoming known until the found consignee's suppliers stop shipping to
it (a notice from the authority, a screening update, a lost licence) [inference]."""

SUCCESSOR_REGISTERED_DAYS = (7, 150)
"""A network's successor company is registered this many days before it takes over (shelf
companies and fresh registrations in the same hub) [inference from buyers "set up after the
invasion" and several shells at one Hong Kong address, NYT and Nikkei in ``domain-facts.md``
§4.1]."""

SUCCESSOR_KEEPS_ADDRESS = 0.35
"""Share of successors registered at the found company's address; the rest move [inference]."""

SUCCESSOR_MOVES_HUB = 0.2
"""Share of successors set up in another hub country after a finding (networks shift hubs as
enforcement focuses on one, e.g. from Türkiye to the UAE and Central Asia) [inference]."""

MAX_SUCCESSIONS = 6
"""Rounds of finding-then-successor per network; a network found more often keeps its last
company [inference: bounds the work, rarely reached]."""


# --- Worlds ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorldSettings:
    """The figures that differ between simulated worlds: the typology mix and how inspections
    go. The default world uses the figures above; others test a model on a world it was not
    developed on."""

    typology_shares: dict[str, float]
    inspection_rate: float
    detection_rate: float
    tip_rate_diverted: float


WORLDS: dict[str, WorldSettings] = {
    "default": WorldSettings(
        typology_shares=TYPOLOGY_SHARES,
        inspection_rate=INSPECTION_RATE,
        detection_rate=DETECTION_RATE,
        tip_rate_diverted=TIP_RATE_DIVERTED,
    ),
    "shifted": WorldSettings(
        typology_shares={
            "front_company": 0.16,
            "conduit_distributor": 0.28,
            "shared_address_network": 0.06,
            "transit_routing": 0.06,
            "price_premium": 0.24,
            "name_variant": 0.20,
        },
        inspection_rate=0.012,
        detection_rate=0.70,
        tip_rate_diverted=0.01,
    ),
}
"""``shifted`` moves weight from young fronts and fake transit to established conduits, price
premiums and name variants, inspects less and detects less: a world no default was tuned on."""
