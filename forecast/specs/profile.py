"""A POPPI-style profile for one area: ``forecast table poppi --area NAME``.

POPPI (Projecting Older People Population Information, Institute of Public Care, Oxford
Brookes University) shows, for a council, the population aged 65 and over by age band and
then each measure by age band, for this year and 5, 10 and 15 years on.  The profile does
the same with forecast's cited rate sets: the population 65+ by band, then each measure of
:data:`MEASURES` by band, with year columns (this year, +5, +10, +15) and the change, and the
area's region and England as comparators where the population holds them (England always:
from the national projection), as counts and as rates per 100 people aged 65+.
"""

from __future__ import annotations

import datetime

from ..ages import parse_band
from ..errors import SpecError, at
from ..geography import geography
from ..output import Table
from ..population import resolve_areas
from ..schemas import validate
from .population import load_population, people_in_bands
from .table import Computed, Spec, compute, spec_table

__all__ = ["MEASURES", "BANDS", "profile_spec", "run_profile", "PROFILES", "open_spec"]

PROFILES = ("poppi",)

#: POPPI's standard measures for people aged 65 and over, as forecast rate sets
#: (``forecast assumptions show ID`` gives each source).
MEASURES = {
    "dementia": ("dementia_uk_2014", "Dementia"),
    "depression": ("mcdougall2007_depression_65plus", "Depression"),
    "domestic_tasks": ("hse2016_domestic_tasks", "Unable to manage at least one domestic task on their own"),
    "self_care": ("hse2016_self_care", "Unable to manage at least one self-care activity on their own"),
    "mobility": ("living_in_britain2001_mobility", "Unable to manage at least one mobility activity on their own"),
    "falls": ("hse2005_falls", "A fall in the last 12 months"),
    "fall_admissions": ("hes2016_17_fall_admissions", "Hospital admissions due to falls (a year)"),
    "incontinence": ("hse2005_bladder_incontinence_weekly", "Bladder incontinence at least once a week"),
    "sight": ("rnib2006_visual_impairment", "Visual impairment"),
    "living_alone": ("lfs2017_living_alone", "Living alone"),
}
BANDS = ["65-69", "70-74", "75-79", "80-84", "85-89", "90+"]


def profile_spec(area: str, *, population="default", year: int | None = None) -> Spec:
    """The profile's table spec for one area (module docstring)."""
    if not isinstance(area, str) or not area.strip():
        raise SpecError("a profile needs an area (a name or code)", field="area")
    pop = load_population(population)
    with at(field="area"):
        with_area = resolve_areas(pop, [area])[0]
    y0 = year or datetime.date.today().year
    have = [int(y) for y in pop["year"].values]
    years = [y for y in (y0, y0 + 5, y0 + 10, y0 + 15)]
    if years[0] not in have or years[-1] not in have:
        raise SpecError(f"the profile needs {years[0]}-{years[-1]}; the population has {have[0]}-{have[-1]}",
                        field="year")
    geo = geography().areas.get(with_area)
    compare = ["england"]
    if geo is not None and geo.region and geo.region != with_area and geo.region in pop["area"].values:
        compare.insert(0, "region")
    name = str(pop.sel(area=with_area)["area_name"].item())
    data = {
        "schema": "forecast.table/1",
        "title": f"{name}: people aged 65 and over, POPPI-style profile, {years[0]} to {years[-1]}",
        "population": population,
        "areas": [with_area],
        "compare_with": compare,
        "measures": [{"rate_set": rid, "name": key, "label": label} for key, (rid, label) in MEASURES.items()],
        "bands": BANDS,
        "rows": "age_band",
        "years": years,
        "change": [years[0], years[-1]],
        "round_to": 10,
        "notes": [f"Profile in the style of POPPI (Institute of Public Care): the measures POPPI shows for people "
                  f"aged 65 and over, each from a cited rate set applied to the population by age band and sex."],
    }
    return Spec(validate(data, "table"), None)


def run_profile(area: str, *, population="default", year: int | None = None, draws=None, seed=None) -> Table:
    """The profile as one table: the population 65+ by band, then each measure."""
    c = compute(profile_spec(area, population=population, year=year), draws=draws, seed=seed)
    return spec_table(with_population(c))


def with_population(c: Computed) -> Computed:
    """The computed results with the population 65+ by band as the first block."""
    (label, res), = c.results.items()
    people = people_in_bands(c.population, [parse_band(b) for b in BANDS], list(res["area"].values))
    people = people.sel(year=list(res["year"].values))
    people.attrs = {"long_name": "Population aged 65 and over", "units": "persons", "measure": "population"}
    res = res.assign(population=people)
    res = res[["population", *[v for v in res.data_vars if v != "population"]]]
    c.results = {label: res}
    c.measures.shown = ["population", *c.measures.shown]
    c.measures.labels = {"population": "Population aged 65 and over", **c.measures.labels}
    return c


def open_spec(spec: str, *, area: str | None = None, year: int | None = None, population=None) -> tuple[Spec, bool]:
    """A spec file, or a built-in profile by name (``poppi``, with ``area``): the spec and
    whether it is a profile (whose results get the population block)."""
    from pathlib import Path

    from .table import load_spec

    if spec in PROFILES and not Path(spec).exists():
        if area is None:
            raise SpecError(f"the {spec} profile is for one area: give its name or code (e.g. Leicester)", field="area")
        return profile_spec(area, population=population or "default", year=year), True
    if area is not None or year is not None:
        raise SpecError(f"an area and a first year go with a profile ({', '.join(PROFILES)}); a spec file names "
                        "its own areas and years", field="area" if area is not None else "year")
    return load_spec(spec), False
