"""EchoServer: every byte back, FIN answered with FIN, plain and TLS."""

from __future__ import annotations

import asyncio
import os
import socket
import ssl

import pytest

from fake_servers import EchoServer, End, FakeCA

from ._clients import connect, connect_tls, recv_all, recv_exactly


def test_echo_returns_every_byte_in_order() -> None:
    payload = os.urandom(300_000)
    with EchoServer() as srv, connect(srv.hostport) as sock:
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)
        assert recv_all(sock) == payload


def test_echo_answers_fin_with_fin_after_flushing() -> None:
    with EchoServer() as srv:
        with connect(srv.hostport) as sock:
            sock.sendall(b"last words")
            sock.shutdown(socket.SHUT_WR)
            assert recv_all(sock) == b"last words", "echo then FIN expected"
        record = srv.wait_for_connections(1)[0].wait_closed()
    assert (record.client_end, record.server_end) == (End.FIN, End.FIN)


def test_greeting_comes_first_and_is_not_echoed() -> None:
    with EchoServer(greeting=b"220 hello\r\n") as srv, connect(srv.hostport) as sock:
        assert recv_exactly(sock, 11) == b"220 hello\r\n"
        sock.sendall(b"a")
        assert sock.recv(1) == b"a"


def test_tls_echo_logs_bytes_as_after_tls(ca: FakeCA) -> None:
    with EchoServer(tls=True, ca=ca, greeting=b"hi") as srv:
        with connect_tls(srv.hostport, ca.client_context()) as tls:
            assert recv_exactly(tls, 2) == b"hi"
            tls.sendall(b"secret")
            assert recv_exactly(tls, 6) == b"secret"
        record = srv.wait_for_connections(1)[0].wait_closed()

    assert record.tls
    assert record.received_before_tls == b"", "nothing travels before TLS here"
    assert record.received_after_tls == b"secret"
    assert record.sent_after_tls == b"hisecret"
    assert record.client_end is End.FIN


def test_tls_echo_closes_when_the_client_closes(ca: FakeCA) -> None:
    with EchoServer(tls=True, ca=ca) as srv:
        with connect_tls(srv.hostport, ca.client_context()) as tls:
            tls.sendall(b"x")
            assert tls.recv(1) == b"x"
            raw = tls.unwrap()
            assert recv_all(raw) == b"", "the server should close after close_notify"
            raw.close()
        srv.wait_idle()


def test_plain_client_to_tls_server_fails_the_handshake_cleanly(ca: FakeCA) -> None:
    with EchoServer(tls=True, ca=ca) as srv:
        with connect(srv.hostport) as sock:
            sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
            try:
                reply = recv_all(sock)
            except ConnectionResetError:
                reply = b""
            assert b"GET" not in reply, "a TLS server must not echo plaintext"
        record = srv.wait_for_connections(1)[0].wait_closed()
        assert record.tls_error is not None
        assert srv.errors == []


@pytest.mark.asyncio
async def test_asyncio_tls_client_gets_its_bytes_back(ca: FakeCA) -> None:
    with EchoServer(tls=True, ca=ca) as srv:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(
                *srv.hostport, ssl=ca.client_context(), server_hostname="localhost"
            ),
            timeout=5,
        )
        writer.write(b"async")
        assert await asyncio.wait_for(reader.readexactly(5), timeout=5) == b"async"
        writer.close()
        await writer.wait_closed()


def test_client_context_rejects_another_cas_server(ca: FakeCA) -> None:
    # The server makes its own CA, which `ca` does not trust.
    with EchoServer(tls=True) as srv, pytest.raises(ssl.SSLCertVerificationError):
        connect_tls(srv.hostport, ca.client_context())
