"""Records → cube: :func:`build_cube` runs the checks of :mod:`._checks` on the records of
a population file and places the male and female cells into the cube of
:mod:`forecast.population` ("All ages" and persons rows serve only as cross-checks).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from ...errors import InputError
from ..cube import make_cube
from ._checks import _check_complete, _check_duplicates, _check_names, _check_totals, _open_top
from ._records import Records


def build_cube(records: pd.DataFrame | Records, *, attrs: dict[str, str], age_field: str = "age") -> xr.DataArray:
    """Records → cube, with the structural checks of a population file.

    ``records``: a :class:`Records`, or a long DataFrame with columns ``area_code,
    area_name, year, sex, age, open, total, value, file, line`` (``sex`` may be
    ``persons``: those rows and ``total`` rows are used only as cross-checks).
    ``age_field`` is the file's name for the age column.
    """
    rec = _as_records(records, attrs)
    first_file = rec.files[rec.file[rec.row[0]]]
    _check_names(rec)
    cell_row, cidx = _cells(rec, first_file)
    c_row = rec.row[cidx]
    years, ycode = _year_codes(rec.year[cidx])
    _check_duplicates(rec, cidx, c_row, ycode, len(years))
    top = _open_top(rec, cell_row, first_file, age_field)
    areas, area_pos, group = _cell_groups(rec, cell_row, c_row, ycode, len(years))
    _check_complete(rec, group, c_row, areas, years, top, first_file, age_field)
    arr = np.empty(len(areas) * len(years) * 2 * (top + 1))
    arr[group * (top + 1) + rec.age[c_row]] = rec.value[cidx]
    arr = arr.reshape(len(areas), len(years), 2, top + 1)
    _check_totals(rec, arr, area_pos, years)
    return _cube(rec, arr, areas, years, top, attrs)


def _as_records(records: pd.DataFrame | Records, attrs: dict[str, str]) -> Records:
    """:class:`Records` of a long DataFrame (or the records given); none is an error."""
    if isinstance(records, pd.DataFrame):
        if records.empty:
            raise InputError("no population rows found", file=attrs.get("source"))
        rec = Records.from_frame(records)
    else:
        rec = records
    if len(rec.value) == 0:
        raise InputError("no population rows found", file=attrs.get("source"))
    return rec


def _cells(rec: Records, first_file: str) -> tuple[np.ndarray, np.ndarray]:
    """The rows whose cells go into the cube (male and female single ages), and those cells."""
    has_cells = np.zeros(len(rec.area), dtype=bool)
    has_cells[rec.row] = True
    cell_row = ~rec.total & (rec.sex != 2) & has_cells
    cmask = cell_row[rec.row]
    if not cmask.any():
        raise InputError(
            "no male or female rows: forecast needs the males and females populations (persons alone cannot carry sex-specific rates)",
            file=first_file,
        )
    return cell_row, np.flatnonzero(cmask)


def _year_codes(cell_years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The years in order, and each cell's position among them."""
    yc, yu = pd.factorize(cell_years)
    years = np.sort(np.asarray(yu, dtype=np.int64))
    rank = np.empty(len(yu), dtype=np.int64)
    rank[np.argsort(np.asarray(yu), kind="stable")] = np.arange(len(yu))
    return years, rank[yc]


def _cell_groups(rec: Records, cell_row: np.ndarray, c_row: np.ndarray, ycode: np.ndarray, n_y: int):
    """The areas in the order the cells meet them, each area code's position among them
    (−1: none), and each cell's area × year × sex group."""
    areas = pd.unique(rec.area[cell_row])
    area_pos = np.full(len(rec.area_codes), -1, dtype=np.int64)
    area_pos[areas] = np.arange(len(areas))
    group = (area_pos[rec.area[c_row]] * n_y + ycode) * 2 + rec.sex[c_row]
    return areas, area_pos, group


def _cube(rec: Records, arr: np.ndarray, areas: np.ndarray, years: np.ndarray, top: int,
          attrs: dict[str, str]) -> xr.DataArray:
    name_of = np.empty(len(rec.area_codes), dtype=np.int64)
    name_of[rec.area[::-1]] = rec.name[::-1]  # each code's name on its first row
    return make_cube(
        arr,
        areas=[str(c) for c in rec.area_codes[areas]],
        area_names=[str(n) for n in rec.area_names[name_of[areas]]],
        years=[int(y) for y in years],
        ages=range(top + 1),
        open_top_age=top,
        attrs=attrs,
    )
