"""Speed and memory of reading a national-size ONS SNPP file: the reader of commit 56c05d2
("old") beside today's ("new"), and a second read through the parsed-cube cache ("cached").

    python benchmarks/national_read.py              # ~1 minute on 2 cores
    python benchmarks/national_read.py --areas 100  # smaller
    python benchmarks/national_read.py --old-ref none   # skip the old reader

The input: a synthetic national file made from the shipped extract
(``population/snpp2022_migcat23_{males,females,persons}.csv``, 9 areas × 92 age rows × 26
years): the nine areas' rows are repeated under the codes and names of the 296 English
districts of 2023 (``population/geography/lad23_lookup.csv``; ``--codes synthetic`` uses
``E99nnnnnn`` codes instead, which no lookup knows) until there are ``--areas`` (default
296), written to a temporary folder as the three CSVs and as an ONS-style zip.  Values are
the shipped ones.

Each reading is timed in its own process (so that peak memory, ``ru_maxrss``, is its own):

  old      — ``forecast.population.readers.snpp.read_snpp`` of ``--old-ref`` (extracted with
             ``git archive`` into a temporary folder and imported from there);
  new      — the same function in this checkout (like for like: districts only);
  new+geo  — ``forecast.read_snpp`` in this checkout: the same, plus the counties, regions
             and England built from the districts (``forecast.population.geo``);
  cached   — ``read_population(path)`` (``forecast.population.download``; as new+geo) when
             the parsed cube is already in the cache (filled by one read first, not timed).

In each process, forecast is imported and one tiny ``xarray.DataArray`` is made before
timing: xarray imports dask on its first DataArray when dask is installed (about 1 s, once
per process, whatever reads the file), which is reported apart as "warm-up".  "first" is
the first read after that; "best" the best of ``--repeat`` reads; "fresh process" adds the
import and warm-up to the first read: what one command pays.

Targets (issue 14): ≤ 2 s and ≤ 400 MB peak RSS for males + females; cached ≤ 0.3 s.
Benchmarks are not tests: nothing here fails.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHIPPED = {s: REPO / "population" / f"snpp2022_migcat23_{s}.csv" for s in ("males", "females", "persons")}
ONS_NAME = "2022 SNPP Population {}.csv"


# ---------------------------------------------------------------------------- input

LOOKUP = REPO / "population" / "geography" / "lad23_lookup.csv"


def area_names(n_areas: int, codes: str) -> list[tuple[str, str] | None]:
    """(code, name) for each new area; ``None`` entries keep the template's name (synthetic)."""
    if codes == "real" and LOOKUP.is_file():
        import csv

        with open(LOOKUP, newline="", encoding="utf-8") as fh:
            rows = [(r["LAD23CD"], r["LAD23NM"]) for r in csv.DictReader(fh)]
        if n_areas <= len(rows):
            return rows[:n_areas]
    return [None] * n_areas


def make_national(folder: Path, n_areas: int = 296, codes: str = "real") -> dict[str, Path]:
    """Write the synthetic national CSVs (and zip) into ``folder``; return their paths."""
    out: dict[str, Path] = {}
    named = area_names(n_areas, codes)
    for sex, src in SHIPPED.items():
        lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
        header, body = lines[0], lines[1:]
        # group the body by area (consecutive rows with the same code), in file order
        blocks: list[tuple[str, str, list[str]]] = []
        for line in body:
            code, name, rest = line.split(",", 2)
            if not blocks or blocks[-1][0] != code:
                blocks.append((code, name, []))
            blocks[-1][2].append(rest)
        rows = [header]
        for k in range(n_areas):
            _, name, rest = blocks[k % len(blocks)]
            copy = k // len(blocks) + 1
            if named[k] is not None:
                code, new_name = named[k]
                new_name = f'"{new_name}"' if "," in new_name else new_name
            else:
                code, new_name = f"E99{k:06d}", (name if copy == 1 else f"{name} {copy}")
            rows.extend(f"{code},{new_name},{r}" for r in rest)
        path = folder / ONS_NAME.format(sex)
        path.write_text("".join(rows), encoding="utf-8")
        out[sex] = path
    z = folder / "2022snpppopulationsyoamigcat23.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for sex in ("males", "females", "persons"):
            zf.write(out[sex], ONS_NAME.format(sex))
    out["zip"] = z
    return out


# ---------------------------------------------------------------------------- child process

def _rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child(kind: str, files: list[str], repeat: int) -> None:
    """Runs in its own process: import, warm up xarray, read ``repeat`` times, print JSON."""
    t0 = time.perf_counter()
    import numpy as np
    import xarray as xr

    import forecast

    t1 = time.perf_counter()
    xr.DataArray(np.zeros(1))  # xarray's one-time import of dask (if installed)
    t2 = time.perf_counter()
    if kind == "cached":
        from forecast.population.download import read_population

        def read():
            return read_population(files if len(files) > 1 else files[0])
    elif kind == "new+geo":
        def read():
            return forecast.read_snpp(files)
    else:
        from forecast.population.readers.snpp import read_snpp

        def read():
            return read_snpp(files)

    base_rss = _rss_mib()
    times = []
    cube = None
    for _ in range(repeat):
        t = time.perf_counter()
        cube = read()
        times.append(time.perf_counter() - t)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({
        "import": t1 - t0, "warm": t2 - t1, "first": times[0], "best": min(times), "peak_mib": peak,
        "import_mib": base_rss, "sizes": dict(cube.sizes), "module": forecast.__file__,
        "districts_total": float(cube.sel(area=[a for a in cube["area"].values if not str(a).startswith(("E10", "E12", "E92"))]).sum()),
    }))


def run_child(kind: str, files: list[Path], repeat: int, pythonpath: str | None, env_extra: dict) -> dict:
    env = dict(os.environ, **env_extra)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, "--repeat", str(repeat),
           *map(str, files)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=tempfile.gettempdir())
    if out.returncode != 0:
        raise SystemExit(f"{kind} reader failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------- main

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--areas", type=int, default=296)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--old-ref", default="56c05d2", help="git commit of the old reader ('none' to skip)")
    ap.add_argument("--codes", choices=["real", "synthetic"], default="real",
                    help="area codes: the 2023 districts (default) or E99nnnnnn")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("files", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.files, args.repeat)
        return

    with tempfile.TemporaryDirectory(prefix="forecast-bench-") as tmp:
        tmp = Path(tmp)
        data = tmp / "data"
        data.mkdir()
        files = make_national(data, args.areas, args.codes)
        mf = [files["males"], files["females"]]
        size = sum(p.stat().st_size for p in mf)
        print(f"synthetic national SNPP ({args.codes} codes): {args.areas} areas × 92 age rows × 26 years; "
              f"males + females {size / 1e6:.1f} MB, zip (3 files) {files['zip'].stat().st_size / 1e6:.1f} MB; "
              f"{os.cpu_count()} cores")

        old_path = None
        if args.old_ref != "none":
            old_path = tmp / "old"
            old_path.mkdir()
            archive = subprocess.run(["git", "-C", str(REPO), "archive", args.old_ref, "forecast"],
                                     capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(old_path)], input=archive, check=True)

        cache_env = {"FORECAST_CACHE_DIR": str(tmp / "cache")}
        rows = []
        for label, inputs in (("males + females CSVs", mf), ("ONS zip (males, females, persons)", [files["zip"]])):
            res = {}
            if old_path is not None:
                res["old"] = run_child("old", inputs, max(1, min(args.repeat, 2)), str(old_path), cache_env)
                assert res["old"]["module"].startswith(str(old_path)), res["old"]["module"]
            res["new"] = run_child("new", inputs, args.repeat, None, cache_env)
            res["new+geo"] = run_child("new+geo", inputs, args.repeat, None, cache_env)
            run_child("cached", inputs, 1, None, cache_env)  # fill the cache
            res["cached"] = run_child("cached", inputs, args.repeat, None, cache_env)
            rows.append((label, res))

        print(f"\n{'input':34} {'reader':8} {'import':>7} {'warm-up':>8} {'first':>7} {'best':>7} "
              f"{'fresh process':>14} {'peak RSS':>9} {'RSS before':>11}")
        for label, res in rows:
            for kind, r in res.items():
                fresh = r["import"] + r["warm"] + r["first"]
                print(f"{label:34} {kind:8} {r['import']:6.2f}s {r['warm']:7.2f}s {r['first']:6.3f}s {r['best']:6.3f}s "
                      f"{fresh:13.2f}s {r['peak_mib']:5.0f} MiB {r['import_mib']:7.0f} MiB   areas {r['sizes']['area']}")
            if "old" in res:
                o, n, g, c = res["old"], res["new"], res["new+geo"], res["cached"]
                print(f"{'':34} ratios (best read): old/new {o['best'] / n['best']:.1f}×, old/new+geo "
                      f"{o['best'] / g['best']:.1f}×, old/cached {o['best'] / c['best']:.0f}×; "
                      f"peak RSS new/old {n['peak_mib'] / o['peak_mib']:.2f}")
            totals = {k: round(v["districts_total"], 3) for k, v in res.items()}
            same = len(set(totals.values())) == 1
            print(f"{'':34} sum over the districts: {next(iter(totals.values())):,.3f}"
                  f"{' (the same from every reader)' if same else ' DIFFERENT: ' + str(totals)}")
        shutil.rmtree(tmp / "cache", ignore_errors=True)


if __name__ == "__main__":
    main()
