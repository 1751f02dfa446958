"""The age-band bar chart: one area and year, a bar per age band (or side-by-side bars for
males and females), with error bars for the interval.

Moved from ``forecast/output/plot.py`` (its ``bands``).

Source: Projecting Older People Population Information System (POPPI), Institute of Public
Care, Oxford Brookes University (https://www.poppi.org.uk) — the style of :func:`bands`: the
predicted number of people in each age band for one area and year, as bars.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from ...errors import SpecError
from .figure import _band_labels, _bar_errors, _bar_value_axis, _extended_note, _finish_result, _new_figure, _single_bars
from .reduce import _err, _interval_note, _reduce
from .select import _at_area_period, _check_sexes, _measure
from .sources import _area_period_title
from .style import _SEX_COLOURS, OKABE_ITO, _sex_label

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def bands(
    result: xr.Dataset,
    measure: str,
    area: str,
    year: int | str,
    *,
    by_sex: bool = False,
    level: float | None = 0.95,
    title: str | None = None,
    source: str | None = None,
) -> "Figure":
    """Age-band bars for one area and year, in the style of POPPI's charts.

    Parameters
    ----------
    result : xarray.Dataset
        A result with an ``age_band`` (or single-year ``age``) dim.
    measure : str
        The variable to draw.
    area : str
        GSS code or name.
    year : int or str
        The year (or financial year, ``"2025/26"``).
    by_sex : bool, default False
        Side-by-side bars for males and females (the result must keep ``sex``); otherwise
        one bar per band, the sexes summed.
    level : float or None, default 0.95
        Error bars for this central interval when the result has draws (bars are medians).
    title, source : str, optional
        Default title: ``long_name``, area name and year.

    Returns
    -------
    matplotlib.figure.Figure
        ``ax.containers`` holds one :class:`~matplotlib.container.BarContainer` (or, with
        ``by_sex``, one per sex, in the result's sex order) whose patch heights are the
        band values, in the result's band order.

    Raises
    ------
    forecast.errors.SpecError
        The measure, area or year is missing, the result has no age dim, or ``by_sex`` is
        asked of a result without both sexes.
    """
    ds, da, pdim = _measure(result, measure)
    bdim = _age_dim(da, measure)
    code, label, da = _at_area_period(ds, da, pdim, area, year)
    if by_sex:
        _check_sexes(da, f"measure {measure!r}")
    central, lo, hi = _reduce(da, (bdim, "sex") if by_sex else (bdim,), level, measure)
    fig, ax = _new_figure()
    labels = _band_labels(da, bdim, ds)
    pos = np.arange(len(labels), dtype=float)
    if by_sex:
        _sex_bars(ax, pos, [str(s) for s in da["sex"].values], central, lo, hi, bdim)
    else:
        _single_bars(ax, pos, central, lo, hi, bdim)
    _band_axis(ax, pos, labels, bdim)
    _bar_value_axis(ax, da, "y")
    if title is None:
        title = _area_period_title(ds, da, measure, code, label)
    _finish_result(fig, ax, title, _interval_note(da, level, lo is not None, what="bar"), ds, measure, source,
                   extra=[_extended_note(ds.attrs, label)])
    return fig


def _age_dim(da: xr.DataArray, measure: str) -> str:
    """``age_band``, else single-year ``age``: the dim the bars are drawn along."""
    if "age_band" in da.dims:
        return "age_band"
    if "age" in da.dims:
        return "age"
    raise SpecError(f"measure {measure!r} has no age_band or age dim to draw bars for "
                    f"(its dims: {', '.join(map(str, da.dims))})")


def _sex_bars(ax: "Axes", pos: np.ndarray, sexes: list[str], central, lo, hi, bdim: str) -> None:
    """Side-by-side bars, one per sex in ``sexes``' order, sharing 0.8 of each band's width."""
    width = 0.8 / len(sexes)
    for j, sex in enumerate(sexes):
        off = (j - (len(sexes) - 1) / 2) * width
        h = central.sel(sex=sex).transpose(bdim).values
        err = _err(h, lo, hi, sex=sex, dim=bdim)
        ax.bar(pos + off, h, width=width, color=_SEX_COLOURS.get(sex, OKABE_ITO[j % 8]),
               label=_sex_label(sex), yerr=err, **_bar_errors(err, 2))
    ax.legend(frameon=False)


def _band_axis(ax: "Axes", pos: np.ndarray, labels: list[str], bdim: str) -> None:
    """Band labels under the bars (at most 20, slanted when they would crowd)."""
    step = max(1, math.ceil(len(labels) / 20))
    ax.set_xticks(pos[::step], labels[::step])
    if max((len(s) for s in labels), default=0) * len(labels[::step]) > 60:
        for t in ax.get_xticklabels():
            t.set_rotation(45)
            t.set_horizontalalignment("right")
    ax.set_xlabel("Age band" if bdim == "age_band" else "Age")
