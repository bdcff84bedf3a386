"""The per-connection log a test asserts on."""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["ConnectionRecord", "End", "ProtocolEvent"]


class End(enum.Enum):
    """How one side of a connection ended, as seen by the fake server."""

    #: The side closed cleanly (a FIN, or a TLS close followed by a FIN).
    FIN = "fin"
    #: The side reset the connection (an RST).
    RST = "rst"
    #: Nothing was seen: the side was still open when the server stopped looking.
    OPEN = "open"


@dataclass(frozen=True)
class ProtocolEvent:
    """One protocol-level step of a connection, such as an SMTP command.

    Attributes:
        name: What kind of step it was, e.g. ``"command"``, ``"selector"``,
            ``"message"``, ``"starttls"``.
        detail: The step itself, e.g. ``"EHLO client.example"``.
        after_tls: True if it travelled inside TLS.
    """

    name: str
    detail: str
    after_tls: bool


class _Traffic:
    """Bytes of one direction, split at the TLS upgrade, with a size cap."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.before = bytearray()
        self.after = bytearray()
        self.count = 0
        self.truncated = False

    def add(self, data: bytes, after_tls: bool) -> None:
        self.count += len(data)
        kept = len(self.before) + len(self.after)
        if self.limit is not None and kept + len(data) > self.limit:
            data = data[: max(0, self.limit - kept)]
            self.truncated = True
        (self.after if after_tls else self.before).extend(data)


@dataclass(eq=False)
class ConnectionRecord:
    """What one accepted connection did, filled in live by the server thread.

    Read it from any thread. Byte attributes are copies taken when read, so
    they grow between two reads while the connection is open.

    Attributes:
        id: Sequence number of the connection on its server, from 1.
        peer: The client's (host, port).
        opened_at: ``time.monotonic()`` when the server accepted it.
        closed_at: ``time.monotonic()`` when the server finished with it, or None.
        client_end: How the client ended its side (FIN, RST, or still OPEN).
        server_end: How the server ended its side.
        tls: True once a TLS handshake has completed on this connection.
        tls_version: The negotiated TLS version, e.g. ``"TLSv1.3"``.
        alpn_protocol: The ALPN protocol the server selected, if any.
        server_name: The SNI host name the client sent, if any.
        tls_error: Why the TLS handshake failed, if it did (the client's fault,
            not recorded as a server failure).
        events: Protocol-level steps in order (see :class:`ProtocolEvent`).
        error: An unexpected failure inside the server on this connection, also
            re-raised by the server's ``check()``.
    """

    id: int
    peer: tuple[str, int]
    opened_at: float = field(default_factory=time.monotonic)
    closed_at: float | None = None
    client_end: End = End.OPEN
    server_end: End = End.OPEN
    tls: bool = False
    tls_version: str | None = None
    alpn_protocol: str | None = None
    server_name: str | None = None
    tls_error: str | None = None
    events: list[ProtocolEvent] = field(default_factory=list)
    error: BaseException | None = None
    _received: _Traffic = field(default_factory=lambda: _Traffic(None), repr=False)
    _sent: _Traffic = field(default_factory=lambda: _Traffic(None), repr=False)
    _notify: Callable[[], None] = field(default=lambda: None, repr=False)
    _wait: Callable[[Callable[[], bool], float, str], None] | None = field(
        default=None, repr=False
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # -- bytes -------------------------------------------------------------------

    @property
    def received(self) -> bytes:
        """Every byte received from the client (plaintext inside TLS), in order."""
        with self._lock:
            return bytes(self._received.before + self._received.after)

    @property
    def sent(self) -> bytes:
        """Every byte the server sent (plaintext inside TLS), in order."""
        with self._lock:
            return bytes(self._sent.before + self._sent.after)

    @property
    def received_before_tls(self) -> bytes:
        """Bytes received in the clear, before any TLS upgrade."""
        with self._lock:
            return bytes(self._received.before)

    @property
    def received_after_tls(self) -> bytes:
        """Bytes received inside TLS (decrypted)."""
        with self._lock:
            return bytes(self._received.after)

    @property
    def sent_before_tls(self) -> bytes:
        """Bytes sent in the clear, before any TLS upgrade."""
        with self._lock:
            return bytes(self._sent.before)

    @property
    def sent_after_tls(self) -> bytes:
        """Bytes sent inside TLS (before encryption)."""
        with self._lock:
            return bytes(self._sent.after)

    @property
    def bytes_received(self) -> int:
        """How many bytes were received, even past the recording cap."""
        return self._received.count

    @property
    def bytes_sent(self) -> int:
        """How many bytes were sent, even past the recording cap."""
        return self._sent.count

    @property
    def truncated(self) -> bool:
        """True if the recording cap dropped some bytes from the log."""
        return self._received.truncated or self._sent.truncated

    # -- protocol steps ----------------------------------------------------------

    def events_named(self, name: str) -> list[str]:
        """Return the details of every event called ``name``, in order."""
        return [e.detail for e in list(self.events) if e.name == name]

    @property
    def commands_before_tls(self) -> list[str]:
        """Protocol commands that arrived in the clear (SMTP, STARTTLS echo)."""
        return [
            e.detail
            for e in list(self.events)
            if e.name == "command" and not e.after_tls
        ]

    @property
    def commands_after_tls(self) -> list[str]:
        """Protocol commands that arrived inside TLS."""
        return [
            e.detail for e in list(self.events) if e.name == "command" and e.after_tls
        ]

    # -- state -------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True once the server has finished with this connection."""
        return self.closed_at is not None

    def wait_closed(self, timeout: float = 5.0) -> ConnectionRecord:
        """Block until the server has finished with this connection.

        Raises:
            TimeoutError: still open after ``timeout`` seconds.
        """
        self._wait_for(lambda: self.closed, timeout, f"connection {self.id} to close")
        return self

    def wait_for_received(self, nbytes: int, timeout: float = 5.0) -> ConnectionRecord:
        """Block until at least ``nbytes`` bytes have been received from the client.

        Raises:
            TimeoutError: fewer bytes arrived within ``timeout`` seconds.
        """
        self._wait_for(
            lambda: self.bytes_received >= nbytes or self.closed,
            timeout,
            f"connection {self.id} to receive {nbytes} bytes",
        )
        return self

    def _wait_for(
        self, predicate: Callable[[], bool], timeout: float, what: str
    ) -> None:
        if self._wait is None:
            raise RuntimeError("this record is not attached to a server")
        self._wait(predicate, timeout, what)

    # -- written by the server thread -------------------------------------------

    def _record_received(self, data: bytes) -> None:
        with self._lock:
            self._received.add(data, self.tls)
        self._notify()

    def _record_sent(self, data: bytes) -> None:
        with self._lock:
            self._sent.add(data, self.tls)
        self._notify()

    def _record_event(self, name: str, detail: str) -> None:
        self.events.append(ProtocolEvent(name, detail, self.tls))
        self._notify()
