"""Speed and memory of forecast's uncertainty runs, against a tight numpy version of the same job
measured in the same run.

    python benchmarks/run.py                      # everything: ~10-15 minutes on 2 cores
    python benchmarks/run.py --parts shapes       # the three output shapes only
    python benchmarks/run.py --quick              # small sizes, to check the script

The task: a synthetic national cube — N areas × single ages 0..90+ × 2 sexes × 26 years
(2022-2047), built with a fixed seed from the shipped ONS age structures (each area is one
of the nine Leicester, Leicestershire and Rutland authorities, scaled by a log-normal
factor, with 5% noise per cell) — × 6 measures whose rates have published uncertainty
(CFAS II intervals; APMS 2014 and 2007 bases; Census 2021 and 2011 carer counts) × D draws;
out: for each measure and cell, the mean and the 2.5%, 50% and 97.5% quantiles over the
draws.  Three output shapes:

  area_year  — per area and year (``keep=()``: sexes and the measure's ages summed);
  sex_bands  — per area, year, sex and band 65-74, 75-84, 85+ (``keep=("sex", "age_band")``);
  cli        — the CLI's default ``--draws`` shape: each rate set in its own bands, sex kept
               (``forecast.model.run`` without ages or bands).

Methods, each in its own process (fresh interpreter; peak memory is the process's high-water
resident set, /proc/self/status VmHWM, which includes the interpreter, numpy/xarray and the
cube — about 150 MiB before any work):

  tight     — the bound: numpy only, no labels, written for the shape.  Ages are summed into
              segments (rate band × output band) once per measure; the rates drawn from the same
              streams as forecast's (``forecast.model.draws``); per block of (area, year) rows
              and kept cell, one matrix product into a contiguous (rows, draws) buffer of
              512 KiB, the mean from the product with the draws' mean rates, then the quantiles
              in place (one ``ndarray.partition``; a sort below 1,500 draws, where numpy's SIMD
              sort is faster); 2 threads, BLAS held at 1 thread (threadpoolctl).
  forecast  — ``forecast.simulate`` (or ``forecast.model.run`` for the cli shape), in memory.
  naive     — (area_year only) per draw and measure: pandas merge of the long population table
              with that draw's rates by age, multiply, groupby area × year.  Timed on a sample
              of draws and scaled.
  bands     — (area_year only) band-first pandas: the population summed into rate bands once,
              then per draw a merge of the small table, multiply, groupby.  Timed and scaled.
  cluster   — ``forecast.simulate`` on a dask.distributed LocalCluster of 2 single-threaded
              workers, the cube chunked by area (50 areas a chunk); start-up reported apart; any
              "Sending large graph" warning is counted.

Parts: ``shapes`` (each shape at --areas × --draws: tight, forecast, and for area_year the
pandas baselines and the cluster), ``sweep`` (area_year: tight and forecast at every point of
--sweep-areas × --sweep-draws), ``national`` (--national-areas × --national-draws for
--national-shapes).  Every forecast result is checked against the tight one (same draws, so
the same numbers to rounding).

Targets (issue 13): forecast ≤ 1.3 × tight for every shape and sweep point; peak memory that
does not grow with draws × cells; nationally (~460 areas × 26 years × 6 measures × 10,000
draws) ≤ 10 s and ≤ 1 GiB for area_year, ≤ 1 GiB for sex_bands.  Benchmarks are not tests:
nothing here fails.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

MEASURES = [
    "cfas_ii_2013",
    "apms2014_any_cmd",
    "apms2007_any_cmd",
    "apms2014_depressive_episode",
    "census2021_unpaid_care",
    "census2011_unpaid_care",
]
QUANTILES = (0.025, 0.5, 0.975)
BANDS = ("65-74", "75-84", "85+")
SEED = 20261122
TOP = 90
SHAPES = ("area_year", "sex_bands", "cli")


# ---------------------------------------------------------------------------- inputs

def national_cube(n_areas: int, seed: int = SEED):
    """A synthetic national population cube from the shipped age structures."""
    import xarray as xr

    import forecast

    base = forecast.default_population()
    templates = base.sel(area=[a for a in base.area.values if a != "E10000018"])  # the 9 local authorities
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, templates.sizes["area"], n_areas)
    scale = rng.lognormal(0.0, 0.5, n_areas)
    values = templates.values[pick] * scale[:, None, None, None]
    values *= np.clip(1 + 0.05 * rng.standard_normal(values.shape), 0, None)
    codes = [f"X{i:08d}" for i in range(n_areas)]
    return xr.DataArray(
        values, dims=base.dims,
        coords={"area": codes, "area_name": ("area", [f"Area {i}" for i in range(n_areas)]), "year": base.year.values,
                "sex": base.sex.values, "age": base.age.values},
        name="population", attrs={"open_top_age": TOP, "source": f"synthetic national cube, seed {seed}"},
    )


def rate_draws(name: str, draws: int) -> np.ndarray:
    """A rate set's band rates, ``(draws, 2, bands)``, from the stream forecast.simulate uses."""
    import forecast
    from forecast.model.draws import band_draws, rng_for

    rs = forecast.get_rate_set(name)
    return band_draws(rs, draws, rng_for(rs.id, SEED))


def _band_index(bands, age: int) -> int:
    for i, b in enumerate(bands):
        if b.lo <= age and (b.hi is None or age <= b.hi):
            return i
    return -1


def age_maps(name: str, shape: str) -> tuple[np.ndarray, np.ndarray, int]:
    """Each single age's rate band and output band (-1: not counted), and the number of output bands."""
    import forecast

    rs = forecast.get_rate_set(name)
    rate_of = np.array([_band_index(rs.bands, a) for a in range(TOP + 1)])
    if shape == "area_year":
        return rate_of, np.where(rate_of >= 0, 0, -1), 1
    if shape == "sex_bands":
        out = [forecast.parse_band(b) for b in BANDS]
        return rate_of, np.array([_band_index(out, a) for a in range(TOP + 1)]), len(out)
    return rate_of, rate_of, len(rs.bands)  # cli: each rate set's own bands (all start below 90 here)


class Clock:
    """Wall-clock and CPU seconds (all of this process's threads) from creation to :meth:`stop`."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def stop(self, scale: float = 1.0) -> tuple[float, float]:
        return (time.perf_counter() - self.wall) * scale, (time.process_time() - self.cpu) * scale


# ---------------------------------------------------------------------------- the tight bound

def tight_measure(pop: np.ndarray, rates: np.ndarray, rate_of: np.ndarray, out_of: np.ndarray, n_out: int,
                  keep_sex: bool, pool: ThreadPoolExecutor, block_bytes: int = 512 << 10) -> np.ndarray:
    """One measure: ``pop`` (A, Y, 2, ages), ``rates`` (D, 2, rate bands) → (A·Y, [2,] [bands,] 4)."""
    A, Y, S, G = pop.shape
    D = rates.shape[0]
    pairs = sorted({(o, r) for o, r in zip(out_of, rate_of) if o >= 0 and r >= 0})  # segments, by output band
    seg = {p: j for j, p in enumerate(pairs)}
    onehot = np.zeros((G, len(pairs)))
    for a in range(G):
        if out_of[a] >= 0 and rate_of[a] >= 0:
            onehot[a, seg[(out_of[a], rate_of[a])]] = 1.0
    P = (pop @ onehot).reshape(A * Y, S, len(pairs))  # ages summed into segments once
    W = np.ascontiguousarray(rates[:, :, [r for _, r in pairs]].transpose(1, 2, 0))  # (2, segments, D)
    if keep_sex:  # one product per (sex, band): a slice of P's columns (no copy)
        starts = np.searchsorted([o for o, _ in pairs], np.arange(n_out + 1))
        cells = [(P[:, s, a:b], W[s, a:b]) for s in range(S) for a, b in zip(starts[:-1], starts[1:])]
    else:  # one product over both sexes' segments
        cells = [(P.reshape(A * Y, -1), W.reshape(-1, D))]
    means = [w.mean(axis=1) for _, w in cells]
    h = np.asarray(QUANTILES) * (D - 1)
    lo = np.floor(h).astype(int)
    hi = np.minimum(lo + 1, D - 1)
    t = h - lo
    kth = np.unique(np.concatenate([lo, hi]))
    rows = max(1, block_bytes // (8 * D))
    out = np.empty((A * Y, len(cells), 1 + len(QUANTILES)))

    def block(r0: int) -> None:
        r1 = min(r0 + rows, A * Y)
        buf = np.empty((r1 - r0, D))
        for c, (p, w) in enumerate(cells):
            np.matmul(p[r0:r1], w, out=buf)
            out[r0:r1, c, 0] = p[r0:r1] @ means[c]
            if D < 1500:  # numpy's SIMD sort beats partition below ~1,500 values a row
                buf.sort(axis=1)
            else:
                buf.partition(kth, axis=1)
            a, b = buf[:, lo], buf[:, hi]
            out[r0:r1, c, 1:] = a + t * (b - a)

    list(pool.map(block, range(0, A * Y, rows)))
    return out.reshape((A * Y,) + ((S, n_out) if keep_sex else ()) + (1 + len(QUANTILES),))


def method_tight(cube, shape: str, draws: int, sample: int):
    from threadpoolctl import threadpool_limits

    pop = np.ascontiguousarray(cube.transpose("area", "year", "sex", "age").values)
    A, Y = pop.shape[:2]
    t = Clock()
    results = {}
    with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(max_workers=2) as pool:
        for name in MEASURES:
            rate_of, out_of, n_out = age_maps(name, shape)
            res = tight_measure(pop, rate_draws(name, draws), rate_of, out_of, n_out, shape != "area_year", pool)
            results[name] = res.reshape((A, Y) + res.shape[1:])
    return t.stop(), results, "2 threads, BLAS 1 thread"


# ---------------------------------------------------------------------------- forecast

def method_forecast(cube, shape: str, draws: int, sample: int):
    import forecast

    t = Clock()
    if shape == "cli":
        from forecast.model import run

        dsets = run(cube, [f"{n}={n}" for n in MEASURES], draws=draws, seed=SEED, quantiles=QUANTILES)
        elapsed = t.stop()
        arrays = {n: ds[n].transpose("area", "year", "sex", "age_band", "statistic").values
                  for ds in dsets for n in ds.data_vars}
        return elapsed, arrays, f"forecast.model.run, {os.cpu_count()} threads"
    kw = dict(keep=("sex", "age_band"), bands=list(BANDS)) if shape == "sex_bands" else dict(keep=())
    res = forecast.simulate(cube, {n: n for n in MEASURES}, draws=draws, seed=SEED, quantiles=QUANTILES, **kw)
    elapsed = t.stop()
    dims = ("area", "year") + (("sex", "age_band") if shape == "sex_bands" else ()) + ("statistic",)
    return elapsed, {n: res[n].transpose(*dims).values for n in MEASURES}, f"forecast.simulate, {os.cpu_count()} threads"


def method_cluster(cube, shape: str, draws: int, sample: int):
    import logging

    import forecast

    scale = forecast.scale
    caught: list[str] = []

    class Catch(logging.Handler):
        def emit(self, record):
            caught.append(record.getMessage())

    handler = Catch(level=logging.WARNING)
    logging.getLogger("distributed").addHandler(handler)
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as warned, scale.dask_client(workers=2) as client:
        warnings.simplefilter("always")
        startup = time.perf_counter() - t0
        t = Clock()
        res = forecast.simulate(scale.chunk_by_area(cube, 50), {n: n for n in MEASURES}, draws=draws, seed=SEED,
                                keep=(), quantiles=QUANTILES)
        elapsed = (t.stop()[0], float("nan"))  # the work is on the workers
        worker_kb = max(client.run(_peak_kib).values())
    messages = caught + [str(w.message) for w in warned]
    large = [m for m in messages if "large graph" in m.lower()]
    note = (f"cluster start-up {startup:.1f} s; worker peak {worker_kb / 1024:.0f} MiB; "
            f"'large graph' warnings: {len(large)}" + (f" ({large[0][:80]})" if large else ""))
    return elapsed, {n: res[n].transpose("area", "year", "statistic").values for n in MEASURES}, note


# ---------------------------------------------------------------------------- pandas baselines

def _long_table(cube):
    return cube.to_dataframe().reset_index()[["area", "year", "sex", "age", "population"]]


def _summary(per_draw: list[np.ndarray]) -> np.ndarray:
    x = np.stack(per_draw, axis=-1)
    return np.concatenate([x.mean(axis=-1)[..., None], np.moveaxis(np.quantile(x, QUANTILES, axis=-1), 0, -1)], -1)


def method_naive(cube, shape: str, draws: int, sample: int):
    import pandas as pd

    long = _long_table(cube)
    t = Clock()
    results = {}
    for name in MEASURES:
        table, (rate_of, _, _) = rate_draws(name, draws), age_maps(name, "area_year")
        per_draw = []
        for d in range(sample):
            rates = pd.DataFrame([(sex, age, table[d, i, rate_of[age]] if rate_of[age] >= 0 else 0.0)
                                  for i, sex in enumerate(("male", "female")) for age in range(TOP + 1)],
                                 columns=["sex", "age", "rate"])
            m = long.merge(rates, on=["sex", "age"])
            m["demand"] = m["population"] * m["rate"]
            per_draw.append(m.groupby(["area", "year"])["demand"].sum().to_numpy())
        results[name] = _summary(per_draw)
    return t.stop(draws / sample), results, f"{sample} of {draws} draws timed, scaled"


def method_bands(cube, shape: str, draws: int, sample: int):
    import pandas as pd

    long = _long_table(cube)
    t = Clock()
    results = {}
    for name in MEASURES:
        table, (rate_of, _, _) = rate_draws(name, draws), age_maps(name, "area_year")
        keyed = long.assign(band=rate_of[long["age"].to_numpy()])
        banded = keyed[keyed.band >= 0].groupby(["area", "year", "sex", "band"], as_index=False)["population"].sum()
        per_draw = []
        for d in range(sample):
            rates = pd.DataFrame([(sex, b, table[d, i, b]) for i, sex in enumerate(("male", "female"))
                                  for b in range(table.shape[2])], columns=["sex", "band", "rate"])
            m = banded.merge(rates, on=["sex", "band"])
            m["demand"] = m["population"] * m["rate"]
            per_draw.append(m.groupby(["area", "year"])["demand"].sum().to_numpy())
        results[name] = _summary(per_draw)
    return t.stop(draws / sample), results, f"{sample} of {draws} draws timed, scaled"


METHODS = {"tight": method_tight, "forecast": method_forecast, "naive": method_naive, "bands": method_bands,
           "cluster": method_cluster}


# ---------------------------------------------------------------------------- one process per run

def _status_kib(key: str = "VmHWM") -> int:
    """This process's peak (VmHWM) or current (VmRSS) resident set, KiB."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _peak_kib() -> int:
    return _status_kib("VmHWM")


def _reset_peak() -> bool:
    """Reset VmHWM to the current resident set (Linux ≥ 4.0), so the run's own peak can be read."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _child(spec: dict) -> None:
    import forecast
    import forecast.model  # noqa: F401 - imported and the rate sets loaded before timing, for every method
    import threadpoolctl  # noqa: F401

    cube = national_cube(spec["areas"])
    for name in MEASURES:
        forecast.get_rate_set(name)
    setup_peak = _peak_kib()
    reset = _reset_peak()
    base = _status_kib("VmRSS")
    method = METHODS[spec["method"]]
    (seconds, cpu), results, how = method(cube, spec["shape"], spec["draws"], spec["sample"])
    times = [(seconds, cpu)]
    while spec["method"] in ("tight", "forecast") and sum(w for w, _ in times) < 1.0 and len(times) < 5:
        times.append(method(cube, spec["shape"], spec["draws"], spec["sample"])[0])  # short runs: best of a few
    seconds, cpu = min(w for w, _ in times), min(c for _, c in times)
    if len(times) > 1:
        how += f"; best of {len(times)}"
    run_peak = _peak_kib()
    np.savez(spec["out"], **results)
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mib": max(setup_peak, run_peak) / 1024,
                      "run_mib": (run_peak - base) / 1024 if reset else float("nan"), "how": how,
                      "load": os.getloadavg()[0]}))


def run_one(method: str, shape: str, areas: int, draws: int, sample: int, tmp: Path):
    out = tmp / f"{method}-{shape}-{areas}-{draws}.npz"
    spec = dict(method=method, shape=shape, areas=areas, draws=draws, sample=sample, out=str(out))
    r = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec)], capture_output=True, text=True)
    if r.returncode != 0:
        print(f"    {method} {shape} {areas}×{draws} failed:\n{r.stderr[-3000:]}", flush=True)
        return None, None
    row = json.loads(r.stdout.strip().splitlines()[-1])
    with np.load(out) as z:
        arrays = {k: z[k] for k in z.files}
    out.unlink()
    return row, arrays


def _agree(a: dict, b: dict) -> bool:
    return all(a[k].shape == b[k].shape and np.allclose(a[k], b[k], rtol=1e-9, atol=1e-9) for k in MEASURES)


class Report:
    def __init__(self) -> None:
        self.rows: list[dict] = []
        print("  seconds: wall clock; cpu: CPU seconds of all the process's threads; ÷ tight: wall, cpu; peak MiB: the\n"
              "  process's peak resident set; +run: its rise during the timed run; load: 1-minute load average after\n")
        print(f"  {'part':9} {'shape':10} {'areas':>5} {'draws':>6} {'method':9} {'seconds':>8} {'cpu s':>8} "
              f"{'peak MiB':>8} {'+run':>5} {'÷ tight':>11} {'load':>5}  note", flush=True)

    def add(self, part, shape, areas, draws, method, row, ratio=None, agree=None, note="") -> None:
        self.rows.append(dict(part=part, shape=shape, areas=areas, draws=draws, method=method, ratio=ratio,
                              agree=agree, **row))
        r = f"{ratio[0]:5.2f} {ratio[1]:5.2f}" if ratio is not None else " " * 11
        ok = "" if agree is None else ("results = tight; " if agree else "RESULTS DIFFER; ")
        print(f"  {part:9} {shape:10} {areas:5d} {draws:6d} {method:9} {row['seconds']:8.2f} {row['cpu']:8.2f} "
              f"{row['peak_mib']:8.0f} {row['run_mib']:5.0f} {r} {row['load']:5.1f}  {ok}{note or row['how']}", flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description="forecast benchmarks against a tight numpy bound, in the same run")
    p.add_argument("--parts", default="shapes,sweep,national")
    p.add_argument("--areas", type=int, default=400)
    p.add_argument("--draws", type=int, default=1000)
    p.add_argument("--baselines", default="naive,bands,cluster", help="extra methods for the area_year shape")
    p.add_argument("--sample", type=int, default=3, help="draws timed for the naive pandas baseline (×10 for bands)")
    p.add_argument("--sweep-areas", default="10,100,400,1600")
    p.add_argument("--sweep-draws", default="100,1000,10000")
    p.add_argument("--national-areas", type=int, default=460)
    p.add_argument("--national-draws", type=int, default=10000)
    p.add_argument("--national-shapes", default="area_year,sex_bands")
    p.add_argument("--repeat", type=int, default=1, help="run each comparison this many times, round-robin; "
                   "keep each method's fastest (a busy machine makes single runs noisy)")
    p.add_argument("--quick", action="store_true", help="small sizes (checks the script, not the targets)")
    p.add_argument("--json", help="also write the table here")
    p.add_argument("--child", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child:
        _child(json.loads(a.child))
        return
    if a.quick:
        a.areas, a.draws, a.sweep_areas, a.sweep_draws = 20, 200, "10,40", "100,1000"
        a.national_areas, a.national_draws = 40, 1000

    print(f"forecast benchmark: areas × 91 ages × 2 sexes × 26 years × {len(MEASURES)} measures × draws → mean and "
          f"{', '.join(f'{q:g}' for q in QUANTILES)} quantiles; {os.cpu_count()} cores; each run in its own process\n")
    report = Report()
    parts = a.parts.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if "shapes" in parts:
            for shape in SHAPES:
                extra = [m for m in a.baselines.split(",") if m] if shape == "area_year" else []
                _compare(report, "shapes", shape, a.areas, a.draws, ["tight", "forecast"] + extra, a.sample, tmp, a.repeat)
        if "sweep" in parts:
            for areas in map(int, a.sweep_areas.split(",")):
                for draws in map(int, a.sweep_draws.split(",")):
                    _compare(report, "sweep", "area_year", areas, draws, ["tight", "forecast"], 0, tmp, a.repeat)
        if "national" in parts:
            for shape in a.national_shapes.split(","):
                _compare(report, "national", shape, a.national_areas, a.national_draws, ["tight", "forecast"], 0, tmp,
                         a.repeat)
    _verdict(report)
    if a.json:
        Path(a.json).write_text(json.dumps(report.rows, indent=1))


def _compare(report: Report, part, shape, areas, draws, methods, sample, tmp, repeat: int) -> None:
    """Run the methods round-robin ``repeat`` times (each in its own process); report each one's
    fastest run (and its highest peak), with its ratio to the tight bound."""
    best: dict = {}
    for _ in range(repeat):
        for m in methods:
            if m in ("naive", "bands", "cluster") and m in best:
                continue  # once is enough for the baselines
            row, arrays = run_one(m, shape, areas, draws, {"naive": sample, "bands": 10 * sample}.get(m, 0), tmp)
            if row is None:
                continue
            if m in best:
                row = dict(min(row, best[m], key=lambda r: r["seconds"]), cpu=min(row["cpu"], best[m]["cpu"]),
                           peak_mib=max(row["peak_mib"], best[m]["peak_mib"]), run_mib=max(row["run_mib"], best[m]["run_mib"]))
            best[m] = dict(row, arrays=arrays)
    tight = best.get("tight")
    for m, row in best.items():
        ratio = (row["seconds"] / tight["seconds"], row["cpu"] / tight["cpu"]) \
            if tight is not None and m != "tight" else None
        agree = _agree(row["arrays"], tight["arrays"]) if tight is not None and m in ("forecast", "cluster") else None
        how = row["how"] + (f"; fastest of {repeat} runs" if repeat > 1 and m in ("tight", "forecast") else "")
        report.add(part, shape, areas, draws, m, dict({k: v for k, v in row.items() if k != "arrays"}, how=how),
                   ratio, agree)


def _verdict(report: Report) -> None:
    print("\n  targets (ratios: wall clock, and CPU seconds — steadier when other work shares the machine)")
    rows = report.rows
    for r in rows:
        if r["method"] == "forecast" and r["ratio"] is not None:
            w, c = r["ratio"]
            print(f"    {r['part']:8} {r['shape']:10} {r['areas']:5d}×{r['draws']:<6d} forecast ÷ tight {w:5.2f} wall "
                  f"{c:5.2f} cpu  [≤ 1.3] {'yes' if w <= 1.3 else ('cpu yes' if c <= 1.3 else 'NO')}")
    for r in rows:
        if r["part"] == "national" and r["method"] == "forecast":
            limit_s = 10 if r["shape"] == "area_year" else None
            s_ok = "" if limit_s is None else (f"[≤ {limit_s} s] " + ("yes" if r["seconds"] <= limit_s else "NO"))
            m_ok = "[≤ 1024 MiB] " + ("yes" if r["peak_mib"] <= 1024 else "NO")
            print(f"    national {r['shape']:10} {r['seconds']:6.2f} s (cpu {r['cpu']:6.2f} s) {s_ok}   "
                  f"peak {r['peak_mib']:6.0f} MiB {m_ok}")
    base = {(r["shape"], r["areas"], r["draws"]): r for r in rows if r["method"] == "forecast" and r["part"] == "shapes"}
    for r in rows:
        if r["method"] in ("naive", "bands", "cluster"):
            f = base.get((r["shape"], r["areas"], r["draws"]))
            if f:
                print(f"    {r['method']:8} ÷ forecast (area_year, wall): {r['seconds'] / f['seconds']:8.1f}")


if __name__ == "__main__":
    main()
