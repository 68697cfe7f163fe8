"""Reasons: the red flags behind a score, in the words analysts use, strongest first.

Each reason is a red flag of ``models.rules`` that fires on the row, with a short code and a
text filled from the row (``CHPL12: CHPL tier 1 item (HS 854231) to diversion-risk country
KZ``). For the rows worth explaining (scores near or above the alert threshold) the flags are
ordered by their contribution to the model's score: the drop in score when the flag's features
are set to a clean value. Other rows list their checklist flags by points (risk-profile flags,
which carry no points, only explain rows by contribution).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from copy import copy

import numpy as np
import pandas as pd

from models.rules import CHECKLIST, Checklist

MAX_REASONS = 3
SEPARATOR = " | "
TIER_BY_RANK = {6: "1", 5: "2", 4: "3.A", 3: "3.B", 2: "4.A", 1: "4.B"}


class _ColumnText:
    """Text pieces from feature and shipment columns (Series): the batch path."""

    @staticmethod
    def tier(ranks: pd.Series) -> pd.Series:
        return ranks.map(TIER_BY_RANK).astype("str")

    @staticmethod
    def day(dates: pd.Series) -> pd.Series:
        return dates.str.slice(0, 10)

    @staticmethod
    def rounded(values: pd.Series) -> pd.Series:
        return values.round().astype(int).astype("str")

    @staticmethod
    def count(values: pd.Series) -> pd.Series:
        return values.fillna(0).astype(int).astype("str")

    @staticmethod
    def where(condition: pd.Series, chosen: pd.Series, otherwise: pd.Series) -> pd.Series:
        return otherwise.where(~condition.to_numpy(), chosen)

    @staticmethod
    def constant(text: str, like: pd.Series) -> pd.Series:
        return pd.Series(text, index=like.index)


class _ValueText:
    """The same pieces from one shipment's values: the per-record path."""

    @staticmethod
    def tier(rank: float) -> str:
        return TIER_BY_RANK[int(rank)]

    @staticmethod
    def day(date: str) -> str:
        return date[:10]

    @staticmethod
    def rounded(value: float) -> str:
        return str(int(np.round(value)))

    @staticmethod
    def count(value: float) -> str:
        return str(int(0 if np.isnan(value) else value))

    @staticmethod
    def where(condition: bool, chosen: str, otherwise: str) -> str:
        return chosen if condition else otherwise

    @staticmethod
    def constant(text: str, like: float) -> str:
        return text


class _Columns:
    """Columns of a frame for some rows, as the batch path's ``s`` and ``f`` read them.

    Each column is prepared once for all the rows and then subset, not once per reason and
    rank (the text of a value does not depend on the other rows).
    """

    def __init__(self, frame: pd.DataFrame, prepare=lambda column: column) -> None:
        self._frame = frame
        self._prepare = prepare
        self._prepared: dict[str, pd.Series] = {}
        self._rows: np.ndarray | None = None

    def of(self, rows: np.ndarray) -> _Columns:
        """The same columns for the rows marked in ``rows`` (a boolean mask)."""
        subset = copy(self)
        subset._rows = rows
        return subset

    def __getitem__(self, name: str) -> pd.Series:
        if name not in self._prepared:
            self._prepared[name] = self._prepare(self._frame[name])
        column = self._prepared[name]
        return column if self._rows is None else column[self._rows]


def _as_text(column: pd.Series) -> pd.Series:
    return column.astype("str").fillna("?")


def contributions(
    predict: Callable[[pd.DataFrame], np.ndarray],
    features: pd.DataFrame,
    hits: pd.DataFrame,
    scores: np.ndarray,
    checklist: Checklist = CHECKLIST,
) -> np.ndarray:
    """Per row and flag: score minus the score with the flag's features made clean (NaN where
    the flag does not fire). All cleaned copies go through the model in one call."""
    result = np.full(hits.shape, np.nan)
    cleaned, targets = [], []
    for column, flag in enumerate(checklist.flags):
        firing = np.flatnonzero(hits[flag.code].to_numpy())
        if len(firing):
            cleaned.append(features.iloc[firing].assign(**flag.clean))
            targets.append((firing, column))
    if cleaned:
        ends = np.cumsum([len(rows) for rows, _ in targets])[:-1]
        clean_scores = np.split(predict(pd.concat(cleaned)), ends)
        for (rows, column), clean in zip(targets, clean_scores, strict=True):
            result[rows, column] = scores[rows] - clean
    return result


def reasons(
    shipments: pd.DataFrame,
    features: pd.DataFrame,
    scores: np.ndarray,
    predict: Callable[[pd.DataFrame], np.ndarray],
    explain: np.ndarray,
    checklist: Checklist = CHECKLIST,
) -> pd.Series:
    """Up to ``MAX_REASONS`` reasons per row from ``checklist``; ``explain`` marks rows ordered
    by contribution (the others by checklist points)."""
    hits = checklist.hits(features)
    points = checklist.points
    # a flag without points (a risk profile) is a reason only by its contribution
    strength = np.where(hits.to_numpy() & (points > 0), points, np.nan)
    if explain.any():
        strength[explain] = contributions(
            predict, features[explain], hits[explain], scores[explain], checklist
        )
    # a CHPL reason already names the hub, so the hub flag would only repeat it
    chpl = hits["CHPL12"].to_numpy() | hits["CHPL34"].to_numpy()
    strength[chpl, checklist.codes.index("HUB")] = np.nan
    ranked = np.argsort(-np.nan_to_num(strength, nan=-np.inf), axis=1, kind="stable")
    text, values = _Columns(shipments, _as_text), _Columns(features)
    parts = []
    for rank in range(MAX_REASONS):
        flag_column = ranked[:, rank]
        valid = ~np.isnan(strength[np.arange(len(strength)), flag_column])
        part = np.full(len(strength), None, dtype=object)
        for column, flag in enumerate(checklist.flags):
            rows = valid & (flag_column == column)
            if rows.any():
                reason = flag.text(text.of(rows), values.of(rows), _ColumnText)
                part[rows] = (flag.code + ": " + reason).to_numpy(dtype=object)
        parts.append(pd.Series(part, index=shipments.index, dtype="str"))
    joined = parts[0].fillna("")
    for part in parts[1:]:
        joined = joined.where(part.isna(), joined + SEPARATOR + part)
    return joined


def firing_flags(values: Mapping[str, float], checklist: Checklist = CHECKLIST) -> list[str]:
    """Codes of the flags that fire on one shipment's feature values, in checklist order."""
    return [flag.code for flag in checklist.flags if flag.fires_on(values)]


def cleaned(
    values: Mapping[str, float], code: str, checklist: Checklist = CHECKLIST
) -> dict[str, float]:
    """One shipment's feature values with flag ``code``'s features made clean."""
    return {**values, **checklist.by_code[code].clean}


def record_reasons(
    shipment: Mapping[str, object],
    values: Mapping[str, float],
    strengths: Mapping[str, float],
    checklist: Checklist = CHECKLIST,
) -> list[str]:
    """``reasons`` for one shipment: ``strengths`` holds each firing flag's contribution
    (explained rows) or its points, and orders them as the batch path does."""
    if "CHPL12" in strengths or "CHPL34" in strengths:
        strengths = {code: value for code, value in strengths.items() if code != "HUB"}
    ordered = sorted(
        (code for code in checklist.codes if code in strengths), key=lambda code: -strengths[code]
    )
    text = {name: "?" if _missing(value) else str(value) for name, value in shipment.items()}
    return [
        f"{code}: {checklist.by_code[code].text(text, values, _ValueText)}"
        for code in ordered[:MAX_REASONS]
    ]


def _missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, np.datetime64):
        return bool(np.isnat(value))
    return isinstance(value, float) and np.isnan(value)
