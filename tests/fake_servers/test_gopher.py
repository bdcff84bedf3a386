"""GopherServer (RFC 1436): menus, text and binary files, search, errors."""

from __future__ import annotations

import socket

import pytest

from fake_servers import End, FakeCA, GopherItem, GopherServer, default_site

from ._clients import connect, connect_tls, recv_all


def fetch(srv: GopherServer, request: bytes, half_close: bool = False) -> bytes:
    with connect(srv.hostport) as sock:
        sock.sendall(request)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        return recv_all(sock)


def menu_lines(reply: bytes) -> list[list[str]]:
    """Split a menu reply into fields, checking its framing on the way."""
    assert reply.endswith(b"\r\n.\r\n"), f"a menu ends with a dot line: {reply!r}"
    lines = reply[: -len(b".\r\n")].decode().split("\r\n")[:-1]
    items = [line.split("\t") for line in lines]
    for fields in items:
        assert len(fields) == 4, f"a menu line has four fields: {fields!r}"
    return items


@pytest.fixture(scope="module")
def gopher() -> GopherServer:
    with GopherServer() as srv:
        yield srv


def test_root_menu_has_every_item_type(gopher: GopherServer) -> None:
    items = menu_lines(fetch(gopher, b"\r\n"))
    assert {fields[0][0] for fields in items} == set("01379i")
    text = next(f for f in items if f[0][0] == "0")
    assert text[2:] == [gopher.host, str(gopher.port)], "items point back here"


def test_text_file_is_dot_stuffed_and_terminated(gopher: GopherServer) -> None:
    reply = fetch(gopher, b"/about.txt\r\n")
    assert reply.endswith(b"\r\n.\r\n")
    lines = reply.split(b"\r\n")
    assert b"..A line that starts with a dot is sent with a second dot." in lines
    assert b".." in lines, "a lone dot in the file becomes two dots"


def test_binary_file_has_no_terminator(gopher: GopherServer) -> None:
    assert fetch(gopher, b"/bytes.bin\r\n") == bytes(range(256)) * 4


def test_search_receives_the_query_after_a_tab(gopher: GopherServer) -> None:
    gopher.reset()
    items = menu_lines(fetch(gopher, b"/search\tabout\r\n"))
    assert [f[1] for f in items] == ["/about.txt"]
    record = gopher.wait_for_connections(1)[0].wait_closed()
    assert record.events_named("query") == ["about"]


def test_submenu_is_served(gopher: GopherServer) -> None:
    items = menu_lines(fetch(gopher, b"/docs\r\n"))
    assert ["1Back to the main menu", "", gopher.host, str(gopher.port)] in items


@pytest.mark.parametrize(
    ("request_bytes", "error"),
    [
        (b"/nowhere\r\n", "not found: /nowhere"),
        (b"/about.txt", "must end with CRLF"),
        (b"/about.txt\n", "must end with CRLF"),
        (b"x" * 2000 + b"\r\n", "no CRLF within 1024 bytes"),
        (b"/" + b"a" * 300 + b"\r\n", "longer than 255"),
        (b"\xff\xfe\r\n", "not UTF-8"),
    ],
)
def test_malformed_request_gets_an_error_item_and_a_clean_close(
    gopher: GopherServer, request_bytes: bytes, error: str
) -> None:
    gopher.reset()
    # The client half-closes so that a request without CRLF ends too.
    items = menu_lines(fetch(gopher, request_bytes, half_close=True))
    assert len(items) == 1 and items[0][0].startswith("3"), items
    assert error in items[0][0]
    record = gopher.wait_for_connections(1)[0].wait_closed()
    assert record.server_end is End.FIN
    assert record.client_end is End.FIN
    gopher.check()


def test_request_timeout_gets_an_error_item() -> None:
    with GopherServer(request_timeout=0.1) as srv, connect(srv.hostport) as sock:
        items = menu_lines(recv_all(sock))
    assert "no request within" in items[0][0]


def test_content_from_a_mapping() -> None:
    content = {
        "": [GopherItem("0", "Note", "note"), GopherItem("i", "info")],
        "note": "line one\n.hidden\n",
        "blob": b"\x00\x01.\r\n",
        "find": lambda q: [GopherItem("0", f"result for {q}", "note")],
    }
    with GopherServer(content=content) as srv:
        assert fetch(srv, b"note\r\n") == b"line one\r\n..hidden\r\n.\r\n"
        assert fetch(srv, b"blob\r\n") == b"\x00\x01.\r\n"
        assert menu_lines(fetch(srv, b"find\tkiwi\r\n"))[0][0] == "0result for kiwi"
        assert menu_lines(fetch(srv, b"\r\n"))[1] == ["iinfo", "", "null.host", "1"]


def test_content_from_a_directory(tmp_path) -> None:
    (tmp_path / "readme.txt").write_text("hello\n")
    (tmp_path / "data.bin").write_bytes(b"\x00\xff")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deep.txt").write_text("deep\n")
    with GopherServer(root=tmp_path) as srv:
        items = menu_lines(fetch(srv, b"\r\n"))
        assert [(f[0], f[1]) for f in items] == [
            ("9data.bin", "/data.bin"),
            ("0readme.txt", "/readme.txt"),
            ("1sub", "/sub"),
        ]
        assert fetch(srv, b"/readme.txt\r\n") == b"hello\r\n.\r\n"
        assert fetch(srv, b"/data.bin\r\n") == b"\x00\xff"
        assert fetch(srv, b"/sub/deep.txt\r\n") == b"deep\r\n.\r\n"
        escaped = menu_lines(fetch(srv, b"/../../etc/passwd\r\n"))
        assert escaped[0][0].startswith("3not found"), "no escape from root"


def test_bad_configuration_is_refused_at_once(tmp_path) -> None:
    with pytest.raises(ValueError, match="either content= or root="):
        GopherServer(content={}, root=tmp_path)
    with pytest.raises(ValueError, match="not a directory"):
        GopherServer(root=tmp_path / "missing")
    with pytest.raises(ValueError, match="must be str"):
        GopherServer(content={"x": 42})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="unknown Gopher item type"):
        GopherItem("z", "nope")
    with pytest.raises(ValueError, match="tab, CR or LF"):
        GopherItem("0", "a\tb")


def test_default_site_is_a_fresh_copy() -> None:
    site = default_site()
    site.clear()
    assert default_site(), "callers may change their copy without harm"


def test_gopher_over_tls(ca: FakeCA) -> None:
    with GopherServer(tls=True, ca=ca, content={"": "secure"}) as srv:
        with connect_tls(srv.hostport, ca.client_context()) as tls:
            tls.sendall(b"\r\n")
            assert recv_all(tls) == b"secure\r\n.\r\n"
        record = srv.wait_for_connections(1)[0].wait_closed()
    assert record.events_named("selector") == [""]
    assert record.received_after_tls == b"\r\n"
