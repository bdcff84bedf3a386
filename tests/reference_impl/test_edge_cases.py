"""Edge cases: cancelled waits, closing mid-upgrade, TLS without half-close.

Each of these was a bug once: the test shows the failure it guards against.
"""

from __future__ import annotations

import asyncio
import gc
import warnings
from urllib.parse import urlsplit

import pytest

from fake_servers import EchoServer, FakeCA
from reference_impl import Connector, SocketError, connect

from .conftest import bounded, never_read, still_pending


async def _eof_seen(serve):
    """A peer that reports what it read until the client's EOF."""
    loop = asyncio.get_running_loop()
    seen = loop.create_future()

    async def handler(reader, writer):
        seen.set_result(await reader.read())

    return await serve(handler), seen


async def test_tls_close_right_after_start_tls_closes_the_connection(serve, connector):
    peer, seen = await _eof_seen(serve)
    sock = connector.connect(peer.address, {"secureTransport": "starttls"})
    await bounded(sock.opened)
    tls = sock.start_tls()
    await bounded(tls.close())
    assert await bounded(seen) == b""


async def test_tls_close_while_upgrade_waits_for_open(serve, connector):
    peer, seen = await _eof_seen(serve)
    sock = connector.connect(peer.address, {"secureTransport": "starttls"})
    tls = sock.start_tls()
    await asyncio.sleep(0)  # the upgrade now waits for sock.opened
    await bounded(tls.close())
    assert await bounded(seen) == b""
    assert isinstance(sock.opened.exception(), SocketError)


@pytest.mark.parametrize("wait_for_close", [True, False])
async def test_start_tls_after_writer_close_is_refused_at_once(
    serve, connector, wait_for_close
):
    peer, _ = await _eof_seen(serve)
    sock = connector.connect(
        peer.address, {"secureTransport": "starttls", "allowHalfOpen": True}
    )
    writer = sock.writable.get_writer()
    write, closing = writer.write(b"x"), writer.close()
    if wait_for_close:
        await bounded(asyncio.gather(write, closing))

    with pytest.raises(SocketError, match="after the writable was closed"):
        sock.start_tls()

    assert sock.upgraded is False
    await bounded(asyncio.gather(write, closing))
    await bounded(sock.close())


async def test_tls_half_open_write_after_peer_close_is_not_silently_dropped(
    serve, server_context, connector
):
    received = asyncio.get_running_loop().create_future()

    async def handler(reader, writer):
        writer.close()  # close_notify: TLS cannot half-close
        try:
            received.set_result(await asyncio.wait_for(reader.read(), 2))
        except Exception:
            received.set_result(b"")

    peer = await serve(handler, ssl=server_context)
    sock = connector.connect(
        f"localhost:{peer.port}", {"secureTransport": "on", "allowHalfOpen": True}
    )
    await bounded(sock.opened)
    reader = sock.readable.get_reader()
    writer = sock.writable.get_writer()
    outcome = asyncio.get_running_loop().create_future()

    def write_when_done(_):  # as a JS .then() on read() would
        writer.write(b"important").add_done_callback(
            lambda f: outcome.set_result(f.exception())
        )

    read = reader.read()
    read.add_done_callback(write_when_done)
    assert (await bounded(read)).done
    error = await bounded(outcome)
    data = await bounded(received)
    try:
        assert error is not None or data == b"important"
    finally:
        await bounded(sock.close())


@pytest.mark.parametrize("url", ["tcp://example.com:99999", "tcp://example.com:x"])
async def test_url_address_with_bad_port_raises_type_error(url):
    with pytest.raises(TypeError):
        connect(urlsplit(url))


async def test_read_cancelled_by_timeout_loses_no_data(serve, connector):
    go = asyncio.Event()

    async def handler(reader, writer):
        await go.wait()
        writer.write(b"payload")
        await writer.drain()
        await reader.read()

    peer = await serve(handler)
    sock = connector.connect(peer.address)
    reader = sock.readable.get_reader()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(reader.read(), 0.1)  # cancels the read future
    go.set()
    result = await bounded(reader.read())
    assert result == (b"payload", False)
    await bounded(sock.close())


async def test_close_after_read_cancelled_by_timeout_does_not_raise(serve, connector):
    peer, _ = await _eof_seen(serve)
    sock = connector.connect(peer.address)
    reader = sock.readable.get_reader()
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(reader.read(), 0.1)
    await bounded(sock.close())


async def test_a_timed_out_wait_does_not_cancel_opened_or_closed(serve, connector):
    peer, _ = await _eof_seen(serve)
    sock = connector.connect(peer.address)
    await bounded(sock.opened)

    with pytest.raises(TimeoutError):
        await asyncio.wait_for(sock.closed, 0.05)

    assert await still_pending(sock.closed), "closed must not be cancelled"
    assert await bounded(sock.close()) is None
    assert (await sock.opened).remote_address == peer.address


async def test_closed_resolves_only_once_the_connection_is_gone(
    serve, connector, server_context
):
    async def upgrade_answer_and_leave(reader, writer):
        await reader.readline()
        await writer.start_tls(server_context)
        writer.write(b"bye\r\n")
        await writer.drain()
        writer.close()

    peer = await serve(upgrade_answer_and_leave)
    sock = connector.connect(f"localhost:{peer.port}", {"secureTransport": "starttls"})
    await bounded(sock.opened)
    raw_socket = sock._transport.get_extra_info("socket")
    await bounded(sock.writable.get_writer().write(b"STARTTLS\r\n"))
    tls = sock.start_tls()
    reader = tls.readable.get_reader()
    assert (await bounded(reader.read())).value == b"bye\r\n"

    await bounded(tls.close())

    assert raw_socket.fileno() == -1, "the TCP socket should be closed by now"


async def test_close_gives_up_on_a_peer_that_never_reads(serve, monkeypatch):
    import reference_impl._socket

    monkeypatch.setattr(reference_impl._socket, "CLOSE_GRACE_SECONDS", 0.2)

    peer = await serve(never_read)
    sock = connect(peer.address)
    writer = sock.writable.get_writer()
    await bounded(sock.opened)
    writes = []
    while writer.ready.done():
        writes.append(writer.write(b"w" * 65536))
        await asyncio.sleep(0)

    assert await bounded(sock.close(), 2) is None
    await bounded(asyncio.gather(*writes, return_exceptions=True))


def test_nothing_outlives_an_awaited_close_of_a_tls_socket():
    # asyncio.run() ends the loop right after close(): anything close() left
    # running is then reported as an unclosed transport. The server runs on its
    # own thread, as in real use; the race needs that timing.
    async def open_and_close(connector, address):
        # Plain awaits: the race needs close() right after opened settles.
        sock = connector.connect(address, {"secureTransport": "on"})
        await sock.opened
        await sock.close()

    with FakeCA() as ca, EchoServer(ca=ca, tls=True) as server:
        connector = Connector(cadata=ca.cert_pem)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ResourceWarning)
            for _ in range(5):
                asyncio.run(
                    asyncio.wait_for(open_and_close(connector, server.address), 10)
                )
                gc.collect()

    leaks = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert leaks == [], "close() should leave no transport behind"


async def test_timed_out_waits_do_not_pile_up_on_a_promise(serve, connector):
    peer, _ = await _eof_seen(serve)
    sock = connector.connect(peer.address)
    await bounded(sock.opened)

    for _ in range(50):
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(sock.closed, 0.001)

    assert len(sock.closed._waiters) <= 8, "timed-out waits should be dropped"
    await bounded(sock.close())


async def test_closing_before_a_failed_early_connect_runs_reports_nothing():
    loop = asyncio.get_running_loop()
    reports = []
    loop.set_exception_handler(lambda _, context: reports.append(context))
    try:
        # The broadcast address fails inside connect() itself on Linux.
        sock = connect("255.255.255.255:9")
        await bounded(sock.close())
        del sock
        gc.collect()
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(None)

    assert reports == [], f"a dropped failure was reported: {reports}"
