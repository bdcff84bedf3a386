"""secureTransport "on" and "starttls", start_tls(), upgraded, TLS failures."""

from __future__ import annotations

import asyncio
import datetime
import ssl

import pytest
import trustme

from reference_impl import AddressPolicy, Connector, ReadResult, SocketError, connect

from .conftest import bounded, echo, read_exactly


def tls_context(ca: trustme.CA, *names: str, **kwargs) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names, **kwargs).configure_cert(context)
    return context


def starttls_peer(
    server_context: ssl.SSLContext,
    *,
    transcript: list | None = None,
    go_ahead: bool = True,
):
    """Plain lines until ``STARTTLS``, then ``GO`` (unless not asked) and TLS echo."""

    async def handler(reader, writer):
        while line := await reader.readline():
            if transcript is not None:
                transcript.append(line)
            if line == b"STARTTLS\r\n":
                if go_ahead:
                    writer.write(b"GO\r\n")
                    await writer.drain()
                await writer.start_tls(server_context)
                await echo(reader, writer)
                return
            writer.write(line)
            await writer.drain()

    return handler


async def ask_for_tls(sock):
    """Send ``STARTTLS`` and read the peer's go-ahead; return writer and reader."""
    writer = sock.writable.get_writer()
    reader = sock.readable.get_reader()
    await bounded(writer.write(b"STARTTLS\r\n"))
    assert await read_exactly(reader, 4) == b"GO\r\n"
    return writer, reader


async def test_secure_transport_on_round_trips_with_alpn(serve, ca, connector):
    peer = await serve(echo, ssl=tls_context(ca, "localhost"))
    peer.ssl_context.set_alpn_protocols(["pg", "h2"])

    sock = connector.connect(
        f"localhost:{peer.port}", {"secureTransport": "on", "alpn": ["h2"]}
    )
    info = await bounded(sock.opened)
    writer = sock.writable.get_writer()
    reader = sock.readable.get_reader()
    await bounded(writer.write(b"over TLS"))

    assert info.alpn == "h2"
    assert sock.secure_transport == "on"
    assert await read_exactly(reader, 8) == b"over TLS"
    await bounded(sock.close())


async def test_no_alpn_agreement_reports_none(serve, ca, connector):
    peer = await serve(echo, ssl=tls_context(ca, "localhost"))

    sock = connector.connect(f"localhost:{peer.port}", {"secureTransport": "on"})

    assert (await bounded(sock.opened)).alpn is None
    await bounded(sock.close())


async def test_sni_names_the_certificate_to_verify(serve, ca, connector):
    peer = await serve(echo, ssl=tls_context(ca, "db.example"))

    good = connector.connect(
        peer.address, {"secureTransport": "on", "sni": "db.example"}
    )
    bad = connector.connect(peer.address, {"secureTransport": "on"})

    await bounded(good.opened)
    with pytest.raises(SocketError, match="certificate verification failed"):
        await bounded(bad.opened)
    await bounded(good.close())


@pytest.mark.parametrize(
    ("make_context", "message"),
    [
        pytest.param(
            lambda ca: tls_context(trustme.CA(), "localhost"),
            "unable to get local issuer certificate",
            id="untrusted-ca",
        ),
        pytest.param(
            lambda ca: tls_context(ca, "elsewhere.example"),
            "Hostname mismatch",
            id="wrong-hostname",
        ),
        pytest.param(
            lambda ca: tls_context(
                ca,
                "localhost",
                not_after=datetime.datetime.now(datetime.UTC)
                - datetime.timedelta(days=1),
            ),
            "certificate has expired",
            id="expired",
        ),
    ],
)
async def test_bad_certificates_fail_the_connection(
    serve, ca, connector, make_context, message
):
    peer = await serve(echo, ssl=make_context(ca))

    sock = connector.connect(f"localhost:{peer.port}", {"secureTransport": "on"})

    with pytest.raises(SocketError, match=message) as error:
        await bounded(sock.opened)
    assert sock.closed.exception() is error.value
    assert isinstance(error.value.__cause__, ssl.SSLCertVerificationError)


async def test_module_connect_uses_the_system_store_and_rejects_a_test_ca(serve, ca):
    peer = await serve(echo, ssl=tls_context(ca, "localhost"))

    sock = connect(f"localhost:{peer.port}", {"secureTransport": "on"})

    with pytest.raises(SocketError, match="certificate verification failed"):
        await bounded(sock.opened)


async def test_configure_tls_hook_sets_up_trust(serve, ca):
    peer = await serve(echo, ssl=tls_context(ca, "localhost"))
    connector = Connector(configure_tls=ca.configure_trust)

    sock = connector.connect(f"localhost:{peer.port}", {"secureTransport": "on"})

    await bounded(sock.opened)
    await bounded(sock.close())


async def test_start_tls_upgrades_and_the_new_socket_speaks_tls(
    serve, connector, server_context
):
    transcript: list[bytes] = []
    peer = await serve(starttls_peer(server_context, transcript=transcript))
    sock = connector.connect(f"localhost:{peer.port}", {"secureTransport": "starttls"})
    writer = sock.writable.get_writer()
    reader = sock.readable.get_reader()
    await bounded(writer.write(b"hello\r\n"))
    assert await read_exactly(reader, 7) == b"hello\r\n"
    await bounded(writer.write(b"STARTTLS\r\n"))
    assert await read_exactly(reader, 4) == b"GO\r\n"
    upgraded_when_closed = []
    sock.closed.add_done_callback(lambda _: upgraded_when_closed.append(sock.upgraded))

    tls = sock.start_tls()

    assert tls is not sock
    assert sock.upgraded is True
    assert tls.secure_transport == "on"
    assert await bounded(sock.closed) is None
    assert upgraded_when_closed == [True]
    info = await bounded(tls.opened)
    assert info.remote_address == peer.address
    tls_writer = tls.writable.get_writer()
    tls_reader = tls.readable.get_reader()
    await bounded(tls_writer.write(b"secret"))
    await bounded(tls_writer.close())
    assert await read_exactly(tls_reader, 6) == b"secret"
    assert transcript == [b"hello\r\n", b"STARTTLS\r\n"]
    await bounded(tls.close())


async def test_old_streams_stop_working_after_start_tls(
    serve, connector, server_context
):
    peer = await serve(starttls_peer(server_context))
    sock = connector.connect(f"localhost:{peer.port}", {"secureTransport": "starttls"})
    writer, reader = await ask_for_tls(sock)

    tls = sock.start_tls()

    assert await bounded(reader.read()) == ReadResult(None, True)
    with pytest.raises(SocketError, match="upgraded by start_tls"):
        await bounded(writer.write(b"in the clear"))
    await bounded(tls.opened)
    with pytest.raises(SocketError, match="upgraded by start_tls"):
        await bounded(writer.closed)
    await bounded(tls.close())


async def test_a_write_queued_before_start_tls_goes_out_in_plain_text(
    serve, connector, server_context
):
    peer = await serve(starttls_peer(server_context, go_ahead=False))
    sock = connector.connect(f"localhost:{peer.port}", {"secureTransport": "starttls"})
    writer = sock.writable.get_writer()

    sent = writer.write(b"STARTTLS\r\n")
    tls = sock.start_tls()

    await bounded(sent)
    await bounded(tls.opened)
    reader = tls.readable.get_reader()
    tls_writer = tls.writable.get_writer()
    await bounded(tls_writer.write(b"ok"))
    assert await read_exactly(reader, 2) == b"ok"
    await bounded(tls.close())


async def test_start_tls_is_refused_where_the_spec_says_it_must_fail(
    serve, connector, server_context
):
    peer = await serve(starttls_peer(server_context))
    tls_peer = await serve(echo, ssl=server_context)
    plain = connector.connect(peer.address)
    secure = connector.connect(f"localhost:{tls_peer.port}", {"secureTransport": "on"})
    starttls = connector.connect(
        f"localhost:{peer.port}", {"secureTransport": "starttls"}
    )
    await bounded(asyncio.gather(plain.opened, secure.opened, starttls.opened))

    with pytest.raises(SocketError, match="needs a socket created with"):
        plain.start_tls()
    with pytest.raises(SocketError, match="uses 'on'"):
        secure.start_tls()
    writer = starttls.writable.get_writer()
    await bounded(writer.write(b"STARTTLS\r\n"))
    assert await read_exactly(starttls.readable.get_reader(), 4) == b"GO\r\n"
    upgraded = starttls.start_tls()
    with pytest.raises(SocketError, match="already called"):
        starttls.start_tls()
    with pytest.raises(SocketError, match="uses 'on'"):
        upgraded.start_tls()
    for sock in (plain, secure, upgraded):
        await bounded(sock.close())


async def test_start_tls_on_a_closed_socket_is_refused(serve, connector):
    peer = await serve(echo)
    sock = connector.connect(peer.address, {"secureTransport": "starttls"})
    await bounded(sock.close())

    with pytest.raises(SocketError, match="closed socket"):
        sock.start_tls()


async def test_failed_upgrade_rejects_the_new_socket(serve, ca):
    stranger = trustme.CA()
    peer = await serve(starttls_peer(tls_context(stranger, "localhost")))
    connector = Connector(cadata=ca.cert_pem.bytes())
    sock = connector.connect(f"localhost:{peer.port}", {"secureTransport": "starttls"})
    await ask_for_tls(sock)

    tls = sock.start_tls()

    with pytest.raises(SocketError, match="certificate verification failed") as error:
        await bounded(tls.opened)
    assert tls.closed.exception() is error.value
    assert await bounded(sock.closed) is None, "the original socket stays closed"


async def test_start_tls_before_opened_upgrades_once_connected(
    serve, connector, server_context
):
    async def tls_at_once(reader, writer):
        await writer.start_tls(server_context)
        await echo(reader, writer)

    peer = await serve(tls_at_once)
    sock = connector.connect(f"localhost:{peer.port}", {"secureTransport": "starttls"})

    tls = sock.start_tls()

    await bounded(tls.opened)
    writer = tls.writable.get_writer()
    await bounded(writer.write(b"early"))
    assert await read_exactly(tls.readable.get_reader(), 5) == b"early"
    await bounded(tls.close())


async def test_policy_blocks_ports_and_private_addresses(serve):
    peer = await serve(echo)
    by_port = Connector(policy=AddressPolicy(blocked_ports={peer.port}))
    by_range = Connector(policy=AddressPolicy(block_private=True))
    allowed = Connector(policy=AddressPolicy(blocked_ports={25}))

    port_blocked = by_port.connect(peer.address)
    range_blocked = by_range.connect(f"localhost:{peer.port}")
    fine = allowed.connect(peer.address)

    with pytest.raises(SocketError, match=f"port {peer.port} is blocked"):
        await bounded(port_blocked.opened)
    with pytest.raises(SocketError, match="not a public address"):
        await bounded(range_blocked.closed)
    await bounded(fine.opened)
    await bounded(fine.close())


def test_connector_rejects_arguments_of_the_wrong_type():
    with pytest.raises(TypeError, match="policy must be an AddressPolicy"):
        Connector(policy={"block_private": True})
    with pytest.raises(TypeError, match="configure_tls must be a callable"):
        Connector(configure_tls="yes")
