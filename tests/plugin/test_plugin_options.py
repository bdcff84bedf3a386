"""Selecting implementations: --sockets-impl, its environment and ini twins."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from pytest_sockets.plugin import ENV_VAR

pytest_plugins = ["pytester"]

# An inner test that prints which implementations it ran against.
REPORTS_IMPLEMENTATION = """
def test_reports(sockets_impl):
    print("IMPL=" + sockets_impl.name)
"""


def make_adapters(pytester: pytest.Pytester, *names: str) -> None:
    """Write one adapter module per name; each declares that name."""
    for name in names:
        pytester.makepyfile(
            **{name: f"NAME = {name!r}\ndef connect(address, options=None): pass"}
        )


def ran_against(result: pytest.RunResult) -> list[str]:
    return re.findall(r"IMPL=(\S+)", result.stdout.str())


def test_the_default_is_the_reference_implementation(
    pytester: pytest.Pytester, ini: Callable[..., None]
) -> None:
    pytester.makepyfile(REPORTS_IMPLEMENTATION)

    result = pytester.runpytest("-s")

    result.assert_outcomes(passed=1)
    assert ran_against(result) == ["reference"]
    result.stdout.fnmatch_lines(
        [
            "sockets implementations (default):",
            "  reference * from pytest_sockets._reference (*_reference.py)",
        ]
    )


def test_the_command_line_wins_over_environment_and_ini(
    adapters: pytest.Pytester, ini: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_adapters(adapters, "from_cli", "from_env", "from_ini")
    ini(sockets_impl="from_ini")
    adapters.makepyfile(REPORTS_IMPLEMENTATION)
    monkeypatch.setenv(ENV_VAR, "from_env")

    result = adapters.runpytest("-s", "--sockets-impl=from_cli")

    assert ran_against(result) == ["from_cli"]
    result.stdout.fnmatch_lines(["sockets implementations (--sockets-impl):"])


def test_the_environment_wins_over_ini(
    adapters: pytest.Pytester, ini: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_adapters(adapters, "from_env", "from_ini")
    ini(sockets_impl="from_ini")
    adapters.makepyfile(REPORTS_IMPLEMENTATION)
    monkeypatch.setenv(ENV_VAR, "from_env")

    result = adapters.runpytest("-s")

    assert ran_against(result) == ["from_env"]
    result.stdout.fnmatch_lines([f"sockets implementations (${ENV_VAR}):"])


def test_the_ini_option_applies_when_nothing_else_is_set(
    adapters: pytest.Pytester,
    ini: Callable[..., None],
) -> None:
    make_adapters(adapters, "from_ini")
    ini(sockets_impl="from_ini")
    adapters.makepyfile(REPORTS_IMPLEMENTATION)

    result = adapters.runpytest("-s")

    assert ran_against(result) == ["from_ini"]
    result.stdout.fnmatch_lines(["sockets implementations (ini option sockets_impl):"])


def test_names_split_on_commas_and_spaces_and_repeat_across_options(
    adapters: pytest.Pytester, ini: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_adapters(adapters, "one", "two", "three")
    adapters.makepyfile(REPORTS_IMPLEMENTATION)

    by_cli = adapters.runpytest(
        "-s", "--sockets-impl=one,two", "--sockets-impl", "three"
    )
    monkeypatch.setenv(ENV_VAR, "one, two three")
    by_env = adapters.runpytest("-s")

    assert ran_against(by_cli) == ["one", "two", "three"]
    assert ran_against(by_env) == ["one", "two", "three"]


def test_a_name_given_twice_runs_once(
    adapters: pytest.Pytester, ini: Callable[..., None]
) -> None:
    make_adapters(adapters, "once")
    adapters.makepyfile(REPORTS_IMPLEMENTATION)

    result = adapters.runpytest("-s", "--sockets-impl=once,once")

    assert ran_against(result) == ["once"]


def test_two_names_that_load_the_same_implementation_are_a_usage_error(
    adapters: pytest.Pytester,
    ini: Callable[..., None],
) -> None:
    adapters.makepyfile(
        same_a="NAME = 'same'\ndef connect(a, o=None): pass",
        same_b="NAME = 'same'\ndef connect(a, o=None): pass",
    )

    result = adapters.runpytest("--sockets-impl=same_a,same_b")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*'same_b'*named 'same'*select each implementation once"]
    )


@pytest.mark.parametrize("value", ["", ",", " , "])
def test_a_command_line_selection_that_names_nothing_is_a_usage_error(
    pytester: pytest.Pytester, ini: Callable[..., None], value: str
) -> None:
    result = pytester.runpytest(f"--sockets-impl={value}")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [f"*--sockets-impl is {value!r}, which names no implementation*"]
    )


def test_a_blank_environment_variable_counts_as_unset(
    adapters: pytest.Pytester, ini: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_adapters(adapters, "from_ini")
    ini(sockets_impl="from_ini")
    adapters.makepyfile(REPORTS_IMPLEMENTATION)
    monkeypatch.setenv(ENV_VAR, " ")

    result = adapters.runpytest("-s")

    assert ran_against(result) == ["from_ini"]


def test_an_unknown_name_ends_the_run_before_any_test(
    pytester: pytest.Pytester,
    ini: Callable[..., None],
) -> None:
    pytester.makepyfile(REPORTS_IMPLEMENTATION)

    result = pytester.runpytest("--sockets-impl=reference,nonexistent_impl")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: cannot load sockets implementation 'nonexistent_impl': *"
            "no module named 'nonexistent_impl'.",
            "Built-in names: reference; *",
        ]
    )
    assert "IMPL=" not in result.stdout.str()


def test_a_broken_adapter_from_the_ini_file_is_reported_with_its_error(
    adapters: pytest.Pytester,
    ini: Callable[..., None],
) -> None:
    adapters.makepyfile(broken_adapter="raise ImportError('libsocket.so missing')")
    ini(sockets_impl="broken_adapter")

    result = adapters.runpytest()

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*ImportError: libsocket.so missing*"])


def test_the_report_header_names_each_implementation_version_and_origin(
    adapters: pytest.Pytester,
    ini: Callable[..., None],
) -> None:
    adapters.makepyfile(
        partial_adapter="""
        NAME = "partial"
        VERSION = "0.9"
        UNSUPPORTED_FEATURES = {"ipv6": "IPv4 only"}
        def connect(address, options=None): pass
        def connect_trusting(ca_pem): return connect
        """
    )

    result = adapters.runpytest("--co", "--sockets-impl=reference,partial_adapter")

    result.stdout.fnmatch_lines(
        [
            "sockets implementations (--sockets-impl):",
            "  reference * from pytest_sockets._reference (*)",
            "  partial 0.9 from partial_adapter (*partial_adapter.py); "
            "unsupported: ipv6",
        ]
    )


def test_the_option_and_ini_are_documented_in_help(
    pytester: pytest.Pytester, ini: Callable[..., None]
) -> None:
    result = pytester.runpytest("--help")

    help_text = result.stdout.str()
    assert "--sockets-impl=NAME[,NAME...]" in help_text
    assert "sockets_impl (string):" in help_text
    assert ENV_VAR in help_text
