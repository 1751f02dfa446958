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

from ..errors import InputError, SpecError, few
from ..files import read_bytes
from ..periods import financial_year_label, parse_financial_year, period_time, period_weights, year_span
from ..population import resolve_areas
from ..population.readers._common import line_numbers, read_csv_text, require_columns

__all__ = ["read_observed", "expected_by_period", "observed_vs_expected", "trajectory", "Indicator", "REGISTER_CAVEAT"]

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
    path = Path(path)
    name = str(path)
    df = read_csv_text(read_bytes(path), file=name, skip_comments=True)
    note = " ".join(df.attrs["comments"])
    cols = {c.casefold(): c for c in df.columns}
    area_col = cols.get("area") or cols.get("area_code")
    require_columns(df, ["area" if area_col is None else area_col, "period", "measure", "count"], file=name,
                    layout="an observed-counts CSV (area, period, measure, count)")
    if df.empty:
        raise InputError("no rows of counts below the header", file=name)
    lines = line_numbers(df)
    count_text = df[cols["count"]].astype(str).str.strip().str.replace(",", "", regex=False)
    count = pd.to_numeric(count_text, errors="coerce")
    if count.isna().any() or not np.isfinite(count).all():
        i = int(np.flatnonzero((count.isna() | ~np.isfinite(count)).to_numpy())[0])
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
            has = sorted(observed.measure.unique())
            raise InputError(f"no observed counts for measure '{ind.observed}'"
                             + (f" (it has: {few(has)})" if has else " (it has no counts)"), file=file, field="measure")
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
