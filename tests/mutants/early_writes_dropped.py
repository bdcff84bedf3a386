"""Defect: writes issued before ``opened`` are dropped (breaks CONNECT-9)."""

import asyncio

from ._proxy import SocketProxy, adapter


class Writer:
    def __init__(self, sock, writer):
        self._sock, self._writer = sock, writer

    def write(self, chunk):
        if not self._sock.opened.done():
            done = asyncio.get_running_loop().create_future()
            done.set_result(None)
            return done
        return self._writer.write(chunk)

    def __getattr__(self, name):
        return getattr(self._writer, name)


class Writable:
    def __init__(self, sock):
        self._sock = sock

    def get_writer(self):
        return Writer(self._sock, self._sock.writable.get_writer())

    def __getattr__(self, name):
        return getattr(self._sock.writable, name)


class Proxy(SocketProxy):
    def __init__(self, sock):
        super().__init__(sock)
        self.writable = Writable(sock)


connect, connect_trusting = adapter(Proxy)
