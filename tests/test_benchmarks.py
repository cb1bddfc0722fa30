"""The benchmarks are scripts that print figures (no timing is asserted anywhere): this checks
that they still run against the current code, on a lab small enough to take seconds, and that
the warm build the build benchmark times is the cold one's site, byte for byte."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_build_benchmark_runs_and_its_warm_build_is_the_cold_one():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "build_bench.py"), "--papers", "30", "--no-serve"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "site identical to (b): yes" in result.stdout, result.stdout
    assert "(e) build after 1 edit, s" in result.stdout
    assert "site identical to (e): yes" in result.stdout, result.stdout
    cpu = re.search(r"\(b\) CPU: build \+ workers, s +([\d.]+) \+ ([\d.]+)", result.stdout)
    assert cpu and float(cpu[1]) > 0, result.stdout


def test_the_template_benchmark_runs_and_both_lookups_give_the_same_page():
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "template_bench.py"),
            *("--papers", "30", "--renders", "3", "--rounds", "1"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "the same HTML: yes" in result.stdout, result.stdout


def test_the_import_benchmark_runs_and_its_counts_are_the_expected_ones():
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "import_bench.py"),
            "--entries",
            "60",
            "--repeat",
            "1",
            "--timeout",
            "20",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "expected from the generated file" in result.stdout, result.stdout
    assert "MISMATCH" not in result.stdout, result.stdout
