"""Shared set-up for the tests of the pytest plugin."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pytest_sockets.plugin import ENV_VAR

# Every inner run gets these, so that pytest-asyncio's warnings stay out of them.
INNER_INI = {
    "asyncio_default_fixture_loop_scope": "function",
    # Hypothesis is not used inside, and importing it afresh costs a second a run.
    "addopts": "-p no:hypothesispytest",
}


@pytest.fixture(autouse=True)
def _no_outer_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    # The inner pytest runs must not inherit the selection of the run around them.
    monkeypatch.delenv(ENV_VAR, raising=False)


@pytest.fixture
def ini(pytester: pytest.Pytester) -> Callable[..., None]:
    """Write the inner run's ini file: the shared defaults plus the given options."""

    def write(**options: str) -> None:
        lines = [f"{key} = {value}" for key, value in {**INNER_INI, **options}.items()]
        pytester.makeini("[pytest]\n" + "\n".join(lines) + "\n")

    write()
    return write


@pytest.fixture
def adapters(pytester: pytest.Pytester) -> pytest.Pytester:
    """A pytester whose directory is importable, for adapter modules."""
    pytester.syspathinsert()
    return pytester
