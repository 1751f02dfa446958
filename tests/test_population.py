import numpy as np
import pytest

import forecast
from forecast.errors import InputError, SpecError
from forecast.population import (
    AreaGroup,
    add_groups,
    check_disjoint,
    find_areas,
    parse_financial_year,
    resolve_areas,
    to_financial_years,
)

from conftest import tiny_cube

pytestmark = pytest.mark.unit


def test_resolve_by_code_or_name_any_case(default_pop):
    assert resolve_areas(default_pop, ["e06000016", "rutland", "Leicestershire"]) == ["E06000016", "E06000017", "E10000018"]


def test_unknown_area_suggests(default_pop):
    with pytest.raises(SpecError, match=r"unknown area 'Rutlnd'.*E06000017 Rutland"):
        resolve_areas(default_pop, ["Rutlnd"])
    with pytest.raises(SpecError, match="unknown area 'E99999999'"):
        resolve_areas(default_pop, ["E99999999"])


def test_area_asked_twice(default_pop):
    with pytest.raises(SpecError, match="asked for twice"):
        resolve_areas(default_pop, ["Leicester", "E06000016"])


def test_find_areas(default_pop):
    found = find_areas(default_pop, "leic")
    assert set(found.area_code) == {"E06000016", "E07000134", "E10000018"}


def test_add_groups_sums_members(tiny_pop):
    g = add_groups(tiny_pop, [AreaGroup("G01", "Both", ("X01", "X02"))])
    # 2021: X01 has 10, X02 has 30 per age and sex → 40
    assert g.sel(area="G01", year=2021, sex="male", age=3).item() == 40
    assert g.sel(area="G01")["area_name"].item() == "Both"
    assert forecast.population.area_groups(g) == {"G01": ["X01", "X02"]}


def test_add_groups_errors(tiny_pop):
    with pytest.raises(SpecError, match="member\\(s\\) X09 not in the population"):
        add_groups(tiny_pop, [AreaGroup("G01", "G", ("X01", "X09"))])
    with pytest.raises(SpecError, match="already an area"):
        add_groups(tiny_pop, [AreaGroup("X01", "G", ("X02",))])


def test_overlapping_areas_cannot_be_totalled(default_pop):
    check_disjoint(default_pop, ["E10000018", "E06000016", "E06000017"])
    with pytest.raises(SpecError, match="E10000018 Leicestershire and E07000129 Blaby both include E07000129 Blaby"):
        check_disjoint(default_pop, ["E10000018", "E07000129"])


def test_load_groups_rejects_non_group_file(tmp_path):
    p = tmp_path / "g.yaml"
    p.write_text("schema: something/1\n")
    with pytest.raises(InputError, match="unsupported schema 'something/1' \\(expected forecast.area-groups/1\\)"):
        forecast.load_groups(p)


def test_financial_year_interpolation_by_hand():
    # X02 has 20 people per cell at mid-2020 and 30 at mid-2021:
    # FY 2020/21 = 0.75 × 20 + 0.25 × 30 = 22.5
    fy = to_financial_years(tiny_cube(), ["2020/21"])
    assert list(fy["financial_year"].values) == ["2020/21"]
    assert fy.sel(area="X02", financial_year="2020/21", sex="female", age=0).item() == 22.5
    assert fy.sel(area="X01", financial_year="2020/21", sex="male", age=5).item() == 10.0


def test_financial_years_on_ons_data(default_pop):
    fy = to_financial_years(default_pop, ["2025/26"]).sel(financial_year="2025/26")
    expected = 0.75 * default_pop.sel(year=2025) + 0.25 * default_pop.sel(year=2026)
    np.testing.assert_allclose(fy.values, expected.values)


@pytest.mark.parametrize("label, msg", [("2025-26", "is not a financial year of the form YYYY/YY"), ("2025/27", "not consecutive"), ("25/26", "is not a financial year of the form YYYY/YY"), ("1999/00", None)])
def test_parse_financial_year(label, msg):
    if msg is None:
        assert parse_financial_year(label) == 1999
    else:
        with pytest.raises(SpecError, match=msg):
            parse_financial_year(label)


def test_financial_year_beyond_data(tiny_pop):
    with pytest.raises(SpecError, match="2021/22 needs mid-2022"):
        to_financial_years(tiny_pop, ["2021/22"])


def test_select_years_outside(default_pop):
    with pytest.raises(SpecError, match="year 2050 is outside the population's years 2022-2047"):
        forecast.select_years(default_pop, [2050])


def test_make_cube_rejects_bad_values():
    v = np.ones((1, 1, 2, 3))
    v[0, 0, 0, 1] = -1
    with pytest.raises(InputError, match="negative"):
        tiny_cube(v, top=2, years=(2020,), areas=("X01",))
