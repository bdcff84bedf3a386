"""A reference implementation of the WinterTC Sockets API on asyncio.

``connect()`` returns a :class:`Socket` at once; the connection is made in the
background. See ``docs/binding.md`` for how every spec name maps to Python.
"""

from reference_impl._api import Connector, connect
from reference_impl._errors import SocketError

__all__ = ["Connector", "SocketError", "connect"]
