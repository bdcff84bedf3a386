"""Servers that misbehave on purpose."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from typing import Unpack

from ._server import BaseServer, Conn, ServerOptions

__all__ = ["FAULTS", "FaultServer", "refused_address"]

#: Every fault a :class:`FaultServer` can inject.
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

_DEFAULT_DRIP = b"one byte at a time\n"
_DEFAULT_GARBAGE = b"HTTP/1.0 400 this is not TLS\r\n\r\n"
# The smallest receive buffer Linux allows is about 2 KiB (it doubles the value).
_TINY_BUFFER = 1024


class FaultServer(BaseServer):
    """A server that fails in one chosen way, for testing a client's error paths.

    The faults (``payload`` is sent first where it makes sense):

    * ``"refuse"``: the port is bound but never listens, so every connection
      attempt is refused (an RST to the SYN). Nothing is logged.
    * ``"reset"``: send ``payload``, read until ``after`` bytes have arrived,
      then abort with an RST (``SO_LINGER`` with a zero timeout). With
      ``after=0`` and no payload the RST can reach the client before its own
      connect call has returned, so the client sees the reset either there or
      on its first read.
    * ``"close"``: send ``payload``, read until ``after`` bytes have arrived,
      then send FIN; keep reading until the client's FIN.
    * ``"silent"``: accept and never send a byte; read (and log) until the
      client ends.
    * ``"drip"``: send ``payload`` one byte per TCP segment, ``interval``
      seconds apart, then FIN.
    * ``"never_read"``: send ``payload``, then never read, with a tiny receive
      buffer, so the client's writes back up. Holds the connection until
      :meth:`stop`.
    * ``"fin_then_read"``: send ``payload`` and FIN at once, then keep reading
      (and logging) what the client sends over the half-open connection.
    * ``"tls_garbage"``: read the client's first bytes (its ClientHello) and
      answer with ``payload`` (default: an HTTP error), which is not TLS.
    * ``"tls_hangup"``: read the ClientHello, then close without answering.

    Certificate failures (untrusted CA, wrong host name, expired) are not
    faults of this class: use any TLS server with ``certificate=``. With
    ``tls=True`` the faults other than ``refuse`` and ``tls_*`` happen inside
    an established TLS session.

    Args:
        fault: One of :data:`FAULTS`.
        payload: Bytes to send before the fault (see each fault).
        after: Bytes to receive from the client before ``reset`` or ``close``.
        interval: Seconds between two bytes of ``drip``.
        **options: The options shared by every server (see :class:`BaseServer`).

    Raises:
        ValueError: an unknown fault, a negative ``after`` or ``interval``, or
            ``tls=True`` with a fault that is itself about TLS or refusing.
    """

    name = "fault"

    def __init__(
        self,
        fault: str,
        *,
        payload: bytes = b"",
        after: int = 0,
        interval: float = 0.01,
        **options: Unpack[ServerOptions],
    ) -> None:
        if fault not in FAULTS:
            raise ValueError(
                f"unknown fault {fault!r}; choose one of {', '.join(FAULTS)}"
            )
        if after < 0:
            raise ValueError(f"after must be >= 0 bytes, got {after!r}")
        if interval < 0:
            raise ValueError(f"interval must be >= 0 seconds, got {interval!r}")
        if options.get("tls") and (fault == "refuse" or fault.startswith("tls_")):
            raise ValueError(
                f"fault {fault!r} happens before any TLS session; drop tls=True"
            )
        super().__init__(**options)
        self.fault = fault
        self.payload = bytes(payload)
        self.after = after
        self.interval = interval

    def __repr__(self) -> str:
        where = self.address if self._bound else "not started"
        return f"<FaultServer {self.fault} {where}>"

    def _configure_listener(self, sock: socket.socket) -> None:
        if self.fault == "never_read":
            # Accepted sockets inherit this; it must be set before listen().
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _TINY_BUFFER)

    async def _open(self) -> None:
        if self.fault == "refuse":
            return  # Bound, never listening: the kernel refuses connections.
        await super()._open()

    async def handle(self, conn: Conn) -> None:
        fault = self.fault
        conn.event("fault", fault)
        if fault == "never_read":
            conn.writer.transport.pause_reading()
        if fault in ("reset", "close", "never_read", "fin_then_read") and self.payload:
            await conn.write(self.payload)

        if fault in ("reset", "close"):
            while conn.record.bytes_received < self.after and await conn.read():
                pass
            if fault == "reset":
                conn.reset()
            else:
                conn.write_eof()
        elif fault == "silent":
            while await conn.read():
                pass
        elif fault == "drip":
            await self._drip(conn)
        elif fault == "never_read":
            await asyncio.Event().wait()  # Until stop() cancels this handler.
        elif fault == "fin_then_read":
            conn.write_eof()
            while await conn.read():
                pass
        elif fault == "tls_garbage":
            if await conn.read():
                await conn.write(self.payload or _DEFAULT_GARBAGE)
            conn.write_eof()
        elif fault == "tls_hangup":
            await conn.read()
            conn.write_eof()

    async def _drip(self, conn: Conn) -> None:
        sock = conn.writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        payload = self.payload or _DEFAULT_DRIP
        for i in range(len(payload)):
            if i:
                await asyncio.sleep(self.interval)
            await conn.write(payload[i : i + 1])
        conn.write_eof()


@contextlib.contextmanager
def refused_address(*, host: str = "127.0.0.1") -> Iterator[FaultServer]:
    """Hold a loopback port where every connection attempt is refused.

    The port stays bound (without listening) until the block ends, so no other
    process can take it in the meantime.

    Example:
        >>> import socket
        >>> with refused_address() as refused:
        ...     try:
        ...         socket.create_connection(refused.hostport, timeout=5)
        ...     except ConnectionRefusedError:
        ...         print("refused")
        refused

    Yields:
        A running ``FaultServer("refuse")``; use its ``address`` or ``hostport``.
    """
    with FaultServer("refuse", host=host, ipv6=False) as server:
        yield server
