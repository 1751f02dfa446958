"""A spec's charts (``forecast chart``, and the report's): which figures a
``forecast.table/1`` spec asks for, checked against its results, drawn with
:mod:`forecast.output.plot`.

**Charts.**  A spec's ``charts:`` list, each checked against the result (a measure, area or
year the result lacks is an error naming ``charts[i].field``)::

    charts:
      - {kind: line, measure: dementia}             # the spec's areas over its years (a fan with draws)
      - {kind: compare, measure: dementia, area: Leicester}   # scenarios (or measures) compared
      - {kind: bands, area: Leicester, year: 2040, by_sex: true}
      - {kind: pyramid, area: Rutland, year: 2040, compare_year: 2025}
      - {kind: ethnicity, area: Leicester, year: 2040}

Defaults: ``measure`` — every measure of the table, a chart each; ``area`` — a line chart
shows every area of the table (not comparators), other kinds draw a chart per area;
``year`` — the spec's last year.  Line and compare charts run over every year from the
spec's first to its last (the tables show the spec's years).  A spec without ``charts:``
gets one line chart per measure, and, with columns side by side, a compare chart per
measure and area (where the columns differ).

**Many areas.**  A legend can tell apart no more lines than the palette has colours
(:data:`forecast.output.plot.MAX_SERIES`, 8).  With more areas (``areas: all-upper-tier``
is 153), a spec without ``charts:`` gets, per measure, a line chart of the areas' total
(when no area lies inside another, so the total counts no one twice) and a bar chart of
each area's change ranked (the 10 highest and 10 lowest), and a compare chart of the
total; a ``line`` chart asked for draws every area as a thin grey line with no legend; a
chart drawn per area (compare, bands, pyramid, ethnicity) must name its ``area:``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from ..output import plot
from ..output.report import Chart
from ..periods import financial_year_label, is_financial, parse_financial_year, year_span
from ..population import area_groups, leaves, to_financial_years
from .table import Computed, Spec

__all__ = ["spec_charts", "check_fields"]

_FIELDS = {"line": {"measure", "area"}, "compare": {"measure", "area"}, "bands": {"measure", "area", "year", "by_sex"},
           "pyramid": {"area", "year", "compare_year"}, "ethnicity": {"measure", "area", "year"}}


# ---------------------------------------------------------------------------- charts

def check_fields(spec: Spec, i: int, c) -> None:
    allowed = _FIELDS[c.kind]
    for name in ("measure", "area", "year", "compare_year", "by_sex"):
        if getattr(c, name) is not None and name not in allowed:
            kinds = [k for k, f in _FIELDS.items() if name in f]
            raise spec.fail(f"{name} is not used by a {c.kind} chart (only by {', '.join(kinds)} charts)", "charts", i, name)
    m = spec.model
    if c.kind == "ethnicity" and m.ethnicity is None:
        raise spec.fail("an ethnicity chart needs an 'ethnicity: {mix: …}' section in the spec", "charts", i, "kind")


def _measure(spec: Spec, c: Computed, i: int, value: str | None) -> list[str]:
    shown = c.measures.shown
    if value is None:
        return list(shown)
    for n in shown:
        if value == n or value.casefold() == str(c.label(n)).casefold():
            return [n]
    raise spec.fail(f"measure {value!r} is not in the table; it has {', '.join(shown)}", "charts", i, "measure")


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _area_names(c: Computed) -> dict[str, str]:
    ds = next(iter(c.results.values()))
    return dict(zip(map(str, ds["area"].values), map(str, ds["area_name"].values)))


def _area(spec: Spec, c: Computed, i: int, value: str | None) -> list[str] | None:
    """The area asked for, as a code among the table's areas and comparators (None: all)."""
    if value is None:
        return None
    names = _area_names(c)
    allowed = c.codes + c.comparators
    key = str(value).strip()
    hits = [a for a in allowed if a.upper() == key.upper()] or [a for a in allowed if names[a].casefold() == key.casefold()]
    if len(hits) != 1:
        have = ", ".join(f"{a} {names[a]}" for a in allowed)
        what = "matches several areas" if hits else "is not in the table"
        raise spec.fail(f"area {value!r} {what}; it has {have}", "charts", i, "area")
    return hits


def _years_in(ds: xr.Dataset | xr.DataArray) -> list[int]:
    return [int(y) for y in ds["year"].values]


def _span(spec: Spec, ds):
    """The result over every period from the spec's first year to its last, and those periods
    (financial years as labels, the result converted to them)."""
    years = spec.model.years
    have = _years_in(ds)
    if is_financial(years[0]):
        starts = [parse_financial_year(y) for y in years]
        labels = [financial_year_label(y) for y in range(min(starts), max(starts) + 1) if y in have and y + 1 in have]
        return to_financial_years(ds, labels), labels
    lo, hi = min(int(y) for y in years), max(int(y) for y in years)
    return ds, [y for y in have if lo <= y <= hi]


def _at_period(spec: Spec, ds, i: int, key: str, value) -> tuple[Any, Any]:
    """The result (converted to financial years if need be) and the coordinate for ``value``."""
    have = _years_in(ds)
    if is_financial(value):
        y = parse_financial_year(value)
        if y not in have or y + 1 not in have:
            raise spec.fail(f"{value} needs the years {y} and {y + 1}; the result has {year_span(have)}", "charts", i, key)
        label = financial_year_label(y)
        return to_financial_years(ds, [label]), label
    if int(value) not in have:
        raise spec.fail(f"{value} is not one of the result's years ({year_span(have)})", "charts", i, key)
    return ds, int(value)


def _default_year(spec: Spec):
    return spec.model.years[-1]


def _differs(results: dict[str, xr.Dataset], name: str) -> bool:
    """Whether the columns side by side differ for this measure (a dementia scenario leaves
    depression as it is: no chart compares identical lines)."""
    arrays = [r[name] for r in results.values() if name in r.data_vars]
    return any(a.shape != arrays[0].shape or not np.allclose(a.values, arrays[0].values, rtol=1e-12, atol=0)
               for a in arrays[1:])


def _with_bases(ds: xr.Dataset, name: str) -> xr.Dataset:
    """``ds[[name]]`` and, for a derived measure, the measures it is derived from: a chart's
    source line credits the rate set behind it with that rate set's own citation."""
    names = [name]
    while True:
        base = ds[names[-1]].attrs.get("derived_from")
        if not ds[names[-1]].attrs.get("derivation") or not base or base in names or base not in ds.data_vars:
            return ds[names]
        names.append(base)


def _period_text(periods) -> str:
    """"2025 to 2040" (or one period) for a title."""
    return str(periods[0]) if len(periods) == 1 else f"{periods[0]} to {periods[-1]}"


def _many(codes: list[str]) -> bool:
    """More areas than a legend can tell apart."""
    return len(codes) > plot.MAX_SERIES


def _total_of(ds: xr.Dataset, codes: list[str]) -> xr.Dataset | None:
    """The areas' sum as one area ("total of the N areas"), within each draw; None when an
    area lies inside another (a county and its districts), whose sum would count people twice."""
    groups = area_groups(ds)
    parts = [set(leaves(a, groups)) for a in codes]
    if sum(len(p) for p in parts) != len(set().union(*parts)):
        return None
    total = ds.sel(area=codes).drop_vars("area_name").sum("area", keep_attrs=True)
    return total.expand_dims(area=["total"]).assign_coords(area_name=("area", [f"total of the {len(codes)} areas"]))


def _per_area(spec: Spec, c: Computed, i: int, cs, areas) -> list[str]:
    """The areas a chart drawn per area is drawn for: the one it names, or — with no more
    than a legend's worth of areas — each of the table's."""
    codes = areas or c.codes
    if areas is None and _many(codes):
        raise spec.fail(f"a {cs.kind} chart is drawn for each area, and the table has {len(codes)}: name one "
                        f"(area: {_area_names(c)[codes[0]]})", "charts", i, "area")
    return codes


def _title(chart_spec, fig, suffix: str = "") -> str:
    if chart_spec is not None and chart_spec.title:
        return chart_spec.title
    ax = fig.axes[0]
    return " ".join(ax.get_title().split()) + suffix


def _line(spec, c, i, cs, names, areas, first_label) -> list[Chart]:
    ds = next(iter(c.results.values()))
    level = spec.level
    codes = areas or c.codes
    names_of = _area_names(c)
    out = []
    for n in names:
        data, periods = _span(spec, _with_bases(ds, n))
        title = cs.title if cs is not None and cs.title else None
        if title is None and c.side_by_side:  # the first column's result: say which
            head = c.label(n)
            where = [names_of[a] for a in codes]
            when = _period_text(periods)
            title = (f"{head}: {_and(where)}, {when} ({first_label})" if len(where) <= 3
                     else f"{head}, {when} ({first_label})")
        with _at(spec, i):
            fig = plot.line(data, n, areas=codes, years=periods, level=level, title=title)
        out.append(Chart(fig, _title(cs, fig), "line"))
    return out


def _compare(spec, c, i, cs, names, areas) -> list[Chart]:
    level = spec.level
    out = []
    codes = _per_area(spec, c, i, cs, areas) if i is not None else (areas or c.codes)
    names_of = _area_names(c)
    if c.side_by_side:
        for n in names:
            results = {}
            for label, ds in c.results.items():
                results[label], periods = _span(spec, _with_bases(ds, n))
            for a in codes:
                with _at(spec, i):
                    fig = plot.compare(results, n, a, years=periods, level=level, title=cs.title if cs else None)
                out.append(Chart(fig, _title(cs, fig), "compare"))
        return out
    if len(names) < 2:
        where = ("charts", i, "kind") if i is not None else ()
        raise spec.fail("a compare chart needs scenarios, variants or several measures side by side; this spec has "
                        "one result and one measure", *where)
    ds = next(iter(c.results.values()))
    labels = {n: c.label(n) for n in names}
    results = {}
    for n in names:
        results[labels[n]], periods = _span(spec, _with_bases(ds, n).rename({n: "measure"}))
    for a in codes:
        title = (cs.title if cs is not None and cs.title
                 else f"{names_of[a]}, {_period_text(periods)}: " + ", ".join(labels.values()))
        with _at(spec, i):
            fig = plot.compare(results, "measure", a, years=periods, level=level, title=title)
        out.append(Chart(fig, _title(cs, fig), "compare"))
    return out


def _suffixed(c: Computed, cs, n: str, where: str) -> str | None:
    """With columns side by side, a chart of the first column says which (unless titled)."""
    if (cs is not None and cs.title) or not c.side_by_side:
        return cs.title if cs is not None else None
    return f"{c.label(n)}: {where} ({next(iter(c.results))})"


def _bands(spec, c, i, cs, names, areas) -> list[Chart]:
    ds = next(iter(c.results.values()))
    level = spec.level
    year = cs.year if cs.year is not None else _default_year(spec)
    out = []
    for n in names:
        if "age_band" not in ds[n].dims:
            hint = (f" (with draws, each draw keeps only what the table's rows: {spec.model.rows} need: leave rows: "
                    "unset to keep the bands)" if spec.model.bands is not None
                    else ": give bands: in the spec, e.g. [65-74, 75-84, 85+]")
            raise spec.fail(f"the result of {n!r} has no age bands to draw{hint}", "charts", i, "kind")
        data, label = _at_period(spec, ds[[n]], i, "year", year)
        for a in _per_area(spec, c, i, cs, areas):
            with spec.at("charts", i, "by_sex" if cs.by_sex else "kind"):
                title = _suffixed(c, cs, n, f"{_area_names(c)[a]}, {label}")
                fig = plot.bands(data, n, a, label, by_sex=bool(cs.by_sex), level=level, title=title)
            out.append(Chart(fig, _title(cs, fig), "bands"))
    return out


def _pyramid(spec, c, i, cs, areas) -> list[Chart]:
    """Population pyramids: mid-year populations, so calendar years only."""
    pop = c.population
    year = cs.year if cs.year is not None else _default_year(spec)
    if is_financial(year):
        if cs.year is not None:
            raise spec.fail(f"a pyramid shows a mid-year population: give a calendar year, not {year}", "charts", i, "year")
        year = parse_financial_year(year)
    _, label = _at_period(spec, pop, i, "year", year)
    _, label2 = _at_period(spec, pop, i, "compare_year", cs.compare_year) if cs.compare_year is not None else (None, None)
    out = []
    for a in _per_area(spec, c, i, cs, areas):
        with spec.at("charts", i):
            fig = plot.pyramid(pop, a, label, compare_year=label2, title=cs.title)
        out.append(Chart(fig, _title(cs, fig), "pyramid"))
    return out


def _ethnicity(spec, c, i, cs, names, areas) -> list[Chart]:
    level = spec.level
    year = cs.year if cs.year is not None else _default_year(spec)
    out = []
    for n in names:
        ds = next((r for r in c.results.values() if n in r.data_vars and "ethnicity" in r[n].dims), None)
        if ds is None:
            raise spec.fail(f"the result of {n!r} is not split by ethnic group", "charts", i, "kind")
        data, label = _at_period(spec, ds[[n]], i, "year", year)
        for a in _per_area(spec, c, i, cs, areas):
            with spec.at("charts", i):
                title = _suffixed(c, cs, n, f"{_area_names(c)[a]}, {label}")
                fig = plot.ethnicity(data, n, a, label, level=level, title=title)
            out.append(Chart(fig, _title(cs, fig), "ethnicity"))
    return out


def _many_areas(spec: Spec, c: Computed, first_label: str) -> list[Chart]:
    """The default charts of a table with more areas than a legend can tell apart: per
    measure, the areas' total over the years (when no area lies inside another) and each
    area's change ranked; with columns side by side, the total compared."""
    level = spec.level
    suffix = f" ({first_label})" if c.side_by_side else ""
    out: list[Chart] = []
    for n in c.measures.shown:
        label = c.label(n)
        totals, spans = {}, {}
        for col, ds in c.results.items():
            spans[col], periods = _span(spec, _with_bases(ds, n))
            total = _total_of(spans[col], c.codes)
            if total is not None:
                totals[col] = total
        with _at(spec, None):
            if totals:
                fig = plot.line(next(iter(totals.values())), n, years=periods, level=level,
                                title=f"{label}: total of the {len(c.codes)} areas, {_period_text(periods)}{suffix}")
                out.append(Chart(fig, _title(None, fig), "line"))
            if len(periods) > 1:
                data = spans[next(iter(c.results))]
                # the table's label (and which column, side by side) heads the title, as the total's;
                # on a new variable: the result itself (shared by the tables) keeps its own label
                data = data.assign({n: data[n].assign_attrs(long_name=label + suffix)})
                ends = tuple(spec.model.change) if spec.model.change else (periods[0], periods[-1])
                fig = plot.change(data, n, areas=c.codes, years=_change_periods(data, ends), level=level)
                out.append(Chart(fig, _title(None, fig), "change"))
            if c.side_by_side and len(totals) == len(c.results) and _differs(c.results, n):
                fig = plot.compare(totals, n, "total", years=periods, level=level)
                out.append(Chart(fig, _title(None, fig), "compare"))
    return out


def _change_periods(data: xr.Dataset, years) -> tuple:
    """The spec's change years as the result's period labels (financial years as labels)."""
    if "financial_year" in data.dims:
        return tuple(financial_year_label(parse_financial_year(y) if is_financial(y) else int(y)) for y in years)
    return tuple(int(y) for y in years)


def _at(spec: Spec, i: int | None):
    """Errors located at ``charts[i]`` (a default chart: at the spec)."""
    return spec.at("charts", i) if i is not None else spec.at()


def spec_charts(c: Computed) -> list[Chart]:
    """The spec's charts (``charts:``), or the default ones (see the module docstring)."""
    spec, m = c.spec, c.spec.model
    first_label = next(iter(c.results))
    out: list[Chart] = []
    if not m.charts:
        if _many(c.codes):
            return _many_areas(spec, c, first_label)
        out += _line(spec, c, None, None, c.measures.shown, None, first_label)
        if c.side_by_side:
            differ = [n for n in c.measures.shown if _differs(c.results, n)]
            if differ:
                out += _compare(spec, c, None, None, differ, None)
        return out
    for i, cs in enumerate(m.charts):
        check_fields(spec, i, cs)
        areas = _area(spec, c, i, cs.area)
        if cs.kind == "pyramid":
            out += _pyramid(spec, c, i, cs, areas)
            continue
        names = _measure(spec, c, i, cs.measure)
        if cs.kind == "line":
            out += _line(spec, c, i, cs, names, areas, first_label)
        elif cs.kind == "compare":
            out += _compare(spec, c, i, cs, names, areas)
        elif cs.kind == "bands":
            out += _bands(spec, c, i, cs, names, areas)
        else:
            out += _ethnicity(spec, c, i, cs, names, areas)
    return out


