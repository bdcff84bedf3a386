"""FakeCA: certificates made in memory, trusted only where they should be."""

from __future__ import annotations

import os
import ssl

import pytest

from fake_servers import CERTIFICATE_VARIANTS, EchoServer, End, FakeCA

from ._clients import connect_tls


def test_cert_pem_is_a_pem_certificate(ca: FakeCA) -> None:
    assert ca.cert_pem.startswith(b"-----BEGIN CERTIFICATE-----")


def test_ca_file_is_created_lazily_and_removed_on_close() -> None:
    fake_ca = FakeCA()
    path = fake_ca.ca_file
    with open(path, "rb") as f:
        assert f.read() == fake_ca.cert_pem
    assert fake_ca.ca_file == path, "the CA file should be written only once"

    fake_ca.close()
    assert not os.path.exists(path), "close() should delete the CA file"
    fake_ca.close()  # A second close is harmless.


def test_client_context_verifies_certificates(ca: FakeCA) -> None:
    ctx = ca.client_context()
    assert ctx.verify_mode is ssl.CERT_REQUIRED
    assert ctx.check_hostname


def test_server_context_rejects_an_unknown_variant(ca: FakeCA) -> None:
    with pytest.raises(ValueError, match="choose one of good, untrusted"):
        ca.server_context("self_signed")


def test_ca_file_works_as_a_trust_store(ca: FakeCA) -> None:
    with EchoServer(tls=True, ca=ca) as srv:
        ctx = ssl.create_default_context(cafile=ca.ca_file)
        with connect_tls(srv.hostport, ctx) as tls:
            tls.sendall(b"x")
            assert tls.recv(1) == b"x"


@pytest.mark.parametrize("server_hostname", ["localhost", "127.0.0.1"])
def test_good_certificate_is_accepted_for_each_loopback_name(
    ca: FakeCA, server_hostname: str
) -> None:
    with (
        EchoServer(tls=True, ca=ca) as srv,
        connect_tls(srv.hostport, ca.client_context(), server_hostname) as tls,
    ):
        assert tls.version() in ("TLSv1.2", "TLSv1.3")


def test_good_certificate_is_valid_for_ipv6_loopback(ca: FakeCA) -> None:
    with (
        EchoServer(tls=True, ca=ca, host="::1") as srv,
        connect_tls(srv.hostport, ca.client_context(), "::1") as tls,
    ):
        assert srv.address == f"[::1]:{srv.port}"
        tls.sendall(b"v6")
        assert tls.recv(2) == b"v6"


@pytest.mark.parametrize(
    ("certificate", "reason"),
    [
        ("untrusted", "unable to get local issuer certificate"),
        ("wrong_host", "Hostname mismatch"),
        ("expired", "certificate has expired"),
    ],
)
def test_negative_certificate_fails_verification(
    ca: FakeCA, certificate: str, reason: str
) -> None:
    with EchoServer(tls=True, ca=ca, certificate=certificate) as srv:
        with pytest.raises(ssl.SSLCertVerificationError, match=reason):
            connect_tls(srv.hostport, ca.client_context())

        record = srv.wait_for_connections(1)[0].wait_closed()
        assert record.tls_error is not None, "the failed handshake should be logged"
        assert record.server_end is End.RST, "a failed handshake ends with RST"
        assert not record.tls
        assert srv.errors == [], "a client rejecting the certificate is no failure"


def test_every_variant_has_a_certificate(ca: FakeCA) -> None:
    pems = {ca.leaf(v).cert_chain_pems[0].bytes() for v in CERTIFICATE_VARIANTS}
    assert len(pems) == len(CERTIFICATE_VARIANTS), "each variant is its own cert"


def test_alpn_selects_a_protocol_both_sides_know(ca: FakeCA) -> None:
    with EchoServer(tls=True, ca=ca, alpn=["h2", "x-sockets"]) as srv:
        ctx = ca.client_context(alpn=["x-sockets"])
        with connect_tls(srv.hostport, ctx) as tls:
            assert tls.selected_alpn_protocol() == "x-sockets"
        record = srv.wait_for_connections(1)[0].wait_closed()
        assert record.alpn_protocol == "x-sockets"


def test_alpn_without_overlap_selects_nothing(ca: FakeCA) -> None:
    with EchoServer(tls=True, ca=ca, alpn=["h2"]) as srv:
        ctx = ca.client_context(alpn=["x-other"])
        with connect_tls(srv.hostport, ctx) as tls:
            assert tls.selected_alpn_protocol() is None


def test_server_records_the_sni_name(ca: FakeCA) -> None:
    with EchoServer(tls=True, ca=ca) as srv:
        with connect_tls(srv.hostport, ca.client_context(), "localhost"):
            pass
        record = srv.wait_for_connections(1)[0].wait_closed()
        assert record.server_name == "localhost"
        assert record.tls_version in ("TLSv1.2", "TLSv1.3")


def test_tls_server_without_a_ca_makes_and_cleans_up_its_own() -> None:
    srv = EchoServer(tls=True)
    with srv:
        path = srv.ca_file
        with connect_tls(srv.hostport, srv.client_context()) as tls:
            tls.sendall(b"own")
            assert tls.recv(3) == b"own"
    assert not os.path.exists(path), "a CA the server made should go with it"


def test_a_tls_servers_own_ca_is_there_before_start() -> None:
    srv = EchoServer(tls=True)
    assert srv.has_ca
    assert srv.ca.cert_pem.startswith(b"-----BEGIN CERTIFICATE-----")
    assert not EchoServer().has_ca, "a plain server needs no CA"
    with pytest.raises(RuntimeError, match="pass ca=FakeCA"):
        _ = EchoServer().ca
