"""The readable and writable: locks, iteration, chunk types, backpressure."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

import reference_impl._socket
from reference_impl import ReadResult, connect

from .conftest import bounded, echo, never_read, read_exactly, still_pending


async def test_a_locked_readable_refuses_a_second_reader(serve):
    peer = await serve(echo)
    sock = connect(peer.address)
    reader = sock.readable.get_reader()

    assert sock.readable.locked
    with pytest.raises(TypeError, match="locked to another reader"):
        sock.readable.get_reader()
    with pytest.raises(TypeError, match="locked"):
        await bounded(sock.readable.cancel())

    reader.release_lock()
    assert not sock.readable.locked
    sock.readable.get_reader()
    await bounded(sock.close())


async def test_release_lock_rejects_pending_reads_and_keeps_the_data(serve):
    peer = await serve(echo)
    sock = connect(peer.address)
    reader = sock.readable.get_reader()
    pending = reader.read()

    reader.release_lock()

    with pytest.raises(TypeError, match="released its lock"):
        await bounded(pending)
    with pytest.raises(TypeError, match="released its lock"):
        await bounded(reader.closed)
    with pytest.raises(TypeError, match="released its lock"):
        await bounded(reader.read())
    writer = sock.writable.get_writer()
    await bounded(writer.write(b"kept"))
    assert await read_exactly(sock.readable.get_reader(), 4) == b"kept"
    await bounded(sock.close())


async def test_a_locked_writable_refuses_a_second_writer(serve):
    peer = await serve(echo)
    sock = connect(peer.address)
    writer = sock.writable.get_writer()

    with pytest.raises(TypeError, match="locked to another writer"):
        sock.writable.get_writer()
    with pytest.raises(TypeError, match="locked"):
        await bounded(sock.writable.abort())
    with pytest.raises(TypeError, match="locked"):
        await bounded(sock.writable.close())

    writer.release_lock()
    with pytest.raises(TypeError, match="released its lock"):
        await bounded(writer.write(b"x"))
    with pytest.raises(TypeError, match="released its lock"):
        _ = writer.desired_size
    sock.writable.get_writer()
    await bounded(sock.close())


async def test_writing_text_rejects_that_write_and_keeps_the_stream(serve):
    peer = await serve(echo)
    sock = connect(peer.address)
    writer = sock.writable.get_writer()
    reader = sock.readable.get_reader()

    with pytest.raises(TypeError, match=r"encode the text first"):
        await bounded(writer.write("text"))
    with pytest.raises(TypeError, match="bytes-like chunks, not int"):
        await bounded(writer.write(42))
    await bounded(writer.write(memoryview(b"still fine")))

    assert await read_exactly(reader, 10) == b"still fine"
    await bounded(sock.close())


async def test_async_iteration_yields_every_chunk_until_fin(serve):
    peer = await serve(echo)
    sock = connect(peer.address)
    writer = sock.writable.get_writer()
    await bounded(writer.write(b"a" * 300_000))
    await bounded(writer.close())

    received = bytearray()
    async with asyncio.timeout(5):
        async for chunk in sock.readable:
            received += chunk

    assert received == b"a" * 300_000
    assert not sock.readable.locked, "a finished iteration releases the lock"


async def test_leaving_iteration_early_cancels_the_readable(serve):
    peer = await serve(echo)
    sock = connect(peer.address)
    writer = sock.writable.get_writer()
    await bounded(writer.write(b"one"))

    async with asyncio.timeout(5):
        async with contextlib.aclosing(sock.readable.values()) as chunks:
            async for chunk in chunks:
                assert chunk == b"one"
                break

    assert not sock.readable.locked
    reader = sock.readable.get_reader()
    assert await bounded(reader.read()) == ReadResult(None, True)
    await bounded(sock.close())


async def test_writes_apply_backpressure_when_the_peer_stops_reading(
    serve, monkeypatch
):
    # The peer never drains what was sent, so close() ends by aborting.
    monkeypatch.setattr(reference_impl._socket, "CLOSE_GRACE_SECONDS", 0.1)

    peer = await serve(never_read)
    sock = connect(peer.address)
    writer = sock.writable.get_writer()
    await bounded(sock.opened)
    chunk = b"z" * 65536

    writes = []
    for _ in range(1000):
        writes.append(writer.write(chunk))
        await asyncio.sleep(0)
        if not writer.ready.done():
            break

    assert not writer.ready.done(), "ready should wait while the peer reads nothing"
    assert writer.desired_size <= 0
    assert await still_pending(writes[-1])
    await bounded(sock.close())
    await bounded(asyncio.gather(*writes, return_exceptions=True))


async def test_abort_rejects_queued_writes_with_the_reason(serve):

    peer = await serve(never_read)
    sock = connect(peer.address)
    writer = sock.writable.get_writer()
    queued = [writer.write(b"q" * 65536) for _ in range(200)]
    reason = ConnectionAbortedError("stop")

    await bounded(writer.abort(reason))

    results = await bounded(asyncio.gather(*queued, return_exceptions=True))
    assert any(result is reason for result in results)
    with pytest.raises(ConnectionAbortedError):
        await bounded(writer.closed)
    assert writer.desired_size is None
    await bounded(sock.close())
