"""The machinery every fake server shares: binding, the loop thread, the log."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import logging
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any, ClassVar, Self, TypedDict

from ._ca import Certificate, FakeCA, check_certificate
from ._log import ConnectionRecord, End

__all__ = ["BaseServer", "ServerOptions", "format_address"]

logger = logging.getLogger(__name__)

#: Default cap on the bytes kept in the log, per direction and per connection.
DEFAULT_RECORD_LIMIT = 16 * 1024 * 1024

_READ_SIZE = 256 * 1024


def format_address(host: str, port: int) -> str:
    """Return ``host:port``, bracketing IPv6 hosts as in ``[::1]:8080``."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _ipv6_loopback_available() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
    except OSError:
        return False
    return True


class ClientGone(Exception):
    """Raised inside a handler when the client has gone; ends it quietly."""


class LineTooLong(Exception):
    """Raised by :meth:`Conn.readline` when no newline came within the limit."""


class Conn:
    """One accepted connection as a handler sees it: reads and writes are logged.

    Reads never raise on a clean end of stream (they return what there was);
    a reset by the client raises :class:`ClientGone` after recording it.
    """

    def __init__(
        self,
        server: BaseServer,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        record: ConnectionRecord,
    ) -> None:
        self.server = server
        self.reader = reader
        self.writer = writer
        self.record = record
        self.eof = False
        self.eof_sent = False
        self.aborted = False
        self._buffer = bytearray()

    # -- reading -----------------------------------------------------------------

    async def _fill(self) -> bool:
        """Read more bytes into the buffer; return False at end of stream."""
        if self.eof:
            return False
        try:
            data = await self.reader.read(_READ_SIZE)
        except (ConnectionResetError, ssl.SSLError, OSError) as exc:
            self._client_reset(exc)
            raise ClientGone from exc
        if not data:
            self.eof = True
            if self.record.client_end is End.OPEN:
                self.record.client_end = End.FIN
            self.record._notify()
            logger.debug("connection %s: client sent FIN", self.record.id)
            return False
        self.record._record_received(data)
        self._buffer.extend(data)
        return True

    def _client_reset(self, exc: BaseException) -> None:
        self.eof = True
        if self.record.client_end is End.OPEN:
            self.record.client_end = End.RST
        logger.debug("connection %s: client reset (%r)", self.record.id, exc)
        self.record._notify()

    def _take(self, n: int) -> bytes:
        data = bytes(self._buffer[:n])
        del self._buffer[:n]
        return data

    async def read(self, n: int = _READ_SIZE) -> bytes:
        """Return up to ``n`` bytes, or ``b""`` at the client's end of stream."""
        if not self._buffer:
            await self._fill()
        return self._take(n)

    async def readexactly(self, n: int) -> bytes:
        """Return ``n`` bytes, or fewer if the client ended the stream first."""
        while len(self._buffer) < n and await self._fill():
            pass
        return self._take(n)

    async def readline(self, limit: int) -> bytes:
        """Return one line including its ``\\n``.

        Returns fewer bytes without a newline if the client ended the stream.

        Raises:
            LineTooLong: ``limit`` bytes arrived without a newline; they have been
                consumed and are the exception's ``args[0]``.
        """
        start = 0
        while True:
            index = self._buffer.find(b"\n", start)
            if index != -1 and index < limit:
                return self._take(index + 1)
            if len(self._buffer) >= limit:
                raise LineTooLong(self._take(limit))
            start = len(self._buffer)
            if not await self._fill():
                return self._take(len(self._buffer))

    async def skip_line(self) -> None:
        """Discard bytes up to and including the next newline (or the end)."""
        while True:
            index = self._buffer.find(b"\n")
            if index != -1:
                self._take(index + 1)
                return
            self._buffer.clear()
            if not await self._fill():
                return

    def discard_buffer(self) -> bytes:
        """Drop bytes read but not yet consumed (e.g. injected before STARTTLS)."""
        return self._take(len(self._buffer))

    # -- writing -----------------------------------------------------------------

    async def write(self, data: bytes) -> None:
        """Send ``data`` and wait until the transport has taken it."""
        if self.aborted or self.eof_sent:
            raise ClientGone
        self.record._record_sent(data)
        try:
            self.writer.write(data)
            await self.writer.drain()
        except (ConnectionError, ssl.SSLError, OSError) as exc:
            self._client_reset(exc)
            raise ClientGone from exc

    def write_eof(self) -> None:
        """Send FIN (plain TCP) or close the TLS session, keeping the read side."""
        if self.eof_sent or self.aborted:
            return
        self.eof_sent = True
        self.record.server_end = End.FIN
        if self.writer.can_write_eof():
            with contextlib.suppress(OSError):
                self.writer.write_eof()
        else:
            # TLS cannot half-close: closing sends close_notify and then FIN.
            self.writer.close()
        logger.debug("connection %s: server sent FIN", self.record.id)
        self.record._notify()

    def reset(self) -> None:
        """Abort the connection with an RST (SO_LINGER with a zero timeout)."""
        if self.aborted:
            return
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
        self.aborted = True
        self.record.server_end = End.RST
        self.writer.transport.abort()
        logger.debug("connection %s: server sent RST", self.record.id)
        self.record._notify()

    # -- TLS ---------------------------------------------------------------------

    async def start_tls(self) -> None:
        """Run the server side of a TLS handshake on this connection.

        Raises:
            ClientGone: the handshake failed; the reason is in the log as
                ``tls_error`` and the connection has been aborted.
        """
        context = self.server._tls_context()
        self.discard_buffer()
        try:
            await self.writer.start_tls(
                context, ssl_handshake_timeout=self.server.handshake_timeout
            )
        except Exception as exc:
            # Whatever the client did to break the handshake is its fault; the
            # context was made above, so no server bug can hide in here.
            self.record.tls_error = f"{type(exc).__name__}: {exc}"
            logger.debug("connection %s: TLS handshake failed: %r", self.record.id, exc)
            self.eof = True
            self.reset()
            raise ClientGone from exc

        # Streams keep their own reference to the transport for flow control.
        self.reader._transport = self.writer.transport  # type: ignore[attr-defined]
        sslobj = self.writer.get_extra_info("ssl_object")
        self.record.tls = True
        if sslobj is not None:
            self.record.tls_version = sslobj.version()
            self.record.alpn_protocol = sslobj.selected_alpn_protocol()
            self.record.server_name = getattr(sslobj, "fake_servers_sni", None)
        logger.debug(
            "connection %s: TLS up (%s, ALPN %s)",
            self.record.id,
            self.record.tls_version,
            self.record.alpn_protocol,
        )
        self.record._notify()

    def event(self, name: str, detail: str) -> None:
        """Add a protocol-level step to the log."""
        self.record._record_event(name, detail)


class ServerOptions(TypedDict, total=False):
    """The keyword options every server takes (see :class:`BaseServer`)."""

    host: str
    port: int
    ipv6: bool
    allow_non_loopback: bool
    ca: FakeCA | None
    tls: bool
    certificate: Certificate | str
    alpn: Sequence[str] | None
    handshake_timeout: float
    max_recorded_bytes: int | None
    backlog: int


class BaseServer:
    """Common behaviour of every fake server; not instantiated directly.

    A server binds loopback on a free port, serves from its own event loop on a
    background thread, and logs every connection. See the subclasses.

    Args:
        host: Where to listen. Loopback only (``127.0.0.1``, ``::1``,
            ``localhost`` for both) unless ``allow_non_loopback`` is true.
        port: 0 (the default) lets the system pick a free port; read it back
            from :attr:`port` after :meth:`start`.
        ipv6: With ``host="127.0.0.1"``, also listen on ``::1`` on the same port
            when the machine has IPv6 loopback.
        allow_non_loopback: Allow ``host`` to be another address.
        ca: The :class:`FakeCA` whose certificates are presented. A server that
            needs one (``tls=True`` or a STARTTLS server) makes its own if
            omitted, and deletes its files on :meth:`stop`.
        tls: Run TLS from the first byte.
        certificate: ``"good"``, ``"untrusted"``, ``"wrong_host"`` or
            ``"expired"`` (see :class:`FakeCA`).
        alpn: ALPN protocols the server accepts.
        handshake_timeout: Seconds a TLS handshake may take.
        max_recorded_bytes: Bytes kept in the log per direction and
            connection (counts stay exact); None keeps everything.
        backlog: The listen backlog.

    Raises:
        ValueError: a non-loopback host without ``allow_non_loopback``, a bad
            port, an unknown certificate variant or a negative cap.
    """

    #: The name used by the command line and in log messages.
    name: ClassVar[str] = "server"
    #: True if the server needs a CA even without ``tls=True`` (STARTTLS servers).
    needs_ca: ClassVar[bool] = False

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        ipv6: bool = True,
        allow_non_loopback: bool = False,
        ca: FakeCA | None = None,
        tls: bool = False,
        certificate: Certificate | str = "good",
        alpn: Sequence[str] | None = None,
        handshake_timeout: float = 10.0,
        max_recorded_bytes: int | None = DEFAULT_RECORD_LIMIT,
        backlog: int = 1024,
    ) -> None:
        if not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError(f"port must be an int from 0 to 65535, got {port!r}")
        if not allow_non_loopback and not _is_loopback(host):
            raise ValueError(
                f"refusing to bind {host!r}: fake servers bind loopback only "
                "(127.0.0.1, ::1, localhost); pass allow_non_loopback=True to "
                "expose one on another interface"
            )
        check_certificate(certificate)
        if max_recorded_bytes is not None and max_recorded_bytes < 0:
            raise ValueError(
                f"max_recorded_bytes must be >= 0 or None, got {max_recorded_bytes!r}"
            )
        self._requested_host = host
        self._requested_port = port
        self._ipv6 = ipv6
        self.tls = tls
        self.certificate = certificate
        self.alpn = list(alpn) if alpn else None
        self.handshake_timeout = handshake_timeout
        self.max_recorded_bytes = max_recorded_bytes
        self._backlog = backlog
        # A server that needs a CA and got none makes its own (deleted on stop).
        self._owns_ca = ca is None and (tls or self.needs_ca)
        self._ca = FakeCA() if self._owns_ca else ca
        self._ssl_context: ssl.SSLContext | None = None

        self._cond = threading.Condition()
        self._records: list[ConnectionRecord] = []
        self._errors: list[BaseException] = []
        self._next_id = 1
        self._sockets: list[socket.socket] = []
        self._bound: list[tuple[str, int]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._servers: list[asyncio.Server] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._conns: set[Conn] = set()
        self._stopping = False

    # -- lifecycle ---------------------------------------------------------------

    def start(self) -> Self:
        """Bind, start the background loop, and listen. Returns ``self``.

        Raises:
            RuntimeError: the server is already running.
            OSError: the address could not be bound (e.g. the port is taken).
        """
        if self._thread is not None:
            raise RuntimeError(f"{self!r} is already running; call stop() first")
        self._ssl_context = None
        self._stopping = False
        self._sockets = self._bind()
        self._bound = [s.getsockname()[:2] for s in self._sockets]

        loop = asyncio.new_event_loop()
        loop.set_exception_handler(self._loop_exception)
        self._loop = loop
        self._thread = threading.Thread(
            target=self._run_loop, name=f"fake-{self.name}-{self.port}", daemon=True
        )
        self._thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self._open(), loop).result(timeout=10)
        except BaseException:
            self.stop()
            raise
        logger.debug("%s listening on %s", self.name, self.address)
        return self

    def stop(self) -> None:
        """Stop listening, close every connection and end the loop thread.

        Safe to call twice. The log and recorded errors stay readable.
        """
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        self._stopping = True
        try:
            if loop.is_running():
                future = asyncio.run_coroutine_threadsafe(self._close(), loop)
                try:
                    future.result(timeout=10)
                except Exception as exc:  # pragma: no cover - defensive
                    self._record_error(exc)
                loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
        finally:
            if not thread.is_alive():
                loop.close()
            for sock in self._sockets:
                sock.close()
            self._sockets = []
            self._loop = None
            self._thread = None
            if self._owns_ca and self._ca is not None:
                self._ca.close()
            logger.debug("%s stopped", self.name)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        # A server failure must surface, but not hide the test's own exception.
        if exc_type is None:
            self.check()

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._thread is not None

    # -- addresses ---------------------------------------------------------------

    def _require_bound(self) -> None:
        if not self._bound:
            raise RuntimeError(f"{type(self).__name__} has no address: call start()")

    @property
    def host(self) -> str:
        """The host the server listens on, e.g. ``"127.0.0.1"``."""
        self._require_bound()
        return self._bound[0][0]

    @property
    def port(self) -> int:
        """The real port, read back after binding (never 0 once started)."""
        if not self._bound:
            return self._requested_port
        return self._bound[0][1]

    @property
    def hostport(self) -> tuple[str, int]:
        """``(host, port)``, ready for ``socket.create_connection``."""
        return (self.host, self.port)

    @property
    def address(self) -> str:
        """``host:port``; IPv6 hosts are bracketed, as in ``[::1]:8080``."""
        return format_address(self.host, self.port)

    @property
    def addresses(self) -> list[str]:
        """Every address listened on, e.g. both ``127.0.0.1:P`` and ``[::1]:P``."""
        self._require_bound()
        return [format_address(h, p) for h, p in self._bound]

    def _bind(self) -> list[socket.socket]:
        host = self._requested_host
        if host == "localhost":
            hosts = (
                ["127.0.0.1", "::1"] if _ipv6_loopback_available() else ["127.0.0.1"]
            )
        elif host == "127.0.0.1" and self._ipv6 and _ipv6_loopback_available():
            hosts = ["127.0.0.1", "::1"]
        else:
            hosts = [host]
        if len(hosts) == 1:
            return [self._bind_one(hosts[0], self._requested_port)]

        # Both loopbacks on one port: the second bind may find it taken, so a
        # random port is retried; a fixed port keeps whatever binds.
        for _attempt in range(20):
            first = self._bind_one(hosts[0], self._requested_port)
            try:
                second = self._bind_one(hosts[1], first.getsockname()[1])
            except OSError as exc:
                if self._requested_port != 0 or exc.errno != errno.EADDRINUSE:
                    logger.debug("not listening on %s: %r", hosts[1], exc)
                    return [first]
                first.close()
                continue
            return [first, second]
        return [self._bind_one(hosts[0], self._requested_port)]

    def _bind_one(self, host: str, port: int) -> socket.socket:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            self._configure_listener(sock)
            sock.bind((host, port))
        except BaseException:
            sock.close()
            raise
        sock.setblocking(False)
        return sock

    def _configure_listener(self, sock: socket.socket) -> None:
        """Hook for subclasses to set options before bind."""

    # -- the loop thread ---------------------------------------------------------

    def _run_loop(self) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        except BaseException as exc:  # pragma: no cover - defensive
            self._record_error(exc)

    async def _open(self) -> None:
        for sock in self._sockets:
            server = await asyncio.start_server(
                self._serve, sock=sock, backlog=self._backlog
            )
            self._servers.append(server)

    async def _close(self) -> None:
        for server in self._servers:
            server.close()
        self._servers = []
        tasks = [t for t in self._tasks if not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=5)
        for conn in list(self._conns):
            if not conn.writer.transport.is_closing():
                conn.writer.transport.abort()

    def _loop_exception(
        self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]
    ) -> None:
        exc = context.get("exception")
        # Transport-level noise from clients that misbehave is not a failure.
        if exc is None or isinstance(exc, OSError | ssl.SSLError | EOFError):
            logger.debug("%s: %s", self.name, context.get("message"))
            return
        self._record_error(exc)

    # -- serving -----------------------------------------------------------------

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        peer = writer.get_extra_info("peername") or ("?", 0)
        with self._cond:
            record = ConnectionRecord(
                id=self._next_id,
                peer=(peer[0], peer[1]),
                _notify=self._notify,
                _wait=self.wait_for,
            )
            record._received.limit = self.max_recorded_bytes
            record._sent.limit = self.max_recorded_bytes
            self._next_id += 1
            self._records.append(record)
            self._cond.notify_all()
        logger.debug("%s: connection %s from %s", self.name, record.id, peer)

        conn = Conn(self, reader, writer, record)
        self._conns.add(conn)
        try:
            if self.tls:
                await conn.start_tls()
            await self.handle(conn)
        except ClientGone:
            pass
        except asyncio.CancelledError:
            logger.debug("%s: connection %s cancelled by stop()", self.name, record.id)
        except Exception as exc:
            exc.add_note(f"in {self!r}, connection {record.id} from {peer}")
            record.error = exc
            self._record_error(exc)
        finally:
            try:
                await self._finish(conn)
            except BaseException as exc:
                logger.debug("%s: closing connection %s: %r", self.name, record.id, exc)
                writer.transport.abort()
            self._conns.discard(conn)
            self._tasks.discard(task)
            record.closed_at = time.monotonic()
            self._notify()
            logger.debug(
                "%s: connection %s closed (client %s, server %s)",
                self.name,
                record.id,
                record.client_end.value,
                record.server_end.value,
            )

    async def _finish(self, conn: Conn) -> None:
        """Close a connection whose handler has returned, as cleanly as possible."""
        if conn.aborted:
            return
        if self._stopping or conn.record.tls or conn.eof:
            if conn.record.server_end is End.OPEN:
                conn.record.server_end = End.FIN
            conn.writer.close()
        else:
            # Send FIN, then read until the client's FIN so that unread bytes do
            # not turn our close into an RST, and so the log learns how it ended.
            conn.write_eof()
            with contextlib.suppress(ClientGone, asyncio.TimeoutError):
                async with asyncio.timeout(2.0):
                    while await conn.read():
                        pass
            conn.writer.close()
        # A TLS close waits for the client's close_notify; stop() waits less.
        try:
            async with asyncio.timeout(0.25 if self._stopping else 1.0):
                await conn.writer.wait_closed()
        except (TimeoutError, OSError, ssl.SSLError):
            conn.writer.transport.abort()

    async def handle(self, conn: Conn) -> None:
        """Serve one connection. Subclasses implement their protocol here."""
        raise NotImplementedError

    # -- TLS ---------------------------------------------------------------------

    @property
    def has_ca(self) -> bool:
        """True if the server presents certificates (TLS or STARTTLS)."""
        return self._ca is not None

    @property
    def ca(self) -> FakeCA:
        """The CA whose certificates this server presents.

        Raises:
            RuntimeError: the server has no CA (a plain server given none).
        """
        if self._ca is None:
            raise RuntimeError(
                f"{type(self).__name__} has no CA: pass ca=FakeCA() or tls=True"
            )
        return self._ca

    @property
    def ca_file(self) -> str:
        """Path of the PEM file a client must trust (see :attr:`FakeCA.ca_file`)."""
        return self.ca.ca_file

    def client_context(self, *, alpn: Sequence[str] | None = None) -> ssl.SSLContext:
        """A verifying client context that trusts this server's CA."""
        return self.ca.client_context(alpn=alpn)

    def _tls_context(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            context = self.ca.server_context(self.certificate, alpn=self.alpn)

            def remember_sni(sslobj: Any, server_name: str | None, _ctx: Any) -> None:
                # Kept on the TLS object itself, so it dies with the connection.
                sslobj.fake_servers_sni = server_name

            context.sni_callback = remember_sni
            self._ssl_context = context
        return self._ssl_context

    # -- the log -----------------------------------------------------------------

    def _notify(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def _record_error(self, exc: BaseException) -> None:
        logger.debug("%s: server failure: %r", self.name, exc)
        with self._cond:
            self._errors.append(exc)
            self._cond.notify_all()

    @property
    def connections(self) -> list[ConnectionRecord]:
        """The log: one :class:`ConnectionRecord` per accepted connection."""
        with self._cond:
            return list(self._records)

    @property
    def open_connections(self) -> int:
        """How many logged connections the server has not finished with."""
        with self._cond:
            return sum(1 for r in self._records if not r.closed)

    @property
    def errors(self) -> list[BaseException]:
        """Failures recorded inside the server since the last :meth:`reset`."""
        with self._cond:
            return list(self._errors)

    def reset(self) -> None:
        """Clear the log and recorded errors; the server keeps running."""
        with self._cond:
            self._records.clear()
            self._errors.clear()
            self._cond.notify_all()

    def check(self) -> None:
        """Re-raise the first failure recorded inside the server, if any.

        Raises:
            BaseException: the original exception, with a note naming the server
                and connection.
        """
        with self._cond:
            first = self._errors[0] if self._errors else None
        if first is not None:
            raise first

    def wait_for(
        self, predicate: Callable[[], bool], timeout: float = 5.0, what: str = ""
    ) -> None:
        """Block until ``predicate()`` is true, re-checking on every server event.

        Args:
            predicate: Called under the server's lock; keep it cheap.
            timeout: Seconds to wait at most.
            what: Words for the error message ("3 connections").

        Raises:
            TimeoutError: ``predicate()`` stayed false for ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"{self!r}: timed out after {timeout}s waiting for "
                        f"{what or 'a condition'}"
                    )
                self._cond.wait(remaining)

    def wait_for_connections(
        self, n: int = 1, timeout: float = 5.0
    ) -> list[ConnectionRecord]:
        """Block until at least ``n`` connections have been accepted.

        Returns:
            The first ``n`` records of the log.

        Raises:
            TimeoutError: fewer arrived within ``timeout`` seconds.
        """
        self.wait_for(lambda: len(self._records) >= n, timeout, f"{n} connection(s)")
        return self.connections[:n]

    def wait_idle(self, timeout: float = 5.0) -> None:
        """Block until the server has finished with every logged connection.

        A client that has connected but not yet been accepted is not counted;
        call :meth:`wait_for_connections` first when that matters.

        Raises:
            TimeoutError: some connection was still open after ``timeout`` seconds.
        """
        self.wait_for(
            lambda: all(r.closed for r in self._records),
            timeout,
            "every connection to close",
        )

    def __repr__(self) -> str:
        where = self.address if self._bound else "not started"
        return f"<{type(self).__name__} {where}>"
