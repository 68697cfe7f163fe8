"""Dated facts of the sanctions regime that features and the simulator share."""

from datetime import date

INVASION_DATE = date(2022, 2, 24)
"""Russia's full-scale invasion of Ukraine; the red flags date companies and trade from it."""
