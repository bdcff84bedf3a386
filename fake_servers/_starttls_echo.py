"""A line-based echo server that upgrades to TLS on the line ``STARTTLS``."""

from __future__ import annotations

from typing import Unpack

from ._server import BaseServer, Conn, LineTooLong, ServerOptions

__all__ = ["StartTlsEchoServer"]


class StartTlsEchoServer(BaseServer):
    """Echoes lines in the clear until ``STARTTLS``, then echoes inside TLS.

    In the clear the server echoes each line (ended by LF) once it is
    complete. The line ``STARTTLS`` (with CRLF or LF, any case) is echoed too:
    that echo is the signal for the client to start its TLS handshake on the
    same connection. Bytes sent after that line but before the handshake are
    discarded. Inside TLS every byte is echoed as it comes, and the client's
    close is answered with a close. A line longer than ``max_line`` is echoed
    in pieces. ``STARTTLS`` is logged as a ``command`` event, every other
    clear line as a ``line`` event.

    Args:
        max_line: Longest line buffered before it is echoed in pieces.
        **options: The options shared by every server (see :class:`BaseServer`).
    """

    name = "starttls-echo"
    needs_ca = True

    def __init__(
        self, *, max_line: int = 65536, **options: Unpack[ServerOptions]
    ) -> None:
        super().__init__(**options)
        self.max_line = max_line

    async def handle(self, conn: Conn) -> None:
        while not conn.record.tls:
            try:
                line = await conn.readline(self.max_line)
            except LineTooLong as too_long:
                # A piece this long cannot be the STARTTLS line: echo it as is.
                conn.event("line", f"<{self.max_line} bytes without a newline>")
                await conn.write(too_long.args[0])
                continue
            if not line:
                conn.write_eof()
                return
            if line.rstrip(b"\r\n").upper() == b"STARTTLS":
                conn.event("command", "STARTTLS")
                await conn.write(line)
                await conn.start_tls()
                break
            conn.event("line", line.decode("utf-8", "replace").rstrip("\r\n"))
            await conn.write(line)

        while data := await conn.read():
            await conn.write(data)
