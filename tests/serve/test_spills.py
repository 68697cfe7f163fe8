"""Spill files give back each chunk as it was written, alone or in order."""

import numpy as np
import pandas as pd

from serve.spills import SpillWriter, read_chunk, read_chunks


def test_each_chunk_comes_back_as_written_with_its_types(tmp_path):
    first = pd.DataFrame(
        {
            "name": pd.Series(["a", None], dtype="str"),
            "value": [1.5, np.nan],
            "day": pd.Series(["2024-01-02", None], dtype="datetime64[s]"),
            "alert": [True, False],
        },
        index=pd.Index([2, 5], name="line"),
    )
    second = first.iloc[[1]].assign(name=pd.Series([None], dtype="str", index=[5]))
    path = tmp_path / "rows.arrow"
    writer = SpillWriter(path, keep_index=True)
    for frame in (first, second):
        writer.write(frame)
    writer.close()
    assert writer.chunks == 2
    pd.testing.assert_frame_equal(read_chunk(path, 1), second)
    for read, written in zip(read_chunks(path), (first, second), strict=True):
        pd.testing.assert_frame_equal(read, written)


def test_a_spill_never_written_has_no_chunks(tmp_path):
    assert list(read_chunks(tmp_path / "never.arrow")) == []
