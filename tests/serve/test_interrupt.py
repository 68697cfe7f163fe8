"""An interrupted ``divert score`` leaves nothing at its output paths.

Real processes on a file large enough to be stopped mid-run: SIGINT and SIGTERM unwind,
remove every temporary file and exit 128 + the signal number with a one-line message; after
kill -9 hidden temporary files may remain, but never a file at the output, rejects or summary
path.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from serve.scoring import summary_path

COPIES = 120
"""The later-period file repeated (ids made unique): about 150,000 rows."""
CHUNK_ROWS = 10_000
STARTUP_SECONDS = 180
"""How long the process may take to import, load the model and start its first chunk."""
EXIT_SECONDS = 120


@pytest.fixture(scope="module")
def big_file(trained, tmp_path_factory) -> Path:
    later = pd.read_csv(trained.later, dtype="str", keep_default_na=False)
    copies = []
    for copy in range(COPIES):
        part = later.copy()
        part["shipment_id"] = part["shipment_id"] + f"-{copy:03d}"
        copies.append(part)
    path = tmp_path_factory.mktemp("big") / "big.csv"
    pd.concat(copies, ignore_index=True).to_csv(path, index=False)
    return path


def _environment(trained) -> dict[str, str]:
    hidden = ("MLFLOW_TRACKING_URI", "DIVERT_DEBUG")
    return {k: v for k, v in os.environ.items() if k not in hidden} | {
        "DIVERT_HOME": str(trained.home)
    }


def _mid_run(folder: Path) -> bool:
    """The work folder exists and an output is being written (its ``.partial`` file)."""
    names = [path.name for path in folder.iterdir()]
    return any(name.startswith(".divert-score-") for name in names) and any(
        name.endswith(".partial") for name in names
    )


def _start_and_stop(trained, big_file: Path, folder: Path, signum: int):
    folder.mkdir()
    out = folder / "scored.csv"
    command = [sys.executable, "-m", "serve", "score", big_file, "--out", out]
    process = subprocess.Popen(
        [*command, "--chunk-size", str(CHUNK_ROWS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_environment(trained),
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _mid_run(folder):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"never caught mid-run: {process.communicate()[1]}")
            time.sleep(0.05)
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=EXIT_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return process.returncode, stderr, out


def _assert_nothing_at_the_output_paths(out: Path) -> None:
    for path in (out, out.with_name(out.name + ".rejects.csv"), summary_path(out)):
        assert not path.exists(), path


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_sigint_and_sigterm_remove_every_partial_file(trained, big_file, tmp_path, signum):
    code, stderr, out = _start_and_stop(trained, big_file, tmp_path / "work", signum)
    assert code == 128 + signum, stderr
    assert stderr.rstrip("\n").splitlines()[-1] == (
        f"stopped by {signal.Signals(signum).name}; partial outputs were removed"
    )
    assert "Traceback" not in stderr
    _assert_nothing_at_the_output_paths(out)
    assert sorted(path.name for path in out.parent.iterdir()) == []


def test_kill_9_leaves_nothing_at_the_output_paths(trained, big_file, tmp_path):
    code, _, out = _start_and_stop(trained, big_file, tmp_path / "work", signal.SIGKILL)
    assert code == -signal.SIGKILL
    _assert_nothing_at_the_output_paths(out)
    assert all(path.name.startswith(".") for path in out.parent.iterdir())
