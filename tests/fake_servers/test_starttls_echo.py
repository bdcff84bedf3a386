"""StartTlsEchoServer: plaintext line echo, then TLS echo after STARTTLS."""

from __future__ import annotations

import contextlib
import socket

from fake_servers import End, FakeCA, StartTlsEchoServer

from ._clients import connect, recv_all, recv_exactly, recv_until


def test_echo_upgrades_on_the_starttls_line(ca: FakeCA) -> None:
    with StartTlsEchoServer(ca=ca) as srv:
        with connect(srv.hostport) as sock:
            sock.sendall(b"hello\r\n")
            assert recv_until(sock, b"\r\n") == b"hello\r\n"
            sock.sendall(b"STARTTLS\r\n")
            assert recv_until(sock, b"\r\n") == b"STARTTLS\r\n"
            with ca.client_context().wrap_socket(
                sock, server_hostname="localhost"
            ) as tls:
                tls.sendall(b"secret bytes")
                assert recv_exactly(tls, 12) == b"secret bytes"
        record = srv.wait_for_connections(1)[0].wait_closed()

    assert record.received_before_tls == b"hello\r\nSTARTTLS\r\n"
    assert record.received_after_tls == b"secret bytes"
    assert record.sent_after_tls == b"secret bytes"
    assert record.commands_before_tls == ["STARTTLS"]
    assert record.events_named("line") == ["hello"]
    assert record.client_end is End.FIN


def test_without_starttls_it_is_a_plain_line_echo(ca: FakeCA) -> None:
    with StartTlsEchoServer(ca=ca) as srv, connect(srv.hostport) as sock:
        sock.sendall(b"one\ntwo\nthree")
        sock.shutdown(socket.SHUT_WR)
        assert recv_all(sock) == b"one\ntwo\nthree"


def test_an_over_long_line_is_echoed_in_pieces(ca: FakeCA) -> None:
    with StartTlsEchoServer(ca=ca, max_line=16) as srv, connect(srv.hostport) as s:
        s.sendall(b"x" * 40 + b"\n")
        s.shutdown(socket.SHUT_WR)
        assert recv_all(s) == b"x" * 40 + b"\n"


def test_a_failed_handshake_after_starttls_is_logged(ca: FakeCA) -> None:
    with StartTlsEchoServer(ca=ca) as srv:
        with connect(srv.hostport) as sock:
            sock.sendall(b"STARTTLS\n")
            recv_until(sock, b"\n")
            sock.sendall(b"not a ClientHello\r\n\r\n")
            with contextlib.suppress(ConnectionResetError):
                recv_all(sock)
        record = srv.wait_for_connections(1)[0].wait_closed()
        assert record.tls_error is not None
        assert srv.errors == []
