"""The structural checks of records on their way to a cube: area names, duplicate cells,
the open top age, missing single ages, sexes or years, and "All ages" and persons totals.

All are vectorised (no Python loop over rows or cells); when several problems are present,
the one reported is the one the row-by-row order of the file meets first.  Every problem
is an :class:`~forecast.errors.InputError` naming file, line and field.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import InputError
from ...limits import MAX_AGE
from ._records import SEX_CODES, Records

#: Largest gap allowed between "All ages" and the sum of single ages, in persons.
#: ONS values carry 3 decimals, so published rows disagree by up to ~0.01 per area
#: (0.009 seen in the 2022-based SNPP; 0.022 for a county summed from districts).
ALL_AGES_TOLERANCE = 0.5


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _first_by_line(idx: np.ndarray, lines: np.ndarray) -> int:
    """Of the records ``idx`` (in record order), the one on the smallest line (ties: the
    first met)."""
    return int(idx[np.argsort(lines, kind="stable")[0]])


def _where(rec: Records, r: int) -> dict:
    """The file and line of row ``r``."""
    return {"file": rec.files[rec.file[r]], "line": int(rec.line[r])}


def _check_names(rec: Records) -> None:
    """Each area code has one name (rows meet names in the order records do)."""
    pair = rec.area * max(len(rec.area_names), 1) + rec.name
    _, first = np.unique(pair, return_index=True)
    if len(first) == len(rec.area_codes):
        return
    first.sort()  # (code, name) pairs in the order they are met
    pair_area = rec.area[first]
    _, first_of_area = np.unique(pair_area, return_index=True)
    again = np.ones(len(first), dtype=bool)
    again[first_of_area] = False
    k = _first(again)
    a = pair_area[k]
    names = ", ".join(str(rec.area_names[rec.name[r]]) for r in first[pair_area == a])
    r = first[k]
    raise InputError(f"area {rec.area_codes[a]} has two names ({names})",
                     **_where(rec, r), field="area_name")


def _check_duplicates(rec: Records, cidx: np.ndarray, c_row: np.ndarray, ycode: np.ndarray, n_y: int) -> None:
    """No two cells for the same area, year, sex and age."""
    age_code, age_u = pd.factorize(rec.age)
    row_key = (rec.area * 2 + np.minimum(rec.sex, 1)) * len(age_u) + age_code
    key = row_key[c_row] * n_y + ycode
    size = len(rec.area_codes) * 2 * len(age_u) * n_y
    if size <= max(4 * len(key), 1 << 22):
        dup = np.bincount(key, minlength=size)[key] > 1
    else:
        _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
        dup = counts[inverse] > 1
    if not dup.any():
        return
    d_cells, d_rows = cidx[dup], c_row[dup]
    d = pd.DataFrame({
        "area_code": rec.area_codes[rec.area[d_rows]].astype(str), "year": rec.year[d_cells],
        "sex": np.asarray(SEX_CODES, dtype=object)[rec.sex[d_rows]], "age": rec.age[d_rows],
        "line": rec.line[d_rows], "file": np.asarray(rec.files, dtype=object)[rec.file[d_rows]],
    }).sort_values(["area_code", "year", "sex", "age", "line"], kind="stable")
    a, b = d.iloc[0], d.iloc[1]
    raise InputError(
        f"duplicate row for area {a.area_code}, {a.sex}, age {a.age}, year {a.year} (also at {b.file} line {b.line})",
        file=a.file, line=int(a.line),
    )


def _open_top(rec: Records, cell_row: np.ndarray, first_file: str, age_field: str) -> int:
    """The open top age group: exactly one, the highest age, not also a single age."""
    opens = np.unique(rec.age[cell_row & rec.open])
    if len(opens) == 0:
        raise InputError(
            "no open top age group (such as '90 and over' or '90+'): forecast needs the last age to be open",
            file=first_file, field=age_field,
        )
    if len(opens) > 1:
        raise InputError(f"more than one open top age group ({', '.join(f'{a}+' for a in opens)})",
                         file=first_file, field=age_field)
    top = int(opens[0])
    if top > MAX_AGE:
        r = _first(cell_row & rec.open)
        raise InputError(f"open top age group {top}+ is above {MAX_AGE} (forecast.limits.MAX_AGE)", **_where(rec, r),
                         field=age_field)
    above = cell_row & (rec.age > top)
    if above.any():
        r = _first(above)
        raise InputError(f"age {rec.age[r]} is above the open top age group {top}+", **_where(rec, r), field=age_field)
    open_wrong = cell_row & (rec.age == top) & ~rec.open
    if open_wrong.any():
        raise InputError(f"age {top} appears both as a single age and as the open group {top}+",
                         **_where(rec, _first(open_wrong)), field=age_field)
    return top


def _check_complete(rec: Records, group: np.ndarray, c_row: np.ndarray, areas: np.ndarray, years: np.ndarray,
                    top: int, first_file: str, age_field: str) -> None:
    """Every area × year × sex has every age 0..top (``group`` numbers each cell's)."""
    counts = np.bincount(group, minlength=len(areas) * len(years) * 2)
    short = np.flatnonzero(counts != top + 1)
    if len(short):
        _missing_ages(rec, short[0], group, c_row, areas, years, top, first_file, age_field)


def _missing_ages(rec, s, group, c_row, areas, years, top, first_file, age_field) -> None:
    n_y = len(years)
    a, y, sx = s // (n_y * 2), (s // 2) % n_y, s % 2
    area, year, sex = str(rec.area_codes[areas[a]]), int(years[y]), SEX_CODES[sx]
    got = set(rec.age[c_row[group == s]].tolist())
    same = (rec.area[c_row] == areas[a]) & (rec.sex[c_row] == sx)
    file = rec.files[rec.file[c_row[_first(same)]]] if same.any() else first_file
    if not got:
        if not same.any():
            raise InputError(f"area {area} has no {sex} rows (give the {sex}s file as well)", file=first_file)
        raise InputError(f"no rows for area {area}, {sex}, year {year}", file=file)
    missing = [age for age in range(top + 1) if age not in got]
    label = ", ".join(str(age) for age in missing[:5]) + (" …" if len(missing) > 5 else "")
    raise InputError(
        f"area {area}, {sex}, year {year}: missing single age(s) {label} (ages 0..{top - 1} and {top}+ are needed)",
        file=file, field=age_field,
    )




def _check_totals(rec: Records, arr: np.ndarray, area_pos: np.ndarray, years: np.ndarray) -> None:
    """'All ages' rows must equal the sum of single ages; persons must equal males + females."""
    _check_all_ages(rec, arr, area_pos, years)
    _check_persons(rec, arr, area_pos, years)


def _locate(rec: Records, idx: np.ndarray, area_pos: np.ndarray, years: np.ndarray):
    """The rows of cells ``idx``, their area and year positions in the cube, and whether
    the cube has them."""
    rows = rec.row[idx]
    a = area_pos[rec.area[rows]]
    y = np.minimum(np.searchsorted(years, rec.year[idx]), len(years) - 1)
    found = (a >= 0) & (years[y] == rec.year[idx])
    return rows, np.where(found, a, 0), y, found


def _check_all_ages(rec: Records, arr: np.ndarray, area_pos: np.ndarray, years: np.ndarray) -> None:
    tidx = np.flatnonzero(rec.total[rec.row])
    if not len(tidx):
        return
    rows, a, y, found = _locate(rec, tidx, area_pos, years)
    by_sex = arr.sum(axis=3)
    sx = rec.sex[rows]
    summed = np.where(sx < 2, by_sex[a, y, np.minimum(sx, 1)], by_sex[a, y].sum(axis=-1))
    _refuse_off(rec, tidx, rows, summed, found, lambda value, total, r, year: (
        f"'All ages' is {value:,.3f} but the single ages add to {total:,.3f} "
        f"(area {rec.area_codes[rec.area[r]]}, {SEX_CODES[rec.sex[r]]}, year {year})"))


def _check_persons(rec: Records, arr: np.ndarray, area_pos: np.ndarray, years: np.ndarray) -> None:
    top = arr.shape[3] - 1
    pidx = np.flatnonzero(((rec.sex == 2) & ~rec.total)[rec.row])
    if not len(pidx):
        return
    rows, a, y, found = _locate(rec, pidx, area_pos, years)
    age = rec.age[rows]
    found &= (age >= 0) & (age <= top)
    if not found.all():
        k = _first_bad(rec, rows, ~found)
        raise InputError(f"area {rec.area_codes[rec.area[rows[k]]]} has persons rows but no males/females rows",
                         **_where(rec, rows[k]))
    summed = arr[a, y, 0, age] + arr[a, y, 1, age]
    _refuse_off(rec, pidx, rows, summed, True, lambda value, total, r, year: (
        f"persons {value:,.3f} differs from males + females {total:,.3f} "
        f"(area {rec.area_codes[rec.area[r]]}, age {rec.age[r]}, year {year})"))


def _first_bad(rec: Records, rows: np.ndarray, bad: np.ndarray) -> int:
    """Of the cells flagged ``bad`` (on rows ``rows``), the index of the one on the smallest line."""
    return _first_by_line(np.flatnonzero(bad), rec.line[rows[bad]])


def _refuse_off(rec: Records, idx: np.ndarray, rows: np.ndarray, summed: np.ndarray, among, describe) -> None:
    """Refuse the first cell (by line) of ``idx`` (``among`` those flagged) whose value is more
    than :data:`ALL_AGES_TOLERANCE` from ``summed``, in the words of
    ``describe(value, summed, row, year)``."""
    bad = among & (np.abs(summed - rec.value[idx]) > ALL_AGES_TOLERANCE)
    if bad.any():
        k = _first_bad(rec, rows, bad)
        raise InputError(describe(rec.value[idx[k]], summed[k], rows[k], rec.year[idx[k]]), **_where(rec, rows[k]))
