"""The Python examples of docs/fake_servers.md run and hold."""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "fake_servers.md"
EXAMPLES = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.DOTALL)


def test_the_page_has_examples() -> None:
    assert len(EXAMPLES) >= 5, "docs/fake_servers.md should show each server in use"


@pytest.mark.parametrize(
    "source", EXAMPLES, ids=[f"example-{i}" for i in range(1, len(EXAMPLES) + 1)]
)
def test_doc_example_runs(source: str) -> None:
    exec(compile(source, str(DOC), "exec"), {"__name__": "doc_example"})


@pytest.mark.parametrize(
    "module", ["fake_servers._ca", "fake_servers._echo", "fake_servers._faults"]
)
def test_docstring_examples_run(module: str) -> None:
    results = doctest.testmod(importlib.import_module(module), verbose=False)
    assert results.attempted > 0, f"{module} should have docstring examples"
    assert results.failed == 0, f"{results.failed} docstring example(s) failed"
