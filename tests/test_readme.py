"""The README's example runs and prints what it promises."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_the_readme_example_runs_against_the_echo_server(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"```python\n(.*?)\n```", readme, re.DOTALL)
    script = tmp_path / "example.py"
    script.write_text(example, encoding="utf-8")

    completed = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert completed.stdout == "hello, sockets\n"


def test_the_readme_commands_name_the_conformance_report():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    assert "pytest conformance --sockets-impl=reference --junitxml=" in readme
    assert ".venv/bin/python -m pytest -n auto" in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ".venv/bin/python -m pytest -n auto" in ci
    assert "pytest conformance --sockets-impl=reference" in ci
