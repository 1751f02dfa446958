"""Indicator specs (``forecast.indicator/1``): observed counts, the rate set and ages that
give each expected number, targets; run into an :class:`~forecast.output.indicators.IndicatorReport`."""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import pandas as pd
import xarray as xr

from ..assumptions import get_rate_set
from ..errors import InputError, SpecError
from ..model import project, simulate
from ..model.draws import distribution_note
from ..model.indicators import REGISTER_CAVEAT, Indicator, observed_vs_expected, read_observed, trajectory
from ..output.indicators import IndicatorReport
from ..output.notes import draws_text
from ..population import resolve_areas
from ..schemas import read_yaml, validate
from .measures import _rel
from .population import load_population
from .table import Spec, with_overrides

__all__ = ["load_indicator_spec", "run_indicator_spec"]


def load_indicator_spec(path: str | PathLike) -> Spec:
    """Read and validate an indicator spec (``forecast.indicator/1``; see the README)."""
    path = Path(path)
    data, lines = read_yaml(path, error=SpecError)
    return Spec(validate(data, "indicator", file=path, lines=lines), path, lines)


def run_indicator_spec(spec: "Spec | str | PathLike", *, draws: int | None = None, seed: int | None = None) -> IndicatorReport:
    """Ratios and trajectories for every indicator of a spec."""
    if not isinstance(spec, Spec):
        spec = load_indicator_spec(spec)
    m = spec.model
    u = with_overrides(m.uncertainty, draws, seed)
    with spec.at("population"):
        pop = load_population(m.population, spec.dir)
    with spec.at("observed"):
        observed = read_observed(spec.dir / m.observed)
    areas = m.areas or list(dict.fromkeys(observed["area"]))
    with spec.at("areas"):
        codes = resolve_areas(pop, areas)
    level = u["level"] if u else 0.95
    indicators, variables, notes, rate_sets = [], {}, [], []
    for i, ind in enumerate(m.indicators):
        with spec.at("indicators", i, "rate_set"):
            rs = get_rate_set(_rel(ind.rate_set, spec.dir))
        rate_sets.append(rs)
        name = f"expected_{i}"
        kw = dict(ages=ind.ages, areas=codes)
        with spec.at("indicators", i, "ages"):
            if u:
                variables[name] = simulate(pop, {name: rs}, draws=u["draws"], seed=u["seed"], keep=(), **kw)[name]
            else:
                variables[name] = project(pop, {name: rs}, **kw)[name]
        target = ind.target
        label = ind.label or ind.observed
        indicators.append(Indicator(ind.observed, name, label, target.ratio if target else None,
                                    str(target.by) if target else None))
        ages = ind.ages.label if ind.ages is not None else rs.coverage.label
        notes.append(f"{label}: expected = rate set {rs.id} ({' '.join(rs.source.citation.split()).rstrip('.')}), ages {ages}.")
        if u:
            notes.append(f"Intervals ({level:.0%}) from {draws_text(u['draws'])} draws of the rates (seed {u['seed']}); "
                         f"{distribution_note(rs)}; observed counts taken as exact.")
    expected = xr.Dataset(variables).assign_coords(area_name=("area", pop.sel(area=codes)["area_name"].values))
    obs = observed[observed["measure"].isin([i.observed for i in indicators])]
    unknown = obs.loc[~obs["area"].map(lambda a: _resolves(pop, a, codes)), "line"]
    if len(unknown):
        r = observed.loc[observed["line"] == unknown.iloc[0]].iloc[0]
        raise InputError(f"observed counts for area {r.area!r}, which is not among the areas of the spec or population",
                         file=observed.attrs["file"], field="area", line=int(r.line))
    ratios = observed_vs_expected(obs.assign(), expected, indicators, level=level)
    ratios.attrs = observed.attrs
    trajectories = []
    for i, ind in enumerate(indicators):
        if ind.target is not None:
            with spec.at("indicators", i, "target"):
                trajectories.append(trajectory(ratios, expected, ind, level=level))
    note = observed.attrs.get("note")
    notes = ([f"Observed counts: {note}"] if note else []) + notes
    if any("dementia" in rs.measure for rs in rate_sets):
        notes.append(REGISTER_CAVEAT + ".")
    notes += spec.notes
    pop_note = pop.attrs.get("title") or pop.attrs.get("source", "")
    notes.append(f"Population: {pop_note}; {pop.attrs.get('licence', '')}".rstrip("; ") + ".")
    return IndicatorReport(m.title or "Indicators", ratios,
                           pd.concat(trajectories, ignore_index=True) if trajectories else pd.DataFrame(),
                           notes, level, float(m.round_to), areas=codes)


def _resolves(pop, area, codes) -> bool:
    try:
        return resolve_areas(pop, [area])[0] in codes
    except SpecError:
        return False
