"""The benchmark script runs and reports every case (its numbers are not judged)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "bench_reference.py"


def test_quick_benchmark_prints_a_ratio_for_every_case():
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    rows = {
        match["case"]: float(match["ratio"])
        for match in re.finditer(
            r"^(?P<case>bulk|ping-pong|connect)\s+[\d.]+\s+[\d.]+\s+(?P<ratio>[\d.]+)",
            completed.stdout,
            re.MULTILINE,
        )
    }
    assert set(rows) == {"bulk", "ping-pong", "connect"}, completed.stdout
    assert all(ratio > 0 for ratio in rows.values())
