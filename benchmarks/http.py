"""Latency benchmark of `divert serve`: single-shipment requests from concurrent clients.

Trains a small model into a fresh embedded store (a child ``divert train``), starts
``divert serve`` on loopback, warms it up, then runs a bounded closed-loop load: each client
holds one keep-alive connection and sends its share of single-shipment requests one after
another. Reports p50, p99 and throughput for 1 client and for ``--clients`` clients, for each
``--workers`` count (the default server first), side by side in one run.

    python -m benchmarks.http --clients 8 --requests 800 --workers 1 2

Target (issue 7): p99 <= 50 ms at 8 concurrent clients on this machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.common import simulate_in_child, train_in_child
from serve.api import json_records

WARM_UP_REQUESTS = 30
TARGET_P99_MS = 50.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(environment: dict[str, str], workers: int = 1) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "serve", "serve", "--port", str(port), "--workers", str(workers)],
        env=environment,
        stdout=subprocess.DEVNULL,
    )
    for _ in range(600):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/v1/health")
            if connection.getresponse().status == 200:
                return server, port
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("divert serve did not start")


def client(port: int, bodies: list[bytes], latencies: list[float]) -> None:
    """Send ``bodies`` one after another on one connection, appending each latency (s)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json"}
    for body in bodies:
        started = time.perf_counter()
        connection.request("POST", "/v1/score", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        latencies.append(time.perf_counter() - started)
        if response.status != 200:
            raise SystemExit(f"request failed with HTTP {response.status}")
    connection.close()


def load(port: int, bodies: list[bytes], clients: int) -> tuple[np.ndarray, float]:
    """Latencies (ms) and requests per second of ``clients`` closed-loop clients."""
    latencies: list[float] = []
    threads = [
        threading.Thread(target=client, args=(port, bodies[index::clients], latencies))
        for index in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return np.array(latencies) * 1000, len(latencies) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=800)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        environment = train_in_child(folder)
        environment.pop("DIVERT_API_TOKEN", None)
        (folder / "requests").mkdir()
        rows_path, _, _ = simulate_in_child(options.requests, 2, folder / "requests")
        rows = pd.read_csv(rows_path, dtype="str", keep_default_na=False)
        bodies = [json.dumps([record]).encode() for record in json_records(rows)]
        print(f"{len(bodies)} single-shipment requests per run; cpu count {os.cpu_count()}")
        verdicts = [
            measure(environment, bodies, workers, options.clients) for workers in options.workers
        ]
    for line in verdicts:
        print(line)


def measure(environment: dict[str, str], bodies: list[bytes], workers: int, clients: int) -> str:
    """Run the loads against a server of ``workers`` processes; return the verdict line."""
    server, port = start_server(environment, workers)
    try:
        load(port, bodies[:WARM_UP_REQUESTS], 1)
        for count in sorted({1, clients}):
            latencies, throughput = load(port, bodies, count)
            p50, p99 = np.percentile(latencies, [50, 99])
            print(
                f"{workers} worker(s), {count} client(s): p50 {p50:6.1f} ms   "
                f"p99 {p99:6.1f} ms   {throughput:6.1f} requests/s",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    verdict = "met" if p99 <= TARGET_P99_MS else "NOT met"
    return (
        f"p99 at {clients} clients, {workers} worker(s): {p99:.1f} ms "
        f"(target <= {TARGET_P99_MS:g} ms: {verdict})"
    )


if __name__ == "__main__":
    main()
