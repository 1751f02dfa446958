"""Reader for a tidy population CSV: one row per area × year × sex × age.

Columns (any order, any case)::

    area_code, area_name, year, sex, age, population

``sex`` is ``male``/``female`` (``males``, ``M``, ``1`` … are accepted; ``persons``
rows are used only as a cross-check).  ``age`` is a single year (``0``…) and the last
age must be an open group such as ``90+`` or ``90 and over``.  Rows with age
``All ages`` are checked against the sum of the single ages.

The ONS mid-year estimates extract shipped for tests
(``mye_leics_rutland_2011_2018_syoa.csv``, from Nomis NM_2002_1) is in this layout.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ...errors import InputError
from ...files import read_data
from ._records import SEX_CODES, Records
from ._common import (
    build_cube,
    parse_age,
    parse_sex,
    provenance,
    read_csv_text,
    require_columns,
    to_numbers,
)

__all__ = ["read_tidy", "tidy_cube"]

COLUMNS = ("area_code", "area_name", "year", "sex", "age", "population")


def read_tidy(path: str | PathLike) -> xr.DataArray:
    """Read a tidy population CSV into a population cube (see module docstring)."""
    path = Path(path)
    name = str(path)
    data = read_data(path)
    attrs = {"source_format": "tidy CSV", **provenance([(name, data)])}
    df = read_csv_text(data, file=name)
    del data  # the table holds it now
    return tidy_cube(df, name, attrs)


def tidy_cube(df: pd.DataFrame, name: str, attrs: dict) -> xr.DataArray:
    """The cube of a tidy table already read from file ``name`` (errors name its lines)."""
    cols = require_columns(df, COLUMNS, file=name, layout="a tidy population CSV")
    lines = pd.Series(np.arange(len(df)) + 2, index=df.index)
    # each column parsed once per distinct value (a national file repeats a few hundred
    # codes, years, sexes and ages millions of times)
    year_at, years = _years(df[cols["year"]], name, lines)
    sex_at, sexes = _sexes(df[cols["sex"]], name, lines)
    age_at, ages = _ages(df[cols["age"]], name, lines)
    code_at, codes = _distinct(df[cols["area_code"]])
    if "" in codes:
        raise InputError("empty area_code", file=name, field="area_code",
                         line=int(lines.iloc[_first_of(np.array([c == "" for c in codes]), code_at)[0]]))
    name_at, names = _distinct(df[cols["area_name"]])
    values = to_numbers(df[cols["population"]], file=name, field="population", lines=lines)
    n = len(df)
    del df
    area, area_codes = _regroup(code_at, codes)  # " E06000016" and "E06000016" are one area
    name_idx, area_names = _regroup(name_at, names)
    rec = Records(area_codes=area_codes, area_names=area_names, files=[name], area=area, name=name_idx,
                  sex=sexes[sex_at], age=ages[0][age_at], open=ages[1][age_at], total=ages[2][age_at],
                  line=np.arange(n, dtype=np.int64) + 2, file=np.zeros(n, dtype=np.int64),
                  row=np.arange(n, dtype=np.int64), year=years[year_at], value=values)
    return build_cube(rec, attrs=attrs)


def _distinct(col: pd.Series) -> tuple[np.ndarray, list[str]]:
    """``(index of each row's value, the distinct values stripped)``."""
    at, uniques = pd.factorize(col, sort=False)
    return at, [str(u).strip() for u in uniques]


def _first_of(bad_value: np.ndarray, at: np.ndarray) -> tuple[int, int]:
    """The first row whose distinct value is bad, and that value's index."""
    row = int(np.flatnonzero(bad_value[at])[0])
    return row, int(at[row])


def _regroup(at: np.ndarray, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Row codes and distinct values once the values are stripped (two spellings may meet)."""
    again, values = pd.factorize(np.asarray(texts, dtype=object))
    return again[at].astype(np.int64), np.asarray(values, dtype=object)


def _years(col: pd.Series, file: str, lines: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    at, text = _distinct(col)
    years = pd.to_numeric(pd.Series(text, dtype=object), errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(years) | (years != np.round(years))
    if bad.any():
        row, u = _first_of(bad, at)
        raise InputError(f"{text[u]!r} is not a year", file=file, field="year", line=int(lines.iloc[row]))
    return at, years.astype(np.int64)


def _sexes(col: pd.Series, file: str, lines: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    at, text = _distinct(col)
    sexes = [parse_sex(t) for t in text]
    if None in sexes:
        row, u = _first_of(np.array([x is None for x in sexes]), at)
        raise InputError(f"unknown sex {text[u]!r} (expected male or female)", file=file, field="sex",
                         line=int(lines.iloc[row]))
    return at, np.array([SEX_CODES.index(x) for x in sexes], dtype=np.int8)


def _ages(col: pd.Series, file: str, lines: pd.Series) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """Each row's distinct age, and per distinct age: (age or −1, open top, all ages)."""
    at, text = _distinct(col)
    parsed = [parse_age(t) for t in text]
    bad = np.array([p[0] is None and not p[2] for p in parsed], dtype=bool)
    if bad.any():
        row, u = _first_of(bad, at)
        raise InputError(f"cannot read age {text[u]!r} (expected a single year such as 45, or an open top such "
                         "as 90+)", file=file, field="age", line=int(lines.iloc[row]))
    return at, (np.array([-1 if p[0] is None else p[0] for p in parsed], dtype=np.int64),
                np.array([p[1] for p in parsed], dtype=bool), np.array([p[2] for p in parsed], dtype=bool))
