"""Turn simulator output into an import-declaration layout, as customs administrations hold it.

The layout follows public customs-declaration datasets (e.g. the synthetic import
declarations of Kim et al., DATE, KDD 2020): its own English headers, opaque identifiers and
no names, addresses or registration dates, national 10-digit tariff codes, an office and a
declarant, tax fields, non-ISO dates, a few "ZZ" country codes and no-charge (value 0) lines,
and an inspection result ("Fraud") on every row, as in an audit sample.

    python examples/customs_declarations/make_declarations.py history.csv history.truth.csv \\
        --out declarations.csv --later-from 2025-03-01 --later-out declarations_later.csv
"""

from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

MODE_CODES = {"sea": "10", "rail": "20", "road": "30", "air": "40", "post": "50"}
"""Transport modes as numeric codes; any other mode is "90"."""
OFFICES_PER_COUNTRY = 4
UNKNOWN_ORIGIN_SHARE = 0.005
NO_CHARGE_SHARE = 0.01
DATE_FORMAT = "%d/%m/%Y"
LABEL = "Fraud"
ID_COLUMN = "Declaration ID"
DATE_COLUMN = "Date"


def opaque(prefix: str, values: pd.Series) -> pd.Series:
    """A stable opaque id per distinct value (sha-256), empty where the value is empty."""
    codes, distinct = pd.factorize(values)
    digests = [prefix + hashlib.sha256(str(v).encode()).hexdigest()[:10].upper() for v in distinct]
    ids = np.asarray(digests, dtype=object)[np.maximum(codes, 0)]
    return pd.Series(np.where(codes >= 0, ids, ""), index=values.index).mask(values == "", "")


def outcomes(history: pd.DataFrame, truth: pd.DataFrame) -> pd.Series:
    """``truth_diverted`` (0/1) for every history row; ValueError unless the truth has exactly
    one 0/1 outcome per shipment."""
    if not truth["shipment_id"].is_unique:
        raise ValueError("the truth file names some shipment_id more than once")
    by_id = pd.to_numeric(truth.set_index("shipment_id")["truth_diverted"], errors="coerce")
    found = history["shipment_id"].map(by_id)
    lacking = int((~found.isin([0, 1])).sum())
    if lacking:
        raise ValueError(f"{lacking:,} shipment(s) have no 0/1 truth_diverted in the truth file")
    return found.astype(int)


def declarations(history: pd.DataFrame, truth: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """The history (simulator output read as text) in the declaration layout, row for row."""
    history = history.fillna("")
    fraud = outcomes(history, truth)
    rng = np.random.default_rng(seed)
    rows = len(history)
    hs_digits = history["hs_code"].str.replace(r"\D", "", regex=True)
    consignee = history["consignee_id"].mask(
        history["consignee_id"] == "",
        history["consignee_country"] + ":" + history["consignee_name"].str.lower(),
    )
    mode = history["transport_mode"].map(MODE_CODES).fillna("90")
    office_hash = pd.util.hash_pandas_object(history["consignee_country"] + mode, index=False)
    office_number = (
        (office_hash.to_numpy() % OFFICES_PER_COUNTRY).astype(np.int64) + rng.integers(0, 2, rows)
    ) % OFFICES_PER_COUNTRY
    chapter = hs_digits.str.slice(0, 2).astype(int)
    origin = history["origin_country"].mask(rng.random(rows) < UNKNOWN_ORIGIN_SHARE, "ZZ")
    price = pd.to_numeric(history["value_usd"]).round(2)
    price = price.mask(rng.random(rows) < NO_CHARGE_SHARE, 0.0)
    paid_elsewhere = (history["payer_country"] != "") & (
        history["payer_country"] != history["consignee_country"]
    )
    payment = np.where(paid_elsewhere ^ (rng.random(rows) < 0.05), "P2", "P1")
    national = rng.integers(0, 10_000, rows)
    return pd.DataFrame(
        {
            ID_COLUMN: history["shipment_id"],
            DATE_COLUMN: pd.to_datetime(history["ship_date"]).dt.strftime(DATE_FORMAT),
            "Office ID": "OF" + history["consignee_country"] + office_number.astype(str),
            "Process Type": rng.choice(["A", "B", "C"], rows, p=[0.7, 0.2, 0.1]),
            "Import Type": rng.choice(["11", "21", "29"], rows, p=[0.8, 0.15, 0.05]),
            "Payment Type": payment,
            "Mode of Transport": mode,
            "Declarant ID": opaque("DEC", history["freight_forwarder"]).mask(
                history["freight_forwarder"] == "", "DEC-SELF"
            ),
            "Importer ID": opaque("IMP", consignee),
            "Seller ID": opaque("SEL", history["exporter_id"]),
            "Courier ID": opaque("COU", history["freight_forwarder"]).where(
                mode.isin(["40", "50"]), ""
            ),
            "HS10 Code": hs_digits.str.slice(0, 6)
            + pd.Series([f"{number:04d}" for number in national], index=history.index),
            "Country of Departure": history["exporter_country"],
            "Country of Origin": origin,
            "Importer Country": history["consignee_country"],
            "Country of Destination": history["destination_country"],
            "Tax Rate": (chapter % 9 * 2.5 + rng.choice([0.0, 0.5], rows)).round(1),
            "Tax Type": np.where(chapter < 25, "FA", "FEU"),
            "Net Mass": history["net_mass_kg"],
            "Item Price": price.map(lambda value: f"{value:.2f}"),
            LABEL: fraud,
        },
        index=history.index,
    )


def split_by_date(
    frame: pd.DataFrame, first_later_day: str | date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Declarations before ``first_later_day`` (to train on) and from it on (to score,
    without the outcome column)."""
    dates = pd.to_datetime(frame[DATE_COLUMN], format=DATE_FORMAT)
    later = dates >= pd.Timestamp(first_later_day)
    return frame[~later], frame[later].drop(columns=[LABEL])


def write_atomically(frame: pd.DataFrame, path: Path) -> None:
    """Write to a temporary file beside ``path`` and move it into place."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(handle)
    try:
        frame.to_csv(temporary, index=False)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("history", type=Path, help="simulator shipments (divert simulate --out)")
    parser.add_argument("truth", type=Path, help="simulator ground truth (<out>.truth.csv)")
    parser.add_argument("--out", type=Path, required=True, help="declarations to write")
    parser.add_argument(
        "--later-from",
        type=date.fromisoformat,
        help="YYYY-MM-DD: declarations from this day go to",
    )
    parser.add_argument("--later-out", type=Path, help="... this file, without outcomes")
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()
    outputs = [options.out, *([options.later_out] if options.later_out else [])]
    inputs = {options.history.resolve(), options.truth.resolve()}
    if any(path.resolve() in inputs for path in outputs):
        parser.error("an output path is one of the inputs; choose another --out or --later-out")
    for source in (options.history, options.truth):
        if not source.is_file():
            parser.error(f"no such file: {source}")
    if bool(options.later_from) != bool(options.later_out):
        parser.error("give --later-from and --later-out together")
    if options.later_out and options.later_out.resolve() == options.out.resolve():
        parser.error("--out and --later-out name the same file")
    history = pd.read_csv(options.history, dtype="str", keep_default_na=False)
    truth = pd.read_csv(options.truth, dtype="str", keep_default_na=False)
    try:
        layout = declarations(history, truth, options.seed)
    except ValueError as error:
        parser.error(str(error))
    if options.later_from:
        earlier, later = split_by_date(layout, options.later_from)
        write_atomically(earlier, options.out)
        write_atomically(later, options.later_out)
        print(f"{len(earlier):,} declarations -> {options.out}")
        print(f"{len(later):,} later declarations (no outcome) -> {options.later_out}")
    else:
        write_atomically(layout, options.out)
        print(f"{len(layout):,} declarations -> {options.out}")


if __name__ == "__main__":
    main()
