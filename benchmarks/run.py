"""Speed and memory of forecast's uncertainty runs, as ratios against baselines in the same run.

    python benchmarks/run.py                 # ~1-2 minutes on 2 cores
    python benchmarks/run.py --areas 100     # smaller

The task: a synthetic national cube — 400 areas × single ages 0..90+ × 2 sexes × 26 years
(2022-2047), built with a fixed seed from the shipped ONS age structures (each area is one
of the nine Leicester, Leicestershire and Rutland authorities, scaled by a log-normal
factor, with 5% noise per cell) — × 6 measures whose rates have published uncertainty
(CFAS II intervals; APMS 2014 and 2007 bases; Census 2021 and 2011 carer counts) × 1,000
draws; out: for each measure, area and year (summed over sex and the measure's ages), the
mean and the 2.5%, 50% and 97.5% quantiles over the draws.  Every method uses the same rate
draws (forecast.uncertainty.band_draws, fixed seed), and the results are checked to agree.

Methods, each in its own process (so that peak memory, ru_maxrss, is its own):

  (a) naive   — per draw and measure: pandas merge of the long population table with that
                draw's rates by age, multiply, groupby area × year.  Timed on a sample of
                draws and scaled to 1,000.
  (b) bands   — band-first pandas: the population is summed into each measure's rate bands
                once, then per draw a merge of the small table, multiply, groupby.  Timed on
                a sample of draws and scaled.
  (c) numpy   — a bare numpy lower bound: population summed into bands, one einsum per
                measure, mean and quantiles by np.partition (single thread, no labels).
  (d) forecast — forecast.simulate in memory (threads over area chunks).
  (e) cluster — forecast.simulate on a dask.distributed LocalCluster of 2 workers, the cube
                chunked by area (cluster start-up reported separately).

Targets (issue 5): (d) within 3× of (c), ≥ 300× faster than (a), ≥ 10× faster than (b),
≤ 3 s and ≤ 1.5 GB peak on a 2-core machine.  Benchmarks are not tests: nothing here fails.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

MEASURES = [
    "cfas_ii_2013",
    "apms2014_any_cmd",
    "apms2014_depressive_episode",
    "apms2007_any_cmd",
    "census2021_unpaid_care",
    "census2011_unpaid_care",
]
QUANTILES = (0.025, 0.5, 0.975)
SEED = 20261122


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
    cube = xr.DataArray(
        values, dims=base.dims,
        coords={"area": codes, "area_name": ("area", [f"Area {i}" for i in range(n_areas)]), "year": base.year.values,
                "sex": base.sex.values, "age": base.age.values},
        name="population", attrs={"open_top_age": 90, "source": f"synthetic national cube, seed {seed}"},
    )
    return cube


def rate_draws(draws: int):
    """The same draws for every method: (D, 2, bands) per measure, and the age→band maps."""
    import zlib

    import forecast
    from forecast.uncertainty import band_draws

    out = {}
    for name in MEASURES:
        rs = forecast.get_rate_set(name)
        # the stream forecast.simulate gives a measure named by the rate set's id
        rng = np.random.default_rng(np.random.SeedSequence(SEED, spawn_key=(zlib.crc32(name.encode()),)))
        table = band_draws(rs, draws, rng)
        matrix, covered = rs.age_matrix(np.arange(91), 90)
        band_of_age = np.where(covered, matrix[0].argmax(axis=1), -1)  # each covered age: one band
        out[name] = (table, band_of_age)
    return out


def summary(x: np.ndarray) -> np.ndarray:
    """Mean and quantiles along the last axis (the method every baseline shares)."""
    from forecast.uncertainty import _quantiles_last_axis

    return _quantiles_last_axis(x, QUANTILES)


# ---------------------------------------------------------------------------- methods

def method_naive(cube, draws, sample):
    import pandas as pd

    long = cube.to_dataframe().reset_index()[["area", "year", "sex", "age", "population"]]
    rd = rate_draws(draws)
    t = time.perf_counter()
    results = {}
    for name in MEASURES:
        table, band_of_age = rd[name]
        per_draw = []
        for d in range(sample):
            rates = pd.DataFrame(
                [(sex, age, table[d, i, band_of_age[age]] if band_of_age[age] >= 0 else 0.0)
                 for i, sex in enumerate(("male", "female")) for age in range(91)],
                columns=["sex", "age", "rate"],
            )
            m = long.merge(rates, on=["sex", "age"])
            m["demand"] = m["population"] * m["rate"]
            per_draw.append(m.groupby(["area", "year"])["demand"].sum().to_numpy())
        results[name] = np.stack(per_draw, axis=-1)
    elapsed = time.perf_counter() - t
    return elapsed * draws / sample, results, f"{sample} of {draws} draws timed, scaled"


def method_bands(cube, draws, sample):
    import pandas as pd

    long = cube.to_dataframe().reset_index()[["area", "year", "sex", "age", "population"]]
    rd = rate_draws(draws)
    t = time.perf_counter()
    results = {}
    for name in MEASURES:
        table, band_of_age = rd[name]
        keyed = long.assign(band=band_of_age[long["age"].to_numpy()])
        banded = keyed[keyed.band >= 0].groupby(["area", "year", "sex", "band"], as_index=False)["population"].sum()
        per_draw = []
        for d in range(sample):
            rates = pd.DataFrame(
                [(sex, b, table[d, i, b]) for i, sex in enumerate(("male", "female")) for b in range(table.shape[2])],
                columns=["sex", "band", "rate"],
            )
            m = banded.merge(rates, on=["sex", "band"])
            m["demand"] = m["population"] * m["rate"]
            per_draw.append(m.groupby(["area", "year"])["demand"].sum().to_numpy())
        results[name] = np.stack(per_draw, axis=-1)
    elapsed = time.perf_counter() - t
    return elapsed * draws / sample, results, f"{sample} of {draws} draws timed, scaled"


def method_numpy(cube, draws, sample):
    pop = np.asarray(cube.values)  # (A, Y, S, G)
    rd = rate_draws(draws)
    t = time.perf_counter()
    results = {}
    for name in MEASURES:
        table, band_of_age = rd[name]
        onehot = np.zeros((91, table.shape[2]))
        onehot[band_of_age >= 0, band_of_age[band_of_age >= 0]] = 1
        banded = pop @ onehot  # (A, Y, S, B)
        results[name] = summary(np.einsum("aysb,dsb->ayd", banded, table, optimize=True))
    return time.perf_counter() - t, results, "full run"


def method_forecast(cube, draws, sample):
    from forecast.uncertainty import simulate

    t = time.perf_counter()
    res = simulate(cube, MEASURES_BY_NAME(), draws=draws, seed=SEED, keep=(), quantiles=QUANTILES)
    elapsed = time.perf_counter() - t
    return elapsed, {n: res[v].values for n, v in zip(MEASURES, res.data_vars)}, f"full run, {os.cpu_count()} threads"


def method_cluster(cube, draws, sample):
    from forecast.scale import chunk_by_area, dask_client
    from forecast.uncertainty import simulate

    t0 = time.perf_counter()
    with dask_client(workers=2) as client:
        startup = time.perf_counter() - t0
        t = time.perf_counter()
        res = simulate(chunk_by_area(cube, 50), MEASURES_BY_NAME(), draws=draws, seed=SEED, keep=(), quantiles=QUANTILES)
        elapsed = time.perf_counter() - t
        worker_kb = max(client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss).values())
    return elapsed, {n: res[v].values for n, v in zip(MEASURES, res.data_vars)}, \
        f"full run; cluster start-up {startup:.1f} s; worker peak {worker_kb / 1024:.0f} MiB"


def MEASURES_BY_NAME():
    """Each rate set under its own id (so every method draws from the same streams)."""
    return {n: n for n in MEASURES}


METHODS = {"naive": method_naive, "bands": method_bands, "numpy": method_numpy, "forecast": method_forecast,
           "cluster": method_cluster}


# ---------------------------------------------------------------------------- driver

def _child(method: str, areas: int, draws: int, sample: int, out: Path) -> None:
    cube = national_cube(areas)
    seconds, results, how = METHODS[method](cube, draws, sample)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    np.savez(out, **{k: v for k, v in results.items()})
    print(json.dumps({"seconds": seconds, "peak_mib": peak_kb / 1024, "how": how}))


def main() -> None:
    p = argparse.ArgumentParser(description="forecast benchmarks (ratios against baselines in the same run)")
    p.add_argument("--areas", type=int, default=400)
    p.add_argument("--draws", type=int, default=1000)
    p.add_argument("--sample", type=int, default=3, help="draws timed for the pandas baselines (scaled to --draws)")
    p.add_argument("--methods", default="naive,bands,numpy,forecast,cluster")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child:
        _child(a.child, a.areas, a.draws, a.sample, Path(a.out))
        return

    import tempfile

    print(f"forecast benchmark: {a.areas} areas × 91 ages × 2 sexes × 26 years × {len(MEASURES)} measures × "
          f"{a.draws} draws → mean and {', '.join(f'{q:g}' for q in QUANTILES)} quantiles; {os.cpu_count()} cores\n")
    rows, arrays = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for m in a.methods.split(","):
            out = Path(tmp) / f"{m}.npz"
            sample = a.sample if m == "naive" else max(a.sample * 10, 20)
            r = subprocess.run([sys.executable, __file__, "--child", m, "--areas", str(a.areas), "--draws", str(a.draws),
                                "--sample", str(sample), "--out", str(out)], capture_output=True, text=True)
            if r.returncode != 0:
                print(f"({m}) failed:\n{r.stderr[-2000:]}")
                continue
            rows[m] = json.loads(r.stdout.strip().splitlines()[-1])
            with np.load(out) as z:
                arrays[m] = {k: z[k] for k in z.files}
            print(f"  ({m:8}) {rows[m]['seconds']:10.2f} s   peak {rows[m]['peak_mib']:7.0f} MiB   {rows[m]['how']}")

    # agreement: sampled draws against the full-draw runs' first draws is not possible after
    # summarising, so compare summaries of full runs, and the samples against the numpy draws
    if "numpy" in arrays:
        for m in ("forecast", "cluster"):
            if m in arrays:
                ok = all(np.allclose(arrays[m][k], arrays["numpy"][k], rtol=1e-9) for k in MEASURES)
                print(f"\n  ({m}) results equal the numpy lower bound's: {ok}")
    print()
    if "forecast" in rows:
        d = rows["forecast"]["seconds"]
        checks = []
        if "numpy" in rows:
            checks.append(("(d) / (c)  [target ≤ 3]", d / rows["numpy"]["seconds"], d / rows["numpy"]["seconds"] <= 3))
        if "naive" in rows:
            checks.append(("(a) / (d)  [target ≥ 300]", rows["naive"]["seconds"] / d, rows["naive"]["seconds"] / d >= 300))
        if "bands" in rows:
            checks.append(("(b) / (d)  [target ≥ 10]", rows["bands"]["seconds"] / d, rows["bands"]["seconds"] / d >= 10))
        if "cluster" in rows:
            checks.append(("(e) / (d)  [cluster vs in memory]", rows["cluster"]["seconds"] / d, None))
        checks.append(("(d) seconds  [target ≤ 3]", d, d <= 3))
        checks.append(("(d) peak MiB [target ≤ 1536]", rows["forecast"]["peak_mib"], rows["forecast"]["peak_mib"] <= 1536))
        print("  ratio / measure                         value   target met")
        for label, value, ok in checks:
            print(f"  {label:38} {value:9.2f}   {'' if ok is None else ('yes' if ok else 'NO')}")


if __name__ == "__main__":
    main()
