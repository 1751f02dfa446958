"""How long the command takes to start, as ratios to importing pandas and xarray (issue 12 §4).

Runs, interleaved and repeated, in fresh processes::

    python -c "import pandas, xarray"          the baseline
    forecast --version, forecast --help        must import nothing heavy: ≤ 1.2 × the baseline
    forecast table examples/llr_table1.yaml    the main job: ≤ 2 × the baseline

and prints the median wall time of each and its ratio to the baseline.  xarray imports dask
whenever a DataArray is made if dask is installed (the ``scale`` and ``test`` extras install
it), so the table is also timed as a user has it after ``pip install forecast`` (dask not
installed: simulated by hiding it from the import system).

    python benchmarks/cli_startup.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SPEC = str(REPO / "examples" / "llr_table1.yaml")
NO_DASK = "import sys; sys.modules['dask'] = None; from forecast.cli import run_main; run_main({args!r})"

COMMANDS = {
    "import pandas, xarray (baseline)": [sys.executable, "-c", "import pandas, xarray"],
    "forecast --version": [sys.executable, "-m", "forecast.cli", "--version"],
    "forecast --help": [sys.executable, "-m", "forecast.cli", "--help"],
    "forecast table llr_table1.yaml": [sys.executable, "-m", "forecast.cli", "table", SPEC],
    "forecast table llr_table1.yaml (no dask)": [sys.executable, "-c", NO_DASK.format(args=["table", SPEC])],
}
TARGETS = {"forecast --version": 1.2, "forecast --help": 1.2, "forecast table llr_table1.yaml": 2.0,
           "forecast table llr_table1.yaml (no dask)": 2.0}


def _time(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    for cmd in COMMANDS.values():  # warm the file cache and .pyc files once
        _time(cmd)
    times: dict[str, list[float]] = {k: [] for k in COMMANDS}
    for _ in range(args.repeat):
        for name, cmd in COMMANDS.items():
            times[name].append(_time(cmd))
    base = statistics.median(times["import pandas, xarray (baseline)"])
    print(f"{'command':<44} {'median s':>9} {'ratio':>7} {'target':>7}")
    for name, ts in times.items():
        med = statistics.median(ts)
        target = f"≤ {TARGETS[name]:g}" if name in TARGETS else ""
        print(f"{name:<44} {med:>9.3f} {med / base:>7.2f} {target:>7}")


if __name__ == "__main__":
    main()
