"""What pass 2 keeps of each chunk: the reason counts of the summary."""

import pandas as pd

from serve.chunk_scoring import reason_code_counts


def test_each_reason_code_is_counted_once_per_reason_in_order_of_first_appearance():
    reasons = pd.Series(
        ["PAYER: payer in AE | HUB: x", "", None, "HUB: y | FIRST: a: b | PAYER: z"], dtype="str"
    )
    assert list(reason_code_counts(reasons).items()) == [("PAYER", 2), ("HUB", 2), ("FIRST", 1)]


def test_rows_without_reasons_count_nothing():
    assert reason_code_counts(pd.Series(["", None], dtype="str")) == {}
