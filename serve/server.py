"""``divert serve``: load one model version and answer HTTP requests with it."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path

from features.errors import ServerError

TOKEN_VARIABLE = "DIVERT_API_TOKEN"
MODEL_VARIABLE = "DIVERT_SERVE_MODEL"
"""How the parent tells worker processes which model to load (``DIVERT_HOME``: where)."""
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
LOG_LEVEL = "warning"
DEFAULT_WORKERS = 1
"""On the 2-core machine it was measured on, one process answers concurrent requests fastest:
it scores them together (``serve.batching``) and keeps the second core for the HTTP work.
More processes pay off on machines with more cores."""


def run_server(
    model: str,
    *,
    host: str,
    port: int,
    home: Path,
    echo: Callable[[str], None],
    workers: int = DEFAULT_WORKERS,
) -> None:
    """Serve ``model`` until stopped; the token, if any, comes from ``DIVERT_API_TOKEN``.

    The model is loaded here first, so that a bad URI or contract is one clear message before
    anything listens. With more than one worker, each worker process loads it again and
    uvicorn shares the port between them. Each request is scored with one OpenMP thread and
    no screening thread: a few rows are faster that way, and concurrent requests use the other
    cores.
    """
    import uvicorn

    from serve.settings import HOME_VARIABLE

    service = _load_service(model, home)
    token = os.environ.get(TOKEN_VARIABLE) or None
    described = service.describe()
    echo(
        f"serving {described['uri']} (threshold {service.threshold:.4f}, "
        f"{service.threshold_source}) at http://{host}:{port} with {workers} worker(s); "
        "authentication "
        + (f"on ({TOKEN_VARIABLE})" if token else f"off (set {TOKEN_VARIABLE} to require a token)")
    )
    if workers == 1:
        from serve.api import create_app

        uvicorn.run(create_app(service, token=token), host=host, port=port, log_level=LOG_LEVEL)
        return
    del service
    os.environ[MODEL_VARIABLE] = model
    os.environ[HOME_VARIABLE] = str(home)
    _serve_in_processes(host, port, workers)


def _serve_in_processes(host: str, port: int, workers: int) -> None:
    from uvicorn import Config
    from uvicorn.supervisors import Multiprocess

    config = Config("serve.server:worker_app", factory=True, workers=workers, log_level=LOG_LEVEL)
    Multiprocess(config, sockets=[tcp_listener(host, port)]).run()


def tcp_listener(host: str, port: int) -> socket.socket:
    """A listening socket for worker processes to share, created as TCP (``IPPROTO_TCP``).

    uvicorn 0.54 binds its own with protocol 0; asyncio then never disables Nagle's algorithm
    on the accepted connections, and every keep-alive response waits about 40 ms for the
    client's delayed ACK (uvicorn issue #3149). Measured here: 56 ms instead of 13 ms for a
    single-shipment request.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as error:
        listener.close()
        raise ServerError(f"cannot listen on {host}:{port}: {error.strerror}") from error
    listener.set_inheritable(True)
    return listener


def worker_app():
    """The application of one worker process (uvicorn calls this factory in each), configured
    by ``run_server`` through the environment."""
    from serve.api import create_app
    from serve.settings import HOME_VARIABLE

    service = _load_service(os.environ[MODEL_VARIABLE], Path(os.environ[HOME_VARIABLE]))
    return create_app(service, token=os.environ.get(TOKEN_VARIABLE) or None)


def _load_service(model: str, home: Path):
    from threadpoolctl import threadpool_limits

    from serve.service import ScoringService

    service = ScoringService.load(model, home)
    threadpool_limits(limits=1, user_api="openmp")
    return service
