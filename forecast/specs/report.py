"""A spec's report: tables, charts (:mod:`forecast.specs.charts`), summary, method and
provenance from one ``forecast.table/1`` spec (``forecast report``).

**Tables.**  The spec's own table first (as ``forecast table`` prints it), then the layout
it does not show: with several age bands (``bands:``), the area table gets an age-band
table beside it (POPPI's layout: one block per measure and area, a row per band) and a
band table gets the area table.  With scenarios, variants or the ethnic adjustment side by
side, the first tables show the first column (the baseline) in full — intervals included —
and a last table puts the columns side by side.

**Numbering.**  Charts are numbered in the spec's order (its ``charts:`` list, or the
defaults' order) in every output: ``forecast chart`` writes ``out-N``, the report's
"Chart N", ``chart-N.png`` and the workbook's Charts sheet are the same figure.  In the
report each chart follows the table it goes with: after Table 1, the tables are ordered
by the first chart that goes with them (tables without a chart last), and a chart whose
table comes earlier than the chart before it follows that chart instead.
"""

from __future__ import annotations

from os import PathLike
from typing import Any

from ..output.provenance import collect
from ..output.report import Chart, Report, Section, method_sections, section_for, summary_lines, tidy_values
from ..periods import is_financial
from .charts import check_fields, spec_charts
from .table import Computed, Spec, compute, load_spec, result_table, spec_table

__all__ = ["compute_for_charts", "spec_charts", "build_report"]

_ROW_LABELS = {"area": "Area", "age_band": "Age band", "sex": "Sex"}
# ---------------------------------------------------------------------------- computing

def _keep_by(spec: Spec) -> str | None:
    """The dim the charts and tables need kept within each draw, passed to ``compute(by=)``
    (without draws every dim is kept anyway).  ``None``: the spec's own ``by``."""
    m = spec.model
    if m.by is not None:
        return None
    kinds = [c.kind for c in m.charts]
    if "ethnicity" in kinds and m.ethnicity is not None and not m.ethnicity.compare:
        return "ethnicity"
    if any(c.kind == "bands" and c.by_sex for c in m.charts):
        return "sex"
    if m.bands is not None and m.rows not in (None, "age_band"):
        return "age_band"
    return None


def compute_for_charts(spec: Spec | str | PathLike, *, draws: int | None = None, seed: int | None = None) -> Computed:
    """:func:`forecast.specs.table.compute`, keeping what the spec's charts and report need."""
    if not isinstance(spec, Spec):
        spec = load_spec(spec)
    for i, c in enumerate(spec.model.charts):
        check_fields(spec, i, c)
    return compute(spec, draws=draws, seed=seed, by=_keep_by(spec))


# ---------------------------------------------------------------------------- report

def _tables(c: Computed) -> tuple[list[tuple[Any, str]], dict[str, int]]:
    """The report's tables in their default order, each with its row labels, and the role
    of each (``area``, ``age_band``, ``compare``) → its index."""
    m = c.spec.model
    names = c.measures.shown
    first_label, first = next(iter(c.results.items()))
    has_bands = any(first[n].sizes.get("age_band", 1) > 1 for n in names)
    rows = m.rows or ("age_band" if has_bands else "area")

    def one(layout: str, title: str | None):
        return result_table(c, first, by=m.by, rows=layout, title=title)

    other = {"area": "age_band", "age_band": "area"}.get(rows) if has_bands else None
    suffix = {"area": ", by area", "age_band": ", by age band"}
    tables: list[tuple[Any, str, str]] = []
    if c.side_by_side:
        main = spec_table(c)
        base = f"{m.title or main.title} ({first_label})"
        tables.append((one(rows, base), rows, "base"))
        if other:
            tables.append((one(other, base + suffix[other]), other, "base"))
        tables.append((main, "area", "compare"))
    else:
        main = spec_table(c, by=m.by)
        tables.append((main, rows, "base"))
        if other:
            tables.append((one(other, (m.title or main.title) + suffix[other]), other, "base"))
    roles: dict[str, int] = {}
    for k, (_, layout, kind) in enumerate(tables):
        roles.setdefault("compare" if kind == "compare" else layout, k)
    return [(t, _ROW_LABELS[layout]) for t, layout, _ in tables], roles


def _sections(c: Computed, charts: list[Chart]) -> tuple[list[Section], dict[str, int]]:
    """The tables as numbered sections, each followed by its charts, the charts in their
    own (the spec's) order: Table 1 first, then the tables in the order of the first chart
    that goes with them, then those no chart goes with; a chart whose table comes before
    the previous chart's goes after that chart.  Also each role's section index."""
    tables, roles = _tables(c)
    wanted = [section_for(ch.kind, roles) for ch in charts]
    order = [0] + [k for k in dict.fromkeys(wanted) if k != 0]
    order += [k for k in range(len(tables)) if k not in order]
    moved = {old: new for new, old in enumerate(order)}
    sections = [Section(f"Table {new + 1}", tables[old][0], tables[old][1]) for new, old in enumerate(order)]
    at = 0
    for chart, k in zip(charts, wanted):
        at = max(at, moved[k])
        chart.section = at
        sections[at].charts.append(chart)
    return sections, {role: moved[k] for role, k in roles.items()}


def build_report(spec: Spec | str | PathLike | Computed, *, draws: int | None = None, seed: int | None = None) -> Report:
    """Tables, charts, summary, method and provenance of a spec (see the module docstring)."""
    c = spec if isinstance(spec, Computed) else compute_for_charts(spec, draws=draws, seed=seed)
    m = c.spec.model
    sections, roles = _sections(c, spec_charts(c))
    names = c.measures.shown
    level = c.spec.level
    title = m.title or sections[0].table.title
    summary_at = roles.get("area", 0)
    summary = summary_lines(sections[summary_at].table, rows=sections[summary_at].rows, comparators=c.comparators)
    results = list(c.results.values())
    labels = {n: c.label(n) for n in names}
    financial = any(is_financial(y) for y in m.years)
    method = method_sections(results, names, labels=labels, round_to=float(m.round_to), financial=financial,
                             areas=c.codes + c.comparators, level=level)
    provenance = collect(c.results, measures=names, title=title, notes=[], level=level, spec=c.spec.path)
    column = "scenario" if m.scenarios is not None else "variant" if m.variants is not None else "ethnic_adjustment"
    data = tidy_values(c.results, measures=names, labels=labels, areas=c.codes + c.comparators, periods=m.years,
                       level=level, column=column)
    return Report(title=title, summary=summary, sections=sections, method=method, provenance=provenance, data=data)
