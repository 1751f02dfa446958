"""Reader for ONS mid-year population estimates (MYE), single year of age by sex and area.

Three layouts, recognised by their columns:

* **tidy** — ``area_code, area_name, year, sex, age, population`` (ages ``0..89`` and
  ``90+``), the layout of the extract shipped in ``population/`` (from Nomis NM_2002_1);
* **Nomis NM_2002_1** ("population estimates — local authority based by single year of
  age") as downloaded — ``GEOGRAPHY_CODE, [GEOGRAPHY_NAME], GENDER, C_AGE, OBS_VALUE,
  [DATE]``, with ``GENDER`` 1 = male, 2 = female and ``C_AGE`` 101 … 191 for ages 0 … 90+
  (give ``year=`` when the file has no ``DATE`` column);
* **ONS MYEB1** (detailed time series) — ``ladcode…, laname…, [country], sex, age,
  population_2001, population_2002, …``, sex 1/2 and age 0 … 90 (90 = 90 and over).

Use it for base years before a projection starts (a 2011 or 2018 base), and join it to
a projection with :func:`forecast.combine_populations`.
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ...errors import InputError
from ...files import read_data
from ._common import build_cube, provenance, read_csv_text, require_columns, to_numbers
from .tidy import tidy_cube

__all__ = ["read_mye"]

_POP_YEAR = re.compile(r"^population_(\d{4})$", re.IGNORECASE)


def read_mye(path: str | PathLike, *, year: int | None = None) -> xr.DataArray:
    """Read ONS mid-year estimates (tidy, Nomis NM_2002_1 or MYEB1 layout) into a cube."""
    path = Path(path)
    name = str(path)
    data = read_data(path)
    df = read_csv_text(data, file=name)
    cols = {c.casefold(): c for c in df.columns}
    if {"area_code", "sex", "age", "population"} <= set(cols):  # read once, parsed as a tidy table
        return tidy_cube(df, name, {"source_format": "tidy CSV", **provenance([(name, data)])})
    lines = pd.Series(np.arange(len(df)) + 2, index=df.index)
    if {"geography_code", "gender", "c_age", "obs_value"} <= set(cols):
        records = _nomis(df, cols, lines, name, year)
    elif "sex" in cols and "age" in cols and any(_POP_YEAR.match(c) for c in df.columns):
        records = _myeb1(df, cols, lines, name)
    else:
        require_columns(df, ["area_code", "sex", "age", "population"], file=name,
                        layout="a mid-year estimates layout")  # names a wrong delimiter, if that is the cause
        raise InputError(
            "not a mid-year estimates layout: expected tidy (area_code, sex, age, year, population), "
            "Nomis NM_2002_1 (GEOGRAPHY_CODE, GENDER, C_AGE, OBS_VALUE) or MYEB1 (ladcode, sex, age, population_YYYY) columns",
            file=name,
        )
    records["file"] = name
    return build_cube(records, attrs={"source_format": "ONS mid-year estimates", **provenance([(name, data)])})


def _sex_12(series: pd.Series, lines, name, field) -> np.ndarray:
    mapped = series.astype(str).str.strip().map({"1": "male", "2": "female"})
    if mapped.isna().any():
        i = int(np.flatnonzero(mapped.isna().to_numpy())[0])
        raise InputError(f"{series.iloc[i]!r} is not 1 (male) or 2 (female)", file=name, field=field, line=int(lines.iloc[i]))
    return mapped.to_numpy()


def _int_column(series: pd.Series, lines, name, field) -> np.ndarray:
    num = pd.to_numeric(series.astype(str).str.strip(), errors="coerce")
    bad = num.isna() | (num != num.round())
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"{series.iloc[i]!r} is not a whole number", file=name, field=field, line=int(lines.iloc[i]))
    return num.astype("int64").to_numpy()


def _nomis(df, cols, lines, name, year) -> pd.DataFrame:
    code = df[cols["geography_code"]].str.strip()
    area_name = df[cols["geography_name"]].str.strip() if "geography_name" in cols else code
    c_age = _int_column(df[cols["c_age"]], lines, name, cols["c_age"])
    bad = (c_age < 101) | (c_age > 191)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"C_AGE {c_age[i]} is outside 101 (age 0) … 191 (90+)", file=name, field=cols["c_age"], line=int(lines.iloc[i]))
    if "date" in cols:
        years = _int_column(df[cols["date"]].astype(str).str[:4], lines, name, cols["date"])
    elif year is not None:
        years = np.full(len(df), int(year))
    else:
        raise InputError("no DATE column: give the year of the estimates (read_mye(path, year=2018))", file=name)
    age = c_age - 101
    return pd.DataFrame({
        "area_code": code.to_numpy(), "area_name": area_name.to_numpy(), "year": years,
        "sex": _sex_12(df[cols["gender"]], lines, name, cols["gender"]),
        "age": age, "open": age == 90, "total": False,
        "value": to_numbers(df[cols["obs_value"]], file=name, field=cols["obs_value"], lines=lines),
        "line": lines.to_numpy(),
    })


def _myeb1(df, cols, lines, name) -> pd.DataFrame:
    code_col = next((c for c in df.columns if c.casefold().startswith("ladcode")), None)
    name_col = next((c for c in df.columns if c.casefold().startswith("laname")), None)
    if code_col is None:
        raise InputError("missing column 'ladcode…' (the area code)", file=name, field="ladcode")
    sex = _sex_12(df[cols["sex"]], lines, name, cols["sex"])
    age = _int_column(df[cols["age"]], lines, name, cols["age"])
    top = int(age.max())
    codes = df[code_col].str.strip().to_numpy()  # the same in every year's column
    names = (df[name_col] if name_col else df[code_col]).str.strip().to_numpy()
    line, is_top = lines.to_numpy(), age == top
    parts = []
    for c in df.columns:
        m = _POP_YEAR.match(c)
        if not m:
            continue
        parts.append(pd.DataFrame({
            "area_code": codes, "area_name": names,
            "year": int(m[1]), "sex": sex, "age": age, "open": is_top, "total": False,
            "value": to_numbers(df[c], file=name, field=c, lines=lines), "line": line,
        }))
    return pd.concat(parts, ignore_index=True)
