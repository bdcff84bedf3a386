"""The code of docs/fixtures.md and docs/implementers.md, run as tests.

Each example is a fenced ``python`` block preceded by ``<!-- example: NAME -->``;
it is written to a scratch directory as ``NAME`` and run there with pytest.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pytest_sockets import FEATURES
from pytest_sockets._fixtures import SERVER_FIXTURES

pytest_plugins = ["pytester"]

DOCS = Path(__file__).parent
EXAMPLE = re.compile(r"<!-- example: (\S+) -->\n```python\n(.*?)\n```", re.DOTALL)
INNER_INI = """
[pytest]
asyncio_default_fixture_loop_scope = function
addopts = -p no:hypothesispytest
"""


def read(page: str) -> str:
    return (DOCS / page).read_text(encoding="utf-8")


def examples(page: str) -> dict[str, str]:
    return dict(EXAMPLE.findall(read(page)))


FIXTURE_EXAMPLES = examples("fixtures.md")
ADAPTER_EXAMPLE = examples("implementers.md")["mysockets_adapter.py"]


@pytest.mark.parametrize("page", ["fixtures.md", "implementers.md"])
def test_every_python_block_is_a_runnable_example(page: str) -> None:
    blocks = read(page).count("```python")

    assert blocks == len(examples(page)), (
        f"every python block of {page} should be preceded by <!-- example: NAME -->"
    )


@pytest.mark.parametrize("filename", FIXTURE_EXAMPLES)
def test_an_example_of_the_fixtures_page_passes(
    pytester: pytest.Pytester, filename: str
) -> None:
    pytester.makeini(INNER_INI)
    pytester.makepyfile(**{Path(filename).stem: FIXTURE_EXAMPLES[filename]})

    result = pytester.runpytest()

    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= 1, result.stdout.str()
    assert set(outcomes) == {"passed"}, f"{filename} should only pass: {outcomes}"


def test_the_example_adapter_runs_the_examples_beside_the_reference(
    pytester: pytest.Pytester,
) -> None:
    pytester.syspathinsert()
    pytester.makeini(INNER_INI)
    pytester.makepyfile(
        mysockets_adapter=ADAPTER_EXAMPLE,
        test_gopher_client=FIXTURE_EXAMPLES["test_gopher_client.py"],
        test_smtp_client=FIXTURE_EXAMPLES["test_smtp_client.py"],
        test_needs_ipv6="""
        import pytest

        @pytest.mark.feature("ipv6")
        def test_needs_ipv6(sockets_impl):
            pass
        """,
    )

    result = pytester.runpytest("--sockets-impl=reference,mysockets_adapter", "-rs")

    result.assert_outcomes(passed=7, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "  mysockets * from mysockets_adapter (*); unsupported: ipv6",
            "*mysockets does not support feature 'ipv6': mysockets resolves IPv4*",
        ]
    )


def test_the_fixtures_page_lists_every_fixture() -> None:
    page = read("fixtures.md")
    fixtures = ("sockets_impl", "sockets_connect", "sockets_ca", "make_server")

    missing = [f for f in (*fixtures, *SERVER_FIXTURES) if f"| `{f}` |" not in page]

    assert not missing, f"docs/fixtures.md should have a row for each of {missing}"


def test_the_implementers_page_lists_every_feature() -> None:
    page = read("implementers.md")

    missing = [feature for feature in FEATURES if f"| `{feature}` |" not in page]

    assert not missing, f"docs/implementers.md should describe {missing}"
