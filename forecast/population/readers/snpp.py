"""Reader for ONS subnational population projections (SNPP), in the layout ONS publishes.

ONS, *Subnational population projections for England* ("2022-based", 24 June 2025,
and earlier rounds), dataset family
https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/populationprojections/datasets/localauthoritiesinenglandz1
(Open Government Licence v3.0).  Each CSV has the columns::

    AREA_CODE, AREA_NAME, COMPONENT, SEX, AGE_GROUP, <one column per mid-year>

with ``COMPONENT = Population``, ``SEX`` one of ``males``/``females``/``persons``, and
``AGE_GROUP`` ``0``..``89``, ``90 and over`` and ``All ages``.  ONS ships one file per
sex (``2022 SNPP Population males.csv`` …), usually in a zip.

:func:`read_snpp` takes one or more such files, a folder of them, or the zip.  The
``persons`` and ``All ages`` rows are not stored: they are checked against the
males + females single ages (to within :data:`~forecast.readers._common.ALL_AGES_TOLERANCE`).
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd
import xarray as xr

from ...errors import InputError
from ...files import read_bytes, zip_members
from ._common import (
    build_cube,
    parse_age,
    parse_sex,
    provenance,
    read_csv_text,
    require_columns,
    to_numbers,
)

__all__ = ["read_snpp"]

_ID_COLUMNS = ("AREA_CODE", "AREA_NAME", "COMPONENT", "SEX", "AGE_GROUP")
_YEAR = re.compile(r"^\d{4}$")

PathArg = str | PathLike


def _expand(paths: PathArg | Iterable[PathArg]) -> list[tuple[str, bytes]]:
    """Paths, folders and zips → a list of (name, bytes) CSV members (within the limits)."""
    if isinstance(paths, (str, PathLike)):
        paths = [paths]
    out: list[tuple[str, bytes]] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            found = sorted(p.glob("*.csv")) + sorted(p.glob("*.zip"))
            if not found:
                raise InputError("folder holds no .csv or .zip files", file=p)
            out.extend(_expand(found))
        elif p.suffix.lower() == ".zip":
            out.extend(zip_members(p))
        else:
            out.append((str(p), read_bytes(p)))
    if not out:
        raise InputError("no population files given")
    return out


def _records(name: str, data: bytes) -> pd.DataFrame:
    df = read_csv_text(data, file=name)
    cols = require_columns(df, _ID_COLUMNS, file=name, layout="an ONS SNPP population file")
    year_cols = [c for c in df.columns if _YEAR.match(c)]
    if not year_cols:
        raise InputError(
            "no year columns (expected columns such as '2022', '2023', … after AGE_GROUP)", file=name
        )
    lines = pd.Series(np.arange(len(df)) + 2, index=df.index)  # header is line 1
    df = df.assign(_line=lines)
    comp = df[cols["COMPONENT"]].str.strip().str.casefold()
    df = df[comp == "population"]
    if df.empty:
        raise InputError("no rows with COMPONENT 'Population'", file=name, field="COMPONENT")

    sex = df[cols["SEX"]].map(parse_sex)
    if sex.isna().any():
        i = int(np.flatnonzero(sex.isna().to_numpy())[0])
        raise InputError(
            f"unknown SEX {df[cols['SEX']].iloc[i]!r} (expected males, females or persons)",
            file=name, field="SEX", line=int(df["_line"].iloc[i]),
        )
    parsed = [parse_age(a) for a in df[cols["AGE_GROUP"]]]
    ages = [p[0] for p in parsed]
    bad_age = [i for i, p in enumerate(parsed) if p[0] is None and not p[2]]
    if bad_age:
        i = bad_age[0]
        raise InputError(
            f"cannot read AGE_GROUP {df[cols['AGE_GROUP']].iloc[i]!r} (expected 0..89, '90 and over', 'All ages')",
            file=name, field="AGE_GROUP", line=int(df["_line"].iloc[i]),
        )
    codes = df[cols["AREA_CODE"]].str.strip()
    empty_code = codes == ""
    if empty_code.any():
        i = int(np.flatnonzero(empty_code.to_numpy())[0])
        raise InputError("empty AREA_CODE", file=name, field="AREA_CODE", line=int(df["_line"].iloc[i]))

    base = pd.DataFrame(
        {
            "area_code": codes.to_numpy(),
            "area_name": df[cols["AREA_NAME"]].str.strip().to_numpy(),
            "sex": sex.to_numpy(),
            "age": pd.array([a if a is not None else -1 for a in ages], dtype="int64"),
            "open": [p[1] for p in parsed],
            "total": [p[2] for p in parsed],
            "line": df["_line"].to_numpy(),
        }
    )
    parts = []
    for col in year_cols:
        values = to_numbers(df[col], file=name, field=f"column {col}", lines=df["_line"])
        parts.append(base.assign(year=int(col), value=values))
    out = pd.concat(parts, ignore_index=True)
    out["file"] = name
    return out


def read_snpp(paths: PathArg | Iterable[PathArg]) -> xr.DataArray:
    """Read ONS SNPP files (males, females, optionally persons) into a population cube.

    Parameters
    ----------
    paths
        One CSV, several CSVs, a folder holding them, or the ONS zip.  Files for
        different sexes (and different areas) are combined; each area needs males
        and females rows.

    Returns
    -------
    xarray.DataArray
        dims ``(area, year, sex, age)``, ages ``0..90`` with 90 = "90 and over"
        (``attrs['open_top_age']``), provenance (file names, sha256) in ``attrs``.

    Raises
    ------
    forecast.errors.InputError
        One line naming the file, line and column: a missing file or column, a cell
        that is not a number, a negative value, a missing single age, a duplicate
        row, "All ages" or persons rows that disagree with the single ages.
    """
    files = _expand(paths)
    records = pd.concat([_records(n, d) for n, d in files], ignore_index=True)
    attrs = {"source_format": "ONS SNPP CSV", **provenance(files)}
    return build_cube(records, attrs=attrs, age_field="AGE_GROUP")
