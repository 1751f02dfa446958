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
males + females single ages (to within :data:`~forecast.population.readers._common.ALL_AGES_TOLERANCE`).

**Speed.**  The national files (296 districts × 92 age rows × 26 years per sex) are read
without a Python loop over rows: the year columns are parsed as numbers by pandas' C
parser, and ``SEX``, ``AGE_GROUP`` and ``AREA_*`` labels are parsed once per distinct
label.  A file that does not parse that way (a cell that is not a number, a thousands
separator, a malformed line) is read again column by column as text, which finds the
first bad cell and names its line and column exactly as before.
"""

from __future__ import annotations

import io
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
    SEX_CODES,
    Records,
    build_cube,
    check_header,
    decode_text,
    parse_age,
    parse_sex,
    provenance,
    read_csv_text,
    require_columns,
    text_encoding,
    to_numbers,
)

__all__ = ["read_snpp", "SNPP_COLUMNS"]

#: The columns before the years, as ONS names them.
SNPP_COLUMNS = ("AREA_CODE", "AREA_NAME", "COMPONENT", "SEX", "AGE_GROUP")
_ID_COLUMNS = SNPP_COLUMNS
_YEAR = re.compile(r"^\d{4}$")

PathArg = str | PathLike


def folder_inputs(folder: Path) -> list[Path]:
    """The files of a folder the reader opens, in its order: the CSVs, then the zips."""
    return sorted(folder.glob("*.csv")) + sorted(folder.glob("*.zip"))


def _expand(paths: PathArg | Iterable[PathArg]) -> list[tuple[str, bytes]]:
    """Paths, folders and zips → a list of (name, bytes) CSV members (within the limits)."""
    if isinstance(paths, (str, PathLike)):
        paths = [paths]
    out: list[tuple[str, bytes]] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            found = folder_inputs(p)
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


def _ids(df: pd.DataFrame, cols: dict[str, str], name: str, lines: np.ndarray):
    """Rows of population → (codes, names, sex, age, open, total) arrays, with the checks
    (in the order the text reader makes them: SEX, AGE_GROUP, AREA_CODE)."""
    sex_codes, sex_u = pd.factorize(df[cols["SEX"]].to_numpy(dtype=object))
    sex_parsed = [parse_sex(s) for s in sex_u]
    bad = [i for i, s in enumerate(sex_parsed) if s is None]
    if bad:
        i = int(np.flatnonzero(np.isin(sex_codes, bad))[0])
        raise InputError(
            f"unknown SEX {df[cols['SEX']].iloc[i]!r} (expected males, females or persons)",
            file=name, field="SEX", line=int(lines[i]),
        )
    sex = np.array([SEX_CODES.index(s) for s in sex_parsed], dtype=np.int8)[sex_codes]

    age_codes, age_u = pd.factorize(df[cols["AGE_GROUP"]].to_numpy(dtype=object))
    age_parsed = [parse_age(a) for a in age_u]
    bad = [i for i, p in enumerate(age_parsed) if p[0] is None and not p[2]]
    if bad:
        i = int(np.flatnonzero(np.isin(age_codes, bad))[0])
        raise InputError(
            f"cannot read AGE_GROUP {df[cols['AGE_GROUP']].iloc[i]!r} (expected 0..89, '90 and over', 'All ages')",
            file=name, field="AGE_GROUP", line=int(lines[i]),
        )
    age = np.array([-1 if p[0] is None else p[0] for p in age_parsed], dtype=np.int64)[age_codes]
    open_ = np.array([p[1] for p in age_parsed], dtype=bool)[age_codes]
    total = np.array([p[2] for p in age_parsed], dtype=bool)[age_codes]

    code_codes, code_u = pd.factorize(df[cols["AREA_CODE"]].to_numpy(dtype=object))
    code_u = np.array([str(c).strip() for c in code_u], dtype=object)
    codes = code_u[code_codes]
    empty = code_u == ""
    if empty.any():
        i = int(np.flatnonzero(empty[code_codes])[0])
        raise InputError("empty AREA_CODE", file=name, field="AREA_CODE", line=int(lines[i]))
    name_codes, name_u = pd.factorize(df[cols["AREA_NAME"]].to_numpy(dtype=object))
    names = np.array([str(n).strip() for n in name_u], dtype=object)[name_codes]
    return codes, names, sex, age, open_, total


def _population_rows(df: pd.DataFrame, cols: dict[str, str], name: str) -> np.ndarray:
    comp = df[cols["COMPONENT"]].to_numpy(dtype=object)
    c_codes, c_u = pd.factorize(comp)
    keep = np.array([str(c).strip().casefold() == "population" for c in c_u], dtype=bool)[c_codes]
    if not keep.any():
        raise InputError("no rows with COMPONENT 'Population'", file=name, field="COMPONENT")
    return keep


def _fast(name: str, data: bytes, encoding: str) -> Records | None:
    """The numeric fast path; ``None`` when the file needs the cell-by-cell text reader."""
    try:
        header = pd.read_csv(io.BytesIO(data), nrows=0, skipinitialspace=True, encoding=encoding).columns
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, UnicodeError):
        return None
    stripped = [str(c).strip() for c in header]
    if len(set(stripped)) != len(stripped):
        return None
    lookup = {c.casefold(): c for c in stripped}
    year_cols = [c for c in stripped if _YEAR.match(c)]
    if not year_cols or any(c.casefold() not in lookup for c in _ID_COLUMNS):
        return None  # the text reader says what is missing, after any malformed line
    cols = {c: lookup[c.casefold()] for c in _ID_COLUMNS}
    dtypes = {raw: (np.float64 if s in year_cols else object) for raw, s in zip(header, stripped)}
    try:
        df = pd.read_csv(io.BytesIO(data), dtype=dtypes, keep_default_na=False, na_filter=False,
                         skipinitialspace=True, encoding=encoding)
    except (ValueError, UnicodeError, pd.errors.ParserError):
        return None
    df.columns = stripped
    lines = np.arange(len(df), dtype=np.int64) + 2  # header is line 1
    keep = _population_rows(df, cols, name)
    if not keep.all():
        df, lines = df[keep], lines[keep]
    values = df[year_cols].to_numpy(dtype=np.float64)
    if not np.isfinite(values).all() or (values < 0).any():
        return None  # the text reader names the first bad cell
    codes, names, sex, age, open_, total = _ids(df, cols, name, lines)
    return Records.wide(file=name, codes=codes, names=names, sex=sex, age=age, open_=open_, total=total,
                        line=lines, years=[int(c) for c in year_cols], values=values)


def _text(name: str, data: bytes) -> Records:
    """Every cell as text, each column checked in turn: exact errors for any bad cell."""
    df = read_csv_text(data, file=name)
    cols = require_columns(df, _ID_COLUMNS, file=name, layout="an ONS SNPP population file")
    year_cols = [c for c in df.columns if _YEAR.match(c)]
    if not year_cols:
        raise InputError(
            "no year columns (expected columns such as '2022', '2023', … after AGE_GROUP)", file=name
        )
    lines = np.arange(len(df), dtype=np.int64) + 2  # header is line 1
    keep = _population_rows(df, cols, name)
    df, lines = df[keep], lines[keep]
    codes, names, sex, age, open_, total = _ids(df, cols, name, lines)
    line_series = pd.Series(lines, index=df.index)
    values = np.column_stack([
        to_numbers(df[col], file=name, field=f"column {col}", lines=line_series) for col in year_cols
    ])
    return Records.wide(file=name, codes=codes, names=names, sex=sex, age=age, open_=open_, total=total,
                        line=lines, years=[int(c) for c in year_cols], values=values)


def _records(name: str, data: bytes) -> Records:
    head = data[:1 << 16]
    text = decode_text(head if head.strip() else data, file=name)  # empty or binary files: one line
    encoding = text_encoding(data, file=name)  # as read_csv_text decodes it, without a decoded copy
    check_header(text, name)
    fast = _fast(name, data, encoding)
    return fast if fast is not None else _text(name, data)


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
    records = Records.concat([_records(n, d) for n, d in files])
    attrs = {"source_format": "ONS SNPP CSV", **provenance(files)}
    return build_cube(records, attrs=attrs, age_field="AGE_GROUP")
