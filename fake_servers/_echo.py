"""The echo server, plain or TLS."""

from __future__ import annotations

from typing import Unpack

from ._server import BaseServer, Conn, ServerOptions

__all__ = ["EchoServer"]


class EchoServer(BaseServer):
    """Sends back every byte it receives, in order, plain or over TLS.

    When the client half-closes (FIN), the server flushes what it owes and then
    sends its own FIN, so a client that shuts down writing still reads the whole
    echo. Over TLS, where TCP half-close is not available, it closes the TLS
    session instead.

    Args:
        greeting: Bytes sent first, as soon as the connection (and, with
            ``tls=True``, the handshake) is up. Not echoed.
        **options: The options shared by every server (``host``, ``port``,
            ``tls``, ``ca``, ``certificate``, ``alpn``, ...); see
            :class:`~fake_servers.BaseServer`.

    Example:
        >>> import socket
        >>> with EchoServer() as srv:
        ...     with socket.create_connection(srv.hostport, timeout=5) as s:
        ...         s.sendall(b"ping")
        ...         s.recv(4)
        b'ping'
    """

    name = "echo"

    def __init__(
        self, *, greeting: bytes = b"", **options: Unpack[ServerOptions]
    ) -> None:
        super().__init__(**options)
        self.greeting = bytes(greeting)

    async def handle(self, conn: Conn) -> None:
        if self.greeting:
            await conn.write(self.greeting)
        while data := await conn.read():
            await conn.write(data)
        conn.write_eof()
