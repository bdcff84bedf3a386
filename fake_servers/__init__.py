"""Fake servers for socket tests: echo, Gopher, STARTTLS and fault injection.

Every server binds loopback on a free port, runs its own event loop on a
background thread (so sync tests, asyncio tests and other runtimes can all use
it), logs each connection, and re-raises its own failures from ``check()``::

    with EchoServer() as srv:
        sock = socket.create_connection(srv.hostport, timeout=5)
        ...
        srv.wait_idle()
        assert srv.connections[0].received == b"ping"

TLS comes from an in-memory :class:`FakeCA`; nothing secret touches the disk.
The command line runs any server by name: ``python -m fake_servers --help``.
"""

from ._ca import CERTIFICATE_VARIANTS, FakeCA
from ._echo import EchoServer
from ._faults import FAULTS, FaultServer, refused_address
from ._gopher import GopherItem, GopherServer, default_site
from ._log import ConnectionRecord, End, ProtocolEvent
from ._postgres import SSL_REQUEST_CODE, PostgresServer
from ._server import BaseServer, ServerOptions, format_address
from ._smtp import SmtpMessage, SmtpServer
from ._starttls_echo import StartTlsEchoServer

__all__ = [
    "CERTIFICATE_VARIANTS",
    "FAULTS",
    "SERVERS",
    "SSL_REQUEST_CODE",
    "BaseServer",
    "ConnectionRecord",
    "EchoServer",
    "End",
    "FakeCA",
    "FaultServer",
    "GopherItem",
    "GopherServer",
    "PostgresServer",
    "ProtocolEvent",
    "ServerOptions",
    "SmtpMessage",
    "SmtpServer",
    "StartTlsEchoServer",
    "default_site",
    "format_address",
    "refused_address",
]

#: Server classes by their command-line name.
SERVERS: dict[str, type[BaseServer]] = {
    cls.name: cls
    for cls in (
        EchoServer,
        GopherServer,
        SmtpServer,
        PostgresServer,
        StartTlsEchoServer,
        FaultServer,
    )
}
