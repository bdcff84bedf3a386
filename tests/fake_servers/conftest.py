"""Fixtures shared by the fake server tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fake_servers import FakeCA


@pytest.fixture(scope="module")
def ca() -> Iterator[FakeCA]:
    """One CA per module: issuing certificates is the slow part of TLS setup."""
    with FakeCA() as fake_ca:
        yield fake_ca
