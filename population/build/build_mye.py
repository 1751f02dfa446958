"""Mid-2011 and mid-2018 population estimates for every English district on April-2023
boundaries.

Input: the shared Nomis NM_2002_1 downloads ons/england/mye{2011,2018}_uk_lad_syoa_sex_nomis_NM_2002_1.tsv
(every UK district on April-2015-to-March-2019 boundaries, sex x single year of age 0..89, 90+)
and ons/england/lad23_to_utla_region.csv (the 296 English 2023 districts).

Each old English district is mapped to the 2023 district that contains it whole
(lad_changes.UNIONS); unchanged districts map to themselves.  A 2023 district's figure is
the sum of its old districts.  Nothing is apportioned.

Outputs:
- population/mye/mye_england_lad23_2011_2018.csv.gz:
  area_code, area_name, sex (male/female), age (0..89, "90+"), year (2011/2018), population
- population/mye/lad_to_lad23.csv: old_code, old_name, lad23_code, lad23_name (all 326 codes)

Run: python population/build/build_mye.py /work/shared/data
"""

from __future__ import annotations

import json

import pandas as pd

from common import GZIP, POPULATION, report, shared_dir
from lad_changes import UNIONS, map_codes

SEX = {1: "male", 2: "female"}
AGES = [str(a) for a in range(90)] + ["90+"]


def read_nomis(path) -> pd.DataFrame:
    df = pd.read_csv(path, sep="\t", dtype={"GEOGRAPHY_CODE": str})
    assert list(df.columns) == ["GEOGRAPHY_CODE", "GENDER", "C_AGE", "OBS_VALUE"]
    assert df.notna().all().all() and not df.duplicated(["GEOGRAPHY_CODE", "GENDER", "C_AGE"]).any()
    assert set(df.GENDER) == {1, 2} and set(df.C_AGE) == set(range(101, 192))
    return df


def nomis_names(path) -> dict[str, str]:
    """Nomis lad_codes.json maps both names and codes to a Nomis id; pair them up."""
    by_id: dict[int, list[str]] = {}
    for key, nid in json.loads(path.read_text()).items():
        by_id.setdefault(nid, []).append(key)
    out = {}
    for keys in by_id.values():
        codes = [k for k in keys if len(k) == 9 and k[0] in "EWSN" and k[1:].isdigit()]
        names = [k for k in keys if k not in codes]
        if len(codes) == 1 and len(names) == 1:
            out[codes[0]] = names[0]
    return out


def main() -> None:
    shared = shared_dir() / "ons" / "england"
    lk = pd.read_csv(shared / "lad23_to_utla_region.csv", dtype=str)
    lad23_name = dict(zip(lk.LAD23CD, lk.LAD23NM))
    names = nomis_names(shared / "nomis_lad_codes.json")

    frames = []
    england_codes = None
    for year in (2011, 2018):
        df = read_nomis(shared / f"mye{year}_uk_lad_syoa_sex_nomis_NM_2002_1.tsv")
        df = df[df.GEOGRAPHY_CODE.str.startswith("E")].copy()
        codes = sorted(set(df.GEOGRAPHY_CODE))
        if england_codes is None:
            england_codes = codes
        assert codes == england_codes, "the 2011 and 2018 files have different districts"
        assert len(df) == len(codes) * 2 * 91
        df["year"] = year
        frames.append(df)
    raw = pd.concat(frames, ignore_index=True)
    print(f"English districts in the Nomis files: {len(england_codes)}")

    mapping = map_codes(england_codes, lad23_name)  # raises if anything does not nest
    missing = set(lad23_name) - set(mapping.values())
    assert not missing, f"2023 districts with no old district: {sorted(missing)}"
    # the union lists must match the old codes actually present, member for member
    for new, (nm, olds) in UNIONS.items():
        assert lad23_name[new] == nm, (new, nm, lad23_name[new])
        assert {c for c, _ in olds} == {c for c, n in mapping.items() if n == new and c != new}, new
        for c, oldnm in olds:
            assert names[c] == oldnm, (c, oldnm, names[c])

    raw["area_code"] = raw.GEOGRAPHY_CODE.map(mapping)
    tidy = (raw.groupby(["area_code", "year", "GENDER", "C_AGE"], as_index=False).OBS_VALUE.sum())
    tidy["area_name"] = tidy.area_code.map(lad23_name)
    tidy["sex"] = tidy.GENDER.map(SEX)
    tidy["age"] = (tidy.C_AGE - 101).map(lambda a: AGES[a])
    tidy = tidy.rename(columns={"OBS_VALUE": "population"})
    tidy = tidy.sort_values(["area_code", "year", "GENDER", "C_AGE"])
    tidy = tidy[["area_code", "area_name", "sex", "age", "year", "population"]].reset_index(drop=True)
    assert len(tidy) == 296 * 2 * 91 * 2

    # checks: England totals by sex and year unchanged by the mapping
    a = raw.groupby(["year", "GENDER"]).OBS_VALUE.sum()
    b = tidy.groupby(["year", tidy.sex.map({"male": 1, "female": 2})]).population.sum()
    assert (a.values == b.values).all()
    for (year, g), v in a.items():
        print(f"England {year} {SEX[g]}: {v:,}")

    outdir = POPULATION / "mye"
    outdir.mkdir(parents=True, exist_ok=True)
    out = outdir / "mye_england_lad23_2011_2018.csv.gz"
    tidy.to_csv(out, index=False, lineterminator="\n", compression=GZIP)
    report(out, len(tidy))

    lut = pd.DataFrame({"old_code": england_codes})
    lut["old_name"] = lut.old_code.map(names)
    lut["lad23_code"] = lut.old_code.map(mapping)
    lut["lad23_name"] = lut.lad23_code.map(lad23_name)
    assert lut.notna().all().all()
    out = outdir / "lad_to_lad23.csv"
    lut.to_csv(out, index=False, lineterminator="\n")
    report(out, len(lut))
    changed = lut[lut.old_code != lut.lad23_code]
    print(f"{len(changed)} abolished districts summed into {changed.lad23_code.nunique()} 2023 districts; "
          f"{(lut.old_code == lut.lad23_code).sum()} unchanged")


if __name__ == "__main__":
    main()
