"""England national population projections.

- population/england/npp2022_england_principal.csv: verbatim copy of the shared
  ons/england/npp2022_england_principal_population.csv (ONS 2022-based NPP, principal).
- population/england/npp2018_variants.csv.gz: the 18 shared files
  ons/england/npp2018_variants/npp2018_england_<code>_population.csv (ONS 2018-based NPP,
  principal "ppp" and 17 variants) stacked into one table, with a leading column
  ``variant`` (the ONS code); every other cell is copied as text, unchanged.
- population/england/npp2018_variants.csv: one row per variant (code, name, label, description).

Run: python population/build/build_npp.py /work/shared/data
"""

from __future__ import annotations

import shutil

import pandas as pd

from common import GZIP, POPULATION, report, shared_dir

# code, readable name, label, description.  Labels are the wording of the shared
# ons/england/npp2018_variants/SOURCES.md table (which read the names of cnp, cpp, pnp,
# rpp, hlh, lhl, ppq and ppr from each ONS workbook's Contents sheet); descriptions spell out
# ONS's three-letter code (fertility, life expectancy, migration) as that file explains it.
VARIANTS = [
    ("ppp", "principal", "Principal",
     "Principal projection: principal fertility, life expectancy and migration."),
    ("hpp", "high_fertility", "High fertility",
     "High fertility; principal life expectancy and migration."),
    ("lpp", "low_fertility", "Low fertility",
     "Low fertility; principal life expectancy and migration."),
    ("php", "high_life_expectancy", "High life expectancy",
     "High life expectancy; principal fertility and migration."),
    ("plp", "low_life_expectancy", "Low life expectancy",
     "Low life expectancy; principal fertility and migration."),
    ("pph", "high_migration", "High migration",
     "High migration; principal fertility and life expectancy."),
    ("ppl", "low_migration", "Low migration",
     "Low migration; principal fertility and life expectancy."),
    ("hhh", "high_population", "High population",
     "High fertility, high life expectancy and high migration."),
    ("lll", "low_population", "Low population",
     "Low fertility, low life expectancy and low migration."),
    ("hlh", "young_age_structure", "Young age structure",
     "High fertility, low life expectancy and high migration."),
    ("lhl", "old_age_structure", "Old age structure",
     "Low fertility, high life expectancy and low migration."),
    ("ppz", "zero_net_migration", "Zero net migration (natural change only)",
     "Principal fertility and life expectancy; zero net migration (natural change only)."),
    ("cpp", "constant_fertility", "Constant fertility",
     "Constant fertility; principal life expectancy and migration."),
    ("cnp", "constant_fertility_no_mortality_improvement", "Constant fertility, no mortality improvement",
     "Constant fertility and no mortality improvement; principal migration."),
    ("pnp", "no_mortality_improvement", "No mortality improvement",
     "No mortality improvement; principal fertility and migration."),
    ("rpp", "replacement_fertility", "Replacement fertility",
     "Replacement fertility; principal life expectancy and migration."),
    ("ppq", "ad_hoc_ppq", "Ad hoc (ppq)",
     "Ad hoc variant; the ONS workbook says \"refer to Projections team for details\"."),
    ("ppr", "ad_hoc_ppr", "Ad hoc (ppr)",
     "Ad hoc variant; the ONS workbook says \"refer to Projections team for details\"."),
]


def main() -> None:
    shared = shared_dir() / "ons" / "england"
    outdir = POPULATION / "england"
    outdir.mkdir(parents=True, exist_ok=True)

    # 1. 2022-based principal, verbatim
    src = shared / "npp2022_england_principal_population.csv"
    npp22 = pd.read_csv(src)
    assert list(npp22.columns[:2]) == ["Sex", "Age"] and list(npp22.columns[2:]) == [str(y) for y in range(2022, 2123)]
    assert len(npp22) == 214 and npp22.iloc[:, 2:].notna().all().all()
    out = outdir / "npp2022_england_principal.csv"
    shutil.copyfile(src, out)
    assert out.read_bytes() == src.read_bytes()
    report(out, len(npp22))

    # 2. 2018-based principal and variants, stacked
    vdir = shared / "npp2018_variants"
    on_disk = sorted(p.name.split("_")[2] for p in vdir.glob("npp2018_england_*_population.csv"))
    codes = [v[0] for v in VARIANTS]
    assert sorted(codes) == on_disk, (codes, on_disk)
    names = [v[1] for v in VARIANTS]
    assert len(set(names)) == len(names)
    frames = []
    header = None
    for code in codes:
        df = pd.read_csv(vdir / f"npp2018_england_{code}_population.csv", dtype=str, keep_default_na=False)
        if header is None:
            header = list(df.columns)
        assert list(df.columns) == header, code
        assert len(df) == 214 and (df != "").all().all(), code
        df.insert(0, "variant", code)
        frames.append(df)
    allv = pd.concat(frames, ignore_index=True)
    out = outdir / "npp2018_variants.csv.gz"
    allv.to_csv(out, index=False, lineterminator="\n", compression=GZIP)
    report(out, len(allv))

    same = (shared / "npp2018_england_principal_population.csv").read_bytes() == \
        (vdir / "npp2018_england_ppp_population.csv").read_bytes()
    print("shared npp2018_england_principal_population.csv identical to the ppp variant file:", same)

    meta = pd.DataFrame(VARIANTS, columns=["code", "name", "label", "description"])
    out = outdir / "npp2018_variants.csv"
    meta.to_csv(out, index=False, lineterminator="\n")
    report(out, len(meta))

    # England totals in 2043 (the figures quoted in the variants' SOURCES.md)
    tot = allv.assign(v=allv["2043"].astype(int)).groupby("variant").v.sum()
    print("England 2043:", tot.to_dict())


if __name__ == "__main__":
    main()
