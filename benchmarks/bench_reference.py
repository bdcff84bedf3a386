"""Benchmark: the reference ``connect()`` against raw asyncio streams.

Both clients talk to the same echo server, which runs in another process, and
run in turn in the same process, so the ratio compares like with like:

- bulk: 64 KiB writes, each awaited, echoed back and read (MiB/s);
- ping-pong: a 32-byte message sent and read back, one at a time (round trips/s);
- connect: connect, wait until open, close (connections/s).

Run ``python benchmarks/bench_reference.py`` (``--quick`` for a smoke run).
Ratios are reference / asyncio; higher is better, 1.0 is parity.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

from reference_impl import connect

CHUNK = 64 * 1024
MESSAGE = b"p" * 32
TARGETS = {"bulk": 0.9, "ping-pong": 0.8, "connect": 0.8}

ECHO_SERVER = """
import asyncio, sys

class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
    def data_received(self, data):
        self.transport.write(data)
    def eof_received(self):
        return False

async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Echo, "127.0.0.1", 0, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    await loop.run_in_executor(None, sys.stdin.read)

asyncio.run(main())
"""


class EchoProcess:
    """An echo server in a child process; ends when its stdin closes."""

    def __enter__(self) -> EchoProcess:
        self.process = subprocess.Popen(
            [sys.executable, "-c", ECHO_SERVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.port = int(self.process.stdout.readline())
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# The raw asyncio baseline.


async def asyncio_bulk(port: int, total: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    chunk = b"b" * CHUNK

    async def drain_echo() -> None:
        remaining = total
        while remaining:
            data = await reader.read(1 << 20)
            remaining -= len(data)

    receiving = asyncio.create_task(drain_echo())
    for _ in range(total // CHUNK):
        writer.write(chunk)
        await writer.drain()
    await receiving
    writer.close()
    await writer.wait_closed()


async def asyncio_ping_pong(port: int, count: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for _ in range(count):
        writer.write(MESSAGE)
        await writer.drain()
        await reader.readexactly(len(MESSAGE))
    writer.close()
    await writer.wait_closed()


async def asyncio_connect(port: int, count: int) -> None:
    for _ in range(count):
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.close()
        await writer.wait_closed()


# The reference connect().


async def reference_bulk(port: int, total: int) -> None:
    sock = connect(f"127.0.0.1:{port}")
    writer = sock.writable.get_writer()
    reader = sock.readable.get_reader()
    chunk = b"b" * CHUNK

    async def drain_echo() -> None:
        remaining = total
        while remaining:
            result = await reader.read()
            remaining -= len(result.value)

    receiving = asyncio.create_task(drain_echo())
    for _ in range(total // CHUNK):
        await writer.write(chunk)
    await receiving
    await sock.close()


async def reference_ping_pong(port: int, count: int) -> None:
    sock = connect(f"127.0.0.1:{port}")
    writer = sock.writable.get_writer()
    reader = sock.readable.get_reader()
    for _ in range(count):
        await writer.write(MESSAGE)
        received = 0
        while received < len(MESSAGE):
            result = await reader.read()
            received += len(result.value)
    await sock.close()


async def reference_connect(port: int, count: int) -> None:
    for _ in range(count):
        sock = connect(f"127.0.0.1:{port}")
        await sock.opened
        await sock.close()


async def timed(run: Callable[[], Awaitable[None]]) -> float:
    start = time.perf_counter()
    await run()
    return time.perf_counter() - start


async def measure(port: int, quick: bool, rounds: int) -> dict[str, tuple]:
    total = (16 if quick else 256) * 1024 * 1024
    pings = 500 if quick else 10_000
    connects = 100 if quick else 2_000
    cases = {
        "bulk": (
            lambda: asyncio_bulk(port, total),
            lambda: reference_bulk(port, total),
            total / (1024 * 1024),
            "MiB/s",
        ),
        "ping-pong": (
            lambda: asyncio_ping_pong(port, pings),
            lambda: reference_ping_pong(port, pings),
            pings,
            "round trips/s",
        ),
        "connect": (
            lambda: asyncio_connect(port, connects),
            lambda: reference_connect(port, connects),
            connects,
            "connections/s",
        ),
    }
    results = {}
    for name, (baseline, candidate, amount, unit) in cases.items():
        # Alternate the two so that drift in the machine's speed hits both; keep
        # the best round of each.
        baseline_best = candidate_best = float("inf")
        for _ in range(rounds):
            baseline_best = min(baseline_best, await timed(baseline))
            candidate_best = min(candidate_best, await timed(candidate))
        results[name] = (amount / baseline_best, amount / candidate_best, unit)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, 1 round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    rounds = 1 if args.quick else args.rounds

    with EchoProcess() as echo:
        results = asyncio.run(measure(echo.port, args.quick, rounds))

    print("reference connect() vs raw asyncio streams")
    print(f"{'case':<10} {'asyncio':>14} {'reference':>14}  ratio  target  unit")
    for name, (baseline, candidate, unit) in results.items():
        ratio = candidate / baseline
        verdict = "ok" if ratio >= TARGETS[name] else "BELOW"
        print(
            f"{name:<10} {baseline:>14.1f} {candidate:>14.1f}  {ratio:5.2f}  "
            f">={TARGETS[name]:.1f} {verdict:<5}  {unit}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
