"""The ``divert`` command line: each command parses options, builds config, calls one function."""

from __future__ import annotations

import os
import signal
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from features.errors import DivertError, ThresholdPolicyError
from serve.options import DEFAULT_MODEL_URI, SCORE_CHUNK_ROWS, Engine
from serve.server import DEFAULT_HOST, DEFAULT_PORT, DEFAULT_WORKERS

app = typer.Typer(
    help="Score export shipments for the likelihood of diversion to Russia.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

DEBUG_VARIABLE = "DIVERT_DEBUG"
EXIT_BAD_INPUT = 1
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Stopped(BaseException):
    """SIGINT or SIGTERM, raised in the main thread so that every open output is dropped on
    the way out (a ``BaseException``, so no ``except Exception`` swallows it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_stopped(signum: int, frame) -> None:
    raise Stopped(signum)


WatchlistOption = Annotated[
    Path | None,
    typer.Option(help="Watchlist: US CSL CSV, OpenSanctions targets.simple.csv or name list."),
]
ColumnMapOption = Annotated[
    Path | None, typer.Option("--column-map", help="TOML column map for a non-canonical file.")
]


DayOption = Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"])]


def _column_map(path: Path | None):
    from features.column_map import ColumnMap, load_column_map

    return load_column_map(path) if path else ColumnMap()


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="Shipment file: CSV, gzip CSV or Parquet.")],
    column_map: ColumnMapOption = None,
    rejects: Annotated[
        Path | None, typer.Option(help="Write rejected rows with line and reason here.")
    ] = None,
) -> None:
    """Check a shipment file against the contract; exit 0 if usable, 1 if not."""
    from features.intake import validate_file
    from serve.reports import render_intake

    report = validate_file(file, _column_map(column_map), rejects_path=rejects)
    typer.echo(render_intake(report))
    if rejects:
        typer.echo(f"rejects written to {rejects}")
    if not report.usable:
        raise typer.Exit(EXIT_BAD_INPUT)


@app.command()
def features(
    file: Annotated[Path, typer.Argument(help="Shipment file: CSV, gzip CSV or Parquet.")],
    out: Annotated[Path, typer.Option(help="Feature file to write (.csv, .csv.gz, .parquet).")],
    column_map: ColumnMapOption = None,
    watchlist: WatchlistOption = None,
    rejects: Annotated[Path | None, typer.Option(help="Write rejected rows here.")] = None,
) -> None:
    """Write the model's feature frame (with shipment_id and line) for analysts and debugging."""
    from serve.feature_file import write_feature_file
    from serve.reports import render_intake

    report = write_feature_file(
        file,
        out,
        column_map=_column_map(column_map),
        watchlist_path=watchlist,
        rejects_path=rejects,
    )
    typer.echo(render_intake(report))
    typer.echo(f"features written to {out}")


@app.command()
def simulate(
    out: Annotated[Path, typer.Option(help="Shipment file to write (.csv, .csv.gz, .parquet).")],
    rows: Annotated[int, typer.Option(min=1, help="Number of shipments.")] = 100_000,
    seed: Annotated[int, typer.Option(help="Random seed; same seed, same history.")] = 0,
    start: DayOption = None,
    end: DayOption = None,
    watchlist_out: Annotated[
        Path | None, typer.Option(help="Also write the synthetic watchlist (US CSL CSV format).")
    ] = None,
    truth_out: Annotated[
        Path | None,
        typer.Option(help="Ground-truth file; default <out stem>.truth.csv beside the output."),
    ] = None,
    outcome_delay_days: Annotated[
        int | None,
        typer.Option(min=0, help="Median days until an inspection outcome is known [120]."),
    ] = None,
    world: Annotated[
        str | None,
        typer.Option(help="Simulated world: default, or shifted (another typology mix)."),
    ] = None,
    observer: Annotated[
        str | None,
        typer.Option(help="Keep what one authority sees: an exporting country (GB, US...) or EU."),
    ] = None,
) -> None:
    """Generate a labelled, realistic shipment history (ground truth in a separate file)."""
    from training.simulator import SimulationConfig
    from training.simulator.files import write_simulation

    dates = {name: day.date() for name, day in (("start", start), ("end", end)) if day}
    given = {"outcome_delay_days": outcome_delay_days, "world": world, "observer": observer}
    options = dates | {name: value for name, value in given.items() if value is not None}
    config = SimulationConfig(rows=rows, seed=seed, **options)
    written = write_simulation(config, out, truth_path=truth_out, watchlist_path=watchlist_out)
    for role, path in written.items():
        typer.echo(f"{role:<10} {path}")


@app.command()
def train(
    data: Annotated[Path, typer.Option(help="Labelled shipment history (diverted = 0/1/empty).")],
    column_map: ColumnMapOption = None,
    watchlist: WatchlistOption = None,
    truth: Annotated[
        Path | None, typer.Option(help="Simulator ground truth: evaluate against it.")
    ] = None,
    cutoff: DayOption = None,
    valid_months: Annotated[
        int | None, typer.Option(min=1, help="Holdout = the last K months (default 6).")
    ] = None,
    model_name: Annotated[str, typer.Option(help="Registered model name.")] = "diversion-detector",
    experiment: Annotated[str, typer.Option(help="MLflow experiment.")] = "diversion-detector",
    promote: Annotated[
        bool,
        typer.Option(
            "--promote", help="Make it champion if at least as good as the champion and the rules."
        ),
    ] = False,
    force_promote: Annotated[
        bool,
        typer.Option(
            "--force-promote",
            help="With --promote: promote even if it loses to the red-flag rules.",
        ),
    ] = False,
    label_treatment: Annotated[
        str,
        typer.Option(
            help="How unlabelled rows enter training: auto (chosen from the data), inspected "
            "(inspected rows, weighted), unlabelled_negative."
        ),
    ] = "auto",
    outcome_delay_days: Annotated[
        int,
        typer.Option(
            min=0,
            help="Days from shipment until an outcome is known, where the file has no "
            "outcome_date (history features count it only from then).",
        ),
    ] = 0,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
) -> None:
    """Retrain on labelled history: time split, fit, evaluate, log to MLflow, register."""
    from serve.settings import Settings
    from serve.training_report import render_training
    from training.labels import TREATMENTS
    from training.run import TrainingConfig, run_training
    from training.steps import Steps

    if cutoff and valid_months:
        raise typer.BadParameter("give --cutoff or --valid-months, not both")
    if label_treatment not in TREATMENTS:
        raise typer.BadParameter(
            f"--label-treatment must be one of {', '.join(TREATMENTS)}, not {label_treatment!r}"
        )
    if force_promote and not promote:
        raise typer.BadParameter("--force-promote only applies with --promote")
    from models.tracking import open_store

    config = TrainingConfig(
        data=data,
        column_map=_column_map(column_map),
        watchlist=watchlist,
        truth=truth,
        cutoff=cutoff.date() if cutoff else None,
        valid_months=valid_months,
        model_name=model_name,
        experiment=experiment,
        promote=promote,
        force_promote=force_promote,
        treatment=label_treatment,
        outcome_delay_days=outcome_delay_days,
        seed=seed,
    )
    store = open_store(Settings.from_environment().home)
    typer.echo("training steps:", err=True)
    steps = Steps(lambda line: typer.echo(line, err=True), live=sys.stderr.isatty())
    typer.echo(render_training(run_training(config, store, steps), config, store))


@app.command()
def score(
    file: Annotated[
        str,
        typer.Argument(help="Shipment file: CSV, gzip CSV or Parquet (spark: also a folder/URI)."),
    ],
    out: Annotated[
        str, typer.Option(help="Scored file: every input column plus scores (spark: a folder).")
    ],
    model: Annotated[
        str | None, typer.Option(help="Registry URI; default models:/diversion-detector@champion.")
    ] = None,
    rejects: Annotated[
        str | None, typer.Option(help="Rejected rows; default <out>.rejects.csv.")
    ] = None,
    threshold: Annotated[
        float | None, typer.Option(min=0.0, max=1.0, help="Alert threshold for this run only.")
    ] = None,
    column_map: ColumnMapOption = None,
    watchlist: WatchlistOption = None,
    output_format: Annotated[
        str | None, typer.Option("--format", help="csv, csv.gz or parquet (default: by suffix).")
    ] = None,
    chunk_size: Annotated[
        int, typer.Option(min=1, help="Rows per chunk (pandas).")
    ] = SCORE_CHUNK_ROWS,
    workers: Annotated[
        int, typer.Option(min=1, help="Processes scoring chunks in parallel (pandas).")
    ] = 1,
    engine: Annotated[
        Engine, typer.Option(help="pandas: stream on this machine; spark: run on Spark.")
    ] = Engine.PANDAS,
    spark_master: Annotated[
        str | None,
        typer.Option(help="Spark master; default $SPARK_MASTER, spark-submit's, or local[*]."),
    ] = None,
) -> None:
    """Score every shipment of a file: diversion_score, alert, risk_rank and reasons."""
    from serve.scoring import ScoreRequest, run_score
    from serve.settings import Settings

    request = ScoreRequest(
        path=file,
        out=out,
        rejects=rejects or "",
        model=model or DEFAULT_MODEL_URI,
        column_map=_column_map(column_map),
        threshold=threshold,
        watchlist=watchlist,
        file_format=output_format,
        engine=engine,
        chunk_rows=chunk_size,
        workers=workers,
        spark_master=spark_master,
    )
    run_score(request, Settings.from_environment(), echo=lambda text: typer.echo(text, err=True))


@app.command()
def threshold(
    model: Annotated[
        str | None, typer.Option(help="Registry URI; default models:/diversion-detector@champion.")
    ] = None,
    alert_rate: Annotated[
        float | None, typer.Option(help="Alert at most this share of shipments, e.g. 0.01.")
    ] = None,
    alerts_per_week: Annotated[
        float | None, typer.Option(help="Alert at most N shipments a week (holdout volume).")
    ] = None,
    min_precision: Annotated[
        float | None, typer.Option(help="Lowest threshold with at least this precision.")
    ] = None,
    min_recall: Annotated[
        float | None, typer.Option(help="Highest threshold with at least this recall.")
    ] = None,
    cost_ratio: Annotated[
        float | None,
        typer.Option(help="Lowest expected cost; C = cost of a missed diversion / inspection."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the decision, record nothing.")
    ] = False,
) -> None:
    """Choose a model version's alert threshold on its holdout and record it in the registry."""
    from serve.threshold import policy_from_options, run_threshold

    options = {
        "alert_rate": alert_rate,
        "alerts_per_week": alerts_per_week,
        "min_precision": min_precision,
        "min_recall": min_recall,
        "cost_ratio": cost_ratio,
    }
    try:
        policy = policy_from_options(options)
    except ThresholdPolicyError as error:
        raise typer.BadParameter(str(error)) from error
    run_threshold(model, policy, dry_run=dry_run, echo=typer.echo)


@app.command()
def serve(
    model: Annotated[
        str, typer.Option(help="Registry URI, e.g. models:/diversion-detector@champion.")
    ] = DEFAULT_MODEL_URI,
    host: Annotated[
        str, typer.Option(help="Interface to bind; 0.0.0.0 exposes it.")
    ] = DEFAULT_HOST,
    port: Annotated[int, typer.Option(min=1, max=65535)] = DEFAULT_PORT,
    workers: Annotated[
        int, typer.Option(min=1, help="Server processes, each with its own copy of the model.")
    ] = DEFAULT_WORKERS,
) -> None:
    """Answer HTTP scoring requests with one model version (token from DIVERT_API_TOKEN)."""
    from serve.server import run_server
    from serve.settings import Settings

    home = Settings.from_environment().home
    run_server(model, host=host, port=port, home=home, echo=typer.echo, workers=workers)


@app.command()
def demo() -> None:
    """Run the main job end to end on the embedded default: simulate, train, promote, score."""
    from serve.demo import run_demo
    from serve.settings import Settings

    run_demo(Settings.from_environment(), echo=typer.echo)


def main() -> None:
    """Console entry point: user errors become one message and exit 1, never a traceback;
    SIGINT and SIGTERM unwind cleanly, leaving no partial output behind."""
    for stop_signal in STOP_SIGNALS:
        signal.signal(stop_signal, _raise_stopped)
    try:
        app()
    except DivertError as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except Stopped as stop:
        typer.echo(f"stopped by {stop}; partial outputs were removed", err=True)
        sys.exit(128 + stop.signum)
    except Exception as error:
        if os.environ.get(DEBUG_VARIABLE):
            raise
        stamp = datetime.now().isoformat(timespec="seconds")
        typer.echo(
            f"error: unexpected {type(error).__name__}: {error} ({stamp}); "
            f"rerun with {DEBUG_VARIABLE}=1 to see the traceback and please report it",
            err=True,
        )
        sys.exit(EXIT_BAD_INPUT)
