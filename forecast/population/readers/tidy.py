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
from ._common import (
    build_cube,
    parse_age,
    parse_sex,
    provenance,
    read_csv_text,
    require_columns,
    to_numbers,
)

__all__ = ["read_tidy"]

COLUMNS = ("area_code", "area_name", "year", "sex", "age", "population")


def read_tidy(path: str | PathLike) -> xr.DataArray:
    """Read a tidy population CSV into a population cube (see module docstring)."""
    path = Path(path)
    name = str(path)
    data = read_data(path)
    df = read_csv_text(data, file=name)
    cols = require_columns(df, COLUMNS, file=name, layout="a tidy population CSV")
    lines = pd.Series(np.arange(len(df)) + 2, index=df.index)

    year_text = df[cols["year"]].str.strip()
    year = pd.to_numeric(year_text, errors="coerce")
    bad = year.isna() | (year != year.round())
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(f"{year_text.iloc[i]!r} is not a year", file=name, field="year", line=int(lines.iloc[i]))

    sex = df[cols["sex"]].map(parse_sex)
    if sex.isna().any():
        i = int(np.flatnonzero(sex.isna().to_numpy())[0])
        raise InputError(
            f"unknown sex {df[cols['sex']].iloc[i]!r} (expected male or female)", file=name, field="sex", line=int(lines.iloc[i])
        )
    parsed = [parse_age(a) for a in df[cols["age"]]]
    bad_age = [i for i, p in enumerate(parsed) if p[0] is None and not p[2]]
    if bad_age:
        i = bad_age[0]
        raise InputError(
            f"cannot read age {df[cols['age']].iloc[i]!r} (expected a single year such as 45, or an open top such as 90+)",
            file=name, field="age", line=int(lines.iloc[i]),
        )
    codes = df[cols["area_code"]].str.strip()
    if (codes == "").any():
        i = int(np.flatnonzero((codes == "").to_numpy())[0])
        raise InputError("empty area_code", file=name, field="area_code", line=int(lines.iloc[i]))
    values = to_numbers(df[cols["population"]], file=name, field="population", lines=lines)

    records = pd.DataFrame(
        {
            "area_code": codes.to_numpy(),
            "area_name": df[cols["area_name"]].str.strip().to_numpy(),
            "year": year.astype("int64").to_numpy(),
            "sex": sex.to_numpy(),
            "age": np.array([p[0] if p[0] is not None else -1 for p in parsed], dtype="int64"),
            "open": [p[1] for p in parsed],
            "total": [p[2] for p in parsed],
            "value": values,
            "line": lines.to_numpy(),
            "file": name,
        }
    )
    return build_cube(records, attrs={"source_format": "tidy CSV", **provenance([(name, data)])})
