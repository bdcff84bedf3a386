"""A reference implementation of the WinterTC Sockets API on asyncio.

``connect()`` returns a :class:`Socket` at once; the connection is made in the
background. ``docs/binding.md`` maps every spec name to its Python name.
"""

from reference_impl._api import AddressPolicy, Connector, connect
from reference_impl._errors import SocketError
from reference_impl._futures import Promise
from reference_impl._options import SocketAddress, SocketOptions
from reference_impl._socket import Socket, SocketInfo
from reference_impl._streams import (
    ReadableStream,
    ReadableStreamDefaultReader,
    ReadResult,
    WritableStream,
    WritableStreamDefaultWriter,
)

__version__ = "0.1.0"

__all__ = [
    "AddressPolicy",
    "Connector",
    "Promise",
    "ReadResult",
    "ReadableStream",
    "ReadableStreamDefaultReader",
    "Socket",
    "SocketAddress",
    "SocketError",
    "SocketInfo",
    "SocketOptions",
    "WritableStream",
    "WritableStreamDefaultWriter",
    "__version__",
    "connect",
]
