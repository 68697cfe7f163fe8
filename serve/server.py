"""``divert serve``: load one model version and answer HTTP requests with it."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

TOKEN_VARIABLE = "DIVERT_API_TOKEN"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


def run_server(
    model: str, *, host: str, port: int, home: Path, echo: Callable[[str], None]
) -> None:
    """Serve ``model`` until stopped; the token, if any, comes from ``DIVERT_API_TOKEN``.

    Each request is scored with one OpenMP thread and no screening thread: a few rows are
    faster that way, and concurrent requests use the other cores.
    """
    import uvicorn
    from threadpoolctl import threadpool_limits

    from serve.api import create_app
    from serve.service import ScoringService

    threadpool_limits(limits=1, user_api="openmp")
    service = ScoringService.load(model, home)
    token = os.environ.get(TOKEN_VARIABLE) or None
    app = create_app(service, token=token)
    described = service.describe()
    echo(
        f"serving {described['uri']} (threshold {service.threshold:.4f}, "
        f"{service.threshold_source}) at http://{host}:{port}; authentication "
        + (f"on ({TOKEN_VARIABLE})" if token else f"off (set {TOKEN_VARIABLE} to require a token)")
    )
    uvicorn.run(app, host=host, port=port, workers=1, log_level="warning")
