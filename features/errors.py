"""The project's exception hierarchy, all in this module: every error a user can cause is a
``DivertError``, whose message says what was expected, what was found and where."""

from __future__ import annotations


class DivertError(Exception):
    """Base of all errors whose message is meant for the user (the CLI prints it, no traceback)."""


class ColumnMapError(DivertError):
    """The TOML column map is malformed or does not fit the file it is applied to."""


class ShipmentFileError(DivertError):
    """A shipment file cannot be used at all (unreadable, empty, missing required columns)."""


class WatchlistError(DivertError):
    """A watchlist file cannot be read: unknown format, malformed rows or unparseable values."""


# --- models: contract, threshold, registry


class FeatureContractError(DivertError):
    """A model was trained with other features, schema or reference data than this code has."""


class ModelInputError(DivertError):
    """Input to score lacks a column the model was trained with (an entity key)."""


class ThresholdError(DivertError):
    """A threshold that is not a probability (given or recorded)."""


class RegistryError(DivertError):
    """A model URI, version or alias cannot be found or used."""


# --- training: simulation and threshold decisions


class SimulationConfigError(DivertError, ValueError):
    """A simulation was asked for with impossible settings."""


class HoldoutPredictionsError(DivertError):
    """Holdout predictions lack a column or hold values a threshold cannot be tuned on."""


class ThresholdPolicyError(DivertError):
    """A policy's target value is outside its meaningful range."""


class UnattainablePolicyError(DivertError):
    """No candidate threshold meets the policy on this holdout."""


# --- serving: scoring runs and the HTTP server


class OutputPathError(DivertError):
    """An output path cannot be written, or would overwrite the input or another output."""


class NothingScoredError(DivertError):
    """The file has no row that could be scored (like ``divert validate``: unusable)."""


class CountMismatchError(DivertError):
    """Rows read do not equal rows scored plus rows rejected: the run refuses to finish."""


class ServerError(DivertError):
    """The server cannot start (e.g. the port is taken)."""


class SparkMissingError(DivertError):
    """The ``spark`` extra is not installed."""
