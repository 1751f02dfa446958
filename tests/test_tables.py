"""Table 1 layout, values and renderers."""

import io

import numpy as np
import pandas as pd
import xarray as xr
import pytest

import forecast
from forecast.errors import SpecError
from forecast.output import round_half_up

from conftest import EXAMPLES_DIR, LEICESTER, tiny_cube

pytestmark = pytest.mark.integration

LLR = ["E10000018", "E06000016", "E06000017"]


@pytest.fixture(scope="module")
def llr_table():
    return forecast.run_spec(EXAMPLES_DIR / "llr_table1.yaml")


def test_llr_layout(llr_table):
    df = llr_table.data
    assert list(df.columns) == ["2025", "2030", "2035", "2040", "Change 2025 to 2040"]
    assert list(df.index) == [
        ("Dementia", "Leicestershire"), ("Dementia", "Leicester"), ("Dementia", "Rutland"), ("Dementia", "Total"),
        ("Depression", "Leicestershire"), ("Depression", "Leicester"), ("Depression", "Rutland"), ("Depression", "Total"),
    ]
    assert llr_table.title.startswith("Table 1")
    notes = " ".join(llr_table.notes)
    assert "Knapp M, Prince M" in notes and "dementia_uk_2007" in notes
    assert "depression_15pct" in notes and "15% of the population aged 65 and over" in notes
    assert "ONS 2022-based subnational population projections" in notes
    assert "Open Government Licence v3.0" in notes


def test_llr_depression_leicester_2030_is_15pct_of_65_plus(llr_table, ons_long):
    """Issue check: 0.15 × Σ ages 65…90+ males and females, E06000016, 2030, to the table's rounding (10)."""
    d = ons_long[(ons_long.area_code == LEICESTER) & (ons_long.year == 2030) & (ons_long.age >= 65)]
    expected = 0.15 * d.population.sum()
    shown = llr_table.data.loc[("Depression", "Leicester"), "2030"]
    assert shown == round(expected / 10) * 10
    assert abs(shown - expected) <= 5


def test_totals_and_change_from_unrounded(llr_table):
    v = llr_table.values
    block = v.loc["Dementia"]
    assert block.loc["Total", "2025"] == pytest.approx(block.loc[["Leicestershire", "Leicester", "Rutland"], "2025"].sum())
    t = block.loc["Total"]
    assert t["Change 2025 to 2040"] == pytest.approx(100 * (t["2040"] - t["2025"]) / t["2025"])


def test_tiny_table_by_hand():
    # one rate set of 50% on every age, tiny cube: X01 has 10 × 2 sexes × 6 ages = 120 people
    # → 60 in both years; X02 has 240 in 2020 and 360 in 2021 → 120 and 180 (+50%)
    rs = forecast.RateSet.from_dict(
        {"schema": "forecast.rate-set/1", "id": "half", "measure": "half", "label": "Half",
         "source": {"citation": "test"}, "rates": {"unit": "percent", "bands": ["0+"], "persons": [50]}}
    )
    res = forecast.project(tiny_cube(), rs, ages="All ages")
    t = forecast.table(res, years=[2020, 2021], change=(2020, 2021))
    d = t.data
    assert d.loc[("Half", "Area X01"), "2020"] == 60
    assert d.loc[("Half", "Area X02"), "2021"] == 180
    assert d.loc[("Half", "Total"), "2021"] == 240
    assert d.loc[("Half", "Area X02"), "Change 2020 to 2021"] == 50.0
    assert d.loc[("Half", "Area X01"), "Change 2020 to 2021"] == 0.0
    # financial year 2020/21 = 0.75 × 2020 + 0.25 × 2021: X02 = 0.75 × 120 + 0.25 × 180 = 135
    fy = forecast.table(res, years=["2020/21"], totals=False)
    assert fy.data.loc[("Half", "Area X02"), "2020/21"] == 135
    assert any("0.75" in n for n in fy.notes)


def test_round_half_up():
    np.testing.assert_array_equal(round_half_up([0.5, 1.5, 2.5, 14.0, 15.0], 10), [0, 0, 0, 10, 20])
    np.testing.assert_array_equal(round_half_up([0.5, 1.5, 2.5]), [1, 2, 3])


def test_change_years_must_be_among_the_years_shown():
    res = forecast.project(None, "depression_15pct", ages="65+", areas=LLR)
    with pytest.raises(SpecError, match="the change year 2025 is not one of the table's years \\(2030\\)"):
        forecast.table(res, years=[2030], change=(2025, 2040))


def test_overlapping_areas_refused_for_totals():
    res = forecast.project(None, "depression_15pct", ages="65+", areas=["E10000018", "E07000130"], years=[2030])
    with pytest.raises(SpecError, match="overlap"):
        forecast.table(res, years=[2030])
    assert forecast.table(res, years=[2030], totals=False).data.shape == (2, 1)


def test_same_label_blocks_are_told_apart():
    res = forecast.project(None, ["dementia_uk_2007", "dementia_uk_2014"], ages="65+", areas=LLR, years=[2030])
    blocks = list(dict.fromkeys(forecast.table(res, years=[2030]).data.index.get_level_values(0)))
    assert len(blocks) == 2 and "(dementia_uk_2007)" in blocks[0]


def test_markdown(llr_table):
    md = llr_table.to_markdown()
    assert md.startswith("**Table 1")
    assert "| | 2025 | 2030 | 2035 | 2040 | Change 2025 to 2040 |" in md
    assert "| **Dementia** |" in md and "| **Total** |" in md


def test_csv(llr_table):
    df = pd.read_csv(io.StringIO(llr_table.to_csv()), dtype={"area_code": str})
    assert list(df.columns[:4]) == ["measure", "measure_label", "area_code", "area_name"]
    assert df.loc[df.area_name == "Total", "area_code"].isna().all()
    assert df.shape == (8, 9)


def test_xlsx(llr_table, tmp_path):
    from openpyxl import load_workbook

    p = tmp_path / "t.xlsx"
    llr_table.to_excel(p)
    ws = load_workbook(p).active
    assert ws["A1"].value.startswith("Table 1")
    cells = {ws.cell(row=r, column=1).value: r for r in range(1, ws.max_row + 1)}
    assert "Dementia" in cells and "Total" in cells
    r = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == "Leicester")
    assert ws.cell(row=r, column=2).value == llr_table.data.loc[("Dementia", "Leicester"), "2025"]


def test_html(llr_table):
    h = llr_table.to_html()
    assert h.startswith("<!DOCTYPE html>")
    assert "<caption>Table 1" in h and 'class="total"' in h
    assert h.count("<tbody>") == 2 and h.count("</tbody>") == 2


@pytest.mark.unit
def test_a_measure_without_draws_beside_one_with_them():
    """A profile puts the population (no draws) above measures with draws: each block keeps
    its own rows; the one without draws has no interval (low = high = its value)."""
    draws = np.arange(1.0, 102.0)  # 1..101: median 51, 2.5% and 97.5% by numpy's linear rule
    with_draws = xr.DataArray(np.tile(draws, (1, 2, 1)) * np.array([1.0, 2.0])[None, :, None],
                              dims=("area", "year", "draw"), coords={"area": ["A01"], "year": [2025, 2030]})
    without = xr.DataArray([[10.0, 20.0]], dims=("area", "year"), coords={"area": ["A01"], "year": [2025, 2030]})
    result = xr.Dataset({"people": without, "cases": with_draws}).assign_coords(area_name=("area", ["Area one"]))
    t = forecast.table(result, years=[2025, 2030], totals=False, labels={"people": "People", "cases": "Cases"})
    lo, hi = np.quantile(draws, [0.025, 0.975])  # 3.5 and 98.5
    assert list(t.values.index) == [("People", "Area one"), ("Cases", "Area one")]
    np.testing.assert_allclose(t.values.to_numpy(), [[10, 20], [51, 102]])
    np.testing.assert_allclose(t.low.to_numpy(), [[10, 20], [lo, 2 * lo]])
    np.testing.assert_allclose(t.high.to_numpy(), [[10, 20], [hi, 2 * hi]])
    md = t.to_markdown()
    assert "| Area one | 10 | 20 |" in md and "| Area one | 51 (4–99) | 102 (7–197) |" in md
