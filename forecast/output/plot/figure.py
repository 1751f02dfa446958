"""The figure and its parts: a new figure and axes, the period and value axes, lines with
shaded intervals, error-bar settings, and the title and footer (notes and source line).

Moved from ``forecast/output/plot.py`` (its "drawing" section); :func:`_series_figure` is
the drawing that :func:`~forecast.output.plot.line` and
:func:`~forecast.output.plot.compare` shared, :func:`_single_bars` and
:func:`_bar_value_axis` the bars and value axis that :func:`~forecast.output.plot.bands` and
:func:`~forecast.output.plot.ethnicity` shared, and :func:`_finish_result` the footer of a
chart of one result.

Source: Hunter JD. Matplotlib: A 2D graphics environment. Computing in Science & Engineering
2007;9(3):90-95 — figures are built with its object-oriented API
(:class:`~matplotlib.figure.Figure` on the Agg canvas), never ``pyplot``, so no global state
or GUI backend is touched.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import xarray as xr

from .reduce import _err
from .select import _fy_start
from .sources import _source_text
from .style import (_ERROR_BARS, _FIGSIZE, _FOOT_FONTSIZE, _FOOT_WRAP, _TITLE_WRAP, OKABE_ITO, _style, _thousands,
                    _units_label)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


class _Series(NamedTuple):
    """One line of a line chart: its legend label, x (years), y and interval (or None)."""

    label: str
    x: np.ndarray
    y: np.ndarray
    lo: np.ndarray | None
    hi: np.ndarray | None


def _new_figure(figsize=_FIGSIZE):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig, ax


def _value_axis(ax: "Axes", da: xr.DataArray, which: str) -> None:
    label = _units_label(da.attrs.get("units"))
    if which == "y":
        ax.set_ylabel(label)
        _thousands(ax.yaxis)
    else:
        ax.set_xlabel(label)
        _thousands(ax.xaxis)


def _period_x(da: xr.DataArray, pdim: str) -> np.ndarray:
    if pdim == "year":
        return np.array([int(v) for v in da["year"].values], dtype=float)
    return np.array([_fy_start(v) for v in da[pdim].values], dtype=float)


def _period_axis(ax: "Axes", pdim: str, x) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True, steps=[1, 2, 5, 10]))
    if pdim == "year":
        ax.set_xlabel("Year")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{int(round(v))}"))
    else:
        ax.set_xlabel("Financial year (April-March)")
        ax.xaxis.set_major_formatter(
            FuncFormatter(lambda v, _: f"{int(round(v))}/{(int(round(v)) + 1) % 100:02d}"))
    if len(x) == 1:
        ax.set_xlim(x[0] - 1, x[0] + 1)


def _series_figure(series: Sequence[_Series], pdim: str, x, units: xr.DataArray):
    """A line per series (the palette in turn, markers up to 8 points), then their shaded
    intervals, the period axis over ``x``, the value axis from zero and the legend."""
    fig, ax = _new_figure()
    for i, s in enumerate(series):
        colour, style = _style(i)
        ax.plot(s.x, s.y, color=colour, linestyle=style, linewidth=2,
                marker="o" if len(s.x) <= 8 else None, label=s.label)
    for i, s in enumerate(series):
        if s.lo is not None:
            colour, _ = _style(i)
            ax.fill_between(s.x, s.lo, s.hi, color=colour, alpha=0.2, linewidth=0)
    _period_axis(ax, pdim, x)
    _value_axis(ax, units, "y")
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False)
    return fig, ax


def _bar_errors(err, capsize: float) -> dict:
    """Error-bar settings for ``Axes.bar``/``barh``: caps only when there are error bars."""
    return {"capsize": capsize if err is not None else 0, "error_kw": dict(_ERROR_BARS)}


def _single_bars(ax: "Axes", pos: np.ndarray, central, lo, hi, dim: str, *, horizontal: bool = False) -> None:
    """A bar per value of ``central`` along ``dim`` in the palette's first colour, with error
    bars for the interval (``lo``/``hi``, or none)."""
    v = central.transpose(dim).values
    err = _err(v, lo, hi, dim=dim)
    if horizontal:
        ax.barh(pos, v, height=0.7, color=OKABE_ITO[0], xerr=err, **_bar_errors(err, 3))
    else:
        ax.bar(pos, v, width=0.7, color=OKABE_ITO[0], yerr=err, **_bar_errors(err, 3))


def _bar_value_axis(ax: "Axes", da: xr.DataArray, which: str) -> None:
    """The value axis of a bar chart (``which``: "x" or "y"), from zero, with no grid lines
    across the bars."""
    _value_axis(ax, da, which)
    if which == "y":
        ax.set_ylim(bottom=0)
        ax.grid(axis="x", visible=False)
    else:
        ax.set_xlim(left=0)
        ax.grid(axis="y", visible=False)


def _band_labels(da: xr.DataArray, bdim: str, ds: xr.Dataset) -> list[str]:
    vals = [str(v) for v in da[bdim].values]
    if bdim == "age":
        top = ds.attrs.get("open_top_age", da.attrs.get("open_top_age"))
        if top is not None and str(top) == vals[-1]:
            vals[-1] = f"{vals[-1]}+"
    return vals


def _finish(fig: "Figure", ax: "Axes", title: str, notes: list[str], source: str | None) -> None:
    ax.set_title("\n".join(textwrap.wrap(str(title), _TITLE_WRAP)) or str(title), fontsize=12)
    lines: list[str] = []
    for text in [*notes, source]:
        if text:
            lines.extend(textwrap.wrap(str(text), _FOOT_WRAP) or [""])
    height_pt = fig.get_figheight() * 72
    foot = 0.0
    if lines:
        fig.text(0.01, 0.01, "\n".join(lines), ha="left", va="bottom", fontsize=_FOOT_FONTSIZE,
                 color="#444444")
        foot = (len(lines) * _FOOT_FONTSIZE * 1.3 + 10) / height_pt
    fig.tight_layout(rect=(0, foot, 1, 1))


def _finish_result(fig: "Figure", ax: "Axes", title: str, note: str, ds: xr.Dataset, measure: str,
                   source: str | None) -> None:
    """:func:`_finish` for a chart of one result: its note, and ``source`` or the result's own."""
    _finish(fig, ax, title, [note] if note else [], _source_text([ds], [measure]) if source is None else source)
