"""Report specs: inline groups, financial years, and errors located in the spec."""

import pytest

import forecast
from forecast.errors import ForecastError, SpecError

from conftest import LEICESTER

pytestmark = pytest.mark.integration


def _spec(tmp_path, text):
    p = tmp_path / "spec.yaml"
    p.write_text("schema: forecast.table/1\n" + text)
    return p


def test_inline_group_of_groups_and_financial_years(tmp_path, ons_long):
    p = _spec(tmp_path, """
groups:
  - {code: LLR, name: LLR, members: [E10000018, Leicester, Rutland]}
areas: [LLR]
measures: [depression_15pct]
ages: 65+
years: ["2030/31"]
""")
    t = forecast.run_spec(p)
    # LLR = Leicestershire's 7 districts + Leicester + Rutland, i.e. all 9 areas of the file.
    d = ons_long[ons_long.age >= 65]
    fy = 0.75 * d[d.year == 2030].population.sum() + 0.25 * d[d.year == 2031].population.sum()
    assert t.values.loc[("People aged 65 and over with depression", "LLR"), "2030/31"] == pytest.approx(0.15 * fy)


def test_nested_group_overlap_is_refused(tmp_path):
    p = _spec(tmp_path, """
groups: [{code: LLR, name: LLR, members: [E10000018, Leicester, Rutland]}]
areas: [LLR, Blaby]
measures: [depression_15pct]
ages: 65+
years: [2030]
""")
    with pytest.raises(SpecError, match="areas: cannot total areas that overlap: LLR LLR and E07000129 Blaby"):
        forecast.run_spec(p)


def test_group_with_unknown_member(tmp_path):
    p = _spec(tmp_path, """
groups: [{code: LLR, name: LLR, members: [Leicester, Nowhere]}]
areas: [LLR]
measures: [depression_15pct]
years: [2030]
""")
    with pytest.raises(SpecError) as e:
        forecast.run_spec(p)
    assert (e.value.field, e.value.line) == ("groups[0]", 3)
    assert "unknown area 'Nowhere'" in str(e.value)


@pytest.mark.parametrize(
    "body, field, msg",
    [
        ("areas: Leicester\nmeasures: [depression_15pct]\nyears: [2030]\n", "areas", "must be a list of area codes or names, or one of all-districts"),
        ("areas: [Leicester]\nmeasures: [depression_15pct]\nyears: [2030/32]\n", "years[0]", "not consecutive"),
        ("areas: [Leicester]\nmeasures: [depression_15pct]\nyears: [2030]\nchange: [2030]\n", "change", "needs at least 2 items, has 1"),
        ("areas: [Leicester]\nmeasures: [depression_15pct]\nyears: [2030]\nbands: [65-74, 70-79]\n", "bands", "overlap"),
        ("areas: [Leicester]\nmeasures: [depression_15pct]\nyears: [2030]\ncolour: red\n", "colour", "unknown key"),
        ("areas: [Leicester]\nmeasures: [{rate_set: nosuch}]\nyears: [2030]\n", "measures[0].rate_set", "unknown rate set"),
        ("areas: [Leicester]\nmeasures: [depression_15pct]\nyears: [2046/47, 2047/48]\n", "years[1]", "outside the population's years"),
    ],
)
def test_spec_errors_name_the_field(tmp_path, body, field, msg):
    with pytest.raises(ForecastError) as e:
        forecast.run_spec(_spec(tmp_path, body))
    assert e.value.field == field and msg in str(e.value) and e.value.file.endswith("spec.yaml")


def test_not_a_spec(tmp_path):
    p = tmp_path / "x.yaml"
    p.write_text("schema: forecast.rate-set/1\n")
    with pytest.raises(SpecError, match="not a report spec"):
        forecast.run_spec(p)


def test_spec_with_own_population_files(tmp_path):
    from conftest import SNPP_FILES

    p = _spec(tmp_path, f"""
population: {{snpp: ["{SNPP_FILES['males']}", "{SNPP_FILES['females']}"]}}
areas: [{LEICESTER}]
measures: [depression_15pct]
ages: 65+
years: [2030]
""")
    assert forecast.run_spec(p).data.shape == (2, 1)


def test_single_scenario_and_uncertainty_in_a_spec(tmp_path):
    p = _spec(tmp_path, """
areas: [Leicester]
measures: [cfas_ii_2013]
ages: 65+
years: [2040]
scenario: cfas_i_to_ii_prevalence_fall
""")
    t = forecast.run_spec(p)
    expected = forecast.project(None, "cfas_ii_2013", ages="65+", areas="Leicester", years=[2040],
                                scenario="cfas_i_to_ii_prevalence_fall")["dementia"].sum().item()
    assert t.values.iloc[0]["2040"] == pytest.approx(expected)
    assert any("-21% over 20 years = -1.17% a year" in n for n in t.notes)
    p2 = _spec(tmp_path, "areas: [Leicester]\nmeasures: [cfas_ii_2013]\nyears: [2040]\nuncertainty: {draws: 0}\n")
    with pytest.raises(SpecError, match="uncertainty.draws: the number of draws must be 1 to 100,000"):
        forecast.run_spec(p2)
