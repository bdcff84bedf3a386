"""Helpers shared by the conformance tests: bounded waits and stream reading."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

import pytest

WAIT = 10.0
"""Seconds a single network event may take before the test fails."""


async def bounded(awaitable: Awaitable[Any], seconds: float = WAIT) -> Any:
    """Await ``awaitable``; fail the test, rather than hang, after ``seconds``."""
    __tracebackhide__ = True
    try:
        return await asyncio.wait_for(asyncio.shield(awaitable), seconds)
    except TimeoutError:
        pytest.fail(f"nothing happened within {seconds} s")


async def settled_error(future: Awaitable[Any]) -> BaseException:
    """The exception ``future`` rejects with; fails the test if it resolves."""
    __tracebackhide__ = True
    try:
        value = await bounded(future)
    except Exception as error:
        return error
    pytest.fail(f"expected a rejection, got the value {value!r}")


async def read_exactly(reader: Any, size: int) -> bytes:
    """Read until ``size`` bytes have arrived; chunk boundaries do not matter."""
    data = b""
    while len(data) < size:
        result = await bounded(reader.read())
        assert not result.done, f"the readable ended after {len(data)} of {size} bytes"
        data += bytes(result.value)
    return data


async def read_to_end(reader: Any) -> bytes:
    """Read until the readable reports ``done``."""
    chunks = []
    while not (result := await bounded(reader.read())).done:
        chunks.append(bytes(result.value))
    return b"".join(chunks)
