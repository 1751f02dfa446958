"""Rate sets: one published source's age- and sex-specific rates for one measure.

A :class:`RateSet` holds, for each sex, a rate per age band (as a proportion), with its
citation, any published intervals, counts or survey bases (for draws), the rule for a
population's open top age group, ethnic relative risks and a trend.  It is read from a
YAML file (``forecast.rate-set/1``; :mod:`forecast.schemas.rate_set`) or built in Python
(:meth:`RateSet.from_dict`, or the constructor).

**Open top group.**  ONS populations end at "90 and over"; Dementia UK gives 90-94 and
95+.  :class:`OpenTop` says what the whole 90+ group gets: ``error`` (refuse),
``first_band`` (the 90-94 rate for all: a lower bound where rates rise with age), or
``weights`` — POPPI's method: the bands' rates weighted by a cited population in those
ages, by sex (POPPI: England mid-2013, ONS "Estimates of the very old"), or with
``weights: npp`` by the national projection's own shares in each year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from ..ages import AgeBand, coverage
from ..errors import AssumptionError
from ..files import sha256_file
from ..schemas.rate_set import UNITS
from ._plain import content_sha256, plain
from .registry import LOADERS, registry
from .relative_risks import RelativeRisks, Source
from .trend import Trend

__all__ = ["UNITS", "OpenTop", "RateSet", "load_rate_set", "get_rate_set"]


@dataclass(frozen=True)
class OpenTop:
    """How to apply bands that split a population's open top age group (module docstring).

    ``weights`` is ``{"male": (w1, w2, …), "female": (…)}`` — populations in the bands from
    the top age up, normalised per sex — or the string ``"npp"``.
    """

    rule: str = "error"
    weights: Mapping[str, tuple[float, ...]] | str | None = None
    source: str = ""
    note: str = ""


@dataclass(frozen=True, eq=False)
class RateSet:
    """One measure's age- and sex-specific rates from one published source.

    Rates are stored as proportions (0-1) per band and sex.  Build one from YAML with
    :func:`forecast.load_rate_set`, or in Python with :meth:`RateSet.from_dict` (the same
    schema as the YAML, as a dict) or the constructor.
    """

    KIND = "rate-set"

    id: str
    measure: str
    label: str
    source: Source
    bands: tuple[AgeBand, ...]
    rates: Mapping[str, np.ndarray]
    unit: str = "proportion"
    intervals: Mapping[str, np.ndarray] | None = None
    interval_level: float = 0.95
    bases: Mapping[str, np.ndarray] | None = None
    counts: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None  # sex -> (cases, population)
    interval_method: str = ""
    open_top: OpenTop = field(default_factory=OpenTop)
    ethnicity: "RelativeRisks | str | None" = None  # inline ratios, or the id of a relative-risks file
    trend: Trend | None = None
    notes: str = ""
    path: Path | None = None
    sha256: str | None = None
    by_sex: bool = True  # False when the source gives persons rates only

    # ------------------------------------------------------------------ basics
    @property
    def sex_specific(self) -> bool:
        return self.by_sex and not np.array_equal(self.rates["male"], self.rates["female"])

    @property
    def coverage(self) -> AgeBand:
        """The ages the rate set covers, e.g. ``65+`` or ``30-64``."""
        return coverage(self.bands)

    def __repr__(self) -> str:
        return f"RateSet(id={self.id!r}, measure={self.measure!r}, ages={self.coverage.label!r})"

    def table(self, which: str = "rate") -> np.ndarray:
        """Band rates ``[sex, band]`` (male, female): the point estimate, or the published
        interval's ``"low"`` or ``"high"`` end."""
        if which == "rate":
            return np.vstack([self.rates["male"], self.rates["female"]])
        if self.intervals is None:
            raise AssumptionError(f"rate set '{self.id}' has no published intervals", file=self.path)
        k = {"low": 0, "high": 1}[which]
        return np.vstack([self.intervals["male"][:, k], self.intervals["female"][:, k]])

    # ------------------------------------------------------------------ ages
    def band_of(self, age: int) -> int | None:
        """Index of the band holding single age ``age`` (below a population's open top)."""
        return next((i for i, b in enumerate(self.bands) if b.contains(int(age))), None)

    def _top_bands(self, top: int) -> list[int]:
        return [i for i, b in enumerate(self.bands) if b.hi is None or b.hi >= top]

    def splits_top(self, top: int) -> bool:
        """True if the bands cut a population's open top group ``top+`` (e.g. 90-94, 95+)."""
        idx = self._top_bands(top)
        return bool(idx) and not (len(idx) == 1 and self.bands[idx[0]].lo <= top and self.bands[idx[0]].hi is None)

    def population_coverage(self, top: int) -> AgeBand:
        """The ages of a population with open top ``top`` that get a rate from this set."""
        cov = self.coverage
        if self.splits_top(top) and self.open_top.rule == "error":
            return AgeBand(cov.lo, top - 1)  # the open top group has no rate
        if self.splits_top(top) or (cov.hi is not None and cov.hi >= top):
            return AgeBand(cov.lo, None)
        return cov

    def top_split(self, top: int, *, strict: bool = True) -> tuple[list[int], np.ndarray | str] | None:
        """The bands that give the open top group ``top+`` its rate, and their weights.

        Returns ``(band indices, weights)`` with weights ``[sex, band]`` summing to 1 per
        sex, or the string ``"npp"`` (weights from the national projection, each year);
        ``None`` if no band reaches ``top``.  A split with rule ``error`` raises (or, with
        ``strict=False``, gives None: callers that do not need the group).
        """
        idx = self._top_bands(top)
        if not idx:
            return None
        if not self.splits_top(top):
            return idx[:1], np.ones((2, 1))
        labels = ", ".join(self.bands[i].label for i in idx)
        rule = self.open_top.rule
        if rule == "first_band":
            return (idx[:1], np.ones((2, 1))) if self.bands[idx[0]].lo <= top else None
        if rule == "weights":
            if self.open_top.weights == "npp":
                return idx, "npp"
            given = np.vstack([self.open_top.weights["male"], self.open_top.weights["female"]]).astype(float)
            if given.shape[1] != len(idx):
                raise AssumptionError(
                    f"{given.shape[1]} weights given for the {len(idx)} bands ({labels}) that make up the "
                    f"population's {top}+ group", file=self.path, field="open_top.weights",
                )
            return idx, given / given.sum(axis=1, keepdims=True)
        if not strict:
            return None
        raise AssumptionError(
            f"rate set '{self.id}' splits the population's open top age group {top}+ into {labels}; "
            "say how to combine them with open_top.rule (first_band or weights)",
            file=self.path, field="open_top",
        )

    def rates_by_age(
        self, ages: Sequence[int], open_top_age: int, *, which: str = "rate", strict_top: bool = True,
        top_weights: np.ndarray | None = None,
    ) -> xr.DataArray:
        """Rates (proportions) on single years of age, dims ``(sex, age)``.

        Ages the rate set does not cover are NaN.  The last age ``open_top_age`` is an open
        group; if the bands split it, the :class:`OpenTop` rule decides its rate (with
        ``weights: npp``, pass the year's ``top_weights[sex, band]``).  ``which``: the
        point estimate or an interval end (:meth:`table`).
        """
        ages = np.asarray(ages, dtype=int)
        table = self.table(which)
        out = np.full((2, ages.size), np.nan)
        for j, a in enumerate(ages):
            if a < open_top_age:
                i = self.band_of(a)
                if i is not None:
                    out[:, j] = table[:, i]
                continue
            split = self.top_split(open_top_age, strict=strict_top)
            if split is None:
                continue
            idx, w = split
            if isinstance(w, str):
                if top_weights is None:
                    raise AssumptionError(f"rate set '{self.id}' weights its {open_top_age}+ rate by the national "
                                          "projection each year: give top_weights", file=self.path, field="open_top")
                w = np.asarray(top_weights, dtype=float)
            out[:, j] = (w * table[:, idx]).sum(axis=1)
        return xr.DataArray(out, dims=("sex", "age"), coords={"sex": ["male", "female"], "age": ages}, name=self.id)

    def open_top_note(self, top: int) -> str | None:
        """A sentence for table notes when the open-top rule was used, else None."""
        if not self.splits_top(top):
            return None
        idx = self._top_bands(top)
        labels = ", ".join(self.bands[i].label for i in idx)
        if self.open_top.rule == "first_band":
            text = (f"{self.id}: the {top}+ group gets the {self.bands[idx[0]].label} rate ({labels} cannot be "
                    f"applied separately to {top}+): a lower bound where rates rise with age")
        elif self.open_top.rule == "weights":
            by = ("the national projection's shares in those ages each year" if self.open_top.weights == "npp"
                  else self.open_top.source or "the given population")
            text = f"{self.id}: the {top}+ rate is the mean of the {labels} rates weighted by {by}"
        else:
            return None
        return text + (f"; {self.open_top.note}" if self.open_top.note else "")

    # ------------------------------------------------------------------ views
    def to_frame(self) -> pd.DataFrame:
        """The rates as a table: band, sex, rate in the file's unit (and interval, base)."""
        scale = UNITS[self.unit]
        rows = []
        for sex in ("male", "female"):
            for i, band in enumerate(self.bands):
                row = {"age_band": band.label, "sex": sex, f"rate ({self.unit})": self.rates[sex][i] * scale}
                if self.intervals is not None:
                    row["low"] = self.intervals[sex][i, 0] * scale
                    row["high"] = self.intervals[sex][i, 1] * scale
                if self.counts is not None:
                    row["cases"], row["population"] = (int(x[i]) for x in self.counts[sex])
                elif self.bases is not None:
                    row["base"] = int(self.bases[sex][i])
                rows.append(row)
        df = pd.DataFrame(rows)
        if not self.sex_specific:
            df = df[df.sex == "male"].assign(sex="persons")
        return df.reset_index(drop=True)

    # ------------------------------------------------------------------ parsing
    @classmethod
    def from_dict(cls, data, *, path=None, lines=None) -> "RateSet":
        """Validate a ``forecast.rate-set/1`` mapping (as read from YAML, or built in Python)
        and build a RateSet.  A rate set built in Python records the sha256 of its canonical
        content as its provenance."""
        from ..schemas import validate

        m = validate(plain(data), "rate-set", file=path, lines=lines)
        return cls.from_model(m, path=path, sha256=sha256_file(path) if path else content_sha256(data))

    @classmethod
    def from_model(cls, m, *, path=None, sha256=None) -> "RateSet":
        """From a validated :class:`forecast.schemas.RateSetFile`."""
        sexes = m.sexes

        def both(d: dict) -> dict:  # persons rates serve both sexes
            return {"male": d["persons"], "female": d["persons"]} if sexes == ("persons",) else d

        scale = UNITS[m.unit]
        counts = intervals = bases = None
        level, method = 0.95, ""
        if m.counts is not None:
            counts = both({s: tuple(np.asarray(getattr(getattr(m.counts, s), k), dtype=float) for k in ("cases", "population"))
                           for s in sexes})
            rates = {s: counts[s][0] / counts[s][1] for s in ("male", "female")}
            if m.intervals is not None:
                level, method = float(m.intervals.level), m.intervals.method or "wilson"
                intervals = _count_intervals(counts, level, method)
        else:
            rates = both({s: np.asarray(getattr(m.rates, s), dtype=float) / scale for s in sexes})
            if m.intervals is not None:
                level = float(m.intervals.level)
                intervals = both({s: np.asarray(getattr(m.intervals, s), dtype=float) / scale for s in sexes})
            if m.bases is not None:
                bases = both({s: np.asarray(getattr(m.bases, s), dtype=int) for s in sexes})
        ot = m.open_top
        open_top = OpenTop() if ot is None else OpenTop(
            rule=ot.rule, source=" ".join(ot.source.split()), note=" ".join(ot.note.split()),
            weights=ot.weights if isinstance(ot.weights, str) or ot.weights is None else
            {"male": tuple(ot.weights.male), "female": tuple(ot.weights.female)})
        ethnicity = None
        if m.ethnicity is not None:
            ethnicity = m.ethnicity.use if hasattr(m.ethnicity, "use") else RelativeRisks.from_model(
                m.ethnicity, id=m.id, measure=m.measure, label=f"{m.id}: ethnic relative risks", path=path, sha256=sha256)
        return cls(
            id=m.id, measure=m.measure, label=m.label or m.measure, source=Source.from_model(m.source),
            bands=tuple(m.table.bands), rates=rates, unit=m.unit, intervals=intervals, interval_level=level,
            bases=bases if bases is not None else ({s: c[1].copy() for s, c in counts.items()} if counts else None),
            counts=counts, interval_method=method, open_top=open_top, ethnicity=ethnicity,
            trend=Trend.from_model(m.trend) if m.trend is not None else None, notes=" ".join(m.notes.split()),
            path=Path(path) if path else None, sha256=sha256, by_sex=sexes != ("persons",),
        )


def _count_intervals(counts, level: float, method: str) -> dict:
    """Binomial intervals from counts (statsmodels ``proportion_confint``)."""
    from statsmodels.stats.proportion import proportion_confint

    out = {}
    for sex, (k, n) in counts.items():
        lo, hi = proportion_confint(k, n, alpha=1 - level, method=method)
        out[sex] = np.column_stack([np.clip(lo, 0, 1), np.clip(hi, 0, 1)])
    return out


def load_rate_set(path) -> RateSet:
    """Load and validate one rate-set YAML file (:func:`get_rate_set` also takes an id)."""
    from ..schemas import load

    path = Path(path)
    if not path.exists() and path.suffix == "" and registry.find(str(path), "rate-set") is not None:
        raise AssumptionError(f"no file {path}: '{path}' is the id of a built-in rate set; "
                              f"use forecast.get_rate_set('{path}')")
    return RateSet.from_model(load(path, "rate-set"), path=path, sha256=sha256_file(path))


def get_rate_set(key) -> RateSet:
    """A rate set by id, by path to a YAML file, a schema-v1 dict, or the object itself."""
    if isinstance(key, RateSet):
        return key
    if isinstance(key, Mapping):
        return RateSet.from_dict(dict(key))
    return registry.get(key, "rate-set")


LOADERS["rate-set"] = load_rate_set
