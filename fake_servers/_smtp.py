"""The SMTP server with STARTTLS (RFC 5321, RFC 3207)."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Unpack

from ._server import BaseServer, Conn, LineTooLong, ServerOptions

__all__ = ["SmtpMessage", "SmtpServer"]

# RFC 5321, section 4.5.3.1.4: a command line is at most 512 octets with CRLF.
_MAX_COMMAND_LINE = 512
# RFC 5321, section 4.5.3.1.6: a text line is at most 1000 octets; be generous.
_MAX_DATA_LINE = 64 * 1024
_PATH = re.compile(r"^(FROM|TO):\s*<([^<>]*)>(?:\s.*)?$", re.IGNORECASE)


@dataclass(frozen=True)
class SmtpMessage:
    """A message accepted by :class:`SmtpServer`.

    Attributes:
        sender: The reverse-path of ``MAIL FROM``, without angle brackets.
        recipients: The forward-paths of every accepted ``RCPT TO``.
        data: The message as received after ``DATA``, dot-stuffing undone,
            lines ended by CRLF, without the final ``.`` line.
        tls: True if the message travelled inside TLS.
        connection_id: The :class:`ConnectionRecord` id it arrived on.
    """

    sender: str
    recipients: tuple[str, ...]
    data: bytes
    tls: bool
    connection_id: int


class _Session:
    def __init__(self) -> None:
        self.greeted = False
        self.sender: str | None = None
        self.recipients: list[str] = []
        self.errors = 0

    def reset_transaction(self) -> None:
        self.sender = None
        self.recipients = []


class SmtpServer(BaseServer):
    """Enough SMTP for a client to upgrade with STARTTLS and send a message.

    Implements RFC 3207 on top of a small part of RFC 5321: a ``220`` greeting;
    ``EHLO`` answered with a multi-line ``250`` that lists ``STARTTLS`` while
    the session is in the clear; ``STARTTLS`` answered with ``220``, then a TLS
    handshake on the same connection, after which the session starts over and
    the client MUST send ``EHLO`` again; ``HELO``, ``MAIL``, ``RCPT``, ``DATA``,
    ``RSET``, ``NOOP`` and ``QUIT``. Unknown commands get ``500``, commands out
    of order ``503``, bad arguments ``501``, a second ``STARTTLS`` inside TLS
    ``503``. Bytes a client sends after ``STARTTLS`` but before the handshake
    are discarded (RFC 3207, section 4.2 warns about that injection). After 20
    errors, or ``idle_timeout`` seconds without a command, the server answers
    ``421`` and closes.

    Every command line is logged as a ``command`` event, so
    ``record.commands_before_tls`` and ``record.commands_after_tls`` show what
    crossed the wire in the clear. Accepted messages are in :attr:`messages`.

    Args:
        hostname: The name the server gives itself in replies.
        offer_starttls: List and accept ``STARTTLS``; when False it is unknown.
        refuse_starttls: Answer ``STARTTLS`` with ``454`` (TLS not available).
        require_tls: Answer ``MAIL``, ``RCPT`` and ``DATA`` in the clear with
            ``530`` (RFC 3207, section 4).
        max_message: Largest message accepted, in bytes; larger get ``552``.
        idle_timeout: Seconds to wait for each command.
        **options: The options shared by every server (see :class:`BaseServer`).
    """

    name = "smtp"
    needs_ca = True

    def __init__(
        self,
        *,
        hostname: str = "localhost",
        offer_starttls: bool = True,
        refuse_starttls: bool = False,
        require_tls: bool = False,
        max_message: int = 10 * 1024 * 1024,
        idle_timeout: float = 30.0,
        **options: Unpack[ServerOptions],
    ) -> None:
        super().__init__(**options)
        self.hostname = hostname
        self.offer_starttls = offer_starttls
        self.refuse_starttls = refuse_starttls
        self.require_tls = require_tls
        self.max_message = max_message
        self.idle_timeout = idle_timeout
        self._messages: list[SmtpMessage] = []

    @property
    def messages(self) -> list[SmtpMessage]:
        """Every message accepted since the last :meth:`reset`, in order."""
        with self._cond:
            return list(self._messages)

    def reset(self) -> None:
        """Clear the log, recorded errors and accepted messages."""
        with self._cond:
            self._messages.clear()
        super().reset()

    async def handle(self, conn: Conn) -> None:
        session = _Session()
        await self._reply(conn, 220, f"{self.hostname} ESMTP fake server ready")
        while session.errors < 20:
            try:
                async with asyncio.timeout(self.idle_timeout):
                    line = await conn.readline(_MAX_COMMAND_LINE)
            except LineTooLong:
                await self._error(conn, session, 500, "5.5.6 Command line too long")
                await conn.skip_line()
                continue
            except TimeoutError:
                await self._reply(conn, 421, "4.4.2 Idle for too long, closing")
                return
            if not line.endswith(b"\n"):
                return  # The client ended the stream.

            text = line.rstrip(b"\r\n").decode("utf-8", "replace")
            conn.event("command", text)
            verb, _, arg = text.partition(" ")
            if not await self._dispatch(conn, session, verb.upper(), arg.strip()):
                return
        await self._reply(conn, 421, "4.7.0 Too many errors, closing")

    async def _dispatch(
        self, conn: Conn, session: _Session, verb: str, arg: str
    ) -> bool:
        """Answer one command; return False when the session is over."""
        tls = conn.record.tls
        if verb in ("EHLO", "HELO"):
            if not arg:
                await self._error(conn, session, 501, f"5.5.4 {verb} needs a domain")
                return True
            session.greeted = True
            session.reset_transaction()
            if verb == "HELO":
                await self._reply(conn, 250, self.hostname)
                return True
            lines = [f"{self.hostname} greets {arg}", "8BITMIME"]
            lines.append(f"SIZE {self.max_message}")
            if self.offer_starttls and not tls:
                lines.append("STARTTLS")
            lines.append("ENHANCEDSTATUSCODES")
            await self._reply(conn, 250, *lines)
        elif verb == "STARTTLS" and (self.offer_starttls or tls):
            if arg:
                await self._error(conn, session, 501, "5.5.4 No argument allowed")
            elif tls:
                await self._error(conn, session, 503, "5.5.1 TLS already active")
            elif not session.greeted:
                await self._error(conn, session, 503, "5.5.1 Send EHLO first")
            elif self.refuse_starttls:
                await self._reply(conn, 454, "4.7.0 TLS not available")
            else:
                await self._reply(conn, 220, "2.0.0 Ready to start TLS")
                await self._upgrade(conn, session)
        elif verb in ("MAIL", "RCPT", "DATA") and self.require_tls and not tls:
            await self._error(
                conn, session, 530, "5.7.0 Must issue a STARTTLS command first"
            )
        elif verb == "MAIL":
            await self._mail(conn, session, arg)
        elif verb == "RCPT":
            await self._rcpt(conn, session, arg)
        elif verb == "DATA":
            return await self._data(conn, session, arg)
        elif verb == "RSET":
            session.reset_transaction()
            await self._reply(conn, 250, "2.0.0 OK")
        elif verb == "NOOP":
            await self._reply(conn, 250, "2.0.0 OK")
        elif verb == "QUIT":
            await self._reply(conn, 221, "2.0.0 Bye")
            return False
        elif not verb:
            await self._error(conn, session, 500, "5.5.2 Empty command")
        else:
            await self._error(conn, session, 500, "5.5.2 Command not recognized")
        return True

    async def _upgrade(self, conn: Conn, session: _Session) -> None:
        injected = conn.discard_buffer()
        if injected:
            conn.event("discarded", injected.decode("utf-8", "replace"))
        conn.event("starttls", "")
        await conn.start_tls()
        # RFC 3207, section 4.2: forget everything learned before TLS.
        session.greeted = False
        session.reset_transaction()

    async def _mail(self, conn: Conn, session: _Session, arg: str) -> None:
        match = _PATH.match(arg)
        if not session.greeted:
            await self._error(conn, session, 503, "5.5.1 Send EHLO first")
        elif session.sender is not None:
            await self._error(conn, session, 503, "5.5.1 MAIL already given")
        elif match is None or match.group(1).upper() != "FROM":
            await self._error(conn, session, 501, "5.5.4 Syntax: MAIL FROM:<address>")
        else:
            session.sender = match.group(2)
            await self._reply(conn, 250, "2.1.0 Sender OK")

    async def _rcpt(self, conn: Conn, session: _Session, arg: str) -> None:
        match = _PATH.match(arg)
        if session.sender is None:
            await self._error(conn, session, 503, "5.5.1 Send MAIL first")
        elif match is None or match.group(1).upper() != "TO" or not match.group(2):
            await self._error(conn, session, 501, "5.5.4 Syntax: RCPT TO:<address>")
        else:
            session.recipients.append(match.group(2))
            await self._reply(conn, 250, "2.1.5 Recipient OK")

    async def _data(self, conn: Conn, session: _Session, arg: str) -> bool:
        if arg:
            await self._error(conn, session, 501, "5.5.4 DATA takes no argument")
            return True
        if session.sender is None or not session.recipients:
            await self._error(conn, session, 503, "5.5.1 Send MAIL and RCPT first")
            return True
        await self._reply(conn, 354, "End data with <CR><LF>.<CR><LF>")

        body = bytearray()
        too_big = False
        while True:
            try:
                async with asyncio.timeout(self.idle_timeout):
                    line = await conn.readline(_MAX_DATA_LINE)
            except LineTooLong:
                too_big = True
                continue
            except TimeoutError:
                await self._reply(conn, 421, "4.4.2 Idle for too long, closing")
                return False
            if not line.endswith(b"\n"):
                return False  # The client ended the stream mid-message.
            if line in (b".\r\n", b".\n"):
                break
            if line.startswith(b"."):
                line = line[1:]
            if len(body) + len(line) > self.max_message:
                too_big = True
            if not too_big:
                body.extend(line)

        if too_big:
            await self._reply(conn, 552, "5.3.4 Message too big")
        else:
            message = SmtpMessage(
                sender=session.sender,
                recipients=tuple(session.recipients),
                data=bytes(body),
                tls=conn.record.tls,
                connection_id=conn.record.id,
            )
            with self._cond:
                self._messages.append(message)
                number = len(self._messages)
            conn.event("message", f"{len(body)} bytes from <{session.sender}>")
            await self._reply(conn, 250, f"2.0.0 OK: queued as {number}")
        session.reset_transaction()
        return True

    async def _error(self, conn: Conn, session: _Session, code: int, text: str) -> None:
        session.errors += 1
        await self._reply(conn, code, text)

    @staticmethod
    async def _reply(conn: Conn, code: int, *lines: str) -> None:
        out = [f"{code}-{line}\r\n" for line in lines[:-1]]
        out.append(f"{code} {lines[-1]}\r\n")
        await conn.write("".join(out).encode("utf-8"))
