"""Tables and periods checked by their numbers (issue 12 §3): totals over a subset of a
result's areas, percentage changes that are not whole numbers (shown to 0.1, halves away
from zero), trajectories from the latest of several observations, month weights (June and
every other month), and strategy ends in April.
"""

from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.model import Indicator
from forecast.periods import expand_periods, period_weights, strategy_end, strategy_end_year
from forecast.population import make_cube

from conftest import LEICESTER, RUTLAND, tiny_cube

# Each test is marked unit (in memory, hand-made inputs) or integration (shipped data, CLI).

BLOCK = "Everyone"


def everyone():
    """A rate of 100%: demand = population, so every expected value is a population sum."""
    return forecast.RateSet.from_dict({"schema": "forecast.rate-set/1", "id": "everyone", "measure": "people",
                                       "label": BLOCK, "source": {"citation": "t"},
                                       "rates": {"unit": "percent", "bands": ["0+"], "persons": [100]}})


def three_areas(first: dict, second: dict):
    """Areas A, B, C, years 2020 and 2021; each area's whole population sits in one cell."""
    values = np.zeros((3, 2, 2, 2))
    for i, code in enumerate("ABC"):
        values[i, 0, 0, 0] = first[code]
        values[i, 1, 0, 0] = second[code]
    return make_cube(values, areas=list("ABC"), area_names=[f"Area {c}" for c in "ABC"], years=[2020, 2021],
                     ages=[0, 1], open_top_age=1)


def shown(x: float, to: str = "0.1") -> float:
    """Half away from zero, worked in decimal from the number's shortest repr."""
    return float(Decimal(repr(float(x))).quantize(Decimal(to), rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------------------- totals over a subset

@pytest.mark.unit
def test_total_is_the_sum_of_the_rows_shown_not_of_every_area():
    pop = three_areas({"A": 400, "B": 5000, "C": 1000}, {"A": 409, "B": 7000, "C": 1014})
    res = forecast.project(pop, everyone(), ages="All ages")
    t = forecast.table(res, years=[2020, 2021], change=(2020, 2021), areas=["C", "A"])
    assert list(t.values.index.get_level_values(1)) == ["Area C", "Area A", "Total"]
    assert t.values.loc[(BLOCK, "Total"), "2020"] == 1400  # A + C, not 6,400
    assert t.values.loc[(BLOCK, "Total"), "2021"] == 1423
    assert t.values.loc[(BLOCK, "Total"), "Change 2020 to 2021"] == pytest.approx(100 * 23 / 1400)
    assert t.data.loc[(BLOCK, "Total"), "Change 2020 to 2021"] == 1.6  # 1.642857…
    csv = pd.read_csv(io.StringIO(t.to_csv()), dtype={"area_code": str})
    assert csv.loc[csv.area_name == "Total", "2021"].item() == 1423
    assert list(csv.area_code.fillna("")) == ["C", "A", ""]


@pytest.mark.unit
def test_total_over_a_subset_with_draws_is_summed_within_each_draw():
    pop = tiny_cube(areas=("X01", "X02", "X03"), years=(2020, 2021))  # X02 and X03: 20, then 30 per cell
    pop = pop.copy(data=pop.values * 100)
    rs = forecast.RateSet.from_dict({"schema": "forecast.rate-set/1", "id": "iv", "measure": "thing", "label": "Thing",
                                     "source": {"citation": "t"},
                                     "rates": {"unit": "percent", "bands": ["0+"], "male": [20], "female": [40]},
                                     "intervals": {"male": [[5, 45]], "female": [[20, 70]]}})
    res = forecast.simulate(pop, rs, draws=31, seed=2, ages="All ages")
    t = forecast.table(res, years=[2021], areas=["X01", "X03"])
    d = res["thing"].sum(["sex", "age_band"]).sel(year=2021)
    x = d.sel(area="X01").values + d.sel(area="X03").values
    assert t.values.loc[("Thing", "Total"), "2021"] == pytest.approx(np.quantile(x, 0.5), rel=1e-12)
    assert t.low.loc[("Thing", "Total"), "2021"] == pytest.approx(np.quantile(x, 0.025), rel=1e-12)
    everything = d.sum("area").values
    assert t.values.loc[("Thing", "Total"), "2021"] != pytest.approx(np.quantile(everything, 0.5), rel=1e-3)


@pytest.mark.unit
def test_compare_totals_only_the_areas_asked_for():
    pop = three_areas({"A": 100, "B": 1000, "C": 10}, {"A": 110, "B": 1100, "C": 11})
    one = forecast.project(pop, everyone(), ages="All ages")
    two = forecast.project(pop.copy(data=pop.values * 2), everyone(), ages="All ages")
    t = forecast.compare({"low": one, "high": two}, years=[2021], areas=["A", "C"])
    assert t.values.loc[(BLOCK, "Total"), "2021 low"] == 121
    assert t.values.loc[(BLOCK, "Total"), "2021 high"] == 242
    assert t.values.loc[(BLOCK, "Total"), "2021 difference"] == pytest.approx(100.0)


@pytest.mark.integration
def test_shipped_total_over_two_of_ten_areas(ons_long):
    res = forecast.project(None, "depression_15pct", ages="65+", years=[2030])  # all 10 areas
    assert res.sizes["area"] == 10
    t = forecast.table(res, years=[2030], areas=["Rutland", "Leicester"])
    d = ons_long[ons_long.area_code.isin([LEICESTER, RUTLAND]) & (ons_long.year == 2030) & (ons_long.age >= 65)]
    total = t.values.xs("Total", level=1)["2030"].item()
    assert total == pytest.approx(0.15 * d.population.sum(), rel=1e-12)


# ---------------------------------------------------------------------------- percentage changes to 0.1

@pytest.mark.unit
@pytest.mark.parametrize("v0, v1, pct, text", [
    (400, 409, 2.25, "+2.3%"),       # an exact binary half: away from zero
    (400, 391, -2.25, "-2.3%"),
    (800, 802, 0.25, "+0.3%"),
    (300, 301, 100 / 300, "+0.3%"),  # 0.333…
    (300, 302, 200 / 300, "+0.7%"),  # 0.666…
    (1000, 1000.4, 0.04, "0.0%"),     # rounds to nothing: no sign
    (1000, 999.6, -0.04, "0.0%"),     # never "-0.0%"
    (7, 6, -100 / 7, "-14.3%"),       # −14.2857…
])
def test_percentage_changes_are_shown_to_one_decimal_half_away_from_zero(v0, v1, pct, text):
    pop = three_areas({"A": v0, "B": 1, "C": 1}, {"A": v1, "B": 1, "C": 1})
    t = forecast.table(forecast.project(pop, everyone(), ages="All ages"), years=[2020, 2021], change=(2020, 2021),
                       areas=["A"], totals=False)
    col = "Change 2020 to 2021"
    assert t.values.loc[(BLOCK, "Area A"), col] == pytest.approx(pct, rel=1e-12)
    assert t.data.loc[(BLOCK, "Area A"), col] == shown(pct)
    line = next(ln for ln in t.to_markdown().splitlines() if ln.startswith("| Area A |"))
    assert line.rstrip(" |").endswith(text)
    csv = pd.read_csv(io.StringIO(t.to_csv()))
    assert csv[f"{col} (%)"].item() == shown(pct)


@pytest.mark.unit
@pytest.mark.parametrize("v0, v1, text", [(1000, 1014.5, "+1.5%"), (1000, 1001.5, "+0.2%"), (1000, 996.5, "-0.4%")])
def test_decimal_halves_of_a_percentage_round_away_from_zero(v0, v1, text):
    pop = three_areas({"A": v0, "B": 1, "C": 1}, {"A": v1, "B": 1, "C": 1})
    t = forecast.table(forecast.project(pop, everyone(), ages="All ages"), years=[2020, 2021], change=(2020, 2021),
                       areas=["A"], totals=False)
    line = next(ln for ln in t.to_markdown().splitlines() if ln.startswith("| Area A |"))
    assert line.rstrip(" |").endswith(text)


@pytest.mark.unit
def test_counts_round_half_away_from_zero_to_round_to():
    pop = three_areas({"A": 2.5, "B": 25, "C": 1014.5}, {"A": 3.5, "B": 35, "C": 1015.5})
    res = forecast.project(pop, everyone(), ages="All ages")
    t = forecast.table(res, years=[2020, 2021], totals=False)
    assert list(t.data["2020"]) == [3, 25, 1015] and list(t.data["2021"]) == [4, 35, 1016]
    t10 = forecast.table(res, years=[2020, 2021], totals=False, round_to=10)
    assert list(t10.data["2020"]) == [0, 30, 1010] and list(t10.data["2021"]) == [0, 40, 1020]


# ---------------------------------------------------------------------------- trajectories from the latest observation

def expected_2020_2023():
    """X02: 20, 30, 40, 50 people per age and sex in 2020-2023; 50% at ages 3+ → expected
    3 ages × 2 sexes × n × 0.5 = 60, 90, 120, 150.  X01: 10 throughout → 30."""
    values = np.zeros((2, 4, 2, 6))
    values[0] = 10.0
    for j, n in enumerate((20.0, 30.0, 40.0, 50.0)):
        values[1, j] = n
    rs = forecast.RateSet.from_dict({"schema": "forecast.rate-set/1", "id": "half", "measure": "thing",
                                     "source": {"citation": "t"}, "rates": {"unit": "percent", "bands": ["0-2", "3+"],
                                                                           "persons": [0, 50]}})
    return forecast.project(tiny_cube(values, years=(2020, 2021, 2022, 2023)), {"expected": rs}, ages="All ages")


def observed(tmp_path, rows):
    p = tmp_path / "obs.csv"
    p.write_text("area,period,measure,count\n" + "\n".join(rows) + "\n")
    return forecast.read_observed(p)


IND = Indicator("register", "expected", "Diagnosis rate", target=0.9, target_by="2023")


@pytest.mark.unit
def test_trajectory_starts_from_the_latest_of_several_observations(tmp_path):
    """X02 observed: 2021 (63 / 90 = 0.7) — the latest in time although not the last row nor the
    largest label ('2021-03' sorts after '2021'); 2021-03 (March 2021, before mid-2021), 2020/21
    and 2020 are earlier.  From 0.7 at mid-2021 to 0.9 at mid-2023 in a straight line:
    2022: 0.8 × 120 = 96; 2023: 0.9 × 150 = 135 (135 − 63 = 72 more than the latest)."""
    obs = observed(tmp_path, ["X02,2020/21,register,40", "X02,2021,register,63", "X02,2021-03,register,70",
                              "X02,2020,register,30", "X01,2022,register,27", "X01,2020,register,3"])
    exp = expected_2020_2023()
    ratios = forecast.observed_vs_expected(obs, exp, [IND])
    t = forecast.trajectory(ratios, exp, IND).set_index(["area_code", "period"])
    x02 = t.loc["X02"]
    assert list(x02.index) == ["2022", "2023"]
    assert (x02["latest_period"] == "2021").all() and (x02["latest_observed"] == 63).all()
    assert x02.loc["2022", "target_path"] == pytest.approx(0.8)
    assert x02.loc["2022", "needed"] == pytest.approx(96.0)
    assert x02.loc["2023", "needed"] == pytest.approx(135.0)
    assert x02.loc["2023", "change_from_latest"] == pytest.approx(72.0)
    # X01 has its own latest: 2022 (27 / 30 = 0.9): only 2023 is left, at the target
    x01 = t.loc["X01"]
    assert list(x01.index) == ["2023"] and x01.loc["2023", "latest_ratio"] == pytest.approx(0.9)
    assert x01.loc["2023", "needed"] == pytest.approx(0.9 * 30)
    # the latest is found by time, whatever the order of the ratios' rows
    for reordered in (ratios.iloc[::-1], ratios.sort_values("period"), ratios.sample(frac=1, random_state=3)):
        again = forecast.trajectory(reordered.reset_index(drop=True), exp, IND).set_index(["area_code", "period"])
        assert again.loc[("X02", "2023"), "latest_period"] == "2021"
        assert again.loc[("X02", "2022"), "needed"] == pytest.approx(96.0)
        assert again.loc[("X01", "2023"), "latest_period"] == "2022"


# ---------------------------------------------------------------------------- month weights, strategy ends

def month_weights_by_hand(year: int, month: int) -> dict[int, float]:
    """A month's midpoint is (month − 0.5)/12 into its year; mid-year Y is at Y + 6/12.
    Interpolate linearly between the mid-years either side of the midpoint."""
    t = year + (month - 0.5) / 12 - 0.5  # in "mid-year" units: mid-Y sits at Y
    lower = int(np.floor(t))
    up = t - lower
    return {k: v for k, v in {lower: 1 - up, lower + 1: up}.items() if v > 0}


@pytest.mark.unit
def test_june_month_weights():
    w = period_weights("2024-06")
    assert set(w) == {2023, 2024}
    assert w[2023] == pytest.approx(0.5 / 12) and w[2024] == pytest.approx(11.5 / 12)
    w = period_weights("2024-07")
    assert w[2024] == pytest.approx(11.5 / 12) and w[2025] == pytest.approx(0.5 / 12)


@pytest.mark.unit
@pytest.mark.parametrize("month", range(1, 13))
def test_every_months_weights_by_hand(month):
    got = period_weights(f"2024-{month:02d}")
    want = month_weights_by_hand(2024, month)
    assert set(got) == set(want)
    for y, w in want.items():
        assert got[y] == pytest.approx(w, abs=1e-12)
    assert sum(got.values()) == pytest.approx(1.0)


@pytest.mark.unit
def test_june_observation_uses_june_weights(tmp_path):
    """X02 June 2021: 0.5/12 × 60 + 11.5/12 × 90 = 88.75; July 2021: 11.5/12 × 90 + 0.5/12 × 120 = 91.25."""
    obs = observed(tmp_path, ["X02,2021-06,register,71", "X02,2021-07,register,73"])
    r = forecast.observed_vs_expected(obs, expected_2020_2023(), [IND]).set_index("period")
    assert r.loc["2021-06", "expected"] == pytest.approx(88.75)
    assert r.loc["2021-06", "ratio"] == pytest.approx(71 / 88.75)
    assert r.loc["2021-07", "expected"] == pytest.approx(91.25)


@pytest.mark.unit
@pytest.mark.parametrize("text, fy", [("April 2030", "2030/31"), ("1 April 2030", "2030/31"), ("2030-04", "2030/31"),
                                      ("March 2030", "2029/30"), ("31 March 2030", "2029/30"), ("2030-03", "2029/30"),
                                      ("December 2030", "2030/31"), ("January 2031", "2030/31")])
def test_strategy_end_month_gives_the_financial_year_it_falls_in(text, fy):
    """A financial year runs April-March: April 2030 opens 2030/31; March 2030 closes 2029/30."""
    assert strategy_end(text) == fy
    assert strategy_end_year(text) == int(fy[:4]) + 1  # the last mid-year that financial year needs


@pytest.mark.unit
def test_april_strategy_end_in_a_range_of_years():
    assert expand_periods({"from": "2028/29", "to": "April 2030"}) == ["2028/29", "2029/30", "2030/31"]
    assert expand_periods({"from": "2028/29", "to": "March 2030"}) == ["2028/29", "2029/30"]


@pytest.mark.integration
def test_spec_years_to_an_april_end_and_financial_year_values(tmp_path, ons_long):
    p = tmp_path / "spec.yaml"
    p.write_text("schema: forecast.table/1\nareas: [Rutland]\nmeasures: [depression_15pct]\nages: 65+\n"
                 "years: {from: 2025/26, to: April 2027}\n")
    t = forecast.run_spec(p)
    assert list(t.values.columns) == ["2025/26", "2026/27", "2027/28"]
    d = ons_long[(ons_long.area_code == RUTLAND) & (ons_long.age >= 65)].groupby("year").population.sum()
    assert t.values.loc[t.values.index[0], "2027/28"] == pytest.approx(0.15 * (0.75 * d[2027] + 0.25 * d[2028]), rel=1e-12)


# ---------------------------------------------------------------------------- side by side with draws

@pytest.mark.integration
def test_side_by_side_with_draws_shows_medians_intervals_and_draw_by_draw_differences():
    """Two scenarios from the same draws: each cell is the median and 95% interval of that
    scenario's draws, and the difference column summarises the per-draw percentage
    differences (numpy on the draws, in the test)."""
    kw = dict(draws=400, seed=3, areas=[LEICESTER], years=[2035])
    a = forecast.simulate(None, "cfas_ii_2013", **kw)
    b = forecast.simulate(None, "cfas_ii_2013", scenario="ahmadi_abhari_2017_prevalence", **kw)
    t = forecast.compare({"constant": a, "trend": b}, years=[2035], round_to=1, totals=False)
    cells = [x["dementia"].sel(area=LEICESTER, year=2035) for x in (a, b)]
    da, db = (c.sum([d for d in c.dims if d != "draw"]).values for c in cells)  # per draw, all ages and sexes
    assert da.shape == (400,)
    row = t.values.index[0]
    assert t.values.loc[row, "2035 constant"] == pytest.approx(np.median(da), rel=1e-12)
    assert t.low.loc[row, "2035 trend"] == pytest.approx(np.quantile(db, 0.025), rel=1e-12)
    assert t.high.loc[row, "2035 trend"] == pytest.approx(np.quantile(db, 0.975), rel=1e-12)
    pct = 100 * (db - da) / da
    assert t.values.loc[row, "2035 difference"] == pytest.approx(np.median(pct), rel=1e-9)
    assert t.low.loc[row, "2035 difference"] == pytest.approx(np.quantile(pct, 0.025), rel=1e-9)
    assert any(n.startswith("Uncertainty: each cell is the median of 400 draws") for n in t.notes)


@pytest.mark.integration
def test_per_100_rows_under_a_variant_divide_by_the_variant_population():
    """Depression is 15% of people 65+: its per-100 rows read 15.0 under any population variant."""
    from conftest import forecast_cli, EXAMPLES_DIR

    r = forecast_cli("table", EXAMPLES_DIR / "llr_table1.yaml", "--compare-with", "england", "--variant",
                     "high_migration")
    assert r.returncode == 0, r.stderr
    block = r.stdout.split("**Depression per 100 people in the age group**", 1)[1].split("\n\n", 1)[0]
    rows = [line.split("|")[2:6] for line in block.strip().splitlines()[1:] if line.startswith("|")]
    assert len(rows) == 5  # three areas, the total and England
    assert {c.strip(" *") for row in rows for c in row} == {"15.0"}
    assert "England's row: ONS 2022-based national population projections for England, principal projection" in r.stdout
