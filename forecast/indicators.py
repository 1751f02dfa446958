"""Strategy indicators: observed counts against expected prevalence, and the activity
needed to reach a target.

Indicators whose denominator is *expected* prevalence — what this library projects:

* the **estimated dementia diagnosis rate** (NHS Digital, "Dementia: 65+ Estimated
  Diagnosis Rate"): people 65+ on GP dementia registers ÷ people 65+ expected to have
  dementia under the CFAS II age × sex rates; national ambition 66.7%;
* **access to talking therapies**: people entering treatment ÷ the estimated number with
  depression and/or anxiety (APMS common mental disorders);
* **prevalence** itself (e.g. mixed anxiety and depression, 16-64: ``apms2014_cmd_nos``).

:func:`read_observed` reads counts (a tidy CSV ``area, period, measure, count``; a period
is a year ``2024``, a financial year ``2024/25`` or a month ``2024-03``).
:func:`observed_vs_expected` divides each count by the expected number in that area and
period — interpolated between mid-years (:func:`forecast.population.period_weights`) —
with an interval where the rate set has one (the expected number's draws; the count is
taken as exact).  :func:`trajectory` gives, for a target ratio by a target period, the
count needed in each period: the ratio moves in a straight line (in time) from the latest
observed ratio to the target, and the needed count is that ratio × the expected number.

Caveat, stated in every output: the NHS indicator's denominator applies CFAS II rates to
the GP-registered 65+ list; here they are applied to the ONS resident population.
"""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from .errors import InputError, SpecError
from .population import (
    financial_year_label,
    parse_financial_year,
    period_time,
    period_weights,
    resolve_areas,
    year_span,
)

__all__ = ["read_observed", "expected_by_period", "observed_vs_expected", "trajectory", "Indicator",
           "IndicatorReport", "load_indicator_spec", "run_indicator_spec"]

REGISTER_CAVEAT = (
    "NHS Digital's estimated diagnosis rate applies CFAS II rates to the GP-registered 65+ list; "
    "here the expected number uses the ONS resident population"
)


def read_observed(path: str | PathLike) -> pd.DataFrame:
    """Observed counts: columns ``area`` (code or name; ``area_code`` also accepted),
    ``period``, ``measure``, ``count``.  Lines starting with ``#`` before the header are
    the file's note (e.g. that its counts are illustrative).

    Raises :class:`InputError` naming file, line and field: a missing file or column, a
    count that is not a number or is negative, a period that is not a year, financial
    year or month, a duplicate area × period × measure row.
    """
    from .readers._common import read_bytes, read_csv_text

    path = Path(path)
    name = str(path)
    raw = read_bytes(path)
    text = raw.decode("utf-8-sig", errors="replace").splitlines(keepends=True)
    n_comment = 0
    while n_comment < len(text) and text[n_comment].lstrip().startswith("#"):
        n_comment += 1
    note = " ".join(t.lstrip("# ").strip() for t in text[:n_comment])
    df = read_csv_text("".join(text[n_comment:]).encode(), file=name)
    cols = {c.casefold(): c for c in df.columns}
    area_col = cols.get("area") or cols.get("area_code")
    missing = [c for c in ("period", "measure", "count") if c not in cols]
    if area_col is None:
        missing.insert(0, "area")
    if missing:
        raise InputError(f"missing column '{missing[0]}' (columns are: {', '.join(df.columns)})", file=name, field=missing[0])
    lines = pd.Series(np.arange(len(df)) + n_comment + 2, index=df.index)
    count_text = df[cols["count"]].astype(str).str.strip().str.replace(",", "", regex=False)
    count = pd.to_numeric(count_text, errors="coerce")
    if count.isna().any():
        i = int(np.flatnonzero(count.isna().to_numpy())[0])
        raise InputError(f"{df[cols['count']].iloc[i]!r} is not a number", file=name, field="count", line=int(lines.iloc[i]))
    if (count < 0).any():
        i = int(np.flatnonzero((count < 0).to_numpy())[0])
        raise InputError(f"negative count {count.iloc[i]:g}", file=name, field="count", line=int(lines.iloc[i]))
    periods = df[cols["period"]].astype(str).str.strip()
    for i, p in enumerate(periods):
        try:
            period_weights(p)
        except SpecError as e:
            raise InputError(e.message, file=name, field="period", line=int(lines.iloc[i])) from None
    out = pd.DataFrame({
        "area": df[area_col].astype(str).str.strip(), "period": periods,
        "measure": df[cols["measure"]].astype(str).str.strip(), "count": count.astype(float), "line": lines,
    })
    dup = out.duplicated(["area", "period", "measure"], keep=False)
    if dup.any():
        r = out[dup].iloc[0]
        raise InputError(f"duplicate row for {r.area}, {r.period}, {r.measure}", file=name, line=int(r.line))
    out.attrs.update(file=name, note=note)
    return out


def expected_by_period(expected: xr.DataArray, periods: Sequence[str]) -> xr.DataArray:
    """An ``(area, year[, draw])`` expected count at each period (``period`` dim)."""
    years = [int(y) for y in expected["year"].values]
    parts = []
    for p in periods:
        w = period_weights(p)
        need = [y for y in w if y not in years]
        if need:
            raise SpecError(
                f"period {p} needs mid-{' and mid-'.join(map(str, sorted(w)))}; the population covers {year_span(years)}"
            )
        parts.append(sum(weight * expected.sel(year=y) for y, weight in w.items()).expand_dims(period=[str(p)]))
    return xr.concat(parts, dim="period", coords="minimal", compat="override")


@dataclass
class Indicator:
    """One indicator: observed measure name, its expected measure (a projection variable),
    label, and an optional target ratio by a target period."""

    observed: str
    expected: str
    label: str
    target: float | None = None
    target_by: str | None = None


def _summary(da: xr.DataArray, level: float):
    if "draw" not in da.dims:
        return da, None, None
    a = (1 - level) / 2
    return da.median("draw"), da.quantile(a, "draw").drop_vars("quantile"), da.quantile(1 - a, "draw").drop_vars("quantile")


def observed_vs_expected(
    observed: pd.DataFrame, expected: xr.Dataset, indicators: Sequence[Indicator], *, level: float = 0.95
) -> pd.DataFrame:
    """Observed ÷ expected per area and period, for each indicator.

    ``expected`` is a projection (or :func:`forecast.simulate` result with draws) by
    mid-year; its variables are summed over every dim but area, year (and draw).
    Observed rows for an area or period the population does not cover are an error.
    """
    rows = []
    names = dict(zip(map(str, expected["area"].values), map(str, expected["area_name"].values)))
    file = observed.attrs.get("file")
    for ind in indicators:
        obs = observed[observed["measure"] == ind.observed]
        if obs.empty:
            raise InputError(f"no observed counts for measure '{ind.observed}' (it has: {', '.join(sorted(observed.measure.unique()))})",
                             file=file, field="measure")
        if ind.expected not in expected.data_vars:
            raise SpecError(f"no expected measure '{ind.expected}' in the projection")
        da = expected[ind.expected]
        da = da.sum([d for d in da.dims if d not in ("area", "year", "draw")])
        codes = {}
        for r in obs.drop_duplicates("area").itertuples():  # each area resolved once
            try:
                codes[r.area] = resolve_areas(expected, [r.area])[0]
            except SpecError as e:
                raise InputError(e.message, file=file, field="area", line=int(r.line)) from None
        periods = list(dict.fromkeys(obs["period"]))
        for r in obs.drop_duplicates("period").itertuples():  # each period checked once
            try:
                expected_by_period(da.isel(area=[0]), [r.period])
            except SpecError as e:
                raise InputError(f"observed count for a period the population does not cover: {e.message}",
                                 file=file, field="period", line=int(r.line)) from None
        # interpolation and draw quantiles once for every area × period, then looked up per row
        mids, lows, highs = _summary(expected_by_period(da, periods), level)
        for r in obs.itertuples():
            code = codes[r.area]
            mid = mids.sel(area=code, period=r.period)
            lo = lows.sel(area=code, period=r.period) if lows is not None else None
            hi = highs.sel(area=code, period=r.period) if highs is not None else None
            ratio = r.count / float(mid) if float(mid) > 0 else np.nan
            row = {"indicator": ind.label, "measure": ind.observed, "area_code": code, "area_name": names[code],
                   "period": r.period, "observed": r.count, "expected": float(mid), "ratio": ratio}
            if lo is not None:
                row.update(expected_low=float(lo), expected_high=float(hi),
                           ratio_low=r.count / float(hi), ratio_high=r.count / float(lo))
            rows.append(row)
    out = pd.DataFrame(rows)
    out["_t"] = out["period"].map(period_time)
    return out.sort_values(["indicator", "area_code", "_t"], kind="stable").drop(columns="_t").reset_index(drop=True)


def _periods_between(start: str, target: str) -> list[str]:
    """The periods after ``start`` up to ``target``, in ``target``'s kind (years or financial years)."""
    t0 = period_time(start)
    text = str(target).strip()
    if "/" in text:
        end = parse_financial_year(text)
        labels = [financial_year_label(y) for y in range(int(t0) - 1, end + 1)]
    elif text.isdigit() and len(text) == 4:
        labels = [str(y) for y in range(int(t0) - 1, int(text) + 1)]
    else:
        raise SpecError(f"a target period must be a year (2028) or a financial year (2027/28), not {target!r}")
    return [p for p in labels if period_time(p) > t0]


def trajectory(
    ratios: pd.DataFrame, expected: xr.Dataset, indicator: Indicator, *, level: float = 0.95
) -> pd.DataFrame:
    """The count needed in each period to reach ``indicator.target`` by ``indicator.target_by``.

    For each area: the latest observed period and ratio (from :func:`observed_vs_expected`)
    start a straight-line path, in time, to the target ratio at the target period; each
    period's needed count = path ratio × expected count (with its interval if any).
    """
    if indicator.target is None:
        raise SpecError(f"indicator '{indicator.label}' has no target")
    t = indicator.target
    if isinstance(t, bool) or not isinstance(t, (int, float)) or not 0 < t <= 1:
        raise SpecError(f"target {t!r} must be a ratio in (0, 1], e.g. 0.667 for 66.7%")
    part = ratios[ratios["measure"] == indicator.observed]
    first = min(part["period"], key=period_time)
    if period_time(indicator.target_by) < period_time(first):
        raise SpecError(f"the target period {indicator.target_by} is before the first observed period {first}")
    da = expected[indicator.expected]
    da = da.sum([d for d in da.dims if d not in ("area", "year", "draw")])
    rows = []
    for code, g in part.groupby("area_code", sort=False):
        last = g.loc[g["period"].map(period_time).idxmax()]
        t0, t1 = period_time(last["period"]), period_time(indicator.target_by)
        periods = _periods_between(last["period"], indicator.target_by)
        if not periods:
            raise SpecError(f"the target period {indicator.target_by} is not after the latest observed period {last['period']} ({code})")
        e = expected_by_period(da.sel(area=code), periods)
        mid, lo, hi = _summary(e, level)
        for p in periods:
            frac = (period_time(p) - t0) / (t1 - t0)
            path = last["ratio"] + (t - last["ratio"]) * frac
            row = {"indicator": indicator.label, "measure": indicator.observed, "area_code": code,
                   "area_name": last["area_name"], "period": p, "expected": float(mid.sel(period=p)),
                   "target_path": path, "needed": path * float(mid.sel(period=p)),
                   "change_from_latest": path * float(mid.sel(period=p)) - last["observed"],
                   "latest_period": last["period"], "latest_observed": last["observed"], "latest_ratio": last["ratio"]}
            if lo is not None:
                row.update(expected_low=float(lo.sel(period=p)), expected_high=float(hi.sel(period=p)),
                           needed_low=path * float(lo.sel(period=p)), needed_high=path * float(hi.sel(period=p)))
            rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------- reports

@dataclass
class IndicatorReport:
    """Ratios and trajectories, with their tables (Markdown, HTML, XLSX) and a tidy CSV."""

    title: str
    ratios: pd.DataFrame
    trajectories: pd.DataFrame
    notes: list[str]
    level: float = 0.95
    round_to: float = 1

    def tables(self) -> list:
        from .tables import Table

        out = []
        blocks, lows, highs, codes, measures = [], [], [], [], []
        has_iv = "expected_low" in self.ratios.columns
        for (label, code), g in self.ratios.groupby(["indicator", "area_code"], sort=False):
            block = f"{label}: {g['area_name'].iloc[0]}"
            idx = pd.MultiIndex.from_product([[block], list(g["period"])], names=["measure", "area"])
            blocks.append(pd.DataFrame({"Observed": g["observed"].to_numpy(), "Expected": g["expected"].to_numpy(),
                                        "Observed ÷ expected": 100 * g["ratio"].to_numpy()}, index=idx))
            if has_iv:
                lows.append(pd.DataFrame({"Observed": g["observed"].to_numpy(), "Expected": g["expected_low"].to_numpy(),
                                          "Observed ÷ expected": 100 * g["ratio_low"].to_numpy()}, index=idx))
                highs.append(pd.DataFrame({"Observed": g["observed"].to_numpy(), "Expected": g["expected_high"].to_numpy(),
                                           "Observed ÷ expected": 100 * g["ratio_high"].to_numpy()}, index=idx))
            codes += [code] * len(g)
            measures.append(g["measure"].iloc[0])
        out.append(Table(values=pd.concat(blocks), title=f"{self.title}: observed against expected", notes=self.notes,
                         round_to=self.round_to, share_columns=["Observed ÷ expected"], area_codes=codes, measures=measures,
                         low=pd.concat(lows) if lows else None, high=pd.concat(highs) if highs else None,
                         interval_level=self.level if lows else None))
        if not self.trajectories.empty:
            blocks, lows, highs, codes, measures = [], [], [], [], []
            has_iv = "needed_low" in self.trajectories.columns
            for (label, code), g in self.trajectories.groupby(["indicator", "area_code"], sort=False):
                first = g.iloc[0]
                block = (f"{label}: {first['area_name']} — from {100 * first['latest_ratio']:.1f}% in {first['latest_period']} "
                         f"({first['latest_observed']:,.0f}) to the target")
                idx = pd.MultiIndex.from_product([[block], list(g["period"])], names=["measure", "area"])
                cols = {"Expected": "expected", "Target ratio": "target_path", "Needed": "needed",
                        "Needed − latest observed": "change_from_latest"}
                frame = pd.DataFrame({k: g[v].to_numpy() * (100 if k == "Target ratio" else 1) for k, v in cols.items()}, index=idx)
                blocks.append(frame)
                if has_iv:
                    lo, hi = frame.copy(), frame.copy()
                    lo["Expected"], hi["Expected"] = g["expected_low"].to_numpy(), g["expected_high"].to_numpy()
                    lo["Needed"], hi["Needed"] = g["needed_low"].to_numpy(), g["needed_high"].to_numpy()
                    lo["Needed − latest observed"] = g["needed_low"].to_numpy() - first["latest_observed"]
                    hi["Needed − latest observed"] = g["needed_high"].to_numpy() - first["latest_observed"]
                    lows.append(lo)
                    highs.append(hi)
                codes += [code] * len(g)
                measures.append(first["measure"])
            out.append(Table(values=pd.concat(blocks), title=f"{self.title}: counts needed to reach the target",
                             notes=["The ratio moves in a straight line from the latest observed ratio to the target; "
                                    "needed = that ratio × the expected number."] + self.notes,
                             round_to=self.round_to, share_columns=["Target ratio"], area_codes=codes, measures=measures,
                             low=pd.concat(lows) if lows else None, high=pd.concat(highs) if highs else None,
                             interval_level=self.level if lows else None))
        return out

    def to_markdown(self) -> str:
        return "\n".join(t.to_markdown() for t in self.tables())

    def to_html(self) -> str:
        tables = self.tables()
        body = "\n".join(t.to_html(full=False) for t in tables)
        full = tables[0].to_html(full=True)
        head, tail = full.split("<body>\n", 1)[0], "</body></html>\n"
        return f"{head}<body>\n{body}\n{tail}"

    def to_frame(self) -> pd.DataFrame:
        """Tidy: table, indicator, area_code, area_name, period, quantity, value."""
        keep = ["indicator", "area_code", "area_name", "period"]
        r = self.ratios.drop(columns=["measure"]).melt(id_vars=keep, var_name="quantity").assign(table="observed_vs_expected")
        frames = [r]
        if not self.trajectories.empty:
            t = self.trajectories.drop(columns=["measure", "latest_period"]).melt(id_vars=keep, var_name="quantity")
            frames.append(t.assign(table="trajectory"))
        out = pd.concat(frames, ignore_index=True)
        return out[["table"] + keep + ["quantity", "value"]]

    def to_csv(self) -> str:
        return self.to_frame().to_csv(index=False, lineterminator="\n", float_format="%.6f")

    def to_excel(self, path) -> None:
        """One workbook: a sheet for observed against expected, one for the trajectory."""
        from openpyxl import Workbook

        wb = Workbook()
        for i, (t, name) in enumerate(zip(self.tables(), ("Observed vs expected", "Trajectory"))):
            ws = wb.active if i == 0 else wb.create_sheet()
            ws.title = name
            t.write_sheet(ws)
        wb.save(path)

    def __str__(self) -> str:
        return self.to_markdown()


_SPEC_KEYS = {"schema", "title", "population", "areas", "observed", "indicators", "uncertainty", "round_to", "notes"}


@dataclass
class IndicatorSpec:
    path: Path
    title: str
    population: object
    areas: list[str] | None
    observed: Path
    indicators: list[dict]
    uncertainty: object | None
    round_to: float
    notes: list[str]
    lines: object = None

    def fail(self, msg, *keys):
        from ._yaml import failer

        return failer(SpecError, self.path, self.lines)(msg, *keys)


def load_indicator_spec(path: str | PathLike) -> IndicatorSpec:
    """Read an indicator spec (schema ``forecast.indicator/1``; see the README)."""
    from ._yaml import failer, read_yaml
    from .ages import parse_band
    from .errors import ForecastError
    from .report import UncertaintySpec, _population_spec, _rel
    from .uncertainty import check_draws

    path = Path(path)
    data, lines = read_yaml(path, error=SpecError)
    fail = failer(SpecError, path, lines)

    if not isinstance(data, dict) or data.get("schema") != "forecast.indicator/1":
        raise fail("not an indicator spec (expected 'schema: forecast.indicator/1')", "schema")
    bad = sorted(set(data) - _SPEC_KEYS, key=str)
    if bad:
        raise fail(f"unknown key (known: {', '.join(sorted(_SPEC_KEYS))})", bad[0])
    if not isinstance(data.get("observed"), str):
        raise fail("must be the observed-counts CSV file", "observed")
    inds = data.get("indicators")
    if not isinstance(inds, list) or not inds:
        raise fail("must be a non-empty list of {observed, label, rate_set, ages, target}", "indicators")
    out = []
    for i, ind in enumerate(inds):
        if not isinstance(ind, dict) or not {"observed", "rate_set"} <= set(ind):
            raise fail("each indicator needs observed (a measure of the counts file) and rate_set", "indicators", i)
        extra = sorted(set(ind) - {"observed", "rate_set", "label", "ages", "target"}, key=str)
        if extra:
            raise fail("unknown key (known: observed, rate_set, label, ages, target)", "indicators", i, extra[0])
        if "ages" in ind:
            try:
                parse_band(str(ind["ages"]))
            except ForecastError as e:
                raise fail(e.message, "indicators", i, "ages") from None
        target = ind.get("target")
        if target is not None:
            if not isinstance(target, dict) or set(target) != {"ratio", "by"}:
                raise fail("must be {ratio: 0.667, by: 2028}", "indicators", i, "target")
            r = target["ratio"]
            if isinstance(r, bool) or not isinstance(r, (int, float)) or not 0 < r <= 1:
                raise fail(f"target ratio {r!r} must be in (0, 1], e.g. 0.667 for 66.7%", "indicators", i, "target", "ratio")
            by = str(target["by"])
            try:
                period_weights(by)
            except SpecError as e:
                raise fail(e.message, "indicators", i, "target", "by") from None
            if "-" in by:
                raise fail("the target period must be a year or a financial year", "indicators", i, "target", "by")
        out.append({**ind, "rate_set": _rel(ind["rate_set"], path.parent)})
    unc = data.get("uncertainty")
    uncertainty = None
    if unc is not None:
        if not isinstance(unc, dict) or "draws" not in unc:
            raise fail("must be {draws, seed, level}", "uncertainty")
        try:
            d, sd = check_draws(unc["draws"], unc.get("seed", 0))
        except ForecastError as e:
            raise fail(e.message, "uncertainty") from None
        uncertainty = UncertaintySpec(d, sd, float(unc.get("level", 0.95)))
    areas = data.get("areas")
    if areas is not None and (not isinstance(areas, list) or not areas):
        raise fail("must be a list of area codes or names", "areas")
    rnd = data.get("round_to", 1)
    if isinstance(rnd, bool) or not isinstance(rnd, (int, float)) or rnd <= 0:
        raise fail("must be a positive number", "round_to")
    notes = data.get("notes", [])
    return IndicatorSpec(path, str(data.get("title", "Indicators")),
                         _population_spec(data.get("population", "default"), path.parent, fail),
                         [str(a) for a in areas] if areas else None, path.parent / data["observed"], out, uncertainty,
                         float(rnd), [str(n) for n in (notes if isinstance(notes, list) else [notes])], lines)


def run_indicator_spec(spec: "IndicatorSpec | str | PathLike", *, draws: int | None = None, seed: int | None = None) -> IndicatorReport:
    """Ratios and trajectories for every indicator of a spec."""
    from .assumptions import get_rate_set
    from .errors import ForecastError
    from .projection import project
    from .report import UncertaintySpec, load_population
    from .uncertainty import distribution_note, simulate

    if not isinstance(spec, IndicatorSpec):
        spec = load_indicator_spec(spec)
    if draws is not None or seed is not None:
        base = spec.uncertainty or UncertaintySpec(draws=1000)
        spec.uncertainty = UncertaintySpec(draws if draws is not None else base.draws, seed if seed is not None else base.seed, base.level)
    try:
        pop = load_population(spec.population)
    except ForecastError as e:
        raise e.located(file=spec.path, field="population") from None
    observed = read_observed(spec.observed)
    areas = spec.areas or list(dict.fromkeys(observed["area"]))
    try:
        codes = resolve_areas(pop, areas)
    except SpecError as e:
        raise spec.fail(e.message, "areas") from None
    level = spec.uncertainty.level if spec.uncertainty else 0.95
    indicators, variables, notes = [], {}, []
    for i, ind in enumerate(spec.indicators):
        try:
            rs = get_rate_set(ind["rate_set"])
        except ForecastError as e:
            raise e.located(file=spec.path, field=f"indicators[{i}].rate_set", line=spec.lines.get("indicators", i, "rate_set")) from None
        name = f"expected_{i}"
        kw = dict(ages=ind.get("ages"), areas=codes)
        try:
            if spec.uncertainty:
                variables[name] = simulate(pop, {name: rs}, draws=spec.uncertainty.draws, seed=spec.uncertainty.seed,
                                           keep=(), **kw)[name]
            else:
                variables[name] = project(pop, {name: rs}, **kw)[name]
        except ForecastError as e:
            raise e.located(file=spec.path, field=f"indicators[{i}].ages", line=spec.lines.get("indicators", i)) from None
        target = ind.get("target")
        indicators.append(Indicator(ind["observed"], name, str(ind.get("label", ind["observed"])),
                                    target["ratio"] if target else None, str(target["by"]) if target else None))
        notes.append(f"{indicators[-1].label}: expected = rate set {rs.id} ({rs.source.short(120)}), ages {ind.get('ages', rs.coverage.label)}.")
        if spec.uncertainty:
            notes.append(f"Intervals ({level:.0%}) from {spec.uncertainty.draws} draws of the rates (seed {spec.uncertainty.seed}); "
                         f"{distribution_note(rs)}; observed counts taken as exact.")
    expected = xr.Dataset(variables).assign_coords(area_name=("area", pop.sel(area=codes)["area_name"].values))
    obs = observed[observed["measure"].isin([i.observed for i in indicators])]
    unknown = obs.loc[~obs["area"].map(lambda a: _resolves(pop, a, codes)), "line"]
    if len(unknown):
        r = observed.loc[observed["line"] == unknown.iloc[0]].iloc[0]
        raise InputError(f"observed counts for area {r.area!r}, which is not among the areas of the spec or population",
                         file=observed.attrs["file"], field="area", line=int(r.line))
    ratios = observed_vs_expected(obs.assign(), expected, indicators, level=level)
    ratios.attrs = observed.attrs
    trajectories = []
    for i, ind in enumerate(indicators):
        if ind.target is not None:
            try:
                trajectories.append(trajectory(ratios, expected, ind, level=level))
            except SpecError as e:
                raise spec.fail(e.message, "indicators", i, "target") from None
    note = observed.attrs.get("note")
    notes = ([f"Observed counts: {note}"] if note else []) + notes
    if any("dementia" in get_rate_set(i["rate_set"]).measure for i in spec.indicators):
        notes.append(REGISTER_CAVEAT + ".")
    notes += spec.notes
    pop_note = pop.attrs.get("title") or pop.attrs.get("source", "")
    notes.append(f"Population: {pop_note}; {pop.attrs.get('licence', '')}".rstrip("; ") + ".")
    return IndicatorReport(spec.title, ratios, pd.concat(trajectories, ignore_index=True) if trajectories else pd.DataFrame(),
                           notes, level, spec.round_to)


def _resolves(pop, area, codes) -> bool:
    try:
        return resolve_areas(pop, [area])[0] in codes
    except SpecError:
        return False
