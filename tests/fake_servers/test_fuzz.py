"""Arbitrary bytes at the Gopher and SMTP servers: protocol errors, no harm done."""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fake_servers import FakeCA, GopherServer, SmtpServer

from ._clients import connect, recv_all, recv_exactly, recv_until

FUZZ = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

SMTP_WORDS = [
    b"EHLO fuzz",
    b"HELO fuzz",
    b"MAIL FROM:<a@example.test>",
    b"RCPT TO:<b@example.test>",
    b"DATA",
    b".",
    b"RSET",
    b"NOOP",
    b"STARTTLS",
    b"QUIT",
]
GOPHER_WORDS = [b"", b"/about.txt", b"/docs", b"/search\tdot", b"/bytes.bin"]


def _lines_of(words: list[bytes]) -> st.SearchStrategy[bytes]:
    """Bytes that look like a session: known words and noise, CRLF-separated."""
    piece = st.one_of(st.sampled_from(words), st.binary(max_size=80))
    return st.lists(piece, max_size=12).map(b"\r\n".join)


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 0


def _exchange(hostport: tuple[str, int], data: bytes, greeting: bytes = b"") -> bytes:
    """Send ``data``, half-close, and return what came back before the end."""
    with connect(hostport) as sock:
        got = recv_until(sock, greeting) if greeting else b""
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
            got += recv_all(sock)
        except (ConnectionResetError, BrokenPipeError):
            pass  # An aborted TLS handshake after STARTTLS ends this way.
        return got


def _survives(server: GopherServer | SmtpServer, run: Callable[[], None]) -> None:
    """Run the Hypothesis examples; then nothing may be open, failed or leaked."""
    fds_before = _open_fds()
    run()
    server.wait_idle(timeout=10)
    assert server.open_connections == 0, "every fuzzed connection should be closed"
    server.check()
    assert _open_fds() <= fds_before + 2, "file descriptors leaked"


@pytest.fixture(scope="module")
def gopher() -> Iterator[GopherServer]:
    with GopherServer(request_timeout=5) as srv:
        yield srv


@pytest.fixture(scope="module")
def smtp(ca: FakeCA) -> Iterator[SmtpServer]:
    with SmtpServer(ca=ca, idle_timeout=5) as srv:
        yield srv


def _gopher_reply_is_well_formed(reply: bytes) -> bool:
    return reply.endswith(b".\r\n") or reply == bytes(range(256)) * 4


def test_gopher_answers_arbitrary_bytes_and_keeps_serving(
    gopher: GopherServer,
) -> None:
    @FUZZ
    @given(data=st.one_of(st.binary(max_size=2048), _lines_of(GOPHER_WORDS)))
    def run(data: bytes) -> None:
        with connect(gopher.hostport) as bystander:
            reply = _exchange(gopher.hostport, data)
            assert _gopher_reply_is_well_formed(reply), f"odd reply {reply[:200]!r}"

            # A client that connected before the fuzzed one is still served.
            bystander.sendall(b"/docs\r\n")
            assert recv_all(bystander).endswith(b"\r\n.\r\n")
        gopher.check()

    _survives(gopher, run)


_SMTP_REPLY = re.compile(rb"[2-5][0-9][0-9][ -][^\r\n]*")


def test_smtp_answers_arbitrary_bytes_and_keeps_serving(smtp: SmtpServer) -> None:
    @FUZZ
    @given(data=st.one_of(st.binary(max_size=2048), _lines_of(SMTP_WORDS)))
    def run(data: bytes) -> None:
        with connect(smtp.hostport) as bystander:
            recv_until(bystander, b"\r\n")
            reply = _exchange(smtp.hostport, data + b"\r\n", greeting=b"\r\n")

            lines = reply.split(b"\r\n")
            assert lines[0].startswith(b"220 "), "the greeting comes first"
            for line in lines[:-1]:
                assert _SMTP_REPLY.fullmatch(line), f"not an SMTP reply: {line!r}"

            bystander.sendall(b"NOOP\r\n")
            assert recv_exactly(bystander, 4) == b"250 "
        smtp.check()

    _survives(smtp, run)
