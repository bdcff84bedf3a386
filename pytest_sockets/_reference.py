"""The built-in ``reference`` adapter: ``reference_impl`` under the adapter contract.

It is an ordinary adapter (see ``docs/implementers.md``), kept here so that
``reference_impl`` itself needs to know nothing about the plugin.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import metadata

import reference_impl

NAME = "reference"
VERSION = getattr(reference_impl, "__version__", None) or metadata.version(
    "pytest-sockets"
)

connect = reference_impl.connect

# The reference implementation supports every optional feature.
UNSUPPORTED_FEATURES: dict[str, str] = {}


def connect_trusting(ca_pem: bytes) -> Callable[..., object]:
    """Return a ``connect`` that trusts the CA in ``ca_pem`` (PEM bytes)."""
    return reference_impl.Connector(cadata=ca_pem).connect
