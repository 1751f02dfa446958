"""POPPI's other national assumptions, living alone and depression 65+ as rate sets.

(a) Each shipped YAML (read with plain yaml.safe_load) holds exactly the figures of the
    shared source CSV (read with pandas), band by band and sex by sex.
(b) Each file loads with forecast.load_rate_set, and its provenance names the CSV's source.
(c) Each file, projected on a tiny hand-made population, gives the count worked out by
    hand below.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import forecast
from forecast.population import make_cube

from conftest import ASSUMPTIONS_DIR

pytestmark = pytest.mark.unit

SHARED_RATES = Path(__file__).resolve().parents[2] / "shared" / "data" / "rates"
POPPI_CSV = "poppi_assumptions_wsx_rebuild.csv"
ALONE_CSV = "living_alone_older_people.csv"
DEPRESSION_CSV = "mcdougall2007_depression_65plus.csv"


def _indicator(name):
    return lambda df: df[df["indicator"] == name]


def _source_id(name):
    return lambda df: df[df["source_id"] == name]


def _measure(name, setting=None):
    def pick(df):
        out = df[df["measure"] == name]
        return out if setting is None else out[out["setting"] == setting]
    return pick


# file (relative to assumptions/) -> (measure, CSV, row selector)
FILES = {
    "domestic_tasks/hse2016_domestic_tasks.yaml":
        ("needs_help_domestic_tasks", POPPI_CSV, _indicator("Needing support with domestic tasks")),
    "self_care/hse2016_self_care.yaml":
        ("needs_help_self_care", POPPI_CSV, _indicator("Needing support with self-care")),
    "falls/hse2005_falls.yaml":
        ("falls", POPPI_CSV, _indicator("Falls")),
    "falls/hes2016_17_fall_admissions.yaml":
        ("fall_admissions", POPPI_CSV, _indicator("Falls related hospital admissions")),
    "continence/hse2005_bladder_incontinence_weekly.yaml":
        ("bladder_incontinence_weekly", POPPI_CSV, _indicator("Incontinence (bladder) at least once per week")),
    "continence/hse2005_bladder_incontinence_less_than_weekly.yaml":
        ("bladder_incontinence_less_than_weekly", POPPI_CSV, _indicator("Incontinence (bladder) less than once per week")),
    "mobility/living_in_britain2001_mobility.yaml":
        ("unable_mobility_activity", POPPI_CSV, _indicator("Unable to manage at least one mobility activity")),
    "sight/rnib2006_visual_impairment.yaml":
        ("visual_impairment", POPPI_CSV, _indicator("Visual Impairment")),
    "living_alone/lfs2017_living_alone.yaml":
        ("living_alone", ALONE_CSV, _source_id("poppi_lfs2017")),
    "living_alone/census2021_living_alone_65plus.yaml":
        ("living_alone", ALONE_CSV, _source_id("census2021_ons_profile")),
    "depression/mcdougall2007_depression_65plus.yaml":
        ("depression", DEPRESSION_CSV, _measure("depression (AGECAT), MRC CFAS", setting="all")),
    "depression/cfas_ii_2020_depression_65plus.yaml":
        ("depression", DEPRESSION_CSV,
         _measure("depression (AGECAT), CFAS II 2008-11, age-standardised (comparator, not a POPPI input)")),
}


@pytest.fixture(scope="module")
def shared():
    if not SHARED_RATES.is_dir():
        pytest.fail(f"shared source data not found at {SHARED_RATES} (CI needs ../shared beside the repo)")
    return {name: pd.read_csv(SHARED_RATES / name) for name in (POPPI_CSV, ALONE_CSV, DEPRESSION_CSV)}


def _yaml(rel):
    with open(ASSUMPTIONS_DIR / rel, encoding="utf-8") as f:
        return yaml.safe_load(f)


def _span(label):
    """'65-69' -> (65, 69); '90+' -> (90, inf)."""
    m = re.fullmatch(r"(\d+)(?:-(\d+)|\+)", label.strip())
    assert m, f"unreadable band {label!r}"
    return int(m.group(1)), (int(m.group(2)) if m.group(2) else math.inf)


def _band_holding(bands, csv_band):
    lo, hi = _span(csv_band)
    hits = [i for i, b in enumerate(bands) if _span(b)[0] <= lo and hi <= _span(b)[1]]
    assert len(hits) == 1, f"CSV band {csv_band} lies in {len(hits)} of the YAML bands {bands}"
    return hits[0]


# ----------------------------------------------------------------------------- (a)
@pytest.mark.parametrize("rel", FILES, ids=lambda r: Path(r).stem)
def test_yaml_figures_equal_shared_csv(rel, shared):
    measure, csv, select = FILES[rel]
    rows = select(shared[csv])
    assert len(rows) > 0, f"no rows selected in {csv}"
    d = _yaml(rel)
    r = d["rates"]
    assert r["unit"] == "percent"  # every CSV column used is in percent
    bands = r["bands"]
    yaml_sexes = ["persons"] if "persons" in r else ["male", "female"]
    seen = {(s, i) for s in yaml_sexes for i in range(len(bands))}
    for _, row in rows.iterrows():
        i = _band_holding(bands, row["age_band"])
        sex = "persons" if "persons" in r else row["sex"]
        assert sex in r, f"CSV row for {row['sex']} but the YAML has no {sex} rates"
        assert r[sex][i] == pytest.approx(row["rate_percent"], abs=1e-12), (rel, row["sex"], row["age_band"])
        seen.discard((sex, i))
    assert not seen, f"YAML values with no CSV row behind them: {sorted(seen)}"
    # intervals: attached only where the CSV has one for that very row (persons 65+, CFAS II)
    with_ci = rows.dropna(subset=["ci95_low"]) if "ci95_low" in rows else rows.iloc[:0]
    if len(with_ci):
        assert yaml_sexes == ["persons"] and len(bands) == 1
        assert d["intervals"]["level"] == 0.95
        assert d["intervals"]["persons"] == [[with_ci["ci95_low"].item(), with_ci["ci95_high"].item()]]
    else:
        assert "intervals" not in d


def test_mcdougall_persons_interval_is_not_attached_to_either_sex(shared):
    """The published 95% CI (7.3-10.2) belongs to the persons 8.7%, not to men's 6.5% or
    women's 10.4%: 6.5 lies outside it, so it cannot be a by-sex interval."""
    dep = shared[DEPRESSION_CSV]
    persons = dep[dep["ci95_low"].notna() & dep["measure"].str.contains("MRC CFAS")]
    assert persons[["sex", "rate_percent", "ci95_low", "ci95_high"]].values.tolist() == [["persons", 8.7, 7.3, 10.2]]
    d = _yaml("depression/mcdougall2007_depression_65plus.yaml")
    assert "intervals" not in d
    assert not 7.3 <= d["rates"]["male"][0] <= 10.2


def test_hearing_rows_are_not_shipped():
    """The rebuild marks the Davis (1995) rows 'NOTE INCOMPATIBLE AGE BANDS': no rate set."""
    assert not list((ASSUMPTIONS_DIR / "hearing").glob("*.yaml"))
    assert (ASSUMPTIONS_DIR / "hearing" / "README.md").is_file()


# ----------------------------------------------------------------------------- (b)
@pytest.mark.parametrize("rel", FILES, ids=lambda r: Path(r).stem)
def test_loads_with_forecast(rel, shared):
    measure, csv, select = FILES[rel]
    rs = forecast.load_rate_set(ASSUMPTIONS_DIR / rel)
    assert rs.id == Path(rel).stem
    assert rs.measure == measure
    assert rs.coverage.label == "65+"
    assert len(rs.source.citation) > 40
    # read_from names the repository and commit (POPPI rows) or the page (depression) in the CSV
    refs = select(shared[csv])["source_ref"].unique()
    assert len(refs) == 1
    ref = refs[0]
    cited = " ".join([rs.source.read_from, rs.source.url, rs.source.doi])
    commit = re.search(r"commit ([0-9a-f]{40})", ref)
    if commit:
        assert "psychty/Older_people_and_asc" in ref and "psychty/Older_people_and_asc" in cited
        assert commit.group(1) in cited
        assert "West Sussex" in rs.source.read_from and "single secondary copy" in rs.source.read_from
    else:
        urls = re.findall(r"https?://[^\s,)]+", ref)
        assert urls and any(u.rstrip("/") in cited for u in urls), (ref, cited)
    doi = re.search(r"doi:(\S+?)\.?\s", ref)
    if doi:
        assert rs.source.doi == doi.group(1)


# ----------------------------------------------------------------------------- (c)
# Tiny population: one area, one year, ages 0..90 (90 = "90 and over").
#   male:   age 50: 1000, age 67: 100, age 77: 200, age 90+: 10   (65+: 310)
#   female: age 50: 1000, age 67: 100, age 77: 300, age 90+: 40   (65+: 440)
# Age 50 lies outside every rate set and must not count.
def _tiny_pop():
    values = np.zeros((1, 1, 2, 91))
    for s, cells in enumerate(({50: 1000, 67: 100, 77: 200, 90: 10}, {50: 1000, 67: 100, 77: 300, 90: 40})):
        for age, n in cells.items():
            values[0, 0, s, age] = n
    return make_cube(values, areas=["X01"], area_names=["Tiny"], years=[2030], ages=range(91), open_top_age=90)


HAND = {  # (male, female) people aged 65+, worked by hand from the rates in each file
    # male 100×15% + 200×27% + 10×33% = 15 + 54 + 3.3 = 72.3; female 100×19% + 300×34% + 40×55% = 19 + 102 + 22 = 143
    "domestic_tasks/hse2016_domestic_tasks.yaml": (72.3, 143.0),
    # male 100×16% + 200×28% + 10×35% = 16 + 56 + 3.5 = 75.5; female 100×22% + 300×29% + 40×49% = 22 + 87 + 19.6 = 128.6
    "self_care/hse2016_self_care.yaml": (75.5, 128.6),
    # male 100×18% + 200×19% + 10×43% = 18 + 38 + 4.3 = 60.3; female 100×23% + 300×27% + 40×43% = 23 + 81 + 17.2 = 121.2
    "falls/hse2005_falls.yaml": (60.3, 121.2),
    # persons: male 100×0.822% + 200×2.467% + 10×7.79% = 0.822 + 4.934 + 0.779 = 6.535
    #          female 100×0.822% + 300×2.467% + 40×7.79% = 0.822 + 7.401 + 3.116 = 11.339
    "falls/hes2016_17_fall_admissions.yaml": (6.535, 11.339),
    # male 100×12% + 200×18% + 10×19% = 12 + 36 + 1.9 = 49.9; female 100×14% + 300×17% + 40×28% = 14 + 51 + 11.2 = 76.2
    "continence/hse2005_bladder_incontinence_weekly.yaml": (49.9, 76.2),
    # male 100×5% + 200×5% + 10×13% = 5 + 10 + 1.3 = 16.3; female 100×5% + 300×8% + 40×6% = 5 + 24 + 2.4 = 31.4
    "continence/hse2005_bladder_incontinence_less_than_weekly.yaml": (16.3, 31.4),
    # male 100×8% + 200×12% + 10×35% = 8 + 24 + 3.5 = 35.5; female 100×9% + 300×21% + 40×50% = 9 + 63 + 20 = 92
    "mobility/living_in_britain2001_mobility.yaml": (35.5, 92.0),
    # persons, 65-74 and 75+: male 100×5.6% + (200+10)×12.4% = 5.6 + 26.04 = 31.64
    #                         female 100×5.6% + (300+40)×12.4% = 5.6 + 42.16 = 47.76
    "sight/rnib2006_visual_impairment.yaml": (31.64, 47.76),
    # 65-74 and 75+: male 100×20% + 210×29% = 20 + 60.9 = 80.9; female 100×29% + 340×50% = 29 + 170 = 199
    "living_alone/lfs2017_living_alone.yaml": (80.9, 199.0),
    # one rate for 65+: male 310×22.7% = 70.37; female 440×36.3% = 159.72
    "living_alone/census2021_living_alone_65plus.yaml": (70.37, 159.72),
    # one rate for 65+: male 310×6.5% = 20.15; female 440×10.4% = 45.76
    "depression/mcdougall2007_depression_65plus.yaml": (20.15, 45.76),
    # persons 65+: male 310×6.8% = 21.08; female 440×6.8% = 29.92 (total 750×6.8% = 51)
    "depression/cfas_ii_2020_depression_65plus.yaml": (21.08, 29.92),
}


def test_every_file_has_a_hand_worked_projection():
    assert set(HAND) == set(FILES)


@pytest.mark.parametrize("rel", HAND, ids=lambda r: Path(r).stem)
def test_projection_by_hand(rel):
    measure = FILES[rel][0]
    res = forecast.project(_tiny_pop(), ASSUMPTIONS_DIR / rel, ages="65+")
    got = res[measure].sel(area="X01", year=2030)
    male, female = HAND[rel]
    assert got.sel(sex="male").sum().item() == pytest.approx(male, rel=1e-12)
    assert got.sel(sex="female").sum().item() == pytest.approx(female, rel=1e-12)
