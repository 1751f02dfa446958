"""Readers of the two workbook layouts of the download catalogue
(:mod:`forecast.population.download`):

* :func:`read_myeb1_workbook` — ONS MYEB1 (mid-year estimates, detailed time series):
  sheet ``MYEB1``, header ``ladcode23, laname23, country, sex, age, population_2011 …`` on
  the second row; ``sex`` m/f (or 1/2), ``age`` 0-90 with 90 = 90 and over.
* :func:`read_npp_zip` — ONS national population projections (z3 zip of machine-readable
  workbooks ``en_<variant>_machine_readable.xlsx``): sheet ``Population``, ``Sex, Age, <years>``;
  ages ``105 - 109`` and ``110 and over`` are summed into one open group 105+.

Both go through the same checks as the CSV readers (:func:`forecast.population.readers._common.build_cube`),
and their errors name the workbook, sheet, spreadsheet row and column (the cells are read by
:mod:`forecast.population.workbooks`).
"""

from __future__ import annotations

import re
import zipfile
from os import PathLike
from pathlib import Path

import numpy as np
import xarray as xr

from ..ages import parse_band
from ..errors import ForecastError, InputError
from ..files import check_regular_file, read_bytes, sha256_bytes
from ..limits import MAX_DECOMPRESSED_BYTES
from .readers._common import Records, build_cube, parse_sex  # noqa: F401  (parse_sex: importable from here)
from .workbooks import _data_rows, _labels, _num, _numbers, _sexes, _sheet_rows, _workbook  # noqa: F401

__all__ = ["read_myeb1_workbook", "read_npp_zip", "npp_variants", "NPP_MEMBER"]

PathArg = str | PathLike

#: A workbook of an ONS NPP zip: ``en_ppp_machine_readable.xlsx`` (group 1: the variant code).
NPP_MEMBER = re.compile(r"(?:^|/)[a-z]{2}_([a-z]{3})_machine_readable\.xlsx$", re.IGNORECASE)


def npp_variants(path: PathArg) -> list[str]:
    """The variant codes (``ppp``, ``hpp`` …) of the workbooks in an ONS NPP zip; a one-line
    error if it is not a zip."""
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
    except (zipfile.BadZipFile, OSError):
        raise InputError("not a zip file", file=path) from None
    return sorted({m[1].casefold() for n in names if not n.startswith("__MACOSX") and (m := NPP_MEMBER.search(n))})


# ---------------------------------------------------------------------------- MYEB1

def read_myeb1_workbook(path: PathArg, *, sheet: str = "MYEB1") -> xr.DataArray:
    """ONS mid-year estimates, detailed time series workbook (sheet MYEB1) → cube.

    Every area of the sheet is kept (England and Wales); ``age`` 90 is the open group
    "90 and over".  Errors name the workbook and sheet, the spreadsheet row and column."""
    path = Path(path)
    data = read_bytes(path)
    name = f"{path}:{sheet}"
    rows = _sheet_rows(_workbook(data, str(path)), sheet, str(path))
    head, header, columns, years = _myeb1_header(rows, name)
    block, lines = _data_rows(rows, head + 1)
    if not block:
        raise InputError("no data rows", file=name)
    rec = _myeb1_records(block, lines, header, columns, years, name)
    return build_cube(rec, attrs={"source_format": "ONS MYEB1 workbook", "source": name,
                                  "sha256": f"{path.name}={sha256_bytes(data)}"}, age_field=header[columns[3]])


def _myeb1_header(rows: list[tuple], name: str):
    """The header row's index, its cells, the columns (code, name, sex, age) and the year
    columns ``[(column, year)]``."""
    head = next((i for i, r in enumerate(rows[:20])
                 if any(isinstance(c, str) and c.strip().casefold().startswith("ladcode") for c in r)), None)
    if head is None:
        raise InputError("no header row with a 'ladcode…' column in the first 20 rows (expected ladcode23, "
                         "laname23, country, sex, age, population_2011 …)", file=name)
    header = ["" if c is None else str(c).strip() for c in rows[head]]
    low = [h.casefold() for h in header]

    def col(pred, label):
        for j, h in enumerate(low):
            if pred(h):
                return j
        raise InputError(f"missing column '{label}'", file=name, line=head + 1, field=label)

    c_code = col(lambda h: h.startswith("ladcode"), "ladcode")
    c_name = next((j for j, h in enumerate(low) if h.startswith("laname")), c_code)
    c_sex, c_age = col(lambda h: h == "sex", "sex"), col(lambda h: h == "age", "age")
    years = [(j, int(m[1])) for j, h in enumerate(low) if (m := re.fullmatch(r"population_(\d{4})", h))]
    if not years:
        raise InputError("no population_YYYY columns", file=name, line=head + 1)
    return head, header, (c_code, c_name, c_sex, c_age), years


def _myeb1_age(v) -> int | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return int(f) if f == int(f) and f >= 0 else None


def _myeb1_records(block: list[tuple], lines: np.ndarray, header: list[str], columns: tuple[int, int, int, int],
                   years: list[tuple[int, int]], name: str) -> Records:
    c_code, c_name, c_sex, c_age = columns
    codes = [str(r[c_code]).strip() if r[c_code] is not None else "" for r in block]
    empty = [i for i, c in enumerate(codes) if c == ""]
    if empty:
        raise InputError(f"empty {header[c_code]}", file=name, field=header[c_code], line=int(lines[empty[0]]))
    names = [str(r[c_name]).strip() if r[c_name] is not None else "" for r in block]
    sex = _sexes(block, c_sex, what="sex (expected m/f or 1/2)", name=name, field=header[c_sex], lines=lines)
    age_codes, age_p = _labels([r[c_age] for r in block], _myeb1_age, what="age (expected a whole number 0-90)",
                               name=name, field=header[c_age], lines=lines)
    age = np.array(age_p, dtype=np.int64)[age_codes]
    values = _numbers(block, [j for j, _ in years], header, lines, name)
    top = int(age.max())
    return Records.wide(file=name, codes=codes, names=names, sex=sex, age=age, open_=age == top,
                        total=np.zeros(len(age), dtype=bool), line=lines, years=[y for _, y in years], values=values)


# ---------------------------------------------------------------------------- NPP

def read_npp_zip(path: PathArg, variant: str = "ppp") -> xr.DataArray:
    """One projection of an ONS NPP zip (``en_<variant>_machine_readable.xlsx``, sheet
    Population) → cube with the one area England (E92000001), ages 0..104 and 105+."""
    path = Path(path)
    member, data = _npp_member(path, variant)
    name = f"{path}:{member}:Population"
    rows = _sheet_rows(_workbook(data, f"{path}:{member}"), "Population", f"{path}:{member}")
    header, years = _npp_header(rows, name)
    block, lines = _data_rows(rows, 1)
    sex = _sexes(block, 0, what="Sex", name=name, field="Sex", lines=lines)
    age_codes, age_p = _labels([r[1] for r in block], _npp_age, what="Age", name=name, field="Age", lines=lines)
    lo = np.array([p[0] for p in age_p], dtype=np.int64)[age_codes]
    hi = np.array([-1 if p[1] is None else p[1] for p in age_p], dtype=np.int64)[age_codes]
    values = _numbers(block, [j for j, _ in years], header, lines, name)
    rec, top = _npp_records(block, lines, sex, lo, hi, values, [y for _, y in years], name)
    return build_cube(rec, attrs={"source_format": "ONS NPP machine-readable workbook", "source": name,
                                  "sha256": f"{Path(member).name}={sha256_bytes(data)}",
                                  "notes": f"the ONS age groups from {top} up are summed into one open group {top}+"},
                      age_field="Age")


def _npp_member(path: Path, variant: str) -> tuple[str, bytes]:
    """The workbook of ``variant`` in the zip: its name and bytes (within the size limit)."""
    check_regular_file(path)
    variant = variant.casefold()
    available = npp_variants(path)
    if variant not in available:
        raise InputError(f"the zip holds no variant {variant!r} (it holds {', '.join(available) or 'none'})", file=path)
    with zipfile.ZipFile(path) as z:
        member = next(n for n in z.namelist() if (m := NPP_MEMBER.search(n)) and m[1].casefold() == variant)
        info = z.getinfo(member)
        if info.file_size > MAX_DECOMPRESSED_BYTES:
            raise InputError(f"{member} decompresses to more than {MAX_DECOMPRESSED_BYTES:,} bytes (forecast.limits)",
                             file=path)
        return member, z.read(member)


def _npp_header(rows: list[tuple], name: str) -> tuple[list[str], list[tuple[int, int]]]:
    """The header's cells (``Sex, Age, <years>``) and the year columns ``[(column, year)]``."""
    if not rows:
        raise InputError("the sheet is empty", file=name)
    header = ["" if c is None else str(c).strip() for c in rows[0]]
    if [h.casefold() for h in header[:2]] != ["sex", "age"]:
        raise InputError("expected the columns Sex, Age, then one column per year", file=name, line=1)
    years = []
    for j, h in enumerate(header[2:], start=2):
        if h == "":
            continue
        try:
            years.append((j, int(float(h))))
        except ValueError:
            raise InputError(f"column {h!r} is not a year", file=name, line=1, field=h) from None
    return header, years


def _npp_age(v) -> tuple[int, int | None] | None:
    """An Age cell → ``(lo, hi)`` (``hi`` ``None``: open); ``None`` if unreadable."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return (int(v), int(v)) if v == int(v) and v >= 0 else None
    try:
        band = parse_band(str(v).strip())
    except ForecastError:
        return None
    return (band.lo, band.hi)


def _npp_records(block: list[tuple], lines: np.ndarray, sex: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                 values: np.ndarray, years: list[int], name: str) -> tuple[Records, int]:
    """Records of England, the groups above the single years (105 - 109, 110 and over)
    summed into one open group; and that group's age."""
    grouped = (hi != lo)
    if not grouped.any():
        raise InputError("no open top age group (such as '110 and over')", file=name, field="Age")
    top = int(lo[grouped].min())
    fold = lo >= top
    if (grouped & ~fold).any() or ((~grouped) & fold).any():
        i = int(np.flatnonzero((grouped & ~fold) | ((~grouped) & fold))[0])
        raise InputError(f"age {block[i][1]!r} overlaps the groups from {top} up", file=name, field="Age",
                         line=int(lines[i]))
    keep = ~fold
    f_sex, f_line, f_val = [], [], []
    for s in np.unique(sex[fold]):
        m = fold & (sex == s)
        f_sex.append(s)
        f_line.append(lines[m][0])
        f_val.append(values[m].sum(axis=0))
    n_k, n_f = int(keep.sum()), len(f_sex)
    rec = Records.wide(
        file=name, codes=["E92000001"] * (n_k + n_f), names=["England"] * (n_k + n_f),
        sex=np.concatenate([sex[keep], np.array(f_sex, dtype=np.int8)]),
        age=np.concatenate([lo[keep], np.full(n_f, top)]),
        open_=np.concatenate([np.zeros(n_k, dtype=bool), np.ones(n_f, dtype=bool)]),
        total=np.zeros(n_k + n_f, dtype=bool),
        line=np.concatenate([lines[keep], np.array(f_line, dtype=np.int64)]),
        years=years, values=np.vstack([values[keep], np.array(f_val).reshape(n_f, len(years))]),
    )
    return rec, top
