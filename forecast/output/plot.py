"""Charts of forecast results: lines over years, scenario comparisons, age-band bars,
population pyramids and bars by ethnic group.

Every function takes a result (:func:`forecast.project` / :func:`forecast.simulate`) or a
population cube and returns a :class:`matplotlib.figure.Figure`, so a script can restyle it
before :func:`save` writes it as PNG or SVG::

    from forecast.output import plot
    res = forecast.project(None, "dementia_uk_2007", ages="65+", areas=["Leicester", "Rutland"])
    plot.save(plot.line(res, "dementia"), "dementia.png")

What is drawn
-------------
- Totals are sums over the dims a chart does not show (sex, age band or single age,
  ethnic group).  With a ``draw`` dim the sum is taken *within each draw* first; the line
  or bar is the median of those totals and the shaded band (or error bar) their central
  ``level`` interval, both from :func:`numpy.quantile` (linear interpolation).  With a
  ``statistic`` dim (``simulate(..., quantiles=...)``) the ``q0.5`` row is drawn and the
  ``level`` interval where its quantiles are present; quantiles do not add up, so such a
  result must already be at the level of detail the chart shows.
- Under each chart: a note on what the line and band are (for draws) and a source line
  built from the result's attributes — the population's title and licence, and each rate
  set with a short form of its citation — replaceable with ``source=``.

Sources
-------
- Hunter JD. Matplotlib: A 2D graphics environment. Computing in Science & Engineering
  2007;9(3):90-95 — the plotting library; figures are built with its object-oriented API
  (:class:`~matplotlib.figure.Figure` on the Agg canvas), never ``pyplot``, so no global
  state or GUI backend is touched.
- Okabe M, Ito K. Color Universal Design (CUD): how to make figures and presentations that
  are friendly to colorblind people. J*Fly, 2008 (https://jfly.uni-koeln.de/color/) — the
  eight-colour palette :data:`OKABE_ITO`, distinguishable with the common forms of colour
  vision deficiency.
- Projecting Older People Population Information System (POPPI), Institute of Public Care,
  Oxford Brookes University (https://www.poppi.org.uk) — the style of :func:`bands`: the
  predicted number of people in each age band for one area and year, as bars.

matplotlib is imported only when a chart is drawn, so ``import forecast`` stays fast.
"""

from __future__ import annotations

import math
import os
import re
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from ..errors import SpecError
from ..files import atomic_path
from ..population import resolve_areas

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["OKABE_ITO", "FORMATS", "line", "compare", "bands", "pyramid", "ethnicity", "save", "to_bytes",
           "short_citation"]

#: Okabe & Ito (2008) colour-blind-safe palette, in the order charts use it (blue, orange,
#: bluish green, vermillion, reddish purple, sky blue, yellow, black).
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)
_LINESTYLES = ("-", "--", ":", "-.")
_SEX_COLOURS = {"male": OKABE_ITO[0], "female": OKABE_ITO[1]}

#: File formats :func:`save` writes, by suffix.
FORMATS: tuple[str, ...] = ("png", "svg")

_PERIOD_DIMS = ("year", "financial_year")
_SUMMED_DIMS = ("sex", "age_band", "age", "ethnicity")
_FIGSIZE = (8.0, 5.0)
_FOOT_FONTSIZE = 7.0
_FOOT_WRAP = 125  # characters per footer line at 7 pt on an 8-inch figure
_TITLE_WRAP = 70


# ---------------------------------------------------------------------------- public API

def line(
    result: xr.Dataset,
    measure: str,
    *,
    areas: Sequence[str] | str | None = None,
    years: Sequence[int | str] | None = None,
    level: float | None = 0.95,
    title: str | None = None,
    source: str | None = None,
) -> "Figure":
    """A measure over the years, one line per area.

    Parameters
    ----------
    result : xarray.Dataset
        A result of :func:`forecast.project` or :func:`forecast.simulate`: dims ``area`` and
        ``year`` (or ``financial_year``), optionally ``sex``, ``age_band``/``age``,
        ``ethnicity`` (summed) and ``draw`` or ``statistic``.
    measure : str
        The variable to draw, e.g. ``"dementia"``.
    areas : list of str, optional
        Areas by GSS code or name, in the order wanted; default all areas of the result.
    years : list of int or str, optional
        Years to draw (financial years as ``"2025/26"`` or their first calendar year);
        default all.
    level : float or None, default 0.95
        Central interval shaded when the result has draws (or the matching quantiles);
        ``None`` draws no band.
    title : str, optional
        Default: the variable's ``long_name`` and the area names.
    source : str, optional
        Source line under the chart; default built from the result's attributes.

    Returns
    -------
    matplotlib.figure.Figure
        One axes; ``ax.lines[i]`` is area ``i`` (in the order of ``areas``), and with an
        interval ``ax.collections[i]`` its band.  Legend labels are area names.

    Raises
    ------
    forecast.errors.SpecError
        The measure, an area or a year is not in the result, or ``level`` is not in (0, 1).
    """
    ds = _as_dataset(result, measure)
    da = _variable(ds, measure)
    pdim = _period_dim(da, measure)
    codes = _resolve_areas(ds, areas)
    da = _select_periods(da.sel(area=codes), pdim, years)
    central, lo, hi = _reduce(da, ("area", pdim), level, measure)
    note = _interval_note(da, level, lo is not None)

    fig, ax = _new_figure()
    x = _period_x(da, pdim)
    names = _area_names(ds, codes)
    for i, code in enumerate(codes):
        colour, style = _style(i)
        ax.plot(x, central.sel(area=code).values, color=colour, linestyle=style, linewidth=2,
                marker="o" if len(x) <= 8 else None, label=names[i])
    if lo is not None:
        for i, code in enumerate(codes):
            colour, _ = _style(i)
            ax.fill_between(x, lo.sel(area=code).values, hi.sel(area=code).values, color=colour,
                            alpha=0.2, linewidth=0)
    _period_axis(ax, pdim, x)
    _value_axis(ax, da, "y")
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False)
    if title is None:
        title = _join_title(_long_name(da, measure), _name_list(names) if len(names) <= 3 else None)
    _finish(fig, ax, title, [note] if note else [], _source_text([ds], [measure]) if source is None else source)
    return fig


def compare(
    results: Mapping[str, xr.Dataset],
    measure: str,
    area: str,
    *,
    years: Sequence[int | str] | None = None,
    level: float | None = 0.95,
    title: str | None = None,
    source: str | None = None,
) -> "Figure":
    """Scenarios or rate sets compared: one measure in one area over the years, a line each.

    Parameters
    ----------
    results : dict of str to xarray.Dataset
        Label (shown in the legend) → result, e.g. ``{"Dementia UK 2014": r1, "CFAS II": r2}``.
        All must have the same period dim (``year`` or ``financial_year``).
    measure : str
        The variable to draw; it must be in every result.
    area : str
        GSS code or name; it must be in every result.
    years : list of int or str, optional
        Years to draw (each must be in every result); default each result's own years.
    level : float or None, default 0.95
        Central interval shaded for results with draws (or the matching quantiles).
    title, source : str, optional
        Default title: the measure's ``long_name`` (without a differing parenthesis) and the
        area name; default source: the populations and every rate set drawn.

    Returns
    -------
    matplotlib.figure.Figure
        ``ax.lines[i]`` is ``results``' ``i``-th entry; legend labels are the dict keys.

    Raises
    ------
    forecast.errors.SpecError
        No results, or the measure, area or a year is missing from one of them.
    """
    if not isinstance(results, Mapping) or not results:
        raise SpecError("compare needs a dict of label -> result with at least one entry")
    series = []
    pdims = set()
    for label, res in results.items():
        try:
            ds = _as_dataset(res, measure)
            da = _variable(ds, measure)
            pdim = _period_dim(da, measure)
            code = _resolve_areas(ds, [area])[0]
            da = _select_periods(da.sel(area=[code]), pdim, years)
            central, lo, hi = _reduce(da, ("area", pdim), level, measure)
        except SpecError as e:
            raise SpecError(f"result {label!r}: {e.message}") from None
        pdims.add(pdim)
        series.append((str(label), ds, da, pdim, code, central, lo, hi))
    if len(pdims) > 1:
        raise SpecError("cannot compare results by calendar year with results by financial year: "
                        "convert them all with forecast.to_financial_years")
    pdim = pdims.pop()

    fig, ax = _new_figure()
    notes = []
    all_x = []
    for i, (label, ds, da, _, code, central, lo, hi) in enumerate(series):
        colour, style = _style(i)
        x = _period_x(da, pdim)
        all_x.extend(x)
        ax.plot(x, central.sel(area=code).values, color=colour, linestyle=style, linewidth=2,
                marker="o" if len(x) <= 8 else None, label=label)
        note = _interval_note(da, level, lo is not None)
        if note and note not in notes:
            notes.append(note)
    for i, (label, ds, da, _, code, central, lo, hi) in enumerate(series):
        if lo is not None:
            colour, _ = _style(i)
            ax.fill_between(_period_x(da, pdim), lo.sel(area=code).values, hi.sel(area=code).values,
                            color=colour, alpha=0.2, linewidth=0)
    _period_axis(ax, pdim, sorted(set(all_x)))
    _value_axis(ax, series[0][2], "y")
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False)
    if title is None:
        first = series[0]
        name = _area_names(first[1], [first[4]])[0]
        title = _join_title(_common_long_name([s[2] for s in series], measure), name)
    if source is None:
        source = _source_text([s[1] for s in series], [measure] * len(series))
    _finish(fig, ax, title, notes, source)
    return fig


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
    ds = _as_dataset(result, measure)
    da = _variable(ds, measure)
    pdim = _period_dim(da, measure)
    bdim = "age_band" if "age_band" in da.dims else "age" if "age" in da.dims else None
    if bdim is None:
        raise SpecError(f"measure {measure!r} has no age_band or age dim to draw bars for "
                        f"(its dims: {', '.join(map(str, da.dims))})")
    code = _resolve_areas(ds, [area])[0]
    label = _check_period(da, pdim, year)
    da = da.sel(area=code, **{pdim: label})
    keep = (bdim, "sex") if by_sex else (bdim,)
    if by_sex:
        _check_sexes(da, f"measure {measure!r}")
    central, lo, hi = _reduce(da, keep, level, measure)
    note = _interval_note(da, level, lo is not None, what="bar")

    fig, ax = _new_figure()
    labels = _band_labels(da, bdim, ds)
    pos = np.arange(len(labels), dtype=float)
    if by_sex:
        sexes = [str(s) for s in da["sex"].values]
        width = 0.8 / len(sexes)
        for j, sex in enumerate(sexes):
            off = (j - (len(sexes) - 1) / 2) * width
            h = central.sel(sex=sex).transpose(bdim).values
            err = _err(h, lo, hi, sex=sex, dim=bdim)
            ax.bar(pos + off, h, width=width, color=_SEX_COLOURS.get(sex, OKABE_ITO[j % 8]),
                   label=_sex_label(sex), yerr=err, capsize=2 if err is not None else 0,
                   error_kw={"elinewidth": 1, "ecolor": "#333333"})
        ax.legend(frameon=False)
    else:
        h = central.transpose(bdim).values
        err = _err(h, lo, hi, dim=bdim)
        ax.bar(pos, h, width=0.7, color=OKABE_ITO[0], yerr=err, capsize=3 if err is not None else 0,
               error_kw={"elinewidth": 1, "ecolor": "#333333"})
    step = max(1, math.ceil(len(labels) / 20))
    ax.set_xticks(pos[::step], labels[::step])
    if max((len(s) for s in labels), default=0) * len(labels[::step]) > 60:
        for t in ax.get_xticklabels():
            t.set_rotation(45)
            t.set_horizontalalignment("right")
    ax.set_xlabel("Age band" if bdim == "age_band" else "Age")
    _value_axis(ax, da, "y")
    ax.set_ylim(bottom=0)
    ax.grid(axis="x", visible=False)
    if title is None:
        title = _join_title(_long_name(da, measure), f"{_area_names(ds, [code])[0]}, {label}")
    _finish(fig, ax, title, [note] if note else [], _source_text([ds], [measure]) if source is None else source)
    return fig


def pyramid(
    population: xr.DataArray,
    area: str,
    year: int | str,
    *,
    compare_year: int | str | None = None,
    band_width: int = 5,
    title: str | None = None,
    source: str | None = None,
) -> "Figure":
    """A population pyramid: males to the left, females to the right, in age bands.

    Parameters
    ----------
    population : xarray.DataArray
        A population cube, dims ``(area, year, sex, age)`` (``ethnicity`` is summed), with
        ``area_name`` and ``attrs['open_top_age']``.
    area : str
        GSS code or name.
    year : int or str
        The year drawn as filled bars.
    compare_year : int or str, optional
        A second year drawn over it as black outlines.
    band_width : int, default 5
        Width of the age bands, from the cube's lowest age up to the open top group, which
        is a band of its own (``90+``).
    title, source : str, optional
        Default title: "Population by age and sex", area and year(s); default source: the
        cube's ``title`` and ``licence``.

    Returns
    -------
    matplotlib.figure.Figure
        ``ax.containers[0]`` (males, widths negative) and ``[1]`` (females, positive) are the
        filled bars, youngest band at the bottom; with ``compare_year``, ``[2]`` and ``[3]``
        the outlines.

    Raises
    ------
    forecast.errors.SpecError
        The area or a year is missing, the cube lacks a sex (or age) dim with both
        ``male`` and ``female``, or ``band_width`` is not a positive integer.
    """
    if isinstance(population, xr.Dataset):
        if "population" not in population.data_vars:
            raise SpecError("pyramid needs a population cube (a DataArray), not a result")
        population = population["population"]
    if not isinstance(population, xr.DataArray):
        raise SpecError(f"pyramid needs a population cube (a DataArray), not {type(population).__name__}")
    if isinstance(band_width, bool) or not isinstance(band_width, (int, np.integer)) or band_width < 1:
        raise SpecError(f"band_width must be a positive whole number of years, not {band_width!r}")
    if "age" not in population.dims:
        raise SpecError(f"the population has no age dim (its dims: {', '.join(map(str, population.dims))})")
    _check_sexes(population, "the population")
    pdim = _period_dim(population, "population")
    code = _resolve_areas(population, [area])[0]
    label = _check_period(population, pdim, year)
    label2 = _check_period(population, pdim, compare_year) if compare_year is not None else None
    extra = [d for d in population.dims if d not in ("area", pdim, "sex", "age", "ethnicity")]
    if extra:
        raise SpecError(f"the population has a {extra[0]!r} dim: select one value first "
                        f"(population.sel({extra[0]}=...))")
    da = population.sel(area=code)
    if "ethnicity" in da.dims:
        da = da.sum("ethnicity")
    groups = _age_groups(da, int(band_width))
    names = [g[0] for g in groups]

    def by_band(period, sex) -> np.ndarray:
        one = da.sel({pdim: period, "sex": sex})
        return np.array([float(one.sel(age=ages).sum()) for _, ages in groups])

    fig, ax = _new_figure(figsize=(8.0, 6.0))
    pos = np.arange(len(groups), dtype=float)
    male, female = by_band(label, "male"), by_band(label, "female")
    ax.barh(pos, -male, height=0.85, color=_SEX_COLOURS["male"], label=f"Males, {label}")
    ax.barh(pos, female, height=0.85, color=_SEX_COLOURS["female"], label=f"Females, {label}")
    top = max(male.max(initial=0), female.max(initial=0))
    if label2 is not None:
        male2, female2 = by_band(label2, "male"), by_band(label2, "female")
        ax.barh(pos, -male2, height=0.85, fill=False, edgecolor="#000000", linewidth=1.2,
                label=f"{label2} (outline)")
        ax.barh(pos, female2, height=0.85, fill=False, edgecolor="#000000", linewidth=1.2)
        top = max(top, male2.max(initial=0), female2.max(initial=0))
    ax.axvline(0, color="#000000", linewidth=0.8)
    if top > 0:
        ax.set_xlim(-top * 1.08, top * 1.08)
    step = max(1, math.ceil(len(names) / 25))
    ax.set_yticks(pos[::step], names[::step])
    ax.set_ylabel("Age")
    ax.set_xlabel(_units_label(population.attrs.get("units", "persons")))
    _thousands(ax.xaxis, absolute=True)
    ax.grid(axis="y", visible=False)
    ax.legend(frameon=False, loc="upper right")
    if title is None:
        title = f"Population by age and sex: {_area_names(population, [code])[0]}, {label}"
        if label2 is not None:
            title += f" (outline: {label2})"
    if source is None:
        source = _population_source(population.attrs.get("title"), population.attrs.get("licence"))
    _finish(fig, ax, title, [], source)
    return fig


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
    pdim = _period_dim(da, measure)
    code = _resolve_areas(ds, [area])[0]
    label = _check_period(da, pdim, year)
    da = da.sel(area=code, **{pdim: label})
    central, lo, hi = _reduce(da, ("ethnicity",), level, measure)
    note = _interval_note(da, level, lo is not None, what="bar")

    groups = [str(g) for g in da["ethnicity"].values]
    fig, ax = _new_figure()
    pos = np.arange(len(groups), dtype=float)
    w = central.transpose("ethnicity").values
    err = _err(w, lo, hi, dim="ethnicity")
    ax.barh(pos, w, height=0.7, color=OKABE_ITO[0], xerr=err, capsize=3 if err is not None else 0,
            error_kw={"elinewidth": 1, "ecolor": "#333333"})
    ax.set_yticks(pos, groups)
    ax.invert_yaxis()
    ax.set_ylabel("Ethnic group")
    _value_axis(ax, da, "x")
    ax.set_xlim(left=0)
    ax.grid(axis="y", visible=False)
    if title is None:
        title = _join_title(_long_name(da, measure), f"{_area_names(ds, [code])[0]}, {label}")
    _finish(fig, ax, title, [note] if note else [], _source_text([ds], [measure]) if source is None else source)
    return fig


def save(fig: "Figure", path: str | os.PathLike) -> Path:
    """Write a chart as PNG or SVG, chosen by the file's suffix, atomically.

    The figure is written to a temporary file beside ``path`` and renamed into place only
    when complete, so a failure never leaves a partial chart.  SVG keeps its text as text
    (searchable, ``svg.fonttype = "none"``) and carries no date, so the same chart gives the
    same file; PNG is written at 150 dpi.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A chart from this module (or any matplotlib figure).
    path : str or path-like
        Ends in ``.png`` or ``.svg`` (any case).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    forecast.errors.SpecError
        The suffix is not one of :data:`FORMATS`.
    forecast.errors.ForecastError
        The folder does not exist, or the path is a folder (:func:`forecast.files.atomic_path`).
    """
    dest = Path(path)
    fmt = dest.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        what = f"{dest.suffix!r}" if dest.suffix else "a file without a suffix"
        raise SpecError(f"cannot save a chart as {what}: use one of " + ", ".join(f".{f}" for f in FORMATS),
                        file=dest)
    data = to_bytes(fig, fmt)
    with atomic_path(dest) as tmp:
        tmp.write_bytes(data)
    return dest


def to_bytes(fig: "Figure", fmt: str = "png", *, dpi: int = 150) -> bytes:
    """A chart as PNG or SVG bytes (as :func:`save` writes them): SVG keeps its text as text
    and carries no date; PNG at ``dpi`` carries no date either, so the same chart gives the
    same bytes."""
    import io

    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fmt = fmt.lower().lstrip(".")
    if fmt not in FORMATS:
        raise SpecError(f"cannot draw a chart as {fmt!r}: use one of {', '.join(FORMATS)}")
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    buf = io.BytesIO()
    if fmt == "svg":
        with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "forecast"}):
            fig.savefig(buf, format="svg", metadata={"Date": None})
    else:
        fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


# ---------------------------------------------------------------------------- selection

def _as_dataset(result, measure: str) -> xr.Dataset:
    if isinstance(result, xr.Dataset):
        return result
    if isinstance(result, xr.DataArray):
        name = result.name if result.name is not None else measure
        return result.to_dataset(name=str(name))
    raise SpecError(f"expected a forecast result (xarray.Dataset), not {type(result).__name__}")


def _variable(ds: xr.Dataset, measure: str) -> xr.DataArray:
    if measure not in ds.data_vars:
        have = ", ".join(map(str, ds.data_vars)) or "none"
        raise SpecError(f"measure {measure!r} is not in the result; it has: {have}")
    da = ds[measure]
    if "area" not in da.dims:
        raise SpecError(f"measure {measure!r} has no area dim (its dims: {', '.join(map(str, da.dims))})")
    return da


def _period_dim(da: xr.DataArray, what: str) -> str:
    for d in _PERIOD_DIMS:
        if d in da.dims:
            return d
    raise SpecError(f"{what} has no year or financial_year dim (its dims: {', '.join(map(str, da.dims))})")


def _area_list(obj) -> str:
    codes = [str(c) for c in obj["area"].values]
    names = _area_names(obj, codes)
    items = [c if n == c else f"{c} {n}" for c, n in zip(codes, names)]
    if len(items) > 15:
        items = items[:15] + [f"and {len(items) - 15} more (forecast.find_areas lists them)"]
    return ", ".join(items)


def _resolve_areas(obj, keys) -> list[str]:
    """Area codes for codes or names (any case), in the order given; None: all.

    The lookup is :func:`forecast.population.resolve_areas`; an area the result lacks is
    reported with the result's own areas (not the population's)."""
    codes = [str(c) for c in obj["area"].values]
    if keys is None:
        return codes
    keys = [keys] if isinstance(keys, str) else list(keys)
    if not keys:
        raise SpecError("no areas asked for")
    names = _area_names(obj, codes)
    known = {c.upper() for c in codes} | {n.casefold() for n in names}
    for key in keys:
        k = str(key).strip()
        if k.upper() not in known and k.casefold() not in known:
            raise SpecError(f"area {k!r} is not in the result; it has: {_area_list(obj)}")
    return resolve_areas(obj["area"].assign_coords(area_name=("area", names)), keys)


def _area_names(obj, codes: Sequence[str]) -> list[str]:
    if "area_name" not in obj.coords:
        return list(codes)
    lookup = {str(c): str(n) for c, n in zip(obj["area"].values, obj["area_name"].values)}
    names = [lookup.get(c, c) for c in codes]
    # two areas of the same name (e.g. a district and a county) get their codes too
    return [f"{n} ({c})" if names.count(n) > 1 else n for n, c in zip(names, codes)]


def _fy_start(label: str) -> int:
    return int(str(label)[:4])


def _available(da: xr.DataArray, pdim: str) -> str:
    vals = [str(v) for v in da[pdim].values]
    if pdim == "year":
        ys = sorted(int(v) for v in vals)
        if ys and ys == list(range(ys[0], ys[-1] + 1)) and len(ys) > 2:
            return f"{ys[0]}-{ys[-1]}"
        return ", ".join(map(str, ys))
    if len(vals) > 4:
        return f"{vals[0]} to {vals[-1]}"
    return ", ".join(vals)


def _check_period(da: xr.DataArray, pdim: str, value):
    """The coordinate value for a year (int) or financial year (label or first year)."""
    have = list(da[pdim].values)
    word = "year" if pdim == "year" else "financial year"
    if pdim == "year":
        try:
            y = int(value)
            ok = not isinstance(value, bool) and float(value) == y
        except (TypeError, ValueError):
            ok = False
        if ok and y in [int(v) for v in have]:
            return y
    else:
        labels = [str(v) for v in have]
        if isinstance(value, str) and value.strip() in labels:
            return value.strip()
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            for lab in labels:
                if _fy_start(lab) == int(value):
                    return lab
    raise SpecError(f"{word} {value!r} is not in the result; it has {_available(da, pdim)}")


def _select_periods(da: xr.DataArray, pdim: str, years) -> xr.DataArray:
    if years is None:
        return da
    if isinstance(years, (str, int, np.integer)):
        years = [years]
    labels = [_check_period(da, pdim, y) for y in years]
    if not labels:
        raise SpecError("no years asked for")
    if len(set(labels)) != len(labels):
        raise SpecError(f"a year is asked for twice: {', '.join(map(str, years))}")
    return da.sel({pdim: labels})


def _check_sexes(da: xr.DataArray, what: str) -> None:
    have = [str(s) for s in da["sex"].values] if "sex" in da.dims else []
    missing = [s for s in ("male", "female") if s not in have]
    if missing:
        got = f"it has sex: {', '.join(have)}" if have else "it has no sex dim"
        raise SpecError(f"{what} needs both sexes (male and female), but {' and '.join(missing)} "
                        f"{'is' if len(missing) == 1 else 'are'} missing; {got}")


# ---------------------------------------------------------------------------- reduction

def _check_level(level) -> None:
    if level is None:
        return
    if isinstance(level, bool) or not isinstance(level, (int, float, np.floating)) or not 0 < float(level) < 1:
        raise SpecError(f"level must be a fraction between 0 and 1 (e.g. 0.95), not {level!r}")


def _stat_q(label: str) -> float | None:
    m = re.fullmatch(r"q(\d*\.?\d+(?:[eE]-?\d+)?)", str(label))
    return float(m.group(1)) if m else None


def _find_stat(da: xr.DataArray, q: float) -> str | None:
    for lab in da["statistic"].values:
        v = _stat_q(lab)
        if v is not None and abs(v - q) < 1e-9:
            return str(lab)
    return None


def _reduce(da: xr.DataArray, keep: tuple[str, ...], level, measure: str):
    """(central, lo, hi) with dims ``keep``; lo/hi None when there is no interval."""
    _check_level(level)
    allowed = set(keep) | set(_SUMMED_DIMS) | {"draw", "statistic", "area", *_PERIOD_DIMS}
    extra = [d for d in da.dims if d not in allowed]
    if extra:
        raise SpecError(f"measure {measure!r} has a {extra[0]!r} dim: select one value first "
                        f"(result.sel({extra[0]}=...))")
    summed = [d for d in da.dims if d in _SUMMED_DIMS and d not in keep]
    if "draw" in da.dims:
        total = da.sum(summed) if summed else da
        qs = [0.5] if level is None else [0.5, (1 - level) / 2, (1 + level) / 2]
        total = total.transpose(..., "draw")
        arr = np.quantile(total.values, qs, axis=-1)
        dims = [d for d in total.dims if d != "draw"]
        coords = {k: v for k, v in total.coords.items() if "draw" not in v.dims}
        out = [xr.DataArray(a, dims=dims, coords=coords) for a in arr]
        if level is None:
            return out[0], None, None
        return out[0], out[1], out[2]
    if "statistic" in da.dims:
        wide = [d for d in summed if da.sizes[d] > 1]
        if wide:
            raise SpecError(f"measure {measure!r} holds quantiles by {', '.join(wide)}, and quantiles do not "
                            f"add up: simulate with draws (no quantiles=), or with keep= leaving out "
                            f"{', '.join(wide)}, to chart totals")
        sub = da.isel({d: 0 for d in summed}) if summed else da
        centre_label = _find_stat(sub, 0.5) or ("mean" if "mean" in sub["statistic"].values else None)
        if centre_label is None:
            raise SpecError(f"measure {measure!r} has neither q0.5 nor mean in its statistic dim")
        central = sub.sel(statistic=centre_label, drop=True)
        if level is not None:
            lo_l, hi_l = _find_stat(sub, (1 - level) / 2), _find_stat(sub, (1 + level) / 2)
            if lo_l is not None and hi_l is not None:
                return central, sub.sel(statistic=lo_l, drop=True), sub.sel(statistic=hi_l, drop=True)
        return central, None, None
    return (da.sum(summed) if summed else da), None, None


def _interval_note(da: xr.DataArray, level, has_interval: bool, what: str = "line") -> str:
    if "draw" in da.dims:
        n = da.sizes["draw"]
        text = f"{what.capitalize()}s: median of {n:,} draws"
        if has_interval:
            band = "shaded band" if what == "line" else "error bars"
            text += f"; {band}: central {_pct(level)} interval"
        return text + "."
    if "statistic" in da.dims:
        centre = "median" if _find_stat(da, 0.5) is not None else "mean"
        text = f"{what.capitalize()}s: {centre} of the simulation"
        if has_interval:
            band = "shaded band" if what == "line" else "error bars"
            text += f"; {band}: central {_pct(level)} interval"
        return text + "."
    return ""


def _pct(level: float) -> str:
    return f"{level * 100:.10g}%"


def _err(h: np.ndarray, lo, hi, *, dim: str, **sel):
    if lo is None:
        return None
    lo_v = lo.sel(sel).transpose(dim).values if sel else lo.transpose(dim).values
    hi_v = hi.sel(sel).transpose(dim).values if sel else hi.transpose(dim).values
    return np.vstack([np.clip(h - lo_v, 0, None), np.clip(hi_v - h, 0, None)])


def _age_groups(da: xr.DataArray, width: int) -> list[tuple[str, list[int]]]:
    ages = sorted(int(a) for a in da["age"].values)
    raw_top = da.attrs.get("open_top_age")
    try:
        top = int(raw_top) if raw_top is not None else None
    except (TypeError, ValueError):
        top = None
    open_top = top is not None and top == ages[-1]
    closed = ages[:-1] if open_top else ages
    groups: dict[int, list[int]] = {}
    for a in closed:
        start = ages[0] + ((a - ages[0]) // width) * width
        groups.setdefault(start, []).append(a)
    out = []
    for start, members in groups.items():
        end = start + width - 1
        if open_top:
            end = min(end, top - 1)
        elif members[-1] == ages[-1]:
            end = members[-1]
        out.append((f"{start}-{end}" if end > start else f"{start}", members))
    if open_top:
        out.append((f"{top}+", [top]))
    return out


# ---------------------------------------------------------------------------- drawing

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


def _style(i: int) -> tuple[str, str]:
    return OKABE_ITO[i % len(OKABE_ITO)], _LINESTYLES[(i // len(OKABE_ITO)) % len(_LINESTYLES)]


def _number(x: float) -> str:
    return format(float(x) + 0.0, ",.10g")


def _thousands(axis, *, absolute: bool = False) -> None:
    from matplotlib.ticker import FuncFormatter

    if absolute:
        axis.set_major_formatter(FuncFormatter(lambda x, _: _number(abs(x))))
    else:
        axis.set_major_formatter(FuncFormatter(lambda x, _: _number(x)))


def _units_label(units) -> str:
    u = str(units or "").strip()
    if u.lower() in ("persons", "people", "person", ""):
        return "People"
    return u[:1].upper() + u[1:]


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


def _band_labels(da: xr.DataArray, bdim: str, ds: xr.Dataset) -> list[str]:
    vals = [str(v) for v in da[bdim].values]
    if bdim == "age":
        top = ds.attrs.get("open_top_age", da.attrs.get("open_top_age"))
        if top is not None and str(top) == vals[-1]:
            vals[-1] = f"{vals[-1]}+"
    return vals


def _sex_label(sex: str) -> str:
    return {"male": "Males", "female": "Females"}.get(sex, sex.title())


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


# ---------------------------------------------------------------------------- titles and sources

def _long_name(da: xr.DataArray, measure: str) -> str:
    return str(da.attrs.get("long_name") or measure)


def _common_long_name(das: Sequence[xr.DataArray], measure: str) -> str:
    names = [_long_name(d, measure) for d in das]
    if len(set(names)) == 1:
        return names[0]
    stripped = {re.sub(r"\s*\([^()]*\)\s*$", "", n) for n in names}
    if len(stripped) == 1:
        return stripped.pop()
    return measure


def _name_list(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _join_title(head: str, tail: str | None) -> str:
    return f"{head}: {tail}" if tail else head


def short_citation(citation: str) -> str:
    """A citation's short form: "Knapp et al. 2007" for an author list, else its first part.

    Author lists in Vancouver style (``Surname AB, Surname C, ...``) give the first surname,
    "et al." when there are more authors, and the first year (1900-2099) in the citation;
    anything else is cut at its first ". " or ": ", after a year in parentheses, and at a
    word boundary after 90 characters, with the year added if the cut lost it.
    """
    c = " ".join(str(citation).split())
    if not c:
        return ""
    ym = re.search(r"\b(19|20)\d{2}\b", c)
    year = ym.group(0) if ym else ""
    m = re.match(r"([A-Z][\w'\-]+(?: [a-z]+)?(?: [A-Z][\w'\-]+)?) [A-Z]{1,4}(,|\.|\s\()", c)
    if m:
        more = m.group(2) == "," and bool(re.match(r"\s*[A-Z][\w'\-]+ [A-Z]{1,4}\b", c[m.end():]))
        return " ".join(p for p in (m.group(1) + (" et al." if more else ""), year) if p)
    head = re.split(r"(?<=\w)\. |: ", c, maxsplit=1)[0].rstrip(".")
    dated = re.search(r"\((19|20)\d{2}\)", head)
    if dated:
        head = head[: dated.end()]
    if len(head) > 90:
        head = head[:90].rsplit(" ", 1)[0].rstrip(",;") + "…"
    if year and year not in head:
        head = f"{head} {year}"
    return head


def _population_source(title, licence) -> str | None:
    if not title:
        return None
    text = f"Source: {title}"
    if licence:
        text += f" ({licence})"
    return text


def _rate_text(ds: xr.Dataset, measure: str) -> str | None:
    attrs = ds[measure].attrs
    rs = attrs.get("rate_set")
    if not rs:
        return None
    cit = short_citation(attrs.get("citation", ""))
    return f"{rs} ({cit})" if cit else str(rs)


def _source_text(datasets: Sequence[xr.Dataset], measures: Sequence[str]) -> str | None:
    pops: list[str] = []
    for ds in datasets:
        p = _population_source(ds.attrs.get("population_title"), ds.attrs.get("population_licence"))
        if p:
            p = p[len("Source: "):]
            if p not in pops:
                pops.append(p)
    rates: list[str] = []
    for ds, m in zip(datasets, measures):
        r = _rate_text(ds, m)
        if r is None and ds.attrs.get("rate_sets"):
            # the dataset-level record, without its sha256 checksums
            r = re.sub(r"\s*\(sha256=[0-9a-f]+\)", "", str(ds.attrs["rate_sets"]))
        if r and r not in rates:
            rates.append(r)
    parts = []
    if pops:
        parts.append("Source: " + "; ".join(pops))
    if rates:
        parts.append(("rates: " if pops else "Rates: ") + "; ".join(rates))
    return "; ".join(parts) or None

