"""The fixtures: servers per session and per test, sync and async, xdist."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pytest_sockets._fixtures import SERVER_FIXTURES

pytest_plugins = ["pytester"]

# An inner async test that round-trips bytes through the implementation under
# test and the echo server; it carries no asyncio marker of its own.
ECHO_ROUND_TRIP = """
async def round_trip(connect, server):
    sock = connect(server.address)
    await sock.opened
    writer = sock.writable.get_writer()
    await writer.write(b"ping")
    reader = sock.readable.get_reader()
    result = await reader.read()
    await sock.close()
    return result.value

{marker}
async def test_echo(sockets_connect, echo_server):
    assert await round_trip(sockets_connect, echo_server) == b"ping"
    assert echo_server.wait_for_connections(1)[0].received == b"ping"

{marker}
async def test_tls_echo(sockets_connect, tls_echo_server):
    sock = sockets_connect(tls_echo_server.address, {{"secureTransport": "on"}})
    await sock.opened
    await sock.close()
    record = tls_echo_server.wait_for_connections(1)[0].wait_closed()
    assert record.tls, "the connection should have been upgraded to TLS"
"""

# A server whose handler fails: the failure must fail the test that used it.
BROKEN_SERVER = """
import socket
import fake_servers
import pytest

class BrokenServer(fake_servers.BaseServer):
    async def handle(self, conn):
        raise ValueError("the server's handler broke")

@pytest.fixture
def broken_server(make_server):
    return make_server(BrokenServer)

def use(server):
    with socket.create_connection(server.hostport, timeout=5):
        pass
    server.wait_for_connections(1)
    server.wait_idle()
"""


def test_every_server_fixture_yields_a_started_server_with_an_address(
    pytester: pytest.Pytester, ini: Callable[..., None]
) -> None:
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.parametrize("name", {list(SERVER_FIXTURES)!r})
        def test_started(request, name):
            server = request.getfixturevalue(name)
            assert server.running
            assert server.address == f"127.0.0.1:{{server.port}}"
            assert server.port != 0
        """
    )

    result = pytester.runpytest()

    result.assert_outcomes(passed=len(SERVER_FIXTURES))


def test_servers_start_once_per_session_and_reset_per_test(
    pytester: pytest.Pytester, ini: Callable[..., None]
) -> None:
    pytester.makepyfile(
        """
        import socket

        seen = []

        def talk(server):
            with socket.create_connection(server.hostport, timeout=5) as s:
                s.sendall(b"x")
                assert s.recv(1) == b"x"
            server.wait_idle()

        def test_first(echo_server):
            talk(echo_server)
            seen.append(echo_server)
            assert len(echo_server.connections) == 1

        def test_second(echo_server):
            assert echo_server is seen[0], "one server for the whole session"
            assert echo_server.connections == [], "reset before each test"
            talk(echo_server)
        """
    )

    pytester.runpytest().assert_outcomes(passed=2)


@pytest.mark.parametrize("mode", ["strict", "auto"])
def test_fixtures_work_in_async_tests_in_both_asyncio_modes(
    pytester: pytest.Pytester, ini: Callable[..., None], mode: str
) -> None:
    ini(asyncio_mode=mode)
    marker = "@pytest.mark.asyncio" if mode == "strict" else ""
    pytester.makepyfile("import pytest\n" + ECHO_ROUND_TRIP.format(marker=marker))

    result = pytester.runpytest("-v")

    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*::test_echo[[]reference[]] PASSED*"])


def test_fixtures_work_in_sync_tests(
    pytester: pytest.Pytester, ini: Callable[..., None]
) -> None:
    pytester.makepyfile(
        """
        import socket, ssl

        def test_plain(gopher_server):
            with socket.create_connection(gopher_server.hostport, timeout=5) as s:
                s.sendall(b"/about.txt\\r\\n")
                assert s.recv(4096).startswith(b"This text file")

        def test_tls(sockets_ca, tls_echo_server):
            context = sockets_ca.client_context()
            raw = socket.create_connection(tls_echo_server.hostport, timeout=5)
            with context.wrap_socket(raw, server_hostname="localhost") as s:
                s.sendall(b"secret")
                assert s.recv(6) == b"secret"

        def test_connect_is_callable(sockets_impl, sockets_connect):
            assert sockets_impl.name == "reference"
            assert callable(sockets_connect)
        """
    )

    pytester.runpytest().assert_outcomes(passed=3)


def test_a_server_failure_fails_the_test_that_caused_it(
    pytester: pytest.Pytester, ini: Callable[..., None]
) -> None:
    pytester.makepyfile(
        broken=BROKEN_SERVER,
        test_failures="""
        from broken import broken_server, use

        def test_causes_it(broken_server):
            use(broken_server)

        def test_fails_itself_too(broken_server):
            use(broken_server)
            assert False, "the test's own failure"

        def test_unrelated(echo_server):
            pass
        """,
    )

    result = pytester.runpytest()

    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*_ test_causes_it _*",
            "E*ValueError: the server's handler broke",
            "*_ test_fails_itself_too _*",
            "E*AssertionError: the test's own failure*",
            "*During handling of the above exception, another exception occurred*",
            "E*ValueError: the server's handler broke",
        ]
    )
    assert "error" not in result.parseoutcomes(), "failures, not teardown errors"


def test_a_server_failure_after_the_test_body_errors_in_its_teardown(
    pytester: pytest.Pytester, ini: Callable[..., None]
) -> None:
    pytester.makepyfile(
        broken=BROKEN_SERVER,
        test_late_failure="""
        import pytest
        from broken import broken_server, use

        @pytest.fixture
        def uses_server_on_teardown(broken_server):
            yield
            use(broken_server)

        def test_body_passes(uses_server_on_teardown):
            pass

        def test_next_test_is_clean(echo_server):
            pass
        """,
    )

    result = pytester.runpytest()

    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_body_passes*",
            "E*ValueError: the server's handler broke",
        ]
    )


def test_make_server_starts_and_stops_a_server_of_the_tests_choosing(
    pytester: pytest.Pytester, ini: Callable[..., None]
) -> None:
    pytester.makepyfile(
        """
        import socket
        import fake_servers

        made = []

        def test_make(make_server, sockets_ca):
            server = make_server(fake_servers.EchoServer, greeting=b"hello")
            made.append(server)
            assert server.ca is sockets_ca, "the test CA is the default"
            with socket.create_connection(server.hostport, timeout=5) as s:
                assert s.recv(5) == b"hello"

        def test_stopped_after_the_test():
            assert not made[0].running
        """
    )

    pytester.runpytest().assert_outcomes(passed=2)


def test_xdist_workers_each_run_their_own_servers_for_every_implementation(
    pytester: pytest.Pytester,
    ini: Callable[..., None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ini(asyncio_mode="auto", sockets_impl="reference,second_adapter")
    pytester.makepyfile(
        second_adapter="""
        import reference_impl

        NAME = "second"
        connect = reference_impl.connect

        def connect_trusting(ca_pem):
            return reference_impl.Connector(cadata=ca_pem).connect
        """
    )
    tests = ECHO_ROUND_TRIP.format(marker="")
    pytester.makepyfile(test_one=tests, test_two=tests, test_three=tests)
    # The workers import the adapter while they configure, before collection.
    monkeypatch.setenv("PYTHONPATH", str(pytester.path))

    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider", "-v")

    result.assert_outcomes(passed=12)
    result.stdout.fnmatch_lines(
        [
            "  second unknown from *",
            "*2 workers*",
            "*test_one.py::test_echo[[]second[]]*",
        ],
        consecutive=False,
    )
