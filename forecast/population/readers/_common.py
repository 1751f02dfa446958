"""Shared by the population readers: cell parsing with locations, and long → cube.

A reader turns its file layout into *records*: one row per area × year × sex × age
cell, with the file and line it came from.  :func:`build_cube` checks the records
(duplicates, missing single ages, missing sexes or years, an inconsistent open top
age, "All ages" totals) and pivots them into the cube of :mod:`forecast.population`.
Every problem is an :class:`~forecast.errors.InputError` naming file, line and field.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd
import xarray as xr  # noqa: F401  (return type)

from ...files import read_bytes, sha256_bytes
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


def read_csv_text(data: bytes, *, file: str, skip_comments: bool = False) -> pd.DataFrame:
    """Read CSV bytes as text columns; malformed CSV becomes a one-line InputError.

    With ``skip_comments``, lines starting with ``#`` before the header are dropped (their
    text is in ``df.attrs["comments"]``) and line numbers still count them
    (``df.attrs["first_line"]`` is the file line of the first data row).
    """
    import io

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


def build_cube(records: pd.DataFrame, *, attrs: dict[str, str], age_field: str = "age") -> xr.DataArray:
    """Records → cube, with the structural checks of a population file.

    ``records`` columns: ``area_code, area_name, year, sex, age, open, total, value,
    file, line`` (``sex`` may be ``persons``: those rows and ``total`` rows are used
    only as cross-checks).  ``age_field`` is the file's name for the age column.
    """
    if records.empty:
        raise InputError("no population rows found", file=attrs.get("source"))
    first = records.iloc[0]

    # area names must be consistent per code
    names = records.drop_duplicates(["area_code", "area_name"])
    dup_name = names["area_code"].duplicated()
    if dup_name.any():
        r = names[dup_name].iloc[0]
        raise InputError(
            f"area {r.area_code} has two names ({', '.join(names[names.area_code == r.area_code].area_name)})",
            file=r.file, line=int(r.line), field="area_name",
        )

    cells = records[~records["total"]]
    persons = cells[cells["sex"] == "persons"]
    cells = cells[cells["sex"] != "persons"]
    if cells.empty:
        raise InputError(
            "no male or female rows: forecast needs the males and females populations (persons alone cannot carry sex-specific rates)",
            file=first.file,
        )

    key = ["area_code", "year", "sex", "age"]
    dup = cells.duplicated(key, keep=False)
    if dup.any():
        d = cells[dup].sort_values(key + ["line"])
        a, b = d.iloc[0], d.iloc[1]
        raise InputError(
            f"duplicate row for area {a.area_code}, {a.sex}, age {a.age}, year {a.year} (also at {b.file} line {b.line})",
            file=a.file, line=int(a.line),
        )

    # open top age: exactly one, the highest age
    opens = cells.loc[cells["open"], "age"].unique()
    if len(opens) == 0:
        raise InputError(
            "no open top age group (such as '90 and over' or '90+'): forecast needs the last age to be open",
            file=first.file, field=age_field,
        )
    if len(opens) > 1:
        raise InputError(f"more than one open top age group ({', '.join(f'{a}+' for a in sorted(opens))})", file=first.file, field=age_field)
    top = int(opens[0])
    above = cells[cells["age"] > top]
    if not above.empty:
        r = above.iloc[0]
        raise InputError(f"age {r.age} is above the open top age group {top}+", file=r.file, line=int(r.line), field=age_field)
    open_wrong = cells[(cells["age"] == top) & ~cells["open"]]
    if not open_wrong.empty:
        r = open_wrong.iloc[0]
        raise InputError(f"age {top} appears both as a single age and as the open group {top}+", file=r.file, line=int(r.line), field=age_field)

    areas = list(dict.fromkeys(cells["area_code"]))
    years = sorted(cells["year"].unique())
    sexes = ["male", "female"]
    area_names = names.drop_duplicates("area_code").set_index("area_code")["area_name"]

    # every area × year × sex must have every age 0..top
    counts = cells.groupby(["area_code", "year", "sex"]).size()
    full = pd.MultiIndex.from_product([areas, years, sexes], names=["area_code", "year", "sex"])
    counts = counts.reindex(full, fill_value=0)
    short = counts[counts != top + 1]
    if not short.empty:
        area, year, sex = short.index[0]
        got = set(cells.loc[(cells.area_code == area) & (cells.year == year) & (cells.sex == sex), "age"])
        where = cells[(cells.area_code == area) & (cells.sex == sex)]
        file = where.file.iloc[0] if not where.empty else first.file
        if not got:
            if cells[(cells.area_code == area) & (cells.sex == sex)].empty:
                raise InputError(f"area {area} has no {sex} rows (give the {sex}s file as well)", file=first.file)
            raise InputError(f"no rows for area {area}, {sex}, year {year}", file=file)
        missing = [a for a in range(top + 1) if a not in got]
        label = ", ".join(str(a) for a in missing[:5]) + (" …" if len(missing) > 5 else "")
        raise InputError(
            f"area {area}, {sex}, year {year}: missing single age(s) {label} (ages 0..{top - 1} and {top}+ are needed)",
            file=file, field=age_field,
        )

    arr = (
        cells.set_index(key)["value"]
        .reindex(pd.MultiIndex.from_product([areas, years, sexes, range(top + 1)], names=key))
        .to_numpy()
        .reshape(len(areas), len(years), len(sexes), top + 1)
    )
    _check_totals(cells, records[records["total"]], persons)
    return make_cube(
        arr,
        areas=areas,
        area_names=[area_names[a] for a in areas],
        years=[int(y) for y in years],
        ages=range(top + 1),
        open_top_age=top,
        attrs=attrs,
    )


def _check_totals(cells: pd.DataFrame, totals: pd.DataFrame, persons: pd.DataFrame) -> None:
    """'All ages' rows must equal the sum of single ages; persons must equal males + females."""
    if not totals.empty:
        by_sex = cells.groupby(["area_code", "year", "sex"], as_index=False)["value"].sum()
        both = by_sex.groupby(["area_code", "year"], as_index=False)["value"].sum().assign(sex="persons")
        sums = pd.concat([by_sex, both], ignore_index=True).rename(columns={"value": "summed"})
        m = totals.merge(sums, on=["area_code", "year", "sex"], how="inner")
        bad = (m["summed"] - m["value"]).abs() > ALL_AGES_TOLERANCE
        if bad.any():
            r = m[bad].sort_values("line").iloc[0]
            raise InputError(
                f"'All ages' is {r.value:,.3f} but the single ages add to {r.summed:,.3f} "
                f"(area {r.area_code}, {r.sex}, year {r.year})",
                file=r.file, line=int(r.line),
            )
    if not persons.empty:
        both = cells.groupby(["area_code", "year", "age"], as_index=False)["value"].sum().rename(columns={"value": "summed"})
        m = persons.merge(both, on=["area_code", "year", "age"], how="left")
        orphan = m["summed"].isna()
        if orphan.any():
            r = m[orphan].sort_values("line").iloc[0]
            raise InputError(f"area {r.area_code} has persons rows but no males/females rows", file=r.file, line=int(r.line))
        bad = (m["summed"] - m["value"]).abs() > ALL_AGES_TOLERANCE
        if bad.any():
            r = m[bad].sort_values("line").iloc[0]
            raise InputError(
                f"persons {r.value:,.3f} differs from males + females {r.summed:,.3f} "
                f"(area {r.area_code}, age {r.age}, year {r.year})",
                file=r.file, line=int(r.line),
            )
