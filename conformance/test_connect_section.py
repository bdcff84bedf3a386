"""#connect-section: connect() returns a pending socket that opens or fails."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fake_servers

from ._support import bounded, read_to_end, settled_error

# Marked explicitly so the suite also runs in pytest-asyncio's strict mode.
pytestmark = [pytest.mark.asyncio, pytest.mark.spec_anchor("#connect-section")]


@pytest.mark.requirement("CONNECT-1", "CONNECT-5")
async def test_connect_returns_the_socket_before_it_is_open(
    sockets_connect, echo_server
):
    sock = sockets_connect(echo_server.address)

    assert not sock.opened.done(), "opened should be pending when connect() returns"
    await bounded(sock.opened)
    await bounded(sock.close())


@pytest.mark.requirement("CONNECT-2", "IDL-1", "IDL-3")
async def test_every_attribute_exists_at_once_and_keeps_its_identity(
    sockets_connect, echo_server
):
    sock = sockets_connect(echo_server.address)

    for name in ("readable", "writable", "opened", "closed"):
        assert getattr(sock, name) is getattr(sock, name), f"{name} changed identity"
    assert sock.upgraded is False
    await bounded(sock.opened)
    await bounded(sock.close())


@pytest.mark.requirement("CONNECT-7", "SOCKET-OPENED-3", "INFO-2", "INFO-3")
async def test_opened_resolves_with_socket_info_once_connected(
    sockets_connect, echo_server
):
    sock = sockets_connect(echo_server.address)

    info = await bounded(sock.opened)

    host, _, port = info.remote_address.rpartition(":")
    assert host and port.isdigit(), f"remote_address {info.remote_address!r}"
    assert info.local_address is None or ":" in info.local_address
    await bounded(sock.close())


@pytest.mark.requirement("CONNECT-8", "SOCKET-OPENED-5", "SOCKET-CLOSED-4", "ERR-6")
async def test_failed_connection_rejects_opened_and_closed_with_one_socket_error(
    sockets_connect,
):
    with fake_servers.refused_address() as refused:
        sock = sockets_connect(refused.address)

        opened_error = await settled_error(sock.opened)
        closed_error = await settled_error(sock.closed)

    assert opened_error is closed_error, "opened and closed must share one error"
    assert isinstance(opened_error, TypeError), "a SocketError is a TypeError"


@pytest.mark.requirement("ERR-2")
@pytest.mark.optional
async def test_socket_error_message_starts_with_the_prefix(sockets_connect):
    with fake_servers.refused_address() as refused:
        sock = sockets_connect(refused.address)
        error = await settled_error(sock.opened)

    assert str(error).startswith("SocketError: "), f"message was {str(error)!r}"


@pytest.mark.requirement("CONNECT-8")
async def test_failed_connection_ends_the_readable_and_errors_the_writable(
    sockets_connect,
):
    with fake_servers.refused_address() as refused:
        sock = sockets_connect(refused.address)
        reader = sock.readable.get_reader()
        writer = sock.writable.get_writer()
        error = await settled_error(sock.closed)

    result = await bounded(reader.read())
    assert result.done, "a cancelled readable reads done"
    assert await settled_error(writer.write(b"x")) is error


@pytest.mark.requirement("CONNECT-9", "SOCKET-WRITABLE-1", "SOCKET-READABLE-1")
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(payload=st.binary(min_size=1, max_size=100_000))
async def test_bytes_written_before_and_after_opening_come_back_intact(
    sockets_connect, echo_server, payload
):
    sock = sockets_connect(echo_server.address)
    writer = sock.writable.get_writer()
    reader = sock.readable.get_reader()
    half = len(payload) // 2

    early = writer.write(payload[:half])
    await bounded(sock.opened)
    await bounded(early)
    await bounded(writer.write(payload[half:]))
    # The echo server answers the client's FIN with its own once it has echoed
    # everything, so reading to the end sees exactly what arrived.
    await bounded(writer.close())

    assert await read_to_end(reader) == payload
    await bounded(sock.close())
