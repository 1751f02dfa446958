"""Shared by the population readers: cell parsing with locations, and records → cube.

A reader turns its file layout into *records*: one per area × year × sex × age cell, with
the file and line it came from.  :func:`build_cube` checks the records (area names,
duplicates, missing single ages, missing sexes or years, an inconsistent open top age,
"All ages" and persons totals) and places them into the cube of :mod:`forecast.population`.
Every problem is an :class:`~forecast.errors.InputError` naming file, line and field.

Records come either as a long :class:`pandas.DataFrame` (one row per cell: the tidy and
mid-year-estimate readers) or as :class:`Records` — the file's rows (area, name, sex,
age, line) once, and their cells (row, year, value) as numpy arrays — which is how the
SNPP reader hands over a wide file without making a row object per cell.  Both go through
the same vectorised checks (no Python loop over rows or cells); when several problems are
present, the one reported is the one the row-by-row order of the file meets first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
import xarray as xr  # noqa: F401  (return type)

from ...files import read_bytes, sha256_bytes
from ...limits import MAX_AGE
from ...ages import parse_band
from ...errors import ForecastError, InputError
from ..cube import make_cube

#: Largest gap allowed between "All ages" and the sum of single ages, in persons.
#: ONS values carry 3 decimals, so published rows disagree by up to ~0.01 per area
#: (0.009 seen in the 2022-based SNPP; 0.022 for a county summed from districts).
ALL_AGES_TOLERANCE = 0.5

_SEX = {
    "male": "male", "males": "male", "m": "male", "1": "male", "men": "male",
    "female": "female", "females": "female", "f": "female", "2": "female", "women": "female",
    "persons": "persons", "person": "persons", "all": "persons", "all persons": "persons", "p": "persons",
}


def parse_sex(value: str) -> str | None:
    return _SEX.get(str(value).strip().casefold())


def parse_age(label: str) -> tuple[int | None, bool, bool]:
    """An age cell → ``(age, is_open_top, is_total)``; ``(None, False, False)`` if unreadable."""
    s = str(label).strip()
    if s.isdigit():
        return int(s), False, False
    try:
        band = parse_band(s)
    except ForecastError:
        return None, False, False
    if band.lo == 0 and band.hi is None:
        return None, False, True
    if band.hi is None:
        return band.lo, True, False
    if band.hi == band.lo:
        return band.lo, False, False
    return None, False, False


def to_numbers(col: pd.Series, *, file: str, field: str, lines: pd.Series) -> np.ndarray:
    """Parse a text column to floats; the first non-number or negative is an error."""
    text = col.astype(str).str.strip().str.replace(",", "", regex=False)
    num = pd.to_numeric(text, errors="coerce")
    bad = num.isna() | ~np.isfinite(num)
    if bad.any():
        i = np.flatnonzero(bad.to_numpy())[0]
        raise InputError(f"{col.iloc[i]!r} is not a number", file=file, field=field, line=int(lines.iloc[i]))
    neg = num < 0
    if neg.any():
        i = np.flatnonzero(neg.to_numpy())[0]
        raise InputError(f"negative population {col.iloc[i]}", file=file, field=field, line=int(lines.iloc[i]))
    return num.to_numpy(dtype=float)


def _check_header(text: str, file: str) -> None:
    """Refuse a header that repeats a column (pandas would rename the second ``2025.1``)."""
    import csv

    first = text.split("\n", 1)[0]
    try:
        header = [c.strip() for c in next(csv.reader([first]))]
    except (csv.Error, StopIteration):
        return
    seen: set[str] = set()
    for c in header:
        if c and c.casefold() in seen:
            raise InputError(f"column {c!r} appears twice in the header", file=file, line=1, field=c)
        seen.add(c.casefold())


def decode_text(data: bytes, *, file: str) -> str:
    """CSV bytes → text (UTF-8, with or without BOM, else Windows-1252); empty or binary
    files are one-line errors."""
    if not data.strip():
        raise InputError("file is empty", file=file)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as e:  # pragma: no cover - cp1252 decodes almost anything
            raise InputError(f"not a text file ({e.reason})", file=file) from None
    if "\x00" in text[:4096]:
        raise InputError("not a text file (it holds NUL bytes): forecast reads CSV text", file=file)
    return text


def check_header(text: str, file: str) -> None:
    """Refuse a header that repeats a column (pandas would rename the second ``2025.1``)."""
    _check_header(text, file)


def read_csv_text(data: bytes, *, file: str, skip_comments: bool = False) -> pd.DataFrame:
    """Read CSV bytes as text columns; malformed CSV becomes a one-line InputError.

    With ``skip_comments``, lines starting with ``#`` before the header are dropped (their
    text is in ``df.attrs["comments"]``) and line numbers still count them
    (``df.attrs["first_line"]`` is the file line of the first data row).
    """
    import io

    text = decode_text(data, file=file)
    comments: list[str] = []
    if skip_comments:
        lines = text.splitlines(keepends=True)
        while len(comments) < len(lines) and lines[len(comments)].lstrip().startswith("#"):
            comments.append(lines[len(comments)].lstrip("# ").strip())
        text = "".join(lines[len(comments):])
    _check_header(text, file)
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.ParserError as e:
        msg = str(e).strip().splitlines()[-1]
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", msg)
        if m:
            raise InputError(
                f"malformed CSV: expected {m[1]} fields, found {m[3]}", file=file, line=int(m[2]) + len(comments)
            ) from None
        m = re.search(r"EOF inside string starting at row (\d+)", msg)
        if m:  # pandas counts rows from 0 with the header as row 0
            raise InputError("malformed CSV: a quoted field is never closed", file=file,
                             line=int(m[1]) + 1 + len(comments)) from None
        raise InputError("malformed CSV", file=file) from None
    except pd.errors.EmptyDataError:
        raise InputError("file is empty", file=file) from None
    df.columns = [str(c).strip() for c in df.columns]
    df.attrs["comments"] = comments
    df.attrs["first_line"] = len(comments) + 2
    return df


def line_numbers(df: pd.DataFrame) -> pd.Series:
    """The file line of each row (the header is the line before the first row)."""
    return pd.Series(range(df.attrs.get("first_line", 2), df.attrs.get("first_line", 2) + len(df)), index=df.index)


def require_columns(df: pd.DataFrame, required: Iterable[str], *, file: str, layout: str = "") -> dict[str, str]:
    """Case-insensitive column lookup; a missing column is an error naming it.

    The file's own header is never echoed (it may not be a CSV at all); a header that
    looks split by ``;`` or tabs is named as a delimiter problem.
    """
    lookup = {c.casefold(): c for c in df.columns}
    missing = [n for n in required if n.casefold() not in lookup]
    if missing:
        if len(df.columns) == 1 and any(d in df.columns[0] for d in (";", "\t", "|")):
            d = next(d for d in (";", "\t", "|") if d in df.columns[0])
            raise InputError(f"the columns look separated by {d!r}, not commas: save the file as comma-separated CSV",
                             file=file, line=1)
        if len(missing) == len(list(required)):
            what = f"not {layout}: " if layout else ""
            raise InputError(f"{what}expected the columns {', '.join(required)}", file=file, line=1)
        raise InputError(f"missing column '{missing[0]}'", file=file, line=1, field=missing[0])
    return {n: lookup[n.casefold()] for n in required}


def provenance(files: list[tuple[str, bytes]]) -> dict[str, str]:
    return {
        "source": "; ".join(Path(name).name if ":" not in name else name for name, _ in files),
        "sha256": "; ".join(f"{Path(name).name}={sha256_bytes(data)}" for name, data in files),
    }


# ---------------------------------------------------------------------------- records → cube

#: Sex codes of :class:`Records` (``sex`` holds the index).
SEX_CODES = ("male", "female", "persons")


@dataclass
class Records:
    """Rows of population files and their cells, as numpy arrays.

    Row arrays (length R, in the order the files are read): ``area`` and ``name`` (indices
    into ``area_codes`` and ``area_names``), ``sex`` (index into :data:`SEX_CODES`), ``age``
    (−1 for an "All ages" row), ``open`` (the open top age group), ``total`` ("All ages"),
    ``line`` (1-based line in its file) and ``file`` (index into ``files``).

    Cell arrays (length N): ``row`` (index into the rows), ``year`` and ``value``, in the
    order the file's cells are met (a wide file: column by column, each top to bottom).
    """

    area_codes: np.ndarray
    area_names: np.ndarray
    files: list[str]
    area: np.ndarray
    name: np.ndarray
    sex: np.ndarray
    age: np.ndarray
    open: np.ndarray
    total: np.ndarray
    line: np.ndarray
    file: np.ndarray
    row: np.ndarray
    year: np.ndarray
    value: np.ndarray

    @classmethod
    def wide(cls, *, file: str, codes, names, sex: np.ndarray, age: np.ndarray, open_: np.ndarray,
             total: np.ndarray, line: np.ndarray, years: Sequence[int], values: np.ndarray) -> "Records":
        """One wide file: R rows (``codes``, ``names`` … per row) × one value per year
        (``values`` is R × len(years))."""
        area, area_codes = pd.factorize(np.asarray(codes, dtype=object))
        name, area_names = pd.factorize(np.asarray(names, dtype=object))
        n_rows, n_years = values.shape
        return cls(
            area_codes=np.asarray(area_codes, dtype=object), area_names=np.asarray(area_names, dtype=object),
            files=[file], area=area.astype(np.int64), name=name.astype(np.int64),
            sex=np.asarray(sex, dtype=np.int8), age=np.asarray(age, dtype=np.int64),
            open=np.asarray(open_, dtype=bool), total=np.asarray(total, dtype=bool),
            line=np.asarray(line, dtype=np.int64), file=np.zeros(n_rows, dtype=np.int64),
            row=np.tile(np.arange(n_rows, dtype=np.int64), n_years),
            year=np.repeat(np.asarray(years, dtype=np.int64), n_rows),
            value=np.ascontiguousarray(values.T).reshape(-1).astype(float, copy=False),
        )

    @classmethod
    def from_frame(cls, df: pd.DataFrame) -> "Records":
        """Long records (one row per cell: ``area_code, area_name, year, sex, age, open,
        total, value, line, file``)."""
        area, area_codes = pd.factorize(df["area_code"].to_numpy(dtype=object))
        name, area_names = pd.factorize(df["area_name"].to_numpy(dtype=object))
        sex_idx, sex_u = pd.factorize(df["sex"].to_numpy(dtype=object))
        lookup = np.array([SEX_CODES.index(s) for s in sex_u], dtype=np.int8)
        file_idx, files = pd.factorize(df["file"].astype(str).to_numpy(dtype=object))
        n = len(df)
        return cls(
            area_codes=np.asarray(area_codes, dtype=object), area_names=np.asarray(area_names, dtype=object),
            files=[str(f) for f in files], area=area.astype(np.int64), name=name.astype(np.int64),
            sex=lookup[sex_idx], age=df["age"].to_numpy(dtype=np.int64),
            open=df["open"].to_numpy(dtype=bool), total=df["total"].to_numpy(dtype=bool),
            line=df["line"].to_numpy(dtype=np.int64), file=file_idx.astype(np.int64),
            row=np.arange(n, dtype=np.int64), year=df["year"].to_numpy(dtype=np.int64),
            value=df["value"].to_numpy(dtype=float),
        )

    @classmethod
    def concat(cls, parts: Sequence["Records"]) -> "Records":
        """Records of several files, one after the other."""
        if len(parts) == 1:
            return parts[0]
        codes = pd.Index(pd.unique(np.concatenate([p.area_codes for p in parts])))
        names = pd.Index(pd.unique(np.concatenate([p.area_names for p in parts])))
        files: list[str] = []
        rows_before, out = 0, {k: [] for k in ("area", "name", "sex", "age", "open", "total", "line", "file",
                                              "row", "year", "value")}
        for p in parts:
            out["area"].append(codes.get_indexer(p.area_codes)[p.area])
            out["name"].append(names.get_indexer(p.area_names)[p.name])
            out["file"].append(p.file + len(files))
            out["row"].append(p.row + rows_before)
            for k in ("sex", "age", "open", "total", "line", "year", "value"):
                out[k].append(getattr(p, k))
            files.extend(p.files)
            rows_before += len(p.area)
        return cls(area_codes=np.asarray(codes, dtype=object), area_names=np.asarray(names, dtype=object),
                   files=files, **{k: np.concatenate(v) for k, v in out.items()})


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _first_by_line(idx: np.ndarray, lines: np.ndarray) -> int:
    """Of the records ``idx`` (in record order), the one on the smallest line (ties: the
    first met)."""
    return int(idx[np.argsort(lines, kind="stable")[0]])


def build_cube(records: pd.DataFrame | Records, *, attrs: dict[str, str], age_field: str = "age") -> xr.DataArray:
    """Records → cube, with the structural checks of a population file.

    ``records``: a :class:`Records`, or a long DataFrame with columns ``area_code,
    area_name, year, sex, age, open, total, value, file, line`` (``sex`` may be
    ``persons``: those rows and ``total`` rows are used only as cross-checks).
    ``age_field`` is the file's name for the age column.
    """
    if isinstance(records, pd.DataFrame):
        if records.empty:
            raise InputError("no population rows found", file=attrs.get("source"))
        rec = Records.from_frame(records)
    else:
        rec = records
    if len(rec.value) == 0:
        raise InputError("no population rows found", file=attrs.get("source"))
    files, codes = rec.files, rec.area_codes
    first_file = files[rec.file[rec.row[0]]]

    def where(r: int) -> dict:
        return {"file": files[rec.file[r]], "line": int(rec.line[r])}

    # area names must be consistent per code (rows meet names in the order records do)
    _check_names(rec)

    has_cells = np.zeros(len(rec.area), dtype=bool)
    has_cells[rec.row] = True
    cell_row = ~rec.total & (rec.sex != 2) & has_cells  # rows whose cells go into the cube
    cmask = cell_row[rec.row]
    if not cmask.any():
        raise InputError(
            "no male or female rows: forecast needs the males and females populations (persons alone cannot carry sex-specific rates)",
            file=first_file,
        )
    cidx = np.flatnonzero(cmask)
    c_row = rec.row[cidx]
    yc, yu = pd.factorize(rec.year[cidx])
    years = np.sort(np.asarray(yu, dtype=np.int64))
    rank = np.empty(len(yu), dtype=np.int64)
    rank[np.argsort(np.asarray(yu), kind="stable")] = np.arange(len(yu))
    ycode = rank[yc]
    n_y = len(years)

    _check_duplicates(rec, cidx, c_row, ycode, n_y)

    # open top age: exactly one, the highest age
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
        raise InputError(f"open top age group {top}+ is above {MAX_AGE} (forecast.limits.MAX_AGE)", **where(r),
                         field=age_field)
    above = cell_row & (rec.age > top)
    if above.any():
        r = _first(above)
        raise InputError(f"age {rec.age[r]} is above the open top age group {top}+", **where(r), field=age_field)
    open_wrong = cell_row & (rec.age == top) & ~rec.open
    if open_wrong.any():
        raise InputError(f"age {top} appears both as a single age and as the open group {top}+",
                         **where(_first(open_wrong)), field=age_field)

    # areas in the order the cells meet them; every area × year × sex needs every age 0..top
    areas = pd.unique(rec.area[cell_row])
    n_a = len(areas)
    area_pos = np.full(len(codes), -1, dtype=np.int64)
    area_pos[areas] = np.arange(n_a)
    group = (area_pos[rec.area[c_row]] * n_y + ycode) * 2 + rec.sex[c_row]
    counts = np.bincount(group, minlength=n_a * n_y * 2)
    short = np.flatnonzero(counts != top + 1)
    if len(short):
        _missing_ages(rec, short[0], group, c_row, areas, years, top, first_file, age_field)

    arr = np.empty(n_a * n_y * 2 * (top + 1))
    arr[group * (top + 1) + rec.age[c_row]] = rec.value[cidx]
    arr = arr.reshape(n_a, n_y, 2, top + 1)
    _check_totals(rec, arr, area_pos, years)

    name_of = np.empty(len(codes), dtype=np.int64)
    name_of[rec.area[::-1]] = rec.name[::-1]  # each code's name on its first row
    return make_cube(
        arr,
        areas=[str(c) for c in codes[areas]],
        area_names=[str(n) for n in rec.area_names[name_of[areas]]],
        years=[int(y) for y in years],
        ages=range(top + 1),
        open_top_age=top,
        attrs=attrs,
    )


def _check_names(rec: Records) -> None:
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
                     file=rec.files[rec.file[r]], line=int(rec.line[r]), field="area_name")


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
    top = arr.shape[3] - 1

    def locate(idx):
        rows = rec.row[idx]
        a = area_pos[rec.area[rows]]
        y = np.minimum(np.searchsorted(years, rec.year[idx]), len(years) - 1)
        found = (a >= 0) & (years[y] == rec.year[idx])
        return rows, np.where(found, a, 0), y, found

    tidx = np.flatnonzero(rec.total[rec.row])
    if len(tidx):
        rows, a, y, found = locate(tidx)
        by_sex = arr.sum(axis=3)
        sx = rec.sex[rows]
        summed = np.where(sx < 2, by_sex[a, y, np.minimum(sx, 1)], by_sex[a, y].sum(axis=-1))
        bad = found & (np.abs(summed - rec.value[tidx]) > ALL_AGES_TOLERANCE)
        if bad.any():
            k = _first_by_line(np.flatnonzero(bad), rec.line[rows[bad]])
            r = rows[k]
            raise InputError(
                f"'All ages' is {rec.value[tidx[k]]:,.3f} but the single ages add to {summed[k]:,.3f} "
                f"(area {rec.area_codes[rec.area[r]]}, {SEX_CODES[rec.sex[r]]}, year {rec.year[tidx[k]]})",
                file=rec.files[rec.file[r]], line=int(rec.line[r]),
            )
    pidx = np.flatnonzero(((rec.sex == 2) & ~rec.total)[rec.row])
    if len(pidx):
        rows, a, y, found = locate(pidx)
        age = rec.age[rows]
        found &= (age >= 0) & (age <= top)
        if not found.all():
            k = _first_by_line(np.flatnonzero(~found), rec.line[rows[~found]])
            raise InputError(f"area {rec.area_codes[rec.area[rows[k]]]} has persons rows but no males/females rows",
                             file=rec.files[rec.file[rows[k]]], line=int(rec.line[rows[k]]))
        summed = arr[a, y, 0, age] + arr[a, y, 1, age]
        bad = np.abs(summed - rec.value[pidx]) > ALL_AGES_TOLERANCE
        if bad.any():
            k = _first_by_line(np.flatnonzero(bad), rec.line[rows[bad]])
            r = rows[k]
            raise InputError(
                f"persons {rec.value[pidx[k]]:,.3f} differs from males + females {summed[k]:,.3f} "
                f"(area {rec.area_codes[rec.area[r]]}, age {rec.age[r]}, year {rec.year[pidx[k]]})",
                file=rec.files[rec.file[r]], line=int(rec.line[r]),
            )
