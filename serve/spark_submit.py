"""The application file to give ``spark-submit``: runs ``divert score --engine spark`` with the
arguments that follow it, in the Spark session that spark-submit configured.

    spark-submit --master yarn \\
        "$(python -c 'import serve.spark_submit as m; print(m.__file__)')" \\
        hdfs:///shipments/2025-06.parquet --out hdfs:///scored/2025-06.parquet

See README.md, "Scoring on a cluster".
"""

from __future__ import annotations

import sys

from serve.cli import main

SCORE_ON_SPARK = ("score", "--engine", "spark")


def submit(arguments: list[str]) -> None:
    """``divert score --engine spark ARGUMENTS`` (exit codes as ``divert``)."""
    sys.argv = [sys.argv[0], *SCORE_ON_SPARK, *arguments]
    main()


if __name__ == "__main__":
    submit(sys.argv[1:])
