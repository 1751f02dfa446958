"""Charts (forecast.output.plot): the data drawn, not the pixels.

Each chart's drawn values (line y-data, the shaded band's polygon, bar heights and widths)
are compared with values worked out inside the test from the arrays the test built (plain
numpy sums and ``numpy.quantile``), or, for the embedded data, from the ONS CSV files read
with pandas (the ``ons_long`` fixture).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest
import xarray as xr
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

import forecast
from forecast.errors import SpecError
from forecast.output import plot
from forecast.population import make_cube

pytestmark = pytest.mark.unit

YEARS = [2020, 2021, 2022]
AREAS = ["X01", "X02"]
NAMES = ["Area one", "Area two"]
BANDS = ["65-74", "75+"]
CITATION = "Smith J, Jones K. A hand-made study of things. J Things 2019;1:1-2."
POP_TITLE = "Hand-made population"


def result(values: np.ndarray, *, extra_dims=(), extra_coords=None, period="year", periods=YEARS,
           areas=AREAS, names=NAMES, bands=BANDS, measure="thing") -> xr.Dataset:
    """A result shaped like forecast.project's: dims (area, period, sex, age_band, *extra)."""
    dims = ("area", period, "sex", "age_band", *extra_dims)
    coords = {
        "area": list(areas),
        "area_name": ("area", list(names)),
        period: list(periods),
        "sex": ["male", "female"],
        "age_band": list(bands),
        **(extra_coords or {}),
    }
    da = xr.DataArray(values, dims=dims, coords=coords, attrs={
        "long_name": "People with a thing", "units": "persons", "rate_set": "tiny_rates",
        "citation": CITATION})
    return xr.Dataset({measure: da}, attrs={"population_title": POP_TITLE,
                                             "population_licence": "Test licence"})


def point_values() -> np.ndarray:
    # value = 1000*area + 100*year_index + 10*sex + band  (all distinct)
    a, y, s, b = np.meshgrid(np.arange(2), np.arange(3), np.arange(2), np.arange(2), indexing="ij")
    return 1000.0 * (a + 1) + 100 * y + 10 * s + b


def band_edges(coll: PolyCollection, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper edge of a fill_between polygon at each x."""
    v = coll.get_paths()[0].vertices
    lo, hi = [], []
    for xi in x:
        ys = v[np.isclose(v[:, 0], xi), 1]
        lo.append(ys.min())
        hi.append(ys.max())
    return np.array(lo), np.array(hi)


def legend_labels(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


# ---------------------------------------------------------------------------- line

def test_line_draws_sum_over_sex_and_band_per_area_with_names():
    vals = point_values()
    fig = plot.line(result(vals), "thing")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(ax.lines) == 2
    for i in range(2):
        # by hand: sum over sex (axis 2) and band (axis 3)
        np.testing.assert_allclose(ax.lines[i].get_ydata(), vals[i].sum(axis=(1, 2)))
        np.testing.assert_allclose(ax.lines[i].get_xdata(), YEARS)
    # area one, 2020: male bands 1000, 1001 + female bands 1010, 1011
    assert ax.lines[0].get_ydata()[0] == 4022
    assert legend_labels(ax) == NAMES
    assert ax.get_title() == "People with a thing: Area one and Area two, 2020 to 2022"
    assert ax.get_ylabel() == "People" and ax.get_xlabel() == "Year"
    assert not ax.collections  # no draws, no band


def test_line_selects_areas_by_name_or_code_in_order_and_years():
    vals = point_values()
    fig = plot.line(result(vals), "thing", areas=["area TWO", "x01"], years=[2022, 2021])
    ax = fig.axes[0]
    assert legend_labels(ax) == ["Area two", "Area one"]
    np.testing.assert_allclose(ax.lines[0].get_xdata(), [2022, 2021])
    np.testing.assert_allclose(ax.lines[0].get_ydata(), vals[1, [2, 1]].sum(axis=(1, 2)))
    np.testing.assert_allclose(ax.lines[1].get_ydata(), vals[0, [2, 1]].sum(axis=(1, 2)))


def test_line_with_draws_is_median_and_band_of_summed_draws():
    rng = np.random.default_rng(7)
    draws = rng.gamma(5.0, 100.0, size=(2, 3, 2, 2, 201))
    res = result(draws, extra_dims=("draw",), extra_coords={"draw": np.arange(201)})
    fig = plot.line(res, "thing", level=0.9)
    ax = fig.axes[0]
    polys = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(polys) == 2
    for i in range(2):
        summed = draws[i].sum(axis=(1, 2))  # (year, draw): total within each draw
        np.testing.assert_allclose(ax.lines[i].get_ydata(), np.quantile(summed, 0.5, axis=-1))
        lo, hi = band_edges(polys[i], np.array(YEARS))
        np.testing.assert_allclose(lo, np.quantile(summed, 0.05, axis=-1))
        np.testing.assert_allclose(hi, np.quantile(summed, 0.95, axis=-1))
    assert legend_labels(ax) == NAMES
    assert "median of 201 draws" in fig.texts[0].get_text()


def test_line_sums_within_each_draw_before_taking_quantiles():
    # males draw d, females 100 - d: every draw's total is exactly 100, so the band has
    # no width; adding each sex's own quantiles would give a wide one.
    d = np.linspace(0.0, 100.0, 11)
    vals = np.zeros((1, 3, 2, 1, 11))
    vals[:, :, 0, 0, :] = d
    vals[:, :, 1, 0, :] = 100.0 - d
    res = result(vals, extra_dims=("draw",), extra_coords={"draw": np.arange(11)},
                 areas=["X01"], names=["Area one"], bands=["65+"])
    ax = plot.line(res, "thing").axes[0]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [100, 100, 100])
    lo, hi = band_edges(ax.collections[0], np.array(YEARS))
    np.testing.assert_allclose(lo, 100)
    np.testing.assert_allclose(hi, 100)


def test_line_with_statistic_uses_median_and_matching_quantiles():
    stats = ["mean", "q0.05", "q0.5", "q0.95"]
    vals = np.zeros((1, 3, 1, 1, 4))
    vals[0, :, 0, 0, :] = [[10, 5, 9, 20], [11, 6, 10, 21], [12, 7, 11, 22]]
    res = xr.Dataset({"thing": xr.DataArray(
        vals, dims=("area", "year", "sex", "age_band", "statistic"),
        coords={"area": ["X01"], "area_name": ("area", ["Area one"]), "year": YEARS,
                "sex": ["persons"], "age_band": ["65+"], "statistic": stats},
        attrs={"long_name": "People with a thing", "units": "persons"})})
    ax = plot.line(res, "thing", level=0.9).axes[0]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [9, 10, 11])
    lo, hi = band_edges(ax.collections[0], np.array(YEARS))
    np.testing.assert_allclose(lo, [5, 6, 7])
    np.testing.assert_allclose(hi, [20, 21, 22])
    # the 95% quantiles are not there: the median alone
    ax = plot.line(res, "thing", level=0.95).axes[0]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [9, 10, 11])
    assert not ax.collections


def test_line_refuses_to_add_quantiles_across_sexes():
    vals = np.ones((1, 3, 2, 1, 3))
    res = result(vals, extra_dims=("statistic",), extra_coords={"statistic": ["q0.025", "q0.5", "q0.975"]},
                 areas=["X01"], names=["Area one"], bands=["65+"])
    with pytest.raises(SpecError, match="do not add up"):
        plot.line(res, "thing")


def test_line_financial_years():
    vals = point_values()
    res = result(vals, period="financial_year", periods=["2020/21", "2021/22", "2022/23"])
    ax = plot.line(res, "thing", years=["2021/22", 2022]).axes[0]
    np.testing.assert_allclose(ax.lines[0].get_xdata(), [2021, 2022])
    np.testing.assert_allclose(ax.lines[0].get_ydata(), vals[0, [1, 2]].sum(axis=(1, 2)))
    assert ax.get_xlabel().startswith("Financial year")
    assert ax.xaxis.get_major_formatter()(2021, 0) == "2021/22"


def test_value_axis_has_thousands_separators():
    ax = plot.line(result(point_values() * 10), "thing").axes[0]
    fmt = ax.yaxis.get_major_formatter()
    assert fmt(12345.0, 0) == "12,345"
    assert fmt(2500.0, 0) == "2,500"
    assert fmt(0.5, 0) == "0.5"
    fig = ax.figure
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert any("," in s for s in labels), labels


def test_source_line_default_and_override():
    fig = plot.line(result(point_values()), "thing")
    text = " ".join(t.get_text() for t in fig.texts).replace("\n", " ")
    assert text == "Source: Hand-made population (Test licence); rates: tiny_rates (Smith et al. 2019)"
    fig = plot.line(result(point_values()), "thing", source="Source: my own", title="My title")
    assert [t.get_text() for t in fig.texts] == ["Source: my own"]
    assert fig.axes[0].get_title() == "My title"


@pytest.mark.parametrize("citation, short", [
    ("Knapp M, Prince M, Albanese E. Dementia UK. London: Alzheimer's Society, 2007.", "Knapp et al. 2007"),
    ("Matthews FE. A comparison. Lancet 2013;382:1405-1412.", "Matthews 2013"),
    ("Office for National Statistics. 2011 Census table DC3303EWr: unpaid care.", "Office for National Statistics 2011"),
    ("Leicester, Leicestershire and Rutland older people's mental health strategy (2007), Table 1: x",
     "Leicester, Leicestershire and Rutland older people's mental health strategy (2007)"),
])
def test_short_citation(citation, short):
    assert plot.short_citation(citation) == short


# ---------------------------------------------------------------------------- compare

def test_compare_one_line_per_result_with_band_where_draws():
    vals = point_values()
    rng = np.random.default_rng(3)
    draws = rng.normal(500.0, 50.0, size=(2, 3, 2, 2, 101))
    a = result(vals)
    b = result(draws, extra_dims=("draw",), extra_coords={"draw": np.arange(101)})
    fig = plot.compare({"Point": a, "With draws": b}, "thing", "Area two", level=0.5)
    ax = fig.axes[0]
    assert legend_labels(ax) == ["Point", "With draws"]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), vals[1].sum(axis=(1, 2)))
    summed = draws[1].sum(axis=(1, 2))
    np.testing.assert_allclose(ax.lines[1].get_ydata(), np.quantile(summed, 0.5, axis=-1))
    assert len(ax.collections) == 1
    lo, hi = band_edges(ax.collections[0], np.array(YEARS))
    np.testing.assert_allclose(lo, np.quantile(summed, 0.25, axis=-1))
    np.testing.assert_allclose(hi, np.quantile(summed, 0.75, axis=-1))
    assert ax.get_title() == "People with a thing: Area two, 2020 to 2022"  # the years drawn


def test_compare_names_the_result_missing_the_area():
    a = result(point_values())
    b = result(point_values()[:1], areas=["X01"], names=["Area one"])
    with pytest.raises(SpecError, match=r"result 'second'.*'X02'.*X01 Area one"):
        plot.compare({"first": a, "second": b}, "thing", "X02")


# ---------------------------------------------------------------------------- bands

def test_bands_bar_heights_are_band_values():
    vals = point_values()
    ax = plot.bands(result(vals), "thing", "X02", 2021).axes[0]
    heights = [p.get_height() for p in ax.containers[0]]
    np.testing.assert_allclose(heights, vals[1, 1].sum(axis=0))  # sum over sex, per band
    assert heights == [2000 + 100 + 2010 + 100, 2001 + 100 + 2011 + 100]
    assert [t.get_text() for t in ax.get_xticklabels()] == BANDS
    assert ax.get_title() == "People with a thing: Area two, 2021"


def test_bands_by_sex_side_by_side():
    vals = point_values()
    ax = plot.bands(result(vals), "thing", "Area one", 2020, by_sex=True).axes[0]
    assert len(ax.containers) == 2
    np.testing.assert_allclose([p.get_height() for p in ax.containers[0]], vals[0, 0, 0])  # males
    np.testing.assert_allclose([p.get_height() for p in ax.containers[1]], vals[0, 0, 1])  # females
    assert legend_labels(ax) == ["Males", "Females"]
    xm = [p.get_x() + p.get_width() / 2 for p in ax.containers[0]]
    xf = [p.get_x() + p.get_width() / 2 for p in ax.containers[1]]
    assert all(m < f for m, f in zip(xm, xf))


def test_bands_with_draws_are_medians_with_error_bars():
    rng = np.random.default_rng(11)
    draws = rng.gamma(4.0, 50.0, size=(2, 3, 2, 2, 101))
    res = result(draws, extra_dims=("draw",), extra_coords={"draw": np.arange(101)})
    ax = plot.bands(res, "thing", "X01", 2022).axes[0]
    summed = draws[0, 2].sum(axis=0)  # (band, draw)
    bars = [c for c in ax.containers if hasattr(c, "patches")][0]
    np.testing.assert_allclose([p.get_height() for p in bars], np.quantile(summed, 0.5, axis=-1))


# ---------------------------------------------------------------------------- pyramid

def small_cube():
    ages = range(13)  # 0..12, 12 = "12 and over"
    v = np.zeros((1, 2, 2, 13))
    v[0, 0, 0] = np.arange(13) + 1.0          # males 2020: 1..13
    v[0, 0, 1] = 10.0 * (np.arange(13) + 1)   # females 2020: 10..130
    v[0, 1] = v[0, 0] * 2                     # 2021: double
    return make_cube(v, areas=["X01"], area_names=["Area one"], years=[2020, 2021], ages=ages,
                     open_top_age=12, attrs={"title": POP_TITLE, "licence": "Test licence"})


def test_pyramid_widths_are_band_sums_males_negative():
    fig = plot.pyramid(small_cube(), "Area one", 2020, compare_year=2021)
    ax = fig.axes[0]
    # bands 0-4, 5-9, 10-11, 12+ of males 1..13: 1+2+3+4+5, 6+..+10, 11+12, 13
    males = [15, 40, 23, 13]
    females = [10 * m for m in males]
    assert [p.get_width() for p in ax.containers[0]] == [-m for m in males]
    assert [p.get_width() for p in ax.containers[1]] == females
    assert [p.get_width() for p in ax.containers[2]] == [-2 * m for m in males]
    assert [p.get_width() for p in ax.containers[3]] == [2 * f for f in females]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0-4", "5-9", "10-11", "12+"]
    assert ax.xaxis.get_major_formatter()(-20000.0, 0) == "20,000"
    assert fig.texts[0].get_text() == "Source: Hand-made population (Test licence)"


def test_pyramid_band_width_ten():
    ax = plot.pyramid(small_cube(), "X01", 2021, band_width=10).axes[0]
    # 0-9: 2*(1+..+10) = 110; 10-11: 2*(11+12) = 46; 12+: 26
    assert [p.get_width() for p in ax.containers[0]] == [-110, -46, -26]


def test_pyramid_embedded_leicester_matches_ons_csv(default_pop, ons_long):
    ax = plot.pyramid(default_pop, "Leicester", 2030).axes[0]
    df = ons_long[(ons_long["area_code"] == "E06000016") & (ons_long["year"] == 2030)].copy()
    df["band"] = np.minimum(df["age"] // 5, 18)  # 18 = 90+
    by = df.groupby(["sex", "band"])["population"].sum()
    np.testing.assert_allclose([p.get_width() for p in ax.containers[0]], -by["male"].to_numpy())
    np.testing.assert_allclose([p.get_width() for p in ax.containers[1]], by["female"].to_numpy())
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "0-4" and labels[-2] == "85-89" and labels[-1] == "90+" and len(labels) == 19


def test_pyramid_needs_both_sexes():
    with pytest.raises(SpecError, match="male"):
        plot.pyramid(small_cube().sel(sex=["female"]), "X01", 2020)


def test_pyramid_missing_year_and_area():
    with pytest.raises(SpecError, match=r"year 1999 .* 2020, 2021"):
        plot.pyramid(small_cube(), "X01", 1999)
    with pytest.raises(SpecError, match=r"'Nowhere'.*X01 Area one"):
        plot.pyramid(small_cube(), "Nowhere", 2020)


# ---------------------------------------------------------------------------- ethnicity

def test_ethnicity_bar_widths_are_group_values():
    groups = ["White", "Asian", "Black"]
    vals = np.arange(2 * 3 * 2 * 2 * 3, dtype=float).reshape(2, 3, 2, 2, 3)
    res = result(vals, extra_dims=("ethnicity",), extra_coords={"ethnicity": groups})
    ax = plot.ethnicity(res, "thing", "X02", 2022).axes[0]
    np.testing.assert_allclose([p.get_width() for p in ax.containers[0]], vals[1, 2].sum(axis=(0, 1)))
    assert [t.get_text() for t in ax.get_yticklabels()] == groups
    with pytest.raises(SpecError, match="no ethnicity dim"):
        plot.ethnicity(result(point_values()), "thing", "X02", 2022)


# ---------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("draw", [
    lambda r: plot.line(r, "nothing"),
    lambda r: plot.bands(r, "nothing", "X01", 2020),
    lambda r: plot.compare({"a": r}, "nothing", "X01"),
])
def test_missing_measure_names_what_is_there(draw):
    with pytest.raises(SpecError, match=r"measure 'nothing' is not in the result; it has: thing"):
        draw(result(point_values()))


def test_missing_area_lists_codes_and_names():
    with pytest.raises(SpecError) as e:
        plot.line(result(point_values()), "thing", areas=["X99"])
    msg = str(e.value)
    assert "'X99'" in msg and "X01 Area one" in msg and "X02 Area two" in msg and "\n" not in msg


def test_missing_year_lists_years():
    with pytest.raises(SpecError, match=r"year 2050 is not in the result; it has 2020-2022"):
        plot.line(result(point_values()), "thing", years=[2020, 2050])
    with pytest.raises(SpecError, match=r"year 2019"):
        plot.bands(result(point_values()), "thing", "X01", 2019)
    with pytest.raises(SpecError, match=r"financial year '2030/31'"):
        plot.line(result(point_values(), period="financial_year", periods=["2020/21", "2021/22", "2022/23"]),
                  "thing", years=["2030/31"])


def test_bad_level():
    with pytest.raises(SpecError, match="level"):
        plot.line(result(point_values()), "thing", level=95)


# ---------------------------------------------------------------------------- save

def test_save_png_and_svg(tmp_path):
    fig = plot.line(result(point_values()), "thing", title="Things in two areas")
    png = plot.save(fig, tmp_path / "chart.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = plot.save(fig, tmp_path / "chart.SVG")
    data = svg.read_bytes()
    assert data.lstrip().startswith(b"<?xml") and b"<svg" in data[:2000]
    texts = [el.text or "" for el in ET.fromstring(data).iter() if el.tag.endswith("text") or el.tag.endswith("tspan")]
    assert "Things in two areas" in texts
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chart.SVG", "chart.png"]  # no temp files left


def test_save_refuses_other_formats(tmp_path):
    fig = plot.line(result(point_values()), "thing")
    with pytest.raises(SpecError, match=r"'\.pdf'.*\.png, \.svg"):
        plot.save(fig, tmp_path / "chart.pdf")
    with pytest.raises(SpecError, match=r"\.png, \.svg"):
        plot.save(fig, tmp_path / "chart")
    assert list(tmp_path.iterdir()) == []


def test_save_replaces_existing_file(tmp_path):
    target = tmp_path / "chart.png"
    target.write_bytes(b"old")
    plot.save(plot.line(result(point_values()), "thing"), target)
    assert target.read_bytes()[:4] == b"\x89PNG"


# ---------------------------------------------------------------------------- embedded data

def test_line_on_embedded_projection(ons_long):
    codes = ["E10000018", "E06000016", "E06000017"]
    res = forecast.project(None, ["dementia_uk_2007", "depression_15pct"], ages="65+", areas=codes)
    fig = plot.line(res, "depression", years=[2025, 2030, 2035])
    ax = fig.axes[0]
    assert legend_labels(ax) == ["Leicestershire", "Leicester", "Rutland"]
    # depression_15pct: 15% of everyone aged 65 and over (the 2007 LLR strategy's rule),
    # from the ONS CSV; Leicestershire is the sum of its seven districts
    members = {"E10000018": [f"E070001{n}" for n in range(29, 36)], "E06000016": ["E06000016"],
               "E06000017": ["E06000017"]}
    old = ons_long[(ons_long["age"] >= 65) & ons_long["year"].isin([2025, 2030, 2035])]
    for i, code in enumerate(codes):
        pop65 = old[old["area_code"].isin(members[code])].groupby("year")["population"].sum()
        np.testing.assert_allclose(ax.lines[i].get_ydata(), 0.15 * pop65.to_numpy(), rtol=1e-9)
    assert ax.get_title().startswith(res["depression"].attrs["long_name"])
    source = fig.texts[0].get_text().replace("\n", " ")
    assert "ONS 2022-based subnational population projections" in source
    assert "depression_15pct" in source


# ---------------------------------------------------------------------------- sources of derived measures

DERIVED_FILE_CITATION = "Borough Council. Carers strategy 2015-2019: about 30,000 carers, 16,000 needing support."


def with_derived(kind_text: str) -> xr.Dataset:
    """The hand-made result plus a measure derived from it (half of it), as forecast's derived
    measures carry it: its own ``citation`` is the derived-measures file's sentence for it,
    its ``rate_set`` the base's, and the file's citation on the dataset."""
    ds = result(point_values())
    derived = (ds["thing"] * 0.5).rename("support")
    derived.attrs = {"long_name": "Carers needing support", "units": "persons", "derived_from": "thing",
                     "derivation": f"Carers needing support = People with a thing × 0.5 ({kind_text})",
                     "citation": "The strategy: 16,000 of 30,000 could require some support",
                     "derived_measures": "carers_file", "rate_set": "tiny_rates"}
    ds["support"] = derived
    ds.attrs.update({"derived_measures": "carers_file (sha256=" + "0" * 64 + ")",
                     "derived_measures_citation": DERIVED_FILE_CITATION})
    return ds


@pytest.mark.parametrize("kind_text, word", [("share 16,000 / 30,000", "share"),
                                             ("calibrated: 1,972 observed in X01 in 2013/14 / observed base count 30,000",
                                              "calibration")])
def test_source_line_credits_the_rate_set_and_the_derived_file_each_with_its_own_citation(kind_text, word):
    ds = with_derived(kind_text)
    fig = plot.line(ds, "support")
    source = fig.texts[-1].get_text().replace("\n", " ")
    # the rate set with ITS citation (Smith J, Jones K … 2019), the share or calibration with the file's
    assert "rates: tiny_rates (Smith et al. 2019)" in source
    assert f"{word}: carers_file (Borough Council 2015)" in source
    assert "The strategy" not in source  # the derived measure's sentence is not the rate set's citation
    # without the base measure in the result, the rate set is named without a citation, never a wrong one
    alone = plot.line(ds[["support"]], "support").texts[-1].get_text().replace("\n", " ")
    assert "rates: tiny_rates;" in alone and "(The strategy" not in alone and "(Smith" not in alone
    # the value axis says what is counted
    assert fig.axes[0].get_ylabel().replace("\n", " ") == "Carers needing support"


def test_source_line_names_scenarios_and_relative_risks():
    a = result(point_values())
    b = result(point_values())
    b["thing"].attrs["trend"] = ("age-specific rates fall 1% a year — Doe A, Roe B, Poe C. Trends since 2002 "
                                 "and projections. BMJ 2017;358:j1.")
    b["thing"].attrs["relative_risks"] = "rr_file"
    b["thing"].attrs["relative_risks_citation"] = "Pham TM, Petersen I. Trends in diagnosis. Clin Epidemiol 2018;10:949."
    fig = plot.compare({"constant": a, "falling": b}, "thing", "X01")
    source = fig.texts[-1].get_text().replace("\n", " ")
    # the journal's year (2017), not the year in the title (2002)
    assert "scenario “falling”: Doe et al. 2017" in source
    assert "relative risks: rr_file (Pham et al. 2018)" in source


@pytest.mark.parametrize("citation, short", [
    ("Ahmadi-Abhari S, Guzman-Castillo M, Bandosz P. Temporal trend in dementia incidence since 2002 and "
     "projections for prevalence in England and Wales to 2040: modelling study. BMJ 2017;358:j2856.",
     "Ahmadi-Abhari et al. 2017"),
    ("McManus S, Bebbington P, Jenkins R, Brugha T (eds.) (2016) Mental health and wellbeing in England: Adult "
     "Psychiatric Morbidity Survey 2014. Leeds: NHS Digital.", "McManus et al. 2016"),
    ("Leicester's mental health strategy for April 2015 - March 2019 (Leicester City Council and NHS partners): "
     "about 30,000 carers", "Leicester's mental health strategy for April 2015 - March 2019"),
])
def test_short_citation_year_of_publication_and_long_titles(citation, short):
    assert plot.short_citation(citation) == short


# ---------------------------------------------------------------------------- footers, legends, headroom

def test_footer_is_readable_and_wrapped_inside_the_figure():
    long_source = "Source: " + "; ".join(f"a population file number {i} with a long title" for i in range(12))
    fig = plot.line(result(point_values()), "thing", source=long_source)
    foot = fig.texts[-1]
    assert foot.get_fontsize() >= 9
    lines = foot.get_text().split("\n")
    assert len(lines) >= 3 and " ".join(lines) == long_source  # wrapped, nothing lost
    fig.canvas.draw()
    box = foot.get_window_extent(fig.canvas.get_renderer())
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width and box.y0 >= 0
    title = fig.axes[0].title.get_window_extent(fig.canvas.get_renderer())
    assert title.x0 >= 0 and title.x1 <= fig.bbox.width


def test_value_axis_leaves_headroom_above_the_highest_point_and_interval():
    rng = np.random.default_rng(5)
    draws = rng.gamma(5.0, 100.0, size=(2, 3, 2, 2, 101))
    res = result(draws, extra_dims=("draw",), extra_coords={"draw": np.arange(101)})
    ax = plot.line(res, "thing").axes[0]
    top = np.quantile(draws.sum(axis=(2, 3)), 0.975, axis=-1).max()  # the highest end of an interval
    bottom, ceiling = ax.get_ylim()
    assert bottom == 0 and ceiling >= 1.05 * top


def test_one_area_named_in_the_title_has_no_legend():
    vals = point_values()[:1]
    fig = plot.line(result(vals, areas=["X01"], names=["Area one"]), "thing")
    assert fig.axes[0].get_title() == "People with a thing: Area one, 2020 to 2022"
    assert fig.axes[0].get_legend() is None


def test_many_areas_are_grey_lines_without_a_legend_or_warning():
    n = 12
    vals = np.arange(n * 3 * 2 * 2, dtype=float).reshape(n, 3, 2, 2) + 1
    res = result(vals, areas=[f"X{i:02d}" for i in range(n)], names=[f"Area {i}" for i in range(n)])
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = plot.line(res, "thing")
        plot.to_bytes(fig, "svg")
    assert [str(w.message) for w in caught] == []
    ax = fig.axes[0]
    assert ax.get_legend() is None and len(ax.lines) == n
    assert {ln.get_color() for ln in ax.lines} == {"#7f7f7f"}
    for i in range(n):
        np.testing.assert_allclose(ax.lines[i].get_ydata(), vals[i].sum(axis=(1, 2)))
    assert f"One grey line for each of the {n} areas" in fig.texts[-1].get_text().replace("\n", " ")


def test_compared_lines_that_coincide_stay_apart():
    same = result(point_values())
    ax = plot.compare({"without": same, "with": same.copy()}, "thing", "X01").axes[0]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), ax.lines[1].get_ydata())  # the same values…
    assert ax.lines[0].get_linestyle() != ax.lines[1].get_linestyle()  # …drawn so that both show
    assert ax.lines[0].get_marker() != ax.lines[1].get_marker()


# ---------------------------------------------------------------------------- years beyond the projection

EXTENDED = "years 2021-2022 extended beyond the projection (each area × sex × single age × a national ratio)"


def test_extended_years_are_shaded_and_said():
    res = result(point_values())
    res.attrs["population_extended"] = EXTENDED
    for fig in (plot.line(res, "thing"), plot.compare({"a": res, "b": res}, "thing", "X01")):
        ax = fig.axes[0]
        spans = [p for p in ax.patches if p.get_label() == "_extended"]
        assert len(spans) == 1
        span = spans[0]
        xs = ([span.get_x(), span.get_x() + span.get_width()] if hasattr(span, "get_width")  # a Rectangle
              else span.get_xy()[:, 0])  # a Polygon (older matplotlib)
        assert min(xs) == pytest.approx(2020.5) and max(xs) == pytest.approx(2022.5)  # 2021 and 2022
        assert any(t.get_text() == "extended" for t in ax.texts)
        assert "2021-2022" in " ".join(t.get_text() for t in fig.texts).replace("\n", " ")
    # a bar chart of one year beyond the projection says so; of a year within it, not
    assert "2022 is beyond the population projection" in plot.bands(res, "thing", "X01", 2022).texts[-1].get_text() \
        .replace("\n", " ")
    assert not any("beyond" in t.get_text() for t in plot.bands(res, "thing", "X01", 2020).texts)
    # no extension, no shading
    assert not [p for p in plot.line(result(point_values()), "thing").axes[0].patches if p.get_label() == "_extended"]


# ---------------------------------------------------------------------------- ranked change

def test_change_ranks_the_areas_and_keeps_the_highest_and_lowest():
    n = 25
    rng = np.random.default_rng(21)
    vals = rng.uniform(100.0, 200.0, size=(n, 3, 2, 2))
    names = [f"Area {i}" for i in range(n)]
    res = result(vals, areas=[f"X{i:02d}" for i in range(n)], names=names)
    fig = plot.change(res, "thing", top=5)
    ax = fig.axes[0]
    totals = vals.sum(axis=(2, 3))  # (area, year)
    pct = 100 * (totals[:, 2] - totals[:, 0]) / totals[:, 0]
    order = np.argsort(-pct)
    keep = list(order[:5]) + list(order[-5:])
    widths = [p.get_width() for p in ax.containers[0]]
    np.testing.assert_allclose(widths, pct[keep])
    assert [t.get_text() for t in ax.get_yticklabels()] == [names[i] for i in keep]
    assert "change 2020 to 2022, the 5 highest and 5 lowest of 25 areas" in ax.get_title().replace("\n", " ")
    assert any(t.get_text() == "15 areas between not shown" for t in ax.texts)


def test_change_with_draws_is_the_median_of_the_change_within_each_draw():
    rng = np.random.default_rng(8)
    draws = rng.gamma(20.0, 10.0, size=(2, 3, 2, 2, 301))
    res = result(draws, extra_dims=("draw",), extra_coords={"draw": np.arange(301)})
    ax = plot.change(res, "thing", years=[2020, 2021], level=0.9).axes[0]
    tot = draws.sum(axis=(2, 3))  # (area, year, draw)
    per_draw = 100 * (tot[:, 1] - tot[:, 0]) / tot[:, 0]
    med = np.quantile(per_draw, 0.5, axis=-1)
    order = np.argsort(-med)
    bars = next(c for c in ax.containers if hasattr(c, "patches"))
    np.testing.assert_allclose([p.get_width() for p in bars], med[order])
    assert [t.get_text() for t in ax.get_yticklabels()] == [NAMES[i] for i in order]
    a = 0.05  # error bars: the central 90% of the per-draw changes
    lo, hi = np.quantile(per_draw, a, axis=-1)[order], np.quantile(per_draw, 1 - a, axis=-1)[order]
    segs = next(c for c in ax.containers if not hasattr(c, "patches")).lines[2][0].get_segments()
    np.testing.assert_allclose([s[:, 0].min() for s in segs], lo)
    np.testing.assert_allclose([s[:, 0].max() for s in segs], hi)


def test_change_refusals():
    with pytest.raises(SpecError, match="two different years"):
        plot.change(result(point_values()), "thing", years=[2021, 2021])
    with pytest.raises(SpecError, match="top must be"):
        plot.change(result(point_values()), "thing", top=0)
