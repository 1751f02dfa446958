"""The England-wide population and ethnicity files shipped under population/ agree with the
shared originals they were made from (/work/shared/data, see population/SOURCES.md).

Everything is recomputed here with plain pandas from the shared files; nothing is imported
from population/build/.  The list of district unions is written out again below, by hand,
from the cited lookups, and the shipped mapping is checked against it.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecast.ages import parse_band

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[1]
POP = REPO / "population"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
ONS = SHARED / "ons" / "england"
ETH = SHARED / "ethnicity"

# 2023 district <- old districts (ONS code changes 2019-2023; sources: l-hodge/ukgeog
# data-raw/la-boundary-changes.R @1224f984, ONS LAD22_LAD23_UK_LU as saved in
# tompickup23/ukdemographics @c80e7839, mySociety MapIt structural-change scripts).
UNIONS = {
    "E06000058": ["E06000028", "E06000029", "E07000048"],  # BCP: Bournemouth, Poole, Christchurch
    "E06000059": ["E07000049", "E07000050", "E07000051", "E07000052", "E07000053"],  # Dorset
    "E06000060": ["E07000004", "E07000005", "E07000006", "E07000007"],  # Buckinghamshire
    "E06000061": ["E07000150", "E07000152", "E07000153", "E07000156"],  # North Northamptonshire
    "E06000062": ["E07000151", "E07000154", "E07000155"],  # West Northamptonshire
    "E06000063": ["E07000026", "E07000028", "E07000029"],  # Cumberland: Allerdale, Carlisle, Copeland
    "E06000064": ["E07000027", "E07000030", "E07000031"],  # Westmorland and Furness
    "E06000065": ["E07000163", "E07000164", "E07000165", "E07000166", "E07000167", "E07000168", "E07000169"],
    "E06000066": ["E07000187", "E07000188", "E07000189", "E07000190", "E07000191"],  # Somerset
    "E07000244": ["E07000205", "E07000206"],  # East Suffolk
    "E07000245": ["E07000201", "E07000204"],  # West Suffolk
}
OLD_TO_NEW = {old: new for new, olds in UNIONS.items() for old in olds}


@pytest.fixture(scope="module", autouse=True)
def shared_present():
    if not (SHARED / "README.md").is_file():
        pytest.fail(f"shared data folder not found at {SHARED}: the shipped files are checked against it")


def _lookup():
    return pd.read_csv(POP / "geography" / "lad23_lookup.csv", dtype=str)


def _to_lad23(codes, lad23):
    out = {}
    for c in codes:
        out[c] = c if c in lad23 else OLD_TO_NEW[c]
    return out


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


SHIPPED = [
    "geography/lad23_lookup.csv",
    "england/npp2022_england_principal.csv",
    "england/npp2018_variants.csv.gz",
    "england/npp2018_variants.csv",
    "mye/mye_england_lad23_2011_2018.csv.gz",
    "mye/lad_to_lad23.csv",
    "ethnicity/census2011_dc2101ew_lad23.csv.gz",
    "ethnicity/census2011_groups.csv",
]


def test_sources_md_records_each_files_sha256():
    text = (POP / "SOURCES.md").read_text()
    for rel in SHIPPED:
        assert _sha(POP / rel) in text, f"sha256 of {rel} missing from population/SOURCES.md"


# ---------------------------------------------------------------- geography

def test_lookup_is_the_shared_file_with_296_districts():
    assert (POP / "geography" / "lad23_lookup.csv").read_bytes() == (ONS / "lad23_to_utla_region.csv").read_bytes()
    lk = _lookup()
    assert list(lk.columns) == ["LAD23CD", "LAD23NM", "CTYUA23CD", "CTYUA23NM", "RGN23CD", "RGN23NM",
                                "CTRY23CD", "CTRY23NM"]
    assert len(lk) == 296 and lk.LAD23CD.is_unique
    assert lk.notna().all().all()
    assert set(lk.CTRY23CD) == {"E92000001"}
    assert lk.CTYUA23CD.nunique() == 153 and lk.RGN23CD.nunique() == 9
    assert lk.loc[lk.CTYUA23CD.str.startswith("E10"), "CTYUA23CD"].nunique() == 21
    assert lk.groupby("CTYUA23CD").RGN23CD.nunique().max() == 1  # no county spans two regions


# ---------------------------------------------------------------- national projections

def test_npp2022_is_a_verbatim_copy():
    shipped = POP / "england" / "npp2022_england_principal.csv"
    assert shipped.read_bytes() == (ONS / "npp2022_england_principal_population.csv").read_bytes()
    df = pd.read_csv(shipped)
    # England mid-2022 base year, males and females (ONS NPP 2022-based, Population sheet)
    assert df.groupby("Sex")["2022"].sum().to_dict() == {"Females": 29_126_510, "Males": 27_986_032}
    assert list(df.Age.iloc[-2:]) == ["105 - 109", "110 and over"]


def test_npp2018_variants_equal_the_18_source_files():
    vdir = ONS / "npp2018_variants"
    allv = pd.read_csv(POP / "england" / "npp2018_variants.csv.gz", dtype=str, keep_default_na=False)
    files = {p.name.split("_")[2]: p for p in vdir.glob("npp2018_england_*_population.csv")}
    assert len(files) == 18
    assert allv.columns[0] == "variant" and set(allv.variant) == set(files)
    for code, path in files.items():
        src = pd.read_csv(path, dtype=str, keep_default_na=False)
        got = allv[allv.variant == code].drop(columns="variant").reset_index(drop=True)
        pd.testing.assert_frame_equal(got, src, obj=code)
    # the shared principal file is the ppp variant file, byte for byte
    assert (ONS / "npp2018_england_principal_population.csv").read_bytes() == files["ppp"].read_bytes()
    # England 2043 by variant, as tabulated in the variants' SOURCES.md
    y2043 = allv.assign(v=allv["2043"].astype(np.int64)).groupby("variant").v.sum()
    assert y2043["ppp"] == 61_744_098 and y2043["pph"] == 64_241_728 and y2043["ppz"] == 56_322_733
    assert y2043["hhh"] == 65_548_296 and y2043["lll"] == 57_196_759 and y2043["lhl"] == 58_199_332
    # 2018 base: 55,977,178 in every variant (= sum of the English districts, Nomis mid-2018)
    base = allv.assign(v=allv["2018"].astype(np.int64)).groupby("variant").v.sum()
    assert (base == 55_977_178).all()


def test_npp2018_variant_table():
    meta = pd.read_csv(POP / "england" / "npp2018_variants.csv")
    assert list(meta.columns) == ["code", "name", "label", "description"]
    codes = {p.name.split("_")[2] for p in (ONS / "npp2018_variants").glob("npp2018_england_*_population.csv")}
    assert set(meta.code) == codes and meta.code.is_unique and meta.name.is_unique
    assert meta.notna().all().all() and meta.name.str.fullmatch(r"[a-z][a-z0-9_]*").all()
    name = dict(zip(meta.code, meta.name))
    assert name["ppp"] == "principal"
    assert (name["pph"], name["ppl"], name["ppz"]) == ("high_migration", "low_migration", "zero_net_migration")
    assert (name["hpp"], name["lpp"], name["php"], name["plp"]) == (
        "high_fertility", "low_fertility", "high_life_expectancy", "low_life_expectancy")
    assert (name["hlh"], name["lhl"], name["hhh"], name["lll"]) == (
        "young_age_structure", "old_age_structure", "high_population", "low_population")


# ---------------------------------------------------------------- mid-year estimates

@pytest.fixture(scope="module")
def mye():
    shipped = pd.read_csv(POP / "mye" / "mye_england_lad23_2011_2018.csv.gz", dtype={"age": str})
    raw = []
    for year in (2011, 2018):
        df = pd.read_csv(ONS / f"mye{year}_uk_lad_syoa_sex_nomis_NM_2002_1.tsv", sep="\t")
        df = df[df.GEOGRAPHY_CODE.str.startswith("E")].assign(year=year)
        raw.append(df)
    raw = pd.concat(raw, ignore_index=True)
    raw["sex"] = raw.GENDER.map({1: "male", 2: "female"})
    raw["age"] = np.where(raw.C_AGE == 191, "90+", (raw.C_AGE - 101).astype(str))
    return shipped, raw


def test_mye_layout_and_codes(mye):
    shipped, raw = mye
    lk = _lookup()
    assert list(shipped.columns) == ["area_code", "area_name", "sex", "age", "year", "population"]
    assert len(shipped) == 296 * 2 * 91 * 2
    assert set(shipped.area_code) == set(lk.LAD23CD)
    names = shipped.drop_duplicates("area_code").set_index("area_code").area_name
    assert (names == lk.set_index("LAD23CD").LAD23NM.reindex(names.index)).all()
    assert set(shipped.sex) == {"male", "female"} and set(shipped.year) == {2011, 2018}
    assert list(shipped.age.drop_duplicates()) == [str(a) for a in range(90)] + ["90+"]
    assert not shipped.duplicated(["area_code", "sex", "age", "year"]).any()
    assert raw.GEOGRAPHY_CODE.nunique() == 326


def test_lad_to_lad23_matches_the_unions(mye):
    _, raw = mye
    lk = _lookup()
    lut = pd.read_csv(POP / "mye" / "lad_to_lad23.csv", dtype=str)
    assert list(lut.columns) == ["old_code", "old_name", "lad23_code", "lad23_name"]
    assert set(lut.old_code) == set(raw.GEOGRAPHY_CODE) and lut.old_code.is_unique
    assert set(lut.lad23_code) == set(lk.LAD23CD)
    expect = _to_lad23(lut.old_code, set(lk.LAD23CD))
    assert (lut.lad23_code == lut.old_code.map(expect)).all()
    assert (lut.lad23_name == lut.lad23_code.map(dict(zip(lk.LAD23CD, lk.LAD23NM)))).all()
    assert (lut.old_code != lut.lad23_code).sum() == 41  # 41 abolished districts in 11 unions


def test_mye_values_are_sums_of_old_districts(mye):
    shipped, raw = mye
    lk = _lookup()
    key = ["area_code", "sex", "age", "year"]
    mapping = _to_lad23(raw.GEOGRAPHY_CODE.unique(), set(lk.LAD23CD))
    expect = (raw.assign(area_code=raw.GEOGRAPHY_CODE.map(mapping))
              .groupby(key).OBS_VALUE.sum().rename("expect").reset_index())
    both = shipped.merge(expect, on=key, how="outer", validate="one_to_one")
    assert both.population.notna().all() and both.expect.notna().all()
    assert (both.population == both.expect).all()
    # one union by hand: Cumberland, males aged 90+, mid-2018
    cum = raw[raw.GEOGRAPHY_CODE.isin(["E07000026", "E07000028", "E07000029"])
              & (raw.sex == "male") & (raw.age == "90+") & (raw.year == 2018)].OBS_VALUE.sum()
    got = shipped.query("area_code == 'E06000063' and sex == 'male' and age == '90+' and year == 2018").population
    assert got.item() == cum


def test_mye_england_totals(mye):
    shipped, raw = mye
    s = shipped.groupby(["year", "sex"]).population.sum()
    r = raw.groupby(["year", "sex"]).OBS_VALUE.sum()
    assert (s == r).all()
    # England totals as recorded for the Nomis files (shared ons/england/SOURCES.md §2)
    assert s[(2011, "male")] == 26_133_162 and s[(2011, "female")] == 26_974_007
    assert s[(2018, "male")] == 27_667_942 and s[(2018, "female")] == 28_309_236


def _mye2020_hierarchy():
    """The mid-2020 table lists each region and county followed by its areas: read the
    region (and county, for non-metropolitan districts) of every English district."""
    p = pd.read_csv(ONS / "mye2020_persons_syoa_uk_areas.csv")
    p = p[p.code.str.startswith("E")]
    region = county = None
    rows = []
    for code, geo, total in zip(p.code, p.geography, p.all_ages):
        if geo == "Region":
            region, county = code, None
        elif geo == "County":
            county = code
        elif geo in ("Unitary Authority", "Metropolitan District", "London Borough",
                     "Non-metropolitan District"):
            rows.append((code, region, county if geo == "Non-metropolitan District" else None, total))
        elif geo == "Metropolitan County":
            county = None
    return p, pd.DataFrame(rows, columns=["code", "region", "county", "all_ages"])


def test_mye_against_mid2020_geography_and_growth(mye):
    """Mid-2020 (April-2021 districts) is a different year: values cannot be compared
    exactly; its geography can, and the 2018-2020 change must be small for each union."""
    shipped, _ = mye
    lk = _lookup()
    lad23 = set(lk.LAD23CD)
    p, d = _mye2020_hierarchy()
    assert len(d) == 309
    # 2020 districts -> 2023: unchanged, or a 2022 district that went into a 2023 unitary
    # (Somerset West and Taunton E07000246, itself Taunton Deane + West Somerset, went into Somerset)
    to23 = {c: c if c in lad23 else ("E06000066" if c == "E07000246" else OLD_TO_NEW[c]) for c in d.code}
    d["lad23"] = d.code.map(to23)
    assert set(d.lad23) == lad23
    # the region ONS lists each 2020 district under = the lookup's region for its 2023 district
    assert (d.region == d.lad23.map(dict(zip(lk.LAD23CD, lk.RGN23CD)))).all()
    # each surviving county holds the same districts in 2020 and in the 2023 lookup
    two_tier = lk[lk.CTYUA23CD.str.startswith("E10")]
    for cty, grp in two_tier.groupby("CTYUA23CD"):
        assert set(d.loc[d.county == cty, "lad23"]) == set(grp.LAD23CD), cty
    # growth 2018 -> 2020 of each union, and of the three counties abolished in 2023
    s18 = shipped[shipped.year == 2018].groupby("area_code").population.sum()
    d20 = d.groupby("lad23").all_ages.sum()
    growth = d20[list(UNIONS)] / s18[list(UNIONS)]
    assert growth.between(0.97, 1.03).all(), growth.round(4).to_dict()
    county20 = p.set_index("code").all_ages
    for cty, new in (("E10000006", ["E06000063", "E06000064"]), ("E10000023", ["E06000065"]),
                     ("E10000027", ["E06000066"])):
        assert 0.99 < county20[cty] / s18[new].sum() < 1.03, cty
    # England: mid-2020 row over shipped mid-2018 (56,550,138 / 55,977,178)
    assert county20["E92000001"] / s18.sum() == pytest.approx(56_550_138 / 55_977_178)


# ---------------------------------------------------------------- Census 2011 DC2101EW

COL = re.compile(r"^Sex: (.+); Age: (.+); Ethnic Group: (.+); measures: Value$")


def _wide(path):
    """A Nomis DC2101EW download as a frame indexed by area code, with (sex, age, group)
    column levels as published."""
    df = pd.read_csv(path).set_index("geography code").drop(columns=["date", "geography"])
    parts = [COL.match(c).groups() for c in df.columns]
    df.columns = pd.MultiIndex.from_tuples(parts, names=["sex", "age", "eth"])
    return df


def _label_band(age):
    if age == "Age 85 and over":
        return "85+"
    lo, _, hi = age.removeprefix("Age ").partition(" to ")
    return f"{lo}-{hi or lo}"


@pytest.fixture(scope="module")
def census():
    shipped = pd.read_csv(POP / "ethnicity" / "census2011_dc2101ew_lad23.csv.gz")
    groups = pd.read_csv(POP / "ethnicity" / "census2011_groups.csv")
    lad, reg, ctry = (_wide(ETH / f"census2011_dc2101ew_{n}.csv") for n in ("lad", "regions", "countries"))
    return shipped, groups, lad, reg, ctry


def test_census_source_totals_equal_their_parts(census):
    _, groups, lad, reg, ctry = census
    for w in (lad, reg, ctry):
        persons = w.xs("All persons", axis=1, level="sex")
        assert (persons == w.xs("Males", axis=1, level="sex") + w.xs("Females", axis=1, level="sex")).all().all()
        allage = w.xs("All categories: Age", axis=1, level="age")
        bands = w.drop(columns="All categories: Age", level="age").T.groupby(level=["sex", "eth"]).sum().T
        assert (allage == bands[allage.columns]).all().all()
        total = w.xs("All categories: Ethnic group", axis=1, level="eth")
        for broad in groups.census_broad_label.unique():
            subs = groups.loc[groups.census_broad_label == broad, "census_label"]
            part = w.loc[:, w.columns.get_level_values("eth").isin(subs)].T.groupby(level=["sex", "age"]).sum().T
            assert (w.xs(f"{broad}: Total", axis=1, level="eth") == part[total.columns]).all().all(), broad
        five = w.loc[:, w.columns.get_level_values("eth").str.endswith(": Total")].T.groupby(level=["sex", "age"]).sum().T
        assert (total == five[total.columns]).all().all()


def test_census_groups_file(census):
    _, groups, lad, _, _ = census
    assert list(groups.columns[:2]) == ["ethnic_group", "broad_group"]
    assert len(groups) == 18 and groups.ethnic_group.is_unique
    published = {e for e in lad.columns.get_level_values("eth")
                 if not e.startswith("All categories") and not e.endswith(": Total")}
    assert set(groups.census_label) == published
    # broad group = the Census 2011 heading the detailed label sits under
    assert all(lab.startswith(b + ": ") for lab, b in zip(groups.census_label, groups.census_broad_label))
    short = {"White": "White", "Mixed/multiple ethnic group": "Mixed", "Asian/Asian British": "Asian",
             "Black/African/Caribbean/Black British": "Black", "Other ethnic group": "Other"}
    assert (groups.broad_group == groups.census_broad_label.map(short)).all()
    assert groups.broad_group.value_counts().to_dict() == {"White": 4, "Mixed": 4, "Asian": 5, "Black": 3, "Other": 2}


def _long(w, groups):
    w = w.loc[:, w.columns.get_level_values("sex").isin(["Males", "Females"])
              & (w.columns.get_level_values("age") != "All categories: Age")
              & w.columns.get_level_values("eth").isin(groups.census_label)]
    s = w.stack(level=["sex", "age", "eth"], future_stack=True).rename("expect").reset_index()
    s = s.rename(columns={"geography code": "area_code"})
    s["sex"] = s.sex.map({"Males": "male", "Females": "female"})
    s["age_band"] = s.age.map(_label_band)
    s["ethnic_group"] = s.eth.map(dict(zip(groups.census_label, groups.ethnic_group)))
    return s.drop(columns=["age", "eth"])


def test_census_layout(census):
    shipped, _, _, _, _ = census
    lk = _lookup()
    assert list(shipped.columns) == ["area_code", "area_name", "sex", "age_band", "ethnic_group", "count"]
    areas = set(lk.LAD23CD) | set(lk.RGN23CD) | {"E92000001"}
    assert set(shipped.area_code) == areas
    assert len(shipped) == len(areas) * 2 * 21 * 18
    assert set(shipped.sex) == {"male", "female"}
    bands = list(shipped.age_band.drop_duplicates())
    assert bands[0] == "0-4" and bands[-1] == "85+" and len(bands) == 21
    assert all(re.fullmatch(r"\d+-\d+|\d+\+", b) for b in bands)
    parsed = [parse_band(b) for b in bands]  # forecast reads every label
    assert parsed[0].lo == 0 and parsed[-1].hi is None and parsed[-1].lo == 85
    assert all(b.lo == a.hi + 1 for a, b in zip(parsed, parsed[1:]))  # contiguous, no overlap
    assert (shipped["count"] >= 0).all()
    names = dict(zip(lk.LAD23CD, lk.LAD23NM)) | dict(zip(lk.RGN23CD, lk.RGN23NM)) | {"E92000001": "England"}
    assert (shipped.area_name == shipped.area_code.map(names)).all()


def test_census_districts_are_sums_of_2011_districts(census):
    shipped, groups, lad, _, _ = census
    lk = _lookup()
    lad = lad[lad.index.str.startswith("E")]
    assert len(lad) == 326
    s = _long(lad, groups)
    s["area_code"] = s.area_code.map(_to_lad23(s.area_code.unique(), set(lk.LAD23CD)))
    key = ["area_code", "sex", "age_band", "ethnic_group"]
    expect = s.groupby(key).expect.sum().reset_index()
    got = shipped[shipped.area_code.isin(lk.LAD23CD)].merge(expect, on=key, how="outer", validate="one_to_one")
    assert got["count"].notna().all() and got.expect.notna().all()
    assert (got["count"] == got.expect).all()
    # Leicester E06000016: 329,839 usual residents (shared ethnicity/SOURCES.md §2)
    assert shipped.loc[shipped.area_code == "E06000016", "count"].sum() == 329_839


def test_census_regions_and_england_as_published_and_equal_to_their_districts(census):
    shipped, groups, _, reg, ctry = census
    lk = _lookup()
    key = ["area_code", "sex", "age_band", "ethnic_group"]
    pub = pd.concat([_long(reg[reg.index.str.startswith("E12")], groups),
                     _long(ctry[ctry.index == "E92000001"], groups)])
    top = shipped[~shipped.area_code.isin(lk.LAD23CD)].merge(pub, on=key, how="outer", validate="one_to_one")
    assert top["count"].notna().all() and top.expect.notna().all()
    assert (top["count"] == top.expect).all()
    dist = shipped[shipped.area_code.isin(lk.LAD23CD)]
    by_region = (dist.assign(area_code=dist.area_code.map(dict(zip(lk.LAD23CD, lk.RGN23CD))))
                 .groupby(key)["count"].sum().rename("sum").reset_index())
    by_england = dist.assign(area_code="E92000001").groupby(key)["count"].sum().rename("sum").reset_index()
    both = top.merge(pd.concat([by_region, by_england]), on=key, how="outer", validate="one_to_one")
    assert both["sum"].notna().all() and (both["count"] == both["sum"]).all()
    assert shipped.loc[shipped.area_code == "E92000001", "count"].sum() == 53_012_456
