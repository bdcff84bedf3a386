"""Byte streams with the WHATWG Streams semantics that the Sockets API relies on.

Only what a socket needs is here: a readable stream fed by the connection and a
writable stream that drains into it, each with an exclusive reader or writer
lock, cancel/abort with a reason, and backpressure. The names follow the
Streams Standard in snake_case (``get_reader``, ``release_lock``,
``desired_size``). The readers' and writers' ``closed`` and ``ready`` are
:class:`~reference_impl.Promise` objects; ``read()`` and ``write()`` return
one-shot :class:`asyncio.Future` objects.

Two deliberate differences from the Standard, both so that no byte is lost:

- When the connection fails after data arrived, the readable first hands out
  the data it already holds and only then reports the error (the Standard's
  ``controller.error()`` would discard the queue).
- A write of something that is not bytes-like rejects that one write with
  ``TypeError`` and leaves the stream usable (the Standard would error it).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any, NamedTuple

from reference_impl._errors import SocketError
from reference_impl._futures import (
    Promise,
    reject_handled,
    rejected_future,
    resolve,
    resolved_future,
)

UNSET: Any = type("Unset", (), {"__repr__": lambda self: "UNSET"})()
"""The "argument not given" marker, distinct from ``None``."""


class ReadResult(NamedTuple):
    """The outcome of :meth:`ReadableStreamDefaultReader.read`.

    Attributes:
        value: the bytes received, or ``None`` once ``done`` is true.
        done: true when the stream is closed and holds no more data.
    """

    value: bytes | None
    done: bool


_DONE = ReadResult(None, True)


def _lock_error(what: str) -> TypeError:
    return TypeError(
        f"the stream is locked to another {what}; call release_lock() on it first"
    )


def _released_error(what: str) -> TypeError:
    return TypeError(f"this {what} has released its lock on the stream")


class ReadableStream:
    """The socket's ``readable`` (#readable-attribute).

    Data from the peer is queued here until a reader asks for it. While the
    queue holds more than ``high_water_mark`` bytes the connection stops
    reading from the network, so a slow consumer slows the peer down instead of
    filling memory.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        high_water_mark: int,
        on_pull: Callable[[], None],
        on_cancel: Callable[[Any], None],
    ) -> None:
        self._loop = loop
        self._high_water_mark = high_water_mark
        self._on_pull = on_pull
        self._on_cancel = on_cancel
        self._state = "readable"  # then "closed" or "errored"
        self._queue: deque[bytes] = deque()
        self._queued_bytes = 0
        self._close_requested = False
        self._pending_error: BaseException | None = None
        self._stored_error: BaseException | None = None
        self._reader: ReadableStreamDefaultReader | None = None
        self._on_drained: list[Callable[[], None]] = []

    @property
    def locked(self) -> bool:
        """Whether a reader holds the lock on this stream."""
        return self._reader is not None

    def get_reader(self) -> ReadableStreamDefaultReader:
        """Lock the stream and return its reader.

        Raises:
            TypeError: the stream is already locked.
        """
        if self._reader is not None:
            raise _lock_error("reader")
        self._reader = ReadableStreamDefaultReader(self)
        return self._reader

    def cancel(self, reason: Any = UNSET) -> asyncio.Future[None]:
        """Cancel the stream: drop queued data and stop reading.

        Returns a future that resolves once cancelled, or rejects with
        ``TypeError`` when the stream is locked to a reader.
        """
        if self._reader is not None:
            return rejected_future(self._loop, _lock_error("reader"))
        return self._cancel(reason)

    def values(self, *, prevent_cancel: bool = False) -> AsyncIterator[bytes]:
        """Iterate over the received chunks; the stream is locked meanwhile.

        Leaving the loop early (``break``, an exception) cancels the stream
        unless ``prevent_cancel`` is true. Python finalises an abandoned async
        generator on the next turn of the event loop; wrap the iterator in
        :func:`contextlib.aclosing` to release the lock at once.
        """
        return self._iterate(prevent_cancel)

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._iterate(False)

    async def _iterate(self, prevent_cancel: bool) -> AsyncIterator[bytes]:
        reader = self.get_reader()
        try:
            while True:
                result = await reader.read()
                if result.done:
                    return
                yield result.value
        except GeneratorExit:
            # The loop was left early.
            if not prevent_cancel:
                reader.cancel()
            raise
        finally:
            reader.release_lock()

    # The controller side, used by the socket.

    @property
    def _desired_size(self) -> int:
        return self._high_water_mark - self._queued_bytes

    def _enqueue(self, chunk: bytes) -> None:
        if self._state != "readable" or self._close_requested:
            return
        reader = self._reader
        while reader is not None and reader._read_requests:
            request = reader._read_requests.popleft()
            if not request.done():  # a read cancelled by a timeout gets nothing
                request.set_result(ReadResult(chunk, False))
                return
        self._queue.append(chunk)
        self._queued_bytes += len(chunk)

    def _close(self) -> None:
        """End of data: readers get what is queued, then ``done``."""
        if self._state != "readable" or self._close_requested:
            return
        self._close_requested = True
        if not self._queue:
            self._finish()

    def _error(self, error: BaseException) -> None:
        """Fail the stream once the data already queued has been read."""
        if self._state != "readable" or self._close_requested:
            return
        self._close_requested = True
        self._pending_error = error
        if not self._queue:
            self._finish()

    def _cancel(self, reason: Any, *, quietly: bool = False) -> Any:
        """Cancel; ``quietly`` skips making the future that reports the outcome."""
        if self._state == "closed":
            return None if quietly else resolved_future(self._loop)
        if self._state == "errored":
            if quietly:
                return None
            return rejected_future(self._loop, self._stored_error, handled=True)
        self._queue.clear()
        self._queued_bytes = 0
        self._pending_error = None
        self._finish()
        self._on_cancel(reason)
        return None if quietly else resolved_future(self._loop)

    def _finish(self) -> None:
        reader = self._reader
        error = self._pending_error
        if error is None:
            self._state = "closed"
            if reader is not None:
                while reader._read_requests:
                    resolve(reader._read_requests.popleft(), _DONE)
                resolve(reader._closed)
        else:
            self._state = "errored"
            self._stored_error = error
            if reader is not None:
                while reader._read_requests:
                    request = reader._read_requests.popleft()
                    if not request.done():
                        request.set_exception(error)
                reject_handled(reader._closed, error)
        callbacks, self._on_drained = self._on_drained, []
        for callback in callbacks:
            callback()

    def _when_finished(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once the stream is closed or errored and drained."""
        if self._state == "readable":
            self._on_drained.append(callback)
        else:
            callback()


class ReadableStreamDefaultReader:
    """The exclusive reader of a :class:`ReadableStream`."""

    def __init__(self, stream: ReadableStream) -> None:
        self._stream: ReadableStream | None = stream
        self._loop = stream._loop
        self._read_requests: deque[asyncio.Future[ReadResult]] = deque()
        self._closed: Promise[None] = Promise(self._loop)
        if stream._state == "closed":
            resolve(self._closed)
        elif stream._state == "errored":
            reject_handled(self._closed, stream._stored_error)

    @property
    def closed(self) -> Promise[None]:
        """Resolves when the stream closes; rejects when it errors or on release."""
        return self._closed

    def read(self) -> asyncio.Future[ReadResult]:
        """Return a future for the next chunk (``ReadResult(value, done)``)."""
        stream = self._stream
        if stream is None:
            return rejected_future(self._loop, _released_error("reader"))
        future = self._loop.create_future()
        if stream._queue:
            chunk = stream._queue.popleft()
            stream._queued_bytes -= len(chunk)
            future.set_result(ReadResult(chunk, False))
            if stream._close_requested:
                if not stream._queue:
                    stream._finish()
            elif stream._queued_bytes < stream._high_water_mark:
                stream._on_pull()
        elif stream._state == "closed":
            future.set_result(_DONE)
        elif stream._state == "errored":
            future.set_exception(stream._stored_error)
        else:
            self._read_requests.append(future)
            stream._on_pull()
        return future

    def cancel(self, reason: Any = UNSET) -> asyncio.Future[None]:
        """Cancel the stream through this reader (see :meth:`ReadableStream.cancel`)."""
        if self._stream is None:
            return rejected_future(self._loop, _released_error("reader"))
        return self._stream._cancel(reason)

    def release_lock(self) -> None:
        """Unlock the stream; pending reads reject with ``TypeError``."""
        stream = self._stream
        if stream is None:
            return
        error = _released_error("reader")
        while self._read_requests:
            request = self._read_requests.popleft()
            if not request.done():
                request.set_exception(error)
        if self._closed.done():
            self._closed = Promise(self._loop)
        reject_handled(self._closed, error)
        stream._reader = None
        self._stream = None


def _as_bytes(chunk: Any) -> bytes:
    if isinstance(chunk, bytes):
        return chunk
    if isinstance(chunk, str):
        raise TypeError(
            "the writable takes bytes-like chunks, not str; "
            f"encode the text first (for example {chunk[:20]!r}.encode())"
        )
    try:
        view = memoryview(chunk)
    except TypeError:
        raise TypeError(
            f"the writable takes bytes-like chunks, not {type(chunk).__name__}"
        ) from None
    # A snapshot: the caller may reuse a bytearray as soon as write() returns.
    return view.tobytes()


class WritableStream:
    """The socket's ``writable`` (#writable-attribute).

    Writes are handed to the connection one at a time, in order. A write's
    future resolves once the connection has taken the bytes and its send buffer
    is below its high-water mark, so awaiting each write paces the writer to the
    network.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        high_water_mark: int,
        write: Callable[[bytes], asyncio.Future[None] | None],
        close: Callable[[], asyncio.Future[None] | None],
        abort: Callable[[Any], None],
    ) -> None:
        self._loop = loop
        self._sink_write = write
        self._sink_close = close
        self._sink_abort = abort
        self._high_water_mark = high_water_mark
        self._state = "writable"  # then "closing", "closed" or "errored"
        self._error_value: BaseException | None = None
        self._error_reason: Any = UNSET
        self._queue: deque[tuple[bytes | None, asyncio.Future[None]]] = deque()
        self._queued_bytes = 0
        self._in_flight: asyncio.Future[None] | None = None
        self._writer: WritableStreamDefaultWriter | None = None
        self._detach_error: BaseException | None = None
        self._on_idle: list[asyncio.Future[None]] = []

    @property
    def locked(self) -> bool:
        """Whether a writer holds the lock on this stream."""
        return self._writer is not None

    def get_writer(self) -> WritableStreamDefaultWriter:
        """Lock the stream and return its writer.

        Raises:
            TypeError: the stream is already locked.
        """
        if self._writer is not None:
            raise _lock_error("writer")
        self._writer = WritableStreamDefaultWriter(self)
        return self._writer

    def abort(self, reason: Any = UNSET) -> asyncio.Future[None]:
        """Abort the stream: queued writes are dropped and reject with ``reason``."""
        if self._writer is not None:
            return rejected_future(self._loop, _lock_error("writer"))
        return self._abort(reason)

    def close(self) -> asyncio.Future[None]:
        """Close the stream once every queued write has gone out."""
        if self._writer is not None:
            return rejected_future(self._loop, _lock_error("writer"))
        return self._close()

    # Internals shared by the stream and its writer.

    @property
    def _stored_error(self) -> BaseException | None:
        # Made on first use: a socket closed with nothing queued and no writer
        # never needs it, and closing is on the hot path of every connection.
        if self._error_value is None and self._state == "errored":
            self._error_value = reason_error(self._error_reason)
        return self._error_value

    def _abort_idle(self, reason: Any) -> bool:
        """Abort with ``reason`` if nothing observes it yet; False otherwise."""
        if (
            self._state != "writable"
            or self._writer is not None
            or self._queue
            or self._in_flight is not None
            or self._on_idle
        ):
            return False
        self._state = "errored"
        self._error_reason = reason
        return True

    @property
    def _desired_size(self) -> int | None:
        if self._state == "errored":
            return None
        if self._state == "closed":
            return 0
        return self._high_water_mark - self._queued_bytes

    def _write(self, chunk: Any) -> asyncio.Future[None]:
        if self._detach_error is not None:
            return rejected_future(self._loop, self._detach_error)
        if self._state == "errored":
            return rejected_future(self._loop, self._stored_error)
        if self._state != "writable":
            return rejected_future(
                self._loop, TypeError("the writable is closed; no more writes")
            )
        try:
            data = _as_bytes(chunk)
        except TypeError as error:
            return rejected_future(self._loop, error)
        future = self._loop.create_future()
        if self._in_flight is None and not self._queue:
            self._start(data, future)
        else:
            self._queue.append((data, future))
            self._queued_bytes += len(data)
        self._update_backpressure()
        return future

    def _start(self, data: bytes, future: asyncio.Future[None]) -> None:
        pending = self._sink_write(data)
        if pending is None:
            future.set_result(None)
            return
        self._in_flight = future
        pending.add_done_callback(lambda done: self._write_done(done, future))

    def _write_done(self, done: asyncio.Future[Any], future: asyncio.Future[None]):
        self._in_flight = None
        error = None if done.cancelled() else done.exception()
        if self._state == "errored":
            return
        if error is not None:
            if not future.done():
                future.set_exception(error)
            self._error(error)
            return
        resolve(future)
        self._advance()

    def _advance(self) -> None:
        while self._in_flight is None and self._queue:
            data, future = self._queue.popleft()
            if data is None:
                self._finish_close(future)
                break
            self._queued_bytes -= len(data)
            self._start(data, future)
        self._update_backpressure()
        self._notify_idle()

    def _notify_idle(self) -> None:
        if self._in_flight is None and not self._queue:
            idle, self._on_idle = self._on_idle, []
            for waiter in idle:
                resolve(waiter)

    def _close(self) -> asyncio.Future[None]:
        if self._state == "errored":
            return rejected_future(self._loop, self._stored_error)
        if self._state != "writable" or self._detach_error is not None:
            return rejected_future(
                self._loop, TypeError("the writable is already closed or closing")
            )
        self._state = "closing"
        future = self._loop.create_future()
        self._queue.append((None, future))
        self._advance()
        return future

    def _close_quietly(self) -> bool:
        """Close from inside the socket; False when the stream was not writable."""
        if self._state != "writable" or self._detach_error is not None:
            return False
        future = self._close()
        future.add_done_callback(lambda done: done.cancelled() or done.exception())
        return True

    def _finish_close(self, future: asyncio.Future[None]) -> None:
        pending = self._sink_close()

        def finished(done: asyncio.Future[Any] | None = None) -> None:
            if self._in_flight is future:
                self._in_flight = None
            error = None if done is None or done.cancelled() else done.exception()
            if error is not None:
                if not future.done():
                    future.set_exception(error)
                self._error(error)
                return
            self._state = "closed"
            resolve(future)
            if self._writer is not None:
                resolve(self._writer._closed)
                resolve(self._writer._ready)
            self._notify_idle()

        if pending is None:
            finished()
        else:
            self._in_flight = future
            pending.add_done_callback(finished)

    def _abort(self, reason: Any) -> asyncio.Future[None]:
        if self._state in ("closed", "errored"):
            return resolved_future(self._loop)
        self._error(reason_error(reason))
        self._sink_abort(reason)
        return resolved_future(self._loop)

    def _error(self, error: BaseException) -> None:
        """Error the stream: every queued write rejects with ``error``."""
        if self._state in ("closed", "errored"):
            return
        self._state = "errored"
        self._error_value = error
        in_flight, self._in_flight = self._in_flight, None
        if in_flight is not None and not in_flight.done():
            in_flight.set_exception(error)
        while self._queue:
            _, future = self._queue.popleft()
            if not future.done():
                future.set_exception(error)
        self._queued_bytes = 0
        writer = self._writer
        if writer is not None:
            reject_handled(writer._closed, error)
            if writer._ready.done():
                writer._ready = Promise(self._loop)
            reject_handled(writer._ready, error)
        idle, self._on_idle = self._on_idle, []
        for waiter in idle:
            resolve(waiter)

    def _detach(self, error: BaseException) -> asyncio.Future[None]:
        """Refuse new writes; resolve once the queued ones have gone out.

        Used by ``start_tls()``: writes issued before the call still travel in
        plain text, later ones reject with ``error``.
        """
        self._detach_error = error
        waiter = self._loop.create_future()
        if self._in_flight is None and not self._queue:
            resolve(waiter)
        else:
            self._on_idle.append(waiter)
        return waiter

    def _update_backpressure(self) -> None:
        writer = self._writer
        if writer is None or self._state != "writable":
            return
        if self._queued_bytes >= self._high_water_mark:
            if writer._ready.done():
                writer._ready = Promise(self._loop)
        else:
            resolve(writer._ready)


def reason_error(reason: Any) -> BaseException:
    """The exception that stands for a cancel/abort/close ``reason``.

    JavaScript rejects promises with any value; a future needs an exception.
    An exception given as the reason is used as it is; any other value is
    wrapped in :class:`~reference_impl.SocketError` and kept as its ``reason``
    attribute. No reason at all gives a ``SocketError`` with ``reason = None``.
    """
    if isinstance(reason, BaseException):
        return reason
    if reason is UNSET:
        error = SocketError("the socket was closed")
        error.reason = None
    else:
        error = SocketError(f"the socket was closed: {reason!r}")
        error.reason = reason
    return error


class WritableStreamDefaultWriter:
    """The exclusive writer of a :class:`WritableStream`."""

    def __init__(self, stream: WritableStream) -> None:
        self._stream: WritableStream | None = stream
        self._loop = stream._loop
        self._closed: Promise[None] = Promise(self._loop)
        self._ready: Promise[None] = Promise(self._loop)
        if stream._state == "errored":
            reject_handled(self._closed, stream._stored_error)
            reject_handled(self._ready, stream._stored_error)
        elif stream._state == "closed":
            resolve(self._closed)
            resolve(self._ready)
        elif (stream._desired_size or 0) > 0:
            resolve(self._ready)

    @property
    def closed(self) -> Promise[None]:
        """Resolves when the stream closes; rejects when it errors or on release."""
        return self._closed

    @property
    def ready(self) -> Promise[None]:
        """Resolves when the stream wants more data (``desired_size > 0``)."""
        return self._ready

    @property
    def desired_size(self) -> int | None:
        """Bytes the stream can take before it applies backpressure.

        ``None`` when the stream has errored, ``0`` once it is closed.

        Raises:
            TypeError: the writer has released its lock.
        """
        if self._stream is None:
            raise _released_error("writer")
        return self._stream._desired_size

    def write(self, chunk: Any) -> asyncio.Future[None]:
        """Queue ``chunk`` (bytes-like) and return a future for its delivery."""
        if self._stream is None:
            return rejected_future(self._loop, _released_error("writer"))
        return self._stream._write(chunk)

    def close(self) -> asyncio.Future[None]:
        """Close the stream after the queued writes (a FIN on plain TCP)."""
        if self._stream is None:
            return rejected_future(self._loop, _released_error("writer"))
        return self._stream._close()

    def abort(self, reason: Any = UNSET) -> asyncio.Future[None]:
        """Abort the stream (see :meth:`WritableStream.abort`)."""
        if self._stream is None:
            return rejected_future(self._loop, _released_error("writer"))
        return self._stream._abort(reason)

    def release_lock(self) -> None:
        """Unlock the stream; queued writes still go out."""
        stream = self._stream
        if stream is None:
            return
        error = _released_error("writer")
        for attribute in ("_closed", "_ready"):
            future = getattr(self, attribute)
            if future.done():
                future = Promise(self._loop)
                setattr(self, attribute, future)
            reject_handled(future, error)
        stream._writer = None
        self._stream = None
