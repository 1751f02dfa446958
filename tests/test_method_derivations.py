"""Method derivations checked from the published figures (issue 9, items 2 and 3).

(A) POPPI's 90+ dementia rate: the Dementia UK 90-94 and 95+ rates weighted by England's
    mid-2013 population aged 90-94 and 95+ (ONS "Estimates of the very old"), by sex.
    The weights in the rate-set files are checked against the ONS single years, and the 90+
    rate is recomputed by hand and compared with ``forecast.load_rate_set``.

(B) The prevalence trend of ``ahmadi_abhari_2017_prevalence``: CFAS II age x sex rates applied
    to England's ONS 2018-based NPP (principal), times the scenario's trend, must reproduce the
    growth of Ahmadi-Abhari et al. (BMJ 2017;358:j2856) 2020->2030 and 2020->2040 within
    2 percentage points.  Everything is recomputed with pandas from the source files; forecast's
    scenario machinery is not used.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

import forecast
from conftest import shared_data

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[1]
ASSUMPTIONS = REPO / "assumptions"
DIVISOR = {"percent": 100.0, "proportion": 1.0, "per_1000": 1000.0, "per_100000": 100000.0}
TOLERANCE_POINTS = 2.0  # percentage points, on each rise


def shared(rel: str) -> Path:
    return shared_data(rel)


def load_yaml(rel: str) -> dict:
    return yaml.safe_load((ASSUMPTIONS / rel).read_text(encoding="utf-8"))


# ============================================================================ (A) 90+ split

DEMENTIA_UK = ["dementia/dementia_uk_2014.yaml", "dementia/dementia_uk_2007.yaml"]


def ons_very_old_2013() -> pd.DataFrame:
    df = pd.read_csv(shared("rates/ons_very_old_england_mid2013.csv"))
    return df[(df.year == 2013) & (df.geography == "England")]


def ons_band_sums(sex: str) -> tuple[float, float, float]:
    """England mid-2013: sum of published single years 90-94, 95-104 and 105+, and the published 90+."""
    d = ons_very_old_2013()
    d = d[(d.sex == sex) & (d.value_type == "published")].set_index("age_group").population
    p90_94 = sum(d[str(a)] for a in range(90, 95))
    p95 = sum(d[str(a)] for a in range(95, 105)) + d["105+"]
    return float(p90_94), float(p95), float(d["90+"])


def rate_by_hand(doc: dict, sex: str) -> float:
    """POPPI: (r90-94 x P90-94 + r95+ x P95+) / (P90-94 + P95+), ONS populations, YAML rates."""
    bands = doc["rates"]["bands"]
    div = DIVISOR[doc["rates"]["unit"]]
    r = dict(zip(bands, doc["rates"][sex]))
    p1, p2, _ = ons_band_sums(sex)
    return (r["90-94"] / div * p1 + r["95+"] / div * p2) / (p1 + p2)


@pytest.mark.parametrize("rel", DEMENTIA_UK)
def test_dementia_uk_bands_split_90_plus(rel):
    # Both Dementia UK sets end 90-94, 95+: the ONS "90 and over" group needs a rule.
    assert load_yaml(rel)["rates"]["bands"][-2:] == ["90-94", "95+"]


@pytest.mark.parametrize("rel", DEMENTIA_UK)
def test_open_top_weights_are_ons_mid2013_populations(rel):
    ot = load_yaml(rel)["open_top"]
    assert ot["rule"] == "weights"
    for sex in ("male", "female"):
        p1, p2, p90 = ons_band_sums(sex)
        assert ot["weights"][sex] == [p1, p2]
        # rounding to the nearest 10 in 16 published cells: the bands add to the published 90+ within 10
        assert abs(p1 + p2 - p90) <= 10
    # the source names the ONS table and POPPI
    src = " ".join(ot["source"].split())
    assert "Estimates of the very old, including centenarians, England" in src
    assert "engevo2019.xls Table 1" in src and "POPPI" in src


@pytest.mark.parametrize("rel", DEMENTIA_UK)
def test_90_plus_rate_by_hand_matches_loader(rel):
    doc = load_yaml(rel)
    got = forecast.load_rate_set(ASSUMPTIONS / rel).rates_by_age(range(91), 90).sel(age=90)
    for sex in ("male", "female"):
        assert got.sel(sex=sex).item() == pytest.approx(rate_by_hand(doc, sex), rel=1e-12)
    # and it lies between the 90-94 and 95+ rates (more weight on 90-94)
    div = DIVISOR[doc["rates"]["unit"]]
    for sex in ("male", "female"):
        r = dict(zip(doc["rates"]["bands"], doc["rates"][sex]))
        v = got.sel(sex=sex).item()
        assert r["90-94"] / div < v < (r["90-94"] + r["95+"]) / 2 / div


def test_2014_90_plus_matches_derived_blend_csv():
    blend = pd.read_csv(shared("rates/dementia_uk_2014_90plus_blend_derived.csv")).set_index("sex")
    doc = load_yaml("dementia/dementia_uk_2014.yaml")
    got = forecast.load_rate_set(ASSUMPTIONS / "dementia/dementia_uk_2014.yaml").rates_by_age(range(91), 90).sel(age=90)
    for sex in ("male", "female"):
        r = dict(zip(doc["rates"]["bands"], doc["rates"][sex]))
        # same input rates as the derived file …
        assert r["90-94"] * 100 == pytest.approx(blend.loc[sex, "rate_90_94_percent"])
        assert r["95+"] * 100 == pytest.approx(blend.loc[sex, "rate_95plus_percent"])
        # … and the same 90+ rate to the file's 2 decimals (it takes 95+ as the residual 90+ minus 90-94)
        assert round(got.sel(sex=sex).item() * 100, 2) == pytest.approx(blend.loc[sex, "rate_percent"])


@pytest.mark.parametrize("rel", DEMENTIA_UK)
def test_no_lower_bound_wording_left(rel):
    doc = load_yaml(rel)
    text = " ".join([str(doc.get("notes", "")), str(doc["open_top"].get("note", "")), str(doc["source"].get("notes", ""))])
    assert "lower bound" not in text.lower()


# ============================================================================ (B) prevalence trend

NPP_SHIPPED = REPO / "population" / "england" / "npp2018_variants.csv.gz"
SCENARIO = "scenarios/ahmadi_abhari_2017_prevalence.yaml"
YEARS = (2020, 2030, 2040)


def npp2018_principal() -> tuple[pd.DataFrame, str]:
    """England, ONS 2018-based NPP principal: long table sex, age (int; 105 and 110 = open groups), year, population."""
    if NPP_SHIPPED.exists():
        df = pd.read_csv(NPP_SHIPPED, dtype=str)
        df = df[df["variant"].str.strip().str.lower() == "ppp"].drop(columns="variant")
        where = str(NPP_SHIPPED)
    else:
        df = pd.read_csv(shared("ons/england/npp2018_england_principal_population.csv"), dtype=str)
        where = "shared npp2018_england_principal_population.csv"
    sex = df["Sex"].str.strip().str.lower().map({"1": "male", "2": "female", "male": "male", "female": "female",
                                                  "males": "male", "females": "female", "m": "male", "f": "female"})
    assert sex.notna().all(), "unexpected Sex codes in the NPP file"
    age = df["Age"].map(lambda s: int(re.match(r"\s*(\d+)", str(s)).group(1)))
    cols = [str(y) for y in YEARS]
    out = pd.DataFrame({"sex": sex, "age": age})
    for c in cols:
        out[c] = pd.to_numeric(df[c])
    assert len(out) == 2 * 107, f"expected 107 age rows per sex (0..104, 105-109, 110+) in {where}"
    return out, where


def cfas_ii_cases(pop: pd.DataFrame) -> dict[int, float]:
    """People 65+ with dementia at constant CFAS II rates (ages above 90 take the 90+ rate)."""
    doc = load_yaml("dementia/cfas_ii_2013.yaml")
    bands, div = doc["rates"]["bands"], DIVISOR[doc["rates"]["unit"]]
    assert bands[-1] == "90+"

    def band(a: int) -> str | None:
        if a < 65:
            return None
        if a >= 90:
            return "90+"
        lo = 65 + 5 * ((a - 65) // 5)
        return f"{lo}-{lo + 4}"

    p = pop.assign(band=pop.age.map(band)).dropna(subset=["band"])
    by_band = p.groupby(["sex", "band"])[[str(y) for y in YEARS]].sum()
    assert set(by_band.index.get_level_values("band")) == set(bands)
    out = {}
    for y in YEARS:
        out[y] = sum(by_band.loc[(sex, b), str(y)] * r / div
                     for sex in ("male", "female") for b, r in zip(bands, doc["rates"][sex]))
    return out


def study_rises() -> tuple[float, float]:
    """Ahmadi-Abhari 2017 (declining incidence), England and Wales: 2030/2020 and 2040/2020."""
    d = pd.read_csv(shared("rates/dementia_projections_england_wales.csv"))
    d = d[d.study.str.startswith("Ahmadi-Abhari 2017") & d.scenario.str.startswith("declining incidence")
          & (d.geography == "England and Wales")]
    n = d.set_index("year").people_with_dementia.astype(float)
    return n[2030] / n[2020], n[2040] / n[2020]


def trend_factor(trend: dict, year: int) -> float:
    """factor(year) = prod (1 + annual_change) ^ (years of the segment up to ``year``) from from_year."""
    start = int(trend["from_year"])
    if "annual_change" in trend:
        return (1 + trend["annual_change"]) ** max(0, year - start)
    f, lo = 1.0, start
    for seg in trend["segments"]:
        hi = int(seg["until"])
        f *= (1 + seg["annual_change"]) ** max(0, min(year, hi) - lo)
        lo = hi
    return f


def test_scenario_reproduces_study_growth():
    pop, where = npp2018_principal()
    cases = cfas_ii_cases(pop)
    t30, t40 = study_rises()
    trend = load_yaml(SCENARIO)["trend"]
    assert trend["from_year"] == 2020 and trend_factor(trend, 2020) == 1.0
    r30 = cases[2030] * trend_factor(trend, 2030) / cases[2020]
    r40 = cases[2040] * trend_factor(trend, 2040) / cases[2020]
    c30, c40 = cases[2030] / cases[2020], cases[2040] / cases[2020]
    print(f"\npopulation: {where}")
    print(f"study (E&W): 2020->2030 {100 * (t30 - 1):+.1f}%, 2020->2040 {100 * (t40 - 1):+.1f}%")
    print(f"CFAS II constant rates (England): {cases[2020]:,.0f} in 2020; "
          f"{100 * (c30 - 1):+.1f}%, {100 * (c40 - 1):+.1f}%")
    print(f"with the scenario's trend: {100 * (r30 - 1):+.2f}%, {100 * (r40 - 1):+.2f}% "
          f"(errors {100 * (r30 - t30):+.2f}, {100 * (r40 - t40):+.2f} points)")
    assert abs(100 * (r30 - t30)) <= TOLERANCE_POINTS
    assert abs(100 * (r40 - t40)) <= TOLERANCE_POINTS
    # the study's published rises, recomputed from its counts: +25.2% and +38.2%
    assert round(100 * (t30 - 1), 1) == 25.2 and round(100 * (t40 - 1), 1) == 38.2
    # constant rates alone overshoot 2040 by far more than the tolerance: a trend is needed
    assert 100 * (c40 - t40) > TOLERANCE_POINTS


def test_no_constant_annual_change_fits_both_years():
    """Why the scenario has two segments: the 2030 and 2040 tolerances admit no common constant rate."""
    pop, _ = npp2018_principal()
    cases = cfas_ii_cases(pop)
    t30, t40 = study_rises()
    c30, c40 = cases[2030] / cases[2020], cases[2040] / cases[2020]
    tol = TOLERANCE_POINTS / 100
    # (1+a)^10 must lie in [lo30, hi30] for 2030 and (1+a)^20 in [lo40, hi40] for 2040
    lo30, hi30 = (t30 - tol) / c30, (t30 + tol) / c30
    lo40, hi40 = (t40 - tol) / c40, (t40 + tol) / c40
    assert lo40 > 0
    assert max(lo30, math.sqrt(lo40)) > min(hi30, math.sqrt(hi40)), "a single constant rate would do"
    # the least-squares constant rate on the two log-ratios, for the record
    b = (10 * math.log(t30 / c30) + 20 * math.log(t40 / c40)) / (10 ** 2 + 20 ** 2)
    a = math.expm1(b)
    e30 = 100 * (c30 * (1 + a) ** 10 - t30)
    e40 = 100 * (c40 * (1 + a) ** 20 - t40)
    print(f"\nleast-squares constant rate {100 * a:+.3f}%/yr: errors {e30:+.2f} (2030), {e40:+.2f} (2040) points")
    assert max(abs(e30), abs(e40)) > TOLERANCE_POINTS
    trend = load_yaml(SCENARIO)["trend"]
    assert "segments" in trend and [s["until"] for s in trend["segments"]] == [2030, 2040]


def test_scenario_file_says_how_it_was_derived():
    doc = load_yaml(SCENARIO)
    assert doc["schema"] == "forecast.scenario/1" and doc["id"] == Path(SCENARIO).stem
    assert doc["applies_to"] == {"measure": "dementia"}
    notes = " ".join(doc["source"]["notes"].split())
    for words in ("CFAS II", "2018-based", "England and Wales", "England only", "not an incidence rate"):
        assert words in notes
    assert "cpa.org.uk/ageinfo/records/Ageinfo170728001" in doc["source"]["read_from"]
    assert doc["source"]["doi"] == "10.1136/bmj.j2856"
