"""An in-memory certificate authority for the fake servers' TLS."""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import ssl
import tempfile
import threading
from collections.abc import Sequence
from typing import Literal

import trustme

__all__ = ["CERTIFICATE_VARIANTS", "Certificate", "FakeCA"]

logger = logging.getLogger(__name__)

Certificate = Literal["good", "untrusted", "wrong_host", "expired"]

#: Every value accepted wherever a ``certificate=`` option is taken.
CERTIFICATE_VARIANTS: tuple[str, ...] = ("good", "untrusted", "wrong_host", "expired")

#: The names every "good" server certificate is valid for.
SERVER_IDENTITIES: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")

#: The only name the ``wrong_host`` certificate is valid for.
WRONG_HOSTNAME = "wrong-host.invalid"


def check_certificate(certificate: str) -> None:
    """Raise ``ValueError`` unless ``certificate`` names a known variant."""
    if certificate not in CERTIFICATE_VARIANTS:
        raise ValueError(
            f"unknown certificate variant {certificate!r}; "
            f"choose one of {', '.join(CERTIFICATE_VARIANTS)}"
        )


class FakeCA:
    """A throwaway certificate authority made in memory at run time.

    Wraps a :class:`trustme.CA`. Nothing is written to disk except the CA
    certificate, and only when :attr:`ca_file` is read; :meth:`close` removes it.
    No private key ever leaves memory.

    Server certificates come in four variants, chosen by name:

    * ``"good"``: issued by this CA for ``localhost``, ``127.0.0.1`` and ``::1``;
      a client trusting this CA MUST accept it.
    * ``"untrusted"``: the same names, issued by a second CA that no client trusts.
    * ``"wrong_host"``: issued by this CA, but only for ``wrong-host.invalid``.
    * ``"expired"``: issued by this CA for the right names, valid only in the past.

    Example:
        >>> with FakeCA() as ca:
        ...     ctx = ca.client_context()
        ...     ctx.check_hostname
        True
    """

    def __init__(self) -> None:
        self._ca = trustme.CA()
        self._other_ca: trustme.CA | None = None
        self._leaves: dict[str, trustme.LeafCert] = {}
        self._ca_file: str | None = None
        self._lock = threading.Lock()

    @property
    def trustme_ca(self) -> trustme.CA:
        """The wrapped :class:`trustme.CA`, for callers who need its full API."""
        return self._ca

    @property
    def cert_pem(self) -> bytes:
        """The CA certificate, PEM-encoded: what a client must trust."""
        return self._ca.cert_pem.bytes()

    @property
    def ca_file(self) -> str:
        """Path of a temporary PEM file holding the CA certificate.

        Created on first access and removed by :meth:`close`.
        """
        with self._lock:
            if self._ca_file is None:
                fd, path = tempfile.mkstemp(prefix="fake-ca-", suffix=".pem")
                with os.fdopen(fd, "wb") as f:
                    f.write(self.cert_pem)
                self._ca_file = path
                logger.debug("wrote CA certificate to %s", path)
            return self._ca_file

    def client_context(self, *, alpn: Sequence[str] | None = None) -> ssl.SSLContext:
        """Return a client context that verifies certificates and trusts this CA.

        Args:
            alpn: ALPN protocol names the client offers, in preference order.

        Returns:
            A fresh context with hostname checking and verification on.
        """
        ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
        self._ca.configure_trust(ctx)
        if alpn:
            ctx.set_alpn_protocols(list(alpn))
        return ctx

    def server_context(
        self,
        certificate: Certificate | str = "good",
        *,
        alpn: Sequence[str] | None = None,
    ) -> ssl.SSLContext:
        """Return a server context presenting one certificate variant.

        Args:
            certificate: ``"good"``, ``"untrusted"``, ``"wrong_host"`` or
                ``"expired"`` (see the class docstring).
            alpn: ALPN protocol names the server accepts. When the client offers
                none of them, the handshake goes on without ALPN.

        Returns:
            A fresh server-side context.

        Raises:
            ValueError: ``certificate`` is not one of the four variants.
        """
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.leaf(certificate).configure_cert(ctx)
        if alpn:
            ctx.set_alpn_protocols(list(alpn))
        return ctx

    def leaf(self, certificate: Certificate | str = "good") -> trustme.LeafCert:
        """Return the :class:`trustme.LeafCert` of a certificate variant.

        Certificates are issued on first use and then reused.

        Raises:
            ValueError: ``certificate`` is not one of the four variants.
        """
        check_certificate(certificate)
        with self._lock:
            leaf = self._leaves.get(certificate)
            if leaf is None:
                leaf = self._issue(certificate)
                self._leaves[certificate] = leaf
            return leaf

    def _issue(self, certificate: str) -> trustme.LeafCert:
        if certificate == "untrusted":
            if self._other_ca is None:
                self._other_ca = trustme.CA()
            return self._other_ca.issue_cert(*SERVER_IDENTITIES)
        if certificate == "wrong_host":
            return self._ca.issue_cert(WRONG_HOSTNAME)
        if certificate == "expired":
            now = datetime.datetime.now(datetime.UTC)
            return self._ca.issue_cert(
                *SERVER_IDENTITIES,
                not_before=now - datetime.timedelta(days=30),
                not_after=now - datetime.timedelta(days=1),
            )
        return self._ca.issue_cert(*SERVER_IDENTITIES)

    def close(self) -> None:
        """Delete the temporary CA file, if one was written. Safe to call twice."""
        with self._lock:
            path, self._ca_file = self._ca_file, None
        if path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            logger.debug("removed CA file %s", path)

    def __enter__(self) -> FakeCA:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
