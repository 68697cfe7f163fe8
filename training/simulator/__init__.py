"""Synthetic export-shipment histories with diversion to Russia, for training and tests.

``simulate(SimulationConfig(rows=..., seed=...))`` returns a ``SimulatedHistory`` of shipments
(the canonical columns, labelled only where inspected), ground truth and a CSL-format
watchlist. ``docs/simulator.md`` describes the typologies and the calibration.
"""

from training.simulator.behaviour import TYPOLOGIES
from training.simulator.config import SimulationConfig
from training.simulator.core import SimulatedHistory, simulate

__all__ = ["TYPOLOGIES", "SimulatedHistory", "SimulationConfig", "simulate"]
