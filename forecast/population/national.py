"""England's national population projections (NPP): a population in their own right, the
basis for extending a subnational projection, for variants, and for the 90+ weights.

* :func:`england` — the ONS 2022-based NPP for England (principal), shipped
  (``population/england/npp2022_england_principal.csv``), as a cube with the one area
  England (E92000001), open at 90+ like the SNPP (``top=None`` keeps every age to 105+).
* :func:`national_ratio` — NPP(year) / NPP(base year) per sex × single age: the ratio by
  which :func:`forecast.population.extend.extend_population` carries a subnational
  projection past its last year (the method of ``ukpopulation``, Smith 2019).
* :func:`variant_ratio` — the 2018-based NPP variant / principal per sex × age × year
  (``population/england/npp2018_variants.csv.gz``; ONS, 17 variants): what
  :func:`forecast.population.variants.variant` applies to a subnational projection.
* :func:`open_top_shares` — each year's share of the 90+ population in 90-94 and 95+ …,
  for rate sets whose open-top rule is ``weights: npp``.

ONS publishes ages 0-104, "105 - 109" and "110 and over"; forecast keeps 0-104 and one open
group 105+ (their sum).  Source and licence: ``population/SOURCES.md`` (ONS, Open Government
Licence v3.0).
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache

import numpy as np
import xarray as xr

from ..errors import InputError, SpecError
from ..files import data_dir, read_data, sha256_bytes
from ..geography import ENGLAND
from .cube import make_cube

__all__ = ["read_npp", "england", "collapse_top", "national_ratio", "variant_ratio", "variant_names", "open_top_shares"]

_SEX = {"males": "male", "females": "female", "1": "male", "2": "female"}
NPP2022_TITLE = "ONS 2022-based national population projections for England, principal projection"
NPP2018_TITLE = "ONS 2018-based national population projections for England"


def _parse(text: str, name: str, variant_col: bool = False) -> dict:
    """NPP rows → {variant: (years, array[sex, age 0..105, year])}."""
    rows = list(csv.reader(io.StringIO(text)))
    header = [h.strip() for h in rows[0]]
    first = 2 + (1 if variant_col else 0)
    try:
        years = [int(h) for h in header[first:]]
    except ValueError:
        raise InputError("not an NPP layout: expected Sex, Age and one column per year", file=name, line=1) from None
    out: dict = {}
    for i, row in enumerate(rows[1:], start=2):
        key = row[0] if variant_col else ""
        sex = _SEX.get(row[first - 2].strip().casefold())
        label = row[first - 1].strip()
        age = 105 if label.startswith(("105", "110")) else (int(label) if label.isdigit() else None)
        if sex is None or age is None or age > 105:
            raise InputError(f"cannot read sex {row[first - 2]!r} or age {label!r}", file=name, line=i)
        arr = out.setdefault(key, np.zeros((2, 106, len(years))))
        arr[0 if sex == "male" else 1, age] += np.asarray(row[first:], dtype=float)
    return {k: (years, v) for k, v in out.items()}


def read_npp(path) -> xr.DataArray:
    """An ONS NPP file for England (Sex, Age, one column per year) as a cube: area England,
    ages 0..105 (105 = "105 and over")."""
    data = read_data(path)
    (years, arr), = _parse(data.decode("utf-8-sig"), str(path)).values()
    return make_cube(arr.transpose(2, 0, 1)[None], areas=[ENGLAND], area_names=["England"], years=years,
                     ages=range(106), open_top_age=105,
                     attrs={"title": NPP2022_TITLE, "publisher": "Office for National Statistics",
                            "licence": "Open Government Licence v3.0", "source": str(path),
                            "sha256": sha256_bytes(data)})


@lru_cache(maxsize=1)
def _npp2022() -> xr.DataArray:
    return read_npp(data_dir("population") / "england" / "npp2022_england_principal.csv")


def collapse_top(pop: xr.DataArray, top: int) -> xr.DataArray:
    """The cube with every age from ``top`` up summed into one open group ``top``."""
    old = int(pop.attrs["open_top_age"])
    if top == old:
        return pop
    if top > old:
        raise SpecError(f"cannot open the top age group at {top}: the population stops at {old}+")
    head = pop.sel(age=slice(0, top - 1))
    tail = pop.sel(age=slice(top, None)).sum("age").expand_dims(age=[top])
    out = xr.concat([head, tail], dim="age").transpose(*pop.dims)
    out.name, out.attrs = pop.name, {**pop.attrs, "open_top_age": top}
    return out


def england(top: int | None = 90) -> xr.DataArray:
    """ONS 2022-based NPP for England (principal), 2022-2122, as a population cube
    (area E92000001), open at ``top`` (90: as the SNPP; None: 105+)."""
    pop = _npp2022()
    return (pop if top is None else collapse_top(pop, top)).copy()


def national_ratio(years, base_year: int, top: int) -> xr.DataArray:
    """NPP(year) / NPP(base_year) for England, dims ``(year, sex, age)`` (ages 0..top)."""
    npp = england(top).isel(area=0, drop=True)
    have = [int(y) for y in npp["year"].values]
    for y in [base_year, *years]:
        if int(y) not in have:
            raise SpecError(f"the national projection covers {have[0]}-{have[-1]}, not {y}")
    base = npp.sel(year=base_year)
    return (npp.sel(year=list(years)) / base.where(base > 0)).fillna(1.0)


@lru_cache(maxsize=1)
def _variants() -> tuple[dict, dict]:
    folder = data_dir("population") / "england"
    with open(folder / "npp2018_variants.csv", newline="", encoding="utf-8") as fh:
        names = {r["name"]: r for r in csv.DictReader(fh)}
    data = read_data(folder / "npp2018_variants.csv.gz")
    return names, _parse(data.decode("utf-8-sig"), str(folder / "npp2018_variants.csv.gz"), variant_col=True)


def variant_names() -> dict[str, str]:
    """Readable variant name → ONS label (e.g. ``high_migration`` → "High migration")."""
    return {n: r["label"] for n, r in _variants()[0].items()}


def variant_ratio(name: str, years, top: int) -> xr.DataArray:
    """2018-based NPP ``variant`` / principal for England, dims ``(year, sex, age)``.

    Years before 2018 (estimates, not projections) get 1; years after 2118 are an error."""
    names, tables = _variants()
    if name not in names:
        raise SpecError(f"unknown population variant {name!r} (known: {', '.join(names)})")
    code = names[name]["code"]
    ys, var = tables[code]
    _, ppp = tables["ppp"]
    ages = np.arange(top + 1)

    def cut(a):  # sum ages from top up
        return np.concatenate([a[:, :top], a[:, top:].sum(axis=1, keepdims=True)], axis=1)

    var, ppp = cut(var), cut(ppp)
    ratio = np.divide(var, ppp, out=np.ones_like(var), where=ppp > 0)  # (sex, age, year)
    out = np.ones((len(years), 2, top + 1))
    for i, y in enumerate(years):
        y = int(y)
        if y > ys[-1]:
            raise SpecError(f"the 2018-based variants run to {ys[-1]}, not {y}")
        if y >= ys[0]:
            out[i] = ratio[:, :, ys.index(y)]
    return xr.DataArray(out, dims=("year", "sex", "age"),
                        coords={"year": np.asarray(years, dtype=int), "sex": ["male", "female"], "age": ages})


def open_top_shares(pop: xr.DataArray, years, bands) -> np.ndarray:
    """Each year's share of the population's open top group in each of ``bands`` (rate-set
    bands such as 90-94 and 95+), by sex, from the 2022-based NPP for England: shape
    ``(years, 2, bands)``.  Years outside the NPP take its nearest year's shares."""
    top = int(pop.attrs["open_top_age"])
    npp = england(None).isel(area=0, drop=True)
    have = np.asarray(npp["year"].values, dtype=int)
    out = np.zeros((len(years), 2, len(bands)))
    for i, y in enumerate(years):
        row = npp.sel(year=int(np.clip(int(y), have[0], have[-1]))).values  # (sex, age 0..105)
        for j, b in enumerate(bands):
            hi = 105 if b.hi is None else min(b.hi, 105)
            out[i, :, j] = row[:, max(b.lo, top):hi + 1].sum(axis=1)
    total = out.sum(axis=2, keepdims=True)
    return np.divide(out, total, out=np.full_like(out, 1.0 / len(bands)), where=total > 0)
