"""Report specs: a YAML file that says which table to make (schema ``forecast.table/1``).

::

    schema: forecast.table/1
    title: "Table 1: People aged 65 and over predicted to have dementia and depression"
    population: default              # default | history | {snpp: files} | {tidy: file} | {mye: file}
                                     # or a list of them, joined by year: [history, default]
    groups:                          # optional: areas made of other areas (codes or names)
      - {code: LLR, name: "Leicester, Leicestershire and Rutland", members: [E10000018, Leicester, Rutland]}
    areas: [E10000018, Leicester, Rutland]     # codes or names, in row order
    measures:
      - rate_set: dementia_uk_2007    # an id, or a path to a YAML file (relative to this spec)
        label: Dementia
      - rate_set: census2011_unpaid_care
        name: young_carers            # the measure's name (default: the rate set's measure)
        ages: "5-17"                  # this measure's ages (default: the spec's ages)
      - derived: young_carers_known   # a measure of a derived-measures file (below)
    derived: leicester_carers_2015   # derived-measures file(s): an id or a path
    ages: "65+"
    years: [2025, 2030, 2035, 2040]  # or ["2025/26", ...], "2025-2040", {from: 2022/23, to: March 2030}
    change: [2025, 2040]
    totals: true
    round_to: 10
    notes: ["Any extra line for the note."]
    ethnicity:                       # optional: split by ethnic group and adjust the rates
      mix: census2021_ts021_llr      # a built-in mix id, or a CSV file
      mapping: census2021_to_broad5  # optional: detailed groups -> broad groups
      mode: reference                # optional: override the relative risks' own mode
      compare: true                  # show each area without and with the adjustment

    (and per rate-set measure: ``relative_risks: pham2018_dementia_irr``)

Paths are relative to the spec file.  Every problem is an error naming the spec
file, the line and the field (``measures[1].rate_set``, ``areas[2]``, ``years[3]``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import xarray as xr

from .._yaml import Lines, failer, field_path, read_yaml
from ..ages import parse_band, parse_bands
from ..assumptions import CONSTANT, apply_scenario, get_rate_set, get_relative_risks, load_derived, load_mapping
from ..errors import ForecastError, SpecError
from ..model import apply_derived, project, relative_risk_array, simulate
from ..model.draws import check_draws
from ..output import Table, compare, table
from ..periods import expand_periods, parse_financial_year, strategy_end, strategy_end_year, year_span
from ..population import (
    AreaGroup,
    add_groups,
    check_disjoint,
    combine_populations,
    default_history,
    default_population,
    load_groups,
    read_mye,
    read_snpp,
    read_tidy,
    resolve_areas,
)
from ..population.ethnicity import get_ethnic_mix, split_by_ethnicity
from ..population.extend import extend_population

__all__ = ["TableSpec", "load_spec", "run_spec", "load_population"]

SCHEMA = "forecast.table/1"
_KEYS = {"schema", "title", "population", "groups", "ethnicity", "areas", "measures", "derived", "ages", "bands",
         "years", "change", "totals", "round_to", "notes", "uncertainty", "scenario", "scenarios", "extend_to"}


@dataclass
class UncertaintySpec:
    draws: int
    seed: int = 0
    level: float = 0.95
_SOURCES = ("snpp", "tidy", "mye")


@dataclass
class EthnicitySpec:
    mix: str
    mapping: str | None = None
    mode: str | None = None
    compare: bool = False


@dataclass
class PopulationSpec:
    """Population sources, joined by year: ("default"|"history", None) or (kind, [files])."""

    sources: list[tuple[str, list[Path]]] = field(default_factory=lambda: [("default", [])])
    groups: list[Path] = field(default_factory=list)
    inline_groups: list[AreaGroup] = field(default_factory=list)


@dataclass
class TableSpec:
    path: Path | None
    title: str | None
    population: PopulationSpec
    areas: list[str]
    measures: list[dict[str, Any]]
    ages: str | None
    bands: list[str] | None
    years: list[int | str]
    change: tuple[int | str, int | str] | None
    totals: bool
    round_to: float
    notes: list[str]
    lines: Lines = field(default_factory=lambda: Lines(None), repr=False)
    ethnicity: EthnicitySpec | None = None
    derived: list[str] = field(default_factory=list)
    uncertainty: UncertaintySpec | None = None
    scenarios: dict[str, str] = field(default_factory=dict)  # column label -> scenario id ("constant" = none)
    extend_to: str | None = None

    def fail(self, message: str, *keys: Any) -> SpecError:
        return SpecError(message, file=self.path, field=_field(keys) or None, line=self.lines.get(*keys) if keys else None)


_field = field_path


def _rel(value, spec_dir: Path) -> str:
    """An id stays an id; a YAML path is taken relative to the spec's folder."""
    v = str(value)
    return str(spec_dir / v) if v.endswith((".yaml", ".yml")) or "/" in v else v


def load_spec(path: str | PathLike) -> TableSpec:
    """Read and check a report spec (structure only; :func:`run_spec` checks content)."""
    path = Path(path)
    data, lines = read_yaml(path, error=SpecError)
    spec_dir = path.parent
    fail = failer(SpecError, path, lines)

    if not isinstance(data, dict):
        raise fail(f"not a report spec (expected a mapping with 'schema: {SCHEMA}')")
    if data.get("schema") != SCHEMA:
        raise fail(f"not a report spec (expected 'schema: {SCHEMA}')", "schema")
    unknown = sorted(set(data) - _KEYS, key=str)
    if unknown:
        raise fail(f"unknown key (known: {', '.join(sorted(_KEYS))})", unknown[0])

    popspec = _population_spec(data.get("population", "default"), spec_dir, fail)
    inline = data.get("groups", [])
    if not isinstance(inline, list):
        raise fail("must be a list of {code, name, members}", "groups")
    for i, g in enumerate(inline):
        if not isinstance(g, dict) or not {"code", "name", "members"} <= set(g) or not isinstance(g["members"], list):
            raise fail("each group needs code, name and a list of members", "groups", i)
        try:
            popspec.inline_groups.append(AreaGroup(str(g["code"]), str(g["name"]), tuple(str(m) for m in g["members"])))
        except ForecastError as e:
            raise fail(e.message, "groups", i) from None

    areas = data.get("areas")
    if not isinstance(areas, list) or not areas or not all(isinstance(a, (str, int)) for a in areas):
        raise fail("must be a non-empty list of area codes or names", "areas")

    ages = _ages(data.get("ages"), fail, "ages")
    measures = data.get("measures")
    if not isinstance(measures, list) or not measures:
        raise fail("must be a non-empty list of {rate_set: id, label: text} or {derived: name}", "measures")
    ms = []
    for i, m in enumerate(measures):
        if isinstance(m, str):
            m = {"rate_set": m}
        if not isinstance(m, dict) or ("rate_set" in m) == ("derived" in m):
            raise fail("each measure needs 'rate_set' (an id or a YAML path) or 'derived' (a derived measure's name)", "measures", i)
        allowed = {"rate_set", "label", "name", "relative_risks", "ages"} if "rate_set" in m else {"derived", "label"}
        bad = sorted(set(m) - allowed, key=str)
        if bad:
            raise fail(f"unknown key (known: {', '.join(sorted(allowed))})", "measures", i, bad[0])
        if "derived" in m:
            ms.append({"derived": str(m["derived"]), "label": m.get("label")})
            continue
        if m.get("name") is not None and (not isinstance(m["name"], str) or not m["name"].isidentifier()):
            raise fail("must be a name of letters, digits and _", "measures", i, "name")
        ms.append({
            "rate_set": _rel(m["rate_set"], spec_dir),
            "label": m.get("label"),
            "name": m.get("name"),
            "ages": _ages(m.get("ages"), fail, "measures", i, "ages") if "ages" in m else None,
            "relative_risks": _rel(m["relative_risks"], spec_dir) if m.get("relative_risks") else None,
        })

    derived = data.get("derived", [])
    derived = derived if isinstance(derived, list) else [derived]
    derived = [_rel(d, spec_dir) for d in derived]
    if any("derived" in m for m in ms) and not derived:
        i = next(i for i, m in enumerate(ms) if "derived" in m)
        raise fail("a derived measure needs a 'derived:' file that defines it", "measures", i, "derived")

    eth = data.get("ethnicity")
    ethnicity = None
    if eth is not None:
        if not isinstance(eth, dict) or "mix" not in eth:
            raise fail("must be a mapping with at least 'mix' (an ethnic mix id or CSV file)", "ethnicity")
        bad = sorted(set(eth) - {"mix", "mapping", "mode", "compare"}, key=str)
        if bad:
            raise fail("unknown key (known: mix, mapping, mode, compare)", "ethnicity", bad[0])
        if eth.get("mode") not in (None, "reference", "standardised"):
            raise fail("must be reference or standardised", "ethnicity", "mode")
        if not isinstance(eth.get("compare", False), bool):
            raise fail("must be true or false", "ethnicity", "compare")
        mix = str(eth["mix"])
        ethnicity = EthnicitySpec(
            mix=str(spec_dir / mix) if mix.lower().endswith(".csv") else mix,
            mapping=_rel(eth["mapping"], spec_dir) if eth.get("mapping") else None,
            mode=eth.get("mode"),
            compare=eth.get("compare", False),
        )
    elif any(m.get("relative_risks") for m in ms):
        i = next(i for i, m in enumerate(ms) if m.get("relative_risks"))
        raise fail("relative risks need an ethnic mix: add an 'ethnicity: {mix: …}' section", "measures", i, "relative_risks")

    bands = data.get("bands")
    if bands is not None:
        if isinstance(bands, str):
            bands = [b for b in bands.split(",") if b.strip()]
        if not isinstance(bands, list):
            raise fail("must be a list of age bands", "bands")
        try:
            parse_bands([str(b) for b in bands])
        except ForecastError as e:
            raise fail(e.message, "bands") from None
        bands = [str(b) for b in bands]

    raw_years = data.get("years")
    if raw_years is None or raw_years == []:
        raise fail("must be a list of years (2025) or financial years (2025/26), or a range {from, to}", "years")
    try:
        years = expand_periods(raw_years)
    except ForecastError as e:
        raise fail(e.message, "years") from None
    for i, y in enumerate(years):
        _check_period(y, fail, "years", i) if isinstance(raw_years, list) else _check_period(y, fail, "years")
    change = data.get("change")
    if change is not None:
        if not isinstance(change, list) or len(change) != 2:
            raise fail("must be a list of two years: [from, to]", "change")
        for i, y in enumerate(change):
            _check_period(y, fail, "change", i)
        change = (change[0], change[1])
    totals = data.get("totals", True)
    if not isinstance(totals, bool):
        raise fail("must be true or false", "totals")
    round_to = data.get("round_to", 1)
    if isinstance(round_to, bool) or not isinstance(round_to, (int, float)) or round_to <= 0:
        raise fail("must be a positive number such as 1, 10 or 100", "round_to")
    notes = data.get("notes", [])
    notes = notes if isinstance(notes, list) else [notes]
    title = data.get("title")
    if title is not None and not isinstance(title, str):
        raise fail("must be text", "title")

    unc = data.get("uncertainty")
    uncertainty = None
    if unc is not None:
        if not isinstance(unc, dict) or "draws" not in unc:
            raise fail("must be a mapping with draws (and optionally seed, level)", "uncertainty")
        bad = sorted(set(unc) - {"draws", "seed", "level"}, key=str)
        if bad:
            raise fail("unknown key (known: draws, seed, level)", "uncertainty", bad[0])
        try:
            d, sd = check_draws(unc["draws"], unc.get("seed", 0))
        except ForecastError as e:
            raise fail(e.message, "uncertainty", e.field or "draws") from None
        level = unc.get("level", 0.95)
        if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
            raise fail(f"{level!r} must be between 0 and 1 (e.g. 0.95)", "uncertainty", "level")
        uncertainty = UncertaintySpec(d, sd, float(level))

    if "scenario" in data and "scenarios" in data:
        raise fail("give scenario (one) or scenarios (side by side), not both", "scenarios")
    scenarios: dict[str, str] = {}
    if "scenario" in data:
        if not isinstance(data["scenario"], str):
            raise fail("must be a scenario id or a YAML path", "scenario")
        scenarios = {"": _rel(data["scenario"], spec_dir)}
    elif "scenarios" in data:
        sc = data["scenarios"]
        if isinstance(sc, list) and all(isinstance(x, str) for x in sc):
            scenarios = {x: _rel(x, spec_dir) for x in sc}
        elif isinstance(sc, dict) and all(isinstance(v, str) for v in sc.values()):
            scenarios = {str(k): _rel(v, spec_dir) for k, v in sc.items()}
        else:
            raise fail("must be a list of scenario ids, or {column label: scenario id}", "scenarios")
        if len(scenarios) < 2:
            raise fail("side by side needs at least two scenarios (use scenario: for one)", "scenarios")
        if ethnicity is not None and ethnicity.compare:
            raise fail("compare ethnicity or scenarios side by side, not both", "scenarios")
    extend_to = data.get("extend_to")
    if extend_to is not None:
        extend_to = str(extend_to)
    return TableSpec(path, title, popspec, [str(a) for a in areas], ms, ages, bands, list(years), change,
                     totals, float(round_to), [str(n) for n in notes], lines, ethnicity, derived, uncertainty,
                     scenarios, extend_to)


def _ages(value, fail, *keys) -> str | None:
    if value is None:
        return None
    try:
        parse_band(str(value))
    except ForecastError as e:
        raise fail(e.message, *keys) from None
    return str(value)


def _population_spec(p, spec_dir: Path, fail) -> PopulationSpec:
    items = p if isinstance(p, list) else [p]
    if not items:
        raise fail("give at least one population source", "population")
    spec = PopulationSpec(sources=[])
    for i, item in enumerate(items):
        keys = ("population", i) if isinstance(p, list) else ("population",)
        if item in ("default", "history"):
            spec.sources.append((item, []))
            continue
        if not isinstance(item, dict) or len(set(item) & set(_SOURCES)) != 1:
            raise fail("must be default, history, {snpp: files}, {tidy: file} or {mye: file} (optionally with groups: file)", *keys)
        bad = sorted(set(item) - set(_SOURCES) - {"groups"}, key=str)
        if bad:
            raise fail(f"unknown key (known: {', '.join(_SOURCES)}, groups)", *keys, bad[0])
        kind = next(k for k in _SOURCES if k in item)
        files = item[kind] if isinstance(item[kind], list) else [item[kind]]
        if not files or not all(isinstance(f, str) for f in files):
            raise fail("must be a file name or a list of file names", *keys, kind)
        spec.sources.append((kind, [spec_dir / f for f in files]))
        groups = item.get("groups", [])
        spec.groups += [spec_dir / g for g in (groups if isinstance(groups, list) else [groups])]
    return spec


def _check_period(y, fail, *keys) -> None:
    if isinstance(y, bool):
        raise fail(f"{y!r} is not a year", *keys)
    if isinstance(y, int):
        return
    if isinstance(y, str):
        if y.isdigit() and len(y) == 4:
            return
        try:
            parse_financial_year(y)
            return
        except ForecastError as e:
            raise fail(e.message, *keys) from None
    raise fail(f"{y!r} is not a year (2025) or a financial year (2025/26)", *keys)


def load_population(spec: PopulationSpec) -> xr.DataArray:
    """The population a spec names: one source, or several joined by year."""
    pops = []
    for kind, files in spec.sources:
        if kind == "default":
            pops.append(default_population())
        elif kind == "history":
            pops.append(default_history())
        elif kind == "snpp":
            pops.append(read_snpp(files))
        elif kind == "tidy":
            pops.append(read_tidy(files[0]))
        else:
            pops.append(read_mye(files[0]))
    pop = pops[0] if len(pops) == 1 else combine_populations(pops)
    for g in spec.groups:
        pop = add_groups(pop, load_groups(g))
    return pop


def run_spec(spec: TableSpec | str | PathLike, *, by: str | None = None) -> Table:
    """Make the table a spec asks for (``by="ethnicity"``: rows by ethnic group)."""
    if not isinstance(spec, TableSpec):
        spec = load_spec(spec)
    if by is not None and by != "ethnicity":
        raise SpecError(f"cannot break a table down by {by!r} (only 'ethnicity')")
    if by == "ethnicity" and spec.ethnicity is None:
        raise spec.fail("a table by ethnicity needs an 'ethnicity: {mix: …}' section in the spec")
    if by == "ethnicity" and spec.ethnicity.compare:
        raise spec.fail("'compare: true' and a breakdown by ethnicity cannot be combined; drop one", "ethnicity", "compare")

    try:
        pop = load_population(spec.population)
    except ForecastError as e:
        raise e.located(file=spec.path, field="population", line=spec.lines.get("population")) from None
    if spec.extend_to:
        try:
            pop = extend_population(pop, strategy_end_year(spec.extend_to))
        except ForecastError as e:
            raise spec.fail(e.message, "extend_to") from None
    for i, g in enumerate(spec.population.inline_groups):
        try:  # members may be codes or names of the population's areas
            members = tuple(resolve_areas(pop, g.members))
            pop = add_groups(pop, [AreaGroup(g.code, g.name, members)])
        except ForecastError as e:
            raise spec.fail(e.message, "groups", i) from None

    for i, a in enumerate(spec.areas):
        try:
            resolve_areas(pop, [a])
        except ForecastError as e:
            raise spec.fail(e.message, "areas", i) from None
    try:
        codes = resolve_areas(pop, spec.areas)
        if spec.totals:
            check_disjoint(pop, codes)
    except ForecastError as e:
        raise spec.fail(e.message, "areas") from None

    have = [int(y) for y in pop["year"].values]
    for key, values in (("years", spec.years), ("change", spec.change or ())):
        for i, y in enumerate(values):
            needed = [int(y)] if not (isinstance(y, str) and "/" in y) else [parse_financial_year(y), parse_financial_year(y) + 1]
            for n in needed:
                if n not in have:
                    raise spec.fail(f"{y} is outside the population's years {year_span(have)}", key, i)

    # rate sets (and their names, labels, ages, relative risks)
    rate_sets, labels, risks, ages_of = {}, {}, {}, {}
    for i, m in enumerate(spec.measures):
        if "derived" in m:
            continue
        try:
            rs = get_rate_set(m["rate_set"])
        except ForecastError as e:
            raise e.located(file=spec.path, field=f"measures[{i}].rate_set", line=spec.lines.get("measures", i, "rate_set")) from None
        name = m.get("name") or rs.measure
        if name in rate_sets and not m.get("name"):
            name = rs.id
        if name in rate_sets:
            raise spec.fail(f"the measure name '{name}' is used twice: give each a different name", "measures", i)
        rate_sets[name] = rs
        ages_of[name] = m.get("ages") or spec.ages
        m["_name"] = name
        if m.get("label"):
            labels[name] = m["label"]
        if m.get("relative_risks"):
            try:
                rr = get_relative_risks(m["relative_risks"])
            except ForecastError as e:
                raise e.located(file=spec.path, field=f"measures[{i}].relative_risks",
                                line=spec.lines.get("measures", i, "relative_risks")) from None
            if rr.measure != rs.measure:
                raise spec.fail(f"relative risks '{rr.id}' are for measure '{rr.measure}', not '{rs.measure}'",
                                "measures", i, "relative_risks")
            risks[name] = rr

    split = None
    if spec.ethnicity is not None:
        e = spec.ethnicity
        try:
            mix = get_ethnic_mix(e.mix)
        except ForecastError as err:
            raise err.located(file=spec.path, field="ethnicity.mix", line=spec.lines.get("ethnicity", "mix")) from None
        if e.mapping:
            try:
                mix = mix.map_groups(load_mapping(e.mapping))
            except ForecastError as err:
                raise err.located(file=spec.path, field="ethnicity.mapping", line=spec.lines.get("ethnicity", "mapping")) from None
        try:
            split = split_by_ethnicity(pop, mix, areas=spec.areas)
        except ForecastError as err:
            raise err.located(file=spec.path, field="ethnicity.mix", line=spec.lines.get("ethnicity", "mix")) from None
        for name, rr in risks.items():
            i = next(j for j, m in enumerate(spec.measures) if m.get("_name") == name)
            try:  # the ratios' groups must be the mix's groups
                relative_risk_array(rr, split["ethnicity"].values, mode=e.mode)
            except ForecastError as err:
                raise spec.fail(err.message, "measures", i, "relative_risks") from None

    for label, sc in spec.scenarios.items():
        if sc != CONSTANT:
            try:
                apply_scenario(rate_sets, sc)
            except ForecastError as err:
                key = "scenario" if "" in spec.scenarios else "scenarios"
                raise err.located(file=spec.path, field=key, line=spec.lines.get(key)) from None

    def run(population, scenario=None, **kw):
        measures = rate_sets
        if scenario is not None:
            measures = apply_scenario(rate_sets, scenario)
        res = _project_measures(spec, population, measures, ages_of, **kw)
        for n, lab in labels.items():  # the spec's labels name the measures in derived notes too
            if n in res.data_vars:
                res[n].attrs["long_name"] = lab
        return res

    wanted = [m["derived"] for m in spec.measures if "derived" in m]
    derived_files = []  # each derived-measures file read once
    for d in spec.derived:
        try:
            derived_files.append(load_derived(d))
        except ForecastError as err:
            raise err.located(file=spec.path, field="derived", line=spec.lines.get("derived")) from None
    known = set().union(*(dm.measures for dm in derived_files)) if derived_files else set()

    def derive(res):
        for dm in derived_files:
            try:
                mine = [n for n in wanted if n in dm.measures and n not in res.data_vars]
                res = apply_derived(res, dm, only=mine)
            except ForecastError as err:
                raise err.located(file=spec.path, field="derived", line=spec.lines.get("derived")) from None
        return res

    # which variables to show, in the spec's order
    names, derived_labels = [], {}
    for i, m in enumerate(spec.measures):
        if "derived" in m:
            if m["derived"] not in known:
                raise spec.fail(f"no derived measure '{m['derived']}' in {', '.join(spec.derived)} (it has: {', '.join(sorted(known))})",
                                "measures", i, "derived")
            names.append(m["derived"])
            if m.get("label"):
                derived_labels[m["derived"]] = m["label"]
        else:
            names.append(m["_name"])
    labels.update(derived_labels)

    common = dict(measures=names, labels=labels, totals=spec.totals, round_to=spec.round_to, title=spec.title, notes=spec.notes)
    level = {"level": spec.uncertainty.level} if spec.uncertainty else {}
    try:
        if len(spec.scenarios) > 1:
            population = split if split is not None else pop
            extra = dict(relative_risks=risks or None, ethnic_mode=spec.ethnicity.mode) if split is not None else {}
            results = {label: derive(run(population, scenario=sc, **extra)) for label, sc in spec.scenarios.items()}
            return compare(results, years=spec.years, **common)
        one = spec.scenarios.get("")  # a single scenario, applied throughout (None: the rate sets as given)
        if split is None:
            return table(derive(run(pop, scenario=one)), years=spec.years, change=spec.change, **common, **level)
        adjusted = derive(run(split, scenario=one, relative_risks=risks or None, ethnic_mode=spec.ethnicity.mode))
        if spec.ethnicity.compare:
            return compare({"without": derive(run(pop, scenario=one)), "with": adjusted}, years=spec.years, **common)
        return table(adjusted, years=spec.years, change=spec.change, by=by, **common, **level)
    except ForecastError as err:
        raise err.located(file=spec.path) from None


def _project_measures(spec: TableSpec, population, rate_sets, ages_of, **kw) -> xr.Dataset:
    """Project the spec's rate sets; measures with different ages are summed over age and merged."""
    groups: dict[str | None, dict] = {}
    for name, rs in rate_sets.items():
        groups.setdefault(ages_of[name], {})[name] = rs
    parts = []
    for ages, members in groups.items():
        try:
            b = spec.bands if len(groups) == 1 else None
            if spec.uncertainty is None:
                res = project(population, members, ages=ages, bands=b, areas=spec.areas, **kw)
            else:
                u = spec.uncertainty
                res = simulate(population, members, ages=ages, bands=b, areas=spec.areas, draws=u.draws, seed=u.seed,
                               keep=("sex", "age_band", "ethnicity"), **kw)
        except ForecastError as err:
            i = next(j for j, m in enumerate(spec.measures) if m.get("_name") in members)
            key, keys = ("bands", ("bands",)) if spec.bands else (("ages", ("ages",)) if spec.measures[i].get("ages") is None
                                                                 else ("measures", ("measures", i, "ages")))
            raise err.located(file=spec.path, field=_field(keys), line=spec.lines.get(*keys)) from None
        parts.append(res)
    if len(parts) == 1:
        return parts[0]
    summed = [p.sum("age_band", keep_attrs=True) if "age_band" in p.dims else p.sum("age", keep_attrs=True) for p in parts]
    out = xr.merge(summed, compat="override", combine_attrs="override")
    out.attrs["rate_sets"] = "; ".join(dict.fromkeys(p.attrs.get("rate_sets", "") for p in parts))
    out.attrs["age_bands"] = "; ".join(f"{n}: {ages_of[n]}" for n in rate_sets)
    return out
