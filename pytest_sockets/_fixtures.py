"""The fixtures of pytest-sockets: the implementation under test and the servers.

Every fake server is started once per session (once per xdist worker, on a port
the system picks) and handed to each test through a function-scoped fixture that
resets it first. After the test body, ``pytest_runtest_call`` below raises the
first failure recorded inside each server the test used (what ``check()`` would
raise), so a failure inside a server fails the test that caused it. The servers
run in threads, so every fixture here is a plain synchronous fixture, usable
from sync tests and from async tests in either pytest-asyncio mode.
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

_FAILURES_RAISED = pytest.StashKey[list[BaseException]]()
"""The server failures already raised in a test, so each is raised only once."""


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


@pytest.fixture(scope="session")
def sockets_connect(
    sockets_impl: Implementation, sockets_ca: fake_servers.FakeCA
) -> ConnectFunction:
    """``connect(address, options=None)`` of the implementation under test.

    It trusts the test CA (``sockets_ca``) through the adapter's
    ``connect_trusting`` hook, which is called once per implementation and
    session: a bridge may start its runtime there. Call it inside a running
    event loop.
    """
    return sockets_impl.connect_with_ca(sockets_ca.cert_pem)


@pytest.fixture
def make_server(
    request: pytest.FixtureRequest, sockets_ca: fake_servers.FakeCA
) -> Iterator[Callable[..., Any]]:
    """Start fake servers of your own for one test: ``make_server(cls, **options)``.

    ``cls`` is a ``fake_servers`` server class; ``ca`` defaults to ``sockets_ca``.
    The server is started at once, watched for failures like the shared ones,
    and stopped after the test.
    """
    started: list[Any] = []

    def make(server_class: type[Any], /, *args: Any, **options: Any) -> Any:
        options.setdefault("ca", sockets_ca)
        server = server_class(*args, **options)
        server.start()
        started.append(server)
        _watch(request, server)
        return server

    yield make
    for server in started:
        server.stop()


def _server_fixtures(
    name: str, build: Callable[[fake_servers.FakeCA], Any], doc: str
) -> tuple[Any, Any]:
    """Return a session fixture that runs a server and the per-test fixture on it.

    The session fixture is private (``_sockets_<name>_session``); the per-test
    fixture, called ``name``, resets the server and watches it for failures.
    """
    session_name = f"_sockets_{name}_session"

    def run_for_session(sockets_ca: fake_servers.FakeCA) -> Iterator[Any]:
        server = build(sockets_ca)
        server.start()
        yield server
        server.stop()

    def fresh_for_test(request: pytest.FixtureRequest) -> Any:
        server = request.getfixturevalue(session_name)
        server.reset()
        _watch(request, server)
        return server

    fresh_for_test.__doc__ = doc
    fresh_for_test.__name__ = fresh_for_test.__qualname__ = name
    return (
        pytest.fixture(scope="session", name=session_name)(run_for_session),
        pytest.fixture(name=name)(fresh_for_test),
    )


def _watch(request: pytest.FixtureRequest, server: Any) -> None:
    """Have the failures of ``server`` raised in the test that is using it."""
    request.node.stash.setdefault(SERVERS_USED, []).append(server)
    # A failure that happens after the test body (while fixtures are torn down)
    # still belongs to this test, not to the next one that resets the server.
    request.addfinalizer(lambda: _raise_new_failure(request.node, [server]))


def _raise_new_failure(item: pytest.Item, servers: list[Any]) -> None:
    """Raise the first server failure not yet raised in ``item``."""
    raised = item.stash.setdefault(_FAILURES_RAISED, [])
    for server in servers:
        for error in server.errors:
            if not any(error is seen for seen in raised):
                raised.append(error)
                raise error


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    # A failure inside a fake server belongs to the test that caused it, so it is
    # raised in the call phase: the test fails, rather than erroring in teardown.
    # If the test failed as well, the server's failure is chained to its own.
    try:
        return (yield)
    finally:
        _raise_new_failure(item, item.stash.get(SERVERS_USED, []))


# ALPN protocols the TLS echo server accepts, in its order of preference.
TLS_ECHO_ALPN = ("h2", "http/1.1")

_SERVERS: dict[str, tuple[Callable[[fake_servers.FakeCA], Any], str]] = {
    "echo_server": (
        lambda ca: fake_servers.EchoServer(ca=ca),
        "A plain TCP ``fake_servers.EchoServer``: every byte comes back.",
    ),
    "tls_echo_server": (
        lambda ca: fake_servers.EchoServer(ca=ca, tls=True, alpn=TLS_ECHO_ALPN),
        "A ``fake_servers.EchoServer`` over TLS, with a certificate from "
        "``sockets_ca`` for localhost, 127.0.0.1 and ::1; it selects ALPN "
        "``h2`` or ``http/1.1``.",
    ),
    "gopher_server": (
        lambda ca: fake_servers.GopherServer(ca=ca),
        "A ``fake_servers.GopherServer`` serving ``fake_servers.default_site()``.",
    ),
    "smtp_server": (
        lambda ca: fake_servers.SmtpServer(ca=ca),
        "A ``fake_servers.SmtpServer`` that offers STARTTLS with a certificate "
        "from ``sockets_ca``; accepted mail is in ``.messages``.",
    ),
    "postgres_server": (
        lambda ca: fake_servers.PostgresServer(ca=ca),
        "A ``fake_servers.PostgresServer`` that answers SSLRequest with ``S`` "
        "and upgrades to TLS with a certificate from ``sockets_ca``.",
    ),
    "starttls_echo_server": (
        lambda ca: fake_servers.StartTlsEchoServer(ca=ca),
        "A ``fake_servers.StartTlsEchoServer``: echoes lines, and after the line "
        "``STARTTLS`` echoes inside TLS (certificate from ``sockets_ca``).",
    ),
}
for _variant in fake_servers.CERTIFICATE_VARIANTS:
    if _variant != "good":
        _SERVERS[f"{_variant}_tls_echo_server"] = (
            lambda ca, variant=_variant: fake_servers.EchoServer(
                ca=ca, tls=True, certificate=variant
            ),
            f"A TLS ``fake_servers.EchoServer`` presenting the ``{_variant}`` "
            "certificate (see ``fake_servers.FakeCA``): a client that trusts "
            "``sockets_ca`` MUST reject it.",
        )
for _fault in fake_servers.FAULTS:
    _SERVERS[f"fault_{_fault}_server"] = (
        lambda ca, fault=_fault: fake_servers.FaultServer(fault, ca=ca),
        f"A ``fake_servers.FaultServer`` with the ``{_fault}`` fault.",
    )

SERVER_FIXTURES: tuple[str, ...] = tuple(_SERVERS)
"""The name of every per-test server fixture."""

for _name, (_build, _doc) in _SERVERS.items():
    globals()[f"_{_name}_session"], globals()[_name] = _server_fixtures(
        _name, _build, _doc
    )
