"""ONS SNPP and tidy readers: values against the files read with plain pandas, and every
kind of bad input giving one InputError that names file, line and field."""

import zipfile

import numpy as np
import pytest

import forecast
from forecast.errors import InputError

from conftest import LEICESTER, LEICS_DISTRICTS, SNPP_FILES

pytestmark = pytest.mark.integration


def _lines(path):
    return path.read_text().splitlines(keepends=True)


@pytest.fixture(scope="module")
def snpp():
    return forecast.read_snpp([SNPP_FILES["males"], SNPP_FILES["females"]])


def test_snpp_shape_and_coords(snpp):
    assert snpp.dims == ("area", "year", "sex", "age")
    # the 9 districts and unitaries of the files, and Leicestershire: the sum of its 7 districts
    assert snpp.sizes == {"area": 10, "year": 26, "sex": 2, "age": 91}
    assert snpp.area.values[-1] == "E10000018"
    assert snpp.attrs["open_top_age"] == 90
    assert list(snpp["sex"].values) == ["male", "female"]
    assert snpp["year"].values[0] == 2022 and snpp["year"].values[-1] == 2047
    assert snpp.sel(area=LEICESTER)["area_name"].item() == "Leicester"


def test_snpp_values_equal_the_file(snpp, ons_long):
    for (area, sex, age, year) in [(LEICESTER, "male", 0, 2022), (LEICESTER, "female", 90, 2030), ("E07000133", "male", 67, 2047)]:
        row = ons_long[(ons_long.area_code == area) & (ons_long.sex == sex) & (ons_long.age == age) & (ons_long.year == year)]
        assert snpp.sel(area=area, sex=sex, age=age, year=year).item() == row.population.item()
    # first data row of the males file, by eye: E06000016,Leicester,Population,males,0,2323.000
    assert snpp.sel(area=LEICESTER, sex="male", age=0, year=2022).item() == 2323.0


def test_snpp_provenance(snpp):
    assert "snpp2022_migcat23_males.csv=" in snpp.attrs["sha256"]
    assert len(snpp.attrs["sha256"].split("; ")) == 2


def test_persons_file_is_cross_checked_not_stored():
    with_persons = forecast.read_snpp(list(SNPP_FILES.values()))
    assert list(with_persons["sex"].values) == ["male", "female"]


def test_folder_and_zip_give_the_same_cube(tmp_path, snpp):
    z = tmp_path / "2022 SNPP Population.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for s in ("males", "females"):
            zf.write(SNPP_FILES[s], f"2022 SNPP Population {s}.csv")
    from_zip = forecast.read_snpp(z)
    np.testing.assert_array_equal(from_zip.values, snpp.values)
    folder = tmp_path / "dir"
    folder.mkdir()
    for s in ("males", "females"):
        (folder / f"{s}.csv").write_bytes(SNPP_FILES[s].read_bytes())
    np.testing.assert_array_equal(forecast.read_snpp(folder).sel(area=snpp.area).values, snpp.values)


def test_default_population_has_leicestershire_as_sum_of_districts(default_pop, ons_long):
    assert "E10000018" in default_pop.area.values
    assert default_pop.sel(area="E10000018")["area_name"].item() == "Leicestershire"
    d = ons_long[ons_long.area_code.isin(LEICS_DISTRICTS) & (ons_long.year == 2032)]
    assert default_pop.sel(area="E10000018", year=2032).sum().item() == pytest.approx(d.population.sum(), abs=1e-6)
    # ONS persons file, summed over the districts: 797,367.055 persons in 2032 (shared data SOURCES.md)
    assert default_pop.sel(area="E10000018", year=2032).sum().item() == pytest.approx(797_367.055, abs=0.01)


def test_tidy_round_trip(tmp_path, snpp):
    df = snpp.sel(area=[LEICESTER], year=[2025, 2026]).to_dataframe().reset_index()
    df["age"] = [("90+" if a == 90 else str(a)) for a in df["age"]]
    df = df.rename(columns={"area": "area_code"})[["area_code", "area_name", "year", "sex", "age", "population"]]
    p = tmp_path / "tidy.csv"
    df.to_csv(p, index=False)
    cube = forecast.read_tidy(p)
    np.testing.assert_array_equal(cube.values, snpp.sel(area=[LEICESTER], year=[2025, 2026]).values)


def test_tidy_accepts_mye_layout(tmp_path):
    # the ONS mid-year estimates extract layout: area_code,area_name,sex,age,year,population
    rows = ["area_code,area_name,sex,age,year,population"]
    for sex in ("male", "female"):
        for age in list(range(90)) + ["90+"]:
            rows.append(f"E06000016,Leicester,{sex},{age},2018,{1 if age != '90+' else 7}")
    p = tmp_path / "mye.csv"
    p.write_text("\n".join(rows) + "\n")
    cube = forecast.read_tidy(p)
    # 90 single ages of 1 and a 90+ group of 7, for each sex: (90 + 7) × 2 = 194
    assert cube.sum().item() == 194
    assert cube.attrs["open_top_age"] == 90


# ---------------------------------------------------------------------------- bad input

def _females_with(tmp_path, edit, name="females.csv"):
    lines = _lines(SNPP_FILES["females"])
    lines = edit(lines)
    p = tmp_path / name
    p.write_text("".join(lines))
    return p


def _read(tmp_path, edited):
    return forecast.read_snpp([SNPP_FILES["males"], edited])


def test_missing_file(tmp_path):
    with pytest.raises(InputError) as e:
        forecast.read_snpp(tmp_path / "nope.csv")
    assert str(e.value) == f"{tmp_path / 'nope.csv'}: file not found"


def test_cell_not_a_number(tmp_path):
    def edit(lines):
        lines[4] = lines[4].replace(",2145.000,", ",n/a,", 1)  # line 5 of the file, column 2022
        return lines
    p = _females_with(tmp_path, edit)
    with pytest.raises(InputError) as e:
        _read(tmp_path, p)
    assert (e.value.file, e.value.line, e.value.field) == (str(p), 5, "column 2022")
    assert "'n/a' is not a number" in str(e.value)


def test_negative_population(tmp_path):
    def edit(lines):
        lines[4] = lines[4].replace(",2145.000,", ",-2145.000,", 1)
        return lines
    p = _females_with(tmp_path, edit)
    with pytest.raises(InputError, match="line 5: column 2022: negative population"):
        _read(tmp_path, p)


def test_missing_single_age(tmp_path):
    p = _females_with(tmp_path, lambda ls: [x for x in ls if not x.startswith("E06000016,Leicester,Population,females,45,")])
    with pytest.raises(InputError, match=r"AGE_GROUP: area E06000016, female, year 2022: missing single age\(s\) 45"):
        _read(tmp_path, p)


def test_duplicate_row(tmp_path):
    def edit(lines):
        dup = next(x for x in lines if x.startswith("E06000016,Leicester,Population,females,45,"))
        return lines + [dup]
    p = _females_with(tmp_path, edit)
    with pytest.raises(InputError) as e:
        _read(tmp_path, p)
    assert e.value.line == 47 and "duplicate row for area E06000016, female, age 45" in str(e.value)


def test_malformed_csv(tmp_path):
    def edit(lines):
        lines[3] = lines[3].rstrip("\n") + ",1,2\n"
        return lines
    p = _females_with(tmp_path, edit)
    with pytest.raises(InputError, match="line 4: malformed CSV: expected 31 fields, found 33"):
        _read(tmp_path, p)


def test_missing_column(tmp_path):
    p = _females_with(tmp_path, lambda ls: [ls[0].replace('"SEX",', '"GENDER",')] + ls[1:])
    with pytest.raises(InputError, match="SEX: missing column 'SEX'"):
        _read(tmp_path, p)


def test_unknown_sex(tmp_path):
    def edit(lines):
        lines[1] = lines[1].replace("females", "other", 1)
        return lines
    with pytest.raises(InputError, match="line 2: SEX: unknown SEX 'other'"):
        _read(tmp_path, _females_with(tmp_path, edit))


def test_all_ages_disagreeing_with_single_ages(tmp_path):
    def edit(lines):
        i = next(i for i, x in enumerate(lines) if x.startswith("E06000016,Leicester,Population,females,All ages,"))
        lines[i] = lines[i].replace("E06000016,Leicester,Population,females,All ages,", "E06000016,Leicester,Population,females,All ages,1", 1)
        return lines
    with pytest.raises(InputError, match="'All ages' is .* but the single ages add to"):
        _read(tmp_path, _females_with(tmp_path, edit))


def test_males_file_missing():
    with pytest.raises(InputError, match="has no male rows"):
        forecast.read_snpp(SNPP_FILES["females"])


def test_empty_file(tmp_path):
    p = tmp_path / "empty.csv"
    p.write_text("")
    with pytest.raises(InputError, match="empty.csv: file is empty"):
        forecast.read_snpp(p)


def test_tidy_without_open_top(tmp_path):
    rows = ["area_code,area_name,year,sex,age,population"]
    rows += [f"X,X,2020,{s},{a},1" for s in ("male", "female") for a in range(3)]
    p = tmp_path / "t.csv"
    p.write_text("\n".join(rows))
    with pytest.raises(InputError, match="no open top age group"):
        forecast.read_tidy(p)


def test_tidy_bad_year(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("area_code,area_name,year,sex,age,population\nX,X,20x0,male,0,1\n")
    with pytest.raises(InputError, match="line 2: year: '20x0' is not a year"):
        forecast.read_tidy(p)
