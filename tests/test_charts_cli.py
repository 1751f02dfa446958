"""Spec charts and `forecast chart`: the data drawn, not the pixels.

Each chart's drawn values (line y-data, the shaded band, bar heights) are compared with
values worked out inside the test from the shipped ONS CSV files (the ``ons_long`` fixture,
plain pandas) and the rates read from the rate-set YAML files with plain PyYAML, or, for the
interval, with numpy quantiles of the draws in the result.  The command is run in process;
every bad input gives one line on stderr naming the file, line and field, exit status 2 and
no file.
"""

from __future__ import annotations

import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import yaml

import forecast.cli.chart  # noqa: F401  (registers `forecast chart` until forecast.cli imports it)
from conftest import ASSUMPTIONS_DIR, EXAMPLES_DIR, LEICESTER, RUTLAND, forecast_cli
from forecast.specs.report import compute_for_charts, spec_charts

pytestmark = pytest.mark.integration

SPAN = list(range(2025, 2041))


def write_spec(folder, body: str, name: str = "spec.yaml"):
    p = folder / name
    p.write_text("schema: forecast.table/1\n" + body.strip() + "\n", encoding="utf-8")
    return p


def assert_bad_input(r, *fragments):
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("forecast: error: ") and "Traceback" not in r.stderr
    for f in fragments:
        assert f in lines[0], lines[0]


def pop(ons_long, area, ages=(65, 90), years=None, sex=None):
    d = ons_long[(ons_long.area_code == area) & ons_long.age.between(*ages)]
    if sex is not None:
        d = d[d.sex == sex]
    if years is not None:
        d = d[d.year.isin(years)]
    return d


def rates_by_age(rate_set_file) -> dict[str, np.ndarray]:
    """A rate set's rate for each single age 0..90 by sex, read from its YAML with PyYAML."""
    doc = yaml.safe_load(rate_set_file.read_text(encoding="utf-8"))
    out = {}
    for sex in ("male", "female"):
        r = np.zeros(91)
        for band, rate in zip(doc["rates"]["bands"], doc["rates"][sex]):
            lo, hi = (int(band[:-1]), 90) if band.endswith("+") else map(int, band.split("-"))
            r[lo:hi + 1] = rate
        out[sex] = r
    return out


def expected(ons_long, area, rates, years, ages=(65, 90)):
    """Σ population × rate over single ages and both sexes, by year."""
    d = pop(ons_long, area, ages, years)
    d = d.assign(v=d.population * [rates[s][a] for s, a in zip(d.sex, d.age)])
    return d.groupby("year").v.sum().reindex(years).to_numpy()


CFAS = ASSUMPTIONS_DIR / "dementia" / "cfas_ii_2013.yaml"


# ---------------------------------------------------------------------------- what is drawn

def test_default_charts_one_line_per_area_per_measure(tmp_path, ons_long):
    spec = write_spec(tmp_path, """
areas: [Leicester, Rutland]
measures: [depression_15pct, cfas_ii_2013]
ages: 65+
years: [2025, 2030, 2040]
""")
    charts = spec_charts(compute_for_charts(spec))
    assert [c.kind for c in charts] == ["line", "line"]
    cfas = rates_by_age(CFAS)
    for chart, rule in zip(charts, ("depression", "dementia")):
        ax = chart.figure.axes[0]
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Leicester", "Rutland"]  # names, not codes
        for line, area in zip(ax.lines, (LEICESTER, RUTLAND)):
            assert list(line.get_xdata()) == SPAN  # every year from the spec's first to its last
            if rule == "depression":  # 15% of everyone 65+
                want = 0.15 * pop(ons_long, area, years=SPAN).groupby("year").population.sum().to_numpy()
            else:
                want = expected(ons_long, area, cfas, SPAN)
            np.testing.assert_allclose(line.get_ydata(), want, rtol=1e-9)
        assert ax.get_ylabel() == "People"
        assert "Office for National Statistics" not in chart.title  # the source is under the chart, not in the title
        foot = chart.figure.texts[0].get_text().replace("\n", " ")
        assert "ONS 2022-based subnational population projections" in foot


def test_fan_chart_band_is_the_interval_of_the_draws(tmp_path):
    spec = write_spec(tmp_path, """
areas: [Leicester, Rutland]
measures: [cfas_ii_2013]
ages: 65+
years: [2025, 2035]
charts: [{kind: line, measure: dementia, area: Leicester}]
uncertainty: {draws: 200, seed: 4, level: 0.9}
""")
    c = compute_for_charts(spec)
    (chart,) = spec_charts(c)
    ax = chart.figure.axes[0]
    draws = c.results[""]["dementia"].sel(area=LEICESTER, year=list(range(2025, 2036)))
    totals = draws.sum([d for d in draws.dims if d not in ("year", "draw")]).transpose("year", "draw").values
    np.testing.assert_allclose(ax.lines[0].get_ydata(), np.median(totals, axis=1), rtol=1e-12)
    (band,) = ax.collections
    v = band.get_paths()[0].vertices
    for x, lo, hi in zip(range(2025, 2036), np.quantile(totals, 0.05, axis=1), np.quantile(totals, 0.95, axis=1)):
        ys = v[np.isclose(v[:, 0], x), 1]
        assert ys.min() == pytest.approx(lo, rel=1e-12) and ys.max() == pytest.approx(hi, rel=1e-12)
    assert "median of 200 draws" in chart.figure.texts[0].get_text() and "90% interval" in chart.figure.texts[0].get_text()


def test_compare_chart_one_line_per_scenario(tmp_path, ons_long):
    spec = write_spec(tmp_path, """
areas: [Leicester, Rutland]
measures: [cfas_ii_2013, depression_15pct]
ages: 65+
years: [2025, 2040]
scenarios: {constant: constant, falling: ahmadi_abhari_2017_prevalence}
""")
    charts = spec_charts(compute_for_charts(spec))
    # default: the first column's line chart per measure, then a compare chart per area where the
    # columns differ (the dementia scenario leaves depression as it is)
    assert [c.kind for c in charts] == ["line", "line", "compare", "compare"]
    assert charts[0].title.endswith("(constant)")
    ax = charts[2].figure.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["constant", "falling"]
    constant = expected(ons_long, LEICESTER, rates_by_age(CFAS), SPAN)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), constant, rtol=1e-9)
    # the scenario file: +0.03% a year 2020-2030, then -1.13% a year 2030-2040, compounded from 2020
    doc = yaml.safe_load((ASSUMPTIONS_DIR / "scenarios" / "ahmadi_abhari_2017_prevalence.yaml").read_text())
    (a, b) = doc["trend"]["segments"]
    years = np.array(SPAN)
    factor = (1 + a["annual_change"]) ** (np.minimum(years, 2030) - 2020) * (1 + b["annual_change"]) ** np.clip(years - 2030, 0, 10)
    np.testing.assert_allclose(ax.lines[1].get_ydata(), constant * factor, rtol=1e-9)
    assert "Leicester" in charts[2].title and "Rutland" in charts[3].title


def test_compare_chart_of_measures_side_by_side(tmp_path, ons_long):
    spec = write_spec(tmp_path, """
areas: [Rutland]
measures:
  - {rate_set: cfas_ii_2013, label: CFAS II}
  - {rate_set: depression_15pct, label: Fifteen per cent}
ages: 65+
years: [2025, 2040]
charts: [{kind: compare}]
""")
    (chart,) = spec_charts(compute_for_charts(spec))
    ax = chart.figure.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["CFAS II", "Fifteen per cent"]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), expected(ons_long, RUTLAND, rates_by_age(CFAS), SPAN), rtol=1e-9)
    np.testing.assert_allclose(ax.lines[1].get_ydata(),
                               0.15 * pop(ons_long, RUTLAND, years=SPAN).groupby("year").population.sum().to_numpy(), rtol=1e-9)


def test_bands_chart_heights_are_band_sums(tmp_path, ons_long):
    spec = write_spec(tmp_path, """
areas: [Leicester]
measures: [cfas_ii_2013]
bands: [65-74, 75-84, 85+]
years: [2025, 2040]
charts:
  - {kind: bands, year: 2040}
  - {kind: bands, area: Leicester, year: 2030, by_sex: true}
""")
    total, by_sex = spec_charts(compute_for_charts(spec))
    cfas = rates_by_age(CFAS)
    ages = {"65-74": (65, 74), "75-84": (75, 84), "85+": (85, 90)}
    heights = [p.get_height() for p in total.figure.axes[0].containers[0].patches]
    np.testing.assert_allclose(heights, [expected(ons_long, LEICESTER, cfas, [2040], a)[0] for a in ages.values()], rtol=1e-9)
    assert [t.get_text() for t in total.figure.axes[0].get_xticklabels()] == list(ages)
    male, female = by_sex.figure.axes[0].containers
    for bars, sex in ((male, "male"), (female, "female")):
        want = []
        for a in ages.values():
            d = pop(ons_long, LEICESTER, a, [2030], sex)
            want.append(float((d.population * cfas[sex][d.age.to_numpy()]).sum()))
        np.testing.assert_allclose([p.get_height() for p in bars.patches], want, rtol=1e-9)


def test_pyramid_chart_widths_are_ons_band_sums(tmp_path, ons_long):
    spec = write_spec(tmp_path, """
areas: [Rutland]
measures: [depression_15pct]
ages: 65+
years: [2025, 2040]
charts: [{kind: pyramid, year: 2040, compare_year: 2025}]
""")
    (chart,) = spec_charts(compute_for_charts(spec))
    ax = chart.figure.axes[0]
    males, females, males_then, _ = ax.containers
    d = ons_long[ons_long.area_code == RUTLAND]
    for bars, sex, year, sign in ((males, "male", 2040, -1), (females, "female", 2040, 1), (males_then, "male", 2025, -1)):
        one = d[(d.sex == sex) & (d.year == year)]
        want = [one[one.age.between(lo, lo + 4)].population.sum() for lo in range(0, 90, 5)] + [one[one.age == 90].population.sum()]
        np.testing.assert_allclose([sign * p.get_width() for p in bars.patches], want, rtol=1e-12)


def test_ethnicity_chart_bars_are_group_shares_of_the_total(tmp_path, ons_long):
    spec = write_spec(tmp_path, """
areas: [Leicester]
ethnicity: {mix: census2021_ts021_llr, mapping: census2021_to_broad5}
measures: [depression_15pct]
ages: 65+
years: [2030]
charts: [{kind: ethnicity}]
""")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the all-age shares caveat (it is in the notes)
        (chart,) = spec_charts(compute_for_charts(spec))
    ax = chart.figure.axes[0]
    groups = [t.get_text() for t in ax.get_yticklabels()]
    widths = dict(zip(groups, (p.get_width() for p in ax.containers[0].patches)))
    # the Census 2021 TS021 counts for Leicester (all ages), grouped with the mapping file
    import pandas as pd

    mix = pd.read_csv(ASSUMPTIONS_DIR.parent / "population" / "ethnicity" / "census2021_ts021_llr.csv", comment="#")
    mix = mix[mix.area_code == LEICESTER]
    mapping = yaml.safe_load((ASSUMPTIONS_DIR / "ethnicity" / "census2021_to_broad5.yaml").read_text())["groups"]
    broad = {g: mix[mix.ethnic_group.isin(members)]["count"].sum() for g, members in mapping.items()}
    total = 0.15 * pop(ons_long, LEICESTER, years=[2030]).population.sum()
    assert sorted(widths) == sorted(broad)
    for g in broad:
        assert widths[g] == pytest.approx(total * broad[g] / sum(broad.values()), rel=1e-9)


# ---------------------------------------------------------------------------- the command

SPEC_TWO = """
areas: [Leicester, Rutland]
measures: [depression_15pct, cfas_ii_2013]
ages: 65+
years: [2025, 2040]
"""


def test_chart_command_numbers_several_charts(tmp_path):
    spec = write_spec(tmp_path, SPEC_TWO)
    r = forecast_cli("chart", spec, "-o", tmp_path / "out.png", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out-1.png", "out-2.png", "spec.yaml"]  # no temporary files
    for name in ("out-1.png", "out-2.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    r = forecast_cli("chart", spec, "--chart", "2", "-o", tmp_path / "only.svg", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    texts = [el.text or "" for el in ET.fromstring((tmp_path / "only.svg").read_bytes()).iter() if el.tag.endswith("text")]
    joined = " ".join(texts)
    # the second default chart is the second measure's (CFAS II), with area names in its legend
    assert "dementia" in joined.lower() and "Leicester" in texts and "Rutland" in texts


def test_chart_command_one_chart_one_file(tmp_path):
    spec = write_spec(tmp_path, SPEC_TWO + "charts: [{kind: line, measure: depression}]")
    r = forecast_cli("chart", spec, "-o", "c.svg", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.svg", "spec.yaml"]


@pytest.mark.parametrize("chart,fragments", [
    ("{kind: line, measure: dementa}", ["line 7", "charts[0].measure", "measure 'dementa' is not in the table"]),
    ("{kind: line, area: Leics}", ["line 7", "charts[0].area", "'Leics' is not in the table", "E06000016 Leicester"]),
    ("{kind: bands, year: 2060}", ["line 7", "charts[0].year", "2060 is not one of the result's years (2022-2047)"]),
    ("{kind: line, compare_year: 2025}", ["line 7", "charts[0].compare_year", "not used by a line chart"]),
    ("{kind: ethnicity}", ["line 7", "charts[0].kind", "needs an 'ethnicity: {mix: …}' section"]),
    ("{kind: chord}", ["line 7", "charts[0].kind"]),
    ("{kind: pyramid, year: 2030/31}", ["line 7", "charts[0].year", "give a calendar year"]),
])
def test_chart_asked_for_what_the_result_lacks(tmp_path, chart, fragments):
    spec = write_spec(tmp_path, "areas: [Leicester, Rutland]\nmeasures: [depression_15pct]\nbands: [65-74, 75+]\n"
                                "years: [2025, 2040]\ncharts:\n  - " + chart)
    assert_bad_input(forecast_cli("chart", spec, "-o", "c.png", cwd=tmp_path), "spec.yaml", *fragments)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.yaml"]


def test_compare_chart_needs_something_to_compare(tmp_path):
    spec = write_spec(tmp_path, "areas: [Leicester]\nmeasures: [depression_15pct]\nages: 65+\nyears: [2025]\n"
                                "charts: [{kind: compare}]")
    assert_bad_input(forecast_cli("chart", spec, "-o", "c.png", cwd=tmp_path),
                     "spec.yaml", "charts[0].kind", "needs scenarios, variants or several measures")


@pytest.mark.parametrize("output,fragments", [
    ("c.pdf", ["--output", "cannot write .pdf files", "png, svg"]),
    ("c", ["--output", "without a suffix", "png, svg"]),
    ("missing/c.png", ["missing", "output folder does not exist"]),
])
def test_chart_output_refused(tmp_path, output, fragments):
    spec = write_spec(tmp_path, SPEC_TWO)
    assert_bad_input(forecast_cli("chart", spec, "-o", output, cwd=tmp_path), *fragments)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.yaml"]


def test_chart_number_out_of_range(tmp_path):
    spec = write_spec(tmp_path, SPEC_TWO)
    assert_bad_input(forecast_cli("chart", spec, "--chart", "3", "-o", "c.png", cwd=tmp_path),
                     "--chart", "the spec draws 2 charts, so there is no chart 3")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.yaml"]


def test_example_report_spec_charts(tmp_path):
    """examples/llr_report.yaml: the fan chart (with its interval), the scenario comparison and
    the age bands, in the order of its charts: list."""
    r = forecast_cli("chart", EXAMPLES_DIR / "llr_report.yaml", "--draws", "40", "-o", "llr.svg", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["llr-1.svg", "llr-2.svg", "llr-3.svg"]
    fan = (tmp_path / "llr-1.svg").read_text()
    assert "median of 40 draws" in fan and "central 95% interval" in fan
    assert "constant rates" in (tmp_path / "llr-2.svg").read_text() and "Age band" in (tmp_path / "llr-3.svg").read_text()
