"""Everything one simulation run has generated before shipments are drawn."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from seeds.tables import CountryGroups
from training.simulator.actors import SupplierPools
from training.simulator.calendar import MonthGrid
from training.simulator.goods import Catalogue


@dataclass(frozen=True)
class World:
    """Actors, goods and streams of one run.

    ``consignees`` is indexed 0..n-1 (stream and parent references are positions);
    ``end_users`` and ``forwarders`` are name pools with columns country, name (forwarders'
    country "" marks the global ones); ``streams`` is the stream table without intensities.
    """

    grid: MonthGrid
    groups: CountryGroups
    catalogue: Catalogue
    exporters: pd.DataFrame
    consignees: pd.DataFrame
    legit_pools: SupplierPools
    diversion_pools: SupplierPools
    end_users: pd.DataFrame
    forwarders: pd.DataFrame
    streams: pd.DataFrame
