"""What every fake server shares: binding, lifecycle, the log, errors, waits."""

from __future__ import annotations

import asyncio
import socket
import struct
import threading

import pytest

from fake_servers import (
    SERVERS,
    BaseServer,
    EchoServer,
    End,
    FaultServer,
    GopherServer,
    format_address,
)
from fake_servers._server import Conn

from ._clients import connect, recv_all


class _BrokenServer(EchoServer):
    """An echo server with a bug: it divides by zero on the byte b"!"."""

    async def handle(self, conn: Conn) -> None:
        while data := await conn.read():
            if b"!" in data:
                _ = 1 / 0
            await conn.write(data)


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
    except OSError:
        return False
    return True


needs_ipv6 = pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback")


# -- binding --------------------------------------------------------------------


def test_server_binds_loopback_on_a_free_port_and_reports_it() -> None:
    with EchoServer() as srv:
        assert srv.host == "127.0.0.1"
        assert srv.port != 0, "the real port should be read back after binding"
        assert srv.address == f"127.0.0.1:{srv.port}"
        assert srv.hostport == ("127.0.0.1", srv.port)


@needs_ipv6
def test_server_also_listens_on_ipv6_loopback_on_the_same_port() -> None:
    with EchoServer() as srv:
        assert srv.addresses == [f"127.0.0.1:{srv.port}", f"[::1]:{srv.port}"]
        with connect(("::1", srv.port)) as sock:
            sock.sendall(b"six")
            assert sock.recv(3) == b"six"


@needs_ipv6
def test_localhost_means_both_loopbacks() -> None:
    with EchoServer(host="localhost") as srv:
        assert srv.addresses == [f"127.0.0.1:{srv.port}", f"[::1]:{srv.port}"]


def test_ipv6_false_listens_on_ipv4_only() -> None:
    with EchoServer(ipv6=False) as srv:
        assert srv.addresses == [srv.address]


@needs_ipv6
def test_ipv6_host_is_bracketed_in_the_address() -> None:
    with EchoServer(host="::1") as srv:
        assert srv.address == f"[::1]:{srv.port}"
        assert srv.hostport == ("::1", srv.port)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.1", "example.com"])
def test_non_loopback_host_is_refused_with_the_way_out(host: str) -> None:
    with pytest.raises(ValueError, match="allow_non_loopback=True"):
        EchoServer(host=host)


def test_non_loopback_host_is_accepted_when_asked() -> None:
    # Not started: the test suite itself never listens beyond loopback.
    srv = EchoServer(host="0.0.0.0", allow_non_loopback=True)
    assert not srv.running


@pytest.mark.parametrize("port", [-1, 65536, "80"])
def test_bad_port_is_refused(port: object) -> None:
    with pytest.raises(ValueError, match="port must be an int"):
        EchoServer(port=port)  # type: ignore[arg-type]


def test_a_taken_port_raises_at_start() -> None:
    with EchoServer(ipv6=False) as first:
        second = EchoServer(port=first.port, ipv6=False)
        with pytest.raises(OSError):
            second.start()
        assert not second.running


def test_format_address_brackets_ipv6() -> None:
    assert format_address("127.0.0.1", 80) == "127.0.0.1:80"
    assert format_address("::1", 80) == "[::1]:80"


def test_every_server_is_listed_for_the_command_line() -> None:
    assert set(SERVERS) == {
        "echo",
        "gopher",
        "smtp",
        "postgres",
        "starttls-echo",
        "fault",
    }
    assert all(issubclass(cls, BaseServer) for cls in SERVERS.values())


# -- lifecycle ------------------------------------------------------------------


def test_start_and_stop_are_explicit_and_repeatable() -> None:
    srv = EchoServer()
    assert not srv.running
    srv.start()
    try:
        assert srv.running
        with pytest.raises(RuntimeError, match="already running"):
            srv.start()
    finally:
        srv.stop()
    assert not srv.running
    srv.stop()  # A second stop is harmless.

    srv.start()  # And it can serve again.
    try:
        with connect(srv.hostport) as sock:
            sock.sendall(b"again")
            assert sock.recv(5) == b"again"
    finally:
        srv.stop()


def test_stop_refuses_new_connections() -> None:
    with EchoServer(ipv6=False) as srv:
        hostport = srv.hostport
    with pytest.raises(ConnectionRefusedError):
        connect(hostport)


def test_stop_closes_every_open_connection() -> None:
    srv = EchoServer().start()
    try:
        clients = [connect(srv.hostport) for _ in range(3)]
        srv.wait_for_connections(3)
    finally:
        srv.stop()
    for sock in clients:
        with sock:
            assert recv_all(sock) == b"", "stop() should close the connection"
    assert all(record.closed for record in srv.connections)


def test_address_before_start_is_an_error_that_says_what_to_do() -> None:
    with pytest.raises(RuntimeError, match="call start"):
        _ = EchoServer().address


def test_no_thread_is_left_behind() -> None:
    before = threading.active_count()
    with EchoServer():
        assert threading.active_count() == before + 1
    assert threading.active_count() == before


# -- the log --------------------------------------------------------------------


def test_log_records_bytes_each_way_and_a_clean_end() -> None:
    with EchoServer(greeting=b"hi\n") as srv:
        with connect(srv.hostport) as sock:
            sock.sendall(b"ping")
            sock.shutdown(socket.SHUT_WR)
            assert recv_all(sock) == b"hi\nping"
        (record,) = srv.wait_for_connections(1)
        record.wait_closed()

    assert record.received == b"ping"
    assert record.sent == b"hi\nping"
    assert record.received_before_tls == b"ping"
    assert record.received_after_tls == b""
    assert record.bytes_received == 4
    assert record.bytes_sent == 7
    assert record.client_end is End.FIN
    assert record.server_end is End.FIN
    assert record.peer[0] == "127.0.0.1"
    assert not record.tls


def test_log_records_a_client_reset() -> None:
    with EchoServer() as srv:
        sock = connect(srv.hostport)
        sock.sendall(b"bye")
        srv.wait_for_connections(1)[0].wait_for_received(3)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
        record = srv.connections[0].wait_closed()
    assert record.client_end is End.RST


def test_log_shows_a_client_still_open() -> None:
    with FaultServer("close", payload=b"x") as srv, connect(srv.hostport) as sock:
        assert recv_all(sock) == b"x"
        record = srv.wait_for_connections(1)[0]
        assert record.client_end is End.OPEN, "the client has not closed yet"
        assert record.server_end is End.FIN


def test_recording_cap_keeps_counts_exact() -> None:
    with EchoServer(max_recorded_bytes=10) as srv:
        with connect(srv.hostport) as sock:
            sock.sendall(b"x" * 100)
            sock.shutdown(socket.SHUT_WR)
            assert len(recv_all(sock)) == 100
        record = srv.wait_for_connections(1)[0].wait_closed()
    assert record.received == b"x" * 10
    assert record.bytes_received == 100
    assert record.truncated


def test_reset_clears_the_log_and_errors_and_keeps_serving() -> None:
    with _BrokenServer() as srv:
        with connect(srv.hostport) as sock:
            sock.sendall(b"!")
            assert recv_all(sock) == b""
        srv.wait_for_connections(1)[0].wait_closed()
        assert srv.errors

        srv.reset()
        assert srv.connections == []
        assert srv.errors == []
        srv.check()

        with connect(srv.hostport) as sock:
            sock.sendall(b"fine")
            assert sock.recv(4) == b"fine"
        assert srv.wait_for_connections(1)[0].id == 2


# -- failures inside the server -------------------------------------------------


def test_check_reraises_a_failure_inside_the_server() -> None:
    srv = _BrokenServer().start()
    try:
        with connect(srv.hostport) as sock:
            sock.sendall(b"boom!")
            assert recv_all(sock) == b""
        record = srv.wait_for_connections(1)[0].wait_closed()
    finally:
        srv.stop()

    assert isinstance(record.error, ZeroDivisionError)
    with pytest.raises(ZeroDivisionError) as info:
        srv.check()
    assert any("connection 1" in note for note in info.value.__notes__)


def test_exiting_the_with_block_reraises_a_server_failure() -> None:
    with pytest.raises(ZeroDivisionError), _BrokenServer() as srv:
        with connect(srv.hostport) as sock:
            sock.sendall(b"!")
            recv_all(sock)
        srv.wait_idle()


def test_a_failure_in_the_test_is_not_hidden_by_a_server_failure() -> None:
    with pytest.raises(KeyError), _BrokenServer() as srv:
        with connect(srv.hostport) as sock:
            sock.sendall(b"!")
            recv_all(sock)
        raise KeyError("the test's own failure")


def test_a_failing_connection_does_not_stop_the_others() -> None:
    with _BrokenServer() as srv:
        with connect(srv.hostport) as good, connect(srv.hostport) as bad:
            bad.sendall(b"!")
            assert recv_all(bad) == b""
            good.sendall(b"still here")
            assert good.recv(10) == b"still here"
        srv.reset()


# -- waiting --------------------------------------------------------------------


def test_wait_for_connections_times_out_with_a_clear_message() -> None:
    with EchoServer() as srv, pytest.raises(TimeoutError, match="2 connection"):
        srv.wait_for_connections(2, timeout=0.05)


def test_wait_idle_returns_once_every_connection_is_closed() -> None:
    with EchoServer() as srv:
        with connect(srv.hostport):
            srv.wait_for_connections(1)
            with pytest.raises(TimeoutError):
                srv.wait_idle(timeout=0.05)
        srv.wait_idle()
        assert srv.open_connections == 0


# -- other runtimes -------------------------------------------------------------


@pytest.mark.asyncio
async def test_asyncio_clients_are_served_from_the_background_thread() -> None:
    with GopherServer(content={"": "hello"}) as srv:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(*srv.hostport), timeout=5
        )
        writer.write(b"\r\n")
        reply = await asyncio.wait_for(reader.read(), timeout=5)
        writer.close()
        await writer.wait_closed()
    assert reply == b"hello\r\n.\r\n"
