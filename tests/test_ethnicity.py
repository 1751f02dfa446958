"""Ethnic mix: reading the three forms, mapping, splitting, relative risks in both modes,
the with/without table, and every bad input of issue 3."""

import warnings

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import forecast
from forecast.assumptions import RelativeRisks
from forecast.errors import AssumptionError, InputError, SpecError
from forecast.model import relative_risk_array
from forecast.population.ethnicity import AllAgeSharesWarning

from conftest import EXAMPLES_DIR, LEICESTER, tiny_cube, tiny_rate_dict

pytestmark = pytest.mark.integration

TABLE2 = EXAMPLES_DIR / "llr_ethnic_mix_2007.csv"


def _csv(tmp_path, text, name="mix.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


# ---------------------------------------------------------------------------- reading

def test_table2_all_age_shares():
    mix = forecast.read_ethnic_mix(TABLE2)
    assert mix.form == "all-age shares"
    assert mix.groups == ["White", "Mixed", "Indian", "Pakistani", "Bangladeshi", "Other Asian", "Black", "Chinese", "Other"]
    # Leicester's shares as printed add to 100.2%, and are rescaled to 1: White 63.8 / 100.2
    assert mix.shares.sel(area=LEICESTER, ethnicity="White").item() == pytest.approx(63.8 / 100.2)
    # "–" (Rutland, Bangladeshi) reads as nil
    assert mix.shares.sel(area="E06000017", ethnicity="Bangladeshi").item() == 0
    assert "Table 2" in mix.source


def test_groups_keep_the_files_order_and_values(tmp_path):
    # regression: labels must follow their values, whatever the alphabetical order
    p = _csv(tmp_path, "area_code,ethnic_group,count\nX01,Zeta,30\nX01,Alpha,10\nX02,Zeta,5\nX02,Alpha,15\n")
    mix = forecast.read_ethnic_mix(p)
    assert mix.groups == ["Zeta", "Alpha"] and mix.areas == ["X01", "X02"]
    assert mix.shares.sel(area="X01", ethnicity="Zeta").item() == 0.75
    assert mix.shares.sel(area="X02", ethnicity="Alpha").item() == 0.75


def test_census2021_counts_and_mapping():
    mix = forecast.get_ethnic_mix("census2021_ts021_llr")
    assert mix.form == "all-age counts" and len(mix.groups) == 19
    broad = mix.map_groups(forecast.load_mapping("census2021_to_broad5"))
    assert broad.groups == ["White", "Mixed", "Asian", "Black", "Other"]
    # Leicester, Census 2021 TS021: Asian = 7,055 + 2,481 + 126,421 + 11,347 + 12,673 = 159,977 of 368,571
    assert broad.shares.sel(area=LEICESTER, ethnicity="Asian").item() == pytest.approx(159_977 / 368_571)


def test_census2011_by_age_band():
    mix = forecast.get_ethnic_mix("census2011_white_by_age_llr")
    assert mix.by_age and mix.form == "counts by age band"
    # Leicester 85+: White 4,494 of 5,392 (Census 2011)
    assert mix.shares.sel(area=LEICESTER, age_band="85+", ethnicity="White").item() == pytest.approx(4494 / 5392)
    collapsed = mix.all_ages()
    # all ages: White 166,636 of 329,839
    assert collapsed.shares.sel(area=LEICESTER, ethnicity="White").item() == pytest.approx(166_636 / 329_839)


def test_shares_by_band_and_sex(tmp_path):
    rows = ["area_code,sex,age_band,ethnic_group,percent"]
    for sex, a in (("male", 20), ("female", 40)):
        rows += [f"X01,{sex},0-2,A,{a}", f"X01,{sex},0-2,B,{100 - a}", f"X01,{sex},3+,A,50", f"X01,{sex},3+,B,50"]
    mix = forecast.read_ethnic_mix(_csv(tmp_path, "\n".join(rows) + "\n"))
    assert mix.by_sex and mix.by_age
    pop = tiny_cube(areas=("X01",), years=(2020,), top=5, values=np.full((1, 1, 2, 6), 10.0))
    split = forecast.split_by_ethnicity(pop, mix)
    # ages 0-2: 10 people × 20% (male) / 40% (female) in group A
    assert split.sel(sex="male", age=1, ethnicity="A").item() == pytest.approx(2.0)
    assert split.sel(sex="female", age=2, ethnicity="A").item() == pytest.approx(4.0)
    assert split.sel(sex="female", age=5, ethnicity="B").item() == pytest.approx(5.0)


# ---------------------------------------------------------------------------- bad input

@pytest.mark.parametrize(
    "text, match",
    [
        ("area_code,ethnic_group,percent\nX01,A,60\nX01,B,30\n", "shares for area X01 add up to 90%, not 100%"),
        ("area_code,ethnic_group,share\nX01,A,0.6\nX01,B,0.3\n", "add up to 0.9, not 1"),
        ("area_code,ethnic_group,percent\nX01,A,110\nX01,B,-10\n", "line 3: percent: negative percent -10"),
        ("area_code,ethnic_group,count\nX01,A,5\nX01,B,-1\n", "negative count -1"),
        ("area_code,ethnic_group,count\nX01,A,five\nX01,B,1\n", "line 2: count: 'five' is not a number"),
        ("area_code,ethnic_group,count\nX01,A,1\nX01,A,2\n", "line 2: duplicate row for X01, A"),
        ("area_code,ethnic_group,count\nX01,A,1\nX01,B,2\nX02,A,3\n", "no row for ethnic group 'B' in area X02"),
        ("area_code,group,count\nX01,A,1\n", "missing column 'ethnic_group'"),
        ("area_code,ethnic_group,count,percent\nX01,A,1,100\n", "exactly one value column"),
        ("area_code,ethnic_group,count\nX01,A,0\nX01,B,0\n", "no people in area X01"),
        ("area_code,age_band,ethnic_group,count\nX01,0-5,A,1\nX01,3+,A,1\n", "age bands 0-5 and 3\\+ overlap"),
    ],
)
def test_bad_mix_files(tmp_path, text, match):
    with pytest.raises(InputError, match=match):
        forecast.read_ethnic_mix(_csv(tmp_path, text))


def test_mix_area_not_in_population_is_ignored_and_a_population_area_without_mix_refused(tmp_path, tiny_pop):
    p = _csv(tmp_path, "area_code,ethnic_group,count\nX01,A,1\nX02,A,1\nX09,A,1\n")
    assert list(forecast.split_by_ethnicity(tiny_pop, p).area.values) == ["X01", "X02"]  # a national mix, local population
    p = _csv(tmp_path, "area_code,ethnic_group,count\nX01,A,1\n")
    with pytest.raises(InputError, match="area X02 Area X02 of the population has no ethnic mix"):
        forecast.split_by_ethnicity(tiny_pop, p)
    assert forecast.split_by_ethnicity(tiny_pop, p, areas=["X01"]).sizes["area"] == 1


def test_band_cover_must_reach_the_open_top(tmp_path, tiny_pop):
    p = _csv(tmp_path, "area_code,age_band,ethnic_group,count\nX01,0-3,A,1\nX02,0-3,A,1\n")
    with pytest.raises(SpecError, match="do not cover age 4"):
        forecast.split_by_ethnicity(tiny_pop, p)


def test_unknown_group_without_mapping():
    mix = forecast.read_ethnic_mix(TABLE2)
    with pytest.raises(InputError) as e:
        mix.map_groups(forecast.load_mapping("census2021_to_broad5"))
    assert e.value.file == str(TABLE2) and e.value.field == "ethnic_group"
    assert "ethnic group 'Indian' has no entry in mapping 'census2021_to_broad5'" in str(e.value)


def test_mapping_sending_a_group_to_two_broad_groups(tmp_path):
    p = tmp_path / "m.yaml"
    p.write_text(yaml.safe_dump({
        "schema": "forecast.ethnic-mapping/1", "id": "m", "source": {"citation": "test"},
        "groups": {"Asian": ["Indian", "Chinese"], "Other": ["Chinese", "Other"]},
    }))
    with pytest.raises(AssumptionError, match="'Chinese' is sent to two broad groups: 'Asian' and 'Other'"):
        forecast.load_mapping(p)


def test_relative_risks_for_a_group_the_mix_lacks():
    rr = forecast.get_relative_risks("pham2018_dementia_irr")
    with pytest.raises(SpecError, match="given for group\\(s\\) 'Black', 'Asian', which the ethnic mix does not have"):
        relative_risk_array(rr, ["White", "Non-White"])


def test_relative_risks_need_a_split_population(tiny_pop):
    with pytest.raises(SpecError, match="need a population split by ethnicity"):
        forecast.project(None, "dementia_uk_2014", ages="65+", areas="Leicester", relative_risks="pham2018_dementia_irr")


def test_bad_relative_risk_files(tmp_path):
    base = {"schema": "forecast.relative-risks/1", "id": "rr", "measure": "thing", "source": {"citation": "t"},
            "reference": "A", "relative_risk": {"B": {"male": 2, "female": 2}}}
    p = tmp_path / "rr.yaml"
    for edit, match in [
        ({"relative_risk": {"B": {"male": -1, "female": 2}}}, "relative_risk.B.male|relative_risk\\[B\\]"),
        ({"mode": "standardised"}, "needs study_population"),
        ({"intervals": {"B": {"male": [2.5, 3], "female": [1, 3]}}}, "does not contain the ratio 2"),
        ({"mode": "average"}, "mode: must be one of reference, standardised"),
    ]:
        p.write_text(yaml.safe_dump({**base, **edit}))
        with pytest.raises(AssumptionError, match=match):
            forecast.assumptions.load_relative_risks(p)


# ---------------------------------------------------------------------------- split and projection

@settings(max_examples=30, deadline=None)
@given(shares=st.lists(st.floats(0.01, 10), min_size=3, max_size=3), k=st.floats(0.5, 3))
def test_split_keeps_totals_and_rr_1_changes_nothing(tmp_path_factory, shares, k):
    d = tmp_path_factory.mktemp("mix")
    rows = ["area_code,ethnic_group,share"] + [f"{a},{g},{s / sum(shares)}" for a in ("X01", "X02") for g, s in zip("ABC", shares)]
    p = _csv(d, "\n".join(rows) + "\n")
    pop = tiny_cube() * k
    pop.attrs = tiny_cube().attrs
    split = forecast.split_by_ethnicity(pop, p)
    np.testing.assert_allclose(split.sum("ethnicity").values, pop.values, rtol=1e-12)
    rs = forecast.RateSet.from_dict(tiny_rate_dict())
    ones = RelativeRisks.from_dict({"schema": "forecast.relative-risks/1", "id": "ones", "measure": "thing",
                                    "source": {"citation": "t"}, "reference": "A",
                                    "relative_risk": {"B": 1, "C": 1}})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AllAgeSharesWarning)
        adjusted = forecast.project(split, rs, bands=["3-4", "5+"], relative_risks=ones)["thing"]
    plain = forecast.project(pop, rs, bands=["3-4", "5+"])["thing"]
    np.testing.assert_allclose(adjusted.sum("ethnicity").values, plain.values, rtol=1e-12)


def test_group_area_is_the_sum_of_its_members_splits(default_pop):
    split = forecast.split_by_ethnicity(default_pop, "census2011_white_by_age_llr")
    # the mix has its own Leicestershire row (a sum of districts), which is used as is
    assert "ethnic_mix_derived_areas" not in split.attrs
    mix = forecast.get_ethnic_mix("census2011_white_by_age_llr")
    from dataclasses import replace

    no_county = replace(mix, shares=mix.shares.drop_sel(area="E10000018"))
    split2 = forecast.split_by_ethnicity(default_pop, no_county)
    assert split2.attrs["ethnic_mix_derived_areas"] == "E10000018"
    districts = split2.sel(area=[f"E070001{n}" for n in range(29, 36)]).sum("area")
    np.testing.assert_allclose(split2.sel(area="E10000018").values, districts.values)


def test_leicester_65_plus_dementia_with_pham_and_table2_by_hand(ons_long):
    """Issue check. Reference mode: rate[g, s, a] = DementiaUK2014[s, a] × IRR[g, s], IRR = 1 for White and
    for groups with no published ratio.  Table 2 (Leicester): White 63.8, Mixed 2.3, Indian 25.7,
    Pakistani 1.5, Bangladeshi 0.7, Other Asian 2.0, Black 3.4, Chinese 0.5, Other 0.3 (sum 100.2; mapped:
    Asian = 25.7 + 1.5 + 0.7 + 2.0 = 29.9; Chinese and Other → Other = 0.8).  So for each sex
        demand_with = demand_without × (63.8 + 2.3 + 0.8 + 29.9 × IRR_Asian + 3.4 × IRR_Black) / 100.2
    with Pham et al. 2018: IRR_Asian 0.88 (men) 0.82 (women); IRR_Black 1.28 (men) 1.25 (women)."""
    # 90+: POPPI's split of the 90-94 and 95+ rates, weighted by England mid-2013 (ONS)
    m90, f90 = (0.226 * 109540 + 0.288 * 17790) / 127330, (0.330 * 255400 + 0.442 * 67700) / 323100
    rates = {"male": [0.015] * 5 + [0.031] * 5 + [0.053] * 5 + [0.103] * 5 + [0.151] * 5 + [m90],
             "female": [0.018] * 5 + [0.030] * 5 + [0.066] * 5 + [0.117] * 5 + [0.202] * 5 + [f90]}
    factor = {"male": (63.8 + 2.3 + 0.8 + 29.9 * 0.88 + 3.4 * 1.28) / 100.2,
              "female": (63.8 + 2.3 + 0.8 + 29.9 * 0.82 + 3.4 * 1.25) / 100.2}
    d = ons_long[(ons_long.area_code == LEICESTER) & (ons_long.year == 2030) & (ons_long.age >= 65)]
    expected = sum(
        factor[s] * (d[d.sex == s].sort_values("age").population.to_numpy() * rates[s]).sum() for s in ("male", "female")
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AllAgeSharesWarning)
        pair = forecast.ethnic_adjustment(None, "dementia_uk_2014", TABLE2, mapping="llr2007_to_broad5",
                                          relative_risks="pham2018_dementia_irr", ages="65+", areas=[LEICESTER], years=[2030])
    assert pair["with"]["dementia"].sum().item() == pytest.approx(expected, rel=1e-12)
    assert pair["with"]["dementia"].attrs["ethnic_groups_without_ratio"] == "Mixed, Other"


def test_standardised_mode_keeps_the_study_populations_rate():
    # ratios A 1, B 2; study population 3:1 (A:B) → scale = 0.75 × 1 + 0.25 × 2 = 1.25
    # so multipliers are 0.8 (A) and 1.6 (B), and 0.75 × 0.8 + 0.25 × 1.6 = 1
    rr = RelativeRisks.from_dict({"schema": "forecast.relative-risks/1", "id": "s", "measure": "thing",
                                  "source": {"citation": "t"}, "reference": "A", "mode": "standardised",
                                  "relative_risk": {"B": 2},
                                  "study_population": {"source": "t", "male": {"A": 3, "B": 1}, "female": {"A": 3, "B": 1}}})
    m, without = relative_risk_array(rr, ["A", "B", "C"])
    assert m.sel(sex="male", ethnicity="A").item() == pytest.approx(0.8)
    assert m.sel(sex="female", ethnicity="B").item() == pytest.approx(1.6)
    assert without == ["C"]
    ref, _ = relative_risk_array(rr, ["A", "B"], mode="reference")
    assert ref.sel(sex="male", ethnicity="B").item() == 2


def test_apms_ratios_are_derived_from_published_rates():
    rr = forecast.get_relative_risks("apms2014_cmd_ethnicity")
    # APMS 2014 Table 2.7, age-standardised Any CMD: Black women 29.3%, White British women 20.9%
    assert rr.ratios["Black"]["female"] == pytest.approx(29.3 / 20.9)
    assert rr.ratios["Mixed or other"]["male"] == pytest.approx(10.5 / 13.5)
    assert rr.mode == "standardised" and rr.derived_from_rates


def test_all_age_mix_warns_once_per_projection(default_pop):
    split = forecast.split_by_ethnicity(default_pop, TABLE2, areas=["E06000016"])
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        forecast.project(split, ["dementia_uk_2014", "depression_15pct"], ages="65+")
    msgs = [x for x in w if issubclass(x.category, AllAgeSharesWarning)]
    assert len(msgs) == 1 and "overstate them among older people" in str(msgs[0].message)
    by_age = forecast.split_by_ethnicity(default_pop, "census2011_white_by_age_llr")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        forecast.project(by_age, "dementia_uk_2014", ages="65+", areas="Leicester")
    assert not [x for x in w if issubclass(x.category, AllAgeSharesWarning)]


def test_bias_of_all_age_shares_for_leicester_65_plus(default_pop):
    """Census 2011: 49.5% of Leicester is non-White at all ages, but far fewer of its older
    people are (65-69: 35.5% … 85+: 16.7%), so an all-age split of the 65+ overstates them."""
    mix = forecast.get_ethnic_mix("census2011_white_by_age_llr")
    older = {}
    for k, m in (("band", mix), ("all", mix.all_ages())):
        s = forecast.split_by_ethnicity(default_pop, m, areas=[LEICESTER])
        older[k] = s.sel(year=2030, age=slice(65, None)).sum(["sex", "age", "area"])
    share_all = older["all"].sel(ethnicity="Non-White").item() / older["all"].sum().item()
    share_band = older["band"].sel(ethnicity="Non-White").item() / older["band"].sum().item()
    assert share_all == pytest.approx(163_203 / 329_839)  # Census 2011 all-age non-White share
    assert 0.165 < share_band < 0.355  # between the 85+ and 65-69 band shares
    assert share_all > share_band * 1.4


def test_with_without_table_and_by_ethnicity():
    spec = EXAMPLES_DIR / "llr_ethnic_table1.yaml"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AllAgeSharesWarning)
        t = forecast.run_spec(spec)
    assert list(t.data.columns) == ["2025 without", "2025 with", "2025 difference", "2040 without", "2040 with", "2040 difference"]
    v = t.values.loc["Dementia (Dementia UK 2014)"]
    assert v.loc["Leicester", "2025 difference"] == pytest.approx(100 * (v.loc["Leicester", "2025 with"] / v.loc["Leicester", "2025 without"] - 1))
    assert any("pham2018_dementia_irr" in n for n in t.notes)
    # the example's mix is by age and sex (DC2101EW) raked to Census 2021: no all-age caution
    assert not any("Caution" in n for n in t.notes)
    assert any("raked to" in n and "census2011_dc2101ew_lad23" in n for n in t.notes)
