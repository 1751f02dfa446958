"""Population and observed-count readers: wrong numbers refused, right numbers on the right
sex (issue 12 §3).

Hand-made files in the ONS layouts give males and females DIFFERENT values at every age and
year, so a reader that swaps the sexes (or the 1/2 codes of Nomis and MYEB1) is caught; and
each kind of bad cell — a persons file that is not males + females, an "All ages" row off
by 100, an ``inf``, a year column given twice, a ``;``-delimited file — must give one
InputError naming the file (and line), not a cube.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.errors import InputError

from conftest import LEICESTER, SNPP_FILES, forecast_cli, shared_data

# Each test is marked unit (in memory, hand-made inputs) or integration (shipped data, CLI).

CODE, NAME = "E06000099", "Testshire"
YEARS = (2022, 2023)


def male(age: int, year: int) -> float:
    return 1000.0 + 10 * age + (year - 2022) + 0.125


def female(age: int, year: int) -> float:
    return 3000.0 + 7 * age + 2 * (year - 2022) + 0.25


def _age_label(a: int) -> str:
    return "90 and over" if a == 90 else str(a)


def snpp_lines(sex: str, years=YEARS, header_years=None) -> list[str]:
    """An ONS SNPP CSV for one sex ('males', 'females' or 'persons'): ages 0..89, '90 and
    over' and 'All ages', values from male()/female() (persons = their sum)."""
    f = {"males": male, "females": female, "persons": lambda a, y: male(a, y) + female(a, y)}[sex]
    cols = header_years or [str(y) for y in years]
    lines = ['"AREA_CODE","AREA_NAME","COMPONENT","SEX","AGE_GROUP",' + ",".join(f'"{c}"' for c in cols)]
    for a in range(91):
        lines.append(f"{CODE},{NAME},Population,{sex},{_age_label(a)}," + ",".join(f"{f(a, y):.3f}" for y in years))
    lines.append(f"{CODE},{NAME},Population,{sex},All ages," + ",".join(f"{sum(f(a, y) for a in range(91)):.3f}" for y in years))
    return lines


def write(tmp_path, name, lines) -> Path:
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n")
    return p


def line_of(lines, prefix) -> int:
    """1-based file line of the first line starting with ``prefix``."""
    return next(i for i, ln in enumerate(lines, start=1) if ln.startswith(prefix))


def edit_cell(lines, prefix, year_index, delta):
    """Add ``delta`` to one year's cell of the row starting with ``prefix``."""
    i = line_of(lines, prefix) - 1
    parts = lines[i].split(",")
    parts[5 + year_index] = f"{float(parts[5 + year_index]) + delta:.3f}"
    out = list(lines)
    out[i] = ",".join(parts)
    return out


def assert_one_line(err: InputError, path: Path):
    text = str(err)
    assert "\n" not in text and str(path) in text


# ---------------------------------------------------------------------------- values on the right sex

@pytest.mark.unit
def test_snpp_values_land_on_their_own_sex(tmp_path):
    m = write(tmp_path, "m.csv", snpp_lines("males"))
    f = write(tmp_path, "f.csv", snpp_lines("females"))
    for files in ([m, f], [f, m]):
        cube = forecast.read_snpp(files)
        for a, y in [(0, 2022), (45, 2023), (89, 2022), (90, 2023)]:
            assert cube.sel(area=CODE, sex="male", age=a, year=y).item() == male(a, y)
            assert cube.sel(area=CODE, sex="female", age=a, year=y).item() == female(a, y)
        assert cube.attrs["open_top_age"] == 90


@pytest.mark.unit
def test_nomis_gender_1_is_male_and_2_is_female(tmp_path):
    """Nomis NM_2002_1: GENDER 1 = male, 2 = female; C_AGE 101..191 = ages 0..90+.
    Rows are written females first and in reverse age order, so position cannot stand in for sex."""
    rows = ["GEOGRAPHY_CODE,GEOGRAPHY_NAME,GENDER,C_AGE,OBS_VALUE,DATE"]
    for g, fn in ((2, female), (1, male)):
        rows += [f"{CODE},{NAME},{g},{101 + a},{fn(a, 2018):.3f},2018" for a in reversed(range(91))]
    cube = forecast.read_mye(write(tmp_path, "nomis.csv", rows))
    for a in (0, 17, 64, 89, 90):
        assert cube.sel(area=CODE, year=2018, sex="male", age=a).item() == male(a, 2018)
        assert cube.sel(area=CODE, year=2018, sex="female", age=a).item() == female(a, 2018)
    assert cube.sel(area=CODE, sex="male").sum().item() == pytest.approx(sum(male(a, 2018) for a in range(91)))


@pytest.mark.unit
def test_myeb1_sex_1_is_male_and_2_is_female(tmp_path):
    rows = ["ladcode18,laname18,country,sex,age,population_2016,population_2017"]
    for s, fn in ((2, female), (1, male)):
        rows += [f"{CODE},{NAME},E,{s},{a},{fn(a, 2016):.3f},{fn(a, 2017):.3f}" for a in range(91)]
    cube = forecast.read_mye(write(tmp_path, "myeb1.csv", rows))
    for a, y in [(0, 2016), (33, 2017), (90, 2017)]:
        assert cube.sel(area=CODE, year=y, sex="male", age=a).item() == male(a, y)
        assert cube.sel(area=CODE, year=y, sex="female", age=a).item() == female(a, y)


@pytest.mark.unit
@pytest.mark.parametrize("codes", [("male", "female"), ("1", "2"), ("M", "F"), ("males", "females")])
def test_tidy_sex_codes_land_on_their_own_sex(tmp_path, codes):
    rows = ["area_code,area_name,year,sex,age,population"]
    for code, fn in ((codes[1], female), (codes[0], male)):
        rows += [f"{CODE},{NAME},2020,{code},{'90+' if a == 90 else a},{fn(a, 2020):.3f}" for a in range(91)]
    cube = forecast.read_tidy(write(tmp_path, "tidy.csv", rows))
    assert cube.sel(sex="male", age=7).item() == male(7, 2020)
    assert cube.sel(sex="female", age=90).item() == female(90, 2020)


@pytest.mark.integration
def test_shipped_mid_year_estimates_match_the_source_file_by_sex():
    """The shipped 2011 and 2018 estimates (converted from Nomis GENDER 1/2) against the shared
    copy of the Nomis NM_2002_1 extract, read with pandas: every age, both sexes, Leicester and
    Rutland."""
    src = shared_data("ons/mye_leics_rutland_2011_2018_syoa.csv")
    if not src.exists():
        pytest.fail(f"shared source data not found: {src} (CI needs ../shared/data beside the repository)")
    df = pd.read_csv(src, dtype={"age": str})
    df["age"] = df["age"].str.rstrip("+").astype(int)
    hist = forecast.default_history()
    for area in (LEICESTER, "E06000017"):
        for year in (2011, 2018):
            for sex in ("male", "female"):
                d = df[(df.area_code == area) & (df.year == year) & (df.sex == sex)].sort_values("age")
                got = hist.sel(area=area, year=year, sex=sex).values
                np.testing.assert_array_equal(got, d.population.to_numpy(dtype=float), err_msg=f"{area} {year} {sex}")
    # the sexes differ (so a swap would show): Leicester 2011, age 0
    assert hist.sel(area=LEICESTER, year=2011, sex="male", age=0).item() == 2596


# ---------------------------------------------------------------------------- persons and "All ages" cross-checks

@pytest.mark.unit
def test_persons_file_equal_to_males_plus_females_is_accepted_and_not_stored(tmp_path):
    m, f = write(tmp_path, "m.csv", snpp_lines("males")), write(tmp_path, "f.csv", snpp_lines("females"))
    p = write(tmp_path, "p.csv", snpp_lines("persons"))
    cube = forecast.read_snpp([m, f, p])
    assert list(cube.sex.values) == ["male", "female"]
    assert cube.sel(sex="male", age=45, year=2023).item() == male(45, 2023)


@pytest.mark.unit
@pytest.mark.parametrize("delta", [1.0, -1.0, 100.0])
def test_persons_file_disagreeing_with_males_plus_females_is_an_error(tmp_path, delta):
    m, f = write(tmp_path, "m.csv", snpp_lines("males")), write(tmp_path, "f.csv", snpp_lines("females"))
    lines = edit_cell(snpp_lines("persons"), f"{CODE},{NAME},Population,persons,45,", 1, delta)
    p = write(tmp_path, "p.csv", lines)
    with pytest.raises(InputError, match="persons .* differs from males \\+ females") as e:
        forecast.read_snpp([m, f, p])
    assert e.value.file == str(p) and e.value.line == line_of(lines, f"{CODE},{NAME},Population,persons,45,")
    assert "age 45" in str(e.value) and "year 2023" in str(e.value)
    assert_one_line(e.value, p)


@pytest.mark.unit
def test_persons_all_ages_row_off_by_100_is_an_error(tmp_path):
    m, f = write(tmp_path, "m.csv", snpp_lines("males")), write(tmp_path, "f.csv", snpp_lines("females"))
    lines = edit_cell(snpp_lines("persons"), f"{CODE},{NAME},Population,persons,All ages,", 0, 100.0)
    p = write(tmp_path, "p.csv", lines)
    with pytest.raises(InputError, match="'All ages' is .* but the single ages add to") as e:
        forecast.read_snpp([m, f, p])
    assert e.value.file == str(p)


@pytest.mark.unit
@pytest.mark.parametrize("sex, delta, year_index", [("males", 100.0, 0), ("females", -100.0, 1), ("males", 1.0, 1)])
def test_all_ages_row_off_by_100_is_an_error(tmp_path, sex, delta, year_index):
    """100 is under 0.1% of the totals (131,950 + 91 × 0.125 males; 301,665 + 91 × 0.25 females):
    a relative tolerance would let it through."""
    prefix = f"{CODE},{NAME},Population,{sex},All ages,"
    lines = edit_cell(snpp_lines(sex), prefix, year_index, delta)
    other = "females" if sex == "males" else "males"
    bad = write(tmp_path, f"{sex}.csv", lines)
    ok = write(tmp_path, f"{other}.csv", snpp_lines(other))
    with pytest.raises(InputError) as e:
        forecast.read_snpp([ok, bad])
    y = YEARS[year_index]
    s = sex.rstrip("s")
    f = male if s == "male" else female
    total = sum(f(a, y) for a in range(91))
    assert str(e.value).endswith(f"'All ages' is {total + delta:,.3f} but the single ages add to {total:,.3f} "
                                 f"(area {CODE}, {s}, year {y})")
    assert e.value.file == str(bad) and e.value.line == line_of(lines, prefix)


@pytest.mark.integration
def test_shipped_persons_file_edited_by_one_person_is_refused(tmp_path):
    lines = SNPP_FILES["persons"].read_text().splitlines()
    prefix = f"{LEICESTER},Leicester,Population,persons,45,"
    i = line_of(lines, prefix) - 1
    parts = lines[i].split(",")
    parts[5] = f"{float(parts[5]) + 1:.3f}"  # 2022
    lines[i] = ",".join(parts)
    p = write(tmp_path, "persons.csv", lines)
    with pytest.raises(InputError, match="persons .* differs from males \\+ females .*area E06000016, age 45, year 2022") as e:
        forecast.read_snpp([SNPP_FILES["males"], SNPP_FILES["females"], p])
    assert e.value.line == i + 1


@pytest.mark.integration
def test_shipped_all_ages_row_off_by_100_is_refused(tmp_path):
    lines = SNPP_FILES["females"].read_text().splitlines()
    prefix = f"{LEICESTER},Leicester,Population,females,All ages,"
    lines = edit_cell(lines, prefix, 8, 100.0)  # 2030
    p = write(tmp_path, "females.csv", lines)
    with pytest.raises(InputError, match="'All ages' is .* but the single ages add to .*area E06000016, female, year 2030"):
        forecast.read_snpp([SNPP_FILES["males"], p])


# ---------------------------------------------------------------------------- inf, duplicated columns

@pytest.mark.unit
@pytest.mark.parametrize("cell", ["inf", "Infinity", "-inf", "1e400", "nan"])
def test_infinite_or_missing_snpp_cell_is_an_error(tmp_path, cell):
    lines = snpp_lines("females")
    prefix = f"{CODE},{NAME},Population,females,67,"
    i = line_of(lines, prefix) - 1
    parts = lines[i].split(",")
    parts[6] = cell
    lines[i] = ",".join(parts)
    p = write(tmp_path, "f.csv", lines)
    with pytest.raises(InputError) as e:
        forecast.read_snpp([write(tmp_path, "m.csv", snpp_lines("males")), p])
    assert (e.value.file, e.value.line, e.value.field) == (str(p), i + 1, "column 2023")
    assert f"{cell!r} is not a number" in str(e.value)


@pytest.mark.unit
def test_inf_in_tidy_nomis_and_observed_files_is_an_error(tmp_path):
    rows = ["area_code,area_name,year,sex,age,population"]
    rows += [f"X,X,2020,{s},{'90+' if a == 90 else a},{'inf' if (s, a) == ('female', 3) else 1}"
             for s in ("male", "female") for a in range(91)]
    with pytest.raises(InputError, match="line 96: population: 'inf' is not a number"):
        forecast.read_tidy(write(tmp_path, "tidy.csv", rows))
    rows = ["GEOGRAPHY_CODE,GENDER,C_AGE,OBS_VALUE,DATE"]
    rows += [f"X,{g},{101 + a},{'inf' if (g, a) == (2, 0) else 1},2018" for g in (1, 2) for a in range(91)]
    with pytest.raises(InputError, match="line 93: OBS_VALUE: 'inf' is not a number"):
        forecast.read_mye(write(tmp_path, "nomis.csv", rows))
    with pytest.raises(InputError, match="line 3: count: 'inf' is not a number"):
        forecast.read_observed(write(tmp_path, "obs.csv", ["area,period,measure,count", "X,2020,r,5", "X,2021,r,inf"]))


@pytest.mark.unit
def test_a_year_column_given_twice_is_an_error(tmp_path):
    lines = snpp_lines("males", years=(2022, 2023, 2023), header_years=["2022", "2023", "2023"])
    p = write(tmp_path, "m.csv", lines)
    with pytest.raises(InputError, match="column '2023' appears twice in the header") as e:
        forecast.read_snpp([p, write(tmp_path, "f.csv", snpp_lines("females"))])
    assert e.value.file == str(p) and e.value.line == 1
    rows = ["ladcode18,laname18,sex,age,population_2017,population_2017"]
    rows += [f"X,X,{s},{a},1,2" for s in (1, 2) for a in range(91)]
    with pytest.raises(InputError, match="column 'population_2017' appears twice"):
        forecast.read_mye(write(tmp_path, "myeb1.csv", rows))
    with pytest.raises(InputError, match="column 'population' appears twice"):
        forecast.read_tidy(write(tmp_path, "t.csv", ["area_code,area_name,year,sex,age,population,population",
                                                     "X,X,2020,male,0,1,2"]))


# ---------------------------------------------------------------------------- the wrong delimiter

def _semicolons(lines):
    return [ln.replace(",", ";") for ln in lines]


@pytest.mark.unit
@pytest.mark.parametrize("reader, lines", [
    ("read_snpp", None),
    ("read_tidy", ["area_code,area_name,year,sex,age,population", "X,X,2020,male,0,1"]),
    ("read_observed", ["area,period,measure,count", "X,2020,r,5"]),
])
def test_semicolon_delimited_csv_says_the_delimiter_looks_wrong(tmp_path, reader, lines):
    p = write(tmp_path, "semi.csv", _semicolons(lines or snpp_lines("males")))
    with pytest.raises(InputError) as e:
        getattr(forecast, reader)(p)
    assert "separated by ';'" in str(e.value) and "comma" in str(e.value)
    assert_one_line(e.value, p)


@pytest.mark.unit
@pytest.mark.parametrize("header", ["GEOGRAPHY_CODE,GENDER,C_AGE,OBS_VALUE,DATE", "area_code,area_name,year,sex,age,population"])
def test_semicolon_delimited_mye_says_the_delimiter_looks_wrong(tmp_path, header):
    p = write(tmp_path, "semi.csv", _semicolons([header, "X,1,101,5,2018" if header.startswith("GEO") else "X,X,2018,male,0,1"]))
    with pytest.raises(InputError, match="separated by ';'"):
        forecast.read_mye(p)


@pytest.mark.integration
def test_cli_with_a_semicolon_delimited_population_says_so_in_one_line(tmp_path):
    p = write(tmp_path, "semi.csv", _semicolons(snpp_lines("males")))
    for extra in ([], ["--population-format", "tidy"]):
        r = forecast_cli("run", "-a", CODE, "-m", "depression_15pct", "-y", "2022", "--population", p, *extra)
        assert r.returncode == 2 and r.stdout == ""
        assert r.stderr.count("\n") == 1 and "separated by ';'" in r.stderr and str(p) in r.stderr
