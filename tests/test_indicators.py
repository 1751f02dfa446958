"""Indicators (issue 6): observed ÷ expected and the counts needed to reach a target,
worked by hand on a tiny population and register; and the bad inputs."""

import numpy as np
import pandas as pd
import pytest
import yaml

import forecast
from forecast.errors import InputError, SpecError
from forecast.model.indicators import Indicator, observed_vs_expected, read_observed, trajectory
from forecast.specs import run_indicator_spec
from forecast.periods import period_weights

from conftest import EXAMPLES_DIR, tiny_cube

pytestmark = pytest.mark.integration


def half():
    return forecast.RateSet.from_dict({
        "schema": "forecast.rate-set/1", "id": "half", "measure": "thing", "source": {"citation": "test"},
        "rates": {"unit": "percent", "bands": ["0-2", "3+"], "persons": [0, 50]},
    })


def tiny_expected():
    """X02 has 20, 30, 40 people per age and sex in 2020-2022; ages 3, 4, 5+ at 50%:
    expected = 3 ages × 2 sexes × n × 0.5 = 60, 90, 120.  X01 (10 each year): 30."""
    values = np.zeros((2, 3, 2, 6))
    values[0] = 10.0
    for j, n in enumerate((20.0, 30.0, 40.0)):
        values[1, j] = n
    pop = tiny_cube(values, years=(2020, 2021, 2022))
    return forecast.project(pop, {"expected": half()}, ages="All ages")


def observed(tmp_path, rows, header="area,period,measure,count"):
    p = tmp_path / "obs.csv"
    p.write_text(header + "\n" + "\n".join(rows) + "\n")
    return read_observed(p)


IND = Indicator("register", "expected", "Diagnosis rate", target=0.9, target_by="2022")


def test_period_weights():
    assert period_weights("2021-03") == {2020: 3.5 / 12, 2021: 8.5 / 12}
    assert period_weights("2020/21") == {2020: 0.75, 2021: 0.25}
    assert period_weights(2021) == {2021: 1.0}


def test_ratios_by_hand(tmp_path):
    obs = observed(tmp_path, ["X02,2020,register,30", "X02,2020/21,register,54", "X02,2021-03,register,65", "Area X01,2021,register,15"])
    r = observed_vs_expected(obs, tiny_expected(), [IND]).set_index(["area_code", "period"])
    assert r.loc[("X02", "2020"), "expected"] == pytest.approx(60) and r.loc[("X02", "2020"), "ratio"] == pytest.approx(0.5)
    # financial year: 0.75 × 60 + 0.25 × 90 = 67.5; 54 / 67.5 = 0.8
    assert r.loc[("X02", "2020/21"), "expected"] == pytest.approx(67.5) and r.loc[("X02", "2020/21"), "ratio"] == pytest.approx(0.8)
    # March 2021: 60 × 3.5/12 + 90 × 8.5/12 = 81.25; 65 / 81.25 = 0.8
    assert r.loc[("X02", "2021-03"), "expected"] == pytest.approx(81.25) and r.loc[("X02", "2021-03"), "ratio"] == pytest.approx(0.8)
    assert r.loc[("X01", "2021"), "ratio"] == pytest.approx(0.5)  # an area by name


def test_trajectory_by_hand(tmp_path):
    obs = observed(tmp_path, ["X02,2020,register,30"])
    ratios = observed_vs_expected(obs, tiny_expected(), [IND])
    t = trajectory(ratios, tiny_expected(), IND).set_index("period")
    # from 50% at mid-2020 to 90% at mid-2022 in a straight line: 70% at mid-2021
    assert list(t.index) == ["2021", "2022"]
    assert t.loc["2021", "target_path"] == pytest.approx(0.7) and t.loc["2021", "needed"] == pytest.approx(0.7 * 90)
    assert t.loc["2022", "target_path"] == pytest.approx(0.9) and t.loc["2022", "needed"] == pytest.approx(0.9 * 120)
    assert t.loc["2022", "change_from_latest"] == pytest.approx(108 - 30)


def test_trajectory_by_financial_year(tmp_path):
    obs = observed(tmp_path, ["X02,2020,register,30"])
    ratios = observed_vs_expected(obs, tiny_expected(), [IND])
    ind = Indicator("register", "expected", "Diagnosis rate", target=0.9, target_by="2021/22")
    t = trajectory(ratios, tiny_expected(), ind).set_index("period")
    # 2020/21 sits at 2020.75: 0.5 + 0.4 × (0.25 / 1.25) = 0.58; expected 67.5
    assert t.loc["2020/21", "target_path"] == pytest.approx(0.58) and t.loc["2020/21", "needed"] == pytest.approx(0.58 * 67.5)
    assert t.loc["2021/22", "target_path"] == pytest.approx(0.9)


@pytest.mark.parametrize(
    "rows, error, match",
    [
        (["X02,2030,register,30"], InputError, "line 2: period: observed count for a period the population does not cover"),
        (["X09,2020,register,30"], InputError, "line 2: area: unknown area 'X09'"),
        (["X02,2020,register,-3"], InputError, "line 2: count: negative count -3"),
        (["X02,Q1 2020,register,3"], InputError, "line 2: period: period 'Q1 2020' is not a year"),
        (["X02,2020,register,three"], InputError, "'three' is not a number"),
        (["X02,2020,register,3", "X02,2020,register,4"], InputError, "duplicate row for X02, 2020, register"),
        (["X02,2020,other,3"], InputError, "no observed counts for measure 'register'"),
    ],
)
def test_bad_observed(tmp_path, rows, error, match):
    with pytest.raises(error, match=match):
        observed_vs_expected(observed(tmp_path, rows), tiny_expected(), [IND])


@pytest.mark.parametrize("target, by, match", [(0, "2022", "in \\(0, 1\\]"), (1.5, "2022", "in \\(0, 1\\]"),
                                               (0.9, "2019", "before the first observed period 2020")])
def test_bad_targets(tmp_path, target, by, match):
    obs = observed(tmp_path, ["X02,2020,register,30"])
    ratios = observed_vs_expected(obs, tiny_expected(), [IND])
    with pytest.raises(SpecError, match=match):
        trajectory(ratios, tiny_expected(), Indicator("register", "expected", "x", target=target, target_by=by))


def test_example_spec_report():
    r = run_indicator_spec(EXAMPLES_DIR / "leicester_indicators.yaml")
    dem = r.ratios[r.ratios.measure == "dementia_register_65plus"]
    assert list(dem.period) == ["2024-03", "2024-06", "2024-09", "2024-12", "2025-03"]
    assert {"ratio_low", "ratio_high"} <= set(r.ratios.columns)
    assert (dem.ratio_low < dem.ratio).all() and (dem.ratio < dem.ratio_high).all()
    last = r.trajectories[r.trajectories.period == "2028"].iloc[0]
    assert last.target_path == pytest.approx(0.667)
    assert any("ILLUSTRATIVE" in n for n in r.notes)
    tidy = pd.read_csv(__import__("io").StringIO(r.to_csv()))
    assert set(tidy.table) == {"observed_vs_expected", "trajectory"}


def test_spec_errors(tmp_path):
    obs = tmp_path / "o.csv"
    obs.write_text("area,period,measure,count\nE06000016,2024,reg,100\n")
    base = {"schema": "forecast.indicator/1", "observed": "o.csv",
            "indicators": [{"observed": "reg", "rate_set": "cfas_ii_2013", "ages": "65+", "target": {"ratio": 0.667, "by": 2028}}]}
    p = tmp_path / "s.yaml"
    for edit, match in [
        ({"indicators": [{**base["indicators"][0], "target": {"ratio": 66.7, "by": 2028}}]}, "target ratio 66.7 must be in \\(0, 1\\]"),
        ({"indicators": [{**base["indicators"][0], "target": {"ratio": 0.667, "by": 2020}}]}, "before the first observed period 2024"),
        ({"indicators": [{**base["indicators"][0], "rate_set": "nosuch"}]}, "unknown rate set 'nosuch'"),
        ({"areas": ["Nowhere"]}, "unknown area 'Nowhere'"),
    ]:
        p.write_text(yaml.safe_dump({**base, **edit}))
        with pytest.raises(forecast.ForecastError, match=match):
            run_indicator_spec(p)
