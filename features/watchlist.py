"""Watchlist files read into one canonical frame, whatever their source format.

Formats are told apart by their header line:

- US Consolidated Screening List CSV, current (``_id`` column) and legacy (no ``_id``) exports;
- OpenSanctions ``targets.simple.csv``;
- a plain CSV with the header ``name[,country,address,listed_on]`` (columns in any order).

The canonical frame has one row per entry and the columns of ``WATCHLIST_COLUMNS``:
``entry_id`` (unique), ``name``, ``aliases`` (tuple of str), ``country`` (ISO-2 or missing),
``addresses`` (tuple of str), ``listed_on`` (a day, or NaT when the list gives no date) and
``source`` (the list or programme the entry comes from).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import pandas as pd

from features.errors import WatchlistError
from seeds import iso2_codes

WATCHLIST_COLUMNS: tuple[str, ...] = (
    "entry_id",
    "name",
    "aliases",
    "country",
    "addresses",
    "listed_on",
    "source",
)
LISTED_ON_DTYPE = "datetime64[us]"
DATE_FORMAT = "%Y-%m-%d"
CSL_LIST_SEPARATOR = ";"
"""Aliases and addresses in the CSL (and the plain format's address) are ``; ``-separated."""
OPENSANCTIONS_LIST_SEPARATOR = ";"
"""OpenSanctions writes multi-valued cells as one ``;``-delimited CSV record."""
OPENSANCTIONS_SANCTION_PARTS = " - "
"""A sanction cell reads ``program - reason - status - start date - end date`` (blanks omitted)."""
ID_DIGEST_LENGTH = 16
"""Hex digits of the content hash used as entry id where the file has no id column."""
MAX_EXAMPLES = 3
"""Example lines quoted per problem in an error message."""


class WatchlistFormat(Enum):
    """The watchlist formats understood, as (label, columns required in the header)."""

    CSL_CURRENT = (
        "US CSL CSV, current format",
        ("_id", "source", "name", "alt_names", "addresses", "start_date"),
    )
    CSL_LEGACY = (
        "US CSL CSV, legacy format",
        ("source", "entity_number", "name", "alt_names", "addresses", "start_date"),
    )
    OPENSANCTIONS = (
        "OpenSanctions targets.simple.csv",
        ("id", "schema", "name", "aliases", "countries", "addresses", "sanctions", "dataset",
         "first_seen"),
    )  # fmt: skip
    PLAIN = ("plain CSV", ("name",))

    @property
    def label(self) -> str:
        return self.value[0]

    @property
    def required(self) -> tuple[str, ...]:
        return self.value[1]


PLAIN_COLUMNS: tuple[str, ...] = ("name", "country", "address", "listed_on")
"""The plain format's columns; ``name`` is required, the others are optional."""

_SANCTION_DATE = re.compile(r"\d{4}(?:-\d{2}){0,2}")
_CSL_COUNTRY = re.compile(r"(?:^|,)\s*([A-Z]{2})\s*(?=;|$)")
_LEADING_AND = re.compile(r"^and\s+", re.IGNORECASE)


@dataclass
class _Table:
    """A watchlist file's cells as strings, with the line each record starts on."""

    path: Path
    header: list[str]
    frame: pd.DataFrame
    lines: pd.Series
    problems: list[str] = field(default_factory=list)

    def check(self, column: str, bad: pd.Series, rule: str) -> None:
        """Record a problem for the rows where ``bad`` is true, quoting a few examples."""
        if not bad.any():
            return
        lines = self.lines[bad].iloc[:MAX_EXAMPLES]
        values = self.frame.loc[bad, column].iloc[:MAX_EXAMPLES]
        examples = ", ".join(f"line {n}: {v!r}" for n, v in zip(lines, values, strict=True))
        count = int(bad.sum())
        self.problems.append(f"column {column!r}: {rule}: {_rows(count)}, e.g. {examples}")

    def raise_problems(self) -> None:
        if self.problems:
            listed = "\n".join(f"  - {problem}" for problem in self.problems)
            raise WatchlistError(f"watchlist {str(self.path)!r} has malformed rows:\n{listed}")


def read_watchlist(path: str | Path) -> pd.DataFrame:
    """Read a watchlist file (format detected from its header) into the canonical frame.

    Raises
    ------
    WatchlistError
        The file cannot be read as UTF-8 CSV, its header matches no known format, a record has
        the wrong number of fields, or values are unusable (empty name, bad date, bad country);
        the message names the file, the lines and what was expected.
    """
    table = _read_table(Path(path))
    watchlist_format = detect_format(table.header, table.path)
    readers: dict[WatchlistFormat, Callable[[_Table], pd.DataFrame]] = {
        WatchlistFormat.CSL_CURRENT: _from_csl,
        WatchlistFormat.CSL_LEGACY: _from_csl,
        WatchlistFormat.OPENSANCTIONS: _from_opensanctions,
        WatchlistFormat.PLAIN: _from_plain,
    }
    frame = readers[watchlist_format](table)
    table.raise_problems()
    return frame


def detect_format(header: list[str], path: str | Path = "<watchlist>") -> WatchlistFormat:
    """The format a header belongs to; ``WatchlistError`` listing the known ones otherwise."""
    columns = set(header)
    for candidate in (WatchlistFormat.CSL_CURRENT, WatchlistFormat.OPENSANCTIONS):
        if columns.issuperset(candidate.required):
            return candidate
    if columns.issuperset(WatchlistFormat.CSL_LEGACY.required):
        return WatchlistFormat.CSL_LEGACY
    if "name" in columns and columns.issubset(PLAIN_COLUMNS):
        return WatchlistFormat.PLAIN
    expected = "; ".join(
        f"{fmt.label} (columns {', '.join(fmt.required)}"
        + (f", optional {', '.join(PLAIN_COLUMNS[1:])})" if fmt is WatchlistFormat.PLAIN else ")")
        for fmt in WatchlistFormat
    )
    raise WatchlistError(
        f"watchlist {str(path)!r} line 1: unknown header {','.join(header)!r}; "
        f"expected one of: {expected}"
    )


def watchlist_frame(entries: Iterable[Mapping[str, object]]) -> pd.DataFrame:
    """A canonical frame from dicts with a ``name`` and any other canonical keys.

    Missing keys default to no aliases, no addresses, no country, no listing date, an empty
    source and the id ``entry-<position>``; ``listed_on`` may be a date string.
    """
    records = list(entries)
    return _canonical(
        entry_id=[str(r.get("entry_id", f"entry-{i}")) for i, r in enumerate(records)],
        name=[r["name"] for r in records],
        aliases=[tuple(r.get("aliases", ())) for r in records],
        country=[r.get("country") for r in records],
        addresses=[tuple(r.get("addresses", ())) for r in records],
        listed_on=pd.to_datetime(pd.Series([r.get("listed_on") for r in records], dtype=object)),
        source=[r.get("source", "") for r in records],
    )


def _canonical(**columns: object) -> pd.DataFrame:
    frame = pd.DataFrame({name: columns[name] for name in WATCHLIST_COLUMNS})
    dtypes = dict.fromkeys(("entry_id", "name", "country", "source"), "str")
    dtypes.update(aliases=object, addresses=object, listed_on=LISTED_ON_DTYPE)
    return frame.assign(listed_on=pd.to_datetime(frame["listed_on"])).astype(dtypes)


def _read_table(path: Path) -> _Table:
    where = f"watchlist {str(path)!r}"
    try:
        data = path.read_bytes()
    except OSError as error:
        raise WatchlistError(f"{where} cannot be read: {error.strerror}") from error
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start : error.start + 1]
        raise WatchlistError(
            f"{where} line {line}: expected UTF-8 text, found byte {byte!r}"
        ) from error
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise WatchlistError(f"{where} is empty; expected a header line") from None
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise WatchlistError(f"{where} line 1: header repeats column(s) {duplicated!r}")
    rows, lines, ragged = [], [], []
    start = reader.line_num + 1
    try:
        for row in reader:
            if row and len(row) != len(header):
                ragged.append(f"line {start}: {len(row)} fields")
            elif row:
                rows.append(row)
                lines.append(start)
            start = reader.line_num + 1
    except csv.Error as error:
        raise WatchlistError(f"{where} line {start}: not valid CSV ({error})") from error
    if ragged:
        raise WatchlistError(
            f"{where}: expected {len(header)} fields per record as in the header, found "
            f"{_rows(len(ragged))} with another count, e.g. {', '.join(ragged[:MAX_EXAMPLES])}"
        )
    frame = pd.DataFrame(rows, columns=header, dtype="str")
    return _Table(path, header, frame, pd.Series(lines, index=frame.index, dtype="int64"))


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"


def _split(cells: pd.Series, separator: str) -> pd.Series:
    """``a; b; and c`` -> ``("a", "b", "c")`` (the CSL joins the last item with "and")."""

    def parts(cell: str) -> tuple[str, ...]:
        items = (_LEADING_AND.sub("", item.strip()) for item in cell.split(separator))
        return tuple(dict.fromkeys(item for item in items if item))

    return cells.map(parts)


def _split_record(cells: pd.Series, separator: str) -> pd.Series:
    """Cells holding one CSV record with ``separator`` as delimiter (OpenSanctions lists)."""

    def parts(cell: str) -> tuple[str, ...]:
        if not cell:
            return ()
        record = next(csv.reader([cell], delimiter=separator))
        return tuple(dict.fromkeys(item.strip() for item in record if item.strip()))

    return cells.map(parts)


def _dates(table: _Table, column: str, cells: pd.Series | None = None) -> pd.Series:
    """Parse ``YYYY-MM-DD`` cells (empty -> NaT), recording unparseable ones as problems."""
    cells = table.frame[column] if cells is None else cells
    parsed = pd.to_datetime(cells.where(cells != ""), format=DATE_FORMAT, errors="coerce")
    table.check(column, parsed.isna() & (cells != ""), "expected a date YYYY-MM-DD")
    return parsed


def _check_names(table: _Table) -> None:
    table.check("name", table.frame["name"].str.strip() == "", "expected a non-empty name")


def _content_ids(table: _Table, prefix: str, columns: list[str]) -> pd.Series:
    """Stable ids from a hash of the row's cells, for formats without an id column."""
    digests = [
        prefix + hashlib.sha1("\x1f".join(row).encode()).hexdigest()[:ID_DIGEST_LENGTH]
        for row in table.frame[columns].itertuples(index=False)
    ]
    return pd.Series(digests, index=table.frame.index, dtype="str")


def _unique(ids: pd.Series) -> pd.Series:
    """Suffix repeated ids with ``#2``, ``#3``... in file order."""
    occurrence = ids.groupby(ids, sort=False).cumcount()
    return ids.where(occurrence == 0, ids + "#" + (occurrence + 1).astype("str"))


def _csl_country(addresses: str) -> str | None:
    """The country code ending the last address that has one (``..., Yerevan, AM`` -> AM)."""
    codes = [code for code in _CSL_COUNTRY.findall(addresses) if code in iso2_codes()]
    return codes[-1] if codes else None


def _from_csl(table: _Table) -> pd.DataFrame:
    cells = table.frame
    _check_names(table)
    hashed = _content_ids(
        table, "csl:", ["source", "entity_number", "name", "addresses", "start_date"]
    )
    ids = cells["_id"].str.strip() if "_id" in cells else hashed
    return _canonical(
        entry_id=_unique(ids.where(ids != "", hashed)),
        name=cells["name"].str.strip(),
        aliases=_split(cells["alt_names"], CSL_LIST_SEPARATOR),
        country=cells["addresses"].map(_csl_country),
        addresses=_split(cells["addresses"], CSL_LIST_SEPARATOR),
        listed_on=_dates(table, "start_date"),
        source=cells["source"].str.strip(),
    )


def _sanction_start(sanctions: tuple[str, ...]) -> str | None:
    """The earliest start date among sanction texts, a partial date read as its last day.

    The first part of a sanction text that is only a date is its start date (or, when no start
    date is given, its end date: later, so never earlier than the listing).
    """
    starts = []
    for sanction in sanctions:
        dates = (p.strip() for p in sanction.split(OPENSANCTIONS_SANCTION_PARTS))
        first = next((date for date in dates if _SANCTION_DATE.fullmatch(date)), None)
        if first is None:
            continue
        try:
            starts.append(pd.Period(first).end_time.strftime(DATE_FORMAT))
        except ValueError:  # shaped like a date but not one (2022-13-45)
            continue
    return min(starts, default=None)


def _from_opensanctions(table: _Table) -> pd.DataFrame:
    cells = table.frame
    _check_names(table)
    countries = _split_record(cells["countries"], OPENSANCTIONS_LIST_SEPARATOR).map(
        lambda codes: {code.upper() for code in codes} & iso2_codes()
    )
    first_seen = _dates(table, "first_seen", cells["first_seen"].str.slice(0, 10))
    sanction_starts = _split_record(cells["sanctions"], OPENSANCTIONS_LIST_SEPARATOR).map(
        _sanction_start
    )
    return _canonical(
        entry_id=_unique(cells["id"].str.strip()),
        name=cells["name"].str.strip(),
        aliases=_split_record(cells["aliases"], OPENSANCTIONS_LIST_SEPARATOR),
        country=countries.map(lambda codes: next(iter(codes)) if len(codes) == 1 else None),
        addresses=_split_record(cells["addresses"], OPENSANCTIONS_LIST_SEPARATOR),
        listed_on=pd.to_datetime(sanction_starts).fillna(first_seen),
        source=cells["dataset"].str.strip(),
    )


def _from_plain(table: _Table) -> pd.DataFrame:
    cells = table.frame.reindex(columns=PLAIN_COLUMNS, fill_value="")
    table.frame = cells  # so that problems quote the optional columns too
    _check_names(table)
    country = cells["country"].str.strip().str.upper()
    table.check(
        "country",
        (country != "") & ~country.isin(iso2_codes()),
        "expected an ISO 3166-1 alpha-2 code or nothing",
    )
    return _canonical(
        entry_id=_unique(_content_ids(table, "plain:", list(PLAIN_COLUMNS))),
        name=cells["name"].str.strip(),
        aliases=[()] * len(cells),
        country=country.where(country != ""),
        addresses=_split(cells["address"], CSL_LIST_SEPARATOR),
        listed_on=_dates(table, "listed_on"),
        source=table.path.name,
    )
