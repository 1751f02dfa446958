"""Projection: demand = population × rate, worked by hand on a tiny cube and recomputed
from the ONS files with plain pandas; hypothesis properties for the invariants."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import forecast
from forecast.assumptions import RateSet
from forecast.errors import AssumptionError, SpecError

from conftest import LEICESTER, tiny_cube, tiny_rate_dict

pytestmark = pytest.mark.integration


def test_tiny_by_hand(tiny_pop, tiny_rates):
    # X01: 10 people at every age. Ages 3-4: male 10%, female 30%; 5+: male 20%, female 40%.
    # male:   2 ages × 10 × 0.10 + 10 × 0.20 = 2 + 2 = 4
    # female: 2 ages × 10 × 0.30 + 10 × 0.40 = 6 + 4 = 10
    res = forecast.project(tiny_pop, tiny_rates, ages="3+")
    assert res["thing"].sel(area="X01", year=2020, sex="male").item() == pytest.approx(4.0)
    assert res["thing"].sel(area="X01", year=2020, sex="female").item() == pytest.approx(10.0)
    # X02 in 2021 has 30 per cell: three times X01 → 12 and 30
    assert res["thing"].sel(area="X02", year=2021).sum().item() == pytest.approx(42.0)


def test_tiny_single_ages_zero_outside_coverage(tiny_pop, tiny_rates):
    res = forecast.project(tiny_pop, tiny_rates)
    assert res["thing"].dims == ("area", "year", "sex", "age")
    assert (res["thing"].sel(age=[0, 1, 2]) == 0).all()
    assert res["thing"].sel(area="X01", year=2020, sex="female", age=4).item() == pytest.approx(3.0)


def test_tiny_bands_by_hand(tiny_pop, tiny_rates):
    res = forecast.project(tiny_pop, tiny_rates, bands=["3-4", "5+"])
    v = res["thing"].sel(area="X01", year=2020)
    assert v.sel(sex="male", age_band="3-4").item() == pytest.approx(2.0)
    assert v.sel(sex="female", age_band="5+").item() == pytest.approx(4.0)


def test_band_outside_rate_set_is_an_error_not_zero(tiny_pop, tiny_rates):
    with pytest.raises(SpecError, match="covers ages 3\\+; the requested band 0-2 lies outside it"):
        forecast.project(tiny_pop, tiny_rates, bands=["0-2", "3+"])
    with pytest.raises(SpecError, match="requested band 18-64 lies outside"):
        forecast.project(None, "dementia_uk_2014", bands=["18-64"], areas="Leicester")


def test_bands_must_lie_within_ages(tiny_pop, tiny_rates):
    with pytest.raises(SpecError, match="band 3-4 lies outside the requested ages 4\\+"):
        forecast.project(tiny_pop, tiny_rates, ages="4+", bands=["3-4"])


def test_split_open_top_only_fails_when_needed(default_pop):
    d = tiny_rate_dict(id="split", rates={"unit": "percent", "bands": ["65-89", "90-94", "95+"], "male": [1, 2, 3], "female": [1, 2, 3]})
    rs = RateSet.from_dict(d)
    res = forecast.project(default_pop, rs, bands=["65-89"], areas="Leicester", years=[2030])
    assert res["thing"].sum().item() > 0
    with pytest.raises(AssumptionError, match="splits the population's open top age group 90\\+"):
        forecast.project(default_pop, rs, ages="65+", areas="Leicester", years=[2030])


def test_cfas_ii_leicester_2030_by_band_from_ons_file(ons_long):
    """Issue check: each band = Σ population × rate over its single ages, per sex,
    with the CFAS II rates typed from the shared data (Matthews et al. 2013)."""
    cfas = {  # band: (lo, hi, male, female)
        "65-69": (65, 69, 0.012, 0.018), "70-74": (70, 74, 0.030, 0.025), "75-79": (75, 79, 0.052, 0.062),
        "80-84": (80, 84, 0.106, 0.095), "85-89": (85, 89, 0.128, 0.181), "90+": (90, 90, 0.171, 0.350),
    }
    res = forecast.project(None, "cfas_ii_2013", bands=list(cfas), areas=LEICESTER, years=[2030])
    d = ons_long[(ons_long.area_code == LEICESTER) & (ons_long.year == 2030)]
    for band, (lo, hi, m, f) in cfas.items():
        for sex, rate in (("male", m), ("female", f)):
            pop = d[(d.sex == sex) & d.age.between(lo, hi)].population.sum()
            got = res["dementia"].sel(area=LEICESTER, year=2030, sex=sex, age_band=band).item()
            assert got == pytest.approx(pop * rate, rel=1e-12)


def test_depression_15pct_of_65_plus_from_ons_file(ons_long):
    res = forecast.project(None, "depression_15pct", ages="65+", areas=LEICESTER, years=[2030])
    d = ons_long[(ons_long.area_code == LEICESTER) & (ons_long.year == 2030) & (ons_long.age >= 65)]
    assert res["depression"].sum().item() == pytest.approx(0.15 * d.population.sum(), rel=1e-12)


def test_dementia_uk_2007_90_plus_is_poppi_weighted(ons_long):
    """The 90+ group gets POPPI's rate: 90-94 and 95+ weighted by England mid-2013 (ONS)."""
    res = forecast.project(None, "dementia_uk_2007", bands=["90+"], areas=LEICESTER, years=[2025])
    d = ons_long[(ons_long.area_code == LEICESTER) & (ons_long.year == 2025) & (ons_long.age == 90)]
    male = (0.277 * 109540 + 0.300 * 17790) / (109540 + 17790)
    female = (0.296 * 255400 + 0.344 * 67700) / (255400 + 67700)
    expected = male * d[d.sex == "male"].population.item() + female * d[d.sex == "female"].population.item()
    assert res["dementia"].sum().item() == pytest.approx(expected, rel=1e-12)
    assert "90-94, 95+ rates weighted" in res["dementia"].attrs["open_top_note"]


def test_early_onset_per_100000(ons_long):
    res = forecast.project(None, "dementia_uk_2007_early_onset", bands=["60-64"], areas=LEICESTER, years=[2030])
    d = ons_long[(ons_long.area_code == LEICESTER) & (ons_long.year == 2030) & ons_long.age.between(60, 64)]
    exp = 198.9e-5 * d[d.sex == "male"].population.sum() + 118.0e-5 * d[d.sex == "female"].population.sum()
    assert res["dementia_early_onset"].sum().item() == pytest.approx(exp, rel=1e-12)


def test_variable_names_and_provenance():
    res = forecast.project(None, ["dementia_uk_2007", "dementia_uk_2014", "depression_15pct"], ages="65+", areas="Rutland", years=[2030])
    assert set(res.data_vars) == {"dementia_uk_2007", "dementia_uk_2014", "depression"}
    assert "dementia_uk_2014 (sha256=" in res.attrs["rate_sets"]
    assert "snpp2022_migcat23_males.csv=" in res.attrs["population_sha256"]
    assert res.attrs["forecast_version"] == forecast.__version__
    assert res["depression"].attrs["citation"].startswith("Leicester, Leicestershire and Rutland")


def test_trend_scenario_by_hand(tiny_pop):
    # −10% a year from 2020: factor 1 in 2020, 0.9 in 2021
    rs = RateSet.from_dict(tiny_rate_dict(trend={"annual_change": -0.1, "from_year": 2020}))
    res = forecast.project(tiny_pop, rs, ages="3+")
    # X01 2021: (4 + 10) × 0.9 = 12.6
    assert res["thing"].sel(area="X01", year=2021).sum().item() == pytest.approx(12.6)
    assert res["thing"].sel(area="X01", year=2020).sum().item() == pytest.approx(14.0)


# ---------------------------------------------------------------------------- properties

TOP = 6
counts = hnp.arrays(np.float64, (2, 2, 2, TOP + 1), elements=st.floats(0, 1e6, allow_nan=False))
rates = st.lists(st.floats(0, 100, allow_nan=False), min_size=3, max_size=3)


def _cube(values):
    return tiny_cube(values, top=TOP, years=(2020, 2021), areas=("A", "B"))


def _rate_set(male, female):
    return RateSet.from_dict(
        tiny_rate_dict(rates={"unit": "percent", "bands": ["0-1", "2-4", "5+"], "male": male, "female": female})
    )


@settings(max_examples=60, deadline=None)
@given(values=counts, male=rates, female=rates)
def test_band_totals_add_to_all_ages_total(values, male, female):
    pop, rs = _cube(values), _rate_set(male, female)
    by_band = forecast.project(pop, rs, bands=["0-1", "2-4", "5+"])["thing"].sum("age_band")
    other_bands = forecast.project(pop, rs, bands=["0-3", "4-5", "6+"])["thing"].sum("age_band")
    all_ages = forecast.project(pop, rs, ages="All ages")["thing"].sum("age_band")
    single = forecast.project(pop, rs)["thing"].sum("age")
    np.testing.assert_allclose(by_band.values, all_ages.values, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(other_bands.values, all_ages.values, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(single.values, all_ages.values, rtol=1e-9, atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(values=counts, male=rates, female=rates, k=st.floats(0, 50, allow_nan=False))
def test_demand_is_linear_in_population(values, male, female, k):
    rs = _rate_set(male, female)
    base = forecast.project(_cube(values), rs, bands=["0-1", "2-4", "5+"])["thing"]
    scaled = forecast.project(_cube(values * k), rs, bands=["0-1", "2-4", "5+"])["thing"]
    np.testing.assert_allclose(scaled.values, k * base.values, rtol=1e-9, atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(a=counts, b=counts, male=rates, female=rates)
def test_demand_is_additive_in_population(a, b, male, female):
    rs = _rate_set(male, female)
    pa = forecast.project(_cube(a), rs)["thing"]
    pb = forecast.project(_cube(b), rs)["thing"]
    pab = forecast.project(_cube(a + b), rs)["thing"]
    np.testing.assert_allclose(pab.values, pa.values + pb.values, rtol=1e-9, atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(values=counts)
def test_zero_rate_gives_zero_demand(values):
    res = forecast.project(_cube(values), _rate_set([0, 0, 0], [0, 0, 0]), ages="All ages")
    assert (res["thing"].values == 0).all()
