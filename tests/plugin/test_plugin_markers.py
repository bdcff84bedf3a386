"""One run per implementation, the conformance markers, and feature skips."""

from __future__ import annotations

from collections.abc import Callable

import pytest

pytest_plugins = ["pytester"]

# A second implementation, with one feature it declares unsupported.
PARTIAL_ADAPTER = """
NAME = "partial"
VERSION = "0.1"
UNSUPPORTED_FEATURES = {"half-open": "the host cannot keep a half-open socket"}

def connect(address, options=None):
    raise NotImplementedError("not needed by these tests")

def connect_trusting(ca_pem):
    return connect
"""


@pytest.fixture
def two_implementations(
    adapters: pytest.Pytester, ini: Callable[..., None]
) -> pytest.Pytester:
    """A pytester that selects ``reference`` and ``partial`` through the ini file."""
    adapters.makepyfile(partial_adapter=PARTIAL_ADAPTER)
    ini(sockets_impl="reference,partial_adapter")
    return adapters


def test_each_test_runs_once_per_implementation_with_its_name_in_the_id(
    two_implementations: pytest.Pytester,
) -> None:
    two_implementations.makepyfile(
        test_ids="""
        def test_uses_impl(sockets_impl):
            pass

        def test_uses_connect(sockets_connect):
            pass

        def test_uses_only_a_server(echo_server):
            pass
        """
    )

    result = two_implementations.runpytest("--co", "-q")

    collected = {line for line in result.outlines if "::" in line}
    assert collected == {
        "test_ids.py::test_uses_impl[reference]",
        "test_ids.py::test_uses_impl[partial]",
        "test_ids.py::test_uses_connect[reference]",
        "test_ids.py::test_uses_connect[partial]",
        "test_ids.py::test_uses_only_a_server",
    }


def test_the_implementation_in_each_run_is_the_one_in_its_id(
    two_implementations: pytest.Pytester,
) -> None:
    two_implementations.makepyfile(
        test_match="""
        def test_match(request, sockets_impl):
            assert request.node.name == f"test_match[{sockets_impl.name}]"
        """
    )

    two_implementations.runpytest().assert_outcomes(passed=2)


def test_a_missing_feature_skips_with_the_implementation_and_reason(
    two_implementations: pytest.Pytester,
) -> None:
    two_implementations.makepyfile(
        test_skips="""
        import pytest

        @pytest.mark.feature("half-open")
        def test_half_open(sockets_impl):
            assert sockets_impl.supports("half-open")

        @pytest.mark.feature("tls", "starttls")
        def test_tls(sockets_impl):
            pass
        """
    )

    result = two_implementations.runpytest("-rs")

    result.assert_outcomes(passed=3, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "SKIPPED [[]1[]] *: partial does not support feature 'half-open': "
            "the host cannot keep a half-open socket"
        ]
    )


def test_the_markers_are_registered_for_strict_markers(
    pytester: pytest.Pytester, ini: Callable[..., None]
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.requirement("CLOSE-2", "SOCKET-CLOSED-1")
        @pytest.mark.spec_anchor("#close-method")
        @pytest.mark.feature("tls")
        @pytest.mark.optional
        @pytest.mark.tentative
        def test_marked(sockets_impl):
            pass
        """
    )

    result = pytester.runpytest("--strict-markers")

    result.assert_outcomes(passed=1)
    markers = pytester.runpytest("--markers").stdout.str()
    for name in ("requirement", "spec_anchor", "feature", "optional", "tentative"):
        assert f"@pytest.mark.{name}" in markers, f"{name} should be registered"


def test_requirements_and_anchors_travel_in_the_reports(
    pytester: pytest.Pytester, ini: Callable[..., None]
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.requirement("CLOSE-2")
        @pytest.mark.spec_anchor("#close-method")
        def test_marked(sockets_impl):
            pass
        """
    )

    reports = pytester.inline_run().getreports("pytest_runtest_logreport")

    call = next(report for report in reports if report.when == "call")
    assert call.user_properties == [
        ("requirement", "CLOSE-2"),
        ("spec_anchor", "#close-method"),
        ("sockets_impl", "reference"),
    ]


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ('feature("telepathy")', "unknown feature 'telepathy' in the feature marker"),
        ("feature()", "feature() needs at least one feature name"),
        ('requirement("close 2")', "'close 2' is not a requirement ID"),
        ("requirement()", "requirement() needs at least one requirement ID"),
    ],
)
def test_a_malformed_marker_is_a_usage_error_naming_the_test(
    pytester: pytest.Pytester, ini: Callable[..., None], marker: str, message: str
) -> None:
    pytester.makepyfile(
        test_bad_marker=f"""
        import pytest

        @pytest.mark.{marker}
        def test_marked():
            pass
        """
    )

    result = pytester.runpytest()

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*test_bad_marker.py::test_marked: {message}*"])


def test_a_test_may_parametrize_the_implementation_itself(
    two_implementations: pytest.Pytester,
) -> None:
    two_implementations.makepyfile(
        test_own="""
        import pytest
        from pytest_sockets import load_implementation

        @pytest.mark.parametrize(
            "sockets_impl", [load_implementation("reference")], indirect=True
        )
        def test_own(sockets_impl):
            assert sockets_impl.name == "reference"
        """
    )

    two_implementations.runpytest().assert_outcomes(passed=1)


def test_getfixturevalue_gives_the_first_selected_implementation(
    two_implementations: pytest.Pytester,
) -> None:
    two_implementations.makepyfile(
        test_dynamic="""
        def test_dynamic(request):
            assert request.getfixturevalue("sockets_impl").name == "reference"
        """
    )

    two_implementations.runpytest().assert_outcomes(passed=1)
