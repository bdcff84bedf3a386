"""Servers that misbehave on purpose."""

from __future__ import annotations

from typing import Any

from ._server import BaseServer, Conn

__all__ = ["FAULTS", "FaultServer", "refused_address"]

FAULTS: tuple[str, ...] = (
    "refuse",
    "reset",
    "close",
    "silent",
    "drip",
    "never_read",
    "fin_then_read",
    "tls_garbage",
    "tls_hangup",
)


class FaultServer(BaseServer):
    """A server that fails in one chosen way."""

    name = "fault"

    def __init__(
        self,
        fault: str,
        *,
        payload: bytes = b"",
        after: int = 0,
        interval: float = 0.01,
        **options: Any,
    ) -> None:
        super().__init__(**options)

    async def handle(self, conn: Conn) -> None:
        raise NotImplementedError


def refused_address(host: str = "127.0.0.1") -> Any:
    """Return a context manager holding a port where connections are refused."""
    raise NotImplementedError
