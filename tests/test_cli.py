"""The command line, as a user runs it (in process, through the command's own entry point):
output, exit codes, one-line errors with no traceback, and no partial output file on failure."""

import io
import os
import subprocess
import sys

import pandas as pd
import pytest

from conftest import ASSUMPTIONS_DIR, EXAMPLES_DIR, LEICESTER, SNPP_FILES, forecast_cli

pytestmark = pytest.mark.integration

SPEC = EXAMPLES_DIR / "llr_table1.yaml"


def assert_bad_input(r, *fragments):
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("forecast: error: ")
    assert "Traceback" not in r.stderr
    for f in fragments:
        assert f in lines[0]


def test_table_default_spec(tmp_path):
    r = forecast_cli("table", SPEC, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "| **Dementia** |" in r.stdout and "Change 2025 to 2040" in r.stdout
    assert "Leicestershire" in r.stdout and "Rutland" in r.stdout


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "html", "md"])
def test_table_formats_to_file(tmp_path, fmt):
    """Every format carries the table's numbers: Rutland's dementia 2040 (1,280 once rounded
    to 10), Leicester's depression change (+24.7%); no temporary file is left behind."""
    out = tmp_path / f"t.{fmt}"
    r = forecast_cli("table", SPEC, "--output", out, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    if fmt == "xlsx":
        from openpyxl import load_workbook

        cells = [c.value for row in load_workbook(out).worksheets[0].iter_rows() for c in row if c.value is not None]
        assert 1280 in cells and any(isinstance(c, float) and round(c, 3) == 0.247 for c in cells)
    elif fmt == "csv":
        df = pd.read_csv(out)
        row = df[(df.area_name == "Rutland") & (df.measure == "dementia")].iloc[0]
        assert row["2040"] == 1280
        assert df[(df.area_name == "Leicester") & (df.measure == "depression")].iloc[0]["Change 2025 to 2040 (%)"] == 24.7
    else:
        text = out.read_text()
        assert "1,280" in text and "+24.7%" in text and "Table 1: People aged 65 and over" in text
    expected = sorted([out.name] + (["t.json"] if fmt == "csv" else []))  # a CSV gets its provenance beside it
    assert sorted(p.name for p in tmp_path.iterdir()) == expected


def test_xlsx_needs_output(tmp_path):
    assert_bad_input(forecast_cli("table", SPEC, "--format", "xlsx", cwd=tmp_path), "needs --output")


def test_run_cfas_leicester_2030_by_band(tmp_path, ons_long):
    """Issue check: each band equals Σ population × rate over its single ages (male and female)."""
    r = forecast_cli("run", "--areas", LEICESTER, "--measures", "cfas_ii_2013", "--years", "2030",
                     "--bands", "65-74,75-84,85+", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    df = pd.read_csv(io.StringIO(r.stdout))
    assert list(df.columns) == ["area_code", "area_name", "year", "sex", "age_band", "measure", "rate_set", "value"]
    assert set(df.rate_set) == {"cfas_ii_2013"}
    rates = {"male": [0.012] * 5 + [0.030] * 5 + [0.052] * 5 + [0.106] * 5 + [0.128] * 5 + [0.171],
             "female": [0.018] * 5 + [0.025] * 5 + [0.062] * 5 + [0.095] * 5 + [0.181] * 5 + [0.350]}
    d = ons_long[(ons_long.area_code == LEICESTER) & (ons_long.year == 2030) & (ons_long.age >= 65)]
    for sex in ("male", "female"):
        ages = d[d.sex == sex].sort_values("age")
        contrib = ages.population.to_numpy() * rates[sex]
        for band, (lo, hi) in {"65-74": (0, 10), "75-84": (10, 20), "85+": (20, 26)}.items():
            got = df[(df.sex == sex) & (df.age_band == band)].value.item()
            assert got == pytest.approx(contrib[lo:hi].sum(), abs=1e-6)


def test_run_default_bands_are_the_rate_sets_own(tmp_path):
    r = forecast_cli("run", "-a", "Rutland", "-m", "dementia_uk_2014", "-y", "2030", cwd=tmp_path)
    df = pd.read_csv(io.StringIO(r.stdout))
    assert list(df.age_band.unique()) == ["65-69", "70-74", "75-79", "80-84", "85-89", "90+"]


def test_run_financial_years_and_netcdf(tmp_path):
    import xarray as xr

    out = tmp_path / "o.nc"
    r = forecast_cli("run", "-a", "Leicester,Rutland", "-m", "dementia_uk_2014,depression_15pct",
                     "-y", "2025/26,2026/27", "--ages", "65+", "-o", out, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    ds = xr.open_dataset(out)
    assert list(ds["financial_year"].values) == ["2025/26", "2026/27"]
    assert set(ds.data_vars) == {"dementia", "depression"}
    ds.close()


def test_run_same_inputs_give_identical_bytes(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    for out in (a, b):
        assert forecast_cli("run", "-a", "Leicester", "-m", "apms2014_any_cmd", "-y", "2025-2030", "-o", out, cwd=tmp_path).returncode == 0
    assert a.read_bytes() == b.read_bytes()


def test_assumptions_commands(tmp_path):
    r = forecast_cli("assumptions", "list", cwd=tmp_path)
    assert r.returncode == 0 and "cfas_ii_2013" in r.stdout
    r = forecast_cli("assumptions", "show", "dementia_uk_2007", cwd=tmp_path)
    assert r.returncode == 0 and "Knapp M" in r.stdout and "95+" in r.stdout
    r = forecast_cli("assumptions", "validate", ASSUMPTIONS_DIR, cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.count("ok: ") == len(list(ASSUMPTIONS_DIR.rglob("*.yaml")))


def test_areas(tmp_path):
    r = forecast_cli("areas", "rut", cwd=tmp_path)
    assert r.returncode == 0 and "E06000017" in r.stdout and "Leicester" not in r.stdout


def test_help_shows_examples(tmp_path):
    for args in (["--help"], ["table", "--help"], ["run", "--help"], ["assumptions", "--help"], ["areas", "--help"]):
        r = forecast_cli(*args, cwd=tmp_path)
        assert r.returncode == 0 and "Examples:" in r.stdout


# ---------------------------------------------------------------------------- bad input

def _edited_females(tmp_path, old, new):
    text = SNPP_FILES["females"].read_text().replace(old, new, 1)
    p = tmp_path / "females.csv"
    p.write_text(text)
    return p


@pytest.mark.parametrize(
    "make_args, fragments",
    [
        (lambda t: ["areas", "--population", t / "missing.csv"], ["missing.csv: file not found"]),
        (lambda t: ["areas", "--population", SNPP_FILES["males"], "--population", _edited_females(t, ",2145.000,", ",x,")],
         ["females.csv: line 5: column 2022: 'x' is not a number"]),
        (lambda t: ["areas", "--population", SNPP_FILES["males"], "--population", _edited_females(t, ",2145.000,", ",-1,")],
         ["line 5: column 2022: negative population"]),
        (lambda t: ["areas", "--population", SNPP_FILES["males"], "--population",
                    _edited_females(t, "E06000016,Leicester,Population,females,45,", "E06000016,Leicester,Population,females,44,")],
         ["duplicate row for area E06000016, female, age 44"]),
        (lambda t: ["run", "-a", "Leicestr", "-m", "cfas_ii_2013", "-y", "2030"], ["--areas: unknown area 'Leicestr'", "E06000016 Leicester"]),
        (lambda t: ["run", "-a", "Leicester", "-m", "nosuch", "-y", "2030"], ["--measures: unknown rate set 'nosuch'"]),
        (lambda t: ["run", "-a", "Leicester", "-m", "cfas_ii_2013", "-y", "2050"], ["--years: year 2050 is outside"]),
        (lambda t: ["run", "-a", "Leicester", "-m", "cfas_ii_2013", "-y", "2030", "-b", "18-64"], ["--bands: rate set 'cfas_ii_2013' covers ages 65+"]),
        (lambda t: ["run", "-a", "Leicester", "-m", "cfas_ii_2013", "-y", "2030", "-b", "65-74,70-79"], ["overlap"]),
        (lambda t: ["run", "-a", "Leicester", "-m", "cfas_ii_2013", "-y", "2030/32"], ["not consecutive"]),
        (lambda t: ["table", t / "nospec.yaml"], ["nospec.yaml: file not found"]),
    ],
)
def test_bad_inputs_exit_2_one_line(tmp_path, make_args, fragments):
    assert_bad_input(forecast_cli(*make_args(tmp_path), cwd=tmp_path), *fragments)


@pytest.mark.parametrize(
    "old, new, fragments",
    [
        ("rate_set: depression_15pct", "rate_set: depresion_15pct", ["line 13: measures[1].rate_set: unknown rate set 'depresion_15pct'"]),
        ("E06000017]", "Rutlnd]", ["areas[2]: unknown area 'Rutlnd'", "E06000017 Rutland"]),
        ("2035, 2040]\nchange: [2025, 2040]", "2035, 2050]\nchange: [2025, 2050]", ["years[3]: 2050 is outside the population's years 2022-2047"]),
        ("change: [2025, 2040]", "change: [2025, 2045]", ["change[1]: 2045 is not one of the table's years (2025, 2030, 2035, 2040)"]),
        ("ages: \"65+\"", "ages: \"18-64\"", ["ages: rate set 'dementia_uk_2007' covers ages 65+"]),
        ("[E10000018, E06000016, E06000017]", "[E10000018, E07000129]", ["areas: cannot total areas that overlap"]),
        ("round_to: 10", "round_to: -1", ["round_to: must be more than 0, not -1"]),
    ],
)
def test_bad_spec_no_output_left(tmp_path, old, new, fragments):
    spec = tmp_path / "spec.yaml"
    text = SPEC.read_text()
    assert old in text
    spec.write_text(text.replace(old, new))
    out = tmp_path / "table.xlsx"
    assert_bad_input(forecast_cli("table", spec, "--output", out, cwd=tmp_path), "spec.yaml", *fragments)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.yaml"]


def test_bad_rate_set_files(tmp_path):
    good = ASSUMPTIONS_DIR / "dementia" / "cfas_ii_2013.yaml"
    bad = tmp_path / "cfas_ii_2013.yaml"
    bad.write_text(good.read_text().replace("0.030, 0.052", "3.0, 0.052"))
    r = forecast_cli("assumptions", "validate", good, bad, cwd=tmp_path)
    assert r.returncode == 2
    assert f"ok: {good}" in r.stdout
    assert "rates.male[1]: rate 3 is outside 0-1 proportion" in r.stderr
    r = forecast_cli("run", "-a", "Leicester", "-m", bad, "-y", "2030", "-o", tmp_path / "x.csv", cwd=tmp_path)
    assert_bad_input(r, "rates.male[1]")
    assert not (tmp_path / "x.csv").exists()


def test_output_folder_missing(tmp_path):
    r = forecast_cli("run", "-a", "Leicester", "-m", "cfas_ii_2013", "-y", "2030", "-o", tmp_path / "no" / "x.csv", cwd=tmp_path)
    assert_bad_input(r, "output folder does not exist")


# ---------------------------------------------------------------------------- ethnicity

ETH = ["--ethnic-mix", "census2021_ts021_llr", "--ethnic-mapping", "census2021_to_broad5"]


def test_run_by_ethnicity(tmp_path):
    r = forecast_cli("run", "-a", "Leicester", "-m", "dementia_uk_2014", "-y", "2030", "--ages", "65+", *ETH,
                     "--relative-risks", "pham2018_dementia_irr", "--by", "ethnicity", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    df = pd.read_csv(io.StringIO(r.stdout))
    assert list(df.columns) == ["area_code", "area_name", "year", "sex", "age_band", "ethnicity", "measure", "rate_set", "value"]
    assert set(df.ethnicity) == {"White", "Mixed", "Asian", "Black", "Other"}
    # the caveat about all-age shares, once, as a plain line
    assert r.stderr.count("forecast: warning: the ethnic mix has all-age shares only") == 1


def test_run_with_adjustment_sums_groups(tmp_path):
    plain = forecast_cli("run", "-a", "Leicester", "-m", "dementia_uk_2014", "-y", "2030", "--ages", "65+", cwd=tmp_path)
    same = forecast_cli("run", "-a", "Leicester", "-m", "dementia_uk_2014", "-y", "2030", "--ages", "65+", *ETH, cwd=tmp_path)
    a, b = (pd.read_csv(io.StringIO(x.stdout)) for x in (plain, same))
    assert list(b.columns) == list(a.columns)
    # no relative risks: the split changes nothing
    assert b.value.to_numpy() == pytest.approx(a.value.to_numpy(), rel=1e-9)


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["--ethnic-mix", "census2011_white_by_age_llr", "--relative-risks", "pham2018_dementia_irr"],
         ["--relative-risks: relative risks 'pham2018_dementia_irr' are given for group(s) 'Black', 'Asian'"]),
        (["--ethnic-mix", "census2021_ts021_llr", "--relative-risks", "pham2018_dementia_irr"],
         ["--relative-risks", "which the ethnic mix does not have"]),
        (["--ethnic-mix", "nosuchmix"], ["unknown ethnic mix 'nosuchmix'"]),
        (["--ethnic-mix", "census2021_ts021_llr", "--ethnic-mapping", "llr2007_to_broad5"], ["has no entry in mapping 'llr2007_to_broad5'"]),
        (["--by", "ethnicity"], ["--by ethnicity needs --ethnic-mix"]),
        (["--ethnic-mix", "census2021_ts021_llr", "--ethnic-mapping", "census2021_to_broad5", "--relative-risks", "apms2014_cmd_ethnicity"],
         ["are for measure 'common_mental_disorder'"]),
    ],
)
def test_run_ethnicity_errors(tmp_path, args, fragments):
    r = forecast_cli("run", "-a", "Leicester", "-m", "dementia_uk_2014", "-y", "2030", "--ages", "65+", *args, cwd=tmp_path)
    assert_bad_input(r, *fragments)


def test_table_by_ethnicity_and_compare(tmp_path):
    spec = EXAMPLES_DIR / "llr_ethnic_table1.yaml"
    r = forecast_cli("table", spec, cwd=tmp_path)
    assert r.returncode == 0 and "2025 without | 2025 with | 2025 difference" in r.stdout
    # --by ethnicity on a without/with spec shows the adjusted figures by group instead
    r = forecast_cli("table", spec, "--by", "ethnicity", cwd=tmp_path)
    assert r.returncode == 0 and "| Leicester: Asian |" in r.stdout and "| **Total: Black** |" in r.stdout
    plain = tmp_path / "by.yaml"
    plain.write_text(spec.read_text().replace("compare: true", "compare: false"))
    assert forecast_cli("table", plain, "--by", "ethnicity", cwd=tmp_path).stdout == r.stdout


# ---------------------------------------------------------------------------- carers

def test_run_carers_funnel_by_financial_year(tmp_path):
    r = forecast_cli("run", "-a", "Leicester", "-m", "unpaid_carers=census2011_unpaid_care,young_carers=census2011_unpaid_care",
                     "--ages", "All ages", "-y", "2022/23-2029/30", "--derived", "leicester_carers_2015", "--history", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    df = pd.read_csv(io.StringIO(r.stdout))
    assert set(df.measure) == {"unpaid_carers", "young_carers", "carers_needing_support", "carers_assessments", "young_carers_known"}
    assert sorted(df.year.unique()) == [f"{y}/{(y + 1) % 100:02d}" for y in range(2022, 2030)]


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["-y", "2022", "--derived", "leicester_carers_2015"], ["no population covers 2011", "against_observed"]),
        (["-y", "2031/32-2029/30", "--history"], ["--years", "before the start"]),
        (["-y", "2022", "--derived", "nosuch"], ["--derived: unknown derived-measures file 'nosuch'"]),
        (["-y", "2022"], []),
    ],
)
def test_run_carers_errors(tmp_path, args, fragments):
    r = forecast_cli("run", "-a", "Leicester", "-m", "unpaid_carers=census2011_unpaid_care,young_carers=census2011_unpaid_care",
                     "--ages", "All ages", *args, cwd=tmp_path)
    if fragments:
        assert_bad_input(r, *fragments)
    else:
        assert r.returncode == 0


def test_carers_table_formats(tmp_path):
    out = tmp_path / "c.xlsx"
    r = forecast_cli("table", EXAMPLES_DIR / "leicester_carers.yaml", "-o", out, cwd=tmp_path)
    assert r.returncode == 0 and out.exists()


# ---------------------------------------------------------------------------- uncertainty, scenarios, scale

DRAWS = ["-a", "Leicester,Rutland", "-m", "cfas_ii_2013,apms2014_any_cmd", "-y", "2030", "--draws", "200"]


def test_run_draws_same_seed_byte_identical(tmp_path):
    outs = []
    for seed in ("7", "7", "8"):
        out = tmp_path / f"d{len(outs)}.csv"
        r = forecast_cli("run", *DRAWS, "--seed", seed, "-o", out, cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] and outs[0] != outs[2]
    df = pd.read_csv(tmp_path / "d0.csv")
    # one column per statistic, the central estimate (the median) first
    assert list(df.columns) == ["area_code", "area_name", "year", "sex", "age_band", "measure", "rate_set",
                                "median", "mean", "q0.025", "q0.975"]


def test_run_on_two_local_workers_equals_in_memory(tmp_path):
    a = forecast_cli("run", *DRAWS, "--seed", "3", cwd=tmp_path)
    b = forecast_cli("run", *DRAWS, "--seed", "3", "--workers", "2", "--chunk-areas", "1", cwd=tmp_path)
    assert a.returncode == 0 and b.returncode == 0, b.stderr
    x, y = (pd.read_csv(io.StringIO(r.stdout)) for r in (a, b))
    for stat in ("median", "mean", "q0.025", "q0.975"):
        assert x[stat].to_numpy() == pytest.approx(y[stat].to_numpy(), rel=1e-9)


def test_run_estimate(tmp_path):
    """The estimate is of the run as it will be: each measure in its own published bands
    (CFAS II 6, APMS 2014 7), so its rows, cells and values drawn are those of the CSV the
    run writes (2 areas × 1 year × 2 sexes × 13 bands = 52 rows)."""
    r = forecast_cli("run", *DRAWS, "--estimate", cwd=tmp_path)
    assert r.returncode == 0 and "time:" in r.stdout
    written = forecast_cli("run", *DRAWS, cwd=tmp_path)
    df = pd.read_csv(io.StringIO(written.stdout))
    rows = len(df)
    assert rows == 2 * 2 * (6 + 7)
    stats = len([c for c in df.columns if c == "mean" or c == "median" or c.startswith("q")])  # median, mean, 2 quantiles
    assert f"values drawn:   {rows * 200:,}" in r.stdout and f"output cells:   {rows * stats:,}" in r.stdout
    assert f"CSV output:     about {rows:,} rows" in r.stdout
    kept = forecast_cli("run", *DRAWS, "--keep-draws", "--estimate", cwd=tmp_path)
    assert f"output cells:   {rows * 200:,}" in kept.stdout and f"about {rows * 200:,} rows" in kept.stdout

def test_scenario_and_extension(tmp_path):
    r = forecast_cli("run", "-a", "Leicester", "-m", "cfas_ii_2013", "--ages", "65+", "-y", "2050", "--extend-to", "March 2050",
                     "--scenario", "cfas_i_to_ii_prevalence_fall", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert pd.read_csv(io.StringIO(r.stdout)).year.tolist() == [2050, 2050]


def test_table_with_draws(tmp_path):
    r = forecast_cli("table", EXAMPLES_DIR / "dementia_rate_sets.yaml", cwd=tmp_path)
    assert r.returncode == 0 and "(CFAS II (2013))" not in r.stdout and "| **CFAS II (2013)** |" in r.stdout
    assert "95% interval" in r.stdout
    r = forecast_cli("table", EXAMPLES_DIR / "dementia_scenarios.yaml", cwd=tmp_path)
    assert r.returncode == 0 and "2050 Prevalence trend (Ahmadi-Abhari 2017)" in r.stdout


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["--draws", "0"], ["Invalid value for '--draws': 0 is not in the range 1<=x<=100000"]),
        (["--draws", "many"], ["Invalid value for '--draws': 'many' is not a valid integer range"]),
        (["--draws", "10", "--seed", "1.5"], ["Invalid value for '--seed': '1.5' is not a valid integer range"]),
        (["--draws", "10", "--quantiles", "0.5,1.5"], ["--quantiles: 1.5 is not between 0 and 1"]),
        (["--scenario", "nosuch"], ["--scenario: unknown scenario 'nosuch'"]),
        (["--extend-to", "2019"], ["--extend-to: the end year 2019 is before the projection's start (2022)"]),
        (["--draws", "10", "--scheduler", "tcp://127.0.0.1:9"], ["--scheduler: cannot reach the dask scheduler at tcp://127.0.0.1:9"]),
        (["--keep-draws"], ["go with --draws"]),
        (["--bogus"], ["No such option '--bogus'"]),
    ],
)
def test_uncertainty_errors(tmp_path, args, fragments):
    r = forecast_cli("run", "-a", "Leicester", "-m", "cfas_ii_2013", "-y", "2030", *args, "-o", tmp_path / "x.csv", cwd=tmp_path)
    assert_bad_input(r, *fragments)
    assert not (tmp_path / "x.csv").exists()


# ---------------------------------------------------------------------------- indicators

def test_indicator_command(tmp_path):
    spec = EXAMPLES_DIR / "leicester_indicators.yaml"
    r = forecast_cli("indicator", spec, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "observed against expected" in r.stdout and "counts needed to reach the target" in r.stdout
    assert "ILLUSTRATIVE" in r.stdout
    out = tmp_path / "i.xlsx"
    assert forecast_cli("indicator", spec, "-o", out, cwd=tmp_path).returncode == 0 and out.exists()
    r = forecast_cli("indicator", spec, "--format", "csv", cwd=tmp_path)
    assert r.stdout.startswith("table,indicator,area_code,area_name,period,quantity,value")


def test_indicator_bad_counts(tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text((EXAMPLES_DIR / "leicester_indicators.yaml").read_text())
    (tmp_path / "leicester_indicators_illustrative.csv").write_text(
        "area,period,measure,count\nE06000016,2024-13,dementia_register_65plus,10\n")
    r = forecast_cli("indicator", spec, "-o", tmp_path / "x.md", cwd=tmp_path)
    assert_bad_input(r, "line 2: period: period '2024-13' is not a year")
    assert not (tmp_path / "x.md").exists()


# ---------------------------------------------------------------------------- found in a new-user trial

def test_table_csv_keeps_counts_whole_and_rates_to_one_decimal(tmp_path):
    """With per-100 rows the CSV's year columns hold both kinds: counts as whole numbers
    (11360, not 11360.0) and rates to 0.1; the rate is 15.0 for depression (15% of 65+)."""
    r = forecast_cli("table", SPEC, "--compare-with", "england", "-o", "t.csv", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    df = pd.read_csv(tmp_path / "t.csv", dtype=str)
    counts = df[df["measure_label"] == "Dementia"]
    assert all(v.isdigit() for v in counts["2025"])
    rates = df[df["measure_label"] == "Depression per 100 people in the age group"]
    assert set(rates["2025"]) == {"15.0"}


def test_selectors_work_on_the_command_line():
    """-a all-upper-tier is what a spec's areas: all-upper-tier is: on the embedded LLR
    extract it says how many areas it lacks (naming the option), rather than 'unknown area'."""
    r = forecast_cli("run", "-a", "all-upper-tier", "-m", "cfas_ii_2013", "-y", "2030")
    assert_bad_input(r, "--areas", "all-upper-tier needs 153 areas; the population lacks 150")


def test_a_misspelt_area_outside_the_population_gets_a_suggestion():
    r = forecast_cli("run", "-a", "Birmingam", "-m", "cfas_ii_2013", "-y", "2030")
    assert_bad_input(r, "--areas", "did you mean E08000025 Birmingham?", "snpp2022")


def test_schema_of_an_unknown_kind_lists_the_kinds():
    r = forecast_cli("schema", "nope")
    assert_bad_input(r, "'nope' is not a file kind", "rate-set", "indicator")


def test_an_output_inside_a_file_says_it_is_a_file(tmp_path):
    (tmp_path / "good.yaml").write_text("x")
    r = forecast_cli("table", SPEC, "-o", "good.yaml/t.csv", cwd=tmp_path)
    assert_bad_input(r, "good.yaml: is a file, not a folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.yaml"]


def test_load_rate_set_given_an_id_points_at_get_rate_set():
    import forecast
    from forecast.errors import AssumptionError

    with pytest.raises(AssumptionError, match=r"use forecast.get_rate_set\('cfas_ii_2013'\)"):
        forecast.load_rate_set("cfas_ii_2013")


def test_areas_columns_line_up():
    """Each column starts at the same character on every line (header included)."""
    r = forecast_cli("areas", "leic")
    lines = r.stdout.splitlines()
    start = lines[0].index("type")
    assert all(len(line) > start and line[start - 2:start] == "  " for line in lines[1:])
    assert [line[start:].split("  ")[0] for line in lines[1:3]] == ["county", "unitary authority"]


def test_population_list_names_the_variants():
    r = forecast_cli("population", "list")
    assert "high_migration" in r.stdout and "Variants (--variant NAME" in r.stdout


# 160 rows an area: pieces of one area's year (7), of one area (200), of two areas (350)
@pytest.mark.parametrize("chunk_rows", [7, 200, 350])
def test_run_csv_written_in_pieces_is_the_whole_table(tmp_path, monkeypatch, chunk_rows):
    """A kept-draws CSV is made a piece at a time: the same bytes whatever the piece size;
    its rows are the draws of the kernel's result (recomputed from --keep-draws NetCDF), and
    the sidecar gives the file's own sha256, size, rows and columns."""
    import hashlib
    import json

    import xarray as xr

    import forecast.output.tidy as tidy

    args = ["run", "-a", "Leicester,Rutland,Leicestershire", "-m", "cfas_ii_2013", "-y", "2030,2031", "-b", "65-74,75+",
            "--draws", "20", "--seed", "2", "--keep-draws"]
    nc = tmp_path / "d.nc"
    assert forecast_cli(*args, "-o", nc, cwd=tmp_path).returncode == 0
    whole = tmp_path / "whole.csv"
    assert forecast_cli(*args, "-o", whole, cwd=tmp_path).returncode == 0
    monkeypatch.setattr(tidy, "CHUNK_ROWS", chunk_rows)
    pieces = tmp_path / "pieces.csv"
    r = forecast_cli(*args, "-o", pieces, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    data = pieces.read_bytes()
    assert data == whole.read_bytes()
    assert forecast_cli(*args, cwd=tmp_path).stdout.encode() == data  # stdout too, a piece at a time
    df = pd.read_csv(pieces)
    ds = xr.open_dataset(nc)
    da = ds["dementia"].transpose("area", "year", "sex", "age_band", "draw")
    assert len(df) == da.size == 3 * 2 * 2 * 2 * 20
    expect = da.to_numpy().ravel()  # C order: area, year, sex, band, draw — the CSV's row order
    assert df["value"].to_numpy() == pytest.approx(expect, abs=5e-7)  # six decimals
    assert df["draw"].tolist() == list(range(20)) * 24
    meta = json.loads(pieces.with_suffix(".json").read_text())["data"]
    assert meta["sha256"] == hashlib.sha256(data).hexdigest() and meta["bytes"] == len(data)
    assert meta["rows"] == len(df) and meta["columns"] == list(df.columns)
    ds.close()
