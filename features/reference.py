"""Reference data the feature families read, loaded once per run and passed down."""

from __future__ import annotations

from dataclasses import dataclass

from seeds import ChplTable, CountryGroups, load_chpl, load_country_groups


@dataclass(frozen=True)
class Reference:
    chpl: ChplTable
    countries: CountryGroups

    @classmethod
    def load(cls) -> Reference:
        return cls(chpl=load_chpl(), countries=load_country_groups())
