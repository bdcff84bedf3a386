"""#starttls-method: startTls() upgrades a "starttls" socket in place."""

from __future__ import annotations

import pytest

from ._support import bounded, read_exactly

# Marked explicitly so the suite also runs in pytest-asyncio's strict mode.
pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.spec_anchor("#starttls-method"),
    pytest.mark.feature("starttls"),
]


@pytest.mark.requirement("STARTTLS-2")
@pytest.mark.parametrize("secure_transport", ["off", "on"])
async def test_start_tls_fails_unless_the_socket_was_made_for_it(
    sockets_connect, echo_server, tls_echo_server, secure_transport
):
    server = tls_echo_server if secure_transport == "on" else echo_server
    sock = sockets_connect(
        f"localhost:{server.port}", {"secureTransport": secure_transport}
    )
    await bounded(sock.opened)

    with pytest.raises(TypeError):
        sock.start_tls()
    await bounded(sock.close())


@pytest.mark.requirement("STARTTLS-3", "STARTTLS-6", "SOCKET-UPGRADED-2")
async def test_start_tls_marks_the_original_upgraded_and_closes_it(
    sockets_connect, starttls_echo_server
):
    sock = sockets_connect(
        f"localhost:{starttls_echo_server.port}", {"secureTransport": "starttls"}
    )
    writer = sock.writable.get_writer()
    reader = sock.readable.get_reader()
    await bounded(writer.write(b"STARTTLS\r\n"))
    await read_exactly(reader, len(b"STARTTLS\r\n"))
    writer.release_lock()
    reader.release_lock()
    seen = []
    sock.closed.add_done_callback(lambda _: seen.append(sock.upgraded))

    tls = sock.start_tls()

    assert tls is not sock
    assert sock.upgraded is True
    await bounded(sock.closed)
    assert seen == [True], "upgraded is set before closed settles"
    await bounded(tls.opened)
    tls_writer = tls.writable.get_writer()
    await bounded(tls_writer.write(b"private"))
    assert await read_exactly(tls.readable.get_reader(), 7) == b"private"
    await bounded(tls.close())
