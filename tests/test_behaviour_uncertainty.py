"""Uncertainty summaries checked against numbers worked out in the test (issue 12 §3).

Quantiles are compared with ``numpy.quantile`` (its default "linear" method) applied, in the
test, to the draws of a kept-draws run; default quantiles and interval levels are checked
where a user meets them (``summarise``, ``forecast.table``, indicators, ``forecast run``);
a rate set's draws must not depend on its neighbours or its variable name; the Beta spread
must match the published interval on wide intervals too; and the mean of the draws must
converge to the deterministic projection.
"""

from __future__ import annotations

import io
import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.population import make_cube

from conftest import RUTLAND, forecast_cli, tiny_cube, tiny_rate_dict

# Each test is marked unit (in memory, hand-made inputs) or integration (shipped data, CLI).

Z95 = 1.959963984540054  # the 0.975 quantile of the standard normal
Z80 = 1.2815515655446004  # the 0.9 quantile


def interval_rates(rid="wide", *, male=(10, 20), female=(30, 40), male_iv=((2, 25), (8, 35)),
                   female_iv=((15, 50), (20, 60)), level=None, **over):
    """A two-band (3-4, 5+) rate set in percent with published intervals."""
    iv = {"male": [list(p) for p in male_iv], "female": [list(p) for p in female_iv]}
    if level is not None:
        iv["level"] = level
    d = tiny_rate_dict(id=rid, rates={"unit": "percent", "bands": ["3-4", "5+"], "male": list(male), "female": list(female)},
                       intervals=iv, **over)
    return forecast.RateSet.from_dict(d)


def big_cube():
    """Two areas, 2020 and 2021, ages 0..5 (5+ open), thousands per cell so that intervals
    survive rounding.  X01: 10,000 at every age, sex and year.  X02: 20,000, except 60,000
    aged 5+ in 2021 — its age mix changes, so its change 2020→2021 differs from draw to draw
    (the 3-4 and 5+ rates are drawn independently)."""
    values = np.full((2, 2, 2, 6), 10_000.0)
    values[1] = 20_000.0
    values[1, 1, :, 5] = 60_000.0
    return tiny_cube(values)


def half_up(x: float, to: int = 1) -> int:
    """Round half away from zero, worked in decimal (the tables' display rule)."""
    q = Decimal(repr(float(x))) / Decimal(to)
    return int(q.quantize(Decimal(1), rounding=ROUND_HALF_UP)) * to


# ---------------------------------------------------------------------------- quantiles = numpy.quantile

QS = (0.0, 0.01, 0.1, 0.333, 0.5, 0.9, 0.99, 1.0)


@pytest.mark.unit
def test_simulate_quantiles_equal_numpy_quantile_of_the_kept_draws(tiny_pop):
    """37 draws: q × (n − 1) falls between draws for every inner quantile, so a wrong position
    (q × n, or the lower draw only) shows."""
    rs = interval_rates()
    kw = dict(draws=37, seed=3, bands=["3-4", "5+"])
    kept = forecast.simulate(tiny_pop, rs, **kw)["thing"]
    summ = forecast.simulate(tiny_pop, rs, quantiles=QS, **kw)["thing"]
    assert list(summ["statistic"].values) == ["mean"] + [f"q{q:g}" for q in QS]
    x = kept.transpose("area", "year", "sex", "age_band", "draw").values
    got = summ.transpose("area", "year", "sex", "age_band", "statistic").values
    np.testing.assert_allclose(got[..., 0], x.mean(axis=-1), rtol=1e-12)
    for j, q in enumerate(QS, start=1):
        np.testing.assert_allclose(got[..., j], np.quantile(x, q, axis=-1), rtol=1e-12, err_msg=f"quantile {q}")


@pytest.mark.unit
def test_quantiles_are_taken_after_summing_within_each_draw(tiny_pop):
    """keep=(): sexes and bands are summed draw by draw, then the quantile is taken (the
    quantile of a sum is not the sum of the quantiles)."""
    rs = interval_rates()
    kept = forecast.simulate(tiny_pop, rs, draws=53, seed=8, bands=["3-4", "5+"])["thing"]
    summ = forecast.simulate(tiny_pop, rs, draws=53, seed=8, bands=["3-4", "5+"], keep=(), quantiles=(0.1, 0.5, 0.9))["thing"]
    x = kept.sum(["sex", "age_band"]).transpose("area", "year", "draw").values
    for q in (0.1, 0.5, 0.9):
        np.testing.assert_allclose(summ.sel(statistic=f"q{q:g}").transpose("area", "year").values,
                                   np.quantile(x, q, axis=-1), rtol=1e-12)
    # and it differs from the sum of the per-cell quantiles (so the test can tell the two apart)
    per_cell = np.quantile(kept.transpose(..., "draw").values, 0.9, axis=-1).sum(axis=(2, 3))
    assert not np.allclose(per_cell, summ.sel(statistic="q0.9").transpose("area", "year").values, rtol=1e-6)


@pytest.mark.unit
def test_summarise_equals_numpy_quantile_and_defaults_to_median_and_95_percent(tiny_pop):
    """42 draws: every quantile asked for, the defaults too, falls between two draws
    (0.025 × 41 = 1.025, 0.5 × 41 = 20.5, 0.975 × 41 = 39.975; 0.05 × 41 = 2.05 …)."""
    rs = interval_rates()
    kept = forecast.simulate(tiny_pop, rs, draws=42, seed=5, bands=["3-4", "5+"])
    x = kept["thing"].transpose("area", "year", "sex", "age_band", "draw").values
    chosen = forecast.summarise(kept, quantiles=(0.05, 0.25, 0.75))["thing"]
    np.testing.assert_allclose(chosen.sel(statistic="mean").transpose("area", "year", "sex", "age_band").values,
                               x.mean(axis=-1), rtol=1e-12)
    for q in (0.05, 0.25, 0.75):
        np.testing.assert_allclose(chosen.sel(statistic=f"q{q:g}").transpose("area", "year", "sex", "age_band").values,
                                   np.quantile(x, q, axis=-1), rtol=1e-12)
    default = forecast.summarise(kept)["thing"]
    assert list(default["statistic"].values) == ["mean", "q0.025", "q0.5", "q0.975"]
    for q in (0.025, 0.5, 0.975):
        np.testing.assert_allclose(default.sel(statistic=f"q{q:g}").transpose("area", "year", "sex", "age_band").values,
                                   np.quantile(x, q, axis=-1), rtol=1e-12)


# ---------------------------------------------------------------------------- defaults where users see them

@pytest.mark.unit
def test_table_cells_default_to_median_and_95_percent_interval():
    pop = big_cube()
    rs = interval_rates()
    res = forecast.simulate(pop, rs, draws=41, seed=7, ages="3+")
    t = forecast.table(res, years=[2020, 2021], change=(2020, 2021))
    d = res["thing"].sum(["sex", "age_band"])  # (area, year, draw)
    rows = {"Area X01": d.sel(area="X01"), "Area X02": d.sel(area="X02"), "Total": d.sum("area")}
    block = "People with a thing"
    for row, v in rows.items():
        for year in (2020, 2021):
            x = v.sel(year=year).values
            key = (block, row)
            assert t.values.loc[key, str(year)] == pytest.approx(np.quantile(x, 0.5), rel=1e-12)
            assert t.low.loc[key, str(year)] == pytest.approx(np.quantile(x, 0.025), rel=1e-12)
            assert t.high.loc[key, str(year)] == pytest.approx(np.quantile(x, 0.975), rel=1e-12)
        # the change is worked out within each draw, then summarised
        ch = 100 * (v.sel(year=2021).values - v.sel(year=2020).values) / v.sel(year=2020).values
        assert t.values.loc[(block, row), "Change 2020 to 2021"] == pytest.approx(np.quantile(ch, 0.5), rel=1e-9, abs=1e-9)
        assert t.low.loc[(block, row), "Change 2020 to 2021"] == pytest.approx(np.quantile(ch, 0.025), rel=1e-9, abs=1e-9)
    # X02's change varies by draw, and its median is not the change of the medians
    v = rows["Area X02"]
    ch = 100 * (v.sel(year=2021).values - v.sel(year=2020).values) / v.sel(year=2020).values
    of_medians = 100 * (np.median(v.sel(year=2021).values) / np.median(v.sel(year=2020).values) - 1)
    assert ch.std() > 1 and abs(np.median(ch) - of_medians) > 1e-6
    # the rendered cell: median (low–high), each rounded half away from zero
    x = rows["Area X02"].sel(year=2021).values
    cell = f"{half_up(np.quantile(x, 0.5)):,} ({half_up(np.quantile(x, 0.025)):,}–{half_up(np.quantile(x, 0.975)):,})"
    line = next(ln for ln in t.to_markdown().splitlines() if ln.startswith("| Area X02 |"))
    assert line.split(" | ")[2] == cell
    assert t.interval_level == 0.95
    assert any("95% interval" in n and "2.5th to 97.5th percentiles" in n and "41 draws" in n for n in t.notes)


@pytest.mark.unit
def test_table_level_sets_the_interval():
    pop = big_cube()
    res = forecast.simulate(pop, interval_rates(), draws=41, seed=7, ages="3+")
    t = forecast.table(res, years=[2021], level=0.8)
    x = res["thing"].sum(["sex", "age_band"]).sel(area="X01", year=2021).values
    assert t.low.loc[("People with a thing", "Area X01"), "2021"] == pytest.approx(np.quantile(x, 0.1), rel=1e-12)
    assert t.high.loc[("People with a thing", "Area X01"), "2021"] == pytest.approx(np.quantile(x, 0.9), rel=1e-12)


def _indicator_population():
    """X02 has 20, 30, 40 people per age and sex in 2020-2022 (X01: 10 throughout)."""
    values = np.zeros((2, 3, 2, 6))
    values[0] = 10.0
    for j, n in enumerate((20.0, 30.0, 40.0)):
        values[1, j] = n
    return tiny_cube(values * 100, years=(2020, 2021, 2022))


@pytest.mark.unit
def test_indicators_default_to_median_and_95_percent_interval(tmp_path):
    expected = forecast.simulate(_indicator_population(), {"expected": interval_rates()}, draws=61, seed=4,
                                 ages="3+", keep=())
    obs_path = tmp_path / "obs.csv"
    obs_path.write_text("area,period,measure,count\nX02,2020/21,register,3000\n")
    obs = forecast.read_observed(obs_path)
    from forecast.model import Indicator

    ind = Indicator("register", "expected", "Rate", target=0.9, target_by="2022")
    r = forecast.observed_vs_expected(obs, expected, [ind]).iloc[0]
    e = expected["expected"].sel(area="X02")
    fy = 0.75 * e.sel(year=2020).values + 0.25 * e.sel(year=2021).values  # 2020/21, draw by draw
    assert r["expected"] == pytest.approx(np.quantile(fy, 0.5), rel=1e-12)
    assert r["expected_low"] == pytest.approx(np.quantile(fy, 0.025), rel=1e-12)
    assert r["expected_high"] == pytest.approx(np.quantile(fy, 0.975), rel=1e-12)
    assert r["ratio"] == pytest.approx(3000 / np.quantile(fy, 0.5), rel=1e-12)
    assert r["ratio_low"] == pytest.approx(3000 / np.quantile(fy, 0.975), rel=1e-12)
    assert r["ratio_high"] == pytest.approx(3000 / np.quantile(fy, 0.025), rel=1e-12)
    ratios = forecast.observed_vs_expected(obs, expected, [ind])
    t = forecast.trajectory(ratios, expected, ind).set_index("period")
    e22 = e.sel(year=2022).values
    assert t.loc["2022", "target_path"] == pytest.approx(0.9)
    assert t.loc["2022", "needed_low"] == pytest.approx(0.9 * np.quantile(e22, 0.025), rel=1e-12)
    assert t.loc["2022", "needed_high"] == pytest.approx(0.9 * np.quantile(e22, 0.975), rel=1e-12)


@pytest.mark.integration
def test_table_spec_without_level_gives_the_95_percent_interval(tmp_path):
    p = tmp_path / "spec.yaml"
    p.write_text("schema: forecast.table/1\nareas: [Rutland]\nmeasures: [cfas_ii_2013]\nages: 65+\nyears: [2030]\n"
                 "uncertainty: {draws: 101, seed: 3}\n")
    t = forecast.run_spec(p)
    draws = forecast.simulate(None, "cfas_ii_2013", draws=101, seed=3, ages="65+", areas=[RUTLAND], years=[2030], keep=())
    x = draws["dementia"].sel(area=RUTLAND, year=2030).values
    row = t.values.index[0]
    assert t.values.loc[row, "2030"] == pytest.approx(np.quantile(x, 0.5), rel=1e-12)
    assert t.low.loc[row, "2030"] == pytest.approx(np.quantile(x, 0.025), rel=1e-12)
    assert t.high.loc[row, "2030"] == pytest.approx(np.quantile(x, 0.975), rel=1e-12)


@pytest.mark.integration
def test_indicator_spec_without_level_gives_the_95_percent_interval(tmp_path):
    (tmp_path / "obs.csv").write_text("area,period,measure,count\nE06000017,2025,register,300\n")
    (tmp_path / "spec.yaml").write_text(
        "schema: forecast.indicator/1\npopulation: default\nareas: [E06000017]\nobserved: obs.csv\n"
        "indicators:\n  - {observed: register, rate_set: cfas_ii_2013, ages: 65+}\n"
        "uncertainty: {draws: 101, seed: 2}\n")
    r = forecast.run_indicator_spec(tmp_path / "spec.yaml").ratios.iloc[0]
    draws = forecast.simulate(None, "cfas_ii_2013", draws=101, seed=2, ages="65+", areas=[RUTLAND], years=[2025], keep=())
    x = draws["dementia"].sel(area=RUTLAND, year=2025).values
    assert r["expected"] == pytest.approx(np.quantile(x, 0.5), rel=1e-12)
    assert r["expected_low"] == pytest.approx(np.quantile(x, 0.025), rel=1e-12)
    assert r["expected_high"] == pytest.approx(np.quantile(x, 0.975), rel=1e-12)


@pytest.mark.integration
def test_cli_run_draws_reports_the_default_quantiles_of_its_draws():
    args = ["run", "-a", "Rutland", "-m", "cfas_ii_2013", "-y", "2030", "--ages", "65+", "--draws", "60", "--seed", "5"]
    summ = forecast_cli(*args)
    kept = forecast_cli(*args, "--keep-draws")
    assert summ.returncode == 0 and kept.returncode == 0, summ.stderr + kept.stderr
    s = pd.read_csv(io.StringIO(summ.stdout))
    k = pd.read_csv(io.StringIO(kept.stdout))
    for sex in ("male", "female"):
        x = k[k.sex == sex].sort_values("draw").value.to_numpy()
        assert len(x) == 60
        got = s[s.sex == sex].iloc[0]
        assert list(s.columns[-4:]) == ["median", "mean", "q0.025", "q0.975"]  # the central estimate first
        assert got["mean"] == pytest.approx(x.mean(), abs=2e-6)
        assert got["median"] == pytest.approx(np.quantile(x, 0.5), abs=2e-6)
        for q in (0.025, 0.975):
            assert got[f"q{q:g}"] == pytest.approx(np.quantile(x, q), abs=2e-6)


# ---------------------------------------------------------------------------- independent streams

@pytest.mark.unit
def test_a_rate_sets_draws_do_not_depend_on_its_neighbours_or_its_name(tiny_pop):
    a = interval_rates("alpha")
    b = interval_rates("beta", male=(5, 15), female=(25, 35), male_iv=((1, 12), (6, 30)), female_iv=((10, 40), (15, 55)),
                       measure="other")
    kw = dict(draws=50, seed=11, bands=["3-4", "5+"])
    alone = forecast.simulate(tiny_pop, {"x": a}, **kw)["x"].values
    beside = forecast.simulate(tiny_pop, {"y": b, "renamed": a}, **kw)
    np.testing.assert_array_equal(beside["renamed"].values, alone)
    after = forecast.simulate(tiny_pop, [a, b], **kw)["thing"].values  # a list: named by measure, other order
    np.testing.assert_array_equal(after, alone)
    # and the neighbour's own draws are its own too
    np.testing.assert_array_equal(beside["y"].values, forecast.simulate(tiny_pop, {"z": b}, **kw)["z"].values)


@pytest.mark.unit
def test_two_rate_sets_with_the_same_numbers_draw_independently():
    """Streams are keyed by rate-set id: two ids with identical rates must not share draws
    (their correlation over 4,000 draws is near 0, |r| < 0.1)."""
    pop = make_cube(np.ones((1, 1, 2, 2)), areas=["X"], area_names=["X"], years=[2020], ages=[0, 1], open_top_age=1)
    mk = lambda rid: forecast.RateSet.from_dict({  # noqa: E731
        "schema": "forecast.rate-set/1", "id": rid, "measure": rid, "label": rid, "source": {"citation": "t"},
        "rates": {"unit": "percent", "bands": ["0+"], "male": [30], "female": [30]},
        "intervals": {"male": [[10, 50]], "female": [[10, 50]]}})
    res = forecast.simulate(pop, [mk("first"), mk("second")], draws=4000, seed=1, keep=())
    x, y = res["first"].values.ravel(), res["second"].values.ravel()
    assert not np.array_equal(x, y)
    assert abs(np.corrcoef(x, y)[0, 1]) < 0.1


@pytest.mark.integration
def test_cfas_ii_headline_is_the_same_alone_and_beside_another_dementia_set():
    """Issue 12 §2: CFAS II Leicestershire 2025 changed with its neighbour in the table."""
    kw = dict(draws=200, seed=0, ages="65+", areas=["E10000018"], years=[2025], keep=())
    alone = forecast.simulate(None, "cfas_ii_2013", **kw)["dementia"].values
    beside = forecast.simulate(None, ["dementia_uk_2014", "cfas_ii_2013"], **kw)["cfas_ii_2013"].values
    np.testing.assert_array_equal(alone, beside)
    t1 = forecast.table(forecast.simulate(None, "cfas_ii_2013", **kw), years=[2025])
    t2 = forecast.table(forecast.simulate(None, ["dementia_uk_2014", "cfas_ii_2013"], **kw), years=[2025],
                        measures=["cfas_ii_2013"])
    assert t1.values.iloc[0]["2025"] == t2.values.iloc[0]["2025"] == pytest.approx(np.median(alone), rel=1e-12)


# ---------------------------------------------------------------------------- Beta spread

def _one_person():
    """One man and one woman aged 0 (top age 1): demand draws are the rate draws."""
    values = np.zeros((1, 1, 2, 2))
    values[0, 0, :, 0] = 1.0
    return make_cube(values, areas=["X"], area_names=["X"], years=[2020], ages=[0, 1], open_top_age=1)


def _rate_draws(rates, intervals, draws=100_000, seed=12):
    rs = forecast.RateSet.from_dict({"schema": "forecast.rate-set/1", "id": "spread", "measure": "m", "label": "m",
                                     "source": {"citation": "t"}, "rates": {"unit": "proportion", "bands": ["0+"], **rates},
                                     "intervals": intervals})
    res = forecast.simulate(_one_person(), rs, draws=draws, seed=seed, keep=("sex",))["m"]
    return res.sel(area="X", year=2020)


@pytest.mark.unit
def test_beta_spread_matches_a_wide_95_percent_interval():
    """0.3 with 95% interval [0.05, 0.6]: sd = 0.55 / (2 × 1.96) = 0.1403; 0.5 with [0.1, 0.95]:
    sd = 0.85 / 3.92 = 0.2168.  (Narrow intervals cannot tell a moment match from its
    approximations; these can: dropping the "− 1" in ν = p(1 − p)/var − 1 gives sd 4% low.)"""
    x = _rate_draws({"male": [0.3], "female": [0.5]}, {"male": [[0.05, 0.6]], "female": [[0.1, 0.95]]})
    m, f = x.sel(sex="male").values, x.sel(sex="female").values
    assert m.mean() == pytest.approx(0.3, abs=0.002)
    assert m.std() == pytest.approx(0.55 / (2 * Z95), rel=0.01)
    assert f.mean() == pytest.approx(0.5, abs=0.003)
    assert f.std() == pytest.approx(0.85 / (2 * Z95), rel=0.01)
    assert 0 < m.min() and m.max() < 1


@pytest.mark.unit
def test_beta_spread_uses_the_published_interval_level():
    """An 80% interval [0.05, 0.6] around 0.3: sd = 0.55 / (2 × 1.2816) = 0.2146."""
    x = _rate_draws({"male": [0.3], "female": [0.3]}, {"level": 0.8, "male": [[0.05, 0.6]], "female": [[0.2, 0.4]]})
    assert x.sel(sex="male").values.std() == pytest.approx(0.55 / (2 * Z80), rel=0.01)
    assert x.sel(sex="female").values.std() == pytest.approx(0.2 / (2 * Z80), rel=0.01)
    assert x.sel(sex="male").values.mean() == pytest.approx(0.3, abs=0.003)


# ---------------------------------------------------------------------------- convergence

def _assert_mean_converges(kept, det, n):
    """|mean − deterministic| within 4.5 standard errors in every cell (and not all equal)."""
    x = kept.transpose(*det.dims, "draw").values
    se = x.std(axis=-1) / math.sqrt(n)
    gap = np.abs(x.mean(axis=-1) - det.values)
    assert (gap <= 4.5 * se + 1e-9).all(), (gap / np.maximum(se, 1e-300)).max()
    assert (x.std(axis=-1) > 0).all()


@pytest.mark.unit
def test_mean_of_interval_draws_converges_to_the_projection(tiny_pop):
    rs = interval_rates()
    det = forecast.project(tiny_pop, rs, bands=["3-4", "5+"])["thing"]
    kept = forecast.simulate(tiny_pop, rs, draws=20_000, seed=21, bands=["3-4", "5+"])["thing"]
    _assert_mean_converges(kept, det, 20_000)


@pytest.mark.unit
def test_mean_of_count_and_base_draws_converges_to_the_projection(tiny_pop):
    counts = forecast.RateSet.from_dict({
        "schema": "forecast.rate-set/1", "id": "counted", "measure": "carers", "label": "c", "source": {"citation": "t"},
        "counts": {"bands": ["0-2", "3+"], "male": {"cases": [3, 10], "population": [40, 50]},
                   "female": {"cases": [5, 20], "population": [60, 40]}},
        "intervals": {"method": "wilson"}})
    bases = forecast.RateSet.from_dict(tiny_rate_dict(id="based", bases={"male": [30, 50], "female": [40, 20]}))
    for rs, name in ((counts, "carers"), (bases, "thing")):
        det = forecast.project(tiny_pop, rs, bands=[b.label for b in rs.bands])[name]
        kept = forecast.simulate(tiny_pop, rs, draws=20_000, seed=22, bands=[b.label for b in rs.bands])[name]
        _assert_mean_converges(kept, det, 20_000)
