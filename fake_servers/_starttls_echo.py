"""A line-based echo server that upgrades to TLS on the line ``STARTTLS``."""

from __future__ import annotations

from typing import Any

from ._server import BaseServer, Conn

__all__ = ["StartTlsEchoServer"]


class StartTlsEchoServer(BaseServer):
    """Echoes lines in plaintext until ``STARTTLS``, then echoes inside TLS."""

    name = "starttls-echo"
    needs_ca = True

    def __init__(self, *, max_line: int = 65536, **options: Any) -> None:
        super().__init__(**options)

    async def handle(self, conn: Conn) -> None:
        raise NotImplementedError
