"""Peers for the reference implementation's own tests.

Each peer is a real asyncio server on 127.0.0.1, port 0, in the test's own
event loop, driven by a handler the test writes; TLS comes from a trustme CA
made in memory.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import struct
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import pytest_asyncio
import trustme

from conformance._support import bounded, read_exactly
from conformance._support import read_to_end as read_all
from reference_impl import Connector

__all__ = ["bounded", "read_all", "read_exactly"]

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def still_pending(future: asyncio.Future[Any], seconds: float = 0.2) -> bool:
    """A bounded (heuristic) check that ``future`` has not settled."""
    try:
        await asyncio.wait_for(asyncio.shield(future), seconds)
    except TimeoutError:
        return True
    except BaseException:
        return False
    return False


def reset(writer: asyncio.StreamWriter) -> None:
    """Close the connection with an RST (SO_LINGER 0)."""
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class Peer:
    """A server whose connections run ``handler``; failures are re-raised."""

    def __init__(self, handler: Handler, ssl_context: ssl.SSLContext | None = None):
        self.handler = handler
        self.ssl_context = ssl_context
        self.errors: list[BaseException] = []
        self.accepted = 0
        self.server: asyncio.Server | None = None
        self.handlers: set[asyncio.Task[None]] = set()
        self.host = "127.0.0.1"

    async def start(self, host: str = "127.0.0.1") -> Peer:
        self.host = host
        self.server = await asyncio.start_server(
            self._serve, host, 0, ssl=self.ssl_context
        )
        return self

    @property
    def port(self) -> int:
        return self.server.sockets[0].getsockname()[1]

    @property
    def address(self) -> str:
        return (
            f"[{self.host}]:{self.port}"
            if ":" in self.host
            else (f"{self.host}:{self.port}")
        )

    async def _serve(self, reader, writer) -> None:
        self.accepted += 1
        task = asyncio.current_task()
        self.handlers.add(task)
        task.add_done_callback(self.handlers.discard)
        try:
            await self.handler(reader, writer)
        except (ConnectionError, ssl.SSLError):
            pass
        except asyncio.CancelledError:
            raise
        except BaseException as error:
            self.errors.append(error)
        finally:
            writer.close()

    async def stop(self) -> None:
        """Stop listening, end every handler still running, re-raise failures."""
        self.server.close()
        for task in self.handlers:
            task.cancel()
        await asyncio.gather(*self.handlers, return_exceptions=True)
        await self.server.wait_closed()
        if self.errors:
            raise self.errors[0]


@pytest_asyncio.fixture
async def serve():
    """Start peers with ``await serve(handler, ssl=...)``; stopped after the test."""
    peers: list[Peer] = []

    async def start(
        handler: Handler, ssl: ssl.SSLContext | None = None, host: str = "127.0.0.1"
    ) -> Peer:
        peer = await Peer(handler, ssl).start(host)
        peers.append(peer)
        return peer

    yield start
    for peer in peers:
        await peer.stop()


async def never_read(reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
    """Accept and read nothing until the peer stops: the client's writes back up."""
    await asyncio.get_running_loop().create_future()


async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Echo everything; answer the client's FIN with a FIN."""
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()
    if writer.can_write_eof():
        writer.write_eof()
    else:
        writer.close()


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def server_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1", "::1").configure_cert(context)
    return context


@pytest.fixture
def connector(ca: trustme.CA) -> Connector:
    return Connector(cadata=ca.cert_pem.bytes())
