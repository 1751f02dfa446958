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
from conftest import ASSUMPTIONS_DIR, EXAMPLES_DIR, LEICESTER, RUTLAND, forecast_cli, rates_by_age
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
    # the comparison says its years, and its source line credits the scenario's own study:
    # Ahmadi-Abhari S, … BMJ 2017;358:j2856 (the scenario file's citation)
    assert charts[2].title.endswith("with dementia (CFAS II): Leicester, 2025 to 2040")
    first_author = doc["source"]["citation"].split()[0]
    assert first_author == "Ahmadi-Abhari"
    source = charts[2].figure.texts[-1].get_text().replace("\n", " ")
    assert f"scenario “falling”: {first_author} et al. 2017" in source
    assert "rates: cfas_ii_2013 (Matthews et al. 2013)" in source
    # the two lines are told apart by line style and marker as well as colour
    assert ax.lines[0].get_linestyle() != ax.lines[1].get_linestyle() and ax.lines[0].get_marker() != ax.lines[1].get_marker()


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


# ---------------------------------------------------------------------------- sources, many areas, numbering

def test_carers_example_credits_each_source_with_its_own_citation():
    """examples/leicester_carers.yaml: every chart credits the census rate set with the ONS
    citation, and the three derived measures with the derived-measures file (the strategy),
    saying which is the share and which the calibration — never the strategy as the rate
    set's citation (the bug: "census2011_unpaid_care (The strategy 2013)")."""
    rates = yaml.safe_load((ASSUMPTIONS_DIR / "carers" / "census2011_unpaid_care.yaml").read_text(encoding="utf-8"))
    derived = yaml.safe_load((ASSUMPTIONS_DIR / "derived" / "leicester_carers_2015.yaml").read_text(encoding="utf-8"))
    # "Office for National Statistics. 2011 Census table DC3303EWr: …" → its publisher and year
    assert rates["source"]["citation"].startswith("Office for National Statistics. 2011 Census")
    rate_part = "rates: census2011_unpaid_care (Office for National Statistics 2011)"
    # "Leicester's mental health strategy for April 2015 - March 2019 (Leicester City Council …): …"
    strategy = " ".join(derived["source"]["citation"].split()).split(" (")[0]
    assert strategy == "Leicester's mental health strategy for April 2015 - March 2019"
    kinds = {name: ("share" if "share" in m else "calibration") + (" and scenario" if m.get("scenario") else "")
             for name, m in derived["measures"].items()}
    assert kinds == {"carers_needing_support": "share", "carers_assessments": "calibration and scenario",
                     "young_carers_known": "calibration"}
    assert derived["measures"]["carers_assessments"]["units"] == "completed assessments"
    charts = spec_charts(compute_for_charts(EXAMPLES_DIR / "leicester_carers.yaml"))
    labels = {m["label"]: name for name, m in derived["measures"].items()}
    assert len(charts) == 5
    for chart in charts:
        ax = chart.figure.axes[0]
        source = chart.figure.texts[-1].get_text().replace("\n", " ")
        assert rate_part in source and "(The strategy" not in source, source
        name = labels.get(ax.get_title().split(":")[0])
        if name is None:  # a measure from the rate set alone
            assert derived["id"] not in source and ax.get_ylabel() == "People"
            continue
        assert f"{kinds[name]}: {derived['id']} ({strategy})" in source, source
        # the value axis says what is counted (assessments are not people): the measure's
        # units, capitalised, where the file gives them, else its label
        m = derived["measures"][name]
        expected = m["units"][:1].upper() + m["units"][1:] if "units" in m else m["label"]
        assert ax.get_ylabel().replace("\n", " ") == expected
        # one area, named in the title: no legend over the markers; the top point below the frame
        assert ax.get_legend() is None
        assert ax.get_ylim()[1] >= 1.05 * max(ax.lines[0].get_ydata())


def test_many_areas_get_the_total_and_the_ranked_change(tmp_path):
    """all-upper-tier (153 areas, on the mid-2011 and mid-2018 estimates): no 153-line legend
    but the areas' total and each area's change ranked, recomputed from the estimates file
    with the ONS district → upper-tier lookup; no matplotlib warning reaches stderr."""
    import pandas as pd

    from conftest import POP_DIR

    spec = write_spec(tmp_path, "population: history\nareas: all-upper-tier\nmeasures: [depression_15pct]\n"
                                "ages: 65+\nyears: [2011, 2018]\n")
    charts = spec_charts(compute_for_charts(spec))
    assert [c.kind for c in charts] == ["line", "change"]
    mye = pd.read_csv(POP_DIR / "mye" / "mye_england_lad23_2011_2018.csv.gz", dtype={"age": str})
    mye = mye[mye.age.str.rstrip("+").astype(int) >= 65]
    lookup = pd.read_csv(POP_DIR / "geography" / "lad23_lookup.csv")
    by = mye.merge(lookup, left_on="area_code", right_on="LAD23CD").groupby(["CTYUA23CD", "CTYUA23NM", "year"])
    old = by.population.sum().unstack("year")
    assert len(old) == 153
    total = charts[0].figure.axes[0]
    np.testing.assert_allclose(total.lines[0].get_ydata(), 0.15 * mye.groupby("year").population.sum().to_numpy(),
                               rtol=1e-12)  # depression_15pct: 15% of everyone 65+
    assert total.get_legend() is None and "total of the 153 areas" in charts[0].title
    pct = (100 * (old[2018] - old[2011]) / old[2011]).sort_values(ascending=False, kind="stable")
    shown = pd.concat([pct.iloc[:10], pct.iloc[-10:]])
    ax = charts[1].figure.axes[0]
    bars = next(c for c in ax.containers if hasattr(c, "patches"))
    np.testing.assert_allclose([p.get_width() for p in bars], shown.to_numpy(), rtol=1e-9)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(shown.index.get_level_values("CTYUA23NM"))
    assert "the 10 highest and 10 lowest of 153 areas" in charts[1].title
    # the report's summary says "the 153 areas", not 153 names
    from forecast.specs.report import build_report

    dep = 0.15 * mye.groupby("year").population.sum()  # (the spec has no change: column)
    assert build_report(compute_for_charts(spec)).summary == [
        f"People aged 65 and over with depression in the 153 areas: {np.floor(dep[2011] + 0.5):,.0f} in 2011, "
        f"{np.floor(dep[2018] + 0.5):,.0f} in 2018"]
    r = forecast_cli("chart", spec, "-o", "m.png", cwd=tmp_path)
    assert r.returncode == 0 and "warning" not in r.stderr.lower(), r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m-1.png", "m-2.png", "spec.yaml"]


def test_a_chart_per_area_needs_an_area_when_there_are_many(tmp_path):
    spec = write_spec(tmp_path, "population: history\nareas: all-upper-tier\nmeasures: [depression_15pct]\n"
                                "bands: [65-74, 75+]\nyears: [2011, 2018]\ncharts:\n  - {kind: bands}")
    assert_bad_input(forecast_cli("chart", spec, "-o", "c.png", cwd=tmp_path),
                     "spec.yaml", "charts[0].area", "drawn for each area, and the table has 153: name one")


def test_years_beyond_the_projection_are_shaded(tmp_path):
    """extend_to: 2050 extends the ONS projection, whose last year is the last year column of
    its CSV (2047): the comparison shades 2048-2050 and says so under the chart."""
    import pandas as pd

    from conftest import SNPP_FILES

    last = max(int(c) for c in pd.read_csv(SNPP_FILES["males"], nrows=1).columns if c.isdigit())
    spec = write_spec(tmp_path, "areas: [Rutland]\nmeasures: [cfas_ii_2013]\nages: 65+\nextend_to: 2050\n"
                                "years: [2040, 2050]\nscenarios: {constant: constant, falling: ahmadi_abhari_2017_prevalence}\n"
                                "charts: [{kind: compare, area: Rutland}]")
    (chart,) = spec_charts(compute_for_charts(spec))
    ax = chart.figure.axes[0]
    (span,) = [p for p in ax.patches if p.get_label() == "_extended"]
    x0 = span.get_x() if hasattr(span, "get_width") else span.get_xy()[:, 0].min()
    x1 = x0 + span.get_width() if hasattr(span, "get_width") else span.get_xy()[:, 0].max()
    assert (x0, x1) == (pytest.approx(last + 0.5), pytest.approx(2050.5))
    assert f"{last + 1}-2050, years beyond the population projection" in " ".join(
        t.get_text() for t in chart.figure.texts).replace("\n", " ")
    assert chart.title.endswith("with dementia (CFAS II): Rutland, 2040 to 2050")


SPEC_ORDER = """
areas: [Leicester, Rutland]
measures: [cfas_ii_2013]
ages: 65+
bands: [65-74, 75+]
years: [2025, 2040]
scenarios: {constant: constant, falling: ahmadi_abhari_2017_prevalence}
charts:
  - {kind: line}
  - {kind: compare, area: Leicester}
  - {kind: bands, area: Rutland}
"""


def test_chart_numbers_are_the_same_in_every_output(tmp_path):
    """Chart N is the spec's Nth chart in `forecast chart` (out-N), the report's "Chart N",
    chart-N.png of the report folder and its datapackage titles (the bug: the report put the
    bands chart second, the chart command third)."""
    import json

    spec = write_spec(tmp_path, SPEC_ORDER)
    assert forecast_cli("chart", spec, "-o", "c.svg", cwd=tmp_path).returncode == 0
    assert forecast_cli("report", spec, "-o", "out/", cwd=tmp_path).returncode == 0
    svg_titles = []
    for n in (1, 2, 3):
        texts = [el.text or "" for el in ET.fromstring((tmp_path / f"c-{n}.svg").read_bytes()).iter()
                 if el.tag.endswith("text")]
        svg_titles.append(" ".join(texts))
    # the spec's order: the line chart (both areas), the comparison (its legend), the bands (Rutland)
    assert "Leicester" in svg_titles[0] and "Rutland" in svg_titles[0]
    assert "falling" in svg_titles[1] and "constant" in svg_titles[1]
    assert "Age band" in svg_titles[2] and "Rutland" in svg_titles[2]
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text(encoding="utf-8"))
    titles = {r["path"]: r["title"] for r in package["resources"]}
    for n in (1, 2, 3):
        head, title = titles[f"chart-{n}.png"].split(": ", 1)
        assert head == f"Chart {n}" and title[:30] in svg_titles[n - 1]  # (the title's first line)
    assert "Leicester" in titles["chart-2.png"] and "Rutland" in titles["chart-3.png"]
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    captions = [html.index(f"<figcaption>Chart {n}: ") for n in (1, 2, 3)]
    assert captions == sorted(captions)  # read in the spec's order
