"""What a run asks for: the population (selected), the named rate sets (with any scenario),
the output bands, the relative risks — checked before any work — and the provenance
``attrs`` every result carries."""

from __future__ import annotations

import re
import warnings
from typing import Mapping, Sequence

import xarray as xr

from .._version import __version__
from ..ages import AgeBand, parse_band, parse_bands
from ..assumptions import RateSet, RelativeRisks, apply_scenario, get_rate_set, get_relative_risks
from ..errors import ForecastWarning, SpecError
from ..population import PROVENANCE_KEYS, default_population, select_areas, select_years, validate_cube

__all__ = ["resolve_measures", "prepare", "output_bands", "resolve_relative_risks", "variable_attrs", "dataset_attrs"]


def resolve_measures(rate_sets) -> dict[str, RateSet]:
    """Name → RateSet.

    A mapping gives the names; a list (or one item) is named by each rate set's
    ``measure``, falling back to the rate-set id where two share a measure (so
    ``["dementia_uk_2007", "dementia_uk_2014"]`` gives variables of those names).
    """
    if isinstance(rate_sets, Mapping) and "schema" not in rate_sets:
        out = {}
        for name, rs in rate_sets.items():
            if not isinstance(name, str) or not name.isidentifier():
                raise SpecError(f"measure name {name!r} must be an identifier (letters, digits, _)")
            out[name] = get_rate_set(rs)
        if not out:
            raise SpecError("no rate sets given")
        return out
    if isinstance(rate_sets, (str, RateSet, Mapping)) or not isinstance(rate_sets, Sequence):
        rate_sets = [rate_sets]
    loaded = [get_rate_set(r) for r in rate_sets]
    if not loaded:
        raise SpecError("no rate sets given")
    ids = [rs.id for rs in loaded]
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise SpecError(f"rate set '{dup}' is given twice")
    measures = [rs.measure for rs in loaded]
    return {(rs.measure if measures.count(rs.measure) == 1 else rs.id): rs for rs in loaded}


def prepare(population, rate_sets, areas, years, scenario):
    """The population (default, validated, selected) and the named rate sets (with a scenario)."""
    pop = default_population() if population is None else population
    validate_cube(pop)
    pop = select_years(select_areas(pop, areas), years)
    measures = resolve_measures(rate_sets)
    if scenario is not None:
        measures = apply_scenario(measures, scenario)
    return pop, measures


def output_bands(ages, bands) -> list[AgeBand] | None:
    """The output bands: ``bands``, or the one band ``ages``; None for single ages."""
    restrict = parse_band(ages) if ages is not None else None
    if bands is None:
        return [restrict] if restrict is not None else None
    out = list(parse_bands(bands))
    for b in out if restrict is not None else ():
        if not b.within(restrict):
            raise SpecError(f"band {b.label} lies outside the requested ages {restrict.label}")
    _warn_gaps(out)
    return out


def _warn_gaps(bands: list[AgeBand]) -> None:
    """Bands that leave ages out between them (65-74, 80+) are allowed, but said."""
    ordered = sorted(bands, key=lambda b: b.lo)
    gaps = [f"{a.hi + 1}-{b.lo - 1}" if b.lo - 1 > a.hi + 1 else f"{a.hi + 1}"
            for a, b in zip(ordered, ordered[1:]) if a.hi is not None and b.lo > a.hi + 1]
    if gaps:
        warnings.warn(ForecastWarning(f"the bands {', '.join(b.label for b in bands)} leave out ages "
                                      f"{', '.join(gaps)}: no row or total counts them"), stacklevel=3)


def resolve_relative_risks(measures: Mapping[str, RateSet], given, split: bool) -> dict[str, RelativeRisks]:
    """Variable name → RelativeRisks, from the argument or the rate sets' own blocks."""
    out: dict[str, RelativeRisks] = {}
    if given is not None:
        if not split:
            raise SpecError("relative risks need a population split by ethnicity: give an ethnic mix (split_by_ethnicity)")
        if isinstance(given, Mapping):
            for name, rr in given.items():
                if name not in measures:
                    raise SpecError(f"relative risks given for {name!r}, which is not a measure here ({', '.join(measures)})")
                out[name] = get_relative_risks(rr)
        else:
            items = [given] if isinstance(given, (str, RelativeRisks)) or not isinstance(given, Sequence) else list(given)
            for item in items:
                rr = get_relative_risks(item)
                names = [n for n, rs in measures.items() if rs.measure == rr.measure]
                if not names:
                    raise SpecError(
                        f"relative risks '{rr.id}' are for measure '{rr.measure}', and no rate set here counts it "
                        f"({', '.join(rs.measure for rs in measures.values())})"
                    )
                for n in names:
                    out[n] = rr
    if split:
        for name, rs in measures.items():
            if name not in out and rs.ethnicity is not None:
                out[name] = rs.ethnicity if isinstance(rs.ethnicity, RelativeRisks) else get_relative_risks(rs.ethnicity)
    return out


_AGED = re.compile(r"\baged (\d+)(?: and over|\+| ?(?:-|–|to) ?\d+)", re.IGNORECASE)


def label_for(rs: RateSet, ages: AgeBand | None) -> str:
    """The rate set's label, with the ages of the result where they differ from the rate
    set's own ("People aged 16 and over with …" for 65+ figures → "People aged 65 and over
    with …"; a label that names no ages gets ", aged 65 and over")."""
    if ages is None or ages == rs.coverage:
        return rs.label
    if ages.lo == 0 and ages.hi is None:
        phrase = "all ages"
    else:
        phrase = f"{ages.lo} and over" if ages.hi is None else f"{ages.lo}-{ages.hi}"
    if _AGED.search(rs.label):
        return _AGED.sub(f"aged {phrase}", rs.label, count=1)
    return f"{rs.label}, aged {phrase}"


def variable_attrs(rs: RateSet, top: int, cover: AgeBand, ages: AgeBand | None = None) -> dict[str, str]:
    attrs = {
        "long_name": label_for(rs, ages),
        "units": "persons",
        "measure": rs.measure,
        "rate_set": rs.id,
        "rate_set_sha256": rs.sha256 or "",
        "citation": rs.source.citation,
        "ages_covered": cover.label,
    }
    if rs.path is not None:
        attrs["rate_set_file"] = rs.path.name
    note = rs.open_top_note(top)
    if note:
        attrs["open_top_note"] = note
    if rs.trend is not None:
        t = rs.trend
        attrs["trend"] = t.sentence() + (f" — {t.source}" if t.source else "")
    return attrs


def dataset_attrs(pop, measures, ages, out_bands) -> dict[str, str]:
    attrs: dict[str, str] = {"forecast_version": __version__}
    for k in PROVENANCE_KEYS:
        if k in pop.attrs and pop.attrs[k] != "":
            attrs[k if k == "area_groups" else f"population_{k}"] = str(pop.attrs[k])
    for k, v in pop.attrs.items():
        if k.startswith("ethnic_") and v != "":
            attrs[k] = str(v)
    attrs["open_top_age"] = str(pop.attrs["open_top_age"])
    attrs["rate_sets"] = "; ".join(f"{rs.id} (sha256={rs.sha256})" for rs in measures.values())
    if out_bands is not None:
        attrs["age_bands"] = ", ".join(b.label for b in out_bands)
    return attrs
