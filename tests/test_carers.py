"""Carers and carers' assessments: census rates from counts, derived measures (funnels),
calibration, financial years, historical populations, and the bad inputs of issue 4."""

import math

import numpy as np
import pytest
import yaml

import forecast
from forecast.assumptions import load_derived
from forecast.model import apply_derived
from forecast.errors import AssumptionError, InputError, SpecError
from forecast.periods import expand_periods, strategy_end
from forecast.population import combine_populations, default_history
from forecast.population import read_mye

from conftest import EXAMPLES_DIR, LEICESTER, tiny_cube

pytestmark = pytest.mark.integration


def counts_rate_set(**over):
    d = {
        "schema": "forecast.rate-set/1", "id": "tiny_carers", "measure": "carers", "label": "Carers",
        "source": {"citation": "hand-made counts"},
        "counts": {"bands": ["0-2", "3+"],
                   "male": {"cases": [0, 10], "population": [100, 50]},
                   "female": {"cases": [5, 20], "population": [100, 40]}},
        "intervals": {"method": "wilson"},
    }
    d.update(over)
    return forecast.RateSet.from_dict(d)


# ---------------------------------------------------------------------------- rates from counts

def test_carers_on_a_tiny_population_by_hand(tiny_pop):
    # rates: male 0-2 0/100 = 0, 3+ 10/50 = 0.2; female 0-2 5/100 = 0.05, 3+ 20/40 = 0.5
    # X01 has 10 people at each age 0..5 (5 = 5+), each sex:
    #   male   3 ages × 10 × 0    + 3 ages × 10 × 0.2 = 6
    #   female 3 ages × 10 × 0.05 + 3 ages × 10 × 0.5 = 1.5 + 15 = 16.5
    res = forecast.project(tiny_pop, counts_rate_set(), bands=["0-2", "3+"])["carers"].sel(area="X01", year=2020)
    assert res.sel(sex="male", age_band="3+").item() == pytest.approx(6.0)
    assert res.sel(sex="female", age_band="0-2").item() == pytest.approx(1.5)
    assert res.sel(sex="female").sum().item() == pytest.approx(16.5)


def _wilson(k, n, z=1.959963984540054):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_binomial_intervals_from_counts_match_the_wilson_formula():
    rs = counts_rate_set()
    lo, hi = _wilson(20, 40)
    assert tuple(rs.intervals["female"][1]) == pytest.approx((lo, hi), rel=1e-9)
    assert rs.rates["female"][1] == 0.5 and rs.interval_method == "wilson"


def test_census_2021_rates_are_carers_over_population():
    rs = forecast.get_rate_set("census2021_unpaid_care")
    i = [b.label for b in rs.bands].index("85+")
    # Census 2021, England and Wales, males 85+: 60,329 carers of 543,006 residents
    assert rs.rates["male"][i] == pytest.approx(60_329 / 543_006)
    lo, hi = _wilson(60_329, 543_006)
    assert tuple(rs.intervals["male"][i]) == pytest.approx((lo, hi), rel=1e-9)
    # females 55-59: 409,921 of 2,050,761 (19.99%, the female peak the ONS article reports)
    j = [b.label for b in rs.bands].index("55-59")
    assert rs.rates["female"][j] == pytest.approx(0.19989, abs=1e-5)


def test_young_carers_5_17_from_2011_bands(ons_long):
    """Census 2011 bands give 5-17 exactly: 5-7, 8-9, 10-14, 15, 16-17."""
    rates = {range(5, 8): 9_985 / 1_926_103, range(8, 10): 12_148 / 1_207_090, range(10, 15): 72_266 / 3_233_061,
             range(15, 16): 23_848 / 677_671, range(16, 18): 59_671 / 1_358_632}
    d = ons_long[(ons_long.area_code == LEICESTER) & (ons_long.year == 2030)]
    expected = sum(d[d.age.isin(list(r))].population.sum() * rate for r, rate in rates.items())
    res = forecast.project(None, {"young_carers": "census2011_unpaid_care"}, ages="5-17", areas=LEICESTER, years=[2030])
    assert res["young_carers"].sum().item() == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    "counts, match",
    [
        ({"bands": ["0+"], "persons": {"cases": [11], "population": [10]}}, "11 cases out of a population of 10"),
        ({"bands": ["0+"], "persons": {"cases": [-1], "population": [10]}}, "whole number of cases"),
        ({"bands": ["0+"], "persons": {"cases": [1.5], "population": [10]}}, "whole number of cases"),
        ({"bands": ["0+"], "persons": {"cases": [1], "population": [0]}}, "positive whole number"),
        ({"bands": ["0-4", "3+"], "persons": {"cases": [1, 1], "population": [10, 10]}}, "overlap"),
    ],
)
def test_bad_counts(counts, match):
    with pytest.raises(AssumptionError, match=match):
        counts_rate_set(counts=counts, intervals={"method": "wilson"})


# ---------------------------------------------------------------------------- derived measures

def _derived(tmp_path, measures, name="funnel", **top):
    p = tmp_path / f"{name}.yaml"
    p.write_text(yaml.safe_dump({"schema": "forecast.derived-measures/1", "id": name,
                                 "source": {"citation": "test"}, "measures": measures, **top}))
    return p


def _tiny_result(tiny_pop):
    return forecast.project(tiny_pop, counts_rate_set(), ages="All ages", areas=["X01"])


def test_share_and_multiplier_by_hand(tmp_path, tiny_pop):
    res = _tiny_result(tiny_pop)  # X01 carers: 6 + 16.5 = 22.5 in each year
    p = _derived(tmp_path, {
        "needing": {"from": "carers", "share": {"numerator": 16000, "denominator": 30000}, "source": "s"},
        "doubled": {"from": "needing", "multiplier": 2, "source": "s"},
    })
    out = apply_derived(res, p)
    assert out["needing"].sel(year=2020).sum().item() == pytest.approx(22.5 * 16000 / 30000)
    assert out["doubled"].sel(year=2021).sum().item() == pytest.approx(2 * 22.5 * 16000 / 30000)


def test_derived_units_default_to_people_and_are_kept(tmp_path, tiny_pop):
    p = _derived(tmp_path, {
        "needing": {"from": "carers", "share": 0.5, "source": "s"},
        "assessed": {"from": "needing", "multiplier": 0.1, "source": "s", "units": "completed  assessments"},
    })
    out = apply_derived(_tiny_result(tiny_pop), p)
    assert out["needing"].attrs["units"] == "persons"
    assert out["assessed"].attrs["units"] == "completed assessments"  # white space folded
    assert out["assessed"].sel(year=2020).sum().item() == pytest.approx(22.5 * 0.5 * 0.1)


def test_calibration_against_modelled_financial_year_is_exact(tmp_path):
    pop = tiny_cube(areas=("X01",), years=(2020, 2021))
    pop = pop.copy(data=pop.values * np.array([1.0, 1.2])[None, :, None, None])  # 20% more people in 2021
    res = forecast.project(pop, counts_rate_set(), ages="All ages")
    p = _derived(tmp_path, {"assessments": {"from": "carers", "calibrate": {"observed": 100, "period": "2020/21"}, "source": "s"}},
                 area="X01")
    out = forecast.to_financial_years(apply_derived(res, p), ["2020/21"])
    assert out["assessments"].sum().item() == pytest.approx(100.0, rel=1e-12)  # the observed count, exactly
    # later years scale with the carers: factor = 100 / (0.75 × 22.5 + 0.25 × 27) = 100 / 23.625
    mid = apply_derived(res, p)
    assert mid["assessments"].sel(year=2021).sum().item() == pytest.approx(27 * 100 / 23.625)


def test_calibration_against_observed_base_count(tmp_path, tiny_pop):
    res = _tiny_result(tiny_pop)
    p = _derived(tmp_path, {"assessments": {"from": "carers", "source": "s",
                                            "calibrate": {"observed": 1972, "period": "2013/14", "against_observed": 30000}}})
    out = apply_derived(res, p)
    assert out["assessments"].attrs["factor"] == pytest.approx(1972 / 30000)
    assert out["assessments"].attrs["factor"] * 30000 == pytest.approx(1972)  # the base count maps to the observed count
    assert "1,972 observed" in out["assessments"].attrs["derivation"]


def test_scenario_step(tmp_path):
    pop = tiny_cube(areas=("X01",), years=(2014, 2015, 2016))
    res = forecast.project(pop, counts_rate_set(), ages="All ages")
    p = _derived(tmp_path, {"a": {"from": "carers", "multiplier": 0.1, "source": "s",
                                  "scenario": [{"from": "2015/16", "multiply": {"numerator": 4000, "denominator": 1972}}]}})
    out = apply_derived(res, p)["a"].sum(["area", "sex", "age_band"])
    assert out.sel(year=2014).item() == pytest.approx(2.25)
    assert out.sel(year=2015).item() == pytest.approx(2.25 * 4000 / 1972)
    fy = forecast.to_financial_years(apply_derived(res, p), ["2015/16"])["a"].sum().item()
    assert fy == pytest.approx(2.25 * 4000 / 1972)  # the step applies in full from 2015/16


def test_financial_year_values_interpolate_mid_years():
    res = forecast.project(None, {"unpaid_carers": "census2021_unpaid_care"}, ages="All ages", areas=LEICESTER)
    fy = forecast.to_financial_years(res, ["2025/26"])["unpaid_carers"].sum().item()
    mid = res["unpaid_carers"].sum(["area", "sex", "age_band"])
    assert fy == pytest.approx(0.75 * mid.sel(year=2025).item() + 0.25 * mid.sel(year=2026).item(), rel=1e-12)


@pytest.mark.parametrize(
    "measures, match",
    [
        ({"a": {"from": "carers", "share": 1.5, "source": "s"}}, "share 1.5 is outside 0-1"),
        ({"a": {"from": "carers", "share": {"numerator": 40000, "denominator": 30000}, "source": "s"}}, "outside 0-1"),
        ({"a": {"from": "carers", "share": 0.5}}, "measures.a.source: missing"),
        ({"a": {"from": "carers", "share": 0.5, "multiplier": 2, "source": "s"}}, "exactly one of share"),
        ({"a": {"from": "carers", "calibrate": {"observed": 1, "period": "2013-14"}, "source": "s"}}, "'2013-14' is not a year"),
        ({"a": {"from": "carers", "calibrate": {"observed": 1, "period": "2013/15"}, "source": "s"}}, "not consecutive"),
        ({"a": {"from": "carers", "share": 0.5, "source": "s", "units": ["assessments"]}}, "measures.a.units"),
        ({"a": {"from": "carers", "share": 0.5, "source": "s", "units": " "}}, "measures.a.units"),
    ],
)
def test_bad_derived_files(tmp_path, measures, match):
    with pytest.raises(AssumptionError, match=match):
        load_derived(_derived(tmp_path, measures))


def test_unknown_measure_and_cycle(tmp_path, tiny_pop):
    res = _tiny_result(tiny_pop)
    p = _derived(tmp_path, {"a": {"from": "nosuch", "share": 0.5, "source": "s"}})
    with pytest.raises(AssumptionError, match="measures.a.from: unknown measure 'nosuch'"):
        apply_derived(res, p)
    p = _derived(tmp_path, {"a": {"from": "b", "share": 0.5, "source": "s"}, "b": {"from": "a", "share": 0.5, "source": "s"}})
    with pytest.raises(AssumptionError, match="cycle among derived measures: a → b → a"):
        apply_derived(res, p)


def test_calibration_year_without_population_says_so(tmp_path, tiny_pop):
    res = _tiny_result(tiny_pop)
    p = _derived(tmp_path, {"a": {"from": "carers", "calibrate": {"observed": 1972, "period": "2013/14"}, "source": "s"}},
                 area="X01")
    with pytest.raises(SpecError, match="no population covers 2013/14 \\(needs mid-2013 and mid-2014; the population has 2020-2021\\)"
                                        ": give an observed base count instead"):
        apply_derived(res, p)


# ---------------------------------------------------------------------------- periods

def test_strategy_end_selects_the_last_financial_year():
    assert strategy_end("March 2030") == "2029/30"
    assert strategy_end("31 March 2019") == "2018/19"
    assert expand_periods({"from": "2022/23", "to": "March 2025"}) == ["2022/23", "2023/24", "2024/25"]


@pytest.mark.parametrize("value, match", [
    ({"from": "2031/32", "to": "March 2030"}, "before the start"),
    ("2030-2025", "before the start"),
    ({"from": "2025/27", "to": "March 2030"}, "not consecutive"),
    ({"from": "2025-26", "to": "March 2030"}, "cannot read"),
])
def test_bad_periods(value, match):
    with pytest.raises(SpecError, match=match):
        expand_periods(value)


# ---------------------------------------------------------------------------- historical populations

def test_shipped_mye_totals():
    h = default_history()
    # totals from the shared data SOURCES.md: Leicester 329,627 (2011) and 355,218 (2018); Rutland 39,697 (2018)
    assert h.sel(area=LEICESTER, year=2011).sum().item() == 329_627
    assert h.sel(area=LEICESTER, year=2018).sum().item() == 355_218
    assert h.sel(area="E06000017", year=2018).sum().item() == 39_697


def test_nomis_and_myeb1_layouts(tmp_path):
    rows = ["GEOGRAPHY_CODE,GEOGRAPHY_NAME,GENDER,C_AGE,OBS_VALUE,DATE"]
    rows += [f"X01,Xshire,{g},{101 + a},{a + 1},2018" for g in (1, 2) for a in range(91)]
    p = tmp_path / "nomis.csv"
    p.write_text("\n".join(rows) + "\n")
    cube = read_mye(p)
    # ages 0..90 hold 1..91 people: 91 × 92 / 2 = 4,186 per sex
    assert cube.sum().item() == 2 * 4186 and cube.attrs["open_top_age"] == 90
    rows = ["ladcode18,laname18,country,sex,age,population_2016,population_2017"]
    rows += [f"X01,Xshire,E,{g},{a},10,20" for g in (1, 2) for a in range(91)]
    p = tmp_path / "myeb1.csv"
    p.write_text("\n".join(rows) + "\n")
    cube = read_mye(p)
    assert list(cube.year.values) == [2016, 2017]
    assert cube.sel(year=2017).sum().item() == 2 * 91 * 20


def test_bad_mye(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("GEOGRAPHY_CODE,GENDER,C_AGE,OBS_VALUE,DATE\nX01,3,101,5,2018\n")
    with pytest.raises(InputError, match="line 2: GENDER: '3' is not 1 \\(male\\) or 2 \\(female\\)"):
        read_mye(p)
    p.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="not a mid-year estimates layout"):
        read_mye(p)


def test_combine_populations(default_pop):
    """Estimates for every district joined to the projection for ten areas: the ten areas."""
    both = combine_populations([default_history(), default_pop])
    assert [2011, 2018, 2022] == list(both.year.values[:3])
    assert list(both.area.values) == list(default_pop.area.values)
    np.testing.assert_array_equal(both.sel(year=2011).values, default_history().sel(area=list(default_pop.area.values), year=2011).values)
    with pytest.raises(SpecError, match="year 2022 is in two"):
        combine_populations([default_pop, default_pop])
    with pytest.raises(SpecError, match="different areas: one lacks E06000016"):
        combine_populations([default_history().sel(area=["E06000016", "E06000017"]), default_pop.sel(area=["E06000017", "E07000129"])])


# ---------------------------------------------------------------------------- the Leicester example

def test_leicester_carers_example(ons_long):
    t = forecast.run_spec(EXAMPLES_DIR / "leicester_carers.yaml")
    assert list(t.data.columns)[:2] == ["2022/23", "2023/24"] and t.data.columns[-2] == "2029/30"
    v = t.values
    carers = v.loc[("Unpaid carers (all ages)", "Leicester")]
    assess = v.loc[("Completed carers' assessments in the year", "Leicester")]
    # assessments = carers × 1,972 / 30,000 × (4,000 / 1,972) after the Care Act step = carers × 4,000 / 30,000
    assert assess["2025/26"] == pytest.approx(carers["2025/26"] * 4000 / 30000)
    needing = v.loc[("Carers who could require some support", "Leicester")]
    assert needing["2029/30"] == pytest.approx(carers["2029/30"] * 16000 / 30000)
    notes = " ".join(t.notes)
    assert "1,972 observed" in notes and "249 observed" in notes and "0.75 × mid-year" in notes


def test_young_carers_known_equal_249_in_2011():
    pop = combine_populations([default_history(), forecast.default_population()])
    res = forecast.project(pop, {"young_carers": "census2011_unpaid_care"}, ages="5-17", areas=LEICESTER)
    out = apply_derived(res, "leicester_carers_2015", only=["young_carers_known"])
    assert out["young_carers_known"].sel(year=2011).sum().item() == pytest.approx(249.0, rel=1e-12)
