"""The TOML column map: how a source file's headers become the canonical shipment columns.

Example::

    [columns]                    # canonical name = "source header"
    shipment_id = "Declaration No"
    ship_date = "Date of export"

    [constants]                  # canonical columns the source lacks, same value on every row
    destination_country = "KR"

    [extras]                     # further source columns kept as model features
    categorical = ["port_of_loading"]
    numeric = ["invoice_lines"]
    entity_keys = ["broker_id"]  # ids that get their own history features, like consignees

    [read]                       # optional reading options
    delimiter = ";"
    encoding = "cp1252"
    date_format = "%d.%m.%Y"
"""

from __future__ import annotations

import codecs
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from features.errors import ColumnMapError
from features.extras import ExtraColumns
from features.schema import CANONICAL_NAMES, GROUND_TRUTH_PREFIX

SECTIONS = ("columns", "constants", "extras", "read")
EXTRA_KINDS = ("categorical", "numeric", "entity_keys")
READ_OPTIONS = ("delimiter", "encoding", "date_format")


@dataclass(frozen=True)
class ColumnMap:
    """Renames, constants, extra feature columns and reading options for one source format."""

    renames: dict[str, str] = field(default_factory=dict)
    """source header -> canonical name"""
    constants: dict[str, str] = field(default_factory=dict)
    categorical_extras: tuple[str, ...] = ()
    numeric_extras: tuple[str, ...] = ()
    entity_keys: tuple[str, ...] = ()
    delimiter: str | None = None
    encoding: str = "utf-8"
    date_format: str | None = None
    source: str = "(no column map)"

    @property
    def extras(self) -> tuple[str, ...]:
        return self.categorical_extras + self.numeric_extras + self.entity_keys

    @property
    def extra_columns(self) -> ExtraColumns:
        """The extras as model inputs (categories not yet fitted)."""
        return ExtraColumns(self.entity_keys, self.categorical_extras, self.numeric_extras)

    def target(self, header_name: str) -> str:
        """The column a source header becomes: its canonical name if renamed, else itself."""
        return self.renames.get(header_name, header_name)

    def missing_sources(self, header: list[str]) -> list[str]:
        """One message per mapped or extra source column that ``header`` does not have."""
        present = set(header)
        wanted = [(source, f"maps {canonical} to") for source, canonical in self.renames.items()]
        wanted += [(name, "keeps the extra column") for name in self.extras]
        return [
            f"column map {self.source} {what} source column {source!r}, which the file lacks"
            for source, what in wanted
            if source not in present
        ]


def _strings(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ColumnMapError(f"{where} must be a list of strings, found {value!r}")
    return value


def _table(document: dict, section: str, where: str) -> dict:
    value = document.get(section, {})
    if not isinstance(value, dict):
        raise ColumnMapError(f"{where}: [{section}] must be a table, found {value!r}")
    return value


def _check_canonical(names: dict, section: str, where: str) -> None:
    for name, value in names.items():
        if name not in CANONICAL_NAMES:
            raise ColumnMapError(
                f"{where}: [{section}] names {name!r}, which is not a canonical column; "
                f"canonical columns are {', '.join(CANONICAL_NAMES)}"
            )
        if not isinstance(value, str) or not value:
            raise ColumnMapError(
                f"{where}: [{section}] {name} must be a non-empty string, found {value!r}"
            )


def load_column_map(path: Path) -> ColumnMap:
    """Read and check a column map file; raises ``ColumnMapError`` naming the file and entry."""
    where = str(path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ColumnMapError(f"cannot read column map {where}: {error.strerror}") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ColumnMapError(f"column map {where} is not valid TOML: {error}") from error
    unknown = sorted(set(document) - set(SECTIONS))
    if unknown:
        raise ColumnMapError(
            f"{where}: unknown section(s) {unknown}; expected only {', '.join(SECTIONS)}"
        )
    columns = _table(document, "columns", where)
    constants = _table(document, "constants", where)
    extras = _table(document, "extras", where)
    read = _table(document, "read", where)
    _check_canonical(columns, "columns", where)
    _check_canonical(constants, "constants", where)
    both = sorted(set(columns) & set(constants))
    if both:
        raise ColumnMapError(f"{where}: {both} appear in both [columns] and [constants]")
    sources = list(columns.values())
    repeated = sorted({source for source in sources if sources.count(source) > 1})
    if repeated:
        raise ColumnMapError(f"{where}: source column(s) {repeated} are mapped more than once")
    unknown_extras = sorted(set(extras) - set(EXTRA_KINDS))
    if unknown_extras:
        raise ColumnMapError(
            f"{where}: [extras] has {unknown_extras}; expected {', '.join(EXTRA_KINDS)}"
        )
    categorical = _strings(extras.get("categorical", []), f"{where}: [extras] categorical")
    numeric = _strings(extras.get("numeric", []), f"{where}: [extras] numeric")
    entity_keys = _strings(extras.get("entity_keys", []), f"{where}: [extras] entity_keys")
    extra_names = categorical + numeric + entity_keys
    repeated_extras = sorted({name for name in extra_names if extra_names.count(name) > 1})
    if repeated_extras:
        raise ColumnMapError(f"{where}: [extras] names {repeated_extras} more than once")
    clashing = sorted(
        name
        for name in extra_names
        if name in CANONICAL_NAMES or name.startswith(GROUND_TRUTH_PREFIX)
    )
    if clashing:
        raise ColumnMapError(
            f"{where}: [extras] {clashing} clash with canonical or ground-truth column names; "
            "map them in [columns] instead or rename them"
        )
    unknown_read = sorted(set(read) - set(READ_OPTIONS))
    if unknown_read:
        raise ColumnMapError(
            f"{where}: [read] has {unknown_read}; expected {', '.join(READ_OPTIONS)}"
        )
    delimiter = read.get("delimiter")
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        raise ColumnMapError(
            f"{where}: [read] delimiter must be one character, found {delimiter!r}"
        )
    encoding = read.get("encoding", "utf-8")
    try:
        codecs.lookup(encoding)
    except (LookupError, TypeError) as error:
        raise ColumnMapError(f"{where}: [read] encoding {encoding!r} is not known") from error
    return ColumnMap(
        renames={source: canonical for canonical, source in columns.items()},
        constants=dict(constants),
        categorical_extras=tuple(categorical),
        numeric_extras=tuple(numeric),
        entity_keys=tuple(entity_keys),
        delimiter=delimiter,
        encoding=encoding,
        date_format=read.get("date_format"),
        source=where,
    )
