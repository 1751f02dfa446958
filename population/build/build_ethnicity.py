"""Census 2011 DC2101EW "Ethnic group by sex by age" for every English district on April-2023
boundaries, the 9 English regions and England, in long form.

Input: the shared Nomis bulk downloads ethnicity/census2011_dc2101ew_{lad,regions,countries}.csv
(one row per area, one column per sex x age band x ethnic group) and
ons/england/lad23_to_utla_region.csv.

- Districts: each 2011 district is mapped to the 2023 district containing it whole
  (lad_changes.UNIONS) and summed; nothing is apportioned.
- Regions and England: the published rows, not summed here.
- Before they are dropped, every total is checked: All persons = Males + Females; "All
  categories: Age" = the sum of the 21 bands; each broad-group "Total" = the sum of its
  detailed groups; "All categories: Ethnic group" = the sum of the 5 broad totals.

Outputs:
- population/ethnicity/census2011_dc2101ew_lad23.csv.gz:
  area_code, area_name, sex (male/female), age_band (0-4 ... 85+), ethnic_group (18 groups), count
- population/ethnicity/census2011_groups.csv: the 18 groups with their Census 2011 broad group.

Run: python population/build/build_ethnicity.py /work/shared/data
"""

from __future__ import annotations

import re

import pandas as pd

from common import GZIP, POPULATION, report, shared_dir
from lad_changes import map_codes

# Census 2011 label (after "Ethnic Group: ") -> (short label, broad group short label)
GROUPS = {
    "White: English/Welsh/Scottish/Northern Irish/British": ("White British", "White"),
    "White: Irish": ("Irish", "White"),
    "White: Gypsy or Irish Traveller": ("Gypsy or Irish Traveller", "White"),
    "White: Other White": ("Other White", "White"),
    "Mixed/multiple ethnic group: White and Black Caribbean": ("White and Black Caribbean", "Mixed"),
    "Mixed/multiple ethnic group: White and Black African": ("White and Black African", "Mixed"),
    "Mixed/multiple ethnic group: White and Asian": ("White and Asian", "Mixed"),
    "Mixed/multiple ethnic group: Other Mixed": ("Other Mixed", "Mixed"),
    "Asian/Asian British: Indian": ("Indian", "Asian"),
    "Asian/Asian British: Pakistani": ("Pakistani", "Asian"),
    "Asian/Asian British: Bangladeshi": ("Bangladeshi", "Asian"),
    "Asian/Asian British: Chinese": ("Chinese", "Asian"),
    "Asian/Asian British: Other Asian": ("Other Asian", "Asian"),
    "Black/African/Caribbean/Black British: African": ("African", "Black"),
    "Black/African/Caribbean/Black British: Caribbean": ("Caribbean", "Black"),
    "Black/African/Caribbean/Black British: Other Black": ("Other Black", "Black"),
    "Other ethnic group: Arab": ("Arab", "Other"),
    "Other ethnic group: Any other ethnic group": ("Any other ethnic group", "Other"),
}
BROAD = {  # Census 2011 broad group (text before the colon) -> short label
    "White": "White",
    "Mixed/multiple ethnic group": "Mixed",
    "Asian/Asian British": "Asian",
    "Black/African/Caribbean/Black British": "Black",
    "Other ethnic group": "Other",
}
ALL_ETH = "All categories: Ethnic group"
ALL_AGE = "All categories: Age"
SEXES = {"All persons": "persons", "Males": "male", "Females": "female"}
COL = re.compile(r"^Sex: (.+); Age: (.+); Ethnic Group: (.+); measures: Value$")


def band_label(age: str) -> str:
    """'Age 0 to 4' -> '0-4'; 'Age 15' -> '15-15'; 'Age 85 and over' -> '85+'."""
    if age == ALL_AGE:
        return "all"
    m = re.fullmatch(r"Age (\d+) to (\d+)", age)
    if m:
        return f"{m[1]}-{m[2]}"
    m = re.fullmatch(r"Age (\d+)", age)
    if m:
        return f"{m[1]}-{m[1]}"
    m = re.fullmatch(r"Age (\d+) and over", age)
    if m:
        return f"{m[1]}+"
    raise ValueError(f"unknown age label {age!r}")


def read_long(path) -> pd.DataFrame:
    """Nomis wide CSV -> long: area_code, area_name, sex, age, eth, count (all labels as published)."""
    wide = pd.read_csv(path)
    assert list(wide.columns[:3]) == ["date", "geography", "geography code"]
    assert (wide["date"] == 2011).all()
    long = wide.drop(columns="date").melt(id_vars=["geography", "geography code"], var_name="col", value_name="count")
    parts = long.col.str.extract(COL)
    assert parts.notna().all().all(), "unexpected column name"
    long = pd.DataFrame({
        "area_code": long["geography code"], "area_name": long["geography"],
        "sex": parts[0].map(SEXES), "age": parts[1], "eth": parts[2], "count": long["count"],
    })
    assert long.sex.notna().all() and long["count"].notna().all()
    assert (long["count"] >= 0).all()
    long["count"] = long["count"].astype("int64")
    return long


def check_totals(long: pd.DataFrame, what: str) -> int:
    """Assert every total in the table equals the sum of its parts; return cells checked."""
    w = long.pivot_table(index=["area_code", "sex", "age"], columns="eth", values="count", aggfunc="sum")
    n = 0
    # ethnic totals
    for broad in BROAD:
        subs = [g for g in GROUPS if g.startswith(broad + ": ")]
        diff = w[f"{broad}: Total"] - w[subs].sum(axis=1)
        assert (diff == 0).all(), f"{what}: {broad} total != sum of its groups"
        n += len(diff)
    diff = w[ALL_ETH] - w[[f"{b}: Total" for b in BROAD]].sum(axis=1)
    assert (diff == 0).all(), f"{what}: all ethnic groups != sum of broad totals"
    n += len(diff)
    # age total
    a = long.pivot_table(index=["area_code", "sex", "eth"], columns="age", values="count", aggfunc="sum")
    bands = [c for c in a.columns if c != ALL_AGE]
    assert len(bands) == 21
    diff = a[ALL_AGE] - a[bands].sum(axis=1)
    assert (diff == 0).all(), f"{what}: all ages != sum of 21 bands"
    n += len(diff)
    # sex total
    s = long.pivot_table(index=["area_code", "age", "eth"], columns="sex", values="count", aggfunc="sum")
    diff = s["persons"] - s["male"] - s["female"]
    assert (diff == 0).all(), f"{what}: persons != male + female"
    n += len(diff)
    return n


def detailed(long: pd.DataFrame) -> pd.DataFrame:
    """Keep male/female x 21 bands x 18 detailed groups, relabelled."""
    keep = long[(long.sex != "persons") & (long.age != ALL_AGE) & long.eth.isin(list(GROUPS))].copy()
    keep["age_band"] = keep.age.map(band_label)
    keep["ethnic_group"] = keep.eth.map(lambda e: GROUPS[e][0])
    return keep


def main() -> None:
    shared = shared_dir()
    lk = pd.read_csv(shared / "ons" / "england" / "lad23_to_utla_region.csv", dtype=str)
    lad23_name = dict(zip(lk.LAD23CD, lk.LAD23NM))
    region_name = dict(zip(lk.RGN23CD, lk.RGN23NM))
    edir = shared / "ethnicity"

    lad = read_long(edir / "census2011_dc2101ew_lad.csv")
    reg = read_long(edir / "census2011_dc2101ew_regions.csv")
    ctry = read_long(edir / "census2011_dc2101ew_countries.csv")
    for df, what in ((lad, "districts"), (reg, "regions"), (ctry, "countries")):
        print(f"{what}: {check_totals(df, what):,} totals equal the sum of their parts")

    # published label sets
    ages = list(dict.fromkeys(lad.age))
    assert set(GROUPS) | {ALL_ETH} | {f"{b}: Total" for b in BROAD} == set(lad.eth)
    print("age bands:", [band_label(a) for a in ages if a != ALL_AGE])

    # districts -> 2023 districts (England only)
    lad = lad[lad.area_code.str.startswith("E")]
    codes = sorted(set(lad.area_code))
    mapping = map_codes(codes, lad23_name)
    assert set(mapping.values()) == set(lad23_name), "some 2023 district has no 2011 district"
    d = detailed(lad)
    d["area_code"] = d.area_code.map(mapping)
    d = d.groupby(["area_code", "sex", "age_band", "ethnic_group"], as_index=False, sort=False)["count"].sum()
    d["area_name"] = d.area_code.map(lad23_name)

    reg = detailed(reg[reg.area_code.str.startswith("E12")])
    assert set(reg.area_code) == set(region_name)
    reg["area_name"] = reg.area_code.map(region_name)  # "East" is written "East of England", as in the lookup
    eng = detailed(ctry[ctry.area_code == "E92000001"])
    eng["area_name"] = "England"

    cols = ["area_code", "area_name", "sex", "age_band", "ethnic_group", "count"]
    out_df = pd.concat([d[cols], reg[cols], eng[cols]], ignore_index=True)
    # order: areas by code, then sex (male, female), bands and groups in Census order
    band_order = {band_label(a): i for i, a in enumerate(ages)}
    group_order = {v[0]: i for i, v in enumerate(GROUPS.values())}
    out_df = out_df.sort_values(
        ["area_code", "sex", "age_band", "ethnic_group"],
        key=lambda s: s.map({"male": 0, "female": 1}) if s.name == "sex"
        else s.map(band_order) if s.name == "age_band"
        else s.map(group_order) if s.name == "ethnic_group" else s,
    ).reset_index(drop=True)
    assert len(out_df) == (296 + 9 + 1) * 2 * 21 * 18
    assert not out_df.duplicated(["area_code", "sex", "age_band", "ethnic_group"]).any()

    # regions and England against the sum of their districts (reported; asserted in the test)
    dist = out_df[out_df.area_code.isin(lad23_name)]
    rg = dist.assign(r=dist.area_code.map(dict(zip(lk.LAD23CD, lk.RGN23CD)))).groupby(
        ["r", "sex", "age_band", "ethnic_group"])["count"].sum()
    pub = out_df[out_df.area_code.str.startswith("E12")].set_index(["area_code", "sex", "age_band", "ethnic_group"])["count"]
    pub.index = pub.index.set_names(rg.index.names)
    print("regions: max |published - sum of districts| =", int((pub - rg).abs().max()))
    en = dist.groupby(["sex", "age_band", "ethnic_group"])["count"].sum()
    pe = out_df[out_df.area_code == "E92000001"].set_index(["sex", "age_band", "ethnic_group"])["count"]
    print("England: max |published - sum of districts| =", int((pe - en).abs().max()), "; total", int(pe.sum()))

    outdir = POPULATION / "ethnicity"
    out = outdir / "census2011_dc2101ew_lad23.csv.gz"
    out_df.to_csv(out, index=False, lineterminator="\n", compression=GZIP)
    report(out, len(out_df))

    groups = pd.DataFrame(
        [(short, broad, label, next(k for k in BROAD if label.startswith(k + ": ")))
         for label, (short, broad) in GROUPS.items()],
        columns=["ethnic_group", "broad_group", "census_label", "census_broad_label"])
    out = outdir / "census2011_groups.csv"
    groups.to_csv(out, index=False, lineterminator="\n")
    report(out, len(groups))


if __name__ == "__main__":
    main()
