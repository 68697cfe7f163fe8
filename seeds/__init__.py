"""Reference tables shipped with the detector: the CHPL and the country groups.

This package imports nothing else of the project; every other package may import it.
"""

from seeds.tables import (
    CHPL_TIERS,
    COUNTRY_FLAGS,
    HUB_LISTS,
    ChplTable,
    CountryGroups,
    SeedTableError,
    iso2_codes,
    load_chpl,
    load_country_groups,
    seeds_version,
)

__all__ = [
    "CHPL_TIERS",
    "COUNTRY_FLAGS",
    "HUB_LISTS",
    "ChplTable",
    "CountryGroups",
    "SeedTableError",
    "iso2_codes",
    "load_chpl",
    "load_country_groups",
    "seeds_version",
]
