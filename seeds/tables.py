"""Loaders that read and validate the reference CSVs in this package."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import pycountry

CHPL_FILE = "chpl.csv"
COUNTRIES_FILE = "countries.csv"

CHPL_TIERS: tuple[str, ...] = ("1", "2", "3.A", "3.B", "4.A", "4.B")
"""CHPL tiers in order of concern, most critical first."""

COUNTRY_FLAGS: tuple[str, ...] = (
    "sanctions_target",
    "eaeu_member",
    "fincen_bis_2022_transshipment",
    "us_2023_tri_seal_added",
    "uk_otsi_2025_higher_risk",
    "research_supply_node",
    "eu_annex_viii_partner",
    "us_supp3_part746_partner",
)
"""The 0/1 flag columns of ``countries.csv``; see ``seeds/README.md`` for their sources."""

HUB_LISTS: tuple[str, ...] = (
    "fincen_bis_2022_transshipment",
    "us_2023_tri_seal_added",
    "uk_otsi_2025_higher_risk",
)
"""The flags that name official transshipment / diversion-risk lists."""


@cache
def iso2_codes() -> frozenset[str]:
    """All ISO 3166-1 alpha-2 codes known to pycountry."""
    return frozenset(country.alpha_2 for country in pycountry.countries)


class SeedTableError(ValueError):
    """A reference table is malformed; the message names the file, row and rule."""


@dataclass(frozen=True)
class ChplTable:
    """The Common High Priority List keyed by HS-6 code."""

    tier_by_hs6: dict[str, str]
    description_by_hs6: dict[str, str]

    def tier(self, hs6: str) -> str | None:
        """The CHPL tier of an HS-6 code, or None when the code is not on the list."""
        return self.tier_by_hs6.get(hs6)


@dataclass(frozen=True)
class CountryGroups:
    """Country names and the sets of ISO-2 codes carrying each flag of ``countries.csv``."""

    names: dict[str, str]
    members: dict[str, frozenset[str]]

    def __getitem__(self, flag: str) -> frozenset[str]:
        return self.members[flag]

    @property
    def targets(self) -> frozenset[str]:
        """Russia and Belarus."""
        return self.members["sanctions_target"]

    @property
    def partners(self) -> frozenset[str]:
        """Countries applying equivalent controls (EU Annex VIII or US Supp. 3 to Part 746)."""
        return self.members["eu_annex_viii_partner"] | self.members["us_supp3_part746_partner"]

    @property
    def named_hubs(self) -> frozenset[str]:
        """Countries on any official transshipment / diversion-risk list, minus the targets."""
        return frozenset().union(*(self.members[name] for name in HUB_LISTS)) - self.targets


def _package_file(name: str) -> Path:
    return Path(str(resources.files("seeds").joinpath(name)))


def _read_rows(path: Path, expected_header: list[str]) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != expected_header:
            raise SeedTableError(
                f"{path.name}: expected header {','.join(expected_header)!r}, "
                f"found {','.join(reader.fieldnames or [])!r}"
            )
        return list(reader)


def load_chpl(path: Path | None = None) -> ChplTable:
    """Read and validate the CHPL table (the packaged one unless ``path`` is given)."""
    path = path or _package_file(CHPL_FILE)
    rows = _read_rows(path, ["hs6", "tier", "description", "note"])
    tiers: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    for line, row in enumerate(rows, start=2):
        code, tier = row["hs6"], row["tier"]
        where = f"{path.name} line {line}"
        if len(code) != 6 or not code.isdigit():
            raise SeedTableError(f"{where}: hs6 must be 6 digits, found {code!r}")
        if code in tiers:
            raise SeedTableError(f"{where}: hs6 {code!r} appears twice")
        if tier not in CHPL_TIERS:
            raise SeedTableError(f"{where}: tier must be one of {CHPL_TIERS}, found {tier!r}")
        if not row["description"].strip():
            raise SeedTableError(f"{where}: description of {code!r} is empty")
        tiers[code] = tier
        descriptions[code] = row["description"]
    return ChplTable(tier_by_hs6=tiers, description_by_hs6=descriptions)


def load_country_groups(path: Path | None = None) -> CountryGroups:
    """Read and validate the country table (the packaged one unless ``path`` is given)."""
    path = path or _package_file(COUNTRIES_FILE)
    rows = _read_rows(path, ["iso2", "name", *COUNTRY_FLAGS])
    names: dict[str, str] = {}
    members: dict[str, set[str]] = {flag: set() for flag in COUNTRY_FLAGS}
    for line, row in enumerate(rows, start=2):
        code = row["iso2"]
        where = f"{path.name} line {line}"
        if code not in iso2_codes():
            raise SeedTableError(
                f"{where}: iso2 must be an ISO 3166-1 alpha-2 code, found {code!r}"
            )
        if code in names:
            raise SeedTableError(f"{where}: iso2 {code!r} appears twice")
        names[code] = row["name"]
        for flag in COUNTRY_FLAGS:
            if row[flag] not in ("0", "1"):
                raise SeedTableError(f"{where}: flag {flag!r} must be 0 or 1, found {row[flag]!r}")
            if row[flag] == "1":
                members[flag].add(code)
    return CountryGroups(names=names, members={k: frozenset(v) for k, v in members.items()})


@cache
def seeds_version() -> str:
    """A short content hash of the packaged reference tables, logged with every model."""
    digest = hashlib.sha256()
    for name in (CHPL_FILE, COUNTRIES_FILE):
        digest.update(name.encode())
        digest.update(_package_file(name).read_bytes())
    return digest.hexdigest()[:12]
