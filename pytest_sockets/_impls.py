"""Loading the implementations under test: names, adapters and their contract.

An *adapter* is a module, or any object reached as ``pkg.mod:attr``, that exports
``connect`` and may export ``connect_trusting``, ``UNSUPPORTED_FEATURES``, ``NAME``
and ``VERSION``. ``docs/implementers.md`` is the full contract; this module turns
an adapter into an :class:`Implementation` and says plainly why it cannot.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pytest

ConnectFunction = Callable[..., Any]
"""``connect(address, options=None) -> Socket``, as the binding defines it."""

FEATURES: Mapping[str, str] = MappingProxyType(
    {
        "tls": 'secureTransport: "on", TLS from the first byte',
        "starttls": 'secureTransport: "starttls" and startTls()',
        "alpn": "the alpn option and SocketInfo.alpn",
        "sni": "the sni option",
        "half-open": "allowHalfOpen: true",
        "upgraded": "the upgraded attribute (added to the spec in 2025-04)",
        "ipv6": "bracketed IPv6 literal addresses",
    }
)
"""Optional features an adapter may declare unsupported, with what each covers."""

# Features that need the test CA: without a connect_trusting() hook the suite
# cannot make a TLS connection to its own servers succeed, so their tests are
# skipped rather than failed for a reason that is the harness's, not the spec's.
_NEED_TEST_CA = ("tls", "starttls", "alpn", "sni")

BUILTIN_IMPLEMENTATIONS: Mapping[str, str] = MappingProxyType(
    {"reference": "pytest_sockets._reference"}
)
"""Short names the plugin knows, and the adapter module each one loads."""

DEFAULT_IMPLEMENTATION = "reference"


@dataclass(frozen=True, eq=False)
class Implementation:
    """One implementation under test, as loaded from its adapter.

    Attributes:
        name: The name in test ids and reports: the adapter's ``NAME``, or else
            the name it was selected by.
        version: The adapter's ``VERSION`` (or ``__version__``), else
            ``"unknown"``.
        origin: What was imported and the file it came from.
        connect: ``connect(address, options=None)`` using the host's own trust
            store.
        connect_trusting: The adapter's hook that builds a ``connect`` trusting
            a given CA (PEM bytes), or ``None`` when the adapter has none.
        unsupported: Feature name to the reason it is not supported.
    """

    name: str
    version: str
    origin: str
    connect: ConnectFunction
    connect_trusting: Callable[[bytes], ConnectFunction] | None = None
    unsupported: Mapping[str, str] = field(default_factory=dict)

    def supports(self, feature: str) -> bool:
        """Return whether the implementation supports an optional feature.

        Raises:
            ValueError: ``feature`` is not one of :data:`FEATURES`.
        """
        if feature not in FEATURES:
            raise ValueError(
                f"unknown feature {feature!r}; known features: {_listing(FEATURES)}"
            )
        return feature not in self.unsupported

    def connect_with_ca(self, ca_pem: bytes) -> ConnectFunction:
        """Return a ``connect`` that trusts ``ca_pem`` where the adapter can.

        Without a ``connect_trusting`` hook this is plain :attr:`connect`; the
        features that need the test CA are then already unsupported.
        """
        if self.connect_trusting is None:
            return self.connect
        return self.connect_trusting(ca_pem)


@dataclass(frozen=True)
class Selection:
    """The implementations selected for one run, and which setting chose them."""

    source: str
    implementations: tuple[Implementation, ...]


SELECTION = pytest.StashKey[Selection]()


def selected_implementations(config: pytest.Config) -> tuple[Implementation, ...]:
    """Return the implementations selected for this run, in the order given."""
    return config.stash[SELECTION].implementations


def split_names(value: str) -> list[str]:
    """Split ``"a,b c"`` into ``["a", "b", "c"]``: commas or spaces separate."""
    return [name for name in re.split(r"[,\s]+", value) if name]


def load_implementation(name: str) -> Implementation:
    """Load the implementation selected by ``name``.

    Args:
        name: A built-in short name (see :data:`BUILTIN_IMPLEMENTATIONS`), an
            import path ``pkg.mod``, or ``pkg.mod:attr`` for an adapter object.

    Returns:
        The loaded implementation.

    Raises:
        pytest.UsageError: The name is unknown, importing failed, or the adapter
            breaks the contract. The message says what was tried and lists the
            built-in names.
    """
    import_path = BUILTIN_IMPLEMENTATIONS.get(name, name)
    module_name, _, attr = import_path.partition(":")
    tried = _describe_attempt(name, import_path)

    if not module_name or not re.fullmatch(r"[\w.]+", module_name):
        raise _usage_error(name, f"{name!r} is not an import path")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and f"{module_name}.".startswith(f"{exc.name}."):
            reason = f"{tried}, but there is no module named {exc.name!r}"
        else:
            reason = f"{tried}, but it failed: {_one_line(exc)}"
        raise _usage_error(name, reason) from exc
    except Exception as exc:
        raise _usage_error(name, f"{tried}, but it failed: {_one_line(exc)}") from exc

    adapter: Any = module
    origin = f"{module_name} ({getattr(module, '__file__', None) or 'built-in'})"
    if attr:
        try:
            adapter = getattr(module, attr)
        except AttributeError:
            raise _usage_error(
                name, f"{tried}, but the module has no attribute {attr!r}"
            ) from None
        origin = f"{module_name}:{attr} ({getattr(module, '__file__', None)})"

    return _from_adapter(name, adapter, origin, tried)


def _from_adapter(
    selected_as: str, adapter: Any, origin: str, tried: str
) -> Implementation:
    connect = getattr(adapter, "connect", None)
    if not callable(connect):
        raise _usage_error(
            selected_as,
            f"{tried}, but it has no callable 'connect' (loaded from {origin})",
        )

    connect_trusting = getattr(adapter, "connect_trusting", None)
    if connect_trusting is not None and not callable(connect_trusting):
        raise _usage_error(
            selected_as, f"{tried}, but its 'connect_trusting' is not callable"
        )

    declared = getattr(adapter, "UNSUPPORTED_FEATURES", {})
    if not isinstance(declared, Mapping):
        raise _usage_error(
            selected_as,
            f"{tried}, but its UNSUPPORTED_FEATURES is a "
            f"{type(declared).__name__}; it must map each feature name to the "
            "reason it is unsupported",
        )
    unknown = sorted(set(declared) - set(FEATURES))
    if unknown:
        raise _usage_error(
            selected_as,
            f"{tried}, but its UNSUPPORTED_FEATURES names unknown features "
            f"{', '.join(map(repr, unknown))}; known features: {_listing(FEATURES)}",
        )
    unsupported = {feature: str(reason) for feature, reason in declared.items()}
    if connect_trusting is None:
        for feature in _NEED_TEST_CA:
            unsupported.setdefault(
                feature, "the adapter has no connect_trusting() to trust the test CA"
            )

    version = getattr(adapter, "VERSION", None) or getattr(adapter, "__version__", None)
    return Implementation(
        name=str(getattr(adapter, "NAME", None) or selected_as),
        version=str(version or "unknown"),
        origin=origin,
        connect=connect,
        connect_trusting=connect_trusting,
        unsupported=MappingProxyType(unsupported),
    )


def _describe_attempt(name: str, import_path: str) -> str:
    if name in BUILTIN_IMPLEMENTATIONS:
        return f"built-in implementation {name!r} imports {import_path!r}"
    return f"{name!r} is not a built-in name, so it was imported as {import_path!r}"


def _usage_error(name: str, reason: str) -> pytest.UsageError:
    return pytest.UsageError(
        f"cannot load sockets implementation {name!r}: {reason}.\n"
        f"Built-in names: {_listing(BUILTIN_IMPLEMENTATIONS)}; any other name is "
        "an import path 'pkg.mod' or 'pkg.mod:attr' of an adapter that exports "
        "connect (see docs/implementers.md)."
    )


def _listing(names: Mapping[str, str]) -> str:
    return ", ".join(sorted(names))


def _one_line(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text.splitlines()[0] if text else type(exc).__name__
