"""The ``Socket`` class (#socket-class) over an asyncio transport."""

from __future__ import annotations

import asyncio
import errno
import functools
import ipaddress
import logging
import os
import socket
import ssl
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reference_impl._errors import SocketError
from reference_impl._futures import Promise, reject_handled, resolve
from reference_impl._options import SocketAddress, SocketOptions, format_host_port
from reference_impl._streams import (
    UNSET,
    ReadableStream,
    WritableStream,
    reason_error,
)

if TYPE_CHECKING:
    from reference_impl._api import Connector

logger = logging.getLogger(__name__)

# The readable stops reading from the network while it holds this much unread
# data; the writable applies backpressure with this much queued.
READ_HIGH_WATER_MARK = 256 * 1024
WRITE_HIGH_WATER_MARK = 64 * 1024

# How long close() lets the connection end gracefully (the transport's buffer
# flushed, TLS close_notify exchanged) before it aborts it.
CLOSE_GRACE_SECONDS = 2.0


@dataclass(frozen=True)
class SocketInfo:
    """What ``opened`` resolves with (#socketinfo-dictionary).

    Attributes:
        remote_address: ``host:port`` of the peer (IPv6 in brackets); it may
            differ from the address given to ``connect()``.
        local_address: ``host:port`` of the local end.
        alpn: the protocol the server chose from the ``alpn`` option, or
            ``None`` when there was no list or no agreement.
    """

    remote_address: str | None = None
    local_address: str | None = None
    alpn: str | None = None


def _describe(error: BaseException) -> str:
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"TLS certificate verification failed: {error.verify_message}"
    if isinstance(error, ssl.SSLError):
        return f"TLS handshake failed: {error.reason or error}"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, ConnectionResetError):
        return "connection reset by peer"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return str(error) or type(error).__name__


def socket_error(error: BaseException, where: str) -> SocketError:
    """Wrap a low-level failure in a :class:`SocketError` naming ``where``."""
    if isinstance(error, SocketError):
        return error
    wrapped = SocketError(
        f"{_describe(error)} ({where})",
        errno=getattr(error, "errno", None),
    )
    wrapped.__cause__ = error
    return wrapped


class _Protocol(asyncio.Protocol):
    """Feeds transport events to one :class:`Socket`."""

    def __init__(self, socket: Socket) -> None:
        self.socket: Socket | None = socket

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # Called once connected (after the handshake for TLS): settling
        # ``opened`` here, rather than when create_connection() returns, saves
        # the awaiting code a turn of the event loop.
        if self.socket is not None:
            self.socket._on_open(transport)

    def data_received(self, data: bytes) -> None:
        if self.socket is not None:
            self.socket._on_data(data)

    def eof_received(self) -> bool:
        if self.socket is None:
            return False
        return self.socket._on_eof()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.socket is not None:
            self.socket._on_lost(exc)

    def pause_writing(self) -> None:
        if self.socket is not None:
            self.socket._write_paused = True

    def resume_writing(self) -> None:
        if self.socket is not None:
            self.socket._on_resume_writing()


class Socket:
    """A TCP connection made by ``connect()`` (#socket-class).

    Create sockets with ``connect()`` or ``Connector.connect()``; the
    constructor is private, as the spec leaves it to implementations.

    Contract (the spec's MUSTs and SHOULDs, in Python terms):

    - ``readable``, ``writable``, ``opened`` and ``closed`` exist from the start
      and keep their identity. Streams may be used at once; writes made before
      the connection is open are sent once it is.
    - ``opened`` resolves with a :class:`SocketInfo` once connected (after the
      TLS handshake for secure transport). If the connection fails, ``opened``
      and ``closed`` reject with one and the same :class:`SocketError`, the
      readable is cancelled and the writable aborted with it. Neither promise
      reports an unretrieved exception.
    - ``closed`` resolves on ``close()``, and, with ``allow_half_open`` false,
      once the peer's FIN or RST has been seen and the readable read to its
      end. Cancelling the readable or closing the writable does not resolve it.
    - ``close(reason)`` returns ``closed`` itself, cancels the readable and
      aborts the writable with ``reason``, and rejects a pending ``opened``.
    - ``start_tls()`` (only with ``secure_transport="starttls"``) sets
      ``upgraded``, closes this socket while keeping the connection, and
      returns a new socket that speaks TLS over it.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        connector: Connector,
        address: SocketAddress,
        options: SocketOptions,
        *,
        secure_transport: str | None = None,
    ) -> None:
        self._loop = loop
        self._connector = connector
        self._address = address
        self._options = options
        self._secure_transport = secure_transport or options.secure_transport

        self._transport: asyncio.Transport | None = None
        self._protocol = _Protocol(self)
        self._task: asyncio.Task[None] | None = None
        self._write_paused = False
        self._drain_waiter: asyncio.Future[None] | None = None
        self._waiting_write: tuple[bytes | None, asyncio.Future[None]] | None = None
        self._read_paused = False
        self._eof = False
        self._upgraded = False
        self._closing = False
        self._lost = False
        self._abort_timer: asyncio.TimerHandle | None = None
        self._plain: Socket | None = None
        self._early: tuple[socket.socket, asyncio.Future[None]] | None = None

        self._opened: Promise[SocketInfo] = Promise(loop)
        self._closed: Promise[None] = Promise(loop)
        self._readable = ReadableStream(
            loop,
            high_water_mark=READ_HIGH_WATER_MARK,
            on_pull=self._on_pull,
            on_cancel=self._on_cancel,
        )
        self._writable = WritableStream(
            loop,
            high_water_mark=WRITE_HIGH_WATER_MARK,
            write=self._sink_write,
            close=self._sink_close,
            abort=self._sink_abort,
        )

    @property
    def _where(self) -> str:
        return str(self._address)

    # The spec's attributes.

    @property
    def readable(self) -> ReadableStream:
        """The bytes the peer sends (#readable-attribute)."""
        return self._readable

    @property
    def writable(self) -> WritableStream:
        """The bytes sent to the peer (#writable-attribute)."""
        return self._writable

    @property
    def opened(self) -> Promise[SocketInfo]:
        """Resolves with :class:`SocketInfo` once connected (#opened-attribute)."""
        return self._opened

    @property
    def closed(self) -> Promise[None]:
        """Resolves once the socket is closed (#closed-attribute)."""
        return self._closed

    @property
    def upgraded(self) -> bool:
        """True once ``start_tls()`` was called on this socket (#upgraded-attribute)."""
        return self._upgraded

    @property
    def secure_transport(self) -> str:
        """``"off"``, ``"on"`` or ``"starttls"`` (proposed in spec PR #32).

        The socket returned by ``start_tls()`` reports ``"on"``.
        """
        return self._secure_transport

    def __repr__(self) -> str:
        if self._closed.done():
            state = "closed"
        elif self._opened.done():
            state = "open"
        else:
            state = "pending"
        return (
            f"<Socket {self._where} {state} "
            f"secure_transport={self._secure_transport!r}>"
        )

    # The spec's methods.

    def close(self, reason: Any = UNSET) -> Promise[None]:
        """Close the socket and its connection (#close-method).

        Args:
            reason: passed to the readable's cancel and the writable's abort;
                a pending ``opened`` rejects with it (see ``docs/binding.md``
                for how a reason that is not an exception is wrapped).

        Returns:
            The ``closed`` promise itself. It resolves once the connection
            has closed, after at most ``CLOSE_GRACE_SECONDS``.
        """
        if self._closing or self._closed.done():
            return self._closed
        self._closing = True
        logger.debug("closing socket to %s", self._address)

        # Once opened has settled (from connection_made) the task has nothing
        # left to do but return the transport, which closes below.
        if self._task is not None and not self._task.done() and not self._opened.done():
            self._task.cancel()
        self._drop_early_connect()
        plain = self._plain
        if plain is not None:
            # Not handed over yet: the plain connection is this socket's to close.
            if plain._transport is not None:
                plain._transport.close()
            if plain._task is not None and not plain._task.done():
                plain._task.cancel()
            reject_handled(plain._opened, reason_error(reason))
        self._readable._cancel(reason, quietly=True)
        if (
            not self._opened.done()
            or self._waiting_write is not None
            or not self._writable._abort_idle(reason)
        ):
            error = reason_error(reason)
            reject_handled(self._opened, error)
            self._writable._error(error)
            self._fail_waiting_write(error)
        if self._transport is None or self._lost:
            resolve(self._closed)
        else:
            # ``closed`` resolves once the connection is gone, so that nothing
            # outlives it: at once on plain TCP with nothing left to send, after
            # the close_notify exchange on TLS, and never later than the grace.
            self._transport.close()
            self._abort_timer = self._loop.call_later(
                CLOSE_GRACE_SECONDS, self._abort_transport
            )
        return self._closed

    def _abort_transport(self) -> None:
        logger.debug("connection to %s did not close in time", self._address)
        if self._transport is not None:
            self._transport.abort()
        resolve(self._closed)

    def start_tls(self) -> Socket:
        """Upgrade the connection to TLS (#starttls-method).

        Writes issued before the call still go out in plain text first; data
        received in plain text but not yet read is dropped, so that nothing
        injected before the handshake can pass for protected data.

        Returns:
            A new socket whose ``opened`` resolves after the TLS handshake.

        Raises:
            SocketError: the socket was not created with
                ``secure_transport="starttls"``, is already a TLS socket, was
                already upgraded, or is closed.
        """
        if self._secure_transport != "starttls":
            raise SocketError(
                "start_tls() needs a socket created with secureTransport "
                f"'starttls'; this one uses {self._secure_transport!r}"
            )
        if self._upgraded:
            raise SocketError(
                "start_tls() was already called on this socket; use the socket "
                "it returned"
            )
        if self._closing or self._closed.done():
            raise SocketError(f"cannot start TLS on a closed socket ({self._where})")
        if self._writable._state in ("closing", "closed"):
            # The handshake has to write, and the write side is shut (FIN).
            raise SocketError(
                "cannot start TLS after the writable was closed: the handshake "
                f"needs to send ({self._where})"
            )

        self._upgraded = True
        tls_socket = Socket(
            self._loop,
            self._connector,
            self._address,
            self._options,
            secure_transport="on",
        )
        moved = SocketError(
            "this socket was upgraded by start_tls(); use the socket it returned"
        )
        flushed = self._writable._detach(moved)
        self._closing = True
        self._readable._cancel(UNSET, quietly=True)
        resolve(self._closed)
        tls_socket._plain = self
        tls_socket._task = self._loop.create_task(
            tls_socket._upgrade(self, flushed, moved)
        )
        logger.debug("starting TLS with %s", self._address)
        return tls_socket

    # Connecting.

    def _start(self) -> None:
        self._early = self._begin_connect()
        self._task = self._loop.create_task(self._connect(self._early))

    def _begin_connect(self) -> tuple[socket.socket, asyncio.Future[None]] | None:
        """Start the TCP handshake to an IP address now, before the task runs.

        The handshake then overlaps with the event loop's turn that starts the
        connecting task. Names (which need resolving), address policies and
        event loops without ``add_writer`` take the ordinary path.
        """
        family = _ip_family(self._address.hostname)
        if family is None or self._connector._policy is not None:
            return None
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setblocking(False)
            status = sock.connect_ex((self._address.hostname, self._address.port))
            writable = self._loop.create_future()
            if status in (0, errno.EINPROGRESS):
                self._loop.add_writer(
                    sock.fileno(), _settle_writable, self._loop, sock, writable
                )
            else:
                # Raised in the task; marked as retrieved in case close() drops
                # the task before it runs.
                writable.set_exception(OSError(status, os.strerror(status)))
                writable.exception()
        except Exception:
            sock.close()
            return None
        return sock, writable

    async def _connect(
        self, early: tuple[socket.socket, asyncio.Future[None]] | None
    ) -> None:
        try:
            if early is not None:
                transport = await self._finish_early_connect(*early)
            else:
                hosts = [self._address.hostname]
                if self._connector._policy is not None:
                    hosts = await self._connector._resolve(self._address)
                transport = await self._open(hosts, self._context())
        except asyncio.CancelledError:
            if not self._closing:
                self._fail(SocketError(f"connection attempt cancelled ({self._where})"))
            raise
        except Exception as error:
            self._fail(socket_error(error, self._where))
            return
        self._on_open(transport)

    async def _finish_early_connect(
        self, sock: socket.socket, writable: asyncio.Future[None]
    ) -> asyncio.Transport:
        try:
            await writable
            status = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if status:
                raise OSError(status, os.strerror(status))
        except BaseException:
            self._drop_early_connect()
            raise
        # From here the transport owns the socket and closes it on failure.
        self._early = None
        context = self._context()
        transport, _ = await self._loop.create_connection(
            lambda: self._protocol,
            sock=sock,
            ssl=context,
            server_hostname=self._server_hostname(context),
        )
        return transport

    def _drop_early_connect(self) -> None:
        """Abandon a handshake that _begin_connect() started."""
        if self._early is None:
            return
        sock, writable = self._early
        self._early = None
        if not writable.done():
            self._loop.remove_writer(sock.fileno())
            writable.cancel()
        sock.close()

    def _context(self) -> ssl.SSLContext | None:
        if self._secure_transport != "on":
            return None
        return self._connector._tls_context(self._options.alpn)

    def _server_hostname(self, context: ssl.SSLContext | None) -> str | None:
        if context is None:
            return None
        return self._options.sni or self._address.hostname

    async def _open(
        self, hosts: list[str], context: ssl.SSLContext | None
    ) -> asyncio.Transport:
        last_error: BaseException | None = None
        for host in hosts:
            try:
                transport, _ = await self._loop.create_connection(
                    lambda: self._protocol,
                    host,
                    self._address.port,
                    ssl=context,
                    server_hostname=self._server_hostname(context),
                )
                return transport
            except (OSError, ssl.SSLError) as error:
                last_error = error
        assert last_error is not None
        raise last_error

    async def _upgrade(
        self,
        plain: Socket,
        flushed: asyncio.Future[None],
        moved: SocketError,
    ) -> None:
        transport = None
        try:
            await plain._opened
            await flushed
            plain._writable._error(moved)
            transport = plain._transport
            if transport is None or transport.is_closing():
                raise SocketError(f"the connection closed before TLS ({self._where})")
            # The plain socket stops hearing from the connection from here on.
            plain._protocol.socket = None
            plain._transport = None
            self._plain = None
            context = self._connector._tls_context(self._options.alpn)
            tls_transport = await self._loop.start_tls(
                transport,
                self._protocol,
                context,
                server_hostname=self._options.sni or self._address.hostname,
            )
        except asyncio.CancelledError:
            if plain._transport is None and transport is not None:
                transport.close()
            raise
        except Exception as error:
            if plain._transport is None and transport is not None:
                transport.close()
            self._fail(socket_error(error, self._where))
            return
        self._on_open(tls_transport)

    def _on_open(self, transport: asyncio.Transport) -> None:
        if self._transport is transport:
            return
        self._transport = transport
        if self._closing and not self._upgraded:
            transport.close()
            return
        info = SocketInfo(
            remote_address=_format(transport.get_extra_info("peername")),
            local_address=_format(transport.get_extra_info("sockname")),
            alpn=_alpn(transport),
        )
        logger.debug("connected to %s: %s", self._address, info)
        resolve(self._opened, info)
        if self._read_paused:
            transport.pause_reading()
        self._send_waiting_write()

    def _fail(self, error: SocketError) -> None:
        """The connection could not be established (#connect-section step 7)."""
        logger.debug("connection to %s failed: %s", self._address, error)
        self._closing = True
        reject_handled(self._opened, error)
        reject_handled(self._closed, error)
        self._readable._cancel(error, quietly=True)
        self._writable._error(error)
        self._fail_waiting_write(error)
        if self._transport is not None:
            self._transport.close()

    # The writable's sink.

    def _sink_write(self, data: bytes) -> asyncio.Future[None] | None:
        if self._transport is None:
            future = self._loop.create_future()
            self._waiting_write = (data, future)
            return future
        self._transport.write(data)
        return self._drain() if self._write_paused else None

    def _sink_close(self) -> asyncio.Future[None] | None:
        if self._transport is None:
            future = self._loop.create_future()
            self._waiting_write = (None, future)
            return future
        self._half_close()
        return None

    def _sink_abort(self, reason: Any) -> None:
        """Aborting the writable drops what is queued; nothing else to do."""

    def _half_close(self) -> None:
        transport = self._transport
        if transport is None or transport.is_closing():
            return
        if self._eof and not self._options.allow_half_open:
            transport.close()
        elif transport.can_write_eof():
            transport.write_eof()
        # TLS has no half-close: the write side stays open until close().

    def _drain(self) -> asyncio.Future[None]:
        if self._drain_waiter is None or self._drain_waiter.done():
            self._drain_waiter = self._loop.create_future()
        return self._drain_waiter

    def _on_resume_writing(self) -> None:
        self._write_paused = False
        if self._drain_waiter is not None:
            resolve(self._drain_waiter)

    def _send_waiting_write(self) -> None:
        if self._waiting_write is None:
            return
        data, future = self._waiting_write
        self._waiting_write = None
        if data is None:
            self._half_close()
            resolve(future)
            return
        pending = self._sink_write(data)
        if pending is None:
            resolve(future)
        else:
            pending.add_done_callback(lambda _: resolve(future))

    def _fail_waiting_write(self, error: BaseException) -> None:
        if self._waiting_write is not None:
            _, future = self._waiting_write
            self._waiting_write = None
            if not future.done():
                future.set_exception(error)
                future.exception()
        if self._drain_waiter is not None and not self._drain_waiter.done():
            self._drain_waiter.set_exception(error)
            self._drain_waiter.exception()

    # The readable's source.

    def _on_pull(self) -> None:
        if self._read_paused:
            self._read_paused = False
            if self._transport is not None and not self._transport.is_closing():
                self._transport.resume_reading()

    def _on_cancel(self, reason: Any) -> None:
        # Keep reading (and dropping) so that a FIN or RST is still noticed.
        self._on_pull()

    def _on_data(self, data: bytes) -> None:
        readable = self._readable
        readable._enqueue(data)
        if readable._desired_size <= 0 and not self._read_paused:
            self._read_paused = True
            # Before start_tls() returns there is no transport yet; _on_open
            # applies the pause then.
            if self._transport is not None:
                self._transport.pause_reading()

    def _on_eof(self) -> bool:
        """The peer sent FIN (#socketoptions-dictionary, allowHalfOpen)."""
        logger.debug("FIN from %s", self._address)
        self._eof = True
        self._readable._close()
        # TLS has no half-close: asyncio closes a TLS transport on EOF anyway.
        keep_open = self._secure_transport != "on"
        if self._options.allow_half_open or self._upgraded:
            if not keep_open and not self._upgraded:
                # The TLS transport shuts down now; later writes would vanish.
                failure = SocketError(
                    "the peer closed the TLS connection and TLS cannot stay "
                    f"half-open ({self._where})"
                )
                self._writable._error(failure)
                self._fail_waiting_write(failure)
            return keep_open
        # The writable closes too: queued writes go out, then the connection
        # closes; ``closed`` resolves once the readable has been read to its end.
        if not self._writable._close_quietly() and self._writable._state != "closing":
            self._transport.close()
        self._readable._when_finished(self._closed_by_peer)
        return keep_open

    def _closed_by_peer(self) -> None:
        if not self._closing:
            self._closing = True
            resolve(self._closed)

    def _on_lost(self, error: Exception | None) -> None:
        self._lost = True
        if self._abort_timer is not None:
            self._abort_timer.cancel()
        if self._closing:
            # close(), start_tls() or the peer's FIN has dealt with the readable;
            # writes still waiting (after a FIN, say) must not wait for ever.
            if self._writable._state in ("writable", "closing") or (
                self._waiting_write is not None
            ):
                failure = SocketError(f"the connection is closed ({self._where})")
                self._writable._error(failure)
                self._fail_waiting_write(failure)
            resolve(self._closed)
            return
        if error is None:
            logger.debug("connection to %s closed", self._address)
            self._readable._close()
            failure = SocketError(f"the connection is closed ({self._where})")
        else:
            logger.debug("connection to %s lost: %s", self._address, error)
            failure = socket_error(error, self._where)
            self._readable._error(failure)
        self._writable._error(failure)
        self._fail_waiting_write(failure)
        if not self._opened.done():
            # Lost during the TLS handshake: the connection failed.
            self._fail(failure)
            return
        # An RST resolves ``closed`` (#closed-attribute), once the data received
        # before it has been read.
        self._readable._when_finished(self._closed_by_peer)


@functools.lru_cache(maxsize=256)
def _ip_family(host: str) -> socket.AddressFamily | None:
    """``AF_INET`` or ``AF_INET6`` for an IP address literal, else ``None``."""
    try:
        version = ipaddress.ip_address(host).version
    except ValueError:
        return None
    return socket.AF_INET6 if version == 6 else socket.AF_INET


def _settle_writable(
    loop: asyncio.AbstractEventLoop, sock: socket.socket, writable: asyncio.Future[None]
) -> None:
    """The connecting socket is writable: its handshake has finished."""
    loop.remove_writer(sock.fileno())
    if not writable.done():
        writable.set_result(None)


def _format(name: Any) -> str | None:
    if isinstance(name, tuple) and len(name) >= 2:
        return format_host_port(str(name[0]), int(name[1]))
    return None


def _alpn(transport: asyncio.BaseTransport) -> str | None:
    ssl_object = transport.get_extra_info("ssl_object")
    return ssl_object.selected_alpn_protocol() if ssl_object is not None else None
