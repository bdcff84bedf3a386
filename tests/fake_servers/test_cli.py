"""``python -m fake_servers``: prints where it listens, runs until SIGTERM."""

from __future__ import annotations

import os
import select
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from fake_servers.__main__ import main

from ._clients import connect, connect_tls, recv_all, recv_exactly


class _Lines:
    """Lines of a child's stdout, each read bounded by a timeout."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        self.fd = proc.stdout.fileno()
        self.buffer = b""

    def next(self, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([self.fd], [], [], max(0.0, remaining))
            assert ready, f"no complete line within {timeout}s: {self.buffer!r}"
            chunk = os.read(self.fd, 4096)
            assert chunk, f"output ended mid-line: {self.buffer!r}"
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.decode()


@contextmanager
def _cli(*args: str) -> Iterator[tuple[subprocess.Popen[bytes], dict[str, str]]]:
    """Run the command line; yield it and its ``key: value`` announcement."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "fake_servers", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    lines = _Lines(proc)
    try:
        info: dict[str, str] = {}
        line = lines.next()
        assert line.startswith("address: "), f"first line names the address: {line}"
        info["address"] = line.removeprefix("address: ")
        wants_ca = "--tls" in args or args[0] in ("smtp", "postgres", "starttls-echo")
        while wants_ca and "ca-file" not in info:
            key, _, value = lines.next().partition(": ")
            info[key] = value
        yield proc, info
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)


def _hostport(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port)


def test_cli_echo_serves_until_sigterm_and_exits_cleanly() -> None:
    with _cli("echo", "--greeting", "hello ") as (proc, info):
        with connect(_hostport(info["address"])) as sock:
            assert recv_exactly(sock, 6) == b"hello "
            sock.sendall(b"cli")
            assert recv_exactly(sock, 3) == b"cli"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_cli_tls_prints_a_ca_file_that_is_removed_on_exit() -> None:
    with _cli("echo", "--tls", "--alpn", "x-test") as (proc, info):
        ca_file = info["ca-file"]
        ctx = ssl.create_default_context(cafile=ca_file)
        ctx.set_alpn_protocols(["x-test"])
        with connect_tls(_hostport(info["address"]), ctx) as tls:
            assert tls.selected_alpn_protocol() == "x-test"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    assert not os.path.exists(ca_file), "the CA file should be deleted on exit"


def test_cli_gopher_serves_a_directory(tmp_path) -> None:
    (tmp_path / "hello.txt").write_text("hi\n")
    with _cli("gopher", "--root", str(tmp_path), "--no-ipv6") as (proc, info):
        with connect(_hostport(info["address"])) as sock:
            sock.sendall(b"/hello.txt\r\n")
            assert recv_all(sock) == b"hi\r\n.\r\n"
        proc.terminate()


def test_cli_smtp_prints_its_ca_file() -> None:
    with _cli("smtp") as (_, info):
        assert os.path.exists(info["ca-file"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["echo", "--host", "0.0.0.0"], "--allow-non-loopback"),
        (["fault"], "--fault"),
        (["nonsense"], "invalid choice"),
    ],
)
def test_cli_usage_errors_exit_2_and_say_why(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert message in capsys.readouterr().err
