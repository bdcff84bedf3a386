"""connect(), opened, SocketInfo and data round trips over real loopback TCP."""

from __future__ import annotations

import asyncio
import errno
import gc
import socket
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reference_impl import (
    ReadResult,
    Socket,
    SocketAddress,
    SocketError,
    SocketInfo,
    SocketOptions,
    connect,
)

from .conftest import bounded, echo, read_all, read_exactly


def unused_port() -> int:
    """A loopback port with no listener (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_connect_returns_a_pending_socket_at_once(serve):
    peer = await serve(echo)

    sock = connect(peer.address)

    assert isinstance(sock, Socket)
    assert not sock.opened.done(), "opened should still be pending on return"
    assert not sock.closed.done()
    assert sock.upgraded is False
    assert sock.secure_transport == "off"
    assert sock.readable is sock.readable and sock.writable is sock.writable
    assert sock.opened is sock.opened and sock.closed is sock.closed
    await bounded(sock.opened)
    await sock.close()


async def test_opened_resolves_with_socket_info(serve):
    peer = await serve(echo)

    sock = connect(peer.address)
    info = await bounded(sock.opened)

    assert isinstance(info, SocketInfo)
    assert info.remote_address == peer.address
    host, _, port = info.local_address.rpartition(":")
    assert host == "127.0.0.1" and port.isdigit()
    assert info.alpn is None, "plain TCP negotiates no ALPN"
    await sock.close()


def test_connect_without_a_running_loop_says_what_to_do():
    with pytest.raises(RuntimeError, match="running asyncio event loop"):
        connect("127.0.0.1:80")


async def test_writes_issued_before_opened_are_sent_once_open(serve):
    peer = await serve(echo)
    sock = connect(peer.address)
    writer = sock.writable.get_writer()

    first = writer.write(b"queued ")
    second = writer.write(bytearray(b"before open"))
    assert not sock.opened.done()
    await bounded(asyncio.gather(first, second))

    reader = sock.readable.get_reader()
    assert await read_exactly(reader, 18) == b"queued before open"
    await sock.close()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(chunks=st.lists(st.binary(min_size=0, max_size=70_000), min_size=1, max_size=8))
async def test_arbitrary_binary_data_round_trips_intact(serve, chunks):
    peer = await serve(echo)
    sock = connect(peer.address)
    writer = sock.writable.get_writer()
    reader = sock.readable.get_reader()

    async def send():
        for chunk in chunks:
            await writer.write(chunk)
        await writer.close()

    sending = asyncio.ensure_future(send())
    received = await read_all(reader)
    await bounded(sending)

    assert received == b"".join(chunks)
    await sock.close()


async def test_refused_connection_rejects_opened_and_closed_with_one_error():
    sock = connect(f"127.0.0.1:{unused_port()}")
    writer = sock.writable.get_writer()
    reader = sock.readable.get_reader()

    with pytest.raises(SocketError) as opened_error:
        await bounded(sock.opened)
    with pytest.raises(SocketError) as closed_error:
        await bounded(sock.closed)

    error = opened_error.value
    assert closed_error.value is error, "opened and closed must share one error"
    assert isinstance(error, TypeError) and isinstance(error, OSError)
    assert str(error).startswith("SocketError: connection refused")
    assert error.errno == errno.ECONNREFUSED
    assert await bounded(reader.read()) == ReadResult(None, True)
    with pytest.raises(SocketError) as write_error:
        await bounded(writer.write(b"x"))
    assert write_error.value is error
    with pytest.raises(SocketError):
        await bounded(writer.closed)


async def test_unobserved_failed_connection_reports_nothing():
    loop = asyncio.get_running_loop()
    reports = []
    loop.set_exception_handler(lambda _, context: reports.append(context))
    try:
        sock = connect(f"127.0.0.1:{unused_port()}")
        await asyncio.wait([sock.closed], timeout=5)
        assert sock.closed.done()
        del sock
        gc.collect()
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(None)
    assert reports == [], f"a marked-as-handled failure was reported: {reports}"


async def test_unknown_host_fails_through_opened():
    sock = connect("no-such-host.invalid:80")

    with pytest.raises(SocketError, match=r"^SocketError: .*no-such-host\.invalid"):
        await bounded(sock.opened, 30)


@pytest.mark.parametrize(
    "make_address",
    [
        pytest.param(lambda port: f"127.0.0.1:{port}", id="string"),
        pytest.param(lambda port: f"localhost:{port}", id="name"),
        pytest.param(lambda port: SocketAddress("127.0.0.1", port), id="dataclass"),
        pytest.param(lambda port: {"hostname": "127.0.0.1", "port": port}, id="dict"),
        pytest.param(
            lambda port: {"hostname": "127.0.0.1", "port": str(port)}, id="dict-str"
        ),
        pytest.param(lambda port: urlsplit(f"tcp://127.0.0.1:{port}"), id="url"),
    ],
)
async def test_every_address_form_connects(serve, make_address):
    peer = await serve(echo)

    sock = connect(make_address(peer.port))

    info = await bounded(sock.opened)
    assert info.remote_address == peer.address
    await sock.close()


async def test_bracketed_ipv6_connects(serve):
    try:
        peer = await serve(echo, host="::1")
    except OSError:
        pytest.skip("this machine has no IPv6 loopback")

    for address in (peer.address, {"hostname": "::1", "port": peer.port}):
        sock = connect(address)
        info = await bounded(sock.opened)
        assert info.remote_address == f"[::1]:{peer.port}"
        await sock.close()


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("", "expected 'hostname:port'"),
        ("example.com", "expected 'hostname:port'"),
        (":443", "the hostname is empty"),
        ("host:80abc", "the port must be a number"),
        ("host:", "the port must be a number"),
        ("exa mple.com:80", "not a valid hostname"),
        ("host:65536", "from 1 to 65535"),
        ("host:0", "from 1 to 65535"),
        ("host:-1", "the port must be a number"),
        ("host:443:80", "IPv6 address in brackets"),
        ("::1:8080", "IPv6 address in brackets"),
        ("[::1:8080", "'[::1]:port'"),
        ("tcp://host:80", "URL schemes are not supported"),
        ("user@host:80", "not a valid hostname"),
        ("-host:80", "not a valid hostname"),
        ("a" * 300 + ":80", "longer than 253"),
        ({"hostname": "h"}, "needs both a hostname and a port"),
        ({"port": 80}, "needs both a hostname and a port"),
        ({"hostname": "h", "port": 70000}, "from 1 to 65535"),
        ({"hostname": "h", "port": True}, "must be an integer"),
        ({"hostname": "h", "port": 80.5}, "must be an integer"),
        ({"hostname": 7, "port": 80}, "hostname must be a string"),
    ],
)
def test_malformed_address_raises_socket_error_quoting_it(address, message):
    with pytest.raises(SocketError, match="^SocketError: .*" + _escape(message)):
        connect(address)


def _escape(text: str) -> str:
    import re

    return re.escape(text)


@pytest.mark.parametrize("address", [None, 443, 4.5, b"host:80", ["host", 80]])
def test_address_of_a_wrong_type_raises_type_error(address):
    with pytest.raises(TypeError, match="address must be"):
        connect(address)


@given(port=st.integers())
def test_any_integer_port_is_accepted_only_in_range(port):
    address = {"hostname": "127.0.0.1", "port": port}
    if 1 <= port <= 65535:
        from reference_impl._options import parse_address

        assert parse_address(address).port == port
    else:
        with pytest.raises(SocketError, match=str(port)):
            connect(address)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"secureTransport": "ON"}, "one of off, on, starttls; got 'ON'"),
        ({"secureTransport": ""}, "got ''"),
        ({"secureTransport": True}, "got True"),
        ({"secure_transport": "tls"}, "got 'tls'"),
        ({"secureTransport": "on", "secure_transport": "on"}, "given twice"),
        ({"alpn": "h2"}, "list of protocol names"),
        ({"alpn": [""]}, "1 to 255 bytes"),
        ({"alpn": ["x" * 256]}, "1 to 255 bytes"),
        ({"sni": ""}, "non-empty host name"),
        ({"sni": 5}, "non-empty host name"),
        ("on", "options must be a mapping"),
        (5, "options must be a mapping"),
    ],
)
def test_invalid_options_raise_type_error_naming_the_value(options, message):
    with pytest.raises(TypeError, match=_escape(message)):
        connect("127.0.0.1:80", options)


async def test_unknown_and_none_options_mean_defaults(serve):
    peer = await serve(echo)

    sock = connect(
        peer.address,
        {"secureTransport": None, "allowHalfOpen": None, "someFutureOption": 1},
    )

    assert sock.secure_transport == "off"
    assert sock._options == SocketOptions()
    await bounded(sock.opened)
    await sock.close()


def test_socket_options_accepts_snake_case_and_converts_half_open():
    options = SocketOptions(secure_transport="starttls", allow_half_open=1)

    assert options.allow_half_open is True
    assert options.alpn == ()
    with pytest.raises(TypeError, match="secureTransport must be one of"):
        SocketOptions(secure_transport="yes")
