"""Indicator specs (``forecast.indicator/1``): observed counts, the rate set and ages that
give each expected number, targets; run into an :class:`~forecast.output.indicators.IndicatorReport`."""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import pandas as pd
import xarray as xr

from .._yaml import failer, read_yaml
from ..ages import parse_band
from ..assumptions import get_rate_set
from ..errors import ForecastError, InputError, SpecError
from ..model import project, simulate
from ..model.draws import check_draws, distribution_note
from ..model.indicators import REGISTER_CAVEAT, Indicator, observed_vs_expected, read_observed, trajectory
from ..output.indicators import IndicatorReport
from ..periods import period_weights
from ..population import resolve_areas
from .table import UncertaintySpec, _population_spec, _rel, load_population

__all__ = ["IndicatorSpec", "load_indicator_spec", "run_indicator_spec"]


_SPEC_KEYS = {"schema", "title", "population", "areas", "observed", "indicators", "uncertainty", "round_to", "notes"}


@dataclass
class IndicatorSpec:
    path: Path
    title: str
    population: object
    areas: list[str] | None
    observed: Path
    indicators: list[dict]
    uncertainty: object | None
    round_to: float
    notes: list[str]
    lines: object = None

    def fail(self, msg, *keys):
        return failer(SpecError, self.path, self.lines)(msg, *keys)


def load_indicator_spec(path: str | PathLike) -> IndicatorSpec:
    """Read an indicator spec (schema ``forecast.indicator/1``; see the README)."""
    path = Path(path)
    data, lines = read_yaml(path, error=SpecError)
    fail = failer(SpecError, path, lines)

    if not isinstance(data, dict) or data.get("schema") != "forecast.indicator/1":
        raise fail("not an indicator spec (expected 'schema: forecast.indicator/1')", "schema")
    bad = sorted(set(data) - _SPEC_KEYS, key=str)
    if bad:
        raise fail(f"unknown key (known: {', '.join(sorted(_SPEC_KEYS))})", bad[0])
    if not isinstance(data.get("observed"), str):
        raise fail("must be the observed-counts CSV file", "observed")
    inds = data.get("indicators")
    if not isinstance(inds, list) or not inds:
        raise fail("must be a non-empty list of {observed, label, rate_set, ages, target}", "indicators")
    out = []
    for i, ind in enumerate(inds):
        if not isinstance(ind, dict) or not {"observed", "rate_set"} <= set(ind):
            raise fail("each indicator needs observed (a measure of the counts file) and rate_set", "indicators", i)
        extra = sorted(set(ind) - {"observed", "rate_set", "label", "ages", "target"}, key=str)
        if extra:
            raise fail("unknown key (known: observed, rate_set, label, ages, target)", "indicators", i, extra[0])
        if "ages" in ind:
            try:
                parse_band(str(ind["ages"]))
            except ForecastError as e:
                raise fail(e.message, "indicators", i, "ages") from None
        target = ind.get("target")
        if target is not None:
            if not isinstance(target, dict) or set(target) != {"ratio", "by"}:
                raise fail("must be {ratio: 0.667, by: 2028}", "indicators", i, "target")
            r = target["ratio"]
            if isinstance(r, bool) or not isinstance(r, (int, float)) or not 0 < r <= 1:
                raise fail(f"target ratio {r!r} must be in (0, 1], e.g. 0.667 for 66.7%", "indicators", i, "target", "ratio")
            by = str(target["by"])
            try:
                period_weights(by)
            except SpecError as e:
                raise fail(e.message, "indicators", i, "target", "by") from None
            if "-" in by:
                raise fail("the target period must be a year or a financial year", "indicators", i, "target", "by")
        out.append({**ind, "rate_set": _rel(ind["rate_set"], path.parent)})
    unc = data.get("uncertainty")
    uncertainty = None
    if unc is not None:
        if not isinstance(unc, dict) or "draws" not in unc:
            raise fail("must be {draws, seed, level}", "uncertainty")
        try:
            d, sd = check_draws(unc["draws"], unc.get("seed", 0))
        except ForecastError as e:
            raise fail(e.message, "uncertainty") from None
        uncertainty = UncertaintySpec(d, sd, float(unc.get("level", 0.95)))
    areas = data.get("areas")
    if areas is not None and (not isinstance(areas, list) or not areas):
        raise fail("must be a list of area codes or names", "areas")
    rnd = data.get("round_to", 1)
    if isinstance(rnd, bool) or not isinstance(rnd, (int, float)) or rnd <= 0:
        raise fail("must be a positive number", "round_to")
    notes = data.get("notes", [])
    return IndicatorSpec(path, str(data.get("title", "Indicators")),
                         _population_spec(data.get("population", "default"), path.parent, fail),
                         [str(a) for a in areas] if areas else None, path.parent / data["observed"], out, uncertainty,
                         float(rnd), [str(n) for n in (notes if isinstance(notes, list) else [notes])], lines)


def run_indicator_spec(spec: "IndicatorSpec | str | PathLike", *, draws: int | None = None, seed: int | None = None) -> IndicatorReport:
    """Ratios and trajectories for every indicator of a spec."""
    if not isinstance(spec, IndicatorSpec):
        spec = load_indicator_spec(spec)
    if draws is not None or seed is not None:
        base = spec.uncertainty or UncertaintySpec(draws=1000)
        spec.uncertainty = UncertaintySpec(draws if draws is not None else base.draws, seed if seed is not None else base.seed, base.level)
    try:
        pop = load_population(spec.population)
    except ForecastError as e:
        raise e.located(file=spec.path, field="population") from None
    observed = read_observed(spec.observed)
    areas = spec.areas or list(dict.fromkeys(observed["area"]))
    try:
        codes = resolve_areas(pop, areas)
    except SpecError as e:
        raise spec.fail(e.message, "areas") from None
    level = spec.uncertainty.level if spec.uncertainty else 0.95
    indicators, variables, notes = [], {}, []
    for i, ind in enumerate(spec.indicators):
        try:
            rs = get_rate_set(ind["rate_set"])
        except ForecastError as e:
            raise e.located(file=spec.path, field=f"indicators[{i}].rate_set", line=spec.lines.get("indicators", i, "rate_set")) from None
        name = f"expected_{i}"
        kw = dict(ages=ind.get("ages"), areas=codes)
        try:
            if spec.uncertainty:
                variables[name] = simulate(pop, {name: rs}, draws=spec.uncertainty.draws, seed=spec.uncertainty.seed,
                                           keep=(), **kw)[name]
            else:
                variables[name] = project(pop, {name: rs}, **kw)[name]
        except ForecastError as e:
            raise e.located(file=spec.path, field=f"indicators[{i}].ages", line=spec.lines.get("indicators", i)) from None
        target = ind.get("target")
        indicators.append(Indicator(ind["observed"], name, str(ind.get("label", ind["observed"])),
                                    target["ratio"] if target else None, str(target["by"]) if target else None))
        notes.append(f"{indicators[-1].label}: expected = rate set {rs.id} ({rs.source.short(120)}), ages {ind.get('ages', rs.coverage.label)}.")
        if spec.uncertainty:
            notes.append(f"Intervals ({level:.0%}) from {spec.uncertainty.draws} draws of the rates (seed {spec.uncertainty.seed}); "
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
            try:
                trajectories.append(trajectory(ratios, expected, ind, level=level))
            except SpecError as e:
                raise spec.fail(e.message, "indicators", i, "target") from None
    note = observed.attrs.get("note")
    notes = ([f"Observed counts: {note}"] if note else []) + notes
    if any("dementia" in get_rate_set(i["rate_set"]).measure for i in spec.indicators):
        notes.append(REGISTER_CAVEAT + ".")
    notes += spec.notes
    pop_note = pop.attrs.get("title") or pop.attrs.get("source", "")
    notes.append(f"Population: {pop_note}; {pop.attrs.get('licence', '')}".rstrip("; ") + ".")
    return IndicatorReport(spec.title, ratios, pd.concat(trajectories, ignore_index=True) if trajectories else pd.DataFrame(),
                           notes, level, spec.round_to)


def _resolves(pop, area, codes) -> bool:
    try:
        return resolve_areas(pop, [area])[0] in codes
    except SpecError:
        return False
