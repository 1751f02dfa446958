"""Chart titles and the source line under a chart: the measure's ``long_name``, area names,
the population's title and licence, and each rate set with a short form of its citation
(:func:`short_citation`).

Moved from ``forecast/output/plot.py`` (its "titles and sources" section).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import xarray as xr

from .select import _area_names


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


def _period_span(da: xr.DataArray, pdim: str) -> str:
    """The periods drawn, as a title says them: "2025 to 2040", "2022/23 to 2029/30", "2030"."""
    return _span_of(list(da[pdim].values), pdim)


def _span_of(values, pdim: str) -> str:
    """:func:`_period_span` of a list of period values (several results' together)."""
    if not len(values):
        return ""
    if pdim == "year":
        ys = sorted(int(v) for v in values)
        return str(ys[0]) if ys[0] == ys[-1] else f"{ys[0]} to {ys[-1]}"
    vals = sorted(str(v) for v in values)
    return vals[0] if vals[0] == vals[-1] else f"{vals[0]} to {vals[-1]}"


def _area_period_title(ds: xr.Dataset, da: xr.DataArray, measure: str, code: str, label) -> str:
    """The title of a chart of one area and year: "long name: Area, 2030"."""
    return _join_title(_long_name(da, measure), f"{_area_names(ds, [code])[0]}, {label}")


def short_citation(citation: str) -> str:
    """A citation's short form: "Knapp et al. 2007" for an author list, else its first part.

    Author lists in Vancouver style (``Surname AB, Surname C, ...``) give the first surname,
    "et al." when there are more authors, and the year of publication: a journal's
    ("Lancet 2013;382"), else one in parentheses, else the first year (1900-2099) in it;
    anything else is cut at its first ". " or ": ", after a year in parentheses, and — when
    still over 90 characters — before a parenthesis or at a word boundary, with the year
    added if the cut lost it.
    """
    c = " ".join(str(citation).split())
    if not c:
        return ""
    ym = re.search(r"\b(19|20)\d{2}\b", c)
    year = ym.group(0) if ym else ""
    m = re.match(r"([A-Z][\w'\-]+(?: [a-z]+)?(?: [A-Z][\w'\-]+)?) [A-Z]{1,4}(,|\.|\s\()", c)
    if m:
        more = m.group(2) == "," and bool(re.match(r"\s*[A-Z][\w'\-]+ [A-Z]{1,4}\b", c[m.end():]))
        # the journal's year ("BMJ 2017;358") or one in parentheses ("(eds.) (2016)"), before
        # any year in the title ("incidence since 2002")
        published = re.search(r"\b((?:19|20)\d{2})\s*;", c) or re.search(r"\(((?:19|20)\d{2})\)", c)
        if published:
            year = published.group(1)
        return " ".join(p for p in (m.group(1) + (" et al." if more else ""), year) if p)
    head = re.split(r"(?<=\w)\. |: ", c, maxsplit=1)[0].rstrip(".")
    dated = re.search(r"\((19|20)\d{2}\)", head)
    if dated:
        head = head[: dated.end()]
    if len(head) > 90:
        paren = head.find(" (", 20)  # a long title's parenthesis (its publisher) goes first
        if 0 < paren <= 90:
            head = head[:paren]
        else:
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


_DERIVED_KIND = re.compile(r"× \S+(?: \(mean over draws\))? \((share|multiplier|calibrated)\b")
_KIND_WORDS = {"share": "share", "multiplier": "multiplier", "calibrated": "calibration"}


def _rate_set_citation(ds: xr.Dataset, measure: str) -> str:
    """The citation of the rate set behind ``measure``: its own, or — for a derived measure,
    whose ``citation`` is the derived-measures file's — the one of the rate-set measure it
    is derived from (``rate_set_citation``, else followed through ``derived_from``)."""
    attrs = ds[measure].attrs
    if not attrs.get("derivation"):
        return str(attrs.get("citation") or "")
    if attrs.get("rate_set_citation"):
        return str(attrs["rate_set_citation"])
    seen = {measure}
    while attrs.get("derivation"):
        base = attrs.get("derived_from")
        if not base or base in seen or base not in ds.data_vars:
            return ""  # the base is not in this result: no citation rather than a wrong one
        seen.add(base)
        attrs = ds[base].attrs
    return str(attrs.get("citation") or "") if attrs.get("rate_set") == ds[measure].attrs.get("rate_set") else ""


def _rate_text(ds: xr.Dataset, measure: str) -> str | None:
    """``rate_set (short citation)`` of the rate set behind ``measure``."""
    rs = ds[measure].attrs.get("rate_set")
    if not rs:
        return None
    cit = short_citation(_rate_set_citation(ds, measure))
    return f"{rs} ({cit})" if cit else str(rs)


def _derived_text(ds: xr.Dataset, measure: str) -> str | None:
    """What a derived measure adds to its rate set, and whose it is: ``calibration:
    file_id (the derived-measures file's short citation)``."""
    attrs = ds[measure].attrs
    how = str(attrs.get("derivation") or "")
    if not how:
        return None
    kind = _DERIVED_KIND.search(how)
    word = _KIND_WORDS[kind.group(1)] if kind else "derived measure"
    if "; scenario" in how:
        word += " and scenario"
    ident = str(attrs.get("derived_measures") or ds.attrs.get("derived_measures") or "").split(" (")[0].strip()
    cit = short_citation(ds.attrs.get("derived_measures_citation") or attrs.get("citation") or "")
    body = " ".join(p for p in (ident, f"({cit})" if cit and ident else cit) if p)
    return f"{word}: {body}" if body else None


def _scenario_text(attrs) -> str | None:
    """The short citation of a scenario's trend (``trend`` is "sentence — citation")."""
    trend = str(attrs.get("trend") or "")
    if not trend:
        return None
    _, sep, src = trend.partition(" — ")
    return short_citation(src if sep else trend)


def _relative_risks_text(attrs) -> str | None:
    rr = attrs.get("relative_risks")
    if not rr:
        return None
    cit = short_citation(attrs.get("relative_risks_citation") or "")
    return f"{rr} ({cit})" if cit else str(rr)


def _add(items: list[str], text: str | None) -> None:
    if text and text not in items:
        items.append(text)


def _source_text(datasets: Sequence[xr.Dataset], measures: Sequence[str],
                 labels: Sequence[str] | None = None) -> str | None:
    """The source line: the populations, then each rate set with its own short citation,
    each derived measure's file ("share:", "calibration:"…), each scenario (named by its
    ``labels`` entry in a comparison) and each set of relative risks."""
    pops: list[str] = []
    for ds in datasets:
        p = _population_source(ds.attrs.get("population_title"), ds.attrs.get("population_licence"))
        if p:
            _add(pops, p[len("Source: "):])
    rates: list[str] = []
    others: list[str] = []
    scenarios: list[str] = []
    risks: list[str] = []
    for i, (ds, m) in enumerate(zip(datasets, measures)):
        r = _rate_text(ds, m)
        if r is None and ds.attrs.get("rate_sets"):
            # the dataset-level record, without its sha256 checksums
            r = re.sub(r"\s*\(sha256=[0-9a-f]+\)", "", str(ds.attrs["rate_sets"]))
        _add(rates, r)
        _add(others, _derived_text(ds, m))
        s = _scenario_text(ds[m].attrs)
        if s and labels is not None:
            s = f"scenario “{labels[i]}”: {s}"
        _add(scenarios, s)
        _add(risks, _relative_risks_text(ds[m].attrs))
    parts = []
    if pops:
        parts.append("Source: " + "; ".join(pops))
    if rates:
        parts.append(("rates: " if pops else "Rates: ") + "; ".join(rates))
    parts += others
    if scenarios:
        parts.append("; ".join(scenarios) if labels is not None else "scenario: " + "; ".join(scenarios))
    if risks:
        parts.append("relative risks: " + "; ".join(risks))
    return "; ".join(parts) or None
