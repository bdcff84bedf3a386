"""Defect: opened and closed reject with different errors (breaks CONNECT-8)."""

import asyncio

from reference_impl import SocketError

from ._proxy import SocketProxy, adapter


class Proxy(SocketProxy):
    def __init__(self, sock):
        super().__init__(sock)
        self.closed = asyncio.get_running_loop().create_future()

        def copy(done):
            error = done.exception()
            if error is None:
                self.closed.set_result(None)
            else:
                self.closed.set_exception(SocketError(str(error)))

        sock.closed.add_done_callback(copy)


connect, connect_trusting = adapter(Proxy)
