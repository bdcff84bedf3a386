"""Plain blocking clients for the fake server tests, every wait bounded."""

from __future__ import annotations

import socket
import ssl

TIMEOUT = 5.0


def connect(hostport: tuple[str, int]) -> socket.socket:
    """Open a TCP connection with every operation bounded by TIMEOUT."""
    return socket.create_connection(hostport, timeout=TIMEOUT)


def connect_tls(
    hostport: tuple[str, int],
    context: ssl.SSLContext,
    server_hostname: str = "localhost",
) -> ssl.SSLSocket:
    """Open a TLS connection; verification is whatever ``context`` says (on)."""
    return context.wrap_socket(connect(hostport), server_hostname=server_hostname)


def recv_all(sock: socket.socket) -> bytes:
    """Read until the peer's end of stream."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def recv_exactly(sock: socket.socket, n: int) -> bytes:
    """Read exactly ``n`` bytes, failing the test if the stream ends first."""
    data = bytearray()
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        assert chunk, f"stream ended after {len(data)} of {n} expected bytes"
        data.extend(chunk)
    return bytes(data)


def recv_until(sock: socket.socket, marker: bytes) -> bytes:
    """Read until the data received ends with ``marker``."""
    data = bytearray()
    while not data.endswith(marker):
        chunk = sock.recv(65536)
        assert chunk, f"stream ended before {marker!r}; got {bytes(data)!r}"
        data.extend(chunk)
    return bytes(data)
