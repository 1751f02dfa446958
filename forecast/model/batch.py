"""A batch run, as ``forecast run`` does it, and the tidy / NetCDF exports of results.

:func:`run` projects several rate sets at once.  Without ``bands`` or ``ages`` each
measure is reported in its own published bands (Dementia UK: 65-69 … 90+; APMS:
16-24 … 75+), with bands above the population's open top age folded into it
(90-94 and 95+ → 90+).  Years may be mid-years or financial years (``2025/26``).
"""

from __future__ import annotations

from typing import Sequence

import xarray as xr

from ..ages import AgeBand
from ..assumptions import RateSet, apply_scenario
from ..errors import SpecError, at, renamed
from ..periods import parse_financial_year
from ..population import resolve_areas, select_years, to_financial_years
from .derived import apply_derived
from .draws import DEFAULT_QUANTILES, check_draws, check_groups
from .measures import resolve_measures, resolve_relative_risks
from .project import check_kept, project, simulate

__all__ = ["run", "native_bands"]


def native_bands(rs: RateSet, top: int) -> list[AgeBand]:
    """A rate set's own bands, cut to what a population with open top ``top`` can form."""
    out = []
    for b in rs.bands:
        if b.lo >= top or b.hi is None or b.hi >= top:
            if b.lo <= top and not any(x.hi is None for x in out):
                out.append(AgeBand(min(b.lo, top), None))
            continue
        out.append(b)
    return out


def run(
    population: xr.DataArray,
    rate_sets: Sequence,
    *,
    areas: Sequence[str] | None = None,
    years: Sequence[int | str] | None = None,
    bands: Sequence[str] | None = None,
    ages=None,
    relative_risks=None,
    ethnic_mode: str | None = None,
    derived: Sequence[str] = (),
    scenario=None,
    draws: int | None = None,
    seed: int = 0,
    quantiles: Sequence[float] | None = None,
    keep_draws: bool = False,
    progress=None,
    field_names: dict[str, str] | None = None,
) -> list[xr.Dataset]:
    """Project each rate set; one Dataset per distinct set of output bands.

    ``ages`` is one range for every measure (``"65+"``) or a mapping ``{measure name:
    range}`` (measures not named keep their own bands).  With ``draws``, rates are drawn
    (:func:`forecast.simulate`) and each cell is summarised by its mean and ``quantiles``
    (default 2.5%, 50%, 97.5%; the median is the central estimate), or kept draw by draw
    with ``keep_draws``.

    Errors name the argument at fault (``areas``, ``measures``, ``years``, ``bands``,
    ``ages``), or the names given in ``field_names`` (the CLI passes ``--areas`` …).
    """
    names = {k: k for k in ("areas", "measures", "years", "bands", "ages", "relative_risks", "derived", "scenario",
                            "draws", "seed", "quantiles")} | dict(field_names or {})
    if draws is not None:
        with at(field=names["draws"]):
            check_draws(draws, 0)
        with at(field=names["seed"]):
            check_draws(1, seed)
        if derived:
            raise SpecError("derived measures with draws are not supported yet: run without --draws", field=names["derived"])
        quantiles = None if keep_draws else list(quantiles or DEFAULT_QUANTILES)
    with at(field=names["measures"]):
        measures = _measures(rate_sets)
    if scenario is not None:
        with at(field=names["scenario"]):
            measures = apply_scenario(measures, scenario)
    if areas is not None:
        with at(field=names["areas"]):
            if not list(areas):
                raise SpecError("no areas given")
            resolve_areas(population, areas)
    top = int(population.attrs["open_top_age"])
    with at(field=names["years"]):
        fy = _check_years(population, years)
    mid_years = None if (years is None or fy) else [int(y) for y in years]
    shown_years = mid_years
    if derived:  # calibration may need years outside those shown: project them all, select after
        mid_years = None
    risks = {}
    if relative_risks is not None:
        with at(field=names["relative_risks"]):
            risks = resolve_relative_risks(measures, relative_risks, "ethnicity" in population.dims)
            for rr in risks.values():  # the groups must match the mix's, before any work
                check_groups(rr, population["ethnicity"].values)
    ages_of = _ages_of(measures, ages, names["ages"])

    calls = _calls(measures, bands, ages, ages_of, top)
    if draws is not None and keep_draws:
        with renamed(names, default=names["draws"]):
            _check_kept(population, calls, areas, mid_years, draws)

    def one(ms, b, a):
        kw = dict(bands=b, ages=a, areas=areas, years=mid_years, ethnic_mode=ethnic_mode,
                  relative_risks={n: risks[n] for n in ms if n in risks} or None)
        if draws is None:
            return project(population, ms, **kw)
        return simulate(population, ms, draws=draws, seed=seed, quantiles=quantiles, progress=progress,
                        keep=("sex", "age_band", "ethnicity"), **kw)

    with renamed(names, default=names["bands"] if bands else names["ages"]):
        results = [one(*c) for c in calls]
    if derived:
        with at(field=names["derived"]):
            results = _with_derived(results, derived)
    if shown_years is not None and derived:
        results = [select_years(r, shown_years) for r in results]
    if fy:
        results = [to_financial_years(r, fy) for r in results]
    return results


def _measures(rate_sets) -> dict:
    """``["cfas_ii_2013", …]`` or ``["young_carers=census2011_unpaid_care", …]`` → {name: rate set}."""
    named = [r for r in rate_sets if isinstance(r, str) and "=" in r]
    if named and len(named) != len(rate_sets):
        raise SpecError("name every measure (name=rate_set) or none")
    return resolve_measures({k.strip(): v.strip() for k, v in (r.split("=", 1) for r in named)} if named
                            else list(rate_sets))


def _check_years(population, years) -> list[str]:
    """Years the population covers, all mid-years or all financial years (for which both
    mid-years are needed); the financial years asked for (``[]`` for mid-years)."""
    fy = [y for y in (years or []) if isinstance(y, str)]
    if years is not None and not list(years):
        raise SpecError("no years given")
    if fy and len(fy) != len(years):
        raise SpecError("mix of mid-years and financial years: give all as 2025 or all as 2025/26")
    select_years(population, sorted({s + k for s in map(parse_financial_year, fy) for k in (0, 1)}) if fy else years)
    return fy


def _calls(measures, bands, ages, ages_of, top) -> list[tuple[dict, list | None, str | None]]:
    """``(measures, bands, ages)`` of each projection: one for all measures with ``bands``,
    else one per distinct age range, and one per measure kept in its own bands."""
    if bands:
        return [(measures, bands, ages if isinstance(ages, str) else None)]
    groups: dict = {}
    for name, rs in measures.items():
        groups.setdefault(ages_of[name], {})[name] = rs
    calls = []
    for a, ms in groups.items():
        if a is not None:
            calls.append((ms, None, a))
        else:
            calls += [({n: rs}, native_bands(rs, top), None) for n, rs in ms.items()]
    return calls


def _check_kept(population, calls, areas, years, draws: int) -> None:
    """Every draw kept, of every projection: within MAX_DRAW_VALUES, checked before any runs."""
    n_area = len(list(areas)) if areas is not None else population.sizes["area"]
    n_year = len(list(years)) if years is not None else population.sizes["year"]
    n_eth = population.sizes.get("ethnicity", 1)
    cells = sum(len(ms) * n_area * n_year * 2 * n_eth * (len(b) if b else 1) for ms, b, _ in calls)
    check_kept(cells, draws)


def _ages_of(measures, ages, field: str) -> dict:
    """Each measure's ages: one range for all, or ``{name: range}``."""
    if ages is None or isinstance(ages, str):
        return {n: ages for n in measures}
    unknown = [n for n in ages if n not in measures]
    if unknown:
        raise SpecError(f"ages given for {unknown[0]!r}, which is not a measure here ({', '.join(measures)})", field=field)
    return {n: ages.get(n) for n in measures}


def _with_derived(results: list[xr.Dataset], derived) -> list[xr.Dataset]:
    """Each derived measure is added to the result that holds the measure it is made from."""
    from ..assumptions import load_derived

    files = [load_derived(d) for d in derived]
    out = []
    for r in results:
        for dm in files:
            mine = [n for n in dm.measures if _base_of(dm, n) in r.data_vars]
            if mine:
                r = apply_derived(r, dm, only=mine)
        out.append(r)
    have = set().union(*(r.data_vars for r in out))
    for dm in files:
        for n in dm.measures:
            if n not in have:
                raise SpecError(f"derived measure '{n}' of {dm.id} is made from '{_base_of(dm, n)}', which is not a "
                                f"measure here ({', '.join(sorted(set().union(*(r.data_vars for r in results)))) })")
    return out


def _base_of(dm, name: str) -> str:
    seen = []
    while name in dm.measures and name not in seen:
        seen.append(name)
        name = dm.measures[name].from_
    return name
