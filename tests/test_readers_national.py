"""The ONS SNPP reader on a national-size file (issue 14 §3): the same values as plain
pandas, and every kind of bad cell still one line naming file, line and column.

The national file is made here from the shipped extract (9 areas × 92 age rows × 26 years
per sex): the nine areas repeated under new codes (E99nnnnnn) and names until there are 296,
as in benchmarks/national_read.py.  Expected values are read from those files with plain
pandas inside each test.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import forecast
from forecast.errors import InputError

from conftest import SNPP_FILES

pytestmark = pytest.mark.integration

N_AREAS = 296
ONS_MEMBER = "2022 SNPP Population {}.csv"


def national_lines(sex: str, n_areas: int = N_AREAS) -> list[str]:
    """The shipped file for ``sex``, its nine areas repeated to ``n_areas`` with new codes."""
    lines = SNPP_FILES[sex].read_text().splitlines(keepends=True)
    header, body = lines[0], lines[1:]
    blocks: list[list[str]] = []
    for line in body:
        if not blocks or blocks[-1][0].split(",", 1)[0] != line.split(",", 1)[0]:
            blocks.append([])
        blocks[-1].append(line)
    out = [header]
    for k in range(n_areas):
        copy = k // len(blocks) + 1
        for line in blocks[k % len(blocks)]:
            _, name, rest = line.split(",", 2)
            out.append(f"E99{k:06d},{name if copy == 1 else f'{name} {copy}'},{rest}")
    return out


@pytest.fixture(scope="module")
def national(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("national")
    out = {}
    for sex in ("males", "females", "persons"):
        out[sex] = folder / ONS_MEMBER.format(sex)
        out[sex].write_text("".join(national_lines(sex)))
    out["zip"] = folder / "2022snpppopulationsyoamigcat23.zip"
    with zipfile.ZipFile(out["zip"], "w", zipfile.ZIP_DEFLATED) as zf:
        for sex in ("males", "females", "persons"):
            zf.write(out[sex], ONS_MEMBER.format(sex))
    return out


def pandas_cube(males: Path, females: Path) -> tuple[list[str], np.ndarray]:
    """(area codes in file order, array[area, year, sex, age]) with plain pandas."""
    arrays = []
    for path in (males, females):
        df = pd.read_csv(path, dtype={"AGE_GROUP": str, "AREA_CODE": str})
        df = df[df.AGE_GROUP != "All ages"].copy()
        df["age"] = df.AGE_GROUP.replace({"90 and over": "90"}).astype(int)
        years = [c for c in df.columns if c.isdigit()]
        codes = list(dict.fromkeys(df.AREA_CODE))
        df = df.set_index(["AREA_CODE", "age"]).loc[pd.MultiIndex.from_product([codes, range(91)])]
        arrays.append(df[years].to_numpy().reshape(len(codes), 91, len(years)))
    return codes, np.stack(arrays, axis=1).transpose(0, 3, 1, 2)  # area, year, sex, age


def test_national_size_file_equals_plain_pandas(national):
    cube = forecast.read_snpp([national["males"], national["females"]])
    codes, expected = pandas_cube(national["males"], national["females"])
    assert len(codes) == N_AREAS
    got = cube.sel(area=codes)
    assert got.sizes == {"area": 296, "year": 26, "sex": 2, "age": 91}
    np.testing.assert_array_equal(got.values, expected)
    assert list(got["sex"].values) == ["male", "female"]
    assert got.sel(area="E99000009")["area_name"].item() == "Leicester 2"  # the 10th area: second copy


def test_national_zip_with_persons_equals_the_csvs(national):
    from_zip = forecast.read_snpp(national["zip"])
    from_csv = forecast.read_snpp([national["males"], national["females"]])
    np.testing.assert_array_equal(from_zip.sel(area=from_csv["area"].values).values, from_csv.values)
    assert len(from_zip.attrs["sha256"].split("; ")) == 3  # males, females and persons were read


def test_read_population_of_the_national_zip_is_cached(national, tmp_path, monkeypatch):
    from forecast.population.download import read_population

    monkeypatch.setenv("FORECAST_CACHE_DIR", str(tmp_path))
    first = read_population(national["zip"])
    assert len(list((tmp_path / "parsed").glob("*.npz"))) == 1
    second = read_population(national["zip"])
    np.testing.assert_array_equal(second.values, first.values)
    assert list(second["area_name"].values) == list(first["area_name"].values)
    assert second.attrs["sha256"] == first.attrs["sha256"]


# ---------------------------------------------------------------------------- bad cells, national size

def _edit(tmp_path: Path, sex: str, line_no: int, column: int, value: str) -> Path:
    """The national file for ``sex`` with the cell (1-based file line, 0-based column) replaced."""
    lines = national_lines(sex)
    cells = lines[line_no - 1].rstrip("\n").split(",")
    cells[column] = value
    lines[line_no - 1] = ",".join(cells) + "\n"
    p = tmp_path / f"{sex}.csv"
    p.write_text("".join(lines))
    return p


@pytest.fixture
def read_with_females(national):
    """Read the national males file with the given females file."""
    return lambda females: forecast.read_snpp([national["males"], females])


# header columns: AREA_CODE, AREA_NAME, COMPONENT, SEX, AGE_GROUP, 2022 (column 5) … 2047 (column 30)
@pytest.mark.parametrize("value, message", [
    ("x", "'x' is not a number"),
    ("", "'' is not a number"),
    ("inf", "'inf' is not a number"),
    ("nan", "'nan' is not a number"),
    ("1e999", "'1e999' is not a number"),
    ("-3.5", "negative population -3.5"),
])
def test_a_bad_cell_deep_in_a_national_file_names_its_line_and_column(tmp_path, value, message, read_with_females):
    p = _edit(tmp_path, "females", 20_001, 23, value)  # column 23 is 2040
    with pytest.raises(InputError) as e:
        read_with_females(p)
    assert str(e.value) == f"{p}: line 20001: column 2040: {message}"
    assert (e.value.file, e.value.line, e.value.field) == (str(p), 20001, "column 2040")


def test_the_first_bad_cell_is_the_leftmost_column_then_the_top_row(tmp_path, read_with_females):
    lines = national_lines("females")
    for line_no, col in ((300, 20), (9000, 7), (100, 7)):
        cells = lines[line_no - 1].rstrip("\n").split(",")
        cells[col] = "?"
        lines[line_no - 1] = ",".join(cells) + "\n"
    p = tmp_path / "females.csv"
    p.write_text("".join(lines))
    with pytest.raises(InputError, match=r"line 100: column 2024: '\?' is not a number"):
        read_with_females(p)


def test_a_thousands_separator_is_read_as_before(tmp_path, read_with_females):
    lines = national_lines("females")
    cells = lines[1].rstrip("\n").split(",")
    assert cells[:5] == ["E99000000", "Leicester", "Population", "females", "0"]
    lines[1] = ",".join(cells[:5] + ['"2,145.5"'] + cells[6:]) + "\n"
    p = tmp_path / "females.csv"
    p.write_text("".join(lines))
    # the All ages row of that area and year is then off by 2145.5 − the original cell
    original = float(cells[5])
    i = next(i for i, x in enumerate(lines) if x.startswith("E99000000,Leicester,Population,females,All ages,"))
    total = lines[i].rstrip("\n").split(",")
    total[5] = f"{float(total[5]) - original + 2145.5:.3f}"
    lines[i] = ",".join(total) + "\n"
    p.write_text("".join(lines))
    cube = read_with_females(p)
    assert cube.sel(area="E99000000", sex="female", age=0, year=2022).item() == 2145.5


def test_a_bad_cell_in_a_row_that_is_not_population_is_ignored(tmp_path, read_with_females):
    lines = national_lines("females")
    lines.append("E99000000,Leicester,Births,females,0," + ",".join(["n/a"] * 26) + "\n")
    p = tmp_path / "females.csv"
    p.write_text("".join(lines))
    cube = read_with_females(p)
    assert cube.sizes["area"] >= N_AREAS


@pytest.mark.parametrize("column, value, expected", [
    (3, "other", "line 12345: SEX: unknown SEX 'other' (expected males, females or persons)"),
    (4, "ninety", "line 12345: AGE_GROUP: cannot read AGE_GROUP 'ninety' (expected 0..89, '90 and over', 'All ages')"),
    (0, "", "line 12345: AREA_CODE: empty AREA_CODE"),
])
def test_bad_labels_name_their_line_and_column(tmp_path, column, value, expected, read_with_females):
    p = _edit(tmp_path, "females", 12_345, column, value)
    with pytest.raises(InputError) as e:
        read_with_females(p)
    assert str(e.value) == f"{p}: {expected}"


def test_a_duplicated_row_names_both_lines(tmp_path, read_with_females):
    lines = national_lines("females")
    lines.append(lines[15_000])  # file line 15,001, again as the last line
    p = tmp_path / "females.csv"
    p.write_text("".join(lines))
    with pytest.raises(InputError) as e:
        read_with_females(p)
    code, _, _, _, age = lines[15_000].split(",")[:5]
    assert str(e.value) == (f"{p}: line 15001: duplicate row for area {code}, female, age {age}, year 2022 "
                            f"(also at {p} line {len(lines)})")


def test_a_missing_single_age_is_named(tmp_path, read_with_females):
    lines = national_lines("females")
    gone = lines.pop(20_000)  # file line 20,001
    code, _, _, _, age = gone.split(",")[:5]
    p = tmp_path / "females.csv"
    p.write_text("".join(lines))
    with pytest.raises(InputError) as e:
        read_with_females(p)
    assert str(e.value) == (f"{p}: AGE_GROUP: area {code}, female, year 2022: missing single age(s) {age} "
                            "(ages 0..89 and 90+ are needed)")


def test_all_ages_and_persons_cross_checks_name_their_lines(tmp_path, read_with_females):
    lines = national_lines("females")
    i = max(i for i, x in enumerate(lines) if ",All ages," in x)  # the last area's All ages row
    cells = lines[i].rstrip("\n").split(",")
    cells[30] = f"{float(cells[30]) + 1:.3f}"  # 2047, one person too many
    lines[i] = ",".join(cells) + "\n"
    p = tmp_path / "females.csv"
    p.write_text("".join(lines))
    with pytest.raises(InputError, match=rf"{p}: line {i + 1}: 'All ages' is .* but the single ages add to .*"
                                         rf"\(area {cells[0]}, female, year 2047\)"):
        read_with_females(p)

    persons = national_lines("persons")
    cells = persons[22_222].rstrip("\n").split(",")
    cells[10] = f"{float(cells[10]) + 0.75:.3f}"  # 2027
    persons[22_222] = ",".join(cells) + "\n"
    pp = tmp_path / "persons.csv"
    pp.write_text("".join(persons))
    males, females = tmp_path / "m.csv", tmp_path / "f.csv"
    males.write_text("".join(national_lines("males")))
    females.write_text("".join(national_lines("females")))
    with pytest.raises(InputError, match=rf"{pp}: line 22223: persons .* differs from males \+ females .* "
                                         rf"\(area {cells[0]}, age {cells[4]}, year 2027\)"):
        forecast.read_snpp([males, females, pp])


def test_a_duplicated_year_column_and_a_malformed_line(tmp_path, read_with_females):
    lines = national_lines("females")
    lines[0] = lines[0].replace('"2031"', '"2030"')
    p = tmp_path / "females.csv"
    p.write_text("".join(lines))
    with pytest.raises(InputError, match=rf"^{p}: line 1: 2030: column '2030' appears twice in the header$"):
        read_with_females(p)
    lines = national_lines("females")
    lines[25_000] = lines[25_000].rstrip("\n") + ",1\n"
    p.write_text("".join(lines))
    with pytest.raises(InputError, match=rf"^{p}: line 25001: malformed CSV: expected 31 fields, found 32$"):
        read_with_females(p)


def test_an_area_with_two_names(tmp_path, read_with_females):
    p = _edit(tmp_path, "females", 5_000, 1, "Somewhere Else")
    code = national_lines("females")[4_999].split(",")[0]
    with pytest.raises(InputError) as e:
        read_with_females(p)
    assert e.value.line == 5000 and e.value.field == "area_name"
    assert f"area {code} has two names (" in str(e.value) and "Somewhere Else" in str(e.value)


# ---------------------------------------------------------------------------- any one bad cell

BAD = st.sampled_from(["x", "", "inf", "-inf", "nan", "NaN", "1e999", "-1", "1_000", "0x10", "--1", "1.2.3"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=st.integers(2, 829), col=st.integers(5, 30), bad=BAD)
def test_any_one_bad_cell_is_reported_at_its_line_and_column(tmp_path, row, col, bad):
    """One bad value anywhere in the shipped females file: the error names that line and
    that year column (numbers are checked before the All ages cross-check)."""
    lines = SNPP_FILES["females"].read_text().splitlines(keepends=True)
    cells = lines[row - 1].rstrip("\n").split(",")
    cells[col] = bad
    lines[row - 1] = ",".join(cells) + "\n"
    header = lines[0].rstrip("\n").split(",")
    p = tmp_path / "females_one_bad_cell.csv"
    p.write_text("".join(lines))
    with pytest.raises(InputError) as e:
        forecast.read_snpp([SNPP_FILES["males"], p])
    assert (e.value.file, e.value.line, e.value.field) == (str(p), row, f"column {header[col].strip(chr(34))}")
    assert "\n" not in str(e.value)
