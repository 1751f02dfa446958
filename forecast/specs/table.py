"""Report specs: a YAML file that says which table (and charts, report) to make
(``forecast.table/1``; the format is :mod:`forecast.schemas.specs`)::

    schema: forecast.table/1
    title: "Table 1: People aged 65 and over predicted to have dementia and depression"
    population: default              # history | england | snpp2022 | {snpp: files} | [history, default]
    areas: [E10000018, Leicester, Rutland]     # or all-upper-tier | all-districts | region:East Midlands
    compare_with: [region, england]  # comparator rows, with rates per 100 people
    measures:
      - rate_set: dementia_uk_2007    # an id, or a path to a YAML file (relative to this spec)
        label: Dementia
    ages: "65+"                      # or bands: [65-74, 75-84, 85+] (then one row per band)
    rows: area                       # area | age_band | sex;  by: sex | ethnicity
    years: [2025, 2030, 2035, 2040]
    change: [2025, 2040]
    scenarios: {constant: constant, "prevalence falls": ahmadi_abhari_2017_prevalence}
    variants: [principal, high_migration, low_migration]
    extend_to: 2050                  # extend_method: npp (default) | hold_growth
    uncertainty: {draws: 1000, seed: 1}
    ethnicity: {mix: census2011_dc2101ew, mapping: census2011_to_broad5, rake_to: census2021_ts021_llr}

Paths are relative to the spec file; specs are trusted input (they name files to read).
Every problem is an error naming the spec file, the line and the field
(``measures[1].rate_set``, ``areas[2]``, ``years``).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import xarray as xr

from ..errors import ForecastError, SpecError
from ..output import Table, compare, table
from ..periods import mid_years, strategy_end_year, year_span
from ..population import AreaGroup, add_groups, check_disjoint, extend_population, resolve_areas, variant
from ..schemas import Lines, field_path, read_yaml, validate
from .measures import Measures, derive, load_measures, project_measures
from .population import load_population, people_in_bands, select_by_selector, with_comparators

__all__ = ["Spec", "Computed", "load_spec", "override", "compute", "run_spec", "spec_table"]


@dataclass
class Spec:
    """A validated table spec, with where it came from (for error locations and paths)."""

    model: Any  # forecast.schemas.TableSpecFile
    path: Path | None = None
    lines: Lines = field(default_factory=lambda: Lines(None))

    @property
    def dir(self) -> Path:
        return self.path.parent if self.path is not None else Path(".")

    def fail(self, message: str, *keys) -> SpecError:
        return SpecError(message, file=self.path, field=field_path(keys) or None, line=self.lines.get(*keys) if keys else None)

    @property
    def level(self) -> float:
        """The central interval shown with draws: ``uncertainty.level``, else 0.95."""
        return self.model.uncertainty.level if self.model.uncertainty else 0.95

    @property
    def notes(self) -> list[str]:
        """The spec's ``notes`` as a list (one note may be given as text)."""
        return list(self.model.notes if isinstance(self.model.notes, list) else [self.model.notes])

    @contextmanager
    def at(self, *keys):
        """Errors inside name this spec and field (an error that names its own file keeps it)."""
        try:
            yield
        except ForecastError as e:
            raise e.located(file=self.path, field=field_path(keys) or None, line=self.lines.get(*keys) if keys else None) from None


def load_spec(path: str | PathLike) -> Spec:
    """Read and validate a table spec (structure; :func:`compute` checks content)."""
    path = Path(path)
    data, lines = read_yaml(path, error=SpecError)
    return Spec(validate(data, "table", file=path, lines=lines), path, lines)


def override(spec: Spec, **changes) -> Spec:
    """The spec with some keys replaced (command-line options such as ``--compare-with`` or
    ``--variant``), checked as the spec's own keys are."""
    changes = {k: v for k, v in changes.items() if v is not None}
    if not changes:
        return spec
    data = {**spec.model.model_dump(by_alias=True, exclude_none=True, mode="json"), **changes}
    if "variant" in changes:
        data.pop("variants", None)
    return Spec(validate(data, "table", file=None), spec.path, spec.lines)


@dataclass
class Computed:
    """What a spec asks for, computed: one result per column group (one, or several side by
    side: scenarios, variants, without/with ethnic adjustment)."""

    spec: Spec
    results: dict[str, xr.Dataset]
    population: xr.DataArray
    measures: Measures
    codes: list[str]
    comparators: list[str]
    denominators: dict[str, xr.DataArray]

    @property
    def side_by_side(self) -> bool:
        return len(self.results) > 1

    def label(self, name: str) -> str:
        """A measure's label: the spec's, else the first result's ``long_name``."""
        return self.measures.labels.get(name) or next(iter(self.results.values()))[name].attrs.get("long_name", name)


def _population(spec: Spec) -> xr.DataArray:
    m = spec.model
    with spec.at("population"):
        pop = load_population(m.population, spec.dir)
    if m.extend_to is not None:
        with spec.at("extend_to"):
            pop = extend_population(pop, strategy_end_year(m.extend_to), method=m.extend_method or "npp")
    for i, g in enumerate(m.groups):
        with spec.at("groups", i):  # members may be codes or names of the population's areas
            pop = add_groups(pop, [AreaGroup(g.code, g.name, tuple(resolve_areas(pop, g.members)), g.source)])
    return pop


def _areas(spec: Spec, pop: xr.DataArray) -> tuple[xr.DataArray, list[str], list[str]]:
    m = spec.model
    if isinstance(m.areas, str):
        with spec.at("areas"):
            codes = select_by_selector(pop, m.areas)
    else:
        for i, a in enumerate(m.areas):
            with spec.at("areas", i):
                resolve_areas(pop, [a])
        with spec.at("areas"):
            codes = resolve_areas(pop, m.areas)
    with spec.at("areas"):
        if m.totals:
            check_disjoint(pop, codes)
    comparators: list[str] = []
    if m.compare_with:
        with spec.at("compare_with"):
            pop, comparators = with_comparators(pop, codes, m.compare_with)
    return pop, codes, comparators


def _check_years(spec: Spec, pop: xr.DataArray) -> None:
    have = [int(y) for y in pop["year"].values]
    for key, values in (("years", spec.model.years), ("change", spec.model.change or ())):
        for i, y in enumerate(values):
            for n in mid_years([y]):
                if n not in have:
                    raise spec.fail(f"{y} is outside the population's years {year_span(have)}", key, i)


def _columns(spec: Spec) -> tuple[str, dict[str, str]]:
    """The side-by-side dimension, if any, and its column labels → scenario or variant."""
    m = spec.model
    if m.scenarios is not None and m.variants is not None:
        raise spec.fail("put scenarios or variants side by side, not both (use scenario: or variant: for one)", "variants")
    for key in ("scenarios", "variants"):
        choices = getattr(m, key)
        if choices is not None:
            return key, dict(choices) if isinstance(choices, dict) else {c: c for c in choices}
    return "", {"": ""}


def compute(spec: Spec | str | PathLike, *, draws: int | None = None, seed: int | None = None,
            by: str | None = None, table_only: bool = False) -> Computed:
    """Everything a spec's table, charts and report need, checked in the spec's order.

    With ``table_only`` (the table alone: no charts), only the mid-years the table's
    columns need are projected — fewer draws to hold — unless derived measures (whose
    calibration may need other years) are shown."""
    if not isinstance(spec, Spec):
        spec = load_spec(spec)
    m = spec.model
    if by == "ethnicity" and m.ethnicity is None:
        raise spec.fail("a table by ethnicity needs an 'ethnicity: {mix: …}' section in the spec")
    if by == "ethnicity" and m.ethnicity.compare:  # asked for the groups: show the adjusted split, not the pair
        spec = override(spec, ethnicity={**m.ethnicity.model_dump(exclude_none=True), "compare": False})
        m = spec.model
    pop = _population(spec)
    pop, codes, comparators = _areas(spec, pop)
    _check_years(spec, pop)
    measures = load_measures(spec, pop, codes + comparators)
    uncertainty = with_overrides(m.uncertainty, draws, seed)
    kind, columns = _columns(spec)
    keep = _keep(m, by)
    years = mid_years(m.years) if table_only and not measures.derived else None
    results = {}
    for label, choice in columns.items():
        one = pop
        if kind == "variants" or m.variant is not None:
            with spec.at("variants" if kind == "variants" else "variant"):
                one = variant(pop, choice if kind == "variants" else m.variant)
        scenario = choice if kind == "scenarios" else m.scenario
        for sub, population in measures.populations(spec, one).items():
            with spec.at("scenarios" if kind == "scenarios" else "scenario"):
                res = project_measures(spec, measures, population, scenario=scenario, uncertainty=uncertainty,
                                       areas=codes + comparators, keep=keep, years=years)
            results[label if not sub else sub] = derive(spec, measures, res)
    # per-100 rows (one column set only) divide by the population the counts were projected
    # on: the variant's, when the spec names one
    denominators = _denominators(spec, one, measures, codes + comparators) if comparators else {}
    return Computed(spec, results, pop, measures, codes, comparators, denominators)


def with_overrides(given, draws: int | None, seed: int | None) -> dict | None:
    """A spec's ``uncertainty`` (draws, seed and level) with the command line's overrides
    (``None``: no draws)."""
    if given is None and draws is None and seed is None:
        return None
    base = given.model_dump() if given is not None else {"draws": 1000, "seed": 0, "level": 0.95}
    return {**base, **{k: v for k, v in (("draws", draws), ("seed", seed)) if v is not None}}


def _keep(m, by) -> tuple[str, ...]:
    """The dims a table needs kept within each draw (fewer dims, less memory)."""
    dims = {m.rows or "", by or m.by or ""} - {"", "area"}
    if m.bands is not None and m.rows is None:
        dims.add("age_band")
    return tuple(sorted(dims))


def _denominators(spec: Spec, pop: xr.DataArray, measures: Measures, areas: list[str]) -> dict[str, xr.DataArray]:
    """People in each measure's ages (by band, when the spec has bands), by area, year and
    sex: the denominators of "per 100" rows."""
    from ..ages import parse_band

    top = int(pop.attrs["open_top_age"])
    out = {}
    for name, ages in measures.ages_of.items():
        bands = list(spec.model.bands) if spec.model.bands else \
            [parse_band(ages) if ages else measures.rate_sets[name].population_coverage(top)]
        out[name] = people_in_bands(pop, bands, areas)
    return out


def run_spec(spec: Spec | str | PathLike, *, by: str | None = None, draws: int | None = None,
             seed: int | None = None) -> Table:
    """Make the table a spec asks for (``by="ethnicity"`` or ``"sex"``: rows by group)."""
    c = spec if isinstance(spec, Computed) else compute(spec, draws=draws, seed=seed, by=by)
    return spec_table(c, by=by)


def _common(c: Computed, title: str | None) -> dict:
    """The arguments a spec gives every table of it (one result's, or results side by side)."""
    spec, m = c.spec, c.spec.model
    return dict(years=m.years, measures=c.measures.shown, labels=c.measures.labels, totals=m.totals,
                round_to=float(m.round_to), title=title, notes=spec.notes, areas=c.codes, level=spec.level)


def result_table(c: Computed, result: xr.Dataset, *, by: str | None, rows: str | None, title: str | None) -> Table:
    """A table of one of the spec's results, in the layout ``rows`` (the report's other
    layouts use this too)."""
    m = c.spec.model
    with c.spec.at():
        return table(result, change=tuple(m.change) if m.change else None, by=by, rows=rows, compare_with=c.comparators,
                     denominators=c.denominators or None, **_common(c, title))


def spec_table(c: Computed, *, by: str | None = None) -> Table:
    """The spec's table from its computed results."""
    spec, m = c.spec, c.spec.model
    if c.side_by_side:
        with spec.at():
            return compare(c.results, **_common(c, m.title))
    (res,) = c.results.values()
    return result_table(c, res, by=by or m.by, rows=m.rows, title=m.title)
