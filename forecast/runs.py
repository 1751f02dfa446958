"""A batch run, as ``forecast run`` does it, and the tidy / NetCDF exports of results.

:func:`run` projects several rate sets at once.  Without ``bands`` or ``ages`` each
measure is reported in its own published bands (Dementia UK: 65-69 … 90+; APMS:
16-24 … 75+), with bands above the population's open top age folded into it
(90-94 and 95+ → 90+).  Years may be mid-years or financial years (``2025/26``).

:func:`to_tidy_frame` gives the long table ``area_code, area_name, year, sex,
age_band, measure, value`` (plus ``ethnicity`` or ``draw`` when present).
"""

from __future__ import annotations

from os import PathLike
from typing import Sequence

import pandas as pd
import xarray as xr

from .ages import AgeBand
from .assumptions import RateSet, RateSetLike
from .errors import SpecError, at
from .population import parse_financial_year, resolve_areas, select_years, to_financial_years
from .projection import project, resolve_measures

__all__ = ["run", "native_bands", "to_tidy_frame", "to_netcdf"]


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
    rate_sets: Sequence[RateSetLike],
    *,
    areas: Sequence[str] | None = None,
    years: Sequence[int | str] | None = None,
    bands: Sequence[str] | None = None,
    ages: str | None = None,
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

    With ``draws``, rates are drawn (:func:`forecast.simulate`) and each cell is summarised
    by its mean and ``quantiles`` (default 2.5%, 50%, 97.5%), or kept draw by draw with
    ``keep_draws``.

    Errors name the argument at fault (``areas``, ``measures``, ``years``, ``bands``,
    ``ages``), or the names given in ``field_names`` (the CLI passes ``--areas`` …).
    """
    names = {k: k for k in ("areas", "measures", "years", "bands", "ages", "relative_risks", "derived", "scenario",
                            "draws", "seed", "quantiles")} | dict(field_names or {})
    if draws is not None:
        from .uncertainty import DEFAULT_QUANTILES, check_draws

        with at(field=names["draws"]):
            check_draws(draws, 0)
        with at(field=names["seed"]):
            check_draws(1, seed)
        if derived:
            raise SpecError("derived measures with draws are not supported yet: run without --draws", field=names["derived"])
        quantiles = None if keep_draws else list(quantiles or DEFAULT_QUANTILES)
    with at(field=names["measures"]):
        named = [r for r in rate_sets if isinstance(r, str) and "=" in r]
        if named and len(named) != len(rate_sets):
            raise SpecError("name every measure (name=rate_set) or none")
        measures = resolve_measures({k.strip(): v.strip() for k, v in (r.split("=", 1) for r in named)} if named else list(rate_sets))
    if scenario is not None:
        from .scenarios import apply_scenario

        with at(field=names["scenario"]):
            measures = apply_scenario(measures, scenario)
    if areas is not None:
        with at(field=names["areas"]):
            resolve_areas(population, areas)
    top = int(population.attrs["open_top_age"])
    fy = [y for y in (years or []) if isinstance(y, str)]
    with at(field=names["years"]):
        if fy and len(fy) != len(years):
            raise SpecError("mix of mid-years and financial years: give all as 2025 or all as 2025/26")
        needed = sorted({s + k for s in map(parse_financial_year, fy) for k in (0, 1)}) if fy else years
        select_years(population, needed)
    mid_years = None if (years is None or fy) else [int(y) for y in years]
    if derived:  # calibration may need years outside those shown: project them all, select after
        shown_years, mid_years = mid_years, None

    if relative_risks is not None:
        from .projection import _resolve_relative_risks

        from .ethnicity import relative_risk_array

        with at(field=names["relative_risks"]):
            risks = _resolve_relative_risks(measures, relative_risks, "ethnicity" in population.dims)
            for rr in risks.values():  # the groups must match the mix's, before any work
                relative_risk_array(rr, population["ethnicity"].values, mode=ethnic_mode)
    else:
        risks = None
    def one(ms, b, a, rr):
        if draws is None:
            return project(population, ms, bands=b, ages=a, areas=areas, years=mid_years, relative_risks=rr, ethnic_mode=ethnic_mode)
        from .uncertainty import simulate

        return simulate(population, ms, bands=b, ages=a, areas=areas, years=mid_years, relative_risks=rr,
                        ethnic_mode=ethnic_mode, draws=draws, seed=seed, quantiles=quantiles, progress=progress,
                        keep=("sex", "age_band", "ethnicity"))

    with at(field=names["bands"] if bands else names["ages"]):
        if bands or ages:
            results = [one(measures, bands, ages, risks)]
        else:
            results = [
                one({name: rs}, native_bands(rs, top), None, {name: risks[name]} if risks and name in risks else None)
                for name, rs in measures.items()
            ]
    if derived:
        from .derived import apply_derived

        with at(field=names["derived"]):
            for d in derived:
                results = [apply_derived(r, d) for r in results]
        if shown_years is not None:
            results = [select_years(r, shown_years) for r in results]
    if fy:
        results = [to_financial_years(r, fy) for r in results]
    return results


def to_tidy_frame(results: xr.Dataset | Sequence[xr.Dataset]) -> pd.DataFrame:
    """Long table: ``area_code, area_name, year, sex, age_band, [ethnicity], [draw], measure, value``."""
    if isinstance(results, xr.Dataset):
        results = [results]
    frames = []
    for ds in results:
        for name, da in ds.data_vars.items():
            df = da.to_dataframe(name="value").reset_index()
            if "area_name" not in df.columns:
                df["area_name"] = df["area"].map(dict(zip(ds["area"].values, ds["area_name"].values)))
            df = df.rename(columns={"area": "area_code", "financial_year": "year", "age": "age_band"})
            if "age_band" in df.columns and ds.attrs.get("open_top_age") and df["age_band"].dtype.kind in "iu":
                top = int(ds.attrs["open_top_age"])
                df["age_band"] = [f"{a}+" if a == top else str(a) for a in df["age_band"]]
            df["measure"] = name
            frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    cols = ["area_code", "area_name", "year", "sex", "age_band"]
    cols += [c for c in ("ethnicity", "draw", "quantile", "statistic") if c in out.columns]
    cols += ["measure", "value"]
    return out[cols]


def to_netcdf(results: xr.Dataset | Sequence[xr.Dataset], path: str | PathLike) -> None:
    """Write results as one NetCDF file (measures must share their age bands)."""
    if isinstance(results, xr.Dataset):
        results = [results]
    if len(results) > 1:
        bands = [tuple(r["age_band"].values) if "age_band" in r.dims else None for r in results]
        if len(set(bands)) > 1:
            raise SpecError(
                "these measures have different age bands; give --bands (or --ages) for one NetCDF file",
                field="--bands",
            )
        ds = xr.merge(results, combine_attrs="drop_conflicts")
    else:
        ds = results[0]
    ds = ds.copy()
    for c in ds.coords:
        if ds[c].dtype == object or ds[c].dtype.kind == "U":
            ds[c] = ds[c].astype(str)
    ds.to_netcdf(path, engine="scipy" if _no_netcdf4() else None)


def _no_netcdf4() -> bool:
    try:
        import netCDF4  # noqa: F401
    except ImportError:
        return True
    return False
