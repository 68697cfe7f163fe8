"""The project's exception hierarchy: every error a user can cause is a ``DivertError``."""

from __future__ import annotations


class DivertError(Exception):
    """Base of all errors whose message is meant for the user (the CLI prints it, no traceback)."""


class ColumnMapError(DivertError):
    """The TOML column map is malformed or does not fit the file it is applied to."""


class ShipmentFileError(DivertError):
    """A shipment file cannot be used at all (unreadable, empty, missing required columns)."""


class WatchlistError(DivertError):
    """A watchlist file cannot be read: unknown format, malformed rows or unparseable values."""
