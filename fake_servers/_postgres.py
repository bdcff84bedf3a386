"""The PostgreSQL SSLRequest server."""

from __future__ import annotations

from typing import Any

from ._server import BaseServer, Conn

__all__ = ["SSL_REQUEST_CODE", "PostgresServer"]

#: The code of an SSLRequest packet (1234 << 16 | 5679).
SSL_REQUEST_CODE = 80877103


class PostgresServer(BaseServer):
    """Answers a PostgreSQL SSLRequest, upgrades to TLS, and runs a tiny session."""

    name = "postgres"
    needs_ca = True

    def __init__(
        self, *, accept_ssl: bool = True, require_ssl: bool = False, **options: Any
    ) -> None:
        super().__init__(**options)

    async def handle(self, conn: Conn) -> None:
        raise NotImplementedError
