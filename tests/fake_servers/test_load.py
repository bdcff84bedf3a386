"""EchoServer under load: 1,000 concurrent clients, 256 KiB each, all intact."""

from __future__ import annotations

import asyncio
import hashlib
import os

import pytest

from fake_servers import EchoServer, End

from ._clients import connect, recv_exactly

CLIENTS = 1000
PAYLOAD = 256 * 1024
CHUNK = 32 * 1024
DEADLINE = 50.0


async def _echo_client(host: str, port: int) -> tuple[int, bytes, bytes]:
    """Send PAYLOAD random bytes while reading the echo; return both digests.

    Writing and reading run at once: a client that wrote everything first would
    deadlock with the echo once both directions' buffers fill up.
    """
    reader, writer = await asyncio.open_connection(host, port)
    sent_digest, received_digest = hashlib.sha256(), hashlib.sha256()

    async def send() -> None:
        for _ in range(PAYLOAD // CHUNK):
            chunk = os.urandom(CHUNK)
            sent_digest.update(chunk)
            writer.write(chunk)
            await writer.drain()
        writer.write_eof()

    async def receive() -> int:
        total = 0
        while chunk := await reader.read(65536):
            received_digest.update(chunk)
            total += len(chunk)
        return total

    try:
        _, total = await asyncio.gather(send(), receive())
    finally:
        writer.close()
    return total, sent_digest.digest(), received_digest.digest()


@pytest.mark.asyncio
async def test_a_thousand_concurrent_clients_get_every_byte_back() -> None:
    with EchoServer(ipv6=False, max_recorded_bytes=0) as srv:
        results = await asyncio.wait_for(
            asyncio.gather(*(_echo_client(*srv.hostport) for _ in range(CLIENTS))),
            timeout=DEADLINE,
        )

        for i, (total, sent, received) in enumerate(results):
            assert total == PAYLOAD, f"client {i} got {total} of {PAYLOAD} bytes back"
            assert received == sent, f"client {i} got different bytes back"

        await asyncio.to_thread(srv.wait_idle, 10.0)
        records = srv.connections
        assert len(records) == CLIENTS
        assert all(r.bytes_received == PAYLOAD for r in records)
        assert all(r.bytes_sent == PAYLOAD for r in records)
        assert all(r.client_end is End.FIN for r in records)
        srv.check()

        # The connections really overlapped: count how many were open at once.
        edges = sorted(
            [(r.opened_at, 1) for r in records]
            + [(r.closed_at or 0.0, -1) for r in records]
        )
        open_now = peak = 0
        for _, step in edges:
            open_now += step
            peak = max(peak, open_now)
        assert peak >= CLIENTS // 2, f"only {peak} connections were open at once"

        # Still healthy: a fresh client is served as usual.
        with connect(srv.hostport) as sock:
            sock.sendall(b"after the storm")
            assert recv_exactly(sock, 15) == b"after the storm"
