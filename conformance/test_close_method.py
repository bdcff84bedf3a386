"""#close-method: close() closes the socket and returns the closed promise."""

from __future__ import annotations

import pytest

from ._support import bounded, settled_error

# Marked explicitly so the suite also runs in pytest-asyncio's strict mode.
pytestmark = [pytest.mark.asyncio, pytest.mark.spec_anchor("#close-method")]


@pytest.mark.requirement("CLOSE-2")
async def test_close_returns_the_closed_promise(sockets_connect, echo_server):
    sock = sockets_connect(echo_server.address)
    await bounded(sock.opened)

    assert sock.close() is sock.closed
    await bounded(sock.closed)


@pytest.mark.requirement("CLOSE-6", "SOCKET-CLOSED-1")
async def test_close_resolves_closed(sockets_connect, echo_server):
    sock = sockets_connect(echo_server.address)
    await bounded(sock.opened)

    assert await bounded(sock.close()) is None


@pytest.mark.requirement("CLOSE-5", "SOCKET-OPENED-6", "CLOSE-10")
async def test_close_while_connecting_rejects_opened_with_the_reason(
    sockets_connect,
):
    # close() runs before the attempt can settle; 192.0.2.1 is TEST-NET-1
    # (RFC 5737), which nothing answers, so no real peer is involved.
    sock = sockets_connect("192.0.2.1:9")
    reason = RuntimeError("closed by the test")

    closed = sock.close(reason)

    assert await settled_error(sock.opened) is reason
    assert await bounded(closed) is None


@pytest.mark.requirement("CLOSE-4")
async def test_close_reason_reaches_the_writer(sockets_connect, echo_server):
    sock = sockets_connect(echo_server.address)
    writer = sock.writable.get_writer()
    reader = sock.readable.get_reader()
    await bounded(sock.opened)
    reason = ValueError("the reason")

    await bounded(sock.close(reason))

    assert await settled_error(writer.closed) is reason
    assert (await bounded(reader.read())).done
