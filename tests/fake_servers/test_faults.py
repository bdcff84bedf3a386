"""FaultServer and refused_address(): each fault as a client sees it."""

from __future__ import annotations

import socket
import ssl

import pytest

from fake_servers import FAULTS, End, FakeCA, FaultServer, refused_address

from ._clients import connect, connect_tls, recv_all, recv_exactly


def test_refused_address_refuses_connections() -> None:
    with refused_address() as refused:
        with pytest.raises(ConnectionRefusedError):
            connect(refused.hostport)
        assert refused.connections == []


def test_refuse_fault_holds_its_port() -> None:
    with FaultServer("refuse", ipv6=False) as srv:
        with pytest.raises(ConnectionRefusedError):
            connect(srv.hostport)
        with socket.socket() as other, pytest.raises(OSError):
            other.bind(srv.hostport)


def test_reset_at_once() -> None:
    with FaultServer("reset") as srv:
        # The RST may overtake the client's own connect() call: either is a reset.
        with pytest.raises(ConnectionResetError), connect(srv.hostport) as sock:
            recv_all(sock)
        record = srv.wait_for_connections(1)[0].wait_closed()
    assert record.server_end is End.RST


def test_reset_after_n_bytes_comes_after_the_payload() -> None:
    with FaultServer("reset", payload=b"hello", after=5) as srv:
        with connect(srv.hostport) as sock:
            assert recv_exactly(sock, 5) == b"hello"
            sock.sendall(b"12345")
            with pytest.raises(ConnectionResetError):
                recv_all(sock)
        record = srv.wait_for_connections(1)[0].wait_closed()
    assert record.received == b"12345"
    assert record.server_end is End.RST


def test_close_sends_the_payload_then_fin() -> None:
    with FaultServer("close", payload=b"partial") as srv:
        with connect(srv.hostport) as sock:
            assert recv_all(sock) == b"partial"
        record = srv.wait_for_connections(1)[0].wait_closed()
    assert record.server_end is End.FIN
    assert record.client_end is End.FIN


def test_close_after_n_bytes_waits_for_them() -> None:
    with FaultServer("close", after=3) as srv, connect(srv.hostport) as sock:
        sock.sendall(b"ab")
        srv.wait_for_connections(1)[0].wait_for_received(2)
        sock.sendall(b"c")
        assert recv_all(sock) == b""


def test_silent_server_sends_nothing_but_logs_what_it_hears() -> None:
    with FaultServer("silent") as srv:
        with connect(srv.hostport) as sock:
            sock.sendall(b"anyone there?")
            srv.wait_for_connections(1)[0].wait_for_received(13)
            sock.settimeout(0.2)
            with pytest.raises(TimeoutError):
                sock.recv(1)
        record = srv.connections[0].wait_closed()
    assert record.received == b"anyone there?"
    assert record.sent == b""
    assert record.client_end is End.FIN


def test_drip_sends_one_byte_per_segment() -> None:
    with FaultServer("drip", payload=b"abc", interval=0.05) as srv:
        with connect(srv.hostport) as sock:
            assert sock.recv(100) == b"a", "the first byte comes alone"
            assert b"a" + recv_all(sock) == b"abc"
        record = srv.wait_for_connections(1)[0].wait_closed()
    assert record.sent == b"abc"


def test_never_read_makes_the_clients_writes_back_up() -> None:
    with (
        FaultServer("never_read", payload=b"hi") as srv,
        connect(srv.hostport) as sock,
    ):
        assert recv_exactly(sock, 2) == b"hi"
        sock.settimeout(0.3)
        sent = 0
        with pytest.raises(TimeoutError):
            while sent < 64 * 1024 * 1024:
                sent += sock.send(b"x" * 65536)
        assert sent < 64 * 1024 * 1024, "writes should block long before 64 MiB"
        assert srv.connections[0].bytes_received == 0


def test_fin_then_read_keeps_reading_the_half_open_connection() -> None:
    with FaultServer("fin_then_read", payload=b"done") as srv:
        with connect(srv.hostport) as sock:
            assert recv_all(sock) == b"done"
            sock.sendall(b"still talking")
            srv.wait_for_connections(1)[0].wait_for_received(13)
        record = srv.connections[0].wait_closed()
    assert record.received == b"still talking"
    assert (record.server_end, record.client_end) == (End.FIN, End.FIN)


def test_tls_garbage_fails_the_clients_handshake(ca: FakeCA) -> None:
    with FaultServer("tls_garbage") as srv:
        with pytest.raises(ssl.SSLError):
            connect_tls(srv.hostport, ca.client_context())
        record = srv.wait_for_connections(1)[0].wait_closed()
    assert record.received.startswith(b"\x16\x03"), "a ClientHello was logged"


def test_tls_hangup_fails_the_clients_handshake(ca: FakeCA) -> None:
    with FaultServer("tls_hangup") as srv:
        with pytest.raises((ssl.SSLError, ConnectionError)):
            connect_tls(srv.hostport, ca.client_context())
        srv.wait_for_connections(1)[0].wait_closed()


def test_faults_can_happen_inside_tls(ca: FakeCA) -> None:
    with FaultServer("close", payload=b"inside", tls=True, ca=ca) as srv:
        with connect_tls(srv.hostport, ca.client_context()) as tls:
            assert recv_all(tls) == b"inside"
        record = srv.wait_for_connections(1)[0].wait_closed()
    assert record.sent_after_tls == b"inside"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"fault": "explode"}, "choose one of refuse, reset"),
        ({"fault": "reset", "after": -1}, "after must be >= 0"),
        ({"fault": "drip", "interval": -1}, "interval must be >= 0"),
        ({"fault": "tls_garbage", "tls": True}, "drop tls=True"),
    ],
)
def test_bad_fault_options_are_refused(args: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FaultServer(**args)


def test_every_fault_starts_and_stops() -> None:
    for fault in FAULTS:
        with FaultServer(fault) as srv:
            assert srv.port != 0
