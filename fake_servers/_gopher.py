"""The Gopher server (RFC 1436)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._server import BaseServer, Conn

__all__ = ["GopherItem", "GopherServer", "default_site"]


@dataclass(frozen=True)
class GopherItem:
    """One line of a Gopher menu.

    Attributes:
        type: The one-character item type: ``"0"`` text file, ``"1"`` menu,
            ``"3"`` error, ``"7"`` search, ``"9"`` binary file, ``"i"`` info line.
        display: The text a user sees.
        selector: What a client sends to fetch the item.
        host: Where the item lives; None means this server.
        port: Where the item lives; None means this server.
    """

    type: str
    display: str
    selector: str = ""
    host: str | None = None
    port: int | None = None


#: What a selector can map to: text (type 0), bytes (type 9), a menu (type 1),
#: or a search function taking the query and returning a menu (type 7).
GopherContent = (
    str | bytes | Sequence[GopherItem] | Callable[[str], Sequence[GopherItem]]
)


def default_site() -> dict[str, GopherContent]:
    """Return the small site served when no content is given."""
    raise NotImplementedError


class GopherServer(BaseServer):
    """A Gopher server (RFC 1436) over content from a mapping or a directory."""

    name = "gopher"

    def __init__(
        self,
        *,
        content: Mapping[str, GopherContent] | None = None,
        root: str | os.PathLike[str] | None = None,
        max_request: int = 1024,
        max_selector: int = 255,
        request_timeout: float = 10.0,
        **options: Any,
    ) -> None:
        super().__init__(**options)

    async def handle(self, conn: Conn) -> None:
        raise NotImplementedError
