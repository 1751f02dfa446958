"""The population a spec (or the command line) names: read, joined by year, grouped,
extended, and with comparator areas.

Sources: ``default`` (the embedded extract), ``history`` (mid-2011 and mid-2018 estimates
for every English district), ``england`` (ONS 2022-based NPP), a downloaded dataset by name
(``snpp2022``, see ``forecast population list``), or files (``{snpp: …}``, ``{tidy: …}``,
``{mye: …}``, optionally with ``groups:`` files).  A list is joined by year
(``[history, default]``).  Paths are relative to the spec's folder: specs are trusted input.
"""

from __future__ import annotations

from pathlib import Path

import xarray as xr

from ..errors import SpecError
from ..geography import ENGLAND, geography
from ..population import (
    add_geography,
    add_groups,
    combine_populations,
    default_history,
    default_population,
    england,
    load_groups,
    read_mye,
    read_tidy,
)

__all__ = ["load_population", "source_population", "check_source", "with_comparators", "select_by_selector", "people_in_bands"]


def check_source(source) -> None:
    """Refuse a population named that cannot be there — an unknown dataset, or one not
    downloaded yet — before anything is read (so that the option naming it is blamed)."""
    if not isinstance(source, str) or source in ("default", "history", "england") or Path(source).exists():
        return
    from ..population.download import dataset, is_dataset_name, record

    if is_dataset_name(source):
        ds = dataset(source)
        if record(ds.name) is None:
            from ..population.download import cached_file

            cached_file(ds.name)  # says how to download it


def source_population(source, spec_dir: Path | None = None) -> xr.DataArray:
    """One population source (module docstring): a name, or a model/dict of files."""
    base = spec_dir or Path(".")
    if isinstance(source, str):
        if source == "default":
            return default_population()
        if source == "history":
            return default_history()
        if source == "england":
            return england()
        from ..population.download import read_population

        return read_population(source)
    files = source if isinstance(source, dict) else source.model_dump(exclude_none=True)
    kind = next(k for k in ("snpp", "tidy", "mye") if k in files)
    paths = [base / f for f in (files[kind] if isinstance(files[kind], list) else [files[kind]])]
    from ..population.download import read_population

    pop = {"snpp": lambda: read_population(paths if len(paths) > 1 else paths[0]),  # parsed once, then cached
           "tidy": lambda: read_tidy(paths[0]), "mye": lambda: read_mye(paths[0])}[kind]()
    groups = files.get("groups") or []
    for g in groups if isinstance(groups, list) else [groups]:
        pop = add_groups(pop, load_groups(base / g))
    return pop


def load_population(sources, spec_dir: Path | None = None) -> xr.DataArray:
    """One source, or several joined by year (:func:`forecast.combine_populations`)."""
    items = sources if isinstance(sources, list) else [sources]
    pops = [source_population(s, spec_dir) for s in items]
    return add_geography(pops[0] if len(pops) == 1 else combine_populations(pops))


def select_by_selector(pop: xr.DataArray, selector: str) -> list[str]:
    """``all-districts``, ``all-upper-tier``, ``all-regions`` or ``region:<code or name>``
    (that region's upper-tier authorities) → the population's codes, in code order."""
    geo = geography()
    have = set(map(str, pop["area"].values))
    if selector.startswith("region:"):
        region = geo.get(selector[7:].strip())
        if region is None or region.type != "region":
            raise SpecError(f"{selector[7:].strip()!r} is not an English region (e.g. East Midlands or E12000004)")
        wanted = sorted({geo.areas[d].county for d in region.districts})
    else:
        wanted = {"all-districts": geo.districts, "all-upper-tier": geo.upper_tier, "all-regions": geo.regions}[selector]()
    missing = [c for c in wanted if c not in have]
    if missing:
        raise SpecError(f"{selector} needs {len(wanted)} areas; the population lacks {len(missing)} of them, e.g. "
                        f"{', '.join(missing[:3])} (download the national projection: forecast population download snpp2022)")
    return list(wanted)


def with_comparators(pop: xr.DataArray, codes: list[str], kinds) -> tuple[xr.DataArray, list[str]]:
    """The comparator areas (``region``, ``county``, ``england``) of the table's areas, and
    the population with England added from the national projection if it lacks it."""
    geo = geography()
    have = set(map(str, pop["area"].values))
    out: list[str] = []
    for kind in kinds:
        if kind == "england":
            wanted = [ENGLAND]
        else:
            wanted = []
            for c in codes:
                a = geo.areas.get(c)
                parent = None if a is None else (a.region if kind == "region" else a.county)
                if parent is None:
                    raise SpecError(f"{kind} rows need areas within one {kind}: {c} has none")
                if parent != c and parent not in wanted:
                    wanted.append(parent)
        for w in wanted:
            if w not in have and w != ENGLAND:
                area = geo.areas[w]
                raise SpecError(f"{area.name} ({w}) cannot be shown: the population does not hold all its districts "
                                "(download the national projection for region and county rows: forecast population "
                                "download snpp2022)")
            if w not in out and w not in codes:
                out.append(w)
    if ENGLAND in out and ENGLAND not in have:
        pop = _add_england(pop)
    return pop, out


def _add_england(pop: xr.DataArray) -> xr.DataArray:
    """England from the national projection (2022-based NPP), for the population's years."""
    npp = england(int(pop.attrs["open_top_age"]))
    years = [int(y) for y in pop["year"].values]
    lacking = [y for y in years if y not in npp["year"].values]
    if lacking:
        raise SpecError(f"England's national projection starts in {int(npp['year'].values[0])}: it has no {lacking[0]}")
    row = npp.sel(year=years).transpose(*pop.dims)
    out = xr.concat([pop, row], dim="area", coords="minimal", compat="override", join="override")
    out.name, out.attrs = pop.name, dict(pop.attrs)
    out.attrs["comparator"] = (f"England's row: {npp.attrs.get('title', 'the national projection')} (file "
                               f"{Path(str(npp.attrs.get('source', ''))).name}, sha256 {npp.attrs.get('sha256', '')[:12]}…), "
                               "the projection the 2022-based subnational projections are constrained to; the other "
                               "rows use the population above")
    return out


def people_in_bands(pop: xr.DataArray, bands, areas: list[str] | None = None) -> xr.DataArray:
    """The population summed into age bands: dims ``(area, year, sex, age_band)``."""
    top = int(pop.attrs["open_top_age"])
    sub = pop.sel(area=areas) if areas is not None else pop
    parts = [sub.sel(age=slice(b.lo, top if b.hi is None else b.hi)).sum("age").expand_dims(age_band=[b.label])
             for b in bands]
    out = xr.concat(parts, dim="age_band").transpose("area", "year", "sex", "age_band")
    out.attrs = {"long_name": "Population", "units": "persons", "measure": "population"}
    return out
