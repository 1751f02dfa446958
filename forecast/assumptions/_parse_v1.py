"""TEMPORARY: the hand-written rate-set and relative-risk validation of forecast 0.1, kept
only until the pydantic schema layer (forecast.schemas) replaces it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from .._yaml import Lines
from ..ages import AgeBand, parse_bands
from ..errors import AssumptionError, ForecastError
from ..files import sha256_file
from .rate_set import UNITS, OpenTop, RateSet
from .relative_risks import RelativeRisks, Source
from .trend import Trend

SCHEMA = "forecast.rate-set/1"
RR_SCHEMA = "forecast.relative-risks/1"
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_TOP_KEYS = {
    "schema", "id", "measure", "label", "source", "rates", "counts", "intervals", "bases",
    "open_top", "ethnicity", "trend", "notes",
}
INTERVAL_METHODS = ("wilson", "beta", "jeffreys", "agresti_coull", "normal")
_SOURCE_KEYS = {"citation", "url", "doi", "read_from", "table", "notes", "licence"}
_RATE_KEYS = {"unit", "bands", "male", "female", "persons"}
_OPEN_TOP_RULES = ("error", "first_band", "weights")


def parse_trend(t: Any, fail, *keys) -> Trend:
    """``{annual_change, from_year}`` or ``{total_change, over_years, from_year}``.

    A total change over a period becomes the constant annual rate that compounds to
    it: ``(1 + total_change) ** (1 / over_years) − 1`` (e.g. CFAS I → II, −21% over
    20 years → −1.17% a year).
    """
    if not isinstance(t, dict):
        raise fail("must be a mapping with annual_change (or total_change and over_years) and from_year", *keys)
    if "segments" in t:
        segs = tuple((int(x["until"]), float(x["annual_change"])) for x in t["segments"])
        return Trend(int(t["from_year"]), segs, " ".join(str(t.get("source", "")).split()),
                     ", ".join(f"{c:+.2%} a year to {u}" for u, c in segs))
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
    return Trend.constant(float(ch), int(fy), " ".join(str(t.get("source", "")).split()), desc)


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
            by_sex=sexes != ("persons",),
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
        return None if t is None else parse_trend(t, self.fail, "trend")

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


def parse_rate_set(data, *, path=None, lines=None) -> RateSet:
    return _Parser(data, Path(path) if path else None, lines or Lines(None)).parse()


def parse_relative_risks(data, *, path=None, lines=None, prefix=()) -> RelativeRisks:
    return _RRParser(data, Path(path) if path else None, lines or Lines(None), prefix=prefix).parse()
