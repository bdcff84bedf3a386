"""A socket proxy that mutants override one defect at a time."""

from __future__ import annotations

from typing import Any

import reference_impl


class SocketProxy:
    """Forwards everything to a reference socket."""

    def __init__(self, sock: Any) -> None:
        self._sock = sock

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def adapter(proxy: type[SocketProxy], *, options=lambda options: options):
    """``connect`` and ``connect_trusting`` functions that wrap sockets in ``proxy``."""

    def wrap(connect):
        def connect_proxied(address, opts=None):
            return proxy(connect(address, options(opts)))

        return connect_proxied

    def connect_trusting(ca_pem: bytes):
        return wrap(reference_impl.Connector(cadata=ca_pem).connect)

    return wrap(reference_impl.connect), connect_trusting
