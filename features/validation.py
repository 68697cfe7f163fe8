"""Validation of shipment files against the contract in ``features.schema``.

File-level problems (unusable header, missing required columns, a bad column map) stop the
run with one ``ShipmentFileError`` listing every problem. Row-level problems send the row to
the rejects with its line number and reasons; the remaining rows come out typed and
normalised, so downstream code can trust them. Each kind of field is parsed by the table in
``features.fields``, which the per-record fast path (``features.record_validation``) shares.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from features.column_map import ColumnMap
from features.errors import ShipmentFileError
from features.fields import FIELD_KINDS, RowProblem, failing, parse_number_column
from features.names import normalise_names
from features.readers import RawChunk
from features.schema import (
    COLUMNS_BY_NAME,
    EITHER_REQUIRED,
    GROUND_TRUTH_PREFIX,
    NUMERIC_KINDS,
    OUTCOME_DATE_COLUMN,
    REQUIRED_NAMES,
    SHIPMENT_COLUMNS,
    TRAINING_ONLY_NAMES,
    Column,
    Kind,
)

REJECT_COLUMNS = ("line", "reason")
DERIVED_ID_SEPARATOR = ":"
MAX_SHOWN_CHARS = 80


@dataclass
class ValidatedChunk:
    """The outcome of validating one chunk."""

    shipments: pd.DataFrame
    """Canonical columns, typed and normalised, plus the column map's extras; index = line."""
    source: pd.DataFrame
    """The same rows' source values as read, every source column (for pass-through output)."""
    rejects: pd.DataFrame
    """``line``, ``reason`` and the rejected rows' source values."""
    problems: list[RowProblem]
    """The rules rejected rows broke."""
    read_as_missing: list[RowProblem] = field(default_factory=list)
    """Unknown codes in optional fields, read as missing; their rows are kept."""


def _shown(values: pd.Series) -> pd.Series:
    return "'" + values.astype("str").fillna("").str.slice(0, MAX_SHOWN_CHARS) + "'"


class ShipmentValidator:
    """Validates the chunks of one file in order, remembering shipment ids across chunks.

    Labels (``diverted``) are read only with ``labels=True`` (training, ``divert validate``,
    ``divert features``); otherwise a label column is ignored, neither parsed nor passed on,
    so a label can never change a score.
    """

    def __init__(self, column_map: ColumnMap | None = None, *, labels: bool = False) -> None:
        self.column_map = column_map or ColumnMap()
        self.labels = labels
        self._seen_hashes = np.empty(0, dtype=np.uint64)
        self._seen_lines = np.empty(0, dtype=np.int64)

    def check_header(self, header: list[str], where: str) -> None:
        """Raise ``ShipmentFileError`` listing every file-level problem of ``header``."""
        problems = []
        repeated = sorted({name for name in header if header.count(name) > 1})
        if repeated:
            problems.append(f"header: column name(s) {repeated} appear more than once")
        problems += [
            f"column {name!r}: simulator ground truth is never an input; remove it from the file"
            for name in header
            if name.startswith(GROUND_TRUTH_PREFIX)
        ]
        problems += self.column_map.missing_sources(header)
        renamed = [self.column_map.renames.get(name, name) for name in header]
        for name in sorted(set(renamed) & set(self.column_map.constants)):
            problems.append(f"column {name!r}: given both by the file and as a column-map constant")
        available = set(renamed) | set(self.column_map.constants)
        for name in REQUIRED_NAMES:
            if name not in available:
                problems.append(f"column {name!r}: required column missing{_hint(name, header)}")
        if not available & set(EITHER_REQUIRED):
            first, second = EITHER_REQUIRED
            problems.append(
                f"columns {first!r} and {second!r}: neither is present; a consignee needs one"
                f"{_hint(first, header)}"
            )
        problems += self._constant_problems()
        if problems:
            listing = "\n".join(f"  - {problem}" for problem in problems)
            raise ShipmentFileError(f"{where} cannot be used:\n{listing}")

    def _constant_problems(self) -> list[str]:
        problems = []
        for name, value in self.column_map.constants.items():
            raw = pd.Series([value], dtype="str")
            _, failures = _parse(COLUMNS_BY_NAME[name], raw, self.column_map.date_format)
            problems += [
                f"column map constant {name} = {value!r}: {failure.rule}" for failure in failures
            ]
        return problems

    def validate(self, chunk: RawChunk) -> ValidatedChunk:
        """Split one chunk into typed valid rows and rejects (state: ids seen so far)."""
        source = chunk.frame
        raw = source.rename(columns=self.column_map.renames)
        for name, value in self.column_map.constants.items():
            raw[name] = value
        raw = raw.astype("str")
        parsed: dict[str, pd.Series] = {}
        problems: list[RowProblem] = []
        for column in SHIPMENT_COLUMNS:
            if column.name in raw.columns and (self.labels or not column.training_only):
                parsed[column.name], failures = _parse(
                    column, raw[column.name], self.column_map.date_format
                )
                problems += failures
            else:
                parsed[column.name] = _empty(column, raw.index)
        for name in self.column_map.categorical_extras + self.column_map.entity_keys:
            parsed[name] = raw[name]
        for name in self.column_map.numeric_extras:
            parsed[name], failures = parse_number_column(name, raw[name])
            problems += failures
        problems += _unidentified_consignees(parsed)
        problems += _outcomes_before_shipment(parsed, raw)
        problems += self._duplicate_ids(raw["shipment_id"])
        problems += _structural_problems(chunk)
        problems += _nul_byte_problems(source)

        read_as_missing = [problem for problem in problems if not problem.rejects]
        problems = [problem for problem in problems if problem.rejects]
        reasons = _reasons(problems)
        rejected = source.index.isin(reasons.index)
        shipments = pd.DataFrame(parsed, index=raw.index)
        rejects = _rejects_frame(source[rejected], reasons, chunk)
        if rejected.any():  # a clean chunk's rows are not copied
            shipments, source = shipments[~rejected], source[~rejected]
        _derive_consignee_ids(shipments)
        return ValidatedChunk(shipments, source, rejects, problems, read_as_missing)

    def _duplicate_ids(self, ids: pd.Series) -> list[RowProblem]:
        present = ids.dropna()
        hashes = pd.util.hash_pandas_object(present, index=False).to_numpy()
        lines = present.index.to_numpy()
        position = np.searchsorted(self._seen_hashes, hashes)
        position = np.minimum(position, max(len(self._seen_hashes) - 1, 0))
        earlier = (
            self._seen_hashes[position] == hashes
            if len(self._seen_hashes)
            else np.zeros(len(hashes), bool)
        )
        within = pd.Series(hashes).duplicated(keep="first").to_numpy()
        repeated = earlier | within
        fresh_hashes, fresh_lines = hashes[~repeated], lines[~repeated]
        merged = np.concatenate([self._seen_hashes, fresh_hashes])
        order = np.argsort(merged, kind="stable")
        self._seen_hashes = merged[order]
        self._seen_lines = np.concatenate([self._seen_lines, fresh_lines])[order]
        if not repeated.any():
            return []
        return [RowProblem("shipment_id", "repeats an earlier row's id", present[repeated])]


def ignored_labels(header: list[str], column_map: ColumnMap) -> list[str]:
    """The label and outcome-date columns of ``header`` (after the map's renames), which
    scoring ignores."""
    targets = set(map(column_map.target, header))
    return [name for name in TRAINING_ONLY_NAMES if name in targets]


def _hint(name: str, header: list[str]) -> str:
    if len(header) == 1 and any(sep in header[0] for sep in ",;\t|"):
        return " (the header has a single column; is the delimiter right?)"
    close = difflib.get_close_matches(name, header, n=1, cutoff=0.6)
    if close:
        return f" (did you mean {close[0]!r}? map it under [columns] in a column map)"
    return ""


def _empty(column: Column, index: pd.Index) -> pd.Series:
    kind = column.kind
    if kind is Kind.DATE:
        return pd.Series(pd.NaT, index=index, dtype="datetime64[s]")
    if kind in NUMERIC_KINDS:
        return pd.Series(np.nan, index=index, dtype="float64")
    return pd.Series(pd.NA, index=index, dtype="str")


def _parse(
    column: Column, raw: pd.Series, date_format: str | None
) -> tuple[pd.Series, list[RowProblem]]:
    """Parse one canonical column by its kind (``features.fields``); return the values and the
    rows breaking its rules."""
    problems = (
        failing(column.name, "required value missing", raw, raw.isna()) if column.required else []
    )
    values, failures = FIELD_KINDS[column.kind].column(column, raw, date_format)
    return values, problems + failures


def _outcomes_before_shipment(parsed: dict[str, pd.Series], raw: pd.DataFrame) -> list[RowProblem]:
    outcome = parsed[OUTCOME_DATE_COLUMN]
    early = outcome.notna() & parsed["ship_date"].notna() & (outcome < parsed["ship_date"])
    if not early.any():
        return []
    return failing(OUTCOME_DATE_COLUMN, "before ship_date", raw[OUTCOME_DATE_COLUMN], early)


def _unidentified_consignees(parsed: dict[str, pd.Series]) -> list[RowProblem]:
    name, identifier = (parsed[column] for column in EITHER_REQUIRED)
    neither = name.isna() & identifier.isna()
    rule = f"required value missing (a consignee needs {' or '.join(EITHER_REQUIRED)})"
    return failing(EITHER_REQUIRED[0], rule, name, neither)


def _structural_problems(chunk: RawChunk) -> list[RowProblem]:
    problems = []
    if chunk.undecodable:
        values = pd.Series(list(chunk.undecodable.values()), index=list(chunk.undecodable))
        problems.append(RowProblem("(row)", "bytes that are not valid UTF-8", values))
    if chunk.ragged:
        lines = [line for line, _, _ in chunk.ragged]
        values = pd.Series([message for _, message, _ in chunk.ragged], index=lines)
        problems.append(RowProblem("(row)", "wrong number of fields", values))
    return problems


def _nul_byte_problems(source: pd.DataFrame) -> list[RowProblem]:
    """Values holding a NUL byte: usually a binary or UTF-16 file, never a shipment."""
    problems = []
    for name in source.columns:
        values = source[name]
        has_nul = values.str.contains("\x00", regex=False).fillna(False).to_numpy(dtype=bool)
        if has_nul.any():
            shown = values[has_nul].str.replace("\x00", "\\0", regex=False)
            problems.append(RowProblem(str(name), "contains a NUL byte", shown))
    return problems


def _reasons(problems: list[RowProblem]) -> pd.Series:
    """One reason text per failing line, the problems joined in column order."""
    if not problems:
        return pd.Series([], dtype="str")
    parts = [
        f"{problem.column}: {problem.rule}: " + _shown(problem.values)
        if problem.column != "(row)"
        else problem.values.astype("str")
        for problem in problems
    ]
    combined = pd.concat(parts)
    return combined.groupby(level=0, sort=True).agg(" | ".join)


def _derive_consignee_ids(shipments: pd.DataFrame) -> None:
    missing = shipments["consignee_id"].isna()
    if missing.any():
        names = normalise_names(shipments.loc[missing, "consignee_name"])
        derived = shipments.loc[missing, "consignee_country"] + DERIVED_ID_SEPARATOR + names
        shipments.loc[missing, "consignee_id"] = derived


def empty_rejects(header: list[str]) -> pd.DataFrame:
    """A rejects frame without rows, with the columns a file with this header would get."""
    columns = {"line": pd.Series(dtype="int64"), "reason": pd.Series(dtype="str")}
    columns |= {name: pd.Series(dtype="str") for name in header if name not in columns}
    return pd.DataFrame(columns | {"raw_text": pd.Series(dtype="str")})


def _rejects_frame(rejected: pd.DataFrame, reasons: pd.Series, chunk: RawChunk) -> pd.DataFrame:
    """Rejected rows with a fixed set of columns: line, reason, source columns, raw_text."""
    rows = rejected.reset_index()
    rows.insert(1, "reason", reasons.reindex(rejected.index).to_numpy())
    rows["raw_text"] = pd.Series(pd.NA, index=rows.index, dtype="str")
    if chunk.ragged:
        ragged = pd.DataFrame(
            {
                "line": [line for line, _, _ in chunk.ragged],
                "reason": [message for _, message, _ in chunk.ragged],
                "raw_text": [text for _, _, text in chunk.ragged],
            }
        )
        rows = pd.concat([rows, ragged], ignore_index=True)
    rows = rows.astype({name: "str" for name in rows.columns if name != "line"})
    return rows.astype({"line": "int64"}).sort_values("line", ignore_index=True)
