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
_SEX_COLOURS = {"male": OKABE_ITO[0], "female": OKABE_ITO[1]}
_ERROR_BARS = {"elinewidth": 1, "ecolor": "#333333"}

_FIGSIZE = (8.0, 5.0)
_FOOT_FONTSIZE = 7.0
_FOOT_WRAP = 125  # characters per footer line at 7 pt on an 8-inch figure
_TITLE_WRAP = 70


def _style(i: int) -> tuple[str, str]:
    """The ``i``-th series' colour and line style: the palette, then the palette dashed…"""
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
