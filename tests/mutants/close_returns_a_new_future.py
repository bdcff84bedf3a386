"""Defect: close() returns a new future instead of ``closed`` (breaks CLOSE-2)."""

import asyncio

from ._proxy import SocketProxy, adapter


class Proxy(SocketProxy):
    def close(self, *args):
        future = asyncio.get_running_loop().create_future()
        self._sock.close(*args).add_done_callback(lambda _: future.set_result(None))
        return future


connect, connect_trusting = adapter(Proxy)
