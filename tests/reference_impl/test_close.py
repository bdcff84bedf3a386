"""close(reason), closed, FIN and RST handling, allowHalfOpen."""

from __future__ import annotations

import asyncio

import pytest

from reference_impl import ReadResult, SocketError, connect

from .conftest import bounded, echo, read_all, read_exactly, reset, still_pending


async def silent(reader, writer):
    """Accept, then wait for the client to go away."""
    await reader.read()


async def test_close_returns_the_closed_promise_and_resolves_it(serve):
    peer = await serve(silent)
    sock = connect(peer.address)
    await bounded(sock.opened)

    result = sock.close()

    assert result is sock.closed
    assert await bounded(result) is None
    assert sock.close() is sock.closed, "a second close() returns the same promise"


async def test_close_cancels_the_readable_and_aborts_the_writable_with_reason(serve):
    peer = await serve(silent)
    sock = connect(peer.address)
    reader = sock.readable.get_reader()
    writer = sock.writable.get_writer()
    await bounded(sock.opened)
    pending_read = reader.read()
    reason = ValueError("done here")

    await bounded(sock.close(reason))

    assert await bounded(pending_read) == ReadResult(None, True)
    assert await bounded(reader.read()) == ReadResult(None, True)
    with pytest.raises(ValueError) as closed_error:
        await bounded(writer.closed)
    assert closed_error.value is reason
    with pytest.raises(ValueError):
        await bounded(writer.write(b"late"))
    late_writer_error = sock.writable._stored_error
    assert late_writer_error is reason


async def test_close_while_connecting_rejects_opened_with_the_reason():
    # close() runs before the attempt can settle (192.0.2.1 is TEST-NET-1).
    sock = connect("192.0.2.1:9")
    reason = RuntimeError("gave up")

    closed = sock.close(reason)

    with pytest.raises(RuntimeError) as opened_error:
        await bounded(sock.opened)
    assert opened_error.value is reason
    assert await bounded(closed) is None, "closed resolves even when opened rejects"


async def test_close_without_reason_rejects_pending_opened_with_socket_error():
    sock = connect("192.0.2.1:9")

    await bounded(sock.close())

    error = sock.opened.exception()
    assert isinstance(error, SocketError)
    assert error.reason is None


async def test_close_with_a_value_reason_wraps_it():
    sock = connect("192.0.2.1:9")

    await bounded(sock.close("bye"))

    error = sock.opened.exception()
    assert isinstance(error, SocketError) and error.reason == "bye"
    assert "'bye'" in str(error)


async def test_close_after_a_failed_connection_returns_the_rejected_closed():
    sock = connect("127.0.0.1:1")
    with pytest.raises(SocketError):
        await bounded(sock.opened)

    result = sock.close()

    assert result is sock.closed
    assert isinstance(result.exception(), SocketError)


async def test_close_sends_fin_to_the_peer(serve):
    seen = asyncio.get_running_loop().create_future()

    async def record(reader, writer):
        seen.set_result(await reader.read())

    peer = await serve(record)
    sock = connect(peer.address)
    writer = sock.writable.get_writer()
    await bounded(writer.write(b"last words"))

    await bounded(sock.close())

    assert await bounded(seen) == b"last words"


async def test_peer_fin_ends_the_readable_and_resolves_closed(serve):
    async def greet_and_leave(reader, writer):
        writer.write(b"bye")
        writer.write_eof()
        await reader.read()

    peer = await serve(greet_and_leave)
    sock = connect(peer.address)
    reader = sock.readable.get_reader()

    assert await read_all(reader) == b"bye"
    assert await bounded(sock.closed) is None
    writer = sock.writable.get_writer()
    with pytest.raises(TypeError):
        await bounded(writer.write(b"after FIN"))


async def test_half_open_socket_keeps_writing_after_the_peer_fin(serve):
    received = asyncio.get_running_loop().create_future()

    async def leave_then_listen(reader, writer):
        writer.write(b"my part is done")
        writer.write_eof()
        received.set_result(await reader.read())

    peer = await serve(leave_then_listen)
    sock = connect(peer.address, {"allowHalfOpen": True})
    reader = sock.readable.get_reader()
    writer = sock.writable.get_writer()

    assert await read_all(reader) == b"my part is done"
    await bounded(writer.write(b"still talking"))
    await bounded(writer.close())

    assert await bounded(received) == b"still talking"
    assert await still_pending(sock.closed), "closed waits for close() when half-open"
    await bounded(sock.close())


async def test_writer_close_half_closes_and_reading_goes_on(serve):
    peer = await serve(echo)
    sock = connect(peer.address)
    writer = sock.writable.get_writer()
    reader = sock.readable.get_reader()

    await bounded(writer.write(b"echo me"))
    await bounded(writer.close())

    assert await read_all(reader) == b"echo me"
    assert await bounded(sock.closed) is None


async def test_cancel_and_writer_close_do_not_resolve_closed(serve):
    peer = await serve(silent)
    sock = connect(peer.address, {"allowHalfOpen": True})
    await bounded(sock.opened)

    await bounded(sock.readable.cancel())
    await bounded(sock.writable.get_writer().close())

    assert await still_pending(sock.closed)
    await bounded(sock.close())


async def test_peer_reset_delivers_earlier_data_then_errors_the_readable(serve):
    async def send_then_reset(reader, writer):
        writer.write(b"partial")
        await writer.drain()
        await reader.readexactly(2)
        reset(writer)

    peer = await serve(send_then_reset)
    sock = connect(peer.address)
    reader = sock.readable.get_reader()
    writer = sock.writable.get_writer()
    assert await read_exactly(reader, 7) == b"partial"

    await bounded(writer.write(b"go"))

    with pytest.raises(SocketError, match=r"^SocketError: connection reset by peer"):
        await bounded(reader.read())
    assert await bounded(sock.closed) is None, "an RST resolves closed"
    with pytest.raises(SocketError):
        await bounded(writer.write(b"after reset"))


async def test_data_received_before_a_reset_is_not_lost(serve):
    done = asyncio.get_running_loop().create_future()

    async def burst_then_reset(reader, writer):
        writer.write(b"x" * 100_000)
        await writer.drain()
        await reader.readexactly(1)
        reset(writer)
        done.set_result(None)

    peer = await serve(burst_then_reset)
    sock = connect(peer.address)
    writer = sock.writable.get_writer()
    await bounded(writer.write(b"!"))
    await bounded(done)

    # The RST has arrived, but closed waits until the data before it is read.
    assert await still_pending(sock.closed)
    reader = sock.readable.get_reader()
    received = b""
    with pytest.raises(SocketError, match="reset"):
        while True:
            result = await bounded(reader.read())
            received += result.value
    assert received == b"x" * 100_000
    assert await bounded(sock.closed) is None
