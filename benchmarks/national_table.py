"""Table 1 for every upper-tier authority, region and England from a national-size file,
end to end (issue 14 §6: ≤ 5 s).

The national SNPP cannot be downloaded here, so the input is the synthetic national file of
``benchmarks/national_read.py`` (the shipped extract's rows under the 296 real 2023 district
codes): with the real codes, the counties, regions and England are built from the districts
as they would be from the ONS file.  A spec like ``examples/llr_table1.yaml`` with
``areas: all-upper-tier`` (153 rows and a total) and ``compare_with: [region, england]`` is
run with ``forecast table`` in a fresh process, twice: the first read parses the file and
fills the parsed-cube cache (what ``forecast population download`` does once), the second is
what every later command pays.

    python benchmarks/national_table.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from national_read import make_national  # noqa: E402  (the same synthetic national file)

SPEC = """\
schema: forecast.table/1
title: "People aged 65 and over predicted to have dementia and depression, every upper-tier authority"
population: {{snpp: [{males}, {females}]}}
areas: all-upper-tier
compare_with: [england]
measures:
  - {{rate_set: dementia_uk_2014, label: Dementia}}
  - {{rate_set: depression_15pct, label: Depression}}
ages: "65+"
years: [2025, 2030, 2035, 2040]
change: [2025, 2040]
round_to: 10
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = make_national(folder)
        spec = folder / "national.yaml"
        spec.write_text(SPEC.format(males=files["males"].name, females=files["females"].name))
        env = {**os.environ, "FORECAST_CACHE_DIR": str(folder / "cache")}
        for label in ("first (parses the file, fills the cache)", "second (the cache)"):
            t = time.perf_counter()
            out = subprocess.run([sys.executable, "-m", "forecast.cli", "table", str(spec)], env=env,
                                 capture_output=True, text=True)
            elapsed = time.perf_counter() - t
            if out.returncode:
                sys.exit(out.stderr)
            rows = sum(1 for line in out.stdout.splitlines() if line.startswith("| ") and not line.startswith("| **"))
            print(f"{label:<45} {elapsed:6.2f} s   {rows} rows")


if __name__ == "__main__":
    main()
