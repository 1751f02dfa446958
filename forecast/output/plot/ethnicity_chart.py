"""The ethnic-group bar chart: horizontal bars by ethnic group for one area and year (sex
and age summed), with error bars for the interval.

Moved from ``forecast/output/plot.py`` (its ``ethnicity``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from ...errors import SpecError
from .figure import _bar_value_axis, _extended_note, _finish_result, _new_figure, _single_bars
from .reduce import _interval_note, _reduce
from .select import _as_dataset, _at_area_period, _period_dim, _variable
from .sources import _area_period_title

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure


def ethnicity(
    result: xr.Dataset,
    measure: str,
    area: str,
    year: int | str,
    *,
    level: float | None = 0.95,
    title: str | None = None,
    source: str | None = None,
) -> "Figure":
    """Horizontal bars by ethnic group for one area and year (sex and age summed).

    Parameters
    ----------
    result : xarray.Dataset
        A result of a population split by ethnic group (:func:`forecast.split_by_ethnicity`),
        so with an ``ethnicity`` dim.
    measure : str
        The variable to draw.
    area : str
        GSS code or name.
    year : int or str
        The year (or financial year).
    level : float or None, default 0.95
        Error bars for this central interval when the result has draws (bars are medians).
    title, source : str, optional
        Default title: ``long_name``, area name and year.

    Returns
    -------
    matplotlib.figure.Figure
        ``ax.containers[0]`` is a BarContainer whose patch widths are the values, one per
        group in the result's order, the first at the top.

    Raises
    ------
    forecast.errors.SpecError
        The result has no ``ethnicity`` dim, or the measure, area or year is missing.
    """
    ds = _as_dataset(result, measure)
    da = _variable(ds, measure)
    if "ethnicity" not in da.dims:
        raise SpecError(f"measure {measure!r} has no ethnicity dim: project a population split with "
                        f"forecast.split_by_ethnicity to chart ethnic groups")
    code, label, da = _at_area_period(ds, da, _period_dim(da, measure), area, year)
    central, lo, hi = _reduce(da, ("ethnicity",), level, measure)
    fig, ax = _new_figure()
    pos = np.arange(da.sizes["ethnicity"], dtype=float)
    _single_bars(ax, pos, central, lo, hi, "ethnicity", horizontal=True)
    ax.set_yticks(pos, [str(g) for g in da["ethnicity"].values])
    ax.invert_yaxis()
    ax.set_ylabel("Ethnic group")
    _bar_value_axis(ax, da, "x")
    if title is None:
        title = _area_period_title(ds, da, measure, code, label)
    _finish_result(fig, ax, title, _interval_note(da, level, lo is not None, what="bar"), ds, measure, source,
                   extra=[_extended_note(ds.attrs, label)])
    return fig
