"""Promises and helpers around asyncio futures."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Generator
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Promise(Generic[T]):
    """A settle-once result that any number of awaiters can wait for.

    The binding's counterpart of a JavaScript promise (``opened``, ``closed``,
    ``reader.closed``, ``writer.closed``, ``writer.ready``). Unlike a bare
    :class:`asyncio.Future`, an awaiter cannot cancel it: each ``await`` waits
    on a future of its own, so ``asyncio.wait_for(sock.opened, 5)`` timing out
    cancels that wait only, and the promise still settles for everyone else,
    as a JavaScript promise would.
    """

    __slots__ = ("__weakref__", "_callbacks", "_future", "_waiters")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._future: asyncio.Future[T] = loop.create_future()
        self._waiters: list[asyncio.Future[T]] | None = None
        self._callbacks: list[tuple[Callable[..., Any], Callable[..., Any]]] = []

    def __await__(self) -> Generator[Any, None, T]:
        future: asyncio.Future[T] = self._future
        if not future.done():
            # Settled together with the promise (see _settle), so waiting costs
            # no more turns of the event loop than awaiting a future does.
            future = future.get_loop().create_future()
            if self._waiters is None:
                self._waiters = [future]
            else:
                if len(self._waiters) >= 8:
                    # Drop the waits that timed out, so polling stays bounded.
                    self._waiters = [w for w in self._waiters if not w.done()]
                self._waiters.append(future)
        return future.__await__()

    def _settle(self, value: Any = None, error: BaseException | None = None):
        future = self._future
        if future.done():
            return
        if error is None:
            future.set_result(value)
        else:
            future.set_exception(error)
            # Marked as handled: nobody has to await a rejected promise.
            future.exception()
        waiters, self._waiters = self._waiters or (), None
        for waiter in waiters:
            if waiter.done():
                continue
            if error is None:
                waiter.set_result(value)
            else:
                waiter.set_exception(error)

    def done(self) -> bool:
        """Whether the promise has settled."""
        return self._future.done()

    def result(self) -> T:
        """The value; raises the rejection, or ``InvalidStateError`` if pending."""
        return self._future.result()

    def exception(self) -> BaseException | None:
        """The rejection, or ``None``; ``InvalidStateError`` if still pending."""
        return self._future.exception()

    def add_done_callback(self, callback: Callable[[Promise[T]], Any]) -> None:
        """Call ``callback(promise)`` once settled, as with a future."""

        def call(_: asyncio.Future[T]) -> None:
            callback(self)

        self._callbacks.append((callback, call))
        self._future.add_done_callback(call)

    def remove_done_callback(self, callback: Callable[[Promise[T]], Any]) -> int:
        """Forget ``callback``; returns how many registrations were removed."""
        removed = 0
        for pair in [pair for pair in self._callbacks if pair[0] == callback]:
            self._callbacks.remove(pair)
            removed += self._future.remove_done_callback(pair[1])
        return removed

    def __repr__(self) -> str:
        future = self._future
        if not future.done():
            state = "pending"
        elif future.exception() is not None:
            state = f"rejected {future.exception()!r}"
        else:
            state = f"resolved {future.result()!r}"
        return f"<Promise {state}>"


def reject_handled(target: Promise[Any] | asyncio.Future[Any], error: BaseException):
    """Reject ``target`` with ``error`` and mark the rejection as handled.

    The spec marks ``opened`` and ``closed`` as handled (#connect-section steps 2
    and 3): a rejection that nobody awaits must not be reported. Asking the
    future for its exception once is the public way to tell asyncio that the
    exception was retrieved, so no "exception was never retrieved" is logged.
    """
    if isinstance(target, Promise):
        target._settle(error=error)
    elif not target.done():
        target.set_exception(error)
        target.exception()


def resolve(target: Promise[Any] | asyncio.Future[Any], value: Any = None) -> None:
    """Resolve ``target`` unless it has already settled."""
    if isinstance(target, Promise):
        target._settle(value)
    elif not target.done():
        target.set_result(value)


def rejected_future(
    loop: asyncio.AbstractEventLoop, error: BaseException, *, handled: bool = False
) -> asyncio.Future[Any]:
    """Return a new future already rejected with ``error``."""
    future = loop.create_future()
    future.set_exception(error)
    if handled:
        future.exception()
    return future


def resolved_future(loop: asyncio.AbstractEventLoop, value: Any = None):
    """Return a new future already resolved with ``value``."""
    future = loop.create_future()
    future.set_result(value)
    return future
