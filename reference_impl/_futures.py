"""Small helpers around asyncio futures, the binding's counterpart of promises."""

from __future__ import annotations

import asyncio
from typing import Any


def reject_handled(future: asyncio.Future[Any], error: BaseException) -> None:
    """Reject ``future`` with ``error`` and mark the rejection as handled.

    The spec marks ``opened`` and ``closed`` as handled (#connect-section steps 2
    and 3): a rejection that nobody awaits must not be reported. Asking the
    future for its exception once is the public way to tell asyncio that the
    exception was retrieved, so no "exception was never retrieved" is logged.
    """
    if future.done():
        return
    future.set_exception(error)
    future.exception()


def resolve(future: asyncio.Future[Any], value: Any = None) -> None:
    """Resolve ``future`` unless it has already settled."""
    if not future.done():
        future.set_result(value)


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
