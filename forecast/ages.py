"""Age bands: parse the labels used in published tables, map single years of age to bands.

Published tables label ages in many ways: ``"65-69"``, ``"65 to 69"``, ``"90+"``,
``"90 and over"``, ``"65 and over"``, ``"85 plus"``, ``"All ages"``, ``"under 5"``.
:func:`parse_band` turns any of these into an :class:`AgeBand` (inclusive lower and
upper age, ``hi=None`` for an open top).

A population cube holds single years of age ``0..top`` where the last age is an
*open* group (ONS: ``"90 and over"`` is stored as age 90).  A band can be formed from
such a cube only if it does not cut the open group: ``"85-89"`` and ``"85+"`` can,
``"90-94"`` and ``"95+"`` cannot (see :func:`ages_in_band`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from numbers import Integral
from typing import Iterable, Sequence

from .errors import SpecError

__all__ = [
    "AgeBand",
    "parse_band",
    "parse_bands",
    "coverage",
    "ages_in_band",
    "band_matrix",
    "band_labels",
]

# Pure Python on purpose: the schema layer parses bands without importing numpy.


@dataclass(frozen=True, order=True)
class AgeBand:
    """An inclusive age range; ``hi=None`` means "and over"."""

    lo: int
    hi: int | None

    def __post_init__(self) -> None:
        if self.lo < 0:
            raise SpecError(f"age band starts below 0: {self.lo}")
        if self.hi is not None and self.hi < self.lo:
            raise SpecError(f"age band {self.lo}-{self.hi} ends before it starts")

    @property
    def open(self) -> bool:
        return self.hi is None

    @property
    def label(self) -> str:
        if self.hi is None:
            return "all ages" if self.lo == 0 else f"{self.lo}+"
        if self.hi == self.lo:
            return str(self.lo)
        return f"{self.lo}-{self.hi}"

    def __str__(self) -> str:
        return self.label

    def contains(self, age: int) -> bool:
        return age >= self.lo and (self.hi is None or age <= self.hi)

    def overlaps(self, other: "AgeBand") -> bool:
        a_hi = math.inf if self.hi is None else self.hi
        b_hi = math.inf if other.hi is None else other.hi
        return self.lo <= b_hi and other.lo <= a_hi

    def within(self, other: "AgeBand") -> bool:
        """True if every age of this band is in ``other``."""
        if self.lo < other.lo:
            return False
        if other.hi is None:
            return True
        return self.hi is not None and self.hi <= other.hi


_DASH = r"\s*(?:-|–|—|to)\s*"
_OPEN = r"\s*(?:\+|plus|and\s+over|and\s+older|or\s+over|or\s+older|years\s+and\s+over|and\s+above)"
_PATTERNS = [
    (re.compile(rf"^(\d+){_DASH}(\d+)(?:\s*years)?$"), lambda m: AgeBand(int(m[1]), int(m[2]))),
    (re.compile(rf"^(\d+){_OPEN}$"), lambda m: AgeBand(int(m[1]), None)),
    (re.compile(r"^(?:under|less\s+than|below)\s*(\d+)$"), lambda m: AgeBand(0, int(m[1]) - 1)),
    (re.compile(r"^(\d+)(?:\s*years)?$"), lambda m: AgeBand(int(m[1]), int(m[1]))),
    (re.compile(r"^(?:all\s+ages|all|total)$"), lambda m: AgeBand(0, None)),
]


def parse_band(text: str | int | AgeBand) -> AgeBand:
    """Parse one age-band label.

    Accepts ``"65-69"``, ``"65 to 69"``, ``"90+"``, ``"90 and over"``,
    ``"65 and over"``, ``"85 plus"``, ``"All ages"``, ``"under 5"``, a single
    age ``"45"`` or ``45``, or an :class:`AgeBand` (returned as is).

    Raises :class:`~forecast.errors.SpecError` for anything else.
    """
    if isinstance(text, AgeBand):
        return text
    if isinstance(text, Integral) and not isinstance(text, bool):
        return AgeBand(int(text), int(text))
    if not isinstance(text, str):
        raise SpecError(f"age band must be text such as '65-69' or '90+', not {text!r}")
    s = " ".join(text.strip().lower().replace("aged ", "").split())
    for pattern, make in _PATTERNS:
        m = pattern.match(s)
        if m:
            return make(m)
    raise SpecError(
        f"cannot read age band {text!r}: use forms such as '65-69', '90+', "
        "'90 and over', '85 plus' or 'All ages'"
    )


def parse_bands(
    labels: Iterable[str | int | AgeBand] | str, *, contiguous: bool = False
) -> tuple[AgeBand, ...]:
    """Parse a list of band labels and check that no two overlap.

    ``labels`` may be a list or one comma-separated string (``"65-74,75-84,85+"``).
    With ``contiguous=True`` the bands must also leave no gap between the lowest and
    the highest (a full cover, as a rate set needs).  The bands are returned in the
    order given.
    """
    if isinstance(labels, str):
        labels = [part for part in labels.split(",") if part.strip()]
    bands = tuple(parse_band(x) for x in labels)
    if not bands:
        raise SpecError("no age bands given")
    ordered = sorted(bands)
    for a, b in zip(ordered, ordered[1:]):
        if a.overlaps(b):
            raise SpecError(f"age bands {a.label} and {b.label} overlap")
        if contiguous and a.hi is not None and b.lo != a.hi + 1:
            missing = f"age {a.hi + 1}" if b.lo == a.hi + 2 else f"ages {a.hi + 1}-{b.lo - 1}"
            raise SpecError(f"gap between age bands {a.label} and {b.label} ({missing} missing)")
    return bands


def coverage(bands: Sequence[AgeBand]) -> AgeBand:
    """The single band spanned by a contiguous set of bands (``65-69 … 95+`` → ``65+``)."""
    ordered = sorted(bands)
    return AgeBand(ordered[0].lo, ordered[-1].hi)


def band_labels(bands: Sequence[AgeBand]) -> list[str]:
    return [b.label for b in bands]


def ages_in_band(band: AgeBand, top: int) -> range:
    """Single ages of a cube with ages ``0..top`` (``top`` open) that make up ``band``.

    Raises :class:`SpecError` if the band cuts the open top group: with ``top=90``
    (90 and over) a band ``"90-94"`` or ``"95+"`` cannot be formed, because the
    population aged 90-94 is not known separately from 95 and over.
    """
    top_label = f"{top}+"
    if band.lo > top:
        raise SpecError(
            f"age band {band.label} starts above the population's top age group {top_label}"
        )
    if band.hi is None:
        return range(band.lo, top + 1)
    if band.hi >= top:
        raise SpecError(
            f"age band {band.label} cannot be formed: the population's top age group is {top_label} "
            f"(use a band ending at {top - 1} or an open band such as {top_label})"
        )
    return range(band.lo, band.hi + 1)


def band_matrix(bands: Sequence[AgeBand], ages: Sequence[int], top: int):
    """0/1 membership matrix ``[band, age]`` (a numpy array).

    Bands must not overlap (see :func:`parse_bands`); a band the ages cannot form is a
    :class:`SpecError` (see :func:`ages_in_band`).
    """
    import numpy as np

    ages = [int(a) for a in ages]
    m = np.zeros((len(bands), len(ages)))
    index = {a: i for i, a in enumerate(ages)}
    for j, band in enumerate(bands):
        for a in ages_in_band(band, top):
            if a not in index:
                raise SpecError(f"age band {band.label} needs age {a}, which the population does not have")
            m[j, index[a]] = 1.0
    return m
