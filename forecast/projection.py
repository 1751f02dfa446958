"""The core product: population × age- and sex-specific rates → demand.

For each measure (DESIGN.md)::

    demand[area, year, sex, age] = population[area, year, sex, age] × rate[sex, age] × trend[year]

with the rates of a :class:`~forecast.assumptions.RateSet` on single years of age
(zero outside the ages the rate set covers: a 65+ rate set gives no one under 65).
This is the prevalence method of POPPI/PANSI (Institute of Public Care): "the
prevalence rates have been applied to ONS population projections … to give
estimated numbers" (POPPI metadata, RATES.md §1-2).

Output bands are summed in one contraction over age (``xarray.dot``), so the
single-age product is never materialised when bands are asked for.  Asking for a
band the rate set does not cover (``"18-64"`` from a 65+ rate set) is an error, not
a silent zero.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import xarray as xr

from ._version import __version__
from .ages import AgeBand, band_matrix, parse_band, parse_bands
from .assumptions import RateSet, RateSetLike, RelativeRisks, get_rate_set, get_relative_risks
from .errors import SpecError
from .population import PROVENANCE_KEYS, default_population, select_areas, select_years, validate_cube

__all__ = ["project", "resolve_measures", "ethnic_adjustment"]


def resolve_measures(
    rate_sets: RateSetLike | Sequence[RateSetLike] | Mapping[str, RateSetLike],
) -> dict[str, RateSet]:
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
    return {
        (rs.measure if measures.count(rs.measure) == 1 else rs.id): rs for rs in loaded
    }


def project(
    population: xr.DataArray | None,
    rate_sets: RateSetLike | Sequence[RateSetLike] | Mapping[str, RateSetLike],
    *,
    ages: str | AgeBand | None = None,
    bands: Sequence[str | AgeBand] | str | None = None,
    areas: Sequence[str] | str | None = None,
    years: Sequence[int] | None = None,
    relative_risks=None,
    ethnic_mode: str | None = None,
    scenario=None,
) -> xr.Dataset:
    """Apply rate sets to a population cube.

    Parameters
    ----------
    population
        A population cube (:mod:`forecast.population`), or ``None`` for the embedded
        default (:func:`forecast.default_population`).
    rate_sets
        Rate-set ids, YAML paths or :class:`RateSet` objects: one, a list, or a
        mapping ``{variable name: rate set}``.
    ages
        Restrict the result to one age range and sum it, e.g. ``"65+"``.
    bands
        Output age bands, e.g. ``["65-74", "75-84", "85+"]`` (must not overlap; must
        lie within ``ages`` if both are given).  Without ``ages`` or ``bands`` the
        result keeps single years of age.
    areas, years
        Optional selection (area codes or names; mid-years).
    relative_risks
        Ethnic relative risks (ids, paths or :class:`RelativeRisks`): one, a list
        (each applied to the measures it names), or ``{variable name: rr}``.  Needs a
        population split by ethnicity (:func:`forecast.split_by_ethnicity`).  Without
        it, a rate set's own ``ethnicity:`` block applies when the population is split.
    ethnic_mode
        ``"reference"`` or ``"standardised"`` (default: each relative-risk set's own
        mode); see :func:`forecast.ethnicity.relative_risk_array`.
    scenario
        A scenario (id, path or :class:`forecast.scenarios.Scenario`) whose trend replaces
        the matching rate sets' own; ``None`` or ``"constant"``: as the rate sets say.

    Returns
    -------
    xarray.Dataset
        One variable per measure, dims ``(area, year, sex, age)`` or
        ``(area, year, sex, age_band)`` (plus ``ethnicity`` if the population has
        it); provenance in ``attrs`` (rate-set ids and sha256, population source and
        sha256, library version).

    Raises
    ------
    forecast.errors.SpecError
        Unknown area, year outside the population, a band that cannot be formed from
        the population's ages or that the rate set does not cover.
    forecast.errors.AssumptionError
        Unknown or malformed rate set.
    """
    pop, measures = _prepare(population, rate_sets, areas, years, scenario)
    top = int(pop.attrs["open_top_age"])
    ages_ = pop["age"].values

    out_bands = _output_bands(ages, bands)
    matrix = band_matrix(out_bands, ages_, top) if out_bands is not None else None
    split = "ethnicity" in pop.dims
    risks = _resolve_relative_risks(measures, relative_risks, split)
    if split and "all-age" in str(pop.attrs.get("ethnic_mix_form", "")):
        from .ethnicity import warn_all_age_shares

        warn_all_age_shares()

    data_vars = {}
    for name, rs in measures.items():
        cov = _population_coverage(rs, top)
        needs_top = out_bands is None or any(b.contains(top) for b in out_bands)
        rate = rs.rates_by_age(ages_, top, strict_top=needs_top)  # may raise: split top, no rule
        if out_bands is not None:
            for b in out_bands:
                if not b.within(cov):
                    raise SpecError(
                        f"rate set '{rs.id}' covers ages {cov.label}; the requested band {b.label} lies outside it"
                    )
        rate = rate.fillna(0.0)
        if rs.trend is not None:
            rate = rate * rs.trend.factor(pop["year"].values)
        rr_attrs = {}
        if split and name in risks:
            from .ethnicity import relative_risk_array

            rr = risks[name]
            multipliers, without = relative_risk_array(rr, pop["ethnicity"].values, mode=ethnic_mode)
            rate = rate * multipliers
            rr_attrs = {
                "relative_risks": rr.id,
                "relative_risks_citation": rr.source.citation,
                "relative_risks_mode": ethnic_mode or rr.mode,
                "relative_risks_reference": rr.reference,
                "ethnic_groups_without_ratio": ", ".join(without),
            }
        if matrix is not None:
            # contraction over age: Σ_age pop × (rate × membership)
            weights = rate * matrix
            da = xr.dot(pop, weights, dim="age")
        else:
            da = pop * rate
        da = da.transpose(*[d for d in _dims(pop, matrix is not None) if d in da.dims])
        da.name = name
        da.attrs = {**_variable_attrs(rs, top, cov), **rr_attrs}
        data_vars[name] = da

    ds = xr.Dataset(data_vars)
    ds = ds.assign_coords(area_name=("area", pop["area_name"].values))
    ds.attrs = _dataset_attrs(pop, measures, ages, out_bands)
    return ds


def _prepare(population, rate_sets, areas, years, scenario):
    """The population (default, validated, selected) and the named rate sets (with a scenario)."""
    pop = default_population() if population is None else population
    validate_cube(pop)
    pop = select_years(select_areas(pop, areas), years)
    measures = resolve_measures(rate_sets)
    if scenario is not None:
        from .scenarios import apply_scenario

        measures = apply_scenario(measures, scenario)
    return pop, measures


def _resolve_relative_risks(measures: Mapping[str, RateSet], given, split: bool) -> dict[str, RelativeRisks]:
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


def _dims(pop: xr.DataArray, banded: bool) -> list[str]:
    dims = ["area", "year", "sex", "age_band" if banded else "age"]
    if "ethnicity" in pop.dims:
        dims.append("ethnicity")
    return dims


def _output_bands(ages, bands) -> list[AgeBand] | None:
    restrict = parse_band(ages) if ages is not None else None
    if bands is None:
        return [restrict] if restrict is not None else None
    out = list(parse_bands(bands))
    if restrict is not None:
        for b in out:
            if not b.within(restrict):
                raise SpecError(f"band {b.label} lies outside the requested ages {restrict.label}")
    return out


def _population_coverage(rs: RateSet, top: int) -> AgeBand:
    """The ages of a population with open top ``top`` for which ``rs`` gives a rate."""
    cov = rs.coverage
    if rs.splits_top(top):
        # the open top group gets a rate only through the open-top rule
        return AgeBand(cov.lo, None) if rs.open_top.rule != "error" else AgeBand(cov.lo, top - 1)
    return cov


def _variable_attrs(rs: RateSet, top: int, cov: AgeBand) -> dict[str, str]:
    attrs = {
        "long_name": rs.label,
        "units": "persons",
        "measure": rs.measure,
        "rate_set": rs.id,
        "rate_set_sha256": rs.sha256 or "",
        "citation": rs.source.citation,
        "ages_covered": cov.label,
    }
    if rs.path is not None:
        attrs["rate_set_file"] = rs.path.name
    note = rs.open_top_note(top)
    if note:
        attrs["open_top_note"] = note
    if rs.trend is not None:
        attrs["trend"] = (
            f"age-specific rates change {rs.trend.description or f'{rs.trend.annual_change:+.2%} a year'} "
            f"from {rs.trend.from_year} (rate × (1 + {rs.trend.annual_change:.4g})^(year − {rs.trend.from_year}))"
            + (f" — {rs.trend.source}" if rs.trend.source else "")
        )
    return attrs


def _dataset_attrs(pop, measures, ages, out_bands) -> dict[str, str]:
    attrs: dict[str, str] = {"forecast_version": __version__}
    for k in PROVENANCE_KEYS:
        if k in pop.attrs and pop.attrs[k] != "":
            key = k if k == "area_groups" else f"population_{k}"
            attrs[key] = str(pop.attrs[k])
    for k, v in pop.attrs.items():
        if k.startswith("ethnic_") and v != "":
            attrs[k] = str(v)
    attrs["open_top_age"] = str(pop.attrs["open_top_age"])
    attrs["rate_sets"] = "; ".join(
        f"{rs.id}" + (f" (sha256={rs.sha256})" if rs.sha256 else " (Python object)") for rs in measures.values()
    )
    if out_bands is not None:
        attrs["age_bands"] = ", ".join(b.label for b in out_bands)
    return attrs


def ethnic_adjustment(
    population: xr.DataArray | None,
    rate_sets,
    mix,
    *,
    mapping=None,
    relative_risks=None,
    ethnic_mode: str | None = None,
    **kwargs,
) -> dict[str, xr.Dataset]:
    """Project without and with the ethnic adjustment: ``{"without": …, "with": …}``.

    ``without`` is the usual projection (no allowance for ethnic mix); ``with`` splits
    the population by ``mix`` (mapped with ``mapping`` if given) and applies
    ``relative_risks`` (or the rate sets' own ``ethnicity:`` blocks).  Pass the pair
    to :func:`forecast.tables.compare` for a side-by-side table.  Other keyword
    arguments (ages, bands, areas, years) go to :func:`project`.
    """
    from .ethnicity import get_ethnic_mix, split_by_ethnicity

    pop = default_population() if population is None else population
    m = get_ethnic_mix(mix)
    if mapping is not None:
        m = m.map_groups(mapping)
    without = project(pop, rate_sets, **kwargs)
    split = split_by_ethnicity(pop, m, areas=kwargs.get("areas"))
    with_ = project(split, rate_sets, relative_risks=relative_risks, ethnic_mode=ethnic_mode, **kwargs)
    return {"without": without, "with": with_}
