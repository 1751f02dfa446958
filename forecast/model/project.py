"""Projection: population × age- and sex-specific rates → demand, with or without draws.

For each measure (README.md, "The method")::

    demand[area, year, sex, age, ethnicity] = population × rate[sex, age] × RR[sex, ethnicity] × trend[year]

summed into the age bands, areas and years asked for.  This is the prevalence method of
POPPI/PANSI (Institute of Public Care): "the prevalence rates have been applied to ONS
population projections … to give estimated numbers".

:func:`project` gives the point estimate; :func:`simulate` draws the rates (and ethnic
relative risks) from their published uncertainty (:mod:`forecast.model.draws`).  Both are
the same contraction (:mod:`forecast.model.kernel`): the point estimate is a single draw
at the published values.  Asking for a band a rate set does not cover (``"18-64"`` from a
65+ rate set) is an error, not a silent zero.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import xarray as xr

from ..errors import SpecError, few
from ..limits import MAX_DRAW_VALUES, MAX_QUANTILES
from ..population import is_lazy
from ..population.ethnicity import warn_all_age_shares
from .draws import (
    DEFAULT_QUANTILES,
    band_draws,
    check_draws,
    check_groups,
    distribution_note,
    point_rates,
    relative_risk_draws,
    rng_for,
)
from .kernel import Job, run_job, summarise_last_axis
from .measures import dataset_attrs, output_bands, prepare, resolve_relative_risks, variable_attrs
from .plan import Plan, make_plan, segment_population

__all__ = ["project", "simulate", "summarise", "DEFAULT_QUANTILES"]

_KEEP = ("sex", "age_band", "ethnicity")


def project(population, rate_sets, *, ages=None, bands=None, areas=None, years=None, relative_risks=None,
            ethnic_mode: str | None = None, scenario=None) -> xr.Dataset:
    """Apply rate sets to a population cube (the point estimate).

    Parameters
    ----------
    population
        A population cube (:mod:`forecast.population`), or ``None`` for the embedded default.
    rate_sets
        Rate-set ids, YAML paths or :class:`~forecast.RateSet` objects: one, a list, or a
        mapping ``{variable name: rate set}``.
    ages
        Restrict the result to one age range and sum it, e.g. ``"65+"``.
    bands
        Output age bands, e.g. ``["65-74", "75-84", "85+"]`` (must not overlap; must lie
        within ``ages`` if both are given).  Without ``ages`` or ``bands`` the result keeps
        single years of age.
    areas, years
        Optional selection (area codes or names; mid-years).
    relative_risks
        Ethnic relative risks (ids, paths or objects): one, a list (each applied to the
        measures it names), or ``{variable name: rr}``.  Needs a population split by
        ethnicity.  Without it, a rate set's own ``ethnicity:`` block applies when the
        population is split.
    ethnic_mode
        ``"reference"`` or ``"standardised"`` (default: each relative-risk set's own mode).
    scenario
        A scenario (id, path or object) whose trend replaces the matching rate sets' own;
        ``None`` or ``"constant"``: as the rate sets say.

    Returns
    -------
    xarray.Dataset
        One variable per measure, dims ``(area, year, sex, age)`` or ``(area, year, sex,
        age_band)`` (plus ``ethnicity``); provenance in ``attrs``.
    """
    return _run(population, rate_sets, ages=ages, bands=bands, areas=areas, years=years,
                relative_risks=relative_risks, ethnic_mode=ethnic_mode, scenario=scenario,
                draws=None, seed=0, keep=_KEEP, quantiles=None, threads=None, progress=None)


def simulate(population, rate_sets, *, draws: int = 1000, seed: int = 0, ages=None, bands=None, areas=None,
             years=None, relative_risks=None, ethnic_mode: str | None = None, keep: Sequence[str] = _KEEP,
             quantiles: Sequence[float] | None = None, threads: int | None = None,
             progress: Callable[[int], None] | None = None, scenario=None) -> xr.Dataset:
    """Projection with uncertainty: rates drawn ``draws`` times (:mod:`forecast.model.draws`).

    Returns a Dataset like :func:`project`'s with a ``draw`` dim — or, with ``quantiles``, a
    ``statistic`` dim (``mean`` and ``q0.025`` …) instead.  ``keep`` says which of
    ``sex``, ``age_band`` and ``ethnicity`` to keep (the others are summed within each
    draw, before any quantile).  Without ``ages`` or ``bands`` each measure is summed over
    all the ages it covers.  The central estimate forecast reports is the median
    (``q0.5``); tables show it with the interval.

    The population may be dask-backed (chunked by area): blocks then run on dask — on
    ``dask.distributed`` if a client is active — with the same kernel and the same result.
    """
    draws, seed = check_draws(draws, seed)
    if quantiles is not None:
        quantiles = [float(q) for q in quantiles]
        if len(quantiles) > MAX_QUANTILES:
            raise SpecError(f"{len(quantiles):,} quantiles asked for: at most {MAX_QUANTILES} (forecast.limits)",
                            field="quantiles")
        if not quantiles or any(not 0 <= q <= 1 for q in quantiles):
            raise SpecError(f"quantiles must lie between 0 and 1, not {few(quantiles)}", field="quantiles")
        if len(set(quantiles)) != len(quantiles):
            raise SpecError(f"quantile {next(q for q in quantiles if quantiles.count(q) > 1):g} is listed twice",
                            field="quantiles")
    bad = set(keep) - set(_KEEP)
    if bad:
        raise SpecError(f"keep may name sex, age_band and ethnicity, not {', '.join(sorted(bad))}")
    return _run(population, rate_sets, ages=ages, bands=bands, areas=areas, years=years,
                relative_risks=relative_risks, ethnic_mode=ethnic_mode, scenario=scenario,
                draws=draws, seed=seed, keep=tuple(keep), quantiles=quantiles, threads=threads, progress=progress)


def _run(population, rate_sets, *, ages, bands, areas, years, relative_risks, ethnic_mode, scenario, draws, seed,
         keep, quantiles, threads, progress) -> xr.Dataset:
    pop, measures = prepare(population, rate_sets, areas, years, scenario)
    split = "ethnicity" in pop.dims
    risks = resolve_relative_risks(measures, relative_risks, split)
    groups = pop["ethnicity"].values if split else []
    for rr in risks.values():
        check_groups(rr, groups)
    if split and pop.attrs.get("ethnic_mix_by_age") == "no":
        warn_all_age_shares()
    out_bands = output_bands(ages, bands)
    top = int(pop.attrs["open_top_age"])
    planned = {}
    for name, rs in measures.items():
        bands_here = out_bands if (out_bands is not None or draws is None) else [rs.population_coverage(top)]
        plan = make_plan(pop, name, rs, bands_here, risks.get(name), rs.trend)
        planned[name] = plan, _job(plan, pop, draws, seed, groups, ethnic_mode, keep, quantiles, split)
    _check_kept(pop, [job for _, job in planned.values()], draws)
    parts = {}
    for name, (plan, job) in planned.items():
        values = _contract(pop, plan, job, threads, progress)
        parts[name] = _wrap(values, pop, plan, job, draws, quantiles, top)
        if plan.risk is not None:
            parts[name][3]["relative_risks_mode"] = ethnic_mode or plan.risk.mode
        if progress is not None:
            progress(1)
    ds = _dataset(parts).assign_coords(area_name=("area", pop["area_name"].values))
    ds.attrs = dataset_attrs(pop, measures, ages, out_bands)
    if draws is not None:
        ds.attrs.update(draws=str(draws), seed=str(seed),
                        uncertainty="; ".join(distribution_note(rs) for rs in measures.values()))
        if risks:
            ds.attrs["relative_risk_draws"] = "log-normal matched to the published intervals (mean = the ratio)"
    return ds


def _job(plan: Plan, pop, draws, seed, groups, ethnic_mode, keep, quantiles, split) -> Job:
    rs = plan.rate_set
    rates = point_rates(rs) if draws is None else band_draws(rs, draws, rng_for(rs.id, seed))
    rr = None
    if plan.risk is not None:
        rng = None if draws is None else rng_for("rr:" + plan.risk.id, seed)
        rr = relative_risk_draws(plan.risk, groups, draws, rng, ethnic_mode)
    keep_band = "age_band" in keep or plan.out_dim == "age"
    job = Job(rates[:, :, plan.rate_band], plan.out_band, plan.n_out, rr, plan.trend,
              "sex" in keep, keep_band, "ethnicity" in keep and split, quantiles if draws is not None else None)
    return job


def _check_kept(pop, jobs: list[Job], draws) -> None:
    """Kept draws (no quantiles) of every measure together must fit within MAX_DRAW_VALUES,
    checked before any is computed."""
    if draws is None or not jobs or jobs[0].quantiles is not None:
        return
    check_kept(sum(pop.sizes["area"] * pop.sizes["year"] * int(np.prod(j.out_tail(pop.sizes.get("ethnicity", 1))[:-1]))
                   for j in jobs), draws)


class DrawLimitError(SpecError):
    """More draws asked to be kept than :data:`forecast.limits.MAX_DRAW_VALUES` allows;
    ``draws``, ``cells`` and ``limit`` (set where it is raised) say how many, so that a
    caller can say what to do."""

    draws = cells = limit = 0


def check_kept(cells: int, draws: int) -> None:
    """Refuse keeping ``draws`` draws of ``cells`` output cells over MAX_DRAW_VALUES."""
    if cells * draws > MAX_DRAW_VALUES:
        e = DrawLimitError(f"{draws:,} draws kept of {cells:,} cells is {cells * draws:,} values, over the limit of "
                           f"{MAX_DRAW_VALUES:,} (forecast.limits): summarise the draws (quantiles), or ask for fewer "
                           "draws, dimensions, measures, areas or years", field="draws")
        e.draws, e.cells, e.limit = draws, cells, MAX_DRAW_VALUES
        raise e


def _contract(pop, plan: Plan, job: Job, threads, progress) -> np.ndarray:
    if is_lazy(pop.data):
        from .chunked import run_chunked

        return run_chunked(pop, plan, job)
    return run_job(segment_population(pop, plan), job, threads=threads, progress=None)


def _wrap(values, pop, plan: Plan, job: Job, draws, quantiles, top) -> tuple[list[str], dict, np.ndarray, dict]:
    """A measure's result as ``(dims, coords, values, attrs)``."""
    dims, coords = ["area", "year"], {"area": pop["area"].values, "year": pop["year"].values}
    if job.keep_sex:
        dims.append("sex"); coords["sex"] = pop["sex"].values
    if job.keep_band:
        dims.append(plan.out_dim); coords[plan.out_dim] = plan.out_labels
    if job.keep_eth:
        dims.append("ethnicity"); coords["ethnicity"] = pop["ethnicity"].values
    if draws is None:
        values = values[..., 0]
    elif quantiles is None:
        dims.append("draw"); coords["draw"] = np.arange(draws)
    else:
        dims.append("statistic"); coords["statistic"] = ["mean"] + [f"q{q:g}" for q in quantiles]
    attrs = variable_attrs(plan.rate_set, top, plan.cover, _span(plan))
    if draws is not None:
        attrs["uncertainty"] = distribution_note(plan.rate_set)
    if plan.risk is not None:
        r = plan.risk
        attrs.update(relative_risks=r.id, relative_risks_citation=r.source.citation,
                     relative_risks_reference=r.reference,
                     ethnic_groups_without_ratio=", ".join(g for g in coords.get("ethnicity", pop["ethnicity"].values)
                                                           if g not in r.ratios))
    return dims, coords, values, attrs


def _dataset(parts: dict[str, tuple[list[str], dict, np.ndarray, dict]]) -> xr.Dataset:
    """The measures as one Dataset.  Where every measure has the same labels on the dims it
    shares (the usual case) the variables are put in directly; otherwise (measures in bands
    of their own on one ``age_band`` dim) they are aligned by xarray, an outer join."""
    coords: dict = {}
    for dims, cs, _, _ in parts.values():
        for d, labels in cs.items():
            if d not in coords:
                coords[d] = labels
            elif not np.array_equal(np.asarray(coords[d]), np.asarray(labels)):
                return xr.Dataset({name: xr.DataArray(v, dims=dims, coords=cs, name=name, attrs=a)
                                   for name, (dims, cs, v, a) in parts.items()})
    return xr.Dataset({name: (dims, v, a) for name, (dims, _, v, a) in parts.items()}, coords=coords)


def _span(plan: Plan):
    """The ages a result covers (None: single ages, or several bands)."""
    if plan.out_dim != "age_band":
        return None
    from ..ages import coverage, parse_bands

    try:
        return coverage(parse_bands(plan.out_labels))
    except SpecError:  # not contiguous: the bands name their own ages
        return None


def summarise(result: xr.Dataset, quantiles: Sequence[float] = DEFAULT_QUANTILES) -> xr.Dataset:
    """Replace a result's ``draw`` dim by ``statistic``: mean and the quantiles."""
    if "draw" not in result.dims:
        raise SpecError("summarise() needs a result with a 'draw' dimension (from simulate)")
    out = {}
    for name, da in result.data_vars.items():
        moved = da.transpose(..., "draw")
        values = summarise_last_axis(np.array(moved.values), quantiles)
        dims = [d for d in moved.dims if d != "draw"] + ["statistic"]
        coords = {d: moved[d].values for d in dims[:-1]}
        coords["statistic"] = ["mean"] + [f"q{q:g}" for q in quantiles]
        out[name] = xr.DataArray(values, dims=dims, coords=coords, attrs=da.attrs)
    ds = xr.Dataset(out).assign_coords(area_name=("area", result["area_name"].values))
    ds.attrs = dict(result.attrs)
    return ds
