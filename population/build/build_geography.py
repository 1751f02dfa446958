"""population/geography/lad23_lookup.csv: verbatim copy of the shared
ons/england/lad23_to_utla_region.csv (English districts, April 2023 boundaries, with their
county/unitary, region and country), after checking its structure.

Run: python population/build/build_geography.py /work/shared/data
"""

from __future__ import annotations

import shutil

import pandas as pd

from common import POPULATION, report, shared_dir

COLUMNS = ["LAD23CD", "LAD23NM", "CTYUA23CD", "CTYUA23NM", "RGN23CD", "RGN23NM", "CTRY23CD", "CTRY23NM"]


def main() -> None:
    src = shared_dir() / "ons" / "england" / "lad23_to_utla_region.csv"
    lk = pd.read_csv(src, dtype=str, keep_default_na=False)
    assert list(lk.columns) == COLUMNS, list(lk.columns)
    assert len(lk) == 296 and lk.LAD23CD.is_unique, "expected 296 distinct English districts"
    assert (lk.replace("", None).notna().all()).all(), "empty cell in the lookup"
    assert lk.LAD23CD.str.match(r"^E0[6789]\d{6}$").all()
    assert set(lk.CTRY23CD) == {"E92000001"} and set(lk.CTRY23NM) == {"England"}
    # each upper tier and each region has one name, and no county spans two regions
    for code, name in (("CTYUA23CD", "CTYUA23NM"), ("RGN23CD", "RGN23NM")):
        assert lk.groupby(code)[name].nunique().eq(1).all()
    assert lk.groupby("CTYUA23CD").RGN23CD.nunique().eq(1).all()
    # a single-tier district is its own upper tier; two-tier districts (E07) sit in a county (E10)
    e07 = lk.LAD23CD.str.startswith("E07")
    assert lk.loc[e07, "CTYUA23CD"].str.startswith("E10").all()
    assert (lk.loc[~e07, "CTYUA23CD"] == lk.loc[~e07, "LAD23CD"]).all()

    out = POPULATION / "geography" / "lad23_lookup.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, out)
    assert out.read_bytes() == src.read_bytes()
    n_cty = lk.loc[e07, "CTYUA23CD"].nunique()
    print(f"districts {len(lk)}; upper tier {lk.CTYUA23CD.nunique()} "
          f"({n_cty} counties + {(~e07).sum()} single-tier); regions {lk.RGN23CD.nunique()}")
    print("districts per region:", lk.groupby("RGN23NM").size().to_dict())
    report(out, len(lk))


if __name__ == "__main__":
    main()
