"""The soak benchmark, shortened, as part of the suite on PostgreSQL: a mix of page views,
registrations, console use and the purge on gunicorn + a worker, with no error and nothing
lost. The full ten-minute run and its figures are in benchmarks/README.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_a_short_soak_has_no_errors_and_loses_nothing(is_postgres: bool, tmp_path: Path) -> None:
    if not is_postgres:
        pytest.skip("the soak runs on gunicorn + PostgreSQL (VCSAFE_TEST_DATABASE_URL)")
    base = os.environ["VCSAFE_TEST_DATABASE_URL"].split("?")[0]
    env = os.environ | {
        "VCSAFE_BENCH_DATABASE_URL": base.replace("postgresql://", "postgresql+psycopg://", 1)
    }
    plot = tmp_path / "soak.png"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "soak.py"),
            "--minutes",
            "0.5",
            "--plot",
            str(plot),
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["errors"] == 0, figures["error_kinds"]
    assert figures["lost"] == 0
    assert figures["requests"] > 100 and figures["registered"] > 10
    assert plot.stat().st_size > 10_000  # the latency and memory plot was drawn
