"""`fleetprivacy demo --real-data ../shared/data`, as the README tells a newcomer to run it: the real taxi
and GeoLife trips as two customers, then the two printed commands (run through bash as printed) write
the taxis' SYNTHESIS as an HTML page. About 30 seconds: acceptance only."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from support import SHARED_DATA, Server, cli

pytestmark = pytest.mark.acceptance


def test_real_data_demo_and_the_taxis_synthesis_page(tmp_path: Path) -> None:
    if not (SHARED_DATA / "cabspotting" / "positions.csv.gz").is_file():
        pytest.skip(f"real data absent: {SHARED_DATA} (it lives outside the repository, see data README)")
    if shutil.which("curl") is None:  # pragma: no cover
        pytest.skip("curl is not installed")
    env = dict(os.environ)
    env["FLEETPRIVACY_DATABASE_URL"] = f"sqlite:///{tmp_path / 'demo.db'}"
    env.pop("FLEETPRIVACY_REDIS_URL", None)
    with Server(env) as server:  # the port first: the demo prints commands for it
        # The README's order: `demo` first (customers 1, 2), then `demo --real-data`, which says
        # precisely that it created the real data customers and found the generated ones.
        first = cli("demo", "--no-serve", "--no-progress", "--days", "7", "--port", str(server.port), env=env)
        assert first.returncode == 0 and first.stdout.startswith("fleetprivacy demo: created customers 1, 2\n")
        done = cli("demo", "--no-serve", "--no-progress", "--days", "7", "--port", str(server.port),
                   "--real-data", str(SHARED_DATA), env=env)
        assert done.returncode == 0, done.stderr
        out = done.stdout
        assert out.startswith("fleetprivacy demo: created customers 3, 4; customers 1, 2 already there "
                              "(left unchanged; --reset to start over)\n"), out
        assert out.count(": already there\n") == 2 and out.count(": created now\n") == 2
        # The figures docs/api-trips.md gives for these sets, cut by the same ingestion service.
        assert re.search(r"customer 3: Real data: San Francisco taxis \(America/Los_Angeles\), codeExploitant "
                         r"DEMO-SF, 10 vehicles, 2,895 trips: created now", out), out
        assert re.search(r"customer 4: Real data: Beijing private cars \(Asia/Shanghai\), codeExploitant "
                         r"DEMO-BJ, 46 vehicles, 1,658 trips: created now", out), out
        commands = [line.strip() for line in out.splitlines() if re.match(r"\s+(REAL_TOKEN=|curl .*REAL_TOKEN)", line)]
        assert len(commands) == 2
        run = subprocess.run(["bash", "-c", "set -euo pipefail\n" + "\n".join(commands)], cwd=tmp_path,
                             capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        again = cli("demo", "--no-serve", "--no-progress", "--days", "7", "--port", str(server.port),
                    "--real-data", str(SHARED_DATA), env=env)
        assert again.returncode == 0 and again.stdout.startswith(
            "fleetprivacy demo: customers 1, 2, 3, 4 already there (nothing changed; --reset to start over)\n")
        assert [line.replace(": created now", ": already there") for line in out.splitlines()
                if "Real data:" in line] == [line for line in again.stdout.splitlines() if "Real data:" in line]
    page = (tmp_path / "synthesis-taxis.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "Real data: San Francisco taxis" in page
    assert page.count("Driver of cab ") == 10 and "Total général" in page
