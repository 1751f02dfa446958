"""Run every population build script in turn.

Run: python population/build/build_all.py /work/shared/data
"""

from __future__ import annotations

import runpy
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["build_geography.py", "build_npp.py", "build_mye.py", "build_ethnicity.py"]

if __name__ == "__main__":
    for name in SCRIPTS:
        print(f"== {name}")
        runpy.run_path(str(HERE / name), run_name="__main__")
