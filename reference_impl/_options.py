"""The ``connect()`` arguments: addresses (#anysocketaddress-type) and options.

The spec converts its arguments with WebIDL rules; the Python counterparts are
stated with each function. Every error names the offending value.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from reference_impl._errors import SocketError

SecureTransport = Literal["off", "on", "starttls"]
SECURE_TRANSPORTS: tuple[str, ...] = ("off", "on", "starttls")

_LABEL = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)\Z")
_PORT = re.compile(r"[0-9]{1,5}\Z")


@dataclass(frozen=True)
class SocketAddress:
    """The spec's ``SocketAddress`` dictionary: where to connect.

    Attributes:
        hostname: a DNS name, an IPv4 address or an IPv6 address (with or
            without brackets).
        port: the TCP port, 1 to 65535.
    """

    hostname: str
    port: int

    def __str__(self) -> str:
        return format_host_port(self.hostname, self.port)


@dataclass(frozen=True)
class SocketOptions:
    """The spec's ``SocketOptions`` dictionary (#socketoptions-dictionary).

    Attributes:
        secure_transport: ``"off"`` (plain TCP), ``"on"`` (TLS from the start,
            verified against the trust store) or ``"starttls"`` (plain until
            ``start_tls()``).
        allow_half_open: when false (the default) the socket closes itself
            once the peer sends FIN; when true the writable stays usable.
        sni: the server name to send and verify in the TLS handshake; the
            hostname given to ``connect()`` when ``None``.
        alpn: the ALPN protocols to offer, most preferred first.
    """

    secure_transport: SecureTransport = "off"
    allow_half_open: bool = False
    sni: str | None = None
    alpn: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.secure_transport not in SECURE_TRANSPORTS:
            raise TypeError(
                f"secureTransport must be one of {', '.join(SECURE_TRANSPORTS)}; "
                f"got {self.secure_transport!r}"
            )
        object.__setattr__(self, "allow_half_open", bool(self.allow_half_open))
        if self.sni is not None:
            object.__setattr__(self, "sni", _check_sni(self.sni))
        object.__setattr__(self, "alpn", _check_alpn(self.alpn))


# The option names of the spec and of this binding; either spelling is accepted.
_OPTION_NAMES = {
    "secureTransport": "secure_transport",
    "allowHalfOpen": "allow_half_open",
    "sni": "sni",
    "alpn": "alpn",
}


def parse_options(options: Any) -> SocketOptions:
    """Convert the ``opts`` argument of ``connect()`` to :class:`SocketOptions`.

    Accepts ``None`` (all defaults), a :class:`SocketOptions`, or a mapping
    with the spec's camelCase keys or the binding's snake_case keys. Unknown
    keys are ignored, as WebIDL dictionary conversion does; a key whose value
    is ``None`` counts as absent, like ``undefined``.

    Raises:
        TypeError: ``options`` is of another type, a key is given in both
            spellings, or a value is invalid.
    """
    if options is None:
        return _DEFAULT_OPTIONS
    if isinstance(options, SocketOptions):
        return options
    if not isinstance(options, Mapping):
        raise TypeError(
            "options must be a mapping such as {'secureTransport': 'on'} or a "
            f"SocketOptions, not {type(options).__name__}"
        )
    values: dict[str, Any] = {}
    for spec_name, python_name in _OPTION_NAMES.items():
        given = [
            name
            for name in dict.fromkeys((spec_name, python_name))
            if options.get(name) is not None
        ]
        if len(given) > 1:
            raise TypeError(
                f"option given twice, as {spec_name!r} and {python_name!r}; "
                "use one spelling"
            )
        if given:
            values[python_name] = options[given[0]]
    return SocketOptions(**values)


def _check_sni(sni: Any) -> str:
    if not isinstance(sni, str) or not sni or len(sni) > 253:
        raise TypeError(f"sni must be a non-empty host name string, got {sni!r}")
    return sni


def _check_alpn(alpn: Any) -> tuple[str, ...]:
    if isinstance(alpn, str | bytes) or not isinstance(alpn, Sequence):
        raise TypeError(
            f"alpn must be a list of protocol names such as ['h2'], got {alpn!r}"
        )
    for protocol in alpn:
        if (
            not isinstance(protocol, str)
            or not protocol
            or len(protocol.encode("utf-8")) > 255
        ):
            raise TypeError(
                "each alpn protocol must be a string of 1 to 255 bytes, "
                f"got {protocol!r}"
            )
    return tuple(alpn)


def parse_address(address: Any) -> SocketAddress:
    """Convert the ``address`` argument of ``connect()`` to a :class:`SocketAddress`.

    Accepts a ``"hostname:port"`` string (IPv6 in brackets: ``"[::1]:443"``),
    a :class:`SocketAddress`, a mapping with ``hostname`` and ``port`` keys,
    or any object with ``hostname`` and ``port`` attributes (such as the result
    of :func:`urllib.parse.urlsplit`, the counterpart of a JavaScript ``URL``).

    Raises:
        SocketError: the address is malformed; the message quotes it.
        TypeError: ``address`` is of a type that cannot be an address.
    """
    if isinstance(address, SocketAddress):
        return SocketAddress(_check_hostname(address.hostname), _port(address.port))
    if isinstance(address, str):
        return _parse_string(address)
    if isinstance(address, Mapping):
        hostname, port = address.get("hostname"), address.get("port")
    elif address is not None and hasattr(address, "hostname"):
        try:
            hostname, port = address.hostname, getattr(address, "port", None)
        except ValueError as error:  # urlsplit(...).port on a bad port
            raise SocketError(f"invalid address {address!r}: {error}") from None
    else:
        raise TypeError(
            "address must be a 'hostname:port' string, a SocketAddress or a "
            f"mapping with 'hostname' and 'port', not {type(address).__name__}"
        )
    if hostname is None or port is None:
        raise SocketError(
            f"the address needs both a hostname and a port, got {address!r}"
        )
    if not isinstance(hostname, str):
        raise SocketError(f"hostname must be a string, got {hostname!r}")
    return SocketAddress(_check_hostname(hostname), _port(port))


# Programs connect to the same few addresses again and again.
@functools.lru_cache(maxsize=256)
def _parse_string(text: str) -> SocketAddress:
    if "://" in text:
        raise SocketError(
            f"invalid address {text!r}: URL schemes are not supported; "
            "give 'hostname:port'"
        )
    if text.startswith("["):
        close = text.find("]")
        if close < 0 or text[close + 1 : close + 2] != ":":
            raise SocketError(
                f"invalid address {text!r}: write an IPv6 address as '[::1]:port'"
            )
        hostname, port = text[1:close], text[close + 2 :]
    else:
        hostname, colon, port = text.rpartition(":")
        if not colon:
            raise SocketError(
                f"invalid address {text!r}: expected 'hostname:port', "
                "for example 'example.com:443'"
            )
        if ":" in hostname:
            raise SocketError(
                f"invalid address {text!r}: write an IPv6 address in brackets, "
                "as '[::1]:port'"
            )
    if not _PORT.match(port):
        raise SocketError(
            f"invalid address {text!r}: the port must be a number from 1 to 65535"
        )
    return SocketAddress(_check_hostname(hostname, text), _port(int(port), text))


def _check_hostname(hostname: str, text: str | None = None) -> str:
    where = f"invalid address {text!r}: " if text is not None else ""
    if not hostname:
        raise SocketError(f"{where}the hostname is empty")
    bare = hostname[1:-1] if hostname.startswith("[") else hostname
    try:
        ipaddress.ip_address(bare)
        return bare
    except ValueError:
        pass
    if len(hostname) > 253:
        raise SocketError(f"{where}the hostname is longer than 253 characters")
    try:
        ascii_name = hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise SocketError(f"{where}{hostname!r} is not a valid hostname") from None
    labels = ascii_name.rstrip(".").split(".")
    if not all(_LABEL.match(label) for label in labels):
        raise SocketError(f"{where}{hostname!r} is not a valid hostname")
    return hostname


def _port(port: Any, text: str | None = None) -> int:
    where = f"invalid address {text!r}: " if text is not None else ""
    if isinstance(port, str) and _PORT.match(port):
        port = int(port)
    if isinstance(port, bool) or not isinstance(port, int):
        raise SocketError(f"{where}the port must be an integer, got {port!r}")
    if not 1 <= port <= 65535:
        raise SocketError(f"{where}the port must be from 1 to 65535, got {port}")
    return port


def format_host_port(host: str, port: int) -> str:
    """``host:port``, with an IPv6 address in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


_DEFAULT_OPTIONS = SocketOptions()
