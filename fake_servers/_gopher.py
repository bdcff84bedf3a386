"""The Gopher server (RFC 1436)."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Unpack

from ._server import BaseServer, Conn, LineTooLong, ServerOptions

__all__ = ["GopherContent", "GopherItem", "GopherServer", "default_site"]

logger = logging.getLogger(__name__)

_ITEM_TYPES = frozenset("01379i")
_FORBIDDEN = ("\t", "\r", "\n")


@dataclass(frozen=True)
class GopherItem:
    """One line of a Gopher menu (RFC 1436, section 3.8).

    Attributes:
        type: The one-character item type: ``"0"`` text file, ``"1"`` menu,
            ``"3"`` error, ``"7"`` search, ``"9"`` binary file, ``"i"`` info line.
        display: The text a user sees.
        selector: What a client sends to fetch the item.
        host: Where the item lives; None means this server.
        port: Where the item lives; None means this server.

    Raises:
        ValueError: unknown type, or a field holding a tab, CR or LF.
    """

    type: str
    display: str
    selector: str = ""
    host: str | None = None
    port: int | None = None

    def __post_init__(self) -> None:
        if self.type not in _ITEM_TYPES:
            raise ValueError(
                f"unknown Gopher item type {self.type!r}; "
                f"use one of {', '.join(sorted(_ITEM_TYPES))}"
            )
        for name in ("display", "selector", "host"):
            value = getattr(self, name) or ""
            if any(c in value for c in _FORBIDDEN):
                raise ValueError(
                    f"Gopher item {name} {value!r} contains a tab, CR or LF; "
                    "menu fields cannot hold them"
                )


#: What a selector maps to: text (served as type 0), bytes (type 9), a menu
#: (type 1), or a search function taking the query and returning a menu (type 7).
GopherContent = (
    str | bytes | Sequence[GopherItem] | Callable[[str], Sequence[GopherItem]]
)


def default_site() -> dict[str, GopherContent]:
    """Return the small site served when no content is given.

    It has one item of each type: a root menu with an info line, an error
    line, a text file containing lines that need dot-stuffing, a submenu, a
    search, and a binary file holding every byte value (so also ``.\\r\\n``).
    """
    site: dict[str, GopherContent] = {}

    def search(query: str) -> list[GopherItem]:
        words = query.lower().split()
        found = []
        for value in site.values():
            if isinstance(value, list):
                for item in value:
                    if item.type in "0179" and all(
                        w in item.display.lower() for w in words
                    ):
                        found.append(item)
        if not found:
            return [GopherItem("i", f"Nothing matches {query!r}.")]
        return found

    site[""] = [
        GopherItem("i", "pytest-sockets fake Gopher server"),
        GopherItem("i", ""),
        GopherItem("0", "About this server", "/about.txt"),
        GopherItem("1", "Documents", "/docs"),
        GopherItem("7", "Search this site", "/search"),
        GopherItem("9", "Every byte value, four times", "/bytes.bin"),
        GopherItem("3", "An example error line"),
    ]
    site["/about.txt"] = (
        "This text file is served by a fake Gopher server for socket tests.\n"
        ".A line that starts with a dot is sent with a second dot.\n"
        ".\n"
        "The line above held a single dot; the real end is the terminator.\n"
    )
    site["/docs"] = [
        GopherItem("i", "Documents"),
        GopherItem("0", "How a Gopher request works", "/docs/request.txt"),
        GopherItem("1", "Back to the main menu", ""),
    ]
    site["/docs/request.txt"] = (
        "A client opens a TCP connection and sends a selector ended by CRLF.\n"
        "The server answers with a menu, a text file or a binary file, then\n"
        "closes the connection. Menus and text files end with a line holding\n"
        "one dot; binary files end when the connection closes.\n"
    )
    site["/search"] = search
    site["/bytes.bin"] = bytes(range(256)) * 4
    return site


def _check_content(content: Mapping[str, GopherContent]) -> dict[str, GopherContent]:
    checked: dict[str, GopherContent] = {}
    for selector, value in content.items():
        if not isinstance(selector, str) or any(c in selector for c in _FORBIDDEN):
            raise ValueError(
                f"Gopher selector {selector!r} must be a str without tab, CR or LF"
            )
        if isinstance(value, str | bytes | bytearray) or callable(value):
            checked[selector] = value
        elif isinstance(value, Sequence) and all(
            isinstance(i, GopherItem) for i in value
        ):
            checked[selector] = list(value)
        else:
            raise ValueError(
                f"content for selector {selector!r} must be str (text), bytes "
                "(binary), a list of GopherItem (menu) or a callable taking the "
                f"query (search); got {type(value).__name__}"
            )
    return checked


def _sanitize(text: str, limit: int = 80) -> str:
    """Make client-supplied text safe to show in a menu line."""
    cleaned = "".join(c if c.isprintable() else "?" for c in text)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 3] + "..."


class GopherServer(BaseServer):
    """A Gopher server (RFC 1436) over content from a mapping or a directory.

    The client sends a selector followed by CRLF (a search adds a tab and the
    query before the CRLF). The server answers with one of:

    * a menu: lines of ``type display TAB selector TAB host TAB port CRLF``
      ended by a line holding a single ``.``;
    * a text file: lines ended by CRLF, a leading ``.`` doubled
      (dot-stuffing), ended by a line holding a single ``.``;
    * a binary file: the raw bytes, ended by the server closing the connection.

    It then sends FIN, reads until the client's FIN (at most two seconds) and
    closes. A malformed request gets a menu holding one error item (type
    ``3``) and the same clean close: no CRLF within ``max_request`` bytes, no
    CRLF before the client's FIN or within ``request_timeout`` seconds, a
    selector longer than ``max_selector`` characters or not UTF-8, or a
    selector that names nothing. The log gets ``selector``, ``query`` and
    ``error`` events.

    Args:
        content: Selector to content (see :data:`GopherContent`); the empty
            selector is the root menu. Defaults to :func:`default_site`.
        root: Serve a directory instead: ``""`` lists it, ``/a/b`` names the
            file or subdirectory ``a/b``. Subdirectories are menus (type 1),
            UTF-8 files without NUL bytes are text (type 0), other files are
            binary (type 9). Nothing outside ``root`` is reachable.
        max_request: Bytes allowed before the CRLF.
        max_selector: Characters allowed in a selector (RFC 1436 says 255).
        request_timeout: Seconds the client has to send its request.
        **options: The options shared by every server (see :class:`BaseServer`).

    Raises:
        ValueError: both ``content`` and ``root`` given, ``root`` not a
            directory, or malformed content.
    """

    name = "gopher"

    def __init__(
        self,
        *,
        content: Mapping[str, GopherContent] | None = None,
        root: str | os.PathLike[str] | None = None,
        max_request: int = 1024,
        max_selector: int = 255,
        request_timeout: float = 10.0,
        **options: Unpack[ServerOptions],
    ) -> None:
        super().__init__(**options)
        if content is not None and root is not None:
            raise ValueError("pass either content= or root=, not both")
        self.root = Path(root).resolve() if root is not None else None
        if self.root is not None and not self.root.is_dir():
            raise ValueError(f"root={str(root)!r} is not a directory")
        self.content = _check_content(
            default_site() if content is None and root is None else content or {}
        )
        self.max_request = max_request
        self.max_selector = max_selector
        self.request_timeout = request_timeout

    # -- the protocol ------------------------------------------------------------

    async def handle(self, conn: Conn) -> None:
        try:
            async with asyncio.timeout(self.request_timeout):
                line = await conn.readline(self.max_request)
        except LineTooLong:
            await self._error(conn, f"no CRLF within {self.max_request} bytes")
            return
        except TimeoutError:
            await self._error(conn, f"no request within {self.request_timeout} seconds")
            return
        if not line.endswith(b"\r\n"):
            await self._error(conn, "the request must end with CRLF")
            return

        try:
            request = line[:-2].decode("utf-8")
        except UnicodeDecodeError:
            await self._error(conn, "the selector is not UTF-8")
            return
        selector, _, query = request.partition("\t")
        conn.event("selector", selector)
        if len(selector) > self.max_selector:
            await self._error(
                conn, f"selector longer than {self.max_selector} characters"
            )
            return

        found = self._lookup(selector)
        if found is None:
            await self._error(conn, f"not found: {_sanitize(selector)}")
            return
        if callable(found) and not isinstance(found, str | bytes | bytearray):
            conn.event("query", query)
            await conn.write(self._menu(found(query)))
        elif isinstance(found, str):
            await conn.write(self._text(found))
        elif isinstance(found, bytes | bytearray):
            await conn.write(bytes(found))
        else:
            await conn.write(self._menu(found))

    async def _error(self, conn: Conn, message: str) -> None:
        conn.event("error", message)
        await conn.write(self._menu([GopherItem("3", message)]))

    def _menu(self, items: Sequence[GopherItem]) -> bytes:
        lines = []
        for item in items:
            if item.type in "3i":
                # Lines that lead nowhere name a host that is not one, by custom.
                placeholder = "error.host" if item.type == "3" else "null.host"
                host, port = item.host or placeholder, item.port or 1
            else:
                host, port = item.host or self.host, item.port or self.port
            lines.append(f"{item.type}{item.display}\t{item.selector}\t{host}\t{port}")
        lines.append(".")
        return "".join(f"{line}\r\n" for line in lines).encode("utf-8")

    @staticmethod
    def _text(text: str) -> bytes:
        out = []
        for line in text.splitlines():
            out.append("." + line if line.startswith(".") else line)
        out.append(".")
        return "".join(f"{line}\r\n" for line in out).encode("utf-8")

    # -- content -----------------------------------------------------------------

    def _lookup(self, selector: str) -> GopherContent | None:
        if self.root is None:
            return self.content.get(selector)
        return self._lookup_path(selector)

    def _lookup_path(self, selector: str) -> GopherContent | None:
        assert self.root is not None
        if selector not in ("", "/") and not selector.startswith("/"):
            return None
        path = (self.root / selector.lstrip("/")).resolve()
        if path != self.root and self.root not in path.parents:
            return None
        if path.is_dir():
            items = []
            for child in sorted(path.iterdir()):
                if child.name.startswith(".") or any(
                    c in child.name for c in _FORBIDDEN
                ):
                    continue
                sel = "/" + child.relative_to(self.root).as_posix()
                if child.is_dir():
                    items.append(GopherItem("1", child.name, sel))
                elif child.is_file():
                    kind = "0" if _is_text(child.read_bytes()) else "9"
                    items.append(GopherItem(kind, child.name, sel))
            return items
        if path.is_file():
            data = path.read_bytes()
            if _is_text(data):
                return data.decode("utf-8")
            return data
        return None


def _is_text(data: bytes) -> bool:
    if b"\0" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
