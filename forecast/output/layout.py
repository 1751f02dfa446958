"""Table layouts: which rows a measure's block has, POPPI style.

* ``rows="area"`` (Table 1): one block per measure, one row per area, then the total and any
  comparator areas (a region, England: shown for comparison, never in the total);
* ``rows="age_band"`` or ``rows="sex"`` (POPPI's layout): one block per measure and area,
  one row per age band (or sex) and the area's total;
* ``by="sex"`` or ``by="ethnicity"`` splits each row of either layout into one row per
  group, with a total per group.

Every row is a sum of the result's cells within each draw, so totals and changes with
intervals are worked out draw by draw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import xarray as xr

from ..errors import SpecError
from .table import TOTAL

__all__ = ["Layout", "Block", "blocks", "ROWS"]

ROWS = ("area", "age_band", "sex")


@dataclass
class Layout:
    rows: str = "area"
    by: str | None = None
    totals: bool = True
    comparators: Sequence[str] = field(default_factory=list)


@dataclass
class Block:
    label: str
    values: xr.DataArray  # (row, period[, draw])
    rows: list[str]
    codes: list[str]
    totals: list[bool]


def _check(da: xr.DataArray, layout: Layout) -> None:
    if layout.rows not in ROWS:
        raise SpecError(f"rows must be one of {', '.join(ROWS)}, not {layout.rows!r}")
    for dim in filter(None, [layout.rows if layout.rows != "area" else None, layout.by]):
        if dim not in da.dims:
            hint = " (give bands, e.g. 65-74, 75-84, 85+)" if dim == "age_band" else ""
            raise SpecError(f"the result has no '{dim}' dimension to lay the table out by{hint}")
    if layout.by is not None and layout.by == layout.rows:
        raise SpecError(f"rows and by are both {layout.by!r}: choose different ones")


def _stack(parts: list[tuple[xr.DataArray, str, str, bool]]) -> tuple[xr.DataArray, list[str], list[str], list[bool]]:
    """Rows (each ``(period[, draw])``) → one ``(row, period[, draw])`` array, labels, codes, total flags."""
    arrays = [p[0].drop_vars([c for c in p[0].coords if c not in ("period", "draw")]) for p in parts]
    arr = xr.concat(arrays, dim="row", coords="minimal", compat="override").assign_coords(row=np.arange(len(parts)))
    arr = arr.transpose("row", "period", *(["draw"] if "draw" in arr.dims else []))
    return arr, [p[1] for p in parts], [p[2] for p in parts], [p[3] for p in parts]


def _split(da: xr.DataArray, by: str | None, prefix: str, code: str, total: bool) -> list:
    """One row, or one per group of ``by`` (labelled ``prefix: group``)."""
    if by is None:
        return [(da, prefix, code, total)]
    return [(da.sel({by: g}), f"{prefix}: {g}", code, total) for g in da[by].values]


def blocks(da: xr.DataArray, label: str, codes: Sequence[str], area_names: Mapping[str, str],
           layout: Layout) -> list[Block]:
    """The blocks of one measure (``da`` with a ``period`` dim)."""
    _check(da, layout)
    keep = {"area", "period", "draw", layout.rows, *([layout.by] if layout.by else [])}
    da = da.sum([d for d in da.dims if d not in keep])
    if layout.rows == "area":
        parts = [row for c in codes for row in _split(da.sel(area=c), layout.by, area_names[c], c, False)]
        if layout.totals:
            total = da.sel(area=list(codes)).sum("area")
            if layout.by:
                parts += _split(total, layout.by, TOTAL, "", True)
                total = total.sum(layout.by)
            parts.append((total, TOTAL, "", True))
        for c in layout.comparators:
            parts += _split(da.sel(area=c), layout.by, area_names[c], c, False)
        return [Block(label, *_stack(parts))]
    out = []
    for c in [*codes, *layout.comparators]:
        one = da.sel(area=c)
        parts = [row for v in one[layout.rows].values
                 for row in _split(one.sel({layout.rows: v}), layout.by, str(v), c, False)]
        if layout.totals:
            total = one.sum(layout.rows)
            if layout.by:
                parts += _split(total, layout.by, TOTAL, c, True)
                total = total.sum(layout.by)
            parts.append((total, TOTAL, c, True))
        out.append(Block(f"{label}: {area_names[c]}", *_stack(parts)))
    return out
