"""PostgresServer: SSLRequest, TLS upgrade, start-up and one simple query."""

from __future__ import annotations

import socket
import struct

import pytest

from fake_servers import SSL_REQUEST_CODE, FakeCA, PostgresServer

from ._clients import connect, recv_all, recv_exactly

SSL_REQUEST = struct.pack("!ii", 8, SSL_REQUEST_CODE)


def startup(user: str = "alice") -> bytes:
    body = struct.pack("!i", 3 << 16) + b"user\0" + user.encode() + b"\0\0"
    return struct.pack("!i", len(body) + 4) + body


def query(text: str) -> bytes:
    body = text.encode() + b"\0"
    return b"Q" + struct.pack("!i", len(body) + 4) + body


def read_message(sock: socket.socket) -> tuple[bytes, bytes]:
    header = recv_exactly(sock, 5)
    (length,) = struct.unpack("!i", header[1:])
    return header[:1], recv_exactly(sock, length - 4)


def read_until_ready(sock: socket.socket) -> list[tuple[bytes, bytes]]:
    messages = []
    while True:
        messages.append(read_message(sock))
        if messages[-1][0] == b"Z":
            return messages


def data_row(messages: list[tuple[bytes, bytes]]) -> list[str]:
    body = next(body for kind, body in messages if kind == b"D")
    values, offset = [], 2
    for _ in range(struct.unpack("!h", body[:2])[0]):
        (n,) = struct.unpack("!i", body[offset : offset + 4])
        values.append(body[offset + 4 : offset + 4 + n].decode())
        offset += 4 + n
    return values


def test_ssl_request_upgrades_and_the_query_proves_tls(ca: FakeCA) -> None:
    with PostgresServer(ca=ca) as srv:
        with connect(srv.hostport) as sock:
            sock.sendall(SSL_REQUEST)
            assert recv_exactly(sock, 1) == b"S"
            with ca.client_context().wrap_socket(
                sock, server_hostname="localhost"
            ) as tls:
                tls.sendall(startup())
                kinds = [kind for kind, _ in read_until_ready(tls)]
                assert kinds[0] == b"R" and kinds[-1] == b"Z"
                tls.sendall(query("SELECT 1"))
                assert data_row(read_until_ready(tls)) == ["on", "SELECT 1"]
                tls.sendall(b"X" + struct.pack("!i", 4))
        record = srv.wait_for_connections(1)[0].wait_closed()

    assert record.commands_before_tls == ["SSLRequest"]
    assert record.commands_after_tls == [
        "StartupMessage user=alice",
        "Query SELECT 1",
        "Terminate",
    ]
    assert record.received_before_tls == SSL_REQUEST
    assert record.sent_before_tls == b"S"


def test_ssl_refused_answers_n_and_the_session_stays_plain(ca: FakeCA) -> None:
    with PostgresServer(ca=ca, accept_ssl=False) as srv, connect(srv.hostport) as s:
        s.sendall(SSL_REQUEST)
        assert recv_exactly(s, 1) == b"N"
        s.sendall(startup())
        read_until_ready(s)
        s.sendall(query("SELECT 2"))
        assert data_row(read_until_ready(s)) == ["off", "SELECT 2"]


def test_require_ssl_refuses_a_startup_in_the_clear(ca: FakeCA) -> None:
    with PostgresServer(ca=ca, require_ssl=True) as srv, connect(srv.hostport) as s:
        s.sendall(startup())
        kind, body = read_message(s)
        assert kind == b"E"
        assert b"C28000\0" in body
        assert recv_all(s) == b""


def test_empty_query_gets_empty_query_response(ca: FakeCA) -> None:
    with PostgresServer(ca=ca) as srv, connect(srv.hostport) as s:
        s.sendall(startup())
        read_until_ready(s)
        s.sendall(query(""))
        assert [kind for kind, _ in read_until_ready(s)] == [b"I", b"Z"]


@pytest.mark.parametrize(
    "garbage",
    [
        struct.pack("!ii", 8, 12345),  # unknown code
        struct.pack("!i", 3),  # length too small
        struct.pack("!i", 1 << 30),  # length too large
    ],
)
def test_bad_start_up_packet_gets_a_fatal_error(ca: FakeCA, garbage: bytes) -> None:
    with PostgresServer(ca=ca) as srv, connect(srv.hostport) as s:
        s.sendall(garbage)
        kind, body = read_message(s)
        assert kind == b"E" and b"SFATAL\0" in body
        assert recv_all(s) == b""
        s.close()
        srv.wait_idle()
        srv.check()


def test_unsupported_message_gets_a_fatal_error(ca: FakeCA) -> None:
    with PostgresServer(ca=ca) as srv, connect(srv.hostport) as s:
        s.sendall(startup())
        read_until_ready(s)
        s.sendall(b"P" + struct.pack("!i", 4))
        kind, body = read_message(s)
        assert kind == b"E" and b"C08P01\0" in body


def test_gssenc_request_is_answered_n(ca: FakeCA) -> None:
    with PostgresServer(ca=ca) as srv, connect(srv.hostport) as s:
        s.sendall(struct.pack("!ii", 8, 80877104))
        assert recv_exactly(s, 1) == b"N"
        s.sendall(startup())
        assert read_until_ready(s)[-1] == (b"Z", b"I")
