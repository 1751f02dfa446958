"""Rate sets: the pluggable prevalence assumptions, their YAML schema and registry.

A *rate set* is one published source's age- (and usually sex-) specific rates for
one measure, e.g. Dementia UK 2007 late-onset prevalence by 5-year band and sex.
It is loaded from a YAML file (schema ``forecast.rate-set/1``, documented in the
README), validated, and handed to :func:`forecast.project`, which needs from it only
:meth:`RateSet.rates_by_age`: the rate on single years of age, dims ``(sex, age)``.

Rate sets are found by id in a :class:`Registry`: the built-in files in
``assumptions/`` (grouped by measure), files and folders the user adds with
:func:`register`, and packages that register an entry point in the group
``forecast.assumptions`` (the entry point names a folder, a file, or a callable
returning rate sets or paths).  A :class:`RateSet` object, or a path to a YAML file,
can be passed anywhere an id can.

Validation errors are :class:`~forecast.errors.AssumptionError` naming the file,
line and field: bands that overlap or leave gaps, a rate outside its unit's range,
lists of unequal length, an unknown unit, a missing citation, an unknown key, a
``!!python/...`` tag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import metadata
from os import PathLike
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from ._resources import data_dir, sha256_file
from ._yaml import Lines, read_yaml
from .ages import AgeBand, coverage, parse_bands
from .errors import AssumptionError, ForecastError

__all__ = [
    "SCHEMA",
    "UNITS",
    "Source",
    "OpenTop",
    "Trend",
    "RateSet",
    "load_rate_set",
    "Registry",
    "registry",
    "register",
    "get_rate_set",
    "list_rate_sets",
    "RelativeRisks",
    "load_relative_risks",
    "get_relative_risks",
    "load_any",
]

SCHEMA = "forecast.rate-set/1"

#: Units a rate may be given in, and the divisor that turns them into a proportion.
UNITS = {"percent": 100.0, "proportion": 1.0, "per_1000": 1000.0, "per_100000": 100000.0}

ENTRY_POINT_GROUP = "forecast.assumptions"

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_TOP_KEYS = {
    "schema", "id", "measure", "label", "source", "rates", "counts", "intervals", "bases",
    "open_top", "ethnicity", "trend", "notes",
}
#: statsmodels.stats.proportion.proportion_confint methods accepted for intervals from counts
INTERVAL_METHODS = ("wilson", "beta", "jeffreys", "agresti_coull", "normal")
_SOURCE_KEYS = {"citation", "url", "doi", "read_from", "table", "notes", "licence"}
_RATE_KEYS = {"unit", "bands", "male", "female", "persons"}
_OPEN_TOP_RULES = ("error", "first_band", "weights")


@dataclass(frozen=True)
class Source:
    """Where a rate set's figures come from."""

    citation: str
    url: str = ""
    doi: str = ""
    read_from: str = ""
    table: str = ""
    notes: str = ""
    licence: str = ""

    def short(self, width: int = 90) -> str:
        c = " ".join(self.citation.split())
        return c if len(c) <= width else c[: width - 1] + "…"


@dataclass(frozen=True)
class OpenTop:
    """How to apply bands that split a population's open top age group.

    ONS populations end at "90 and over"; Dementia UK gives 90-94 and 95+.  The
    rule says what rate the whole 90+ group gets:

    * ``error`` (default): refuse, and say so.
    * ``first_band``: the rate of the band that holds the top age (90-94) for all
      90+.  Where rates rise with age this is a lower bound.
    * ``weights``: POPPI's method (RATES.md §2) — a population-weighted mean of the
      bands' rates, with weights (one per band above the top age, per sex) from a
      cited population, e.g. ONS estimates of the very old.
    """

    rule: str = "error"
    weights: Mapping[str, tuple[float, ...]] | None = None
    source: str = ""
    note: str = ""


@dataclass(frozen=True)
class Trend:
    """A multiplicative change in every age-specific rate, per year from ``from_year``.

    factor(year) = (1 + annual_change) ** max(0, year - from_year)

    e.g. ``annual_change: -0.027`` is the 2.7% a year relative fall in age-specific
    dementia incidence of Ahmadi-Abhari et al. (BMJ 2017;358:j2856), applied to
    prevalence as a scenario.  The factor is 1 up to ``from_year``.
    """

    annual_change: float
    from_year: int
    source: str = ""
    description: str = ""

    @classmethod
    def parse(cls, t: Any, fail, *keys) -> "Trend":
        """``{annual_change, from_year}`` or ``{total_change, over_years, from_year}``.

        A total change over a period becomes the constant annual rate that compounds to
        it: ``(1 + total_change) ** (1 / over_years) − 1`` (e.g. CFAS I → II, −21% over
        20 years → −1.17% a year).
        """
        if not isinstance(t, dict):
            raise fail("must be a mapping with annual_change (or total_change and over_years) and from_year", *keys)
        unknown = sorted(set(t) - {"annual_change", "total_change", "over_years", "from_year", "source"}, key=str)
        if unknown:
            raise fail("unknown key (known: annual_change, total_change, over_years, from_year, source)", *keys, unknown[0])
        if ("annual_change" in t) == ("total_change" in t):
            raise fail("give either annual_change, or total_change with over_years", *keys)
        if "annual_change" in t:
            ch = t["annual_change"]
            if isinstance(ch, bool) or not isinstance(ch, (int, float)) or not -1 < ch < 1:
                raise fail(f"{ch!r} must be a proportion per year between -1 and 1 (e.g. -0.027)", *keys, "annual_change")
            desc = f"{ch:+.2%} a year"
        else:
            total, years = t["total_change"], t.get("over_years")
            if isinstance(total, bool) or not isinstance(total, (int, float)) or not -1 < total:
                raise fail(f"{total!r} must be a proportion above -1 (e.g. -0.21)", *keys, "total_change")
            if isinstance(years, bool) or not isinstance(years, (int, float)) or years <= 0:
                raise fail(f"{years!r} must be a positive number of years", *keys, "over_years")
            ch = (1 + total) ** (1 / years) - 1
            desc = f"{total:+.0%} over {years:g} years = {ch:+.2%} a year"
        fy = t.get("from_year")
        if isinstance(fy, bool) or not isinstance(fy, int):
            raise fail(f"{fy!r} must be a year such as 2025", *keys, "from_year")
        return cls(float(ch), int(fy), " ".join(str(t.get("source", "")).split()), desc)

    def factor(self, years: Sequence[int]) -> xr.DataArray:
        y = np.asarray(years, dtype=int)
        steps = np.maximum(0, y - self.from_year)
        return xr.DataArray((1.0 + self.annual_change) ** steps, dims="year", coords={"year": y})


@dataclass(frozen=True, eq=False)
class RelativeRisks:
    """Rates of one measure by ethnic group, relative to a reference group, by sex.

    Applied to a population split by ethnicity (:mod:`forecast.ethnicity`), in one of
    two modes (documented in the README):

    * ``reference`` — the base rates describe the reference group:
      ``rate[g, s, a] = base[s, a] × RR[g, s]``.
    * ``standardised`` — the base rates describe the whole study population, whose
      ethnic mix is ``w[g, s]`` (``study_population``):
      ``rate[g, s, a] = base[s, a] × RR[g, s] / Σ_h w[h, s] × RR[h, s]``,
      so that the study population's overall rate ``Σ_g w[g, s] rate[g, s, a]`` is
      ``base[s, a]``, as published.

    Groups without a ratio get 1 (the reference group's rate) and are reported.
    """

    id: str
    measure: str
    label: str
    reference: str
    mode: str
    ratios: Mapping[str, Mapping[str, float]]  # group -> {"male": rr, "female": rr}, reference included (1.0)
    source: Source
    intervals: Mapping[str, Mapping[str, tuple[float, float]]] | None = None
    interval_level: float = 0.95
    study_population: Mapping[str, Mapping[str, float]] | None = None  # sex -> group -> share (sums to 1)
    study_population_source: str = ""
    derived_from_rates: bool = False
    path: Path | None = None
    sha256: str | None = None

    @property
    def groups(self) -> list[str]:
        return list(self.ratios)

    def __repr__(self) -> str:
        return f"RelativeRisks(id={self.id!r}, measure={self.measure!r}, reference={self.reference!r}, mode={self.mode!r})"

    @classmethod
    def from_dict(cls, data: Any, *, path=None, lines: Lines | None = None) -> "RelativeRisks":
        """Validate a ``forecast.relative-risks/1`` mapping."""
        return _RRParser(data, Path(path) if path else None, lines or Lines(None)).parse()


@dataclass(frozen=True, eq=False)
class RateSet:
    """One measure's age- and sex-specific rates from one published source.

    Rates are stored as proportions (0-1) per band and sex.  Build one from YAML with
    :func:`load_rate_set`, or in Python with :meth:`RateSet.from_dict` (the same
    schema as the YAML, as a dict) or the constructor.
    """

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

    # ------------------------------------------------------------------ basics
    @property
    def sex_specific(self) -> bool:
        return not np.array_equal(self.rates["male"], self.rates["female"])

    @property
    def coverage(self) -> AgeBand:
        """The ages the rate set covers, e.g. ``65+`` or ``30-64``."""
        return coverage(self.bands)

    def __repr__(self) -> str:
        return f"RateSet(id={self.id!r}, measure={self.measure!r}, ages={self.coverage.label!r})"

    # ------------------------------------------------------------------ rates
    def rates_by_age(
        self, ages: Sequence[int], open_top_age: int, *, which: str = "rate", strict_top: bool = True
    ) -> xr.DataArray:
        """Rates (proportions) on single years of age, dims ``(sex, age)``.

        Ages the rate set does not cover are NaN.  The last age ``open_top_age`` is
        an open group ("90 and over"); if the rate set's bands split it, the
        :class:`OpenTop` rule decides its rate.

        ``which`` selects the point estimate (``"rate"``) or the published
        interval's ``"low"`` or ``"high"`` end.  With ``strict_top=False`` a split
        open top group under rule ``error`` is NaN instead of an error (for callers
        that do not need that group).
        """
        matrix, covered = self.age_matrix(ages, open_top_age, strict_top=strict_top)
        out = self.apply_age_matrix(self._table(which), matrix, covered)
        return xr.DataArray(
            out,
            dims=("sex", "age"),
            coords={"sex": ["male", "female"], "age": np.asarray(ages, dtype=int)},
            name=self.id,
        )

    def age_matrix(self, ages: Sequence[int], open_top_age: int, *, strict_top: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Map band rates to single ages: ``A[sex, age, band]`` and a ``covered[age]`` mask.

        ``rate[..., sex, age] = Σ_band A[sex, age, band] × table[..., sex, band]`` for
        covered ages.  Each covered age has one band with weight 1, except an open top
        group under the ``weights`` rule, which mixes the bands it spans.
        """
        ages = np.asarray(ages, dtype=int)
        top = int(open_top_age)
        nb = len(self.bands)
        matrix = np.zeros((2, ages.size, nb))
        covered = np.zeros(ages.size, dtype=bool)
        for j, a in enumerate(ages):
            if a == top:
                w = self._open_top_weights(top, strict_top)
                if w is not None:
                    matrix[:, j, :] = w
                    covered[j] = True
                continue
            for i, band in enumerate(self.bands):
                if band.contains(int(a)):
                    matrix[:, j, i] = 1.0
                    covered[j] = True
                    break
        return matrix, covered

    @staticmethod
    def apply_age_matrix(table: np.ndarray, matrix: np.ndarray, covered: np.ndarray) -> np.ndarray:
        """``table[..., sex, band]`` → rates ``[..., sex, age]`` (NaN where not covered)."""
        out = np.einsum("sgb,...sb->...sg", matrix, table)
        out[..., ~covered] = np.nan
        return out

    def _table(self, which: str) -> np.ndarray:
        if which == "rate":
            return np.vstack([self.rates["male"], self.rates["female"]])
        if self.intervals is None:
            raise AssumptionError(f"rate set '{self.id}' has no published intervals", file=self.path)
        k = {"low": 0, "high": 1}[which]
        return np.vstack([self.intervals["male"][:, k], self.intervals["female"][:, k]])

    def _open_top_bands(self, top: int) -> list[int]:
        return [i for i, b in enumerate(self.bands) if b.hi is None or b.hi >= top]

    def splits_top(self, top: int) -> bool:
        """True if the bands cut a population's open top group ``top+`` (e.g. 90-94, 95+)."""
        idx = self._open_top_bands(top)
        if not idx:
            return False
        return not (len(idx) == 1 and self.bands[idx[0]].lo <= top and self.bands[idx[0]].hi is None)

    def _open_top_weights(self, top: int, strict: bool = True) -> np.ndarray | None:
        """Weights ``(sex, band)`` that give the open top group's rate, or None (no rate)."""
        idx = self._open_top_bands(top)
        nb = len(self.bands)
        w = np.zeros((2, nb))
        if not idx:
            return None
        if not self.splits_top(top):
            w[:, idx[0]] = 1.0
            return w
        rule = self.open_top.rule
        labels = ", ".join(self.bands[i].label for i in idx)
        if rule == "first_band":
            if self.bands[idx[0]].lo > top:
                return None
            w[:, idx[0]] = 1.0
            return w
        if rule == "weights":
            given = np.vstack([self.open_top.weights["male"], self.open_top.weights["female"]])
            if given.shape[1] != len(idx):
                raise AssumptionError(
                    f"{given.shape[1]} weights given for the {len(idx)} bands ({labels}) that make up the population's {top}+ group",
                    file=self.path, field="open_top.weights",
                )
            w[:, idx] = given / given.sum(axis=1, keepdims=True)
            return w
        if not strict:
            return None
        raise AssumptionError(
            f"rate set '{self.id}' splits the population's open top age group {top}+ into {labels}; "
            "say how to combine them with open_top.rule (first_band or weights)",
            file=self.path, field="open_top",
        )

    def open_top_note(self, top: int) -> str | None:
        """A sentence for table notes when the open-top rule was used, else None."""
        if not self.splits_top(top):
            return None
        idx = self._open_top_bands(top)
        labels = ", ".join(self.bands[i].label for i in idx)
        if self.open_top.rule == "first_band":
            text = f"{self.id}: the {top}+ group gets the {self.bands[idx[0]].label} rate ({labels} cannot be applied separately to {top}+)"
        elif self.open_top.rule == "weights":
            text = f"{self.id}: the {top}+ rate is the mean of the {labels} rates weighted by {self.open_top.source or 'the given population'}"
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
                if self.bases is not None:
                    row["base"] = int(self.bases[sex][i])
                rows.append(row)
        df = pd.DataFrame(rows)
        if not self.sex_specific:
            df = df[df.sex == "male"].assign(sex="persons")
        return df.reset_index(drop=True)

    # ------------------------------------------------------------------ parsing
    @classmethod
    def from_dict(
        cls, data: Any, *, path: str | PathLike | None = None, lines: Lines | None = None
    ) -> "RateSet":
        """Validate a schema-v1 mapping (as read from YAML) and build a RateSet."""
        return _Parser(data, Path(path) if path else None, lines or Lines(None)).parse()


class _Parser:
    """Schema-v1 validation, every error naming file, line and field."""

    def __init__(self, data: Any, path: Path | None, lines: Lines) -> None:
        self.data, self.path, self.lines = data, path, lines

    def fail(self, message: str, *keys: Any) -> AssumptionError:
        name = ""
        for k in keys:
            name += f"[{k}]" if isinstance(k, int) else (f".{k}" if name else str(k))
        return AssumptionError(message, file=self.path, field=name or None, line=self.lines.get(*keys) if keys else None)

    def parse(self) -> RateSet:
        d = self.data
        if not isinstance(d, dict):
            raise self.fail(f"not a rate set: expected a mapping with 'schema: {SCHEMA}', found {type(d).__name__}")
        if d.get("schema") != SCHEMA:
            if "schema" not in d:
                raise self.fail(f"not a rate set: no 'schema: {SCHEMA}'")
            raise self.fail(f"unsupported schema {d.get('schema')!r} (expected {SCHEMA})", "schema")
        unknown = sorted(set(d) - _TOP_KEYS, key=str)
        if unknown:
            raise self.fail(f"unknown key (known keys: {', '.join(sorted(_TOP_KEYS))})", unknown[0])

        rid = self._ident("id")
        measure = self._ident("measure")
        label = d.get("label", measure)
        if not isinstance(label, str) or not label.strip():
            raise self.fail("label must be text", "label")

        source = self._source(d.get("source"), ("source",))
        counts, method = None, ""
        if "counts" in d:
            if "rates" in d:
                raise self.fail("give either rates or counts, not both", "counts")
            unit, bands, rates, sexes, counts = self._counts()
            intervals, level, method = self._intervals_from_counts(counts)
            bases = {s: c[1].copy() for s, c in counts.items()}
        else:
            unit, bands, rates, sexes = self._rates()
            intervals, level = self._intervals(unit, bands, rates, sexes)
            bases = self._bases(bands, sexes)
        open_top = self._open_top(bands)
        trend = self._trend()
        ethnicity = self._ethnicity(rid, measure)
        notes = d.get("notes", "")
        if self.path is not None and self.path.stem != rid:
            raise self.fail(f"id '{rid}' differs from the file name '{self.path.name}' (the id is the file name without .yaml)", "id")
        return RateSet(
            id=rid,
            measure=measure,
            label=label.strip(),
            source=source,
            bands=bands,
            rates=rates,
            unit=unit,
            intervals=intervals,
            interval_level=level,
            bases=bases,
            counts=counts,
            interval_method=method,
            open_top=open_top,
            ethnicity=ethnicity,
            trend=trend,
            notes=str(notes or ""),
            path=self.path,
            sha256=sha256_file(self.path) if self.path is not None and self.path.exists() else None,
        )

    def _ident(self, key: str) -> str:
        v = self.data.get(key)
        if v is None:
            raise self.fail("missing", key)
        if not isinstance(v, str) or not _ID.match(v):
            raise self.fail(f"{v!r} must be lower-case letters, digits and _ (starting with a letter)", key)
        return v

    def _source(self, s: Any, keys: tuple) -> Source:
        if s is None:
            raise self.fail("no source: every rate set needs source.citation", *keys)
        if not isinstance(s, dict):
            raise self.fail("must be a mapping with at least 'citation'", *keys)
        unknown = sorted(set(s) - _SOURCE_KEYS, key=str)
        if unknown:
            raise self.fail(f"unknown key (known: {', '.join(sorted(_SOURCE_KEYS))})", *keys, unknown[0])
        cit = s.get("citation")
        if not isinstance(cit, str) or not cit.strip():
            raise self.fail("no citation: every rate set must cite where its figures come from", *keys, "citation")
        return Source(**{k: " ".join(str(v).split()) for k, v in s.items() if v is not None})

    def _number_list(self, v: Any, keys: tuple, n: int) -> list[float]:
        if not isinstance(v, list):
            raise self.fail("must be a list of numbers", *keys)
        if len(v) != n:
            raise self.fail(f"{len(v)} values for {n} bands (lists must match rates.bands)", *keys)
        out = []
        for i, x in enumerate(v):
            if isinstance(x, bool) or not isinstance(x, (int, float)) or not np.isfinite(x):
                raise self.fail(f"{x!r} is not a number", *keys, i)
            out.append(float(x))
        return out

    def _rates(self):
        r = self.data.get("rates")
        if not isinstance(r, dict):
            raise self.fail("missing or not a mapping (needs unit, bands and male/female or persons; or give counts)", "rates")
        unknown = sorted(set(r) - _RATE_KEYS, key=str)
        if unknown:
            raise self.fail(f"unknown key (known: {', '.join(sorted(_RATE_KEYS))})", "rates", unknown[0])
        unit = r.get("unit")
        if unit not in UNITS:
            raise self.fail(f"unknown unit {unit!r} (use {', '.join(UNITS)})", "rates", "unit")
        bands = self._bands(r.get("bands"), "rates", "bands")
        has_sex = [k for k in ("male", "female") if k in r]
        if "persons" in r and has_sex:
            raise self.fail("give either 'persons' or 'male' and 'female', not both", "rates", "persons")
        if "persons" in r:
            sexes = ("persons",)
        elif len(has_sex) == 2:
            sexes = ("male", "female")
        else:
            missing = "female" if has_sex == ["male"] else "male"
            raise self.fail(f"missing rates.{missing} (or give 'persons' when the source is not sex-specific)", "rates")
        scale = UNITS[unit]
        rates = {}
        for sex in sexes:
            vals = self._number_list(r[sex], ("rates", sex), len(bands))
            for i, v in enumerate(vals):
                if not 0 <= v <= scale:
                    raise self.fail(f"rate {v:g} is outside 0-{scale:g} {unit}", "rates", sex, i)
            rates[sex] = np.asarray(vals) / scale
        if sexes == ("persons",):
            rates = {"male": rates["persons"], "female": rates["persons"].copy()}
        return unit, bands, rates, sexes

    def _bands(self, raw_bands, *keys) -> tuple[AgeBand, ...]:
        if not isinstance(raw_bands, list) or not raw_bands:
            raise self.fail("must be a non-empty list of age bands such as '65-69' or '90+'", *keys)
        try:
            bands = parse_bands([str(b) for b in raw_bands], contiguous=True)
        except ForecastError as e:
            raise self.fail(e.message, *keys) from None
        if list(bands) != sorted(bands):
            raise self.fail("bands must be in increasing order of age", *keys)
        return bands

    def _counts(self):
        """``counts: {bands, male: {cases, population}, female: {…}}`` (or ``persons``)."""
        c = self.data.get("counts")
        if not isinstance(c, dict):
            raise self.fail("must be a mapping: bands, and cases and population per sex", "counts")
        unknown = sorted(set(c) - {"bands", "male", "female", "persons"}, key=str)
        if unknown:
            raise self.fail("unknown key (known: bands, male, female, persons)", "counts", unknown[0])
        bands = self._bands(c.get("bands"), "counts", "bands")
        sexes = ("persons",) if "persons" in c else ("male", "female")
        if "persons" in c and ({"male", "female"} & set(c)):
            raise self.fail("give either 'persons' or 'male' and 'female', not both", "counts", "persons")
        counts, rates = {}, {}
        for sex in sexes:
            block = c.get(sex)
            if not isinstance(block, dict) or set(block) != {"cases", "population"}:
                raise self.fail("must be {cases: [...], population: [...]}", "counts", sex)
            cases = self._number_list(block["cases"], ("counts", sex, "cases"), len(bands))
            pop = self._number_list(block["population"], ("counts", sex, "population"), len(bands))
            for i, (k, n) in enumerate(zip(cases, pop)):
                if k < 0 or k != int(k):
                    raise self.fail(f"{k:g} must be a whole number of cases, 0 or more", "counts", sex, "cases", i)
                if n <= 0 or n != int(n):
                    raise self.fail(f"{n:g} must be a positive whole number", "counts", sex, "population", i)
                if k > n:
                    raise self.fail(f"{k:g} cases out of a population of {n:g}", "counts", sex, "cases", i)
            counts[sex] = (np.asarray(cases), np.asarray(pop))
            rates[sex] = counts[sex][0] / counts[sex][1]
        if sexes == ("persons",):
            counts = {"male": counts["persons"], "female": counts["persons"]}
            rates = {"male": rates["persons"], "female": rates["persons"].copy()}
        return "proportion", bands, rates, sexes, counts

    def _intervals_from_counts(self, counts):
        """Binomial intervals from counts, with statsmodels ``proportion_confint``."""
        iv = self.data.get("intervals")
        if iv is None:
            return None, 0.95, ""
        if not isinstance(iv, dict) or set(iv) - {"method", "level"}:
            raise self.fail("with counts, intervals are computed: give only method and level", "intervals")
        method = iv.get("method", "wilson")
        if method not in INTERVAL_METHODS:
            raise self.fail(f"unknown method {method!r} (use {', '.join(INTERVAL_METHODS)})", "intervals", "method")
        level = iv.get("level", 0.95)
        if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
            raise self.fail(f"level {level!r} must be between 0 and 1", "intervals", "level")
        from statsmodels.stats.proportion import proportion_confint

        out = {}
        for sex, (k, n) in counts.items():
            lo, hi = proportion_confint(k, n, alpha=1 - level, method=method)
            out[sex] = np.column_stack([np.clip(lo, 0, 1), np.clip(hi, 0, 1)])
        return out, float(level), method

    def _intervals(self, unit, bands, rates, sexes):
        iv = self.data.get("intervals")
        if iv is None:
            return None, 0.95
        if not isinstance(iv, dict):
            raise self.fail("must be a mapping: level and [low, high] pairs per sex", "intervals")
        level = iv.get("level", 0.95)
        if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
            raise self.fail(f"level {level!r} must be a number between 0 and 1 (e.g. 0.95)", "intervals", "level")
        scale = UNITS[unit]
        out = {}
        for sex in sexes:
            pairs = iv.get(sex)
            if not isinstance(pairs, list):
                raise self.fail("missing or not a list of [low, high] pairs", "intervals", sex)
            if len(pairs) != len(bands):
                raise self.fail(f"{len(pairs)} intervals for {len(bands)} bands", "intervals", sex)
            arr = np.empty((len(bands), 2))
            for i, pair in enumerate(pairs):
                if (
                    not isinstance(pair, list) or len(pair) != 2
                    or any(isinstance(x, bool) or not isinstance(x, (int, float)) for x in pair)
                ):
                    raise self.fail(f"{pair!r} is not a [low, high] pair of numbers", "intervals", sex, i)
                lo, hi = float(pair[0]), float(pair[1])
                if not 0 <= lo <= hi <= scale:
                    raise self.fail(f"interval [{lo:g}, {hi:g}] must satisfy 0 <= low <= high <= {scale:g} {unit}", "intervals", sex, i)
                point = rates["male" if sex == "persons" else sex][i] * scale
                if not lo <= point <= hi:
                    raise self.fail(
                        f"interval [{lo:g}, {hi:g}] does not contain its point estimate {point:g}", "intervals", sex, i
                    )
                arr[i] = (lo / scale, hi / scale)
            out[sex] = arr
        if sexes == ("persons",):
            out = {"male": out["persons"], "female": out["persons"].copy()}
        return out, float(level)

    def _bases(self, bands, sexes):
        b = self.data.get("bases")
        if b is None:
            return None
        if not isinstance(b, dict):
            raise self.fail("must be a mapping of unweighted sample sizes per sex", "bases")
        out = {}
        for sex in sexes:
            vals = self._number_list(b.get(sex), ("bases", sex), len(bands))
            for i, v in enumerate(vals):
                if v <= 0 or v != int(v):
                    raise self.fail(f"base {v:g} must be a positive whole number", "bases", sex, i)
            out[sex] = np.asarray(vals, dtype=int)
        if sexes == ("persons",):
            out = {"male": out["persons"], "female": out["persons"].copy()}
        return out

    def _ethnicity(self, rid: str, measure: str):
        e = self.data.get("ethnicity")
        if e is None:
            return None
        if not isinstance(e, dict):
            raise self.fail("must be a mapping: {use: <relative-risks id>} or inline relative risks", "ethnicity")
        if "use" in e:
            extra = sorted(set(e) - {"use"}, key=str)
            if extra:
                raise self.fail("with 'use', give no other keys (the file named holds the ratios)", "ethnicity", extra[0])
            if not isinstance(e["use"], str):
                raise self.fail("must be the id or path of a relative-risks file", "ethnicity", "use")
            return e["use"]
        block = {"id": f"{rid}", "measure": measure, "label": f"{rid}: ethnic relative risks", **e}
        return _RRParser(block, self.path, self.lines, prefix=("ethnicity",)).parse()

    def _trend(self) -> Trend | None:
        t = self.data.get("trend")
        return None if t is None else Trend.parse(t, self.fail, "trend")

    def _open_top(self, bands) -> OpenTop:
        o = self.data.get("open_top")
        if o is None:
            return OpenTop()
        if not isinstance(o, dict):
            raise self.fail("must be a mapping with 'rule'", "open_top")
        unknown = sorted(set(o) - {"rule", "weights", "source", "note"}, key=str)
        if unknown:
            raise self.fail("unknown key (known: rule, weights, source, note)", "open_top", unknown[0])
        rule = o.get("rule")
        if rule not in _OPEN_TOP_RULES:
            raise self.fail(f"unknown rule {rule!r} (use {', '.join(_OPEN_TOP_RULES)})", "open_top", "rule")
        weights = None
        if rule == "weights":
            w = o.get("weights")
            if not isinstance(w, dict) or not {"male", "female"} <= set(w):
                raise self.fail("rule 'weights' needs weights.male and weights.female (one per band from the top age up)", "open_top", "weights")
            if not o.get("source"):
                raise self.fail("rule 'weights' needs a source for the weights", "open_top", "source")
            weights = {}
            for sex in ("male", "female"):
                vals = w[sex]
                if not isinstance(vals, list) or not vals or any(
                    isinstance(x, bool) or not isinstance(x, (int, float)) or x < 0 for x in vals
                ):
                    raise self.fail("must be a list of non-negative numbers", "open_top", "weights", sex)
                weights[sex] = tuple(float(x) for x in vals)
            if len(weights["male"]) != len(weights["female"]):
                raise self.fail("male and female weights differ in length", "open_top", "weights")
        return OpenTop(rule=rule, weights=weights, source=str(o.get("source", "")), note=" ".join(str(o.get("note", "")).split()))


class _RRParser(_Parser):
    """``forecast.relative-risks/1`` files, and rate sets' inline ``ethnicity:`` blocks."""

    KEYS = {"schema", "id", "measure", "label", "source", "reference", "mode", "relative_risk", "rates",
            "intervals", "study_population"}

    def __init__(self, data, path, lines, *, prefix: tuple = ()) -> None:
        super().__init__(data, path, lines)
        self.prefix = prefix

    def fail(self, message: str, *keys: Any) -> AssumptionError:
        return super().fail(message, *self.prefix, *keys)

    def parse(self) -> RelativeRisks:
        d = self.data
        inline = bool(self.prefix)
        if not isinstance(d, dict):
            raise self.fail(f"not a relative-risks file: expected a mapping with 'schema: {RR_SCHEMA}'")
        if not inline and d.get("schema") != RR_SCHEMA:
            raise self.fail(f"not a relative-risks file (expected 'schema: {RR_SCHEMA}')", "schema")
        allowed = self.KEYS - ({"schema", "id", "measure", "label"} if inline else set())
        given = set(d) - ({"id", "measure", "label"} if inline else set())
        unknown = sorted(given - allowed, key=str)
        if unknown:
            raise self.fail(f"unknown key (known: {', '.join(sorted(allowed))})", unknown[0])
        rid = self._ident("id") if not inline else d["id"]
        measure = self._ident("measure") if not inline else d["measure"]
        label = str(d.get("label", rid))
        if inline and "source" not in d:
            raise self.fail("no source: ethnic relative risks need source.citation", "source")
        source = self._source(d.get("source"), ("source",))
        ref = d.get("reference")
        if not isinstance(ref, str) or not ref.strip():
            raise self.fail("missing: the group the base rates describe (e.g. White)", "reference")
        mode = d.get("mode", "reference")
        if mode not in ("reference", "standardised"):
            raise self.fail(f"unknown mode {mode!r} (use reference or standardised)", "mode")
        if ("relative_risk" in d) == ("rates" in d):
            raise self.fail("give either relative_risk (ratios) or rates (by group, ratios derived)", "relative_risk")
        key = "relative_risk" if "relative_risk" in d else "rates"
        table = self._by_group_sex(d[key], key, positive=True)
        if key == "rates":
            if ref not in table:
                raise self.fail(f"no rates for the reference group {ref!r}", "rates")
            base = table[ref]
            ratios = {g: {s: v[s] / base[s] for s in ("male", "female")} for g, v in table.items()}
        else:
            if ref in table and any(abs(v - 1) > 1e-12 for v in table[ref].values()):
                raise self.fail(f"the reference group {ref!r} must have ratio 1", "relative_risk", ref)
            ratios = {ref: {"male": 1.0, "female": 1.0}, **{g: v for g, v in table.items() if g != ref}}
        intervals, level = None, 0.95
        if "intervals" in d:
            iv = d["intervals"]
            if not isinstance(iv, dict):
                raise self.fail("must be a mapping: group -> {male: [low, high], female: [low, high]}", "intervals")
            level = iv.get("level", 0.95)
            if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
                raise self.fail(f"level {level!r} must be between 0 and 1", "intervals", "level")
            intervals = {}
            for g, v in iv.items():
                if g == "level":
                    continue
                if g not in ratios:
                    raise self.fail(f"interval for group {g!r}, which has no ratio", "intervals", g)
                intervals[g] = {}
                for sex in ("male", "female"):
                    pair = v.get(sex) if isinstance(v, dict) else None
                    if not isinstance(pair, list) or len(pair) != 2 or not all(
                        isinstance(x, (int, float)) and not isinstance(x, bool) for x in pair
                    ):
                        raise self.fail("must be a [low, high] pair", "intervals", g, sex)
                    lo, hi = map(float, pair)
                    if not 0 < lo <= ratios[g][sex] <= hi:
                        raise self.fail(
                            f"interval [{lo:g}, {hi:g}] does not contain the ratio {ratios[g][sex]:g}", "intervals", g, sex
                        )
                    intervals[g][sex] = (lo, hi)
        study, study_source = None, ""
        if "study_population" in d:
            sp = d["study_population"]
            if not isinstance(sp, dict) or not {"male", "female"} <= set(sp):
                raise self.fail("must give male and female group weights (and a source)", "study_population")
            if not sp.get("source"):
                raise self.fail("needs a source for the weights", "study_population", "source")
            study = {}
            for sex in ("male", "female"):
                w = sp[sex]
                if not isinstance(w, dict) or not w:
                    raise self.fail("must be a mapping group -> weight", "study_population", sex)
                for g, x in w.items():
                    if isinstance(x, bool) or not isinstance(x, (int, float)) or x < 0:
                        raise self.fail(f"weight {x!r} must be a non-negative number", "study_population", sex, g)
                    if g not in ratios:
                        raise self.fail(f"group {g!r} has no ratio", "study_population", sex, g)
                total = float(sum(w.values()))
                if total <= 0:
                    raise self.fail("weights add to 0", "study_population", sex)
                study[sex] = {g: float(x) / total for g, x in w.items()}
            study_source = " ".join(str(sp["source"]).split())
        if mode == "standardised" and study is None:
            raise self.fail("mode standardised needs study_population (the study's ethnic mix, with a source)", "mode")
        return RelativeRisks(
            id=rid, measure=measure, label=label, reference=ref, mode=mode, ratios=ratios, source=source,
            intervals=intervals, interval_level=float(level), study_population=study,
            study_population_source=study_source, derived_from_rates=key == "rates", path=self.path,
            sha256=sha256_file(self.path) if self.path is not None and self.path.exists() else None,
        )

    def _by_group_sex(self, v: Any, key: str, *, positive: bool) -> dict[str, dict[str, float]]:
        if not isinstance(v, dict) or not v:
            raise self.fail("must be a mapping: group -> {male: x, female: y} (or one number for both sexes)", key)
        out = {}
        for g, x in v.items():
            if isinstance(x, (int, float)) and not isinstance(x, bool):
                x = {"male": x, "female": x}
            if not isinstance(x, dict) or set(x) != {"male", "female"}:
                raise self.fail("must be {male: x, female: y} or one number", key, g)
            for sex, val in x.items():
                if isinstance(val, bool) or not isinstance(val, (int, float)) or not np.isfinite(val) or (positive and val <= 0):
                    raise self.fail(f"{val!r} must be a positive number", key, g, sex)
            out[str(g)] = {s: float(x[s]) for s in ("male", "female")}
        return out


def load_relative_risks(path: str | PathLike) -> RelativeRisks:
    """Load and validate one ``forecast.relative-risks/1`` file."""
    path = Path(path)
    data, lines = read_yaml(path, error=AssumptionError)
    rr = RelativeRisks.from_dict(data, path=path, lines=lines)
    if rr.id != path.stem:
        raise AssumptionError(
            f"id '{rr.id}' differs from the file name '{path.name}' (the id is the file name without .yaml)",
            file=path, field="id", line=lines.get("id"),
        )
    return rr


def load_rate_set(path: str | PathLike) -> RateSet:
    """Load and validate one rate-set YAML file."""
    path = Path(path)
    data, lines = read_yaml(path, error=AssumptionError)
    return RateSet.from_dict(data, path=path, lines=lines)


# ---------------------------------------------------------------------------- registry

RateSetLike = RateSet | str | PathLike

RR_SCHEMA = "forecast.relative-risks/1"
MAPPING_SCHEMA = "forecast.ethnic-mapping/1"
DERIVED_SCHEMA = "forecast.derived-measures/1"
SCENARIO_SCHEMA = "forecast.scenario/1"
_SCHEMA_LINE = re.compile(r"^schema:\s*['\"]?([\w.\-/]+)", re.MULTILINE)
_KIND = {SCHEMA: "rate set", RR_SCHEMA: "relative risks", MAPPING_SCHEMA: "ethnic-group mapping",
         DERIVED_SCHEMA: "derived-measures file", SCENARIO_SCHEMA: "scenario"}


def schema_of(path: Path) -> str | None:
    """The ``schema:`` of a YAML file, read from its text (None if it has none)."""
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:4000]
    except OSError:
        return None
    m = _SCHEMA_LINE.search(head)
    return m[1] if m else None


class Registry:
    """Assumption files by id: rate sets, relative risks and ethnic-group mappings.

    Sources, later overriding earlier: the built-in ``assumptions/`` folder, folders
    or files named by packages in the ``forecast.assumptions`` entry-point group, and
    files or folders added with :meth:`add`.  Python objects added with :meth:`add`
    come first of all.
    """

    def __init__(self, *, builtin: bool = True, entry_points: bool = True) -> None:
        self._use_builtin = builtin
        self._use_entry_points = entry_points
        self._paths: list[Path] = []
        self._objects: dict[tuple[str, str], Any] = {}
        self._index: dict[tuple[str, str], Path] | None = None

    def _scan(self) -> dict[tuple[str, str], Path]:
        index: dict[tuple[str, str], Path] = {}
        roots: list[Path] = []
        if self._use_builtin:
            roots.append(data_dir("assumptions"))
        if self._use_entry_points:
            roots.extend(_entry_point_paths(self))
        roots.extend(self._paths)
        for root in roots:
            files = [root] if root.is_file() else sorted(root.rglob("*.yaml")) + sorted(root.rglob("*.yml"))
            for f in files:
                schema = schema_of(f)
                if schema in _KIND:
                    index[(schema, f.stem)] = f
        return index

    @property
    def index(self) -> dict[tuple[str, str], Path]:
        if self._index is None:
            self._index = self._scan()
        return self._index

    def add(self, item: "RateSet | RelativeRisks | str | PathLike") -> None:
        """Add a RateSet or RelativeRisks object, a YAML file, or a folder of YAML files."""
        if isinstance(item, RateSet):
            self._objects[(SCHEMA, item.id)] = item
            return
        if isinstance(item, RelativeRisks):
            self._objects[(RR_SCHEMA, item.id)] = item
            return
        p = Path(item)
        if not p.exists():
            raise AssumptionError("file or folder not found", file=p)
        if p.is_file():
            load_any(p)  # validate now, so a bad file fails where it is added
        self._paths.append(p)
        self._index = None

    def ids(self, schema: str = SCHEMA) -> list[str]:
        return sorted({i for s, i in self.index if s == schema} | {i for s, i in self._objects if s == schema})

    def find(self, key: str, schema: str) -> Path | None:
        """Path of the file with this id and schema, if known."""
        return self.index.get((schema, key))

    def locate(self, key, schema: str, *, also: Sequence[str] = ()) -> Path:
        """The file for an id of this schema, or ``key`` itself if it is a YAML path;
        an unknown id is an error listing the known ones (and ``also``, e.g. "constant")."""
        path = self.find(str(key), schema)
        if path is not None:
            return path
        p = Path(key)
        if p.suffix.lower() in (".yaml", ".yml") or p.exists():
            return p
        known = ", ".join([*also, *self.ids(schema)]) or "none"
        raise AssumptionError(f"unknown {_KIND[schema]} '{key}' (known: {known}; or give a path to a YAML file)")

    def _get(self, key, schema: str, loader, cls):
        if isinstance(key, cls):
            return key
        k = str(key)
        if (schema, k) in self._objects:
            return self._objects[(schema, k)]
        path = self.find(k, schema)
        if path is not None:
            return _load_cached(path, loader)
        p = Path(k)
        if p.suffix.lower() in (".yaml", ".yml") or p.exists() or "/" in k or "\\" in k:
            return _load_cached(p, loader)
        known = ", ".join(self.ids(schema)) or "none"
        raise AssumptionError(f"unknown {_KIND[schema]} '{k}' (known: {known}; or give a path to a YAML file)")

    def get(self, key: "RateSet | str | PathLike") -> RateSet:
        """A rate set by id, by path to a YAML file, a schema-v1 dict, or the object itself."""
        if isinstance(key, Mapping):
            return RateSet.from_dict(dict(key))
        return self._get(key, SCHEMA, load_rate_set, RateSet)

    def get_relative_risks(self, key: "RelativeRisks | str | PathLike") -> RelativeRisks:
        """Ethnic relative risks by id, by path, or the object itself."""
        return self._get(key, RR_SCHEMA, load_relative_risks, RelativeRisks)

    def list(self) -> pd.DataFrame:
        """One row per known rate set: id, measure, ages, sex-specific, intervals, citation."""
        rows = []
        for rid in self.ids():
            try:
                rs = self.get(rid)
            except ForecastError as e:
                rows.append({"id": rid, "measure": "", "ages": "", "by_sex": "", "intervals": "", "label": f"INVALID: {e}", "citation": ""})
                continue
            rows.append(
                {
                    "id": rs.id,
                    "measure": rs.measure,
                    "ages": rs.coverage.label,
                    "by_sex": "yes" if rs.sex_specific else "no",
                    "intervals": "yes" if rs.intervals is not None else ("bases" if rs.bases is not None else "no"),
                    "label": rs.label,
                    "citation": rs.source.short(70),
                }
            )
        return pd.DataFrame(rows, columns=["id", "measure", "ages", "by_sex", "intervals", "label", "citation"])


_cache: dict[tuple[str, int, int], Any] = {}


def _load_cached(path: Path, loader):
    if not path.exists():
        raise AssumptionError("file not found", file=path)
    st = path.stat()
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size, loader.__name__)
    if key not in _cache:
        _cache[key] = loader(path)
    return _cache[key]


def load_any(path: str | PathLike):
    """Load an assumption file of any kind, chosen by its ``schema:``."""
    path = Path(path)
    schema = schema_of(path) if path.is_file() else None
    if schema == RR_SCHEMA:
        return load_relative_risks(path)
    if schema == MAPPING_SCHEMA:
        from .ethnicity import load_mapping  # mappings belong to the ethnicity module

        return load_mapping(path)
    if schema == DERIVED_SCHEMA:
        from .derived import load_derived  # derived measures have their own module

        return load_derived(path)
    if schema == SCENARIO_SCHEMA:
        from .scenarios import load_scenario

        return load_scenario(path)
    return load_rate_set(path)


def _entry_point_paths(reg: Registry) -> list[Path]:
    """Folders/files named by packages in the ``forecast.assumptions`` entry-point group."""
    out: list[Path] = []
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
            value = obj() if callable(obj) else obj
        except Exception as e:  # a broken plug-in must not break the built-ins
            raise AssumptionError(f"entry point '{ep.name}' ({ep.value}) failed to load: {e}") from None
        for v in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(v, RateSet):
                reg._objects.setdefault((SCHEMA, v.id), v)
            elif isinstance(v, RelativeRisks):
                reg._objects.setdefault((RR_SCHEMA, v.id), v)
            else:
                out.append(Path(v))
    return out


#: The default registry used by :func:`forecast.project` and the CLI.
registry = Registry()


def register(item: "RateSet | RelativeRisks | str | PathLike") -> None:
    """Make a RateSet, RelativeRisks, a YAML file, or a folder of YAML files available by id."""
    registry.add(item)


def get_rate_set(key: "RateSet | str | PathLike") -> RateSet:
    """Look up a rate set by id or path (or return a RateSet as is)."""
    return registry.get(key)


def get_relative_risks(key: "RelativeRisks | str | PathLike") -> RelativeRisks:
    """Look up ethnic relative risks by id or path (or return the object as is)."""
    return registry.get_relative_risks(key)


def list_rate_sets() -> pd.DataFrame:
    """All rate sets the default registry knows, as a DataFrame."""
    return registry.list()
