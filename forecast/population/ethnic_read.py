"""Reading an ethnic mix: a CSV in one of three forms (:func:`read_ethnic_mix`; see
:mod:`forecast.population.ethnicity`), or a built-in mix by id (:func:`get_ethnic_mix`).

Reading goes in steps: the columns (layout), the values, the rows (with age bands and
sexes), the checks that every row is unique and every cell lists every group, the array,
and the shares (from counts, or percent/share checked to sum to 100%).
"""

from __future__ import annotations

from functools import lru_cache
from os import PathLike
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import xarray as xr

from ..ages import AgeBand, parse_band, parse_bands
from ..errors import ForecastError, InputError
from ..files import data_dir, gunzip, read_bytes, sha256_bytes
from .ethnic_mix import EthnicMix, _shares_from_counts
from .readers._common import line_numbers, male_or_female, read_csv_text, require_columns

#: How far shares may be from 100% (or 1) before they are an error.  Published tables
#: round each group to 0.1%, so nine groups can miss 100 by up to 0.45.
PERCENT_TOLERANCE = 0.5
SHARE_TOLERANCE = 0.005

_VALUE_COLUMNS = ("percent", "share", "count")
_NIL = {"-", "–", "—", ".."}

#: The built-in mix for any English area: Census 2011 DC2101EW, ethnic group by sex by age.
DEFAULT_MIX = "census2011_dc2101ew"
_BUILTIN = {
    "census2011_dc2101ew": "census2011_dc2101ew_lad23.csv.gz",
    "census2021_ts021_llr": "census2021_ts021_llr.csv",
    "census2011_white_by_age_llr": "census2011_white_by_age_llr.csv",
}


def builtin_mixes() -> dict[str, Path]:
    """Built-in mix id → file (``population/ethnicity/``)."""
    folder = data_dir("population") / "ethnicity"
    return {k: folder / v for k, v in _BUILTIN.items()}


@lru_cache(maxsize=8)
def _read_builtin(path: Path) -> "EthnicMix":
    return read_ethnic_mix(path)


def get_ethnic_mix(key: "EthnicMix | str | PathLike") -> EthnicMix:
    """A mix by built-in id (:func:`builtin_mixes`; ``census2011_dc2101ew`` covers every
    English district, region and England by sex and age), by path, or the object."""
    if isinstance(key, EthnicMix):
        return key
    builtin = builtin_mixes()
    if str(key) in builtin:
        return _read_builtin(builtin[str(key)])
    p = Path(key)
    if not p.name.lower().endswith((".csv", ".csv.gz")) and not p.exists():
        raise InputError(f"unknown ethnic mix '{key}' (built-in: {', '.join(builtin)}; or give a CSV file)")
    return read_ethnic_mix(p)


def read_ethnic_mix(path: str | PathLike) -> EthnicMix:
    """Read an ethnic mix CSV (see :mod:`forecast.population.ethnicity` for the three forms).

    Columns: ``area_code``, ``ethnic_group``, one value column — ``percent`` (of the
    area, 0-100), ``share`` (0-1) or ``count`` — and optionally ``area_name``,
    ``age_band`` and ``sex``.  Lines starting with ``#`` before the header are the
    file's source note.  ``-``/``–`` (nil) reads as 0.

    Shares of each area (× band × sex) must sum to 100% within ±0.5 (or 1 within
    ±0.005) and are then rescaled to sum exactly to 1.

    Raises :class:`InputError` naming file, line and field: a missing file or column,
    a value that is not a number, a negative share or count, shares that do not sum to
    100%, a duplicate row, a group missing from one area, overlapping age bands.
    """
    path = Path(path)
    name = str(path)
    raw = read_bytes(path)
    df = read_csv_text(gunzip(raw, name=name) if name.lower().endswith(".gz") else raw, file=name, skip_comments=True)
    # the first two comment lines are the title and the publisher/licence (used in table notes)
    source = " ".join(df.attrs["comments"][:2])
    line_no = line_numbers(df)
    cols = _columns(df, name)
    num = _values(df[cols.value], cols, line_no, name)
    tidy, keys, bands = _rows(df, cols, num, line_no, name)
    _check_unique(tidy, keys, name)
    full = _complete(tidy, keys, name)
    arr = _array(tidy, full, keys, bands)
    shares, counts, form = _shares(arr, cols, bands, name)
    names = {}
    if cols.area_name is not None:
        names = dict(zip(df[cols.area].str.strip(), df[cols.area_name].str.strip()))
    return EthnicMix(
        shares=shares.rename("share"), form=form, bands=bands, counts=counts, area_names=names,
        source=source, file=name, sha256=sha256_bytes(raw),
    )


class _Columns(NamedTuple):
    """The file's names of its columns (``None``: absent)."""

    area: str
    group: str
    value: str
    kind: str  # percent | share | count
    band: str | None
    sex: str | None
    area_name: str | None


def _columns(df: pd.DataFrame, name: str) -> _Columns:
    """The columns; a missing area code or group, or not exactly one value column, is an error."""
    cols = require_columns(df, ["area_code"], file=name)
    lookup = {c.casefold(): c for c in df.columns}
    group_col = lookup.get("ethnic_group") or lookup.get("ethnicity")
    if group_col is None:
        raise InputError("missing column 'ethnic_group'", file=name, field="ethnic_group")
    values = [lookup[v] for v in _VALUE_COLUMNS if v in lookup]
    if len(values) != 1:
        raise InputError(
            "needs exactly one value column: percent (0-100), share (0-1) or count"
            + (f" (found {', '.join(values)})" if values else ""),
            file=name,
        )
    return _Columns(area=cols["area_code"], group=group_col, value=values[0], kind=values[0].casefold(),
                    band=lookup.get("age_band"), sex=lookup.get("sex"), area_name=lookup.get("area_name"))


def _first(mask: pd.Series) -> int:
    return int(np.flatnonzero(mask.to_numpy())[0])


def _values(col: pd.Series, cols: _Columns, line_no: pd.Series, name: str) -> pd.Series:
    """The value column as numbers (nil as 0, thousands separators dropped): each a number,
    not negative, and a share not above 1."""
    v = col.astype(str).str.strip()
    v = v.mask(v.isin(_NIL), "0").str.replace(",", "", regex=False)
    num = pd.to_numeric(v, errors="coerce")
    vcol, kind = cols.value, cols.kind
    bad = num.isna()
    if bad.any():
        i = _first(bad)
        raise InputError(f"{col.iloc[i]!r} is not a number", file=name, field=vcol, line=int(line_no.iloc[i]))
    if (num < 0).any():
        i = _first(num < 0)
        raise InputError(f"negative {kind} {num.iloc[i]:g}", file=name, field=vcol, line=int(line_no.iloc[i]))
    if kind == "share" and (num > 1).any():
        i = _first(num > 1)
        raise InputError(f"share {num.iloc[i]:g} is above 1 (use a 'percent' column for 0-100)", file=name, field=vcol,
                         line=int(line_no.iloc[i]))
    return num


def _rows(df: pd.DataFrame, cols: _Columns, num: pd.Series, line_no: pd.Series,
          name: str) -> tuple[pd.DataFrame, list[str], tuple[AgeBand, ...] | None]:
    """The rows as ``area, ethnicity, value, line`` (and ``age_band``, ``sex`` where the file
    has them), the keys of a cell row, and the age bands in order."""
    tidy = pd.DataFrame({
        "area": df[cols.area].str.strip(),
        "ethnicity": df[cols.group].str.strip(),
        "value": num.to_numpy(dtype=float),
        "line": line_no.to_numpy(),
    })
    empty = (tidy["area"] == "") | (tidy["ethnicity"] == "")
    if empty.any():
        raise InputError("empty area_code or ethnic_group", file=name, line=int(tidy["line"].iloc[_first(empty)]))
    keys = ["area", "ethnicity"]
    bands = None
    if cols.band is not None:
        bands, tidy["age_band"] = _bands(df[cols.band].str.strip(), cols.band, name)
        keys.insert(1, "age_band")
    if cols.sex is not None:
        tidy["sex"] = male_or_female(df[cols.sex], file=name, field=cols.sex, lines=line_no)
        keys.insert(1, "sex")
    return tidy, keys, bands


def _bands(labels: pd.Series, field: str, name: str) -> tuple[tuple[AgeBand, ...], list[str]]:
    """The age bands in order (not overlapping), and each row's band label."""
    try:
        parsed = {lab: parse_band(lab) for lab in labels.unique()}
        bands = tuple(sorted(parse_bands(list(parsed.values()))))
    except ForecastError as e:
        raise InputError(e.message, file=name, field=field) from None
    return bands, [parsed[x].label for x in labels]


def _check_unique(tidy: pd.DataFrame, keys: list[str], name: str) -> None:
    dup = tidy.duplicated(keys, keep=False)
    if dup.any():
        r = tidy[dup].iloc[0]
        raise InputError(f"duplicate row for {', '.join(str(r[k]) for k in keys)}", file=name, line=int(r.line))


def _complete(tidy: pd.DataFrame, keys: list[str], name: str) -> pd.MultiIndex:
    """Every cell (area × [sex] × [band]) × group, in the file's order; every cell must
    list every group."""
    groups = list(dict.fromkeys(tidy["ethnicity"]))
    cell_keys = [k for k in keys if k != "ethnicity"]
    full = pd.MultiIndex.from_product([list(dict.fromkeys(tidy[k])) for k in cell_keys] + [groups], names=cell_keys + ["ethnicity"])
    present = pd.MultiIndex.from_frame(tidy[cell_keys + ["ethnicity"]])
    missing = full.difference(present)
    if len(missing):
        m = dict(zip(full.names, missing[0]))
        where = ", ".join(f"{k} {m[k]}" for k in cell_keys)
        raise InputError(f"no row for ethnic group {m['ethnicity']!r} in {where} (give 0 if there is none)", file=name)
    return full


def _array(tidy: pd.DataFrame, full: pd.MultiIndex, keys: list[str], bands: tuple[AgeBand, ...] | None) -> xr.DataArray:
    """The values as an array ``(area, [sex], [age_band], ethnicity)``, in the file's order."""
    cell_keys = [k for k in keys if k != "ethnicity"]
    arr = tidy.set_index(cell_keys + ["ethnicity"])["value"].reindex(full).to_xarray()
    dims = ["area"] + (["sex"] if "sex" in keys else []) + (["age_band"] if "age_band" in keys else []) + ["ethnicity"]
    arr = arr.transpose(*dims)
    if bands is not None:
        arr = arr.sel(age_band=[b.label for b in bands])
    # to_xarray sorts labels: put groups and areas back in the file's order (select, never relabel)
    arr = arr.sel(ethnicity=list(dict.fromkeys(tidy["ethnicity"])), area=list(dict.fromkeys(tidy["area"])))
    return arr.assign_coords(ethnicity=arr["ethnicity"].values.astype(object), area=arr["area"].values.astype(object))


def _shares(arr: xr.DataArray, cols: _Columns, bands, name: str) -> tuple[xr.DataArray, xr.DataArray | None, str]:
    """``(shares, counts, form)``: shares from counts, or percent/shares checked to sum to
    100% (1) within the tolerance and rescaled to sum exactly to 1."""
    sex = " and sex" if cols.sex else ""
    if cols.kind == "count":
        return _shares_from_counts(arr, name), arr, ("counts by age band" if bands else "all-age counts") + sex
    scale = 100.0 if cols.kind == "percent" else 1.0
    tol = PERCENT_TOLERANCE if cols.kind == "percent" else SHARE_TOLERANCE
    total = arr.sum("ethnicity")
    off = abs(total - scale) > tol
    if off.any():
        bad = total.where(off, drop=True)
        first = {d: bad[d].values[0] for d in bad.dims}
        got = float(total.sel(first))
        where = ", ".join(f"{d} {v}" for d, v in first.items())
        unit = "%" if cols.kind == "percent" else ""
        raise InputError(
            f"shares for {where} add up to {got:g}{unit}, not {scale:g}{unit} (tolerance ±{tol:g})",
            file=name, field=cols.value,
        )
    return arr / total, None, ("shares by age band" if bands else "all-age shares") + sex
