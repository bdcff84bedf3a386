"""A PostgreSQL server that knows SSLRequest and not much else."""

from __future__ import annotations

import asyncio
import struct
from typing import Unpack

from ._server import BaseServer, Conn, ServerOptions

__all__ = ["SSL_REQUEST_CODE", "PostgresServer"]

#: The code of an SSLRequest packet (1234 << 16 | 5679).
SSL_REQUEST_CODE = 80877103
#: The code of a GSSENCRequest packet, always answered ``N``.
GSSENC_REQUEST_CODE = 80877104
#: The code of a CancelRequest packet, answered by closing.
CANCEL_REQUEST_CODE = 80877102
#: Protocol version 3.0 as sent in a StartupMessage.
PROTOCOL_3_0 = 3 << 16

_MAX_STARTUP = 10_000
_MAX_MESSAGE = 1024 * 1024


def _message(kind: bytes, body: bytes = b"") -> bytes:
    return kind + struct.pack("!i", len(body) + 4) + body


def _cstr(text: str) -> bytes:
    return text.encode("utf-8", "replace").replace(b"\0", b"?") + b"\0"


def _error(code: str, message: str) -> bytes:
    fields = b"SFATAL\0VFATAL\0C" + _cstr(code) + b"M" + _cstr(message) + b"\0"
    return _message(b"E", fields)


class PostgresServer(BaseServer):
    """Answers a PostgreSQL SSLRequest, upgrades to TLS, and runs a tiny session.

    Follows the start of the PostgreSQL frontend/backend protocol 3.0
    ("SSL Session Encryption" and "Start-up" in the protocol chapter of the
    PostgreSQL manual):

    1. The client MAY send the 8-byte SSLRequest (length 8, code 80877103). The
       server answers the single byte ``S`` and expects a TLS handshake on the
       same connection, or ``N`` when ``accept_ssl=False``. A GSSENCRequest is
       always answered ``N``.
    2. The client sends a StartupMessage. The server answers
       AuthenticationOk, a few ParameterStatus messages, BackendKeyData and
       ReadyForQuery; no password is asked for. With ``require_ssl=True`` a
       startup in the clear gets a FATAL ErrorResponse instead (SQLSTATE 28000).
    3. Each simple Query gets one row of two text columns, ``ssl`` (``on`` or
       ``off``: whether the query came inside TLS) and ``query`` (its text),
       then CommandComplete and ReadyForQuery; an empty query gets
       EmptyQueryResponse. Terminate ends the session.

    Anything else (an unknown code, a length out of bounds, an unsupported
    message) gets a FATAL ErrorResponse (SQLSTATE 08P01 or 0A000) and a close.
    Every frontend message is logged as a ``command`` event, e.g.
    ``"SSLRequest"``, ``"StartupMessage user=alice"``, ``"Query SELECT 1"``.

    Args:
        accept_ssl: Answer SSLRequest with ``S`` (True) or ``N`` (False).
        require_ssl: Refuse a StartupMessage that did not come inside TLS.
        idle_timeout: Seconds to wait for each message.
        **options: The options shared by every server (see :class:`BaseServer`).
    """

    name = "postgres"
    needs_ca = True

    def __init__(
        self,
        *,
        accept_ssl: bool = True,
        require_ssl: bool = False,
        idle_timeout: float = 30.0,
        **options: Unpack[ServerOptions],
    ) -> None:
        super().__init__(**options)
        self.accept_ssl = accept_ssl
        self.require_ssl = require_ssl
        self.idle_timeout = idle_timeout

    async def handle(self, conn: Conn) -> None:
        if await self._startup(conn):
            await self._session(conn)

    async def _read(self, conn: Conn, n: int) -> bytes | None:
        """Read exactly ``n`` bytes, or None if the client ended or went idle."""
        try:
            async with asyncio.timeout(self.idle_timeout):
                data = await conn.readexactly(n)
        except TimeoutError:
            return None
        return data if len(data) == n else None

    async def _startup(self, conn: Conn) -> bool:
        """Run the start-up phase; return True once ReadyForQuery was sent."""
        while True:
            header = await self._read(conn, 4)
            if header is None:
                return False
            (length,) = struct.unpack("!i", header)
            if not 8 <= length <= _MAX_STARTUP:
                conn.event("command", f"invalid start-up packet of length {length}")
                await conn.write(_error("08P01", f"invalid length {length}"))
                return False
            body = await self._read(conn, length - 4)
            if body is None:
                return False
            (code,) = struct.unpack("!i", body[:4])

            if code == SSL_REQUEST_CODE:
                conn.event("command", "SSLRequest")
                if conn.record.tls:
                    await conn.write(_error("08P01", "SSLRequest inside TLS"))
                    return False
                if not self.accept_ssl:
                    await conn.write(b"N")
                    continue
                await conn.write(b"S")
                await conn.start_tls()
            elif code == GSSENC_REQUEST_CODE:
                conn.event("command", "GSSENCRequest")
                await conn.write(b"N")
            elif code == CANCEL_REQUEST_CODE:
                conn.event("command", "CancelRequest")
                return False
            elif code >> 16 == 3:
                return await self._accept_startup(conn, body[4:])
            else:
                conn.event("command", f"unsupported protocol code {code}")
                await conn.write(_error("0A000", f"unsupported protocol {code}"))
                return False

    async def _accept_startup(self, conn: Conn, payload: bytes) -> bool:
        parts = payload.split(b"\0")
        pairs = dict(zip(parts[0::2], parts[1::2], strict=False))
        params = {
            k.decode("utf-8", "replace"): v.decode("utf-8", "replace")
            for k, v in pairs.items()
            if k
        }
        shown = " ".join(f"{k}={v}" for k, v in params.items())
        conn.event("command", f"StartupMessage {shown}".rstrip())
        if self.require_ssl and not conn.record.tls:
            await conn.write(_error("28000", "this server accepts only TLS sessions"))
            return False

        out = [_message(b"R", struct.pack("!i", 0))]
        for name, value in (
            ("server_version", "16.0"),
            ("server_encoding", "UTF8"),
            ("client_encoding", "UTF8"),
            ("standard_conforming_strings", "on"),
            ("DateStyle", "ISO, MDY"),
            ("integer_datetimes", "on"),
        ):
            out.append(_message(b"S", _cstr(name) + _cstr(value)))
        out.append(_message(b"K", struct.pack("!ii", conn.record.id, 0x5EC12E7)))
        out.append(_message(b"Z", b"I"))
        await conn.write(b"".join(out))
        return True

    async def _session(self, conn: Conn) -> None:
        while True:
            header = await self._read(conn, 5)
            if header is None:
                return
            kind, length = header[:1], struct.unpack("!i", header[1:])[0]
            if not 4 <= length <= _MAX_MESSAGE:
                conn.event("command", f"message {kind!r} of invalid length {length}")
                await conn.write(_error("08P01", f"invalid message length {length}"))
                return
            body = await self._read(conn, length - 4)
            if body is None:
                return

            if kind == b"X":
                conn.event("command", "Terminate")
                return
            if kind != b"Q":
                conn.event("command", f"unsupported message {kind!r}")
                await conn.write(_error("08P01", f"unsupported message {kind!r}"))
                return
            query = body.rstrip(b"\0").decode("utf-8", "replace")
            conn.event("command", f"Query {query}")
            await conn.write(self._answer(query, conn.record.tls))

    @staticmethod
    def _answer(query: str, tls: bool) -> bytes:
        if not query.strip():
            return _message(b"I") + _message(b"Z", b"I")
        columns = []
        for name in ("ssl", "query"):
            # table oid, column number, type oid (text), size, modifier, format
            columns.append(_cstr(name) + struct.pack("!ihihih", 0, 0, 25, -1, -1, 0))
        row = struct.pack("!h", 2)
        for value in ("on" if tls else "off", query):
            data = value.encode("utf-8")
            row += struct.pack("!i", len(data)) + data
        return b"".join(
            [
                _message(b"T", struct.pack("!h", 2) + b"".join(columns)),
                _message(b"D", row),
                _message(b"C", _cstr("SELECT 1")),
                _message(b"Z", b"I"),
            ]
        )
