"""Uncertainty: Monte Carlo draws of rates, contracted over age; summaries.

Each rate set's band rates are drawn ``draws`` times, independently by band and sex
(one draw for both sexes when the source is not sex-specific):

* **published interval** (CFAS II): a Beta distribution matched by moments — mean = the
  point estimate, standard deviation = (high − low) / (2 z), z the normal quantile of the
  interval's level (1.96 for 95%).  A zero-width interval gives the point estimate in
  every draw.
* **counts** (census carers: k of n): Beta(k, n − k), whose mean is k / n.
* **survey bases** (APMS: rate p with unweighted base n): Beta(p n, (1 − p) n), the
  binomial sampling uncertainty of the estimate (no design effect: an understatement).
* **none** (Dementia UK consensus, the 15% rule): no published uncertainty; every draw is
  the point estimate.

Ethnic relative risks with intervals (Pham et al.) are drawn from a log-normal with mean
equal to the published ratio, σ = (ln high − ln low) / (2 z).  Because every distribution's
mean is the point estimate, the mean of the demand draws converges to the deterministic
projection.

The population is never copied per draw.  Ages are first summed into *segments* — runs of
single ages that share a rate band and an output band — once; then demand by draw is one
contraction (``einsum``) of population segments with rate draws, so the cost grows with
areas × years × draws × segments, not × ages.  The same numpy kernel runs on the whole
population, on area chunks in threads, or on dask blocks (chunked by area), locally or on
``dask.distributed``: results are the same.

One seed makes a run reproducible: each measure gets its own stream,
``numpy.random.SeedSequence(seed, spawn_key=(crc32(name),))`` — independent of the other
measures, and the same whether the measure is run alone or with others.
"""

from __future__ import annotations

import math
import os
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import xarray as xr
from scipy.stats import norm

from ._version import __version__
from .ages import AgeBand, band_matrix
from .assumptions import RateSet, RelativeRisks
from .errors import SpecError
from .projection import (
    _dataset_attrs,
    _prepare,
    _output_bands,
    _population_coverage,
    _resolve_relative_risks,
    _variable_attrs,
)

__all__ = ["simulate", "summarise", "band_draws", "relative_risk_draws", "distribution_note", "check_draws", "DEFAULT_QUANTILES"]

DEFAULT_QUANTILES = (0.025, 0.5, 0.975)


def check_draws(draws, seed) -> tuple[int, int]:
    """Validate the draw count and seed (clear errors for bad values)."""
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)):
        raise SpecError(f"the number of draws must be a whole number, not {draws!r}", field="draws")
    if draws <= 0:
        raise SpecError(f"the number of draws must be positive, not {draws}", field="draws")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise SpecError(f"the seed must be an integer, not {seed!r}", field="seed")
    if seed < 0:
        raise SpecError(f"the seed must be 0 or more, not {seed}", field="seed")
    return int(draws), int(seed)


# ---------------------------------------------------------------------------- distributions

def _z(level: float) -> float:
    return float(norm.ppf(0.5 + level / 2))


def _beta_or_point(rng, a: np.ndarray, b: np.ndarray, point: np.ndarray, draws: int) -> np.ndarray:
    """Beta(a, b) draws where a, b > 0; the point value elsewhere."""
    out = np.broadcast_to(point, (draws,) + point.shape).copy()
    ok = (a > 0) & (b > 0) & np.isfinite(a) & np.isfinite(b)
    if ok.any():
        out[:, ok] = rng.beta(a[ok], b[ok], size=(draws, int(ok.sum())))
    return out


def band_draws(rs: RateSet, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Draws of a rate set's band rates, shape ``(draws, 2 sexes, bands)`` (proportions)."""
    sexes = ("male", "female") if rs.sex_specific or rs.counts is not None and rs.counts["male"] is not rs.counts["female"] else ("male",)
    parts = []
    for sex in sexes:
        p = np.asarray(rs.rates[sex], dtype=float)
        if rs.counts is not None:
            k, n = (np.asarray(x, dtype=float) for x in rs.counts[sex])
            parts.append(_beta_or_point(rng, k, n - k, p, draws))
        elif rs.intervals is not None:
            lo, hi = rs.intervals[sex][:, 0], rs.intervals[sex][:, 1]
            var = ((hi - lo) / (2 * _z(rs.interval_level))) ** 2
            with np.errstate(divide="ignore", invalid="ignore"):
                nu = p * (1 - p) / var - 1
            nu = np.where(var > 0, np.maximum(nu, 1e-6), np.inf)
            parts.append(_beta_or_point(rng, p * nu, (1 - p) * nu, p, draws))
        elif rs.bases is not None:
            n = np.asarray(rs.bases[sex], dtype=float)
            parts.append(_beta_or_point(rng, p * n, (1 - p) * n, p, draws))
        else:
            parts.append(np.broadcast_to(p, (draws,) + p.shape).copy())
    if len(parts) == 1:
        parts.append(parts[0])
    return np.stack(parts, axis=1)


def distribution_note(rs: RateSet) -> str:
    """How a rate set's draws are made, for table notes."""
    if rs.counts is not None:
        return f"{rs.id}: Beta(cases, population − cases) from the counts"
    if rs.intervals is not None:
        return f"{rs.id}: Beta matched to the published {rs.interval_level:.0%} intervals (mean = point estimate)"
    if rs.bases is not None:
        return f"{rs.id}: Beta(p × base, (1 − p) × base) from the unweighted survey bases (no design effect)"
    return f"{rs.id}: no published uncertainty — fixed at the point estimates"


def relative_risk_draws(rr: RelativeRisks, groups: Sequence[str], draws: int, rng: np.random.Generator,
                        mode: str | None = None) -> np.ndarray:
    """Draws of the ethnic multipliers, shape ``(draws, 2, groups)`` (see the module docstring)."""
    groups = [str(g) for g in groups]
    mode = mode or rr.mode
    out = np.ones((draws, 2, len(groups)))
    z = _z(rr.interval_level)
    for j, g in enumerate(groups):
        if g not in rr.ratios:
            continue
        for i, sex in enumerate(("male", "female")):
            value = rr.ratios[g][sex]
            iv = (rr.intervals or {}).get(g, {}).get(sex)
            if iv is None or iv[1] <= iv[0]:
                out[:, i, j] = value
            else:
                sigma = (math.log(iv[1]) - math.log(iv[0])) / (2 * z)
                out[:, i, j] = np.exp(rng.normal(math.log(value) - sigma * sigma / 2, sigma, size=draws))
    if mode == "standardised":
        for i, sex in enumerate(("male", "female")):
            w = rr.study_population[sex]
            idx = {g: j for j, g in enumerate(groups)}
            # weights over the study population's groups; a group not in the mix keeps its fixed ratio
            scale = np.zeros(draws)
            for g, wg in w.items():
                scale += wg * (out[:, i, idx[g]] if g in idx else rr.ratios[g][sex])
            out[:, i, :] /= scale[:, None]
    return out


# ---------------------------------------------------------------------------- the kernel

def _quantiles_last_axis(x: np.ndarray, quantiles: Sequence[float]) -> np.ndarray:
    """Mean and quantiles along the last axis (linear interpolation, as numpy's default),
    with one partition for all quantiles."""
    n = x.shape[-1]
    h = np.asarray(quantiles) * (n - 1)
    lo = np.floor(h).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    part = np.partition(x, np.unique(np.concatenate([lo, hi])), axis=-1)
    qs = part[..., lo] + (h - lo) * (part[..., hi] - part[..., lo])
    return np.concatenate([x.mean(axis=-1, keepdims=True), qs], axis=-1)


def _kernel(pop_seg: np.ndarray, weights: np.ndarray, rr: np.ndarray | None, trend: np.ndarray | None,
            out: str, quantiles: Sequence[float] | None) -> np.ndarray:
    """Demand by draw for a block of areas.

    ``pop_seg`` is ``aysk`` (+ ``e``), ``weights`` is ``dskb`` (rate draws × output-band
    membership), ``rr`` is ``dse``; ``out`` is the einsum output (``ay…d``).  With
    ``quantiles`` the draw axis is replaced by mean and quantiles.
    """
    lhs = "aysk" + ("e" if pop_seg.ndim == 5 else "")
    operands = [pop_seg, weights]
    subs = [lhs, "dskb"]
    if rr is not None:
        operands.append(rr)
        subs.append("dse")
    res = np.einsum(",".join(subs) + "->" + out, *operands, optimize=True)
    if trend is not None:
        res *= trend.reshape((1, -1) + (1,) * (res.ndim - 2))
    if quantiles is None:
        return res
    return _quantiles_last_axis(res, quantiles)


# ---------------------------------------------------------------------------- plan

@dataclass
class _MeasurePlan:
    name: str
    rate_set: RateSet
    segments: np.ndarray  # (ages, K) 0/1
    seg_rates: np.ndarray  # (2, K, bands): band table -> segment rate
    seg_bands: np.ndarray  # (B, K) output-band membership
    band_labels: list[str]
    trend: np.ndarray | None
    risk: RelativeRisks | None
    attrs: dict


def _plan(pop: xr.DataArray, name: str, rs: RateSet, out_bands: list[AgeBand] | None, risk) -> _MeasurePlan:
    top = int(pop.attrs["open_top_age"])
    ages = pop["age"].values
    cov = _population_coverage(rs, top)
    bands = out_bands if out_bands is not None else [cov]
    for b in bands:
        if not b.within(cov):
            raise SpecError(f"rate set '{rs.id}' covers ages {cov.label}; the requested band {b.label} lies outside it")
    needs_top = any(b.contains(top) for b in bands)
    matrix, covered = rs.age_matrix(ages, top, strict_top=needs_top)
    members = band_matrix(bands, ages, top).values  # (B, G)
    keys: dict[tuple, int] = {}
    seg_of_age = np.full(ages.size, -1)
    for g in range(ages.size):
        if not covered[g] or not members[:, g].any():
            continue
        key = (matrix[:, g, :].tobytes(), int(np.argmax(members[:, g])))
        seg_of_age[g] = keys.setdefault(key, len(keys))
    k = len(keys)
    segments = np.zeros((ages.size, k))
    seg_rates = np.zeros((2, k, len(rs.bands)))
    seg_bands = np.zeros((len(bands), k))
    for g in range(ages.size):
        j = seg_of_age[g]
        if j >= 0:
            segments[g, j] = 1.0
            seg_rates[:, j, :] = matrix[:, g, :]
            seg_bands[:, j] = members[:, g]
    trend = rs.trend.factor(pop["year"].values).values if rs.trend is not None else None
    return _MeasurePlan(name, rs, segments, seg_rates, seg_bands, [b.label for b in bands], trend, risk,
                        _variable_attrs(rs, top, cov))


# ---------------------------------------------------------------------------- simulate

def simulate(
    population: xr.DataArray | None,
    rate_sets,
    *,
    draws: int = 1000,
    seed: int = 0,
    ages: str | None = None,
    bands: Sequence[str] | None = None,
    areas: Sequence[str] | str | None = None,
    years: Sequence[int] | None = None,
    relative_risks=None,
    ethnic_mode: str | None = None,
    keep: Sequence[str] = ("sex", "age_band", "ethnicity"),
    quantiles: Sequence[float] | None = None,
    threads: int | None = None,
    area_chunk: int = 64,
    progress: Callable[[int], None] | None = None,
    scenario=None,
) -> xr.Dataset:
    """Projection with uncertainty: rates drawn ``draws`` times (module docstring).

    Returns a Dataset like :func:`forecast.project`'s with a ``draw`` dim — or, with
    ``quantiles``, a ``statistic`` dim (``mean`` and ``q0.025`` …) instead.  ``keep``
    says which of ``sex``, ``age_band`` and ``ethnicity`` to keep (the others are
    summed within each draw, before any quantile).  Without ``ages`` or ``bands`` each
    measure is summed over all the ages it covers.

    The population may be dask-backed (chunked by area, e.g. ``pop.chunk(area=50)``):
    the result is then computed blockwise — on ``dask.distributed`` if a client is
    active — with the same kernel, and equals the in-memory result.  In memory, area
    chunks run on ``threads`` threads (default: the machine's cores).
    """
    draws, seed = check_draws(draws, seed)
    if quantiles is not None:
        quantiles = [float(q) for q in quantiles]
        if not quantiles or any(not 0 <= q <= 1 for q in quantiles):
            raise SpecError(f"quantiles must lie between 0 and 1, not {quantiles}", field="quantiles")
    bad_keep = set(keep) - {"sex", "age_band", "ethnicity"}
    if bad_keep:
        raise SpecError(f"keep may name sex, age_band and ethnicity, not {', '.join(sorted(bad_keep))}")
    pop, measures = _prepare(population, rate_sets, areas, years, scenario)
    split = "ethnicity" in pop.dims
    risks = _resolve_relative_risks(measures, relative_risks, split)
    out_bands = _output_bands(ages, bands)
    plans = [_plan(pop, name, rs, out_bands, risks.get(name)) for name, rs in measures.items()]

    keep_sex = "sex" in keep
    keep_band = "age_band" in keep and out_bands is not None
    keep_eth = "ethnicity" in keep and split
    out = "ay" + ("s" if keep_sex else "") + ("b" if keep_band else "") + ("e" if keep_eth else "") + "d"
    streams = [np.random.SeedSequence(seed, spawn_key=(zlib.crc32(p.name.encode()),)) for p in plans]
    lazy = type(pop.data).__module__.startswith("dask")

    data_vars = {}
    for plan, stream in zip(plans, streams):
        rng = np.random.default_rng(stream)
        table = band_draws(plan.rate_set, draws, rng)  # (D, 2, bands)
        rates = np.einsum("skb,dsb->dsk", plan.seg_rates, table)  # (D, 2, K)
        weights = rates[..., None] * plan.seg_bands.T[None, None, :, :]  # (D, 2, K, B)
        rr = None
        if split and plan.risk is not None:
            rr = relative_risk_draws(plan.risk, pop["ethnicity"].values, draws, rng, ethnic_mode)
        pop_seg = xr.dot(pop, xr.DataArray(plan.segments, dims=("age", "segment")), dim="age")
        pop_seg = pop_seg.transpose("area", "year", "sex", "segment", *(["ethnicity"] if split else []))
        if lazy:
            values = _run_dask(pop_seg.data, weights, rr, plan.trend, out, quantiles)
        else:
            values = _run_numpy(np.asarray(pop_seg.data), weights, rr, plan.trend, out, quantiles, threads, area_chunk, progress)
        if progress is not None:
            progress(1)
        data_vars[plan.name] = _wrap(values, pop, plan, out, quantiles, draws, keep_band)

    ds = xr.Dataset(data_vars)
    ds = ds.assign_coords(area_name=("area", pop["area_name"].values))
    ds.attrs = _dataset_attrs(pop, measures, ages, out_bands)
    ds.attrs.update(
        draws=str(draws), seed=str(seed), forecast_version=__version__,
        uncertainty="; ".join(distribution_note(p.rate_set) for p in plans),
    )
    if risks:
        ds.attrs["relative_risk_draws"] = "log-normal matched to the published intervals (mean = the ratio)"
    return ds


def _run_numpy(pop_seg, weights, rr, trend, out, quantiles, threads, area_chunk, progress) -> np.ndarray:
    n = pop_seg.shape[0]
    chunks = [slice(i, min(i + area_chunk, n)) for i in range(0, n, area_chunk)]
    workers = threads if threads is not None else min(len(chunks), os.cpu_count() or 1)
    if workers <= 1 or len(chunks) == 1:
        parts = [_kernel(pop_seg[c], weights, rr, trend, out, quantiles) for c in chunks]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:  # numpy releases the GIL in einsum/partition
            parts = list(pool.map(lambda c: _kernel(pop_seg[c], weights, rr, trend, out, quantiles), chunks))
    return np.concatenate(parts, axis=0)


def _run_dask(pop_seg, weights, rr, trend, out, quantiles) -> np.ndarray:
    import dask
    import dask.array as da

    pop_seg = pop_seg.rechunk({i: -1 for i in range(1, pop_seg.ndim)})
    blocks = pop_seg.to_delayed().reshape(-1)
    kernel = dask.delayed(_kernel, pure=True)
    last = (len(quantiles) + 1) if quantiles is not None else weights.shape[0]
    parts = []
    for block, size in zip(blocks, pop_seg.chunks[0]):
        shape = _out_shape(size, pop_seg.shape, weights, out, last)
        parts.append(da.from_delayed(kernel(block, weights, rr, trend, out, quantiles), shape=shape, dtype=float))
    return np.asarray(da.concatenate(parts, axis=0).compute())


def _out_shape(areas, pop_shape, weights, out, last):
    sizes = {"a": areas, "y": pop_shape[1], "s": pop_shape[2], "b": weights.shape[3],
             "e": pop_shape[4] if len(pop_shape) == 5 else 1, "d": last}
    return tuple(sizes[c] for c in out)


def _wrap(values, pop, plan: _MeasurePlan, out, quantiles, draws, keep_band) -> xr.DataArray:
    dims, coords = [], {}
    for c in out:
        if c == "a":
            dims.append("area"); coords["area"] = pop["area"].values
        elif c == "y":
            dims.append("year"); coords["year"] = pop["year"].values
        elif c == "s":
            dims.append("sex"); coords["sex"] = pop["sex"].values
        elif c == "b":
            dims.append("age_band"); coords["age_band"] = plan.band_labels
        elif c == "e":
            dims.append("ethnicity"); coords["ethnicity"] = pop["ethnicity"].values
        elif quantiles is None:
            dims.append("draw"); coords["draw"] = np.arange(draws)
        else:
            dims.append("statistic"); coords["statistic"] = ["mean"] + [f"q{q:g}" for q in quantiles]
    da = xr.DataArray(values, dims=dims, coords=coords, name=plan.name)
    da.attrs = dict(plan.attrs)
    da.attrs["uncertainty"] = distribution_note(plan.rate_set)
    if plan.risk is not None:
        da.attrs["relative_risks"] = plan.risk.id
    return da


def summarise(result: xr.Dataset, quantiles: Sequence[float] = DEFAULT_QUANTILES) -> xr.Dataset:
    """Replace a result's ``draw`` dim by ``statistic``: mean and the quantiles."""
    if "draw" not in result.dims:
        raise SpecError("summarise() needs a result with a 'draw' dimension (from simulate)")
    out = {}
    for name, da in result.data_vars.items():
        moved = da.transpose(..., "draw")
        values = _quantiles_last_axis(np.asarray(moved.values), quantiles)
        dims = [d for d in moved.dims if d != "draw"] + ["statistic"]
        coords = {d: moved[d].values for d in dims[:-1]}
        coords["statistic"] = ["mean"] + [f"q{q:g}" for q in quantiles]
        out[name] = xr.DataArray(values, dims=dims, coords=coords, attrs=da.attrs)
    ds = xr.Dataset(out).assign_coords(area_name=("area", result["area_name"].values))
    ds.attrs = dict(result.attrs)
    return ds
