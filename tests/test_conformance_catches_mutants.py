"""Every deliberately wrong implementation in ``tests/mutants`` fails its test.

A conformance test that passes against a broken implementation checks nothing;
each mutant here breaks one requirement, and the suite must notice.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]

MUTANTS = {
    "close_returns_a_new_future": "test_close_returns_the_closed_promise",
    "two_errors_on_failure": (
        "test_failed_connection_rejects_opened_and_closed_with_one_socket_error"
    ),
    "upgraded_never_set": "test_start_tls_marks_the_original_upgraded_and_closes_it",
    "unknown_secure_transport_is_off": (
        "test_an_unknown_secure_transport_throws_type_error"
    ),
    "early_writes_dropped": (
        "test_bytes_written_before_and_after_opening_come_back_intact"
    ),
}


@pytest.mark.parametrize(("mutant", "test_name"), MUTANTS.items())
def test_the_conformance_suite_catches_the_mutant(mutant, test_name):
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "conformance",
            f"--sockets-impl=tests.mutants.{mutant}",
            "-k",
            test_name,
            "-q",
            "-p",
            "no:xdist",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert completed.returncode == 1, completed.stdout[-3000:]
    assert "FAILED conformance/" in completed.stdout
    assert f"::{test_name}[tests.mutants.{mutant}]" in completed.stdout
