"""pytest entry point (``pytest11``) of pytest-sockets.

The plugin selects the implementations under test (``--sockets-impl``, the
``PYTEST_SOCKETS_IMPL`` environment variable, the ``sockets_impl`` ini option, in
that order of precedence), runs every test that uses an implementation once per
selected implementation, registers the conformance markers, and provides the
fixtures of ``pytest_sockets._fixtures``.
"""

from __future__ import annotations

import os
import re

import pytest

from pytest_sockets._impls import (
    DEFAULT_IMPLEMENTATION,
    FEATURES,
    SELECTION,
    Implementation,
    Selection,
    load_implementation,
    selected_implementations,
    split_names,
)

# The fixtures live in a module of their own, registered along with this one.
pytest_plugins = ["pytest_sockets._fixtures"]

ENV_VAR = "PYTEST_SOCKETS_IMPL"

_MARKERS = {
    "requirement": "requirement(ID, ...): the requirement IDs (docs/requirements.md) "
    "that this test checks, e.g. requirement('CLOSE-2').",
    "spec_anchor": "spec_anchor(ANCHOR, ...): the spec section the requirement "
    "comes from, e.g. spec_anchor('#close-method').",
    "feature": "feature(NAME, ...): optional features the test needs; it is skipped "
    "for an implementation that declares one unsupported. Features: "
    + ", ".join(FEATURES)
    + ".",
    "optional": "optional: checks behaviour the spec allows (MAY/SHOULD) but does "
    "not require.",
    "tentative": "tentative: checks a reading the spec leaves open or a proposal "
    "not yet merged.",
}

_REQUIREMENT_ID = re.compile(r"[A-Z]+(?:-[A-Z]+)*-\d+")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sockets", "WinterTC Sockets API (pytest-sockets)")
    group.addoption(
        "--sockets-impl",
        action="append",
        dest="sockets_impl",
        metavar="NAME[,NAME...]",
        default=None,
        help="implementations of connect() to test: a built-in name "
        f"(default: {DEFAULT_IMPLEMENTATION}) or an adapter import path "
        "'pkg.mod' or 'pkg.mod:attr'. Several names run each test once per "
        f"implementation. Wins over ${ENV_VAR} and the sockets_impl ini option.",
    )
    parser.addini(
        "sockets_impl",
        type="string",
        default="",
        help="default for --sockets-impl (comma- or space-separated names); "
        f"${ENV_VAR} and the command line win over it.",
    )


def pytest_configure(config: pytest.Config) -> None:
    for name, description in _MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {description}")

    names, source = _selected_names(config)
    implementations: dict[str, Implementation] = {}
    for name in dict.fromkeys(names):
        implementation = load_implementation(name)
        if implementation.name in implementations:
            raise pytest.UsageError(
                f"{name!r} ({source}) loads an implementation named "
                f"{implementation.name!r}, like an earlier name in the list; "
                "select each implementation once"
            )
        implementations[implementation.name] = implementation
    config.stash[SELECTION] = Selection(source, tuple(implementations.values()))


def _selected_names(config: pytest.Config) -> tuple[list[str], str]:
    """Return the selected names and where they came from.

    The command line wins, then the environment variable, then the ini option:
    the closer a setting is to this one run, the more it counts. A blank
    environment variable or ini value counts as unset; a blank option does not.
    """
    given = config.getoption("sockets_impl")
    if given is not None:
        return _names_in(",".join(given), "--sockets-impl"), "--sockets-impl"
    for value, source in [
        (os.environ.get(ENV_VAR, ""), f"${ENV_VAR}"),
        (config.getini("sockets_impl"), "ini option sockets_impl"),
    ]:
        if value.strip():
            return _names_in(value, source), source
    return [DEFAULT_IMPLEMENTATION], "default"


def _names_in(value: str, source: str) -> list[str]:
    names = split_names(value)
    if not names:
        raise pytest.UsageError(
            f"{source} is {value!r}, which names no implementation; "
            f"give a name such as {DEFAULT_IMPLEMENTATION!r}"
        )
    return names


def pytest_report_header(config: pytest.Config) -> list[str]:
    selection = config.stash[SELECTION]
    lines = [f"sockets implementations ({selection.source}):"]
    for implementation in selection.implementations:
        line = (
            f"  {implementation.name} {implementation.version} "
            f"from {implementation.origin}"
        )
        if implementation.unsupported:
            line += f"; unsupported: {', '.join(sorted(implementation.unsupported))}"
        lines.append(line)
    return lines


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "sockets_impl" not in metafunc.fixturenames:
        return
    # A test that parametrizes the implementation itself keeps its own choice.
    for marker in metafunc.definition.iter_markers("parametrize"):
        argnames = marker.args[0] if marker.args else marker.kwargs.get("argnames")
        if isinstance(argnames, str):
            argnames = [name.strip() for name in argnames.split(",")]
        if "sockets_impl" in (argnames or ()):
            return

    implementations = selected_implementations(metafunc.config)
    metafunc.parametrize(
        "sockets_impl",
        implementations,
        ids=[implementation.name for implementation in implementations],
        indirect=True,
        scope="session",
    )


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    for item in items:
        for marker in item.iter_markers("feature"):
            _check_features(item, marker.args)
        for marker in item.iter_markers("requirement"):
            _check_requirements(item, marker.args)
            item.user_properties.extend(("requirement", id_) for id_ in marker.args)
        for marker in item.iter_markers("spec_anchor"):
            item.user_properties.extend(("spec_anchor", a) for a in marker.args)
        implementation = _implementation_of(item)
        if implementation is not None:
            item.user_properties.append(("sockets_impl", implementation.name))


def _check_features(item: pytest.Item, names: tuple[object, ...]) -> None:
    if not names:
        raise pytest.UsageError(
            f"{item.nodeid}: feature() needs at least one feature name; "
            f"known features: {', '.join(FEATURES)}"
        )
    for name in names:
        if name not in FEATURES:
            raise pytest.UsageError(
                f"{item.nodeid}: unknown feature {name!r} in the feature marker; "
                f"known features: {', '.join(FEATURES)}"
            )


def _check_requirements(item: pytest.Item, ids: tuple[object, ...]) -> None:
    if not ids:
        raise pytest.UsageError(
            f"{item.nodeid}: requirement() needs at least one requirement ID, "
            "e.g. requirement('CLOSE-2')"
        )
    for id_ in ids:
        if not isinstance(id_, str) or not _REQUIREMENT_ID.fullmatch(id_):
            raise pytest.UsageError(
                f"{item.nodeid}: {id_!r} is not a requirement ID; IDs look like "
                "'CLOSE-2' or 'SOCKET-OPENED-1' (see docs/requirements.md)"
            )


def _implementation_of(item: pytest.Item) -> Implementation | None:
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return None
    implementation = callspec.params.get("sockets_impl")
    return implementation if isinstance(implementation, Implementation) else None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # Skip before any fixture is set up: a missing feature is known at collection.
    implementation = _implementation_of(item)
    if implementation is None:
        return
    for marker in item.iter_markers("feature"):
        for feature in marker.args:
            reason = implementation.unsupported.get(feature)
            if reason is not None:
                pytest.skip(
                    f"{implementation.name} does not support feature "
                    f"{feature!r}: {reason}"
                )
