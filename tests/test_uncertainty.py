"""Uncertainty, scenarios and scale (issue 5): distributions, convergence, reproducibility,
dask (local chunks and a 2-worker LocalCluster), extension, and the bad inputs."""

import math
import time

import numpy as np
import pytest
import yaml

import forecast
from forecast.errors import AssumptionError, ForecastError, SpecError
from forecast.assumptions import apply_scenario, load_scenario
from forecast.population.extend import extend_population
from forecast.model import simulate, summarise
from forecast.model.draws import band_draws, relative_risk_draws

from conftest import LEICESTER, tiny_cube, tiny_rate_dict

pytestmark = pytest.mark.integration


def interval_rate_set(lo_hi, **over):
    d = tiny_rate_dict(rates={"unit": "percent", "bands": ["3-4", "5+"], "male": [10, 20], "female": [30, 40]},
                       intervals={"male": lo_hi[0], "female": lo_hi[1]}, **over)
    return forecast.RateSet.from_dict(d)


# ---------------------------------------------------------------------------- distributions

def test_zero_width_intervals_give_the_deterministic_result(tiny_pop):
    rs = interval_rate_set(([[10, 10], [20, 20]], [[30, 30], [40, 40]]))
    draws = simulate(tiny_pop, rs, draws=50, seed=1, bands=["3-4", "5+"])["thing"]
    det = forecast.project(tiny_pop, rs, bands=["3-4", "5+"])["thing"]
    for d in range(50):
        np.testing.assert_array_equal(draws.isel(draw=d).values, det.values)


def test_beta_matched_to_the_interval_by_moments():
    # 30% with 95% interval 20-40%: mean 0.30, sd (0.40 - 0.20) / (2 × 1.95996) = 0.05102
    rs = interval_rate_set(([[5, 15], [15, 25]], [[20, 40], [30, 50]]))
    x = band_draws(rs, 200_000, np.random.default_rng(0))[:, 1, 0]
    assert x.mean() == pytest.approx(0.30, abs=0.001)
    assert x.std() == pytest.approx(0.20 / (2 * 1.959964), rel=0.01)


def test_counts_draw_from_beta_cases_population():
    rs = forecast.get_rate_set("census2011_unpaid_care")
    x = band_draws(rs, 100_000, np.random.default_rng(1))
    i = [b.label for b in rs.bands].index("15")
    k, n = 23_848, 677_671  # Census 2011, age 15
    assert x[:, 0, i].mean() == pytest.approx(k / n, rel=1e-3)
    assert x[:, 0, i].std() == pytest.approx(math.sqrt(k * (n - k) / (n * n * (n + 1))), rel=0.02)  # Beta(k, n-k) sd
    np.testing.assert_array_equal(x[:, 0, :], x[:, 1, :])  # persons: one draw for both sexes
    assert (x[:, :, 0] == 0).all()  # 0 carers aged 0-4: no uncertainty


def test_bases_and_fixed_rates():
    rs = forecast.get_rate_set("apms2014_any_cmd")
    x = band_draws(rs, 100_000, np.random.default_rng(2))[:, 1, 0]
    p, n = 0.282, 311  # women 16-24: 28.2% of an unweighted base of 311
    assert x.mean() == pytest.approx(p, abs=0.001)
    assert x.std() == pytest.approx(math.sqrt(p * (1 - p) / (n + 1)), rel=0.02)
    fixed = band_draws(forecast.get_rate_set("dementia_uk_2014"), 10, np.random.default_rng(3))
    assert (fixed == fixed[0]).all()


def test_relative_risk_draws_are_mean_preserving_log_normal():
    rr = forecast.get_relative_risks("pham2018_dementia_irr")
    x = relative_risk_draws(rr, ["White", "Black", "Asian", "Other"], 200_000, np.random.default_rng(4))
    assert x[:, 0, 1].mean() == pytest.approx(1.28, rel=0.003)  # Black men, 95% CI 1.08-1.50
    assert np.median(x[:, 0, 1]) < 1.28  # log-normal, skewed
    assert (x[:, :, 0] == 1).all() and (x[:, :, 3] == 1).all()


# ---------------------------------------------------------------------------- the run

def test_mean_over_draws_converges_to_the_deterministic_result():
    """Stated tolerance: with 4,000 draws the mean is within 1% of the deterministic value
    (CFAS II's intervals give a coefficient of variation of about 5% per cell, so the mean's
    relative standard error is about 0.08%)."""
    res = simulate(None, "cfas_ii_2013", draws=4000, seed=11, ages="65+", areas=LEICESTER, years=[2030], keep=())
    det = forecast.project(None, "cfas_ii_2013", ages="65+", areas=LEICESTER, years=[2030])["dementia"].sum().item()
    assert res["dementia"].mean("draw").item() == pytest.approx(det, rel=0.01)


def test_same_seed_same_draws_other_seed_other_draws():
    kw = dict(draws=200, ages="65+", areas=LEICESTER, years=[2030], keep=())
    a, b, c = (simulate(None, "cfas_ii_2013", seed=s, **kw)["dementia"].values for s in (5, 5, 6))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_summary_path_equals_summarised_draws():
    kw = dict(draws=500, seed=3, ages="65+", areas=[LEICESTER, "Rutland"], keep=("sex",))
    full = summarise(simulate(None, "cfas_ii_2013", **kw), quantiles=(0.05, 0.95))
    direct = simulate(None, "cfas_ii_2013", quantiles=(0.05, 0.95), **kw)
    np.testing.assert_allclose(full["dementia"].values, direct["dementia"].values, rtol=1e-12)
    assert list(direct["statistic"].values) == ["mean", "q0.05", "q0.95"]


def test_dask_chunks_equal_in_memory():
    pop = forecast.default_population()
    kw = dict(draws=300, seed=9, keep=("sex",), quantiles=(0.025, 0.975))
    mem = simulate(pop, ["cfas_ii_2013", "apms2014_any_cmd"], **kw)
    lazy = simulate(forecast.scale.chunk_by_area(pop, 3), ["cfas_ii_2013", "apms2014_any_cmd"], **kw)
    for v in mem.data_vars:
        np.testing.assert_allclose(lazy[v].values, mem[v].values, rtol=1e-12)


def test_local_cluster_with_two_workers_equals_in_memory():
    """Issue check: a LocalCluster with 2 workers gives the in-memory result."""
    pop = forecast.default_population()
    kw = dict(draws=200, seed=21, keep=("sex",), quantiles=(0.025, 0.5, 0.975))
    mem = simulate(pop, ["cfas_ii_2013", "census2021_unpaid_care"], **kw)
    with forecast.scale.dask_client(workers=2) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        dist = simulate(forecast.scale.chunk_by_area(pop, 4), ["cfas_ii_2013", "census2021_unpaid_care"], **kw)
    for v in mem.data_vars:
        np.testing.assert_allclose(dist[v].values, mem[v].values, rtol=1e-12)


def test_unreachable_scheduler_fails_fast_with_its_address():
    t = time.perf_counter()
    with pytest.raises(ForecastError, match="cannot reach the dask scheduler at tcp://127.0.0.1:9 within 1 s"):
        with forecast.scale.dask_client(scheduler="tcp://127.0.0.1:9", timeout=1):
            pass
    assert time.perf_counter() - t < 10


@pytest.mark.parametrize("draws, seed, match", [(0, 1, "must be between 1 and 100,000"), (-5, 1, "must be between 1 and 100,000"),
                                                (100_001, 1, r"between 1 and 100,000 \(forecast.limits\), not 100,001"),
                                                (1.5, 1, "whole number"), (10, "x", "seed must be a whole number"),
                                                (10, 2.5, "seed must be a whole number"), (10, -1, "seed must be between 0"),
                                                (True, 1, "whole number")])
def test_bad_draws_and_seeds(tiny_pop, tiny_rates, draws, seed, match):
    with pytest.raises(SpecError, match=match):
        simulate(tiny_pop, tiny_rates, draws=draws, seed=seed)


def test_progress_callback_once_per_measure():
    ticks = []
    simulate(None, ["cfas_ii_2013", "apms2014_any_cmd"], draws=10, seed=1, areas="Rutland", keep=(), progress=ticks.append)
    assert ticks == [1, 1]


def test_estimate_counts():
    e = forecast.scale.estimate(forecast.default_population(), ["cfas_ii_2013", "apms2014_any_cmd"], draws=100)
    # 2 measures × 10 areas × 26 years × (mean + 3 quantiles)
    assert e["cells"] == 2 * 10 * 26 * 4 and e["draw_values"] == 2 * 10 * 26 * 100
    assert e["seconds"] > 0 and e["peak_bytes"] > 0


def test_table_cells_show_intervals():
    res = simulate(None, "cfas_ii_2013", draws=400, seed=2, ages="65+", areas=["Leicester", "Rutland"])
    t = forecast.table(res, years=[2025, 2030], change=(2025, 2030), level=0.9)
    md = t.to_markdown()
    assert "| Leicester | " in md and "–" in md.split("| Leicester | ")[1].split("\n")[0]
    assert any("90% interval" in n and "400 draws" in n for n in t.notes)
    v = res["dementia"].sel(area=LEICESTER, year=2030).sum(["sex", "age_band"])
    assert t.values.loc[("People aged 65 and over with dementia (CFAS II)", "Leicester"), "2030"] == pytest.approx(float(v.median()))
    assert t.low.loc[("People aged 65 and over with dementia (CFAS II)", "Leicester"), "2030"] == pytest.approx(float(v.quantile(0.05)))


# ---------------------------------------------------------------------------- scenarios

def test_builtin_scenarios():
    a = load_scenario("ahmadi_abhari_2017_prevalence")  # two segments from 2020, held after 2040
    assert a.measure == "dementia"
    f = a.trend.factor([2019, 2020, 2030, 2040, 2050])
    np.testing.assert_allclose(f, [1, 1, 1.0003 ** 10, 1.0003 ** 10 * 0.9887 ** 10, 1.0003 ** 10 * 0.9887 ** 10])
    c = load_scenario("cfas_i_to_ii_prevalence_fall")
    assert c.trend.annual_change == pytest.approx(0.79 ** (1 / 20) - 1)  # -21% over 20 years, compounded


def test_scenario_applies_its_trend_by_hand():
    res = forecast.project(None, "cfas_ii_2013", ages="65+", areas=LEICESTER, years=[2022, 2032],
                           scenario="cfas_i_to_ii_prevalence_fall")
    base = forecast.project(None, "cfas_ii_2013", ages="65+", areas=LEICESTER, years=[2022, 2032])
    r = (res["dementia"] / base["dementia"]).sum(["sex", "age_band", "area"]) / 2
    assert r.sel(year=2022).item() == pytest.approx(1.0)
    assert r.sel(year=2032).item() == pytest.approx((0.79 ** (1 / 20)) ** 10)


def test_scenario_errors(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump({"schema": "forecast.scenario/1", "id": "s", "source": {"citation": "t"},
                                 "applies_to": {"rate_sets": ["cfas_ii_2013", "nosuch"]},
                                 "trend": {"annual_change": -0.01, "from_year": 2022}}))
    with pytest.raises(AssumptionError, match="applies_to.rate_sets\\[1\\]: unknown rate set 'nosuch'"):
        load_scenario(p)
    with pytest.raises(AssumptionError, match="unknown scenario 'nosuch'"):
        load_scenario("nosuch")
    with pytest.raises(SpecError, match="none of the rate sets here"):
        apply_scenario(forecast.model.resolve_measures(["depression_15pct"]), "cfas_i_to_ii_prevalence_fall")


def test_extend_population_by_hand():
    pop = tiny_cube(areas=("X01",), years=(2020, 2021))
    pop = pop.copy(data=pop.values * np.array([1.0, 1.2])[None, :, None, None])  # 10 then 12 per cell
    ext = extend_population(pop, 2023, method="hold_growth")
    assert list(ext.year.values) == [2020, 2021, 2022, 2023]
    assert ext.sel(year=2022, sex="male", age=3).item() == pytest.approx(14.4)  # 12 × 12/10
    assert ext.sel(year=2023, sex="female", age=0).item() == pytest.approx(17.28)
    assert "extended" in ext.attrs


def test_extend_with_given_ratios(tmp_path):
    pop = tiny_cube(areas=("X01",), years=(2020, 2021))
    p = tmp_path / "r.csv"
    p.write_text("sex,age,ratio\n" + "".join(f"{s},{a},{1.1 if s == 'male' else 0.9}\n" for s in ("male", "female") for a in range(6)))
    ext = extend_population(pop, 2022, ratios=p)
    assert ext.sel(year=2022, sex="male", age=5).item() == pytest.approx(11.0)
    assert ext.sel(year=2022, sex="female", age=5).item() == pytest.approx(9.0)


def test_extended_county_stays_the_sum_of_its_districts(default_pop):
    ext = extend_population(default_pop, 2049)
    districts = ext.sel(area=[f"E070001{n}" for n in range(29, 36)], year=2049).sum("area")
    np.testing.assert_allclose(ext.sel(area="E10000018", year=2049).values, districts.values)


def test_extension_end_before_start(default_pop):
    with pytest.raises(SpecError, match="the end year 2020 is before the projection's start \\(2022\\)"):
        extend_population(default_pop, 2020)


@pytest.mark.parametrize("keep", [(), ("sex", "age_band")])
def test_measures_together_equal_each_alone(keep):
    """Two measures in one run (the same labels: put side by side; each rate set's own band,
    65+ and 16+: aligned on one age_band dim, each empty outside its own band) give each
    measure's numbers from a run of its own; random streams are keyed by rate-set id."""
    sets = {"dementia": "cfas_ii_2013", "cmd": "apms2014_any_cmd"}
    both = simulate(None, sets, draws=50, seed=4, areas=LEICESTER, years=[2025, 2030], keep=keep)
    for name, rs in sets.items():
        alone = simulate(None, {name: rs}, draws=50, seed=4, areas=LEICESTER, years=[2025, 2030], keep=keep)[name]
        together = both[name]
        if "age_band" in keep:
            own = list(alone["age_band"].values)
            assert len(own) == 1 and len(both["age_band"]) == 2
            others = [b for b in both["age_band"].values if b not in own]
            assert np.isnan(together.sel(age_band=others).values).all()
            together = together.sel(age_band=own)
        np.testing.assert_array_equal(together.transpose(*alone.dims).values, alone.values)
        assert together.attrs["rate_set"] == rs
