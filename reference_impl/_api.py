"""``connect()`` and the binding object that carries TLS trust and address policy."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from os import PathLike
from typing import Any

from reference_impl._errors import SocketError
from reference_impl._options import (
    SocketAddress,
    format_host_port,
    parse_address,
    parse_options,
)
from reference_impl._socket import Socket


@dataclass(frozen=True)
class AddressPolicy:
    """Which peers a :class:`Connector` refuses to reach (#connect-section note).

    The spec lets a host block "certain hostname/port combinations", such as
    port 25 or private addresses. A blocked connection fails the way any
    failed connection does: ``opened`` and ``closed`` reject with a
    ``SocketError`` that says what was blocked.

    Names are resolved first and every resolved address is checked, and the
    connection then goes to a checked address, so a DNS answer cannot slip a
    private address past the policy.

    Attributes:
        blocked_ports: ports that may not be reached on any host.
        block_private: refuse private, loopback, link-local and other
            non-global addresses.
    """

    blocked_ports: frozenset[int] = frozenset()
    block_private: bool = False

    def __init__(
        self, *, blocked_ports: Iterable[int] = (), block_private: bool = False
    ) -> None:
        object.__setattr__(self, "blocked_ports", frozenset(blocked_ports))
        object.__setattr__(self, "block_private", bool(block_private))

    def refusal(self, ip: str, port: int) -> str | None:
        """Why ``ip:port`` is blocked, or ``None`` when it is allowed."""
        if port in self.blocked_ports:
            return f"port {port} is blocked by the address policy"
        if self.block_private and not ipaddress.ip_address(ip).is_global:
            return f"{ip} is not a public address and the policy blocks those"
        return None


class Connector:
    """A binding object (#binding-object-concept): ``connect()`` with host settings.

    TLS trust and address policy are the host's concern, not ``connect()``'s
    options, so they live here. Certificate and host name verification are
    always on; the CA settings only choose what is trusted.

    Args:
        cafile: a PEM file of CA certificates to trust instead of the system
            store.
        cadata: PEM text (``str`` or ``bytes``) of CA certificates to trust
            instead of the system store.
        configure_tls: called with each new client ``ssl.SSLContext`` before
            use, for example ``trustme.CA().configure_trust``.
        policy: an :class:`AddressPolicy`; none by default.

    Raises:
        TypeError: an argument has the wrong type.
    """

    def __init__(
        self,
        *,
        cafile: str | PathLike[str] | None = None,
        cadata: str | bytes | None = None,
        configure_tls: Callable[[ssl.SSLContext], Any] | None = None,
        policy: AddressPolicy | None = None,
    ) -> None:
        if policy is not None and not isinstance(policy, AddressPolicy):
            raise TypeError(
                f"policy must be an AddressPolicy, not {type(policy).__name__}"
            )
        if configure_tls is not None and not callable(configure_tls):
            raise TypeError("configure_tls must be a callable taking an SSLContext")
        if isinstance(cadata, bytes):
            cadata = cadata.decode("ascii")
        self._cafile = cafile
        self._cadata = cadata
        self._configure_tls = configure_tls
        self._policy = policy
        self._contexts: dict[tuple[str, ...], ssl.SSLContext] = {}

    def connect(self, address: Any, options: Any = None) -> Socket:
        """Open a TCP connection; the socket is returned at once (#connect-section).

        Args:
            address: ``"hostname:port"``, ``"[ipv6]:port"``, a
                ``SocketAddress``, a mapping with ``hostname`` and ``port``,
                or an object with those attributes.
            options: ``None``, a ``SocketOptions``, or a mapping with the
                spec's keys (``secureTransport``, ``allowHalfOpen``, ``sni``,
                ``alpn``) or their snake_case names.

        Returns:
            A pending :class:`Socket`; await its ``opened`` to know it connected.

        Raises:
            SocketError: the address is malformed (a ``TypeError``).
            TypeError: the options are invalid.
            RuntimeError: no asyncio event loop is running in this thread.
        """
        parsed_address = parse_address(address)
        parsed_options = parse_options(options)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError(
                "connect() needs a running asyncio event loop: call it from a "
                "coroutine, for example one started with asyncio.run()"
            ) from None
        sock = Socket(loop, self, parsed_address, parsed_options)
        sock._start()
        return sock

    def _tls_context(self, alpn: tuple[str, ...]) -> ssl.SSLContext:
        # ALPN is set on the context, so there is one context per ALPN list;
        # building a context loads the trust store, which is too slow to repeat.
        context = self._contexts.get(alpn)
        if context is None:
            context = ssl.create_default_context(
                cafile=self._cafile, cadata=self._cadata
            )
            if self._configure_tls is not None:
                self._configure_tls(context)
            if alpn:
                context.set_alpn_protocols(list(alpn))
            self._contexts[alpn] = context
        return context

    async def _resolve(self, address: SocketAddress) -> list[str]:
        """The hosts to try: the name itself, or the addresses the policy allows."""
        if self._policy is None:
            return [address.hostname]
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(
            address.hostname, address.port, type=socket.SOCK_STREAM
        )
        allowed, refusals = [], []
        for *_, sockaddr in infos:
            ip = sockaddr[0]
            refusal = self._policy.refusal(ip, address.port)
            if refusal is None:
                allowed.append(ip)
            else:
                refusals.append(refusal)
        if not allowed:
            where = format_host_port(address.hostname, address.port)
            raise SocketError(f"connection to {where} blocked: {refusals[0]}")
        return list(dict.fromkeys(allowed))


_default_connector: Connector | None = None


def connect(address: Any, options: Any = None) -> Socket:
    """Open a TCP connection, trusting the system's CA store (#connect-section).

    The same as ``Connector().connect(address, options)``; see
    :meth:`Connector.connect`.
    """
    global _default_connector
    if _default_connector is None:
        _default_connector = Connector()
    return _default_connector.connect(address, options)
