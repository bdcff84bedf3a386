"""Defect: start_tls() leaves ``upgraded`` false (breaks STARTTLS-3)."""

from ._proxy import SocketProxy, adapter


class Proxy(SocketProxy):
    upgraded = False


connect, connect_trusting = adapter(Proxy)
