"""The measures of a table spec: rate sets (names, labels, ages, relative risks), derived
measures, and the ethnic split they are applied to; projected with or without draws."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xarray as xr

from ..assumptions import RateSet, RelativeRisks, apply_scenario, get_rate_set, get_relative_risks, load_derived, load_mapping
from ..errors import SpecError
from ..model import apply_derived, project, simulate
from ..model.project import DrawLimitError
from ..model.draws import check_groups
from ..population.ethnicity import DEFAULT_MIX, get_ethnic_mix, rake, split_by_ethnicity

__all__ = ["Measures", "load_measures", "project_measures", "derive"]

#: The mapping that takes a built-in mix to the five broad groups relative risks use.
DEFAULT_MAPPINGS = {DEFAULT_MIX: "census2011_to_broad5", "census2021_ts021_llr": "census2021_to_broad5"}


@dataclass
class Measures:
    rate_sets: dict[str, RateSet] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    ages_of: dict[str, str | None] = field(default_factory=dict)
    risks: dict[str, RelativeRisks] = field(default_factory=dict)
    shown: list[str] = field(default_factory=list)  # variables in the spec's order (derived included)
    derived: list = field(default_factory=list)
    mix: Any = None  # the ethnic mix (mapped, raked), if the spec splits by ethnicity
    compare_ethnicity: bool = False
    index_of: dict[str, int] = field(default_factory=dict)  # the spec's measures[i] of each rate set
    own_ages: dict[str, str | None] = field(default_factory=dict)  # a measure's own ages: (not the spec's)

    def populations(self, spec, pop: xr.DataArray) -> dict[str, xr.DataArray]:
        """The population(s) to project: as it is, split by ethnicity, or both (compare)."""
        if self.mix is None:
            return {"": pop}
        with spec.at("ethnicity", "mix"):
            split = split_by_ethnicity(pop, self.mix, areas=_areas_of(spec, pop))
        return {"without": pop, "with": split} if self.compare_ethnicity else {"": split}


def _areas_of(spec, pop) -> list[str] | None:
    areas = spec.model.areas
    return None if isinstance(areas, str) else list(areas)


def _rel(value: str, spec_dir: Path) -> str:
    """An id stays an id; a YAML path is taken relative to the spec's folder."""
    return str(spec_dir / value) if value.endswith((".yaml", ".yml")) or "/" in value else value


def load_measures(spec, pop: xr.DataArray, areas: list[str]) -> Measures:
    """The spec's measures, checked: each rate set, name, label, ages and relative risks;
    the derived-measures files; the ethnic mix (mapped, raked) and its groups."""
    m, out = spec.model, Measures()
    for i, item in enumerate(m.measures):
        item = {"rate_set": item} if isinstance(item, str) else item.model_dump(exclude_none=True)
        if "derived" in item:
            out.shown.append(item["derived"])
            if item.get("label"):
                out.labels[item["derived"]] = item["label"]
            continue
        with spec.at("measures", i, "rate_set"):
            rs = get_rate_set(_rel(item["rate_set"], spec.dir))
        name = item.get("name") or (rs.measure if rs.measure not in out.rate_sets else rs.id)
        if name in out.rate_sets:
            raise spec.fail(f"the measure name '{name}' is used twice: give each a different name", "measures", i)
        own = _label(item.get("ages"))
        out.rate_sets[name], out.index_of[name] = rs, i
        out.own_ages[name] = own
        out.ages_of[name] = own if own is not None else _label(m.ages)
        out.shown.append(name)
        if item.get("label"):
            out.labels[name] = item["label"]
        if item.get("relative_risks"):
            with spec.at("measures", i, "relative_risks"):
                rr = get_relative_risks(_rel(item["relative_risks"], spec.dir))
                if rr.measure != rs.measure:
                    raise SpecError(f"relative risks '{rr.id}' are for measure '{rr.measure}', not '{rs.measure}'")
            out.risks[name] = rr
    _derived(spec, out)
    _ethnicity(spec, out, pop)
    _check_scenarios(spec, out)
    return out


def _label(band) -> str | None:
    return None if band is None else getattr(band, "label", str(band))


def _derived(spec, out: Measures) -> None:
    m = spec.model
    files = m.derived if isinstance(m.derived, list) else ([m.derived] if m.derived else [])
    with spec.at("derived"):
        out.derived = [load_derived(_rel(d, spec.dir)) for d in files]
    known = set().union(*(dm.measures for dm in out.derived)) if out.derived else set()
    for i, item in enumerate(m.measures):
        name = getattr(item, "derived", None)
        if name is not None and name not in known:
            raise spec.fail(f"no derived measure '{name}' in {', '.join(files)} (it has: {', '.join(sorted(known))})",
                            "measures", i, "derived")


def _ethnicity(spec, out: Measures, pop: xr.DataArray) -> None:
    e = spec.model.ethnicity
    if e is None:
        return
    with spec.at("ethnicity", "mix"):
        mix = get_ethnic_mix(_rel_csv(e.mix, spec.dir))
    mapping = e.mapping or _default_mapping(e.mix, mix, out)
    if mapping:
        with spec.at("ethnicity", "mapping"):
            mix = mix.map_groups(load_mapping(_rel(mapping, spec.dir)))
    if e.rake_to:
        with spec.at("ethnicity", "rake_to"):
            target = get_ethnic_mix(_rel_csv(e.rake_to, spec.dir))
            target_map = getattr(e, "rake_mapping", None) or DEFAULT_MAPPINGS.get(e.rake_to)
            if target_map and sorted(target.groups) != sorted(mix.groups):
                target = target.map_groups(load_mapping(_rel(target_map, spec.dir)))
            mix = rake(mix, target, pop, areas=_areas_of(spec, pop))
    for name, rs in out.rate_sets.items():
        if name not in out.risks and rs.ethnicity is not None:
            out.risks[name] = rs.ethnicity if isinstance(rs.ethnicity, RelativeRisks) else get_relative_risks(rs.ethnicity)
    for name, rr in out.risks.items():
        with spec.at("measures", out.index_of[name], "relative_risks"):
            check_groups(rr, mix.groups)
    out.mix, out.compare_ethnicity = mix, e.compare


def _rel_csv(value: str, spec_dir: Path) -> str:
    return str(spec_dir / value) if value.lower().endswith((".csv", ".csv.gz")) else value


def _default_mapping(mix_id: str, mix, out: Measures) -> str | None:
    """A built-in mix is mapped to the broad groups when the relative risks name them."""
    wanted = {g for rr in out.risks.values() for g in rr.groups}
    if wanted and not wanted <= set(mix.groups):
        return DEFAULT_MAPPINGS.get(mix_id)
    return None


def _check_scenarios(spec, out: Measures) -> None:
    m = spec.model
    choices = [("scenario", m.scenario)] if m.scenario else []
    if m.scenarios is not None:
        values = m.scenarios.values() if isinstance(m.scenarios, dict) else m.scenarios
        choices += [("scenarios", v) for v in values]
    for key, sc in choices:
        if sc != "constant":
            with spec.at(key):
                apply_scenario(out.rate_sets, _rel(sc, spec.dir))


def project_measures(spec, measures: Measures, population: xr.DataArray, *, scenario, uncertainty, areas,
                     keep, years=None) -> xr.Dataset:
    """Project the rate sets (measures with different ages are summed over their ages and
    merged) for ``years`` (default: all the population's); the spec's labels name the
    variables."""
    rate_sets = measures.rate_sets
    if scenario is not None and scenario != "constant":
        rate_sets = apply_scenario(rate_sets, _rel(scenario, spec.dir))
    split = "ethnicity" in population.dims
    groups: dict = {}
    for name, rs in rate_sets.items():
        groups.setdefault(measures.ages_of[name], {})[name] = rs
    parts = []
    for ages, members in groups.items():
        bands = spec.model.bands if len(groups) == 1 else None
        kw = dict(ages=ages, bands=bands, areas=areas, years=years, ethnic_mode=spec.model.ethnicity.mode if split else None,
                  relative_risks={n: measures.risks[n] for n in members if n in measures.risks} or None if split else None)
        own = [n for n in members if measures.own_ages[n] is not None]
        keys = ("bands",) if bands else (("measures", measures.index_of[own[0]], "ages") if own else ("ages",))
        with spec.at(*keys):
            if uncertainty is None:
                res = project(population, members, **kw)
            else:
                u = uncertainty if isinstance(uncertainty, dict) else uncertainty.model_dump()
                keep_here = tuple(d for d in keep if d != "ethnicity" or split) + (("ethnicity",) if split else ())
                with _draws_at(spec):
                    res = simulate(population, members, draws=u["draws"], seed=u["seed"], keep=keep_here, **kw)
        parts.append(res)
    res = parts[0] if len(parts) == 1 else _merge(parts, measures)
    for n, lab in measures.labels.items():
        if n in res.data_vars:
            res[n].attrs["long_name"] = lab
    return res


@contextmanager
def _draws_at(spec):
    """Too many draws to hold: said of the spec's ``uncertainty.draws``, with what a table can do."""
    try:
        yield
    except DrawLimitError as e:
        raise spec.fail(f"{e.draws:,} draws of the {e.cells:,} cells this table totals within each draw is "
                        f"{e.draws * e.cells:,} values, over the limit of {e.limit:,} (forecast.limits): ask for "
                        "fewer draws, areas, years or bands", "uncertainty", "draws") from None


def _merge(parts: list[xr.Dataset], measures: Measures) -> xr.Dataset:
    summed = [p.sum("age_band", keep_attrs=True) if "age_band" in p.dims else p.sum("age", keep_attrs=True) for p in parts]
    out = xr.merge(summed, compat="override", combine_attrs="override")
    out.attrs["rate_sets"] = "; ".join(dict.fromkeys(p.attrs.get("rate_sets", "") for p in parts))
    out.attrs["age_bands"] = "; ".join(f"{n}: {measures.ages_of[n] or 'all ages covered'}" for n in measures.rate_sets)
    return out


def derive(spec, measures: Measures, res: xr.Dataset) -> xr.Dataset:
    """Add the derived measures the spec shows (each file applied once)."""
    wanted = [n for n in measures.shown if n not in measures.rate_sets]
    for dm in measures.derived:
        mine = [n for n in wanted if n in dm.measures and n not in res.data_vars]
        if mine:
            with spec.at("derived"):
                res = apply_derived(res, dm, only=mine)
    return res
