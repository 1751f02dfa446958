"""Chart style: the colour palette, line styles, sex colours and number formatting.

Moved from ``forecast/output/plot.py`` (its constants and the number formatters of its
drawing section).

Source: Okabe M, Ito K. Color Universal Design (CUD): how to make figures and presentations
that are friendly to colorblind people. J*Fly, 2008 (https://jfly.uni-koeln.de/color/) — the
eight-colour palette :data:`OKABE_ITO`.
"""

from __future__ import annotations

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
#: Markers of the series of a comparison, in turn, so that lines that coincide stay apart.
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
_SEX_COLOURS = {"male": OKABE_ITO[0], "female": OKABE_ITO[1]}
_ERROR_BARS = {"elinewidth": 1, "ecolor": "#333333"}

_FIGSIZE = (8.0, 5.0)
_FOOT_FONTSIZE = 9.0  # readable where a report shows the 8-inch figure 800 px wide (12.5 px)
_FOOT_CHAR_EM = 0.58  # a wide estimate of DejaVu Sans' mean character width, in ems
_TITLE_WRAP = 76  # characters per title line at 12 pt on an 8-inch figure
#: Most series a line chart labels in a legend (the palette's colours): with more areas, a
#: line chart draws them all in grey without a legend, and a spec's default charts show
#: their total and their ranked change instead.
MAX_SERIES = 8
_HEADROOM = 1.08  # the value axis runs to 8% above the highest point (or interval), so no marker is cut

def _foot_wrap(fig_width_in: float, fontsize: float = _FOOT_FONTSIZE) -> int:
    """Characters per footer line that fit across a figure ``fig_width_in`` inches wide."""
    return max(40, int(fig_width_in * 72 * 0.97 / (fontsize * _FOOT_CHAR_EM)))


def _style(i: int, *, distinct: bool = False) -> tuple[str, str]:
    """The ``i``-th series' colour and line style: the palette, then the palette dashed…;
    ``distinct``: a line style of its own for each series as well (a comparison, whose
    lines may coincide)."""
    if distinct:
        return OKABE_ITO[i % len(OKABE_ITO)], _LINESTYLES[i % len(_LINESTYLES)]
    return OKABE_ITO[i % len(OKABE_ITO)], _LINESTYLES[(i // len(OKABE_ITO)) % len(_LINESTYLES)]


def _sex_label(sex: str) -> str:
    return {"male": "Males", "female": "Females"}.get(sex, sex.title())


def _number(x: float) -> str:
    return format(float(x) + 0.0, ",.10g")


def _pct(level: float) -> str:
    return f"{level * 100:.10g}%"


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


def _value_label(attrs) -> str:
    """The value axis' label: the units ("People" for persons, "Assessments" for a derived
    measure's ``units: assessments``); a derived measure that gives no units (a share,
    calibration or multiplier of another) counts what its label says, which need not be
    people, so its label is used (wrapped)."""
    import textwrap

    if attrs.get("derivation") and str(attrs.get("units") or "persons").lower() in ("persons", "people", "person"):
        name = str(attrs.get("long_name") or "").strip()
        if name:
            return "\n".join(textwrap.wrap(name, 34))
    return _units_label(attrs.get("units"))
