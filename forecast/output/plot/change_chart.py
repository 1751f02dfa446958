"""The ranked change chart: the percentage change of a measure from one year to another in
each area, as horizontal bars sorted from the largest rise to the smallest (or the largest
fall) — for results with more areas than a line chart can tell apart.  With many areas only
the ``top`` highest and ``top`` lowest are drawn, the rest said in a note.

With draws, the change is worked out within each draw (the totals of both years in the same
draw), and the bar is the median of those changes and its error bar their central ``level``
interval (:func:`numpy.quantile`, linear interpolation) — as the tables' change column.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from ...errors import SpecError
from .figure import _bar_errors, _finish_result, _new_figure
from .reduce import _check_level
from .select import _SUMMED_DIMS, _area_names, _check_period, _measure, _resolve_areas
from .sources import _join_title, _long_name
from .style import OKABE_ITO, _pct

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def change(
    result: xr.Dataset,
    measure: str,
    *,
    areas: Sequence[str] | str | None = None,
    years: Sequence[int | str] | None = None,
    top: int = 10,
    level: float | None = 0.95,
    title: str | None = None,
    source: str | None = None,
) -> "Figure":
    """Each area's percentage change in a measure between two years, ranked.

    ``result`` (plain values or draws; not quantiles, which cannot be differenced),
    ``measure``, ``areas``, ``level``, ``title`` and ``source`` are as for
    :func:`~forecast.output.plot.line`; sex, age and ethnic group are summed.  ``years``:
    from and to (default the result's first and last period).  With more than ``2 × top``
    areas, only the ``top`` largest and ``top`` smallest changes are drawn.  Default title:
    ``long_name``, "change FROM to TO" and how many areas are shown.

    Returns
    -------
    matplotlib.figure.Figure
        The :class:`~matplotlib.container.BarContainer` in ``ax.containers`` holds the bars,
        top to bottom (largest change first); their widths are the changes in per cent,
        ``ax.get_yticklabels()`` the area names (with draws, an ErrorbarContainer holds the
        intervals).  Areas with nothing in the first year (no percentage) are left out
        and named in a note.

    Raises
    ------
    forecast.errors.SpecError
        The measure, an area or a year is missing, the two years are the same, the result
        holds quantiles, or ``top`` is not a positive whole number.
    """
    _check_level(level)
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1:
        raise SpecError(f"top must be a positive whole number of areas, not {top!r}")
    ds, da, pdim = _measure(result, measure)
    if "statistic" in da.dims:
        raise SpecError(f"measure {measure!r} holds quantiles, which cannot be differenced: simulate with draws "
                        "(no quantiles=) to chart changes")
    codes = _resolve_areas(ds, areas)
    first, last = _two_periods(da, pdim, years)
    summed = [d for d in da.dims if d in _SUMMED_DIMS]
    tot = da.sel(area=codes).sum(summed) if summed else da.sel(area=codes)
    base, end = tot.sel({pdim: first}), tot.sel({pdim: last})
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = (100.0 * (end - base) / base.where(base != 0)).transpose("area", ...)
    central, lo, hi = _centre(pct, level)
    names = _area_names(ds, codes)
    ok = np.isfinite(central)
    left_out = [n for n, good in zip(names, ok) if not good]
    order = [i for i in np.argsort(-central[ok], kind="stable")]
    kept = np.flatnonzero(ok)[order]
    n = len(kept)
    cut = n > 2 * top
    shown = list(kept[:top]) + list(kept[-top:]) if cut else list(kept)
    fig, ax = _new_figure(figsize=(8.0, max(4.0, 1.9 + 0.27 * (len(shown) + (1 if cut else 0)))))
    pos = _draw(ax, central, lo, hi, shown, [names[i] for i in shown], cut)
    if cut:
        gap = pos[top - 1] + 1
        ax.axhline(gap, color="#999999", linewidth=0.8, linestyle=":")
        ax.text(0.5, gap, f"{n - 2 * top} areas between not shown", transform=ax.get_yaxis_transform(),
                ha="center", va="center", fontsize=8, color="#555555", backgroundcolor="white")
    if title is None:
        which = f"the {top} highest and {top} lowest of {n} areas" if cut else (f"{n} areas" if n != 1 else None)
        title = _join_title(_long_name(da, measure), f"change {first} to {last}" + (f", {which}" if which else ""))
    notes = [_change_note(da, level, lo is not None)]
    if left_out:
        notes.append(f"Not shown (none in {first}, so no percentage): {', '.join(left_out)}.")
    _finish_result(fig, ax, title, notes[0], ds, measure, source, extra=notes[1:])
    return fig


def _two_periods(da: xr.DataArray, pdim: str, years) -> tuple:
    if years is None:
        vals = list(da[pdim].values)
        first, last = vals[0], vals[-1]
    else:
        if isinstance(years, (str, int, np.integer)) or len(years) != 2:
            raise SpecError(f"years must be two years, from and to, not {years!r}")
        first, last = (_check_period(da, pdim, y) for y in years)
    if first == last:
        raise SpecError(f"a change needs two different years; the result has only {first}")
    return first, last


def _centre(pct: xr.DataArray, level) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Per area: the change (or the median of its draws) and the interval's ends (or None)."""
    if "draw" not in pct.dims:
        return pct.values.astype(float), None, None
    v = pct.transpose("area", "draw").values
    with np.errstate(invalid="ignore"):
        central = np.quantile(v, 0.5, axis=1)
        if level is None:
            return central, None, None
        a = (1 - float(level)) / 2
        return central, np.quantile(v, a, axis=1), np.quantile(v, 1 - a, axis=1)


def _draw(ax: "Axes", central, lo, hi, shown: list[int], labels: list[str], cut: bool) -> np.ndarray:
    """Bars top to bottom (a gap after the first half when ``cut``), rises blue, falls
    vermillion, each labelled with its change; the bars' positions."""
    from matplotlib.ticker import FuncFormatter

    half = len(shown) // 2
    pos = np.array([k + (1 if cut and k >= half else 0) for k in range(len(shown))], dtype=float)
    v = central[shown]
    err = None
    if lo is not None:
        err = np.vstack([np.clip(v - lo[shown], 0, None), np.clip(hi[shown] - v, 0, None)])
    colours = [OKABE_ITO[0] if x >= 0 else OKABE_ITO[3] for x in v]
    ax.barh(pos, v, height=0.7, color=colours, xerr=err, **_bar_errors(err, 2))
    ax.set_yticks(pos, labels)
    ax.set_ylim(pos[-1] + 0.8, -0.8)  # largest change at the top
    ax.axvline(0, color="#000000", linewidth=0.8)
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:+.0f}%" if x else "0%"))
    ax.set_xlabel("Change (per cent)")
    ends = v if err is None else np.where(v >= 0, v + err[1], v - err[0])
    span = max(float(np.nanmax(np.abs(ends))) if len(ends) else 1.0, 1e-9)
    for p, x, e in zip(pos, v, ends):
        ax.text(e + (0.01 * span if x >= 0 else -0.01 * span), p, f"{x:+.1f}%", va="center",
                ha="left" if x >= 0 else "right", fontsize=8, color="#333333")
    lo_x, hi_x = min(0.0, float(np.nanmin(ends))), max(0.0, float(np.nanmax(ends)))
    pad = 0.14 * (hi_x - lo_x or 1.0)
    ax.set_xlim(lo_x - (pad if lo_x < 0 else 0), hi_x + (pad if hi_x > 0 else 0))
    return pos


def _change_note(da: xr.DataArray, level, has_interval: bool) -> str:
    if "draw" not in da.dims:
        return ""
    text = f"Bars: median of the change within each of {da.sizes['draw']:,} draws"
    if has_interval:
        text += f"; error bars: central {_pct(level)} interval"
    return text + "."
