"""Methods checked by their numbers (issue 12 §3): scenario trends under draws exactly as in
the point projection, trends before their start year, compounding of successive scenario
steps in derived measures, standardised ethnic relative risks under draws, and "an error,
not a silent zero" on every side of a rate set's ages and of the population's open top.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml

import forecast
from forecast.errors import AssumptionError, ForecastError, SpecError
from forecast.population import make_cube

from conftest import LEICESTER, forecast_cli, tiny_cube, tiny_rate_dict

# Each test is marked unit (in memory, hand-made inputs) or integration (shipped data, CLI).


def interval_rates(rid="tiny", **over):
    """Ages 3-4 and 5+ (percent): male 10 [2, 25], 20 [8, 35]; female 30 [15, 50], 40 [20, 60]."""
    return forecast.RateSet.from_dict(tiny_rate_dict(
        id=rid, intervals={"male": [[2, 25], [8, 35]], "female": [[15, 50], [20, 60]]}, **over))


def cube(years, value=1000.0, top=5, areas=("X01",)):
    return tiny_cube(np.full((len(areas), len(years), 2, top + 1), value), top=top, years=years, areas=areas)


def scenario_file(tmp_path, annual_change, from_year, name="fall"):
    p = tmp_path / f"{name}.yaml"
    p.write_text(yaml.safe_dump({"schema": "forecast.scenario/1", "id": name, "label": name,
                                 "applies_to": {"measure": "thing"},
                                 "trend": {"annual_change": annual_change, "from_year": from_year},
                                 "source": {"citation": "hand-made test scenario"}}))
    return p


# ---------------------------------------------------------------------------- trends and scenarios

FACTORS = {2018: 1.0, 2019: 1.0, 2020: 1.0, 2021: 0.9, 2022: 0.81}  # −10% a year from 2020; 1 before


@pytest.mark.unit
def test_scenario_trend_is_applied_under_draws_exactly_as_in_project(tmp_path):
    pop, rs, sc = cube(list(FACTORS)), interval_rates(), scenario_file(tmp_path, -0.1, 2020)
    det = forecast.project(pop, rs, ages="3+", scenario=sc)["thing"].sum(["sex", "age_band"])
    base_det = forecast.project(pop, rs, ages="3+")["thing"].sum(["sex", "age_band"])
    kw = dict(draws=80, seed=6, ages="3+", keep=())
    base = forecast.simulate(pop, rs, **kw)["thing"].sel(area="X01")
    with_sc = forecast.simulate(pop, rs, scenario=sc, **kw)["thing"].sel(area="X01")
    summ = forecast.simulate(pop, rs, scenario=sc, quantiles=(0.025, 0.5, 0.975), **kw)["thing"].sel(area="X01")
    base_summ = forecast.simulate(pop, rs, quantiles=(0.025, 0.5, 0.975), **kw)["thing"].sel(area="X01")
    for year, f in FACTORS.items():
        assert (det / base_det).sel(area="X01", year=year).item() == pytest.approx(f, rel=1e-12)
        # draw by draw (same stream: the scenario does not change the rate set's id) …
        np.testing.assert_allclose(with_sc.sel(year=year).values, f * base.sel(year=year).values, rtol=1e-12)
        # … so the ratio of medians, and of the interval ends, is the factor
        assert np.median(with_sc.sel(year=year).values) / np.median(base.sel(year=year).values) == pytest.approx(f, rel=1e-12)
        for stat in ("q0.025", "q0.5", "q0.975"):
            assert (summ.sel(year=year, statistic=stat) / base_summ.sel(year=year, statistic=stat)).item() == pytest.approx(f, rel=1e-12)


@pytest.mark.unit
def test_a_rate_sets_own_trend_is_applied_under_draws_and_is_1_before_its_start():
    pop = cube(list(FACTORS))
    trended = interval_rates(trend={"annual_change": 0.05, "from_year": 2021})
    flat = interval_rates()
    kw = dict(draws=40, seed=2, ages="3+", keep=())
    a = forecast.simulate(pop, trended, **kw)["thing"].sel(area="X01")
    b = forecast.simulate(pop, flat, **kw)["thing"].sel(area="X01")
    for year, f in {2018: 1.0, 2019: 1.0, 2020: 1.0, 2021: 1.0, 2022: 1.05}.items():
        np.testing.assert_allclose(a.sel(year=year).values, f * b.sel(year=year).values, rtol=1e-12)
        p = forecast.project(pop, trended, ages="3+")["thing"].sel(area="X01", year=year).sum().item()
        q = forecast.project(pop, flat, ages="3+")["thing"].sel(area="X01", year=year).sum().item()
        assert p == pytest.approx(f * q, rel=1e-12)


@pytest.mark.integration
def test_shipped_scenario_is_1_before_2022_and_compounds_after():
    """cfas_i_to_ii_prevalence_fall: −21% over 20 years (Matthews et al., Lancet 2013;382:1405-12),
    compounded from 2022: factor (0.79^(1/20))^(year − 2022).  On the 2011 and 2018 estimates
    joined to the projection: 1 in 2011, 2018 and 2022; 0.79^(10/20) in 2032 — with and
    without draws."""
    pop = forecast.combine_populations([forecast.default_history(), forecast.default_population()])
    kw = dict(ages="65+", areas=[LEICESTER], years=[2011, 2018, 2022, 2032])
    sc = "cfas_i_to_ii_prevalence_fall"
    det = forecast.project(pop, "cfas_ii_2013", scenario=sc, **kw)["dementia"].sum(["sex", "age_band"])
    base = forecast.project(pop, "cfas_ii_2013", **kw)["dementia"].sum(["sex", "age_band"])
    drawn = forecast.simulate(pop, "cfas_ii_2013", draws=50, seed=3, scenario=sc, keep=(), **kw)["dementia"]
    drawn_base = forecast.simulate(pop, "cfas_ii_2013", draws=50, seed=3, keep=(), **kw)["dementia"]
    for year, f in {2011: 1.0, 2018: 1.0, 2022: 1.0, 2032: (0.79 ** (1 / 20)) ** 10}.items():
        assert (det / base).sel(area=LEICESTER, year=year).item() == pytest.approx(f, rel=1e-12)
        ratio = drawn.sel(area=LEICESTER, year=year).median() / drawn_base.sel(area=LEICESTER, year=year).median()
        assert ratio.item() == pytest.approx(f, rel=1e-12)


@pytest.mark.integration
def test_cli_scenario_with_draws_scales_the_median_by_the_trend():
    args = ["run", "-a", "Rutland", "-m", "cfas_ii_2013", "-y", "2030", "--ages", "65+", "--draws", "40", "--seed", "9"]
    with_sc = forecast_cli(*args, "--scenario", "cfas_i_to_ii_prevalence_fall")
    without = forecast_cli(*args)
    assert with_sc.returncode == 0 and without.returncode == 0, with_sc.stderr + without.stderr
    a = pd.read_csv(io.StringIO(with_sc.stdout)).set_index("sex")
    b = pd.read_csv(io.StringIO(without.stdout)).set_index("sex")
    for sex in ("male", "female"):
        for stat in ("q0.025", "median", "q0.975"):
            assert a.loc[sex, stat] / b.loc[sex, stat] == pytest.approx((0.79 ** (1 / 20)) ** 8, rel=1e-6)  # 6-decimal CSV


@pytest.mark.integration
def test_spec_with_scenario_and_uncertainty_scales_the_median_by_the_trend(tmp_path):
    body = "schema: forecast.table/1\nareas: [Rutland]\nmeasures: [cfas_ii_2013]\nages: 65+\nyears: [2035]\nuncertainty: {draws: 60, seed: 4}\n"
    (tmp_path / "a.yaml").write_text(body + "scenario: cfas_i_to_ii_prevalence_fall\n")
    (tmp_path / "b.yaml").write_text(body)
    a, b = forecast.run_spec(tmp_path / "a.yaml"), forecast.run_spec(tmp_path / "b.yaml")
    f = (0.79 ** (1 / 20)) ** 13
    assert a.values.iloc[0]["2035"] / b.values.iloc[0]["2035"] == pytest.approx(f, rel=1e-12)
    assert a.low.iloc[0]["2035"] / b.low.iloc[0]["2035"] == pytest.approx(f, rel=1e-12)
    assert a.high.iloc[0]["2035"] / b.high.iloc[0]["2035"] == pytest.approx(f, rel=1e-12)


# ---------------------------------------------------------------------------- derived measures: successive steps

def half_rates():
    return forecast.RateSet.from_dict({"schema": "forecast.rate-set/1", "id": "half", "measure": "carers", "label": "Carers",
                                       "source": {"citation": "t"}, "rates": {"unit": "percent", "bands": ["0+"], "persons": [50]}})


@pytest.mark.unit
def test_successive_scenario_steps_compound(tmp_path):
    """X01: 10 people at each of 6 ages × 2 sexes = 120, at 50% → 60 carers every year.
    a = carers × 0.5, × 2 from 2015/16 (mid-2015 on), × 3 from 2017:
        2014: 30, 2015: 60, 2016: 60, 2017: 180, 2018: 180
    b = a × 0.5 share, × 1.5 from 2018:  2017: 90, 2018: 135."""
    pop = cube([2014, 2015, 2016, 2017, 2018], value=10.0)
    res = forecast.project(pop, half_rates(), ages="All ages")
    p = tmp_path / "steps.yaml"
    p.write_text(yaml.safe_dump({"schema": "forecast.derived-measures/1", "id": "steps", "source": {"citation": "t"},
                                 "measures": {
                                     "a": {"from": "carers", "multiplier": 0.5, "source": "s",
                                           "scenario": [{"from": "2015/16", "multiply": 2},
                                                        {"from": 2017, "multiply": {"numerator": 3000, "denominator": 1000}}]},
                                     "b": {"from": "a", "share": 0.5, "source": "s", "scenario": [{"from": 2018, "multiply": 1.5}]},
                                 }}))
    out = forecast.apply_derived(res, forecast.load_derived(p))
    a = out["a"].sum(["area", "sex", "age_band"])
    b = out["b"].sum(["area", "sex", "age_band"])
    for year, v in {2014: 30, 2015: 60, 2016: 60, 2017: 180, 2018: 180}.items():
        assert a.sel(year=year).item() == pytest.approx(v, rel=1e-12)
    assert b.sel(year=2017).item() == pytest.approx(90, rel=1e-12)
    assert b.sel(year=2018).item() == pytest.approx(135, rel=1e-12)
    # financial years are stepped as financial years: the population part is interpolated
    # (0.75 × mid-Y + 0.25 × mid-Y+1) and a step applies from the financial year it starts in.
    # 2017/18 (April 2017 - March 2018) has a's steps (2015/16, 2017) but not b's (mid-2018):
    # 15 × 2 × 3 = 90.  2014/15: no step yet (the one "from 2015/16" starts in 2015/16): 15.
    fy = forecast.to_financial_years(out, ["2014/15", "2015/16", "2017/18"])["b"].sum(["area", "sex", "age_band"])
    assert fy.values.tolist() == pytest.approx([15, 30, 90], rel=1e-12)


# ---------------------------------------------------------------------------- standardised relative risks under draws

SHARES = {"male": {"A": 0.6, "B": 0.3, "C": 0.1}, "female": {"A": 0.5, "B": 0.3, "C": 0.2}}


def split_cube(pop):
    """Split every cell by the shares above (the study population's own mix)."""
    w = xr.DataArray([[SHARES[s][g] for g in "ABC"] for s in ("male", "female")], dims=("sex", "ethnicity"),
                     coords={"sex": ["male", "female"], "ethnicity": ["A", "B", "C"]})
    out = (pop * w).transpose("area", "year", "sex", "age", "ethnicity")
    out.attrs = dict(pop.attrs)
    return out


def risks(mode):
    return forecast.RelativeRisks.from_dict({
        "schema": "forecast.relative-risks/1", "id": f"rr_{mode}", "measure": "thing", "source": {"citation": "t"},
        "reference": "A", "mode": mode,
        "relative_risk": {"B": {"male": 1.5, "female": 1.3}, "C": {"male": 0.7, "female": 2.0}},
        "intervals": {"B": {"male": [1.1, 2.0], "female": [1.0, 1.7]}, "C": {"male": [0.4, 1.2], "female": [1.2, 3.3]}},
        "study_population": {"source": "t", "male": {"A": 6, "B": 3, "C": 1}, "female": {"A": 5, "B": 3, "C": 2}},
    })


@pytest.mark.unit
def test_standardised_risks_keep_the_study_populations_rate_within_each_draw(tiny_pop, tiny_rates):
    """A population whose mix is the study population's: in standardised mode every draw of
    the total equals the projection without ethnicity (14 for X01 in 2020), while the
    groups' shares move from draw to draw."""
    split = split_cube(tiny_pop)
    plain = forecast.project(tiny_pop, tiny_rates, ages="3+")["thing"].sum(["sex", "age_band"])
    res = forecast.simulate(split, tiny_rates, relative_risks=risks("standardised"), draws=200, seed=5, ages="3+", keep=())
    np.testing.assert_allclose(res["thing"].values, np.broadcast_to(plain.values[..., None], res["thing"].shape), rtol=1e-12)
    assert plain.sel(area="X01", year=2020).item() == pytest.approx(14.0)
    by_group = forecast.simulate(split, tiny_rates, relative_risks=risks("standardised"), draws=200, seed=5, ages="3+",
                                 keep=("sex", "ethnicity"))["thing"].sel(area="X01", year=2020, sex="male")
    share_b = (by_group.sel(ethnicity="B") / by_group.sum("ethnicity")).values
    assert share_b.std() > 0.01


@pytest.mark.unit
def test_reference_risks_under_draws_average_to_the_point_projection(tiny_pop, tiny_rates):
    """Reference mode: the log-normal draws have mean = the published ratio, so the mean of
    the demand draws converges to the point projection (within 4.5 standard errors)."""
    split = split_cube(tiny_pop)
    det = forecast.project(split, tiny_rates, relative_risks=risks("reference"), ages="3+")["thing"].sum(
        ["sex", "age_band", "ethnicity"])
    # by hand for X01 2020: male 4 × (0.6 + 0.3 × 1.5 + 0.1 × 0.7), female 10 × (0.5 + 0.3 × 1.3 + 0.2 × 2.0)
    assert det.sel(area="X01", year=2020).item() == pytest.approx(4 * 1.12 + 10 * 1.29)
    x = forecast.simulate(split, tiny_rates, relative_risks=risks("reference"), draws=20_000, seed=6, ages="3+",
                          keep=())["thing"].sel(area="X01", year=2020).values
    assert abs(x.mean() - det.sel(area="X01", year=2020).item()) <= 4.5 * x.std() / np.sqrt(x.size)
    assert x.std() > 0.1


# ---------------------------------------------------------------------------- an error, not a silent zero

def low_rates():
    """Ages 0-2 and 3-4 only (the cube's open top is 6)."""
    return forecast.RateSet.from_dict(tiny_rate_dict(id="low", rates={"unit": "percent", "bands": ["0-2", "3-4"],
                                                                      "male": [10, 20], "female": [30, 40]}))


@pytest.mark.unit
@pytest.mark.parametrize("kw", [{"bands": ["5+"]}, {"bands": ["3-5"]}, {"bands": ["0-2", "3-4", "5-5"]},
                                {"ages": "3+"}, {"ages": "All ages"}, {"ages": "4-5"}])
def test_a_band_above_the_rate_sets_coverage_is_an_error(kw):
    pop = cube([2020], top=6)
    rs = low_rates()
    with pytest.raises(SpecError, match="covers ages 0-4; the requested band .* lies outside it"):
        forecast.project(pop, rs, **kw)
    with pytest.raises(SpecError, match="covers ages 0-4"):
        forecast.simulate(pop, rs, draws=5, **kw)
    # what it does cover is worked out: 3-4 → 2 ages × 1000 × (0.2 + 0.4) = 1200
    assert forecast.project(pop, rs, bands=["3-4"])["thing"].sum().item() == pytest.approx(1200.0)


@pytest.mark.integration
def test_shipped_early_onset_set_refuses_ages_above_64():
    with pytest.raises(SpecError, match="covers ages 30-64; the requested band 65\\+ lies outside it"):
        forecast.project(None, "dementia_uk_2007_early_onset", ages="65+", areas=LEICESTER, years=[2030])
    with pytest.raises(SpecError, match="covers ages 30-64; the requested band 60-69 lies outside it"):
        forecast.simulate(None, "dementia_uk_2007_early_onset", bands=["30-59", "60-69"], areas=LEICESTER, years=[2030], draws=5)
    r = forecast_cli("run", "-a", "Leicester", "-m", "dementia_uk_2007_early_onset", "-y", "2030", "--ages", "60-69")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and "covers ages 30-64" in r.stderr and "60-69" in r.stderr


@pytest.mark.unit
@pytest.mark.parametrize("kw", [{"bands": ["3-5"]}, {"bands": ["0-2", "3-5"]}, {"ages": "4-5"}, {"bands": ["5-5"]},
                                {"bands": ["6+"]}, {"bands": ["6-7"]}])
def test_a_band_ending_at_or_beyond_the_open_top_age_is_an_error(tiny_pop, kw):
    """Top age 5 is '5 and over': a band 3-5 would count everyone aged 5+ as aged 5."""
    rs = forecast.RateSet.from_dict(tiny_rate_dict(rates={"unit": "percent", "bands": ["0-2", "3-4", "5+"],
                                                          "male": [1, 2, 3], "female": [1, 2, 3]}))
    with pytest.raises(SpecError, match="cannot be formed|starts above"):
        forecast.project(tiny_pop, rs, **kw)
    with pytest.raises(SpecError, match="cannot be formed|starts above"):
        forecast.simulate(tiny_pop, rs, draws=5, **kw)


@pytest.mark.integration
@pytest.mark.filterwarnings("ignore:the bands")  # 65-84 and 90-94 leave 85-89 out: said, before the error
@pytest.mark.parametrize("band", ["85-90", "90-94", "95+"])
def test_bands_that_cut_the_90_plus_group_are_errors_on_ons_data(band):
    with pytest.raises(SpecError, match=f"age band {re.escape(band)} (cannot be formed|starts above)"):
        forecast.project(None, "cfas_ii_2013", bands=["65-84", band], areas=LEICESTER, years=[2030])
    r = forecast_cli("run", "-a", "Leicester", "-m", "cfas_ii_2013", "-y", "2030", "--bands", f"65-84,{band}")
    assert r.returncode == 2 and r.stdout == "" and r.stderr.count("\n") == 1 and band in r.stderr


@pytest.mark.unit
@pytest.mark.parametrize("bands", [["2-3", "3-4"], ["3-4", "4+"], ["0-2", "2-2"], ["3-4", "3-4"]])
def test_bands_that_touch_at_one_age_are_an_error(tiny_pop, bands):
    rs = forecast.RateSet.from_dict(tiny_rate_dict(rates={"unit": "percent", "bands": ["0+"], "male": [10], "female": [10]}))
    with pytest.raises(SpecError, match="overlap"):
        forecast.project(tiny_pop, rs, bands=bands)
    with pytest.raises(SpecError, match="overlap"):
        forecast.simulate(tiny_pop, rs, bands=bands, draws=5)
    with pytest.raises(SpecError, match="overlap"):
        forecast.parse_bands(bands)


@pytest.mark.integration
def test_bands_65_70_and_70_75_overlap_on_ons_data():
    with pytest.raises(SpecError, match="age bands 65-70 and 70-75 overlap"):
        forecast.project(None, "cfas_ii_2013", bands=["65-70", "70-75"], areas=LEICESTER, years=[2030])
    r = forecast_cli("run", "-a", "Leicester", "-m", "cfas_ii_2013", "-y", "2030", "--bands", "65-70,70-75")
    assert r.returncode == 2 and "overlap" in r.stderr and r.stderr.count("\n") == 1


def split_top_rates(**over):
    """Top age 6 is '6 and over'; the rate set gives 6-7 and 8+ separately."""
    return forecast.RateSet.from_dict(tiny_rate_dict(id="split", rates={"unit": "percent", "bands": ["3-5", "6-7", "8+"],
                                                                        "male": [10, 20, 30], "female": [10, 20, 30]}, **over))


@pytest.mark.unit
@pytest.mark.parametrize("kw", [{}, {"ages": "3+"}, {"bands": ["3-5", "6+"]}, {"ages": "6+"}])
def test_splitting_the_open_top_group_without_a_rule_is_an_error(kw):
    pop = cube([2020], top=6)
    with pytest.raises(AssumptionError, match="splits the population's open top age group 6\\+ into 6-7, 8\\+"):
        forecast.project(pop, split_top_rates(), **kw)
    if kw:
        with pytest.raises(AssumptionError, match="splits the population's open top age group 6\\+"):
            forecast.simulate(pop, split_top_rates(), draws=5, **kw)


@pytest.mark.unit
def test_splitting_the_open_top_group_with_a_rule_gives_the_rule_not_zero():
    """Below the top the set still works (3-5: 3 ages × 2 sexes × 1000 × 10% = 600); with a
    rule the 6+ group is counted: first_band → 20%, weights 3:1 → 22.5%."""
    pop = cube([2020], top=6)
    assert forecast.project(pop, split_top_rates(), bands=["3-5"])["thing"].sum().item() == pytest.approx(600.0)
    single = forecast.project(pop, split_top_rates(open_top={"rule": "first_band"}))["thing"]
    assert single.sel(age=6).sum().item() == pytest.approx(2 * 1000 * 0.20)
    assert (single.sel(age=[0, 1, 2]) == 0).all()
    weighted = forecast.project(pop, split_top_rates(open_top={"rule": "weights", "weights": {"male": [3, 1], "female": [3, 1]},
                                                                 "source": "t"}), ages="6+")["thing"]
    assert weighted.sum().item() == pytest.approx(2 * 1000 * (0.75 * 0.20 + 0.25 * 0.30))


@pytest.mark.integration
def test_dementia_uk_bands_without_a_rule_fail_on_ons_single_ages():
    d = yaml.safe_load((forecast.get_rate_set("dementia_uk_2014").path).read_text(encoding="utf-8"))
    d.pop("open_top")
    d["id"] = "dementia_uk_2014_no_rule"
    rs = forecast.RateSet.from_dict(d)
    with pytest.raises(AssumptionError, match="open top age group 90\\+ into 90-94, 95\\+"):
        forecast.project(None, rs, areas=LEICESTER, years=[2030])
    with pytest.raises(ForecastError, match="open top age group 90\\+"):
        forecast.project(None, rs, ages="65+", areas=LEICESTER, years=[2030])


@pytest.mark.integration
def test_bands_with_a_gap_are_said_and_their_rows_are_the_bands_asked_for():
    """65-74 and 80+ leave 75-79 out: the run says so once, and writes exactly the two bands."""
    r = forecast_cli("run", "-a", "Leicester", "-m", "cfas_ii_2013", "-y", "2030", "--bands", "65-74,80+")
    assert r.returncode == 0
    assert r.stderr == "forecast: warning: the bands 65-74, 80+ leave out ages 75-79: no row or total counts them\n"
    df = pd.read_csv(io.StringIO(r.stdout))
    assert sorted(set(df["age_band"])) == ["65-74", "80+"]


@pytest.mark.integration
@pytest.mark.parametrize("ages", ["65", "dementia=65"])
def test_a_bare_age_is_not_taken_for_one_year_of_age(ages):
    r = forecast_cli("run", "-a", "Leicester", "-m", "cfas_ii_2013", "-y", "2030", "--ages", ages)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr == ("forecast: error: --ages: '65' is one year of age: write 65+ for 65 and over, "
                        "or 65-65 for that age alone\n")
