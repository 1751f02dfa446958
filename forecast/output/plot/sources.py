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


def _area_period_title(ds: xr.Dataset, da: xr.DataArray, measure: str, code: str, label) -> str:
    """The title of a chart of one area and year: "long name: Area, 2030"."""
    return _join_title(_long_name(da, measure), f"{_area_names(ds, [code])[0]}, {label}")


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
