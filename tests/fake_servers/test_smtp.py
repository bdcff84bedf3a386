"""SmtpServer: RFC 3207 STARTTLS on a small RFC 5321 session."""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Iterator

import pytest

from fake_servers import FakeCA, SmtpServer

from ._clients import TIMEOUT, connect, recv_all


class Session:
    """A line-oriented SMTP client on a raw socket, for exact replies."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.file = sock.makefile("rb")

    def reply(self) -> tuple[int, list[str]]:
        lines = []
        while True:
            line = self.file.readline(1024)
            assert line.endswith(b"\r\n"), f"replies end with CRLF: {line!r}"
            lines.append(line[4:-2].decode())
            if line[3:4] == b" ":
                return int(line[:3]), lines
            assert line[3:4] == b"-", f"bad continuation: {line!r}"

    def command(self, text: str) -> tuple[int, list[str]]:
        self.sock.sendall(text.encode() + b"\r\n")
        return self.reply()

    def upgrade(self, context: ssl.SSLContext) -> None:
        self.file.close()
        self.sock = context.wrap_socket(self.sock, server_hostname="localhost")
        self.file = self.sock.makefile("rb")

    def close(self) -> None:
        self.file.close()
        self.sock.close()


@pytest.fixture
def smtp(ca: FakeCA) -> Iterator[SmtpServer]:
    with SmtpServer(ca=ca) as srv:
        yield srv


@pytest.fixture
def session(smtp: SmtpServer) -> Iterator[Session]:
    s = Session(connect(smtp.hostport))
    try:
        code, _ = s.reply()
        assert code == 220, "the server greets with 220"
        yield s
    finally:
        s.close()


def test_smtplib_sends_a_message_after_starttls(smtp: SmtpServer, ca: FakeCA) -> None:
    with smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT) as client:
        client.ehlo()
        assert client.has_extn("starttls")
        client.starttls(context=ca.client_context())
        client.ehlo()
        assert not client.has_extn("starttls"), "STARTTLS is not offered twice"
        client.sendmail("a@example.test", ["b@example.test"], b"Hi\r\n.dot\r\n")

    (message,) = smtp.messages
    assert message.sender == "a@example.test"
    assert message.recipients == ("b@example.test",)
    assert message.data == b"Hi\r\n.dot\r\n", "dot-stuffing is undone"
    assert message.tls


def test_log_shows_which_commands_came_before_and_after_tls(
    smtp: SmtpServer, session: Session, ca: FakeCA
) -> None:
    assert session.command("EHLO me")[0] == 250
    assert session.command("STARTTLS")[0] == 220
    session.upgrade(ca.client_context())
    assert session.command("EHLO me")[0] == 250
    assert session.command("QUIT")[0] == 221
    session.close()

    record = smtp.wait_for_connections(1)[0].wait_closed()
    assert record.commands_before_tls == ["EHLO me", "STARTTLS"]
    assert record.commands_after_tls == ["EHLO me", "QUIT"]
    assert record.tls


def test_ehlo_lists_starttls_in_a_multiline_reply(session: Session) -> None:
    code, lines = session.command("EHLO client.test")
    assert code == 250
    assert "STARTTLS" in lines[1:]


def test_starttls_twice_is_refused(session: Session, ca: FakeCA) -> None:
    session.command("EHLO me")
    session.command("STARTTLS")
    session.upgrade(ca.client_context())
    session.command("EHLO me")
    assert session.command("STARTTLS")[0] == 503


def test_session_starts_over_after_tls(session: Session, ca: FakeCA) -> None:
    session.command("EHLO me")
    session.command("STARTTLS")
    session.upgrade(ca.client_context())
    assert session.command("MAIL FROM:<a@b>")[0] == 503, "EHLO again first"


@pytest.mark.parametrize(
    ("commands", "code"),
    [
        (["FROB"], 500),
        ([""], 500),
        (["MAIL FROM:<a@b>"], 503),
        (["EHLO me", "RCPT TO:<a@b>"], 503),
        (["EHLO me", "DATA"], 503),
        (["EHLO me", "MAIL TO:<a@b>"], 501),
        (["EHLO me", "MAIL FROM:<a@b>", "MAIL FROM:<a@b>"], 503),
        (["EHLO"], 501),
        (["STARTTLS"], 503),
        (["EHLO me", "STARTTLS now"], 501),
        (["x" * 600], 500),
    ],
)
def test_bad_or_out_of_order_commands_get_an_error(
    session: Session, commands: list[str], code: int
) -> None:
    for command in commands[:-1]:
        assert session.command(command)[0] < 400
    assert session.command(commands[-1])[0] == code
    assert session.command("NOOP")[0] == 250, "the session goes on after an error"


def test_require_tls_refuses_mail_in_the_clear(ca: FakeCA) -> None:
    with SmtpServer(ca=ca, require_tls=True) as srv, connect(srv.hostport) as sock:
        s = Session(sock)
        s.reply()
        s.command("EHLO me")
        assert s.command("MAIL FROM:<a@b>")[0] == 530


def test_refuse_starttls_answers_454(ca: FakeCA) -> None:
    with SmtpServer(ca=ca, refuse_starttls=True) as srv, connect(srv.hostport) as sock:
        s = Session(sock)
        s.reply()
        s.command("EHLO me")
        assert s.command("STARTTLS")[0] == 454


def test_without_starttls_the_command_is_unknown(ca: FakeCA) -> None:
    with SmtpServer(ca=ca, offer_starttls=False) as srv, connect(srv.hostport) as s:
        session = Session(s)
        session.reply()
        assert "STARTTLS" not in session.command("EHLO me")[1]
        assert session.command("STARTTLS")[0] == 500


def test_bytes_injected_before_the_handshake_are_discarded(
    smtp: SmtpServer, session: Session, ca: FakeCA
) -> None:
    session.command("EHLO me")
    # An attacker's command pipelined after STARTTLS, in the clear.
    session.sock.sendall(b"STARTTLS\r\nMAIL FROM:<evil@x>\r\n")
    assert session.reply()[0] == 220
    session.upgrade(ca.client_context())
    session.command("EHLO me")
    assert session.command("RCPT TO:<a@b>")[0] == 503, "injected MAIL must not count"
    record = smtp.connections[0]
    assert "MAIL FROM:<evil@x>" not in record.commands_after_tls


def test_too_many_errors_end_the_session(session: Session) -> None:
    for _ in range(19):
        assert session.command("BAD")[0] == 500
    session.sock.sendall(b"BAD\r\n")
    assert session.reply()[0] == 500
    assert session.reply()[0] == 421
    assert recv_all(session.sock) == b""


def test_a_message_over_the_size_limit_gets_552(ca: FakeCA) -> None:
    with SmtpServer(ca=ca, max_message=10) as srv, connect(srv.hostport) as sock:
        s = Session(sock)
        s.reply()
        s.command("EHLO me")
        s.command("MAIL FROM:<a@b>")
        s.command("RCPT TO:<c@d>")
        assert s.command("DATA")[0] == 354
        assert s.command("this line is longer than ten bytes\r\n.")[0] == 552
        assert srv.messages == []
        assert s.command("NOOP")[0] == 250


def test_a_plain_message_is_logged_as_not_tls(
    smtp: SmtpServer, session: Session
) -> None:
    session.command("EHLO me")
    session.command("MAIL FROM:<a@b>")
    session.command("RCPT TO:<c@d>")
    session.command("DATA")
    assert session.command("Subject: x\r\n\r\nbody\r\n..\r\n.")[0] == 250
    (message,) = smtp.messages
    assert message.data == b"Subject: x\r\n\r\nbody\r\n.\r\n"
    assert not message.tls
    assert message.connection_id == smtp.connections[0].id
