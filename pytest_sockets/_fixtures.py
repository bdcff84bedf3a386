"""The fixtures of pytest-sockets: the implementation under test and the servers.

Every fake server is started once per session (once per xdist worker, on a port
the system picks) and handed to each test through a function-scoped fixture that
resets it first. The plugin's ``pytest_runtest_call`` wrapper then calls the
server's ``check()`` after the test body, so a failure inside a server fails the
test that caused it. The servers run in threads, so every fixture here is a plain
synchronous fixture, usable from sync tests and from async tests in either
pytest-asyncio mode.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from typing import Any

import pytest

import fake_servers
from pytest_sockets._impls import (
    ConnectFunction,
    Implementation,
    selected_implementations,
)

SERVERS_USED = pytest.StashKey[list[Any]]()
"""The fake servers a test used, in the order their fixtures were set up."""


@pytest.fixture(scope="session")
def sockets_impl(request: pytest.FixtureRequest) -> Implementation:
    """The implementation under test (:class:`pytest_sockets.Implementation`).

    Tests that use it, directly or through ``sockets_connect``, run once per
    implementation selected with ``--sockets-impl``; its name is in the test id.
    """
    param = getattr(request, "param", None)
    if isinstance(param, Implementation):
        return param
    # Only reached through request.getfixturevalue(), which collection-time
    # parametrisation cannot see: use the first selected implementation.
    return selected_implementations(request.config)[0]


@pytest.fixture(scope="session")
def sockets_ca() -> Iterator[fake_servers.FakeCA]:
    """The test certificate authority (a ``fake_servers.FakeCA``), one per session.

    Every TLS fake server presents a certificate it issued; ``sockets_connect``
    trusts it.
    """
    ca = fake_servers.FakeCA()
    yield ca
    ca.close()


@pytest.fixture
def sockets_connect(
    sockets_impl: Implementation, sockets_ca: fake_servers.FakeCA
) -> ConnectFunction:
    """``connect(address, options=None)`` of the implementation under test.

    It trusts the test CA (``sockets_ca``) through the adapter's
    ``connect_trusting`` hook. Call it inside a running event loop.
    """
    return sockets_impl.connect_with_ca(sockets_ca.cert_pem)


def _server_fixtures(
    name: str, build: Callable[[fake_servers.FakeCA], Any], doc: str
) -> tuple[Any, Any]:
    """Return the session fixture that runs a server and the per-test fixture."""
    session_name = f"_sockets_{name}_session"

    def run_for_session(sockets_ca: fake_servers.FakeCA) -> Iterator[Any]:
        server = build(sockets_ca)
        server.start()
        yield server
        server.stop()

    def fresh_for_test(request: pytest.FixtureRequest) -> Any:
        server = request.getfixturevalue(session_name)
        server.reset()
        request.node.stash.setdefault(SERVERS_USED, []).append(server)
        return server

    fresh_for_test.__doc__ = doc
    fresh_for_test.__name__ = fresh_for_test.__qualname__ = name
    return (
        pytest.fixture(scope="session", name=session_name)(run_for_session),
        pytest.fixture(name=name)(fresh_for_test),
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    # A failure inside a fake server belongs to the test that caused it, so it is
    # raised in the call phase (a failure, not a teardown error). If the test
    # failed too, the server's error is chained to the test's own.
    try:
        return (yield)
    finally:
        for server in item.stash.get(SERVERS_USED, ()):
            server.check()
