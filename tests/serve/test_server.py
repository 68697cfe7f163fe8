"""The shared listener of a multi-process server gives connections without Nagle's delay."""

from __future__ import annotations

import asyncio
import socket

import pytest

from features.errors import ServerError
from serve.server import tcp_listener


def test_connections_accepted_on_the_shared_listener_have_tcp_nodelay():
    listener = tcp_listener("127.0.0.1", 0)
    port = listener.getsockname()[1]
    seen: list[int] = []

    class Probe(asyncio.Protocol):
        def connection_made(self, transport):
            accepted = transport.get_extra_info("socket")
            seen.append(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    async def accept_one():
        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        async with server:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            for _ in range(100):
                if seen:
                    break
                await asyncio.sleep(0.01)
            writer.close()

    asyncio.run(accept_one())
    assert listener.proto == socket.IPPROTO_TCP
    assert seen == [1]


def test_a_taken_port_is_one_clear_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ServerError, match=f"cannot listen on 127.0.0.1:{port}"):
            tcp_listener("127.0.0.1", port)
