"""The SMTP server with STARTTLS (RFC 5321, RFC 3207)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._server import BaseServer, Conn

__all__ = ["SmtpMessage", "SmtpServer"]


@dataclass(frozen=True)
class SmtpMessage:
    """A message accepted by :class:`SmtpServer`."""

    sender: str
    recipients: tuple[str, ...]
    data: bytes
    tls: bool
    connection_id: int


class SmtpServer(BaseServer):
    """Enough SMTP for a client to upgrade with STARTTLS and send a message."""

    name = "smtp"
    needs_ca = True

    def __init__(
        self,
        *,
        hostname: str = "localhost",
        offer_starttls: bool = True,
        refuse_starttls: bool = False,
        require_tls: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(**options)

    async def handle(self, conn: Conn) -> None:
        raise NotImplementedError
