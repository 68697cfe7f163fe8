"""Imperfect identity: one company written differently across its declarations.

Declarants type a consignee's name, id and address from their own records, so the same company
appears with another spelling, legal form or typo (``NAME_NOISE_RATE`` of rows, drawn from two
alternative spellings per company, so they recur), its registry id in another format
(``ID_NOISE_RATE``: without the dash, with a space, in lower case) and its address in capitals
or with the country appended (``ADDRESS_NOISE_RATE``) [inference for the rates]. Ground truth
(``truth_consignee``) keeps the one company behind all of them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from training.simulator.naming import name_variant

NAME_NOISE_RATE = 0.12
ID_NOISE_RATE = 0.10
ADDRESS_NOISE_RATE = 0.10
SPELLINGS = 2
NAME_NOISE_KINDS = ("spelling", "legal_form", "typo")


def written_identity(
    rng: np.random.Generator,
    consignees: pd.DataFrame,
    consignee: np.ndarray,
    address_missing: np.ndarray,
) -> dict[str, pa.Array]:
    """``consignee_name``, ``consignee_id`` and ``consignee_address`` as declarants wrote them
    for each row's ``consignee`` (the row's address is missing where ``address_missing``)."""
    n_rows, n = len(consignee), len(consignees)
    used = np.unique(consignee)
    names = list(consignees["name"])
    spellings = [""] * (SPELLINGS * n)
    parts = consignees["name_parts"].to_numpy()
    for company in used:
        for k in range(SPELLINGS):
            kind = NAME_NOISE_KINDS[rng.integers(len(NAME_NOISE_KINDS))]
            spellings[SPELLINGS * company + k] = name_variant(rng, parts[company], kind).text
    other_name = rng.random(n_rows) < NAME_NOISE_RATE
    name_code = np.where(
        other_name, n + SPELLINGS * consignee + rng.integers(0, SPELLINGS, n_rows), consignee
    )

    ids = consignees["consignee_id"].to_numpy(dtype=object)
    id_formats = [_id_formats(value) for value in ids]
    id_text = [form for formats in id_formats for form in formats]
    id_choice = np.where(rng.random(n_rows) < ID_NOISE_RATE, rng.integers(1, 4, n_rows), 0)
    id_code = np.where(pd.isna(ids)[consignee], -1, 4 * consignee + id_choice)

    addresses = consignees["address"].to_numpy(dtype=object)
    countries = consignees["country"].to_numpy(dtype=object)
    address_text = [
        form
        for text, country in zip(addresses, countries, strict=True)
        for form in (text, text.upper(), f"{text}, {country}")
    ]
    address_choice = np.where(
        rng.random(n_rows) < ADDRESS_NOISE_RATE, rng.integers(1, 3, n_rows), 0
    )
    address_code = np.where(address_missing, -1, 3 * consignee + address_choice)
    return {
        "consignee_name": _text(names + spellings, name_code),
        "consignee_id": _text(id_text, id_code),
        "consignee_address": _text(address_text, address_code),
    }


def _id_formats(value) -> tuple[str, str, str, str]:
    """The id as registered, without separators, with a space, in lower case."""
    if pd.isna(value):
        return ("", "", "", "")
    text = str(value)
    return (text, text.replace("-", ""), text.replace("-", " "), text.lower())


def _text(values: list[str], codes: np.ndarray) -> pa.Array:
    """Strings for ``codes``; a negative code gives a missing value."""
    indices = pa.array(np.maximum(codes, 0), mask=codes < 0)
    return pa.array(values, type=pa.string()).take(indices)
