"""Every English council (issue 14) and POPPI's profile (issue 11): geography, counties and
regions from districts, England as a population and comparator, area selectors, the
commands that find areas and list rate sets.  Expected values are recomputed with plain
pandas from the shipped files."""

import io
import json

import numpy as np
import pandas as pd
import pytest

import forecast

from conftest import LEICESTER, LEICS_DISTRICTS, POP_DIR, RUTLAND, forecast_cli

pytestmark = pytest.mark.integration

LOOKUP = pd.read_csv(POP_DIR / "geography" / "lad23_lookup.csv")


def _npp_65plus(year: int) -> float:
    df = pd.read_csv(POP_DIR / "england" / "npp2022_england_principal.csv", dtype={"Age": str})
    ages = df["Age"].map(lambda a: int(a.split()[0]))
    return float(df.loc[ages >= 65, str(year)].sum())


def test_areas_finds_birmingham_with_type_county_and_region():
    r = forecast_cli("areas", "birm")
    assert r.returncode == 0, r.stderr
    row = LOOKUP[LOOKUP.LAD23NM == "Birmingham"].iloc[0]
    line = next(line for line in r.stdout.splitlines() if row.LAD23CD in line)
    assert "metropolitan borough" in line and row.RGN23NM in line and line.rstrip().endswith("no")


def test_county_is_the_sum_of_its_districts_from_the_lookup(ons_long):
    """Leicestershire = the districts the ONS lookup puts in E10000018, never counted twice."""
    members = LOOKUP[LOOKUP.CTYUA23CD == "E10000018"].LAD23CD.tolist()
    assert sorted(members) == sorted(LEICS_DISTRICTS)
    pop = forecast.default_population()
    want = ons_long[ons_long.area_code.isin(members) & (ons_long.year == 2030)].population.sum()
    assert pop.sel(area="E10000018", year=2030).sum().item() == pytest.approx(want, rel=1e-12)
    with pytest.raises(forecast.SpecError, match="overlap"):
        forecast.table(forecast.project(pop, "depression_15pct", ages="65+", years=[2030]), years=[2030])


def test_england_npp_2030_aged_65_plus_is_the_sum_of_the_shipped_rows():
    pop = forecast.england()
    assert pop.sel(year=2030, age=slice(65, None)).sum().item() == pytest.approx(_npp_65plus(2030), rel=1e-12)


def test_england_as_a_population_in_a_spec(tmp_path):
    spec = tmp_path / "e.yaml"
    spec.write_text("schema: forecast.table/1\npopulation: england\nareas: [England]\nmeasures: [depression_15pct]\n"
                    "ages: 65+\nyears: [2030]\n")
    t = forecast.run_spec(spec)
    assert t.values.iloc[0]["2030"] == pytest.approx(0.15 * _npp_65plus(2030), rel=1e-12)


def test_england_comparator_rows_with_rates_per_100(tmp_path, ons_long):
    """compare_with: [england] adds England (from the NPP: not in the total) and a block of
    rates per 100 people aged 65+: 15 for the 15% rule, in every row."""
    spec = tmp_path / "c.yaml"
    spec.write_text("schema: forecast.table/1\nareas: [Leicester, Rutland]\ncompare_with: [england]\n"
                    "measures: [depression_15pct]\nages: 65+\nyears: [2030]\n")
    t = forecast.run_spec(spec)
    v = t.values["2030"]
    blocks = list(dict.fromkeys(t.values.index.get_level_values(0)))
    counts, rates = blocks
    d = ons_long[(ons_long.year == 2030) & (ons_long.age >= 65)]
    total = 0.15 * d[d.area_code.isin([LEICESTER, RUTLAND])].population.sum()
    assert v[(counts, "Total")] == pytest.approx(total, rel=1e-12)
    assert v[(counts, "England")] == pytest.approx(0.15 * _npp_65plus(2030), rel=1e-12)
    assert rates.endswith("per 100 people in the age group")
    for row in ("Leicester", "Rutland", "Total", "England"):
        assert v[(rates, row)] == pytest.approx(15.0, rel=1e-12)
    assert any("not counted in the total" in n for n in t.notes)


def test_region_rows_are_refused_when_the_population_lacks_the_region(tmp_path):
    spec = tmp_path / "r.yaml"
    spec.write_text("schema: forecast.table/1\nareas: [Leicester]\ncompare_with: [region]\n"
                    "measures: [depression_15pct]\nages: 65+\nyears: [2030]\n")
    with pytest.raises(forecast.SpecError, match="compare_with: East Midlands \\(E12000004\\) cannot be shown"):
        forecast.run_spec(spec)


def test_all_upper_tier_on_the_national_estimates(tmp_path):
    """The mid-2018 estimates hold every district: all-upper-tier gives the 153 authorities,
    whose total is England (the sum of every district in the shipped file)."""
    spec = tmp_path / "u.yaml"
    spec.write_text("schema: forecast.table/1\npopulation: history\nareas: all-upper-tier\ncompare_with: [england]\n"
                    "measures: [depression_15pct]\nages: 65+\nyears: [2018]\n")
    t = forecast.run_spec(spec)
    counts = t.values.index.get_level_values(0)[0]
    block = t.values.loc[counts]
    assert len(block) == 153 + 2  # the authorities, the total, England
    mye = pd.read_csv(POP_DIR / "mye" / "mye_england_lad23_2011_2018.csv.gz", dtype={"age": str})
    old = mye[(mye.year == 2018) & (mye.age.str.rstrip("+").astype(int) >= 65)]
    assert block.loc["Total", "2018"] == pytest.approx(0.15 * old.population.sum(), rel=1e-12)
    assert block.loc["England", "2018"] == pytest.approx(block.loc["Total", "2018"], rel=1e-12)


def test_variants_side_by_side_in_a_spec(tmp_path, ons_long):
    spec = tmp_path / "v.yaml"
    spec.write_text("schema: forecast.table/1\nareas: [Rutland]\nmeasures: [depression_15pct]\nages: 65+\n"
                    "years: [2040]\nvariants: {principal: principal, high: high_migration}\n")
    t = forecast.run_spec(spec)
    assert list(t.values.columns) == ["2040 principal", "2040 high", "2040 difference"]
    d = ons_long[(ons_long.year == 2040) & (ons_long.age >= 65) & (ons_long.area_code == RUTLAND)]
    assert t.values.iloc[0]["2040 principal"] == pytest.approx(0.15 * d.population.sum(), rel=1e-12)
    high = forecast.variant(forecast.default_population(), "high_migration")
    assert t.values.iloc[0]["2040 high"] == pytest.approx(
        0.15 * high.sel(area=RUTLAND, year=2040, age=slice(65, None)).sum().item(), rel=1e-12)


def test_unknown_variant_in_a_spec_names_the_field(tmp_path):
    spec = tmp_path / "v.yaml"
    spec.write_text("schema: forecast.table/1\nareas: [Rutland]\nmeasures: [depression_15pct]\nages: 65+\n"
                    "years: [2040]\nvariant: very_high\n")
    r = forecast_cli("table", spec)
    assert r.returncode == 2 and "line 6: variant: unknown population variant 'very_high'" in r.stderr


def test_poppi_profile_for_leicester_lists_every_measure():
    """The built-in profile runs offline on the embedded data: population 65+ by band, then
    each POPPI measure by band, this year and +5, +10, +15, with England for comparison."""
    from forecast.specs.profile import MEASURES

    r = forecast_cli("table", "poppi", "--area", "Leicester", "--year", "2025")
    assert r.returncode == 0, r.stderr
    assert "| **Population aged 65 and over: Leicester** |" in r.stdout
    for _, label in MEASURES.values():
        assert f"| **{label}: Leicester** |" in r.stdout and f"| **{label}: England** |" in r.stdout
    assert "| 2025 | 2030 | 2035 | 2040 | Change 2025 to 2040 |" in r.stdout


def test_profile_population_block_is_the_ons_population(ons_long):
    from forecast.specs.profile import run_profile

    t = run_profile("Rutland", year=2030)
    d = ons_long[(ons_long.area_code == RUTLAND) & (ons_long.year == 2030)]
    assert t.values.loc[("Population aged 65 and over: Rutland", "85-89"), "2030"] == pytest.approx(
        d[d.age.between(85, 89)].population.sum(), rel=1e-12)
    assert t.values.loc[("Population aged 65 and over: Rutland", "Total"), "2030"] == pytest.approx(
        d[d.age >= 65].population.sum(), rel=1e-12)


def test_profile_with_draws_keeps_the_population_block(ons_long):
    """With --draws the population (no draws) sits above the measures (draws): it keeps its
    ONS values, and no row is lost or shifted."""
    r = forecast_cli("table", "poppi", "--area", "Rutland", "--year", "2030", "--draws", "20", "--seed", "1")
    assert r.returncode == 0, r.stderr
    d = ons_long[(ons_long.area_code == RUTLAND) & (ons_long.year == 2030) & (ons_long.age >= 65)]
    total = f"{np.floor(d.population.sum() / 10 + 0.5) * 10:,.0f}"  # to the nearest 10, halves up
    assert "| **Population aged 65 and over: Rutland** |" in r.stdout
    assert f"| **Total** | **{total}** |" in r.stdout, r.stdout[:1500]


def test_profile_errors():
    r = forecast_cli("table", "poppi")
    assert r.returncode == 2 and r.stderr.startswith("forecast: error: --area: the poppi profile is for one area")
    r = forecast_cli("table", "poppi", "--area", "Nowhere")
    assert r.returncode == 2 and r.stderr.startswith("forecast: error: --area: unknown area 'Nowhere'")


def test_schema_command_prints_the_json_schema():
    r = forecast_cli("schema", "rate-set")
    schema = json.loads(r.stdout)
    assert schema["$id"] == "urn:forecast:schema:rate-set:1"
    assert "rates" in schema["properties"] and "counts" in schema["properties"]


def test_assumptions_list_groups_by_measure_with_ages_sexes_year_intervals():
    r = forecast_cli("assumptions", "list")
    text = r.stdout
    dementia = text.split("\ndementia\n", 1)[1].split("\n\n", 1)[0]
    assert [line.split()[0] for line in dementia.splitlines()] == ["cfas_ii_2013", "dementia_uk_2007", "dementia_uk_2014"]
    cfas = next(line for line in dementia.splitlines() if line.split()[0] == "cfas_ii_2013").split()
    assert cfas[1:5] == ["65+", "by", "sex", "2013"] and cfas[5] == "yes"


def test_tidy_run_output_names_measure_and_rate_set():
    r = forecast_cli("run", "-a", "Rutland", "-m", "dementia_uk_2014,cfas_ii_2013", "-y", "2030", "--ages", "65+")
    df = pd.read_csv(io.StringIO(r.stdout))
    assert set(zip(df.measure, df.rate_set)) == {("dementia_uk_2014", "dementia_uk_2014"), ("cfas_ii_2013", "cfas_ii_2013")}


def test_block_labels_name_the_ages_of_the_figures():
    """A 16+ rate set's label, on 65+ figures, says 65 and over (not '16 and over')."""
    r = forecast.project(None, "apms2014_any_cmd", ages="65+", areas=["Leicester"], years=[2030])
    assert r["common_mental_disorder"].attrs["long_name"].startswith("People aged 65 and over with a common mental")
    r = forecast.project(None, "census2011_unpaid_care", ages="5-17", areas=["Leicester"], years=[2030])
    assert r["unpaid_carers"].attrs["long_name"].endswith(", aged 5-17")


def test_ages_and_bands_combine_and_a_band_outside_the_ages_is_refused():
    ok = forecast_cli("run", "-a", "Rutland", "-m", "cfas_ii_2013", "-y", "2030", "--ages", "65+", "--bands", "65-74,75+")
    assert ok.returncode == 0 and set(pd.read_csv(io.StringIO(ok.stdout)).age_band) == {"65-74", "75+"}
    bad = forecast_cli("run", "-a", "Rutland", "-m", "cfas_ii_2013", "-y", "2030", "--ages", "65+", "--bands", "18-64")
    assert bad.returncode == 2 and "band 18-64 lies outside the requested ages 65+" in bad.stderr
