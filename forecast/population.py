"""The population cube: build, validate, select, group areas, financial years.

The cube is an :class:`xarray.DataArray` named ``population`` with dims
``(area, year, sex, age)`` (DESIGN.md):

* ``area`` holds GSS codes (``"E06000016"``); the coordinate ``area_name`` on
  ``area`` holds the names.
* ``year`` holds the mid-year (30 June) of the estimate or projection.
* ``sex`` is ``"male"`` or ``"female"``.
* ``age`` holds single years ``0..top``; the last age is an open group
  (``attrs["open_top_age"]``: 90 means "90 and over").

Provenance lives in ``attrs`` (``source``, ``sha256``, ``publisher``, ``licence``,
``title``) and is carried through every function here.

Financial years (April-March) are derived, never typed in: the population of
financial year ``Y/Y+1`` is ``0.75 × mid-Y + 0.25 × mid-(Y+1)``, the value at the
midpoint of April-March (1 October Y) under linear interpolation between the two
mid-years (June 30 → October 1 is a quarter of a year).  See
:func:`to_financial_years`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from difflib import get_close_matches
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr
from ._resources import data_dir
from ._yaml import read_yaml
from .errors import ForecastError, InputError, SpecError

__all__ = [
    "DIMS",
    "SEXES",
    "AreaGroup",
    "make_cube",
    "validate_cube",
    "resolve_areas",
    "select_areas",
    "find_areas",
    "select_years",
    "add_groups",
    "load_groups",
    "parse_financial_year",
    "financial_year_label",
    "to_financial_years",
    "strategy_end",
    "period_weights",
    "period_time",
    "expand_periods",
    "default_population",
    "default_history",
    "combine_populations",
    "year_span",
    "area_groups",
    "check_disjoint",
]

DIMS = ("area", "year", "sex", "age")
SEXES = ("male", "female")

#: Provenance keys kept in ``attrs`` through every step.
PROVENANCE_KEYS = ("title", "publisher", "licence", "source", "sha256", "notes", "area_groups")


def make_cube(
    values: np.ndarray,
    *,
    areas: Sequence[str],
    area_names: Sequence[str],
    years: Sequence[int],
    ages: Sequence[int],
    open_top_age: int,
    sexes: Sequence[str] = SEXES,
    attrs: Mapping[str, object] | None = None,
) -> xr.DataArray:
    """Build a population cube from a ``(area, year, sex, age)`` array of counts."""
    values = np.asarray(values, dtype=float)
    cube = xr.DataArray(
        values,
        dims=DIMS,
        coords={
            "area": np.asarray(list(areas), dtype=object),
            "area_name": ("area", np.asarray(list(area_names), dtype=object)),
            "year": np.asarray(list(years), dtype=int),
            "sex": np.asarray(list(sexes), dtype=object),
            "age": np.asarray(list(ages), dtype=int),
        },
        name="population",
        attrs={"open_top_age": int(open_top_age), **dict(attrs or {})},
    )
    validate_cube(cube)
    return cube


def validate_cube(pop: xr.DataArray, *, what: str = "population") -> None:
    """Check that ``pop`` is a well-formed cube; raise :class:`InputError` if not."""
    if not isinstance(pop, xr.DataArray):
        raise InputError(f"{what} must be an xarray.DataArray cube, not {type(pop).__name__}")
    required = set(DIMS)
    extra_ok = {"ethnicity"}
    if not required <= set(pop.dims) or not set(pop.dims) <= required | extra_ok:
        raise InputError(f"{what} must have dims {DIMS} (optionally 'ethnicity'), not {pop.dims}")
    if "area_name" not in pop.coords:
        raise InputError(f"{what} has no 'area_name' coordinate on 'area'")
    if "open_top_age" not in pop.attrs:
        raise InputError(f"{what} has no attrs['open_top_age'] (the open top age, e.g. 90 for '90 and over')")
    ages = pop["age"].values.astype(int)
    top = int(pop.attrs["open_top_age"])
    if ages.size == 0 or ages[0] != 0 or not np.array_equal(ages, np.arange(top + 1)):
        raise InputError(f"{what} ages must be the single years 0..{top} in order ({top} = '{top} and over')")
    bad_sex = set(pop["sex"].values.tolist()) - set(SEXES)
    if bad_sex:
        raise InputError(f"{what} has unknown sex values {sorted(bad_sex)} (expected 'male', 'female')")
    if pd.Index(pop["area"].values).has_duplicates:
        raise InputError(f"{what} has duplicate area codes")
    if pd.Index(pop["year"].values).has_duplicates:
        raise InputError(f"{what} has duplicate years")
    data = pop.data
    if not _is_lazy(data):
        arr = np.asarray(data)
        if np.isnan(arr).any():
            raise InputError(f"{what} has missing (NaN) values")
        if (arr < 0).any():
            raise InputError(f"{what} has negative values")


def _is_lazy(data) -> bool:
    return type(data).__module__.startswith("dask")


def _carry(attrs: Mapping[str, object], target: xr.DataArray | xr.Dataset) -> None:
    for k, v in attrs.items():
        target.attrs.setdefault(k, v)


# ---------------------------------------------------------------------------- areas

def resolve_areas(pop: xr.DataArray | xr.Dataset, keys: Iterable[str] | str) -> list[str]:
    """Turn area codes or names (any case) into the cube's GSS codes, in the order given.

    Raises :class:`SpecError` naming the key that matched nothing (with near
    matches), or that matched more than one area.
    """
    if isinstance(keys, str):
        keys = [keys]
    codes = [str(c) for c in pop["area"].values]
    names = [str(n) for n in pop["area_name"].values]
    by_code = {c.upper(): c for c in codes}
    by_name: dict[str, list[str]] = {}
    for c, n in zip(codes, names):
        by_name.setdefault(n.casefold(), []).append(c)
    out = []
    for i, key in enumerate(keys):
        k = str(key).strip()
        if k.upper() in by_code:
            out.append(by_code[k.upper()])
            continue
        hits = by_name.get(k.casefold())
        if hits and len(hits) == 1:
            out.append(hits[0])
            continue
        if hits:
            raise SpecError(f"area name {k!r} matches several areas: {', '.join(hits)}; use the code")
        near = get_close_matches(k.casefold(), list(by_name), n=3, cutoff=0.6)
        near += [n for n in by_name if k.casefold() in n and n not in near][:3]
        hint = ""
        if near:
            hint = " (did you mean " + ", ".join(
                f"{by_name[n][0]} {names[codes.index(by_name[n][0])]}" for n in near
            ) + "?)"
        raise SpecError(f"unknown area {k!r}: not a code or name in the population{hint}")
    if len(set(out)) != len(out):
        dup = [c for c in out if out.count(c) > 1][0]
        raise SpecError(f"area {dup} is asked for twice")
    return out


def select_areas(pop: xr.DataArray, areas: Iterable[str] | str | None) -> xr.DataArray:
    """Select areas by code or name, in the order given (``None``: all)."""
    if areas is None:
        return pop
    return pop.sel(area=resolve_areas(pop, areas))


def find_areas(pop: xr.DataArray | xr.Dataset, text: str = "") -> pd.DataFrame:
    """Areas whose code or name contains ``text`` (case-insensitive), as a DataFrame."""
    df = pd.DataFrame(
        {"area_code": [str(c) for c in pop["area"].values], "area_name": [str(n) for n in pop["area_name"].values]}
    )
    t = text.strip().casefold()
    if t:
        mask = df["area_code"].str.casefold().str.contains(t, regex=False) | df[
            "area_name"
        ].str.casefold().str.contains(t, regex=False)
        df = df[mask]
    groups = area_groups(pop)
    df["members"] = [", ".join(groups.get(c, [])) for c in df["area_code"]]
    return df.reset_index(drop=True)


@dataclass(frozen=True)
class AreaGroup:
    """A named area made by summing member areas (e.g. a county from its districts)."""

    code: str
    name: str
    members: tuple[str, ...]
    source: str = ""

    def __post_init__(self) -> None:
        if not self.members:
            raise SpecError(f"area group {self.code} has no members")
        if len(set(self.members)) != len(self.members):
            raise SpecError(f"area group {self.code} lists a member twice")


def load_groups(path: str | Path) -> list[AreaGroup]:
    """Read area groups from a YAML file (schema ``forecast.area-groups/1``).

    ::

        schema: forecast.area-groups/1
        groups:
          - code: E10000018
            name: Leicestershire
            members: [E07000129, E07000130, ...]
            source: "Leicestershire county = its 7 districts (ONS geography)"
    """
    path = Path(path)
    data, _ = read_yaml(path, error=InputError)
    if not isinstance(data, dict) or data.get("schema") != "forecast.area-groups/1":
        raise InputError("not an area-groups file (expected 'schema: forecast.area-groups/1')", file=path, field="schema")
    raw = data.get("groups")
    if not isinstance(raw, list) or not raw:
        raise InputError("'groups' must be a non-empty list", file=path, field="groups")
    out = []
    for i, g in enumerate(raw):
        if not isinstance(g, dict):
            raise InputError("each group must be a mapping with code, name, members", file=path, field=f"groups[{i}]")
        for key in ("code", "name", "members"):
            if key not in g:
                raise InputError(f"missing '{key}'", file=path, field=f"groups[{i}]")
        if not isinstance(g["members"], list):
            raise InputError("'members' must be a list of area codes", file=path, field=f"groups[{i}].members")
        try:
            out.append(AreaGroup(str(g["code"]), str(g["name"]), tuple(str(m) for m in g["members"]), str(g.get("source", ""))))
        except ForecastError as e:
            raise e.located(file=path, field=f"groups[{i}]") from None
    return out


def area_groups(obj: xr.DataArray | xr.Dataset) -> dict[str, list[str]]:
    """The group memberships recorded in ``attrs['area_groups']`` (code → member codes)."""
    raw = obj.attrs.get("area_groups")
    return json.loads(raw) if raw else {}


def check_disjoint(obj: xr.DataArray | xr.Dataset, codes: Sequence[str]) -> None:
    """Refuse areas that overlap (a group and one of its members, at any depth):
    their total would double-count."""
    groups = area_groups(obj)
    names = dict(zip(map(str, obj["area"].values), map(str, obj["area_name"].values)))

    def leaves(code: str, seen: tuple = ()) -> set[str]:
        if code not in groups or code in seen:
            return {code}
        return set().union(*(leaves(m, seen + (code,)) for m in groups[code]))

    covered: dict[str, str] = {}
    for c in codes:
        for leaf in leaves(c):
            if leaf in covered:
                a, b = covered[leaf], c
                raise SpecError(
                    f"cannot total areas that overlap: {a} {names.get(a, '')} and {b} {names.get(b, '')} "
                    f"both include {leaf} {names.get(leaf, '')} (drop one, or set totals to false)"
                )
            covered[leaf] = c


def add_groups(pop: xr.DataArray, groups: Iterable[AreaGroup]) -> xr.DataArray:
    """Append group areas, each the sum of its members, to the cube.

    The memberships are recorded in ``attrs['area_groups']`` so that tables can
    refuse to add a group to one of its own members.  A group whose code is
    already an area of the cube is an error.
    """
    groups = list(groups)
    if not groups:
        return pop
    codes = set(str(c) for c in pop["area"].values)
    new = []
    recorded = area_groups(pop)
    for g in groups:
        if g.code in codes:
            raise SpecError(f"area group {g.code} ({g.name}) is already an area of the population")
        missing = [m for m in g.members if m not in codes]
        if missing:
            raise SpecError(f"area group {g.code} ({g.name}): member(s) {', '.join(missing)} not in the population")
        summed = pop.sel(area=list(g.members)).sum("area")
        summed = summed.expand_dims(area=[g.code]).assign_coords(area_name=("area", [g.name]))
        new.append(summed)
        recorded[g.code] = list(g.members)
    out = xr.concat([pop, *new], dim="area", coords="minimal", compat="override", join="exact")
    out = out.transpose(*pop.dims)
    out.name = pop.name
    out.attrs = dict(pop.attrs)
    out.attrs["area_groups"] = json.dumps(recorded)
    notes = [f"{g.name} ({g.code}) = sum of its {len(g.members)} member areas {', '.join(g.members)}" for g in groups]
    out.attrs["notes"] = "; ".join(filter(None, [pop.attrs.get("notes", ""), *notes]))
    return out


# ---------------------------------------------------------------------------- years

def year_span(years: Iterable[int]) -> str:
    """``[2011, 2018, 2022, 2023, …, 2047]`` → ``"2011, 2018, 2022-2047"``."""
    ys = sorted(set(int(y) for y in years))
    if not ys:
        return "none"
    runs, start, prev = [], ys[0], ys[0]
    for y in ys[1:] + [None]:
        if y is not None and y == prev + 1:
            prev = y
            continue
        runs.append(str(start) if start == prev else f"{start}-{prev}")
        if y is not None:
            start = prev = y
    return ", ".join(runs)


def select_years(obj: xr.DataArray | xr.Dataset, years: Iterable[int] | None):
    """Select mid-years, with a clear error for a year the data does not cover."""
    if years is None:
        return obj
    years = [int(y) for y in years]
    have = [int(y) for y in obj["year"].values]
    for y in years:
        if y not in have:
            raise SpecError(f"year {y} is outside the population's years {year_span(have)}")
    return obj.sel(year=years)


_FY = re.compile(r"^(\d{4})/(\d{2})$")


def parse_financial_year(label: str) -> int:
    """``"2025/26"`` → 2025.  The label must be ``YYYY/YY`` with consecutive years."""
    m = _FY.match(str(label).strip())
    if not m:
        raise SpecError(f"financial year {label!r} is not of the form YYYY/YY (e.g. 2025/26)")
    start = int(m[1])
    if (start + 1) % 100 != int(m[2]):
        raise SpecError(f"financial year {label!r}: the two years are not consecutive (expected {start}/{(start + 1) % 100:02d})")
    return start


def financial_year_label(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


_MONTHS = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
)}
_MONTH_YEAR = re.compile(r"^(?:\d{1,2}\s+)?([a-z]+)\s+(\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def strategy_end(text: str) -> str:
    """The last financial year of a strategy that runs "to March 2030" → ``"2029/30"``.

    Accepts ``"March 2030"``, ``"31 March 2030"``, ``"2030-03"``, or a financial year
    label itself.  A month of April or later ends in the financial year it opens.
    """
    t = " ".join(str(text).strip().lower().split())
    if "/" in t:
        return financial_year_label(parse_financial_year(t))
    m = _MONTH_YEAR.match(t)
    if m and m[1] in _MONTHS:
        month, year = _MONTHS[m[1]], int(m[2])
    else:
        m = _YEAR_MONTH.match(t)
        if not m or not 1 <= int(m[2]) <= 12:
            raise SpecError(f"cannot read the strategy end {text!r} (use e.g. 'March 2030' or '2029/30')")
        year, month = int(m[1]), int(m[2])
    start = year if month >= 4 else year - 1
    return financial_year_label(start)


def expand_periods(value) -> list:
    """Years for a table: a list, a range ``"2025-2040"`` / ``"2022/23-2029/30"``, or
    ``{from: 2022/23, to: "March 2030"}`` (the end may be a strategy end month).

    Mid-years come back as ints, financial years as labels.  An end before the start is
    an error.
    """
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, int):
        return [value]
    if isinstance(value, Mapping):
        if set(value) != {"from", "to"}:
            raise SpecError("a range of years needs 'from' and 'to'")
        start, end = str(value["from"]).strip(), str(value["to"]).strip()
    elif isinstance(value, str) and re.search(r"\s(?:to)\s|(?<=\d)-(?=\d{4})", value):
        start, end = re.split(r"\s+to\s+|(?<=\d)-(?=\d{4})", value.strip(), maxsplit=1)
    elif isinstance(value, str):
        return [value]
    else:
        raise SpecError(f"cannot read years {value!r}")
    if "/" in start:
        s0 = parse_financial_year(start)
        e_label = strategy_end(end) if not end.isdigit() else financial_year_label(int(end) - 1)
        e0 = parse_financial_year(e_label)
        if e0 < s0:
            raise SpecError(f"the end {end} (financial year {e_label}) is before the start {start}")
        return [financial_year_label(y) for y in range(s0, e0 + 1)]
    if not (start.isdigit() and end.isdigit()):
        raise SpecError(f"cannot read the range {start!r} to {end!r} (use years such as 2025 or financial years such as 2025/26)")
    if int(end) < int(start):
        raise SpecError(f"the end {end} is before the start {start}")
    return list(range(int(start), int(end) + 1))


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def period_weights(label) -> dict[int, float]:
    """Mid-years and weights that give a period's value by linear interpolation.

    * a year ``"2024"`` (or 2024): mid-2024 itself;
    * a financial year ``"2024/25"``: 0.75 × mid-2024 + 0.25 × mid-2025 (1 October 2024);
    * a month ``"2024-03"``: its midpoint (2024 + 2.5/12) between the mid-years either side,
      here 0.29 × mid-2023 + 0.71 × mid-2024.
    Anything else is an error.
    """
    text = str(label).strip()
    if text.isdigit() and len(text) == 4:
        return {int(text): 1.0}
    if "/" in text:
        y = parse_financial_year(text)
        return {y: 0.75, y + 1: 0.25}
    m = _MONTH.match(text)
    if m and 1 <= int(m[2]) <= 12:
        year, month = int(m[1]), int(m[2])  # the month's midpoint is (month - 0.5) / 12 into the year
        if month <= 6:
            return {year - 1: (6.5 - month) / 12, year: (month + 5.5) / 12}
        return {year: (18.5 - month) / 12, year + 1: (month - 6.5) / 12}
    raise SpecError(f"period {label!r} is not a year (2024), a financial year (2024/25) or a month (2024-03)")


def period_time(label) -> float:
    """A period's midpoint in years (mid-2024 = 2024.5), for ordering and paths."""
    return sum(w * (y + 0.5) for y, w in period_weights(label).items())


def to_financial_years(obj: xr.DataArray | xr.Dataset, labels: Iterable[str] | None = None):
    """Values by financial year (April-March), interpolated from mid-years.

    FY ``Y/Y+1`` = ``0.75 × value(mid-Y) + 0.25 × value(mid-(Y+1))``: mid-year is
    30 June; the midpoint of April Y - March Y+1 is 1 October Y, a quarter of the way
    from mid-Y to mid-(Y+1) (DESIGN.md).  The ``year`` dim is replaced by a
    ``financial_year`` dim of labels such as ``"2025/26"``.  Without ``labels``, every
    financial year the mid-years cover is returned.

    Valid for stocks (people with a condition, carers), which is what every measure
    of this library is.
    """
    years = [int(y) for y in obj["year"].values]
    if labels is None:
        starts = [y for y in years if y + 1 in years]
    else:
        starts = [parse_financial_year(lab) for lab in labels]
    for s in starts:
        for y in (s, s + 1):
            if y not in years:
                raise SpecError(
                    f"financial year {financial_year_label(s)} needs mid-{y}, outside the years {year_span(years)}"
                )
    with xr.set_options(keep_attrs=True):
        a = obj.sel(year=starts)
        b = obj.sel(year=[s + 1 for s in starts]).assign_coords(year=starts)
        out = 0.75 * a + 0.25 * b
    out = out.rename(year="financial_year").assign_coords(
        financial_year=[financial_year_label(s) for s in starts]
    )
    out.attrs = dict(obj.attrs)
    out.attrs["period"] = "financial year (April-March): 0.75 x mid-year Y + 0.25 x mid-year Y+1"
    return out


# ---------------------------------------------------------------------------- combining

def combine_populations(pops: Sequence[xr.DataArray]) -> xr.DataArray:
    """Join populations of different years (e.g. mid-year estimates for 2011 and 2018
    and a projection from 2022) into one cube.

    Every cube must have the same areas (codes), sexes and ages; a year in two cubes is
    an error.  Provenance is joined; area groups are kept.
    """
    pops = list(pops)
    if not pops:
        raise SpecError("no populations to combine")
    for p in pops:
        validate_cube(p)
    first = pops[0]
    areas = sorted(map(str, first["area"].values))
    seen: dict[int, int] = {}
    for i, p in enumerate(pops):
        if sorted(map(str, p["area"].values)) != areas:
            a, b = set(areas), set(map(str, p["area"].values))
            diff = sorted(a ^ b)
            raise SpecError(f"populations to combine cover different areas (not in both: {', '.join(diff)})")
        if int(p.attrs["open_top_age"]) != int(first.attrs["open_top_age"]):
            raise SpecError("populations to combine have different top age groups")
        for y in map(int, p["year"].values):
            if y in seen:
                raise SpecError(f"year {y} is in two of the populations to combine")
            seen[y] = i
    order = [str(a) for a in first["area"].values]
    parts = [p.sel(area=order).assign_coords(area_name=("area", first["area_name"].values)) for p in pops]
    out = xr.concat(parts, dim="year", coords="minimal", compat="override", join="exact").sortby("year")
    out.name = "population"
    attrs: dict[str, object] = {"open_top_age": int(first.attrs["open_top_age"])}
    for key in ("title", "publisher", "licence", "source", "sha256", "notes", "source_format"):
        values = [str(p.attrs[key]) for p in pops if p.attrs.get(key)]
        if values:
            attrs[key] = "; ".join(dict.fromkeys(values))
    groups: dict[str, list[str]] = {}
    for p in pops:
        groups.update(area_groups(p))
    if groups:
        attrs["area_groups"] = json.dumps(groups)
    out.attrs = attrs
    return out


def default_history() -> xr.DataArray:
    """ONS mid-year estimates for 2011 and 2018, same areas as the default population
    (``population/mye_leics_rutland_2011_2018_syoa.csv``, from Nomis NM_2002_1; OGL v3.0).
    Leicestershire (E10000018) is a row of the file (the sum of its districts)."""
    from .readers.ons_mye import read_mye

    pop = read_mye(data_dir("population") / "mye_leics_rutland_2011_2018_syoa.csv")
    pop.attrs.update(title="ONS mid-year population estimates 2011 and 2018 (Nomis NM_2002_1)",
                     publisher="Office for National Statistics", licence="Open Government Licence v3.0")
    return pop


# ---------------------------------------------------------------------------- default

def default_population() -> xr.DataArray:
    """The embedded default: ONS 2022-based SNPP (migration category variant, 2023
    boundaries) for Leicester, Rutland and the 7 Leicestershire districts, with
    Leicestershire county (E10000018) added as the sum of its districts.

    Source and licence: ``population/SOURCES.md`` (ONS, Open Government Licence v3.0).
    """
    return _default_population().copy()


@lru_cache(maxsize=1)
def _default_population() -> xr.DataArray:
    from .readers.ons_snpp import read_snpp

    folder = data_dir("population")
    files = sorted(folder.glob("snpp2022_migcat23_*.csv"))
    pop = read_snpp(files)
    pop.attrs.update(
        title="ONS 2022-based subnational population projections, migration category variant (2023 boundaries)",
        publisher="Office for National Statistics",
        licence="Open Government Licence v3.0",
    )
    return add_groups(pop, load_groups(folder / "groups.yaml"))
