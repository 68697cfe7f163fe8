"""The Spark session the scorer runs in: joined under ``spark-submit``, started otherwise."""

from __future__ import annotations

import os
import re
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from pyspark.sql import SparkSession

APP_NAME = "divert score"
DEFAULT_LOCAL_MASTER = "local[*]"
MASTER_VARIABLE = "SPARK_MASTER"
SUBMITTED_VARIABLE = "PYSPARK_GATEWAY_PORT"
"""Set by ``spark-submit`` for the Python driver it starts."""
WORKER_PYTHON_VARIABLE = "PYSPARK_PYTHON"
PANDAS_SUPPORT_WARNING = "PySpark does not yet fully support pandas >= 3.0.0"


@contextmanager
def quiet_pandas_warning() -> Iterator[None]:
    """Silence pyspark's warning that pandas 3 is not fully supported, which it emits when a
    session starts and when an Arrow UDF is declared. The scorer exchanges Arrow batches and
    converts them with pyarrow itself, never with pyspark's pandas conversions."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=re.escape(PANDAS_SUPPORT_WARNING), category=FutureWarning
        )
        yield


def spark_session(master: str | None) -> tuple[SparkSession, bool]:
    """The running session (under ``spark-submit``, or one a caller started) or a new one,
    and whether it is new (then the caller stops it).

    The master is ``master``, else ``$SPARK_MASTER``, else spark-submit's ``--master``, else
    ``local[*]``. A local master runs the workers with this Python unless
    ``$PYSPARK_PYTHON`` names another.
    """
    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    master = master or os.environ.get(MASTER_VARIABLE)
    submitted = SUBMITTED_VARIABLE in os.environ
    builder = SparkSession.builder.appName(APP_NAME)
    if master or not submitted:
        master = master or DEFAULT_LOCAL_MASTER
        builder = builder.master(master)
        if master.startswith("local"):
            # PySpark starts its workers with $PYSPARK_PYTHON (default: python3 on the PATH,
            # which may lack this package); a local run uses this interpreter.
            os.environ.setdefault(WORKER_PYTHON_VARIABLE, sys.executable)
    interactive = sys.stderr.isatty() and not os.environ.get("CI")
    builder = builder.config("spark.ui.showConsoleProgress", str(interactive).lower())
    with quiet_pandas_warning():
        return builder.getOrCreate(), True
