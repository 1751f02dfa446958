"""Shared fixtures: a tiny hand-made population and rate set, and the shipped ONS files.

Values asserted in tests are worked out by hand (tiny fixture) or recomputed from the
ONS CSV files with plain pandas inside the test — never copied from forecast's output.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.population import make_cube

# downloads and parsed-cube caches of the tests go to a folder of their own, not the user's
os.environ.setdefault("FORECAST_CACHE_DIR", tempfile.mkdtemp(prefix="forecast-test-cache-"))

REPO = Path(__file__).resolve().parents[1]
POP_DIR = REPO / "population"
ASSUMPTIONS_DIR = REPO / "assumptions"
EXAMPLES_DIR = REPO / "examples"
SNPP_FILES = {s: POP_DIR / f"snpp2022_migcat23_{s}.csv" for s in ("males", "females", "persons")}
SHARED_DATA = REPO.parent / "shared" / "data"  # the public source files, beside the repository


def shared_data(rel: str) -> Path:
    """A public source file the shipped data is checked against; a clear failure without it."""
    p = SHARED_DATA / rel
    if not p.exists():
        pytest.fail(f"shared source data not found: {p} (these tests need ../shared/data beside the repository)")
    return p

LEICESTER = "E06000016"
RUTLAND = "E06000017"
LEICS_DISTRICTS = [f"E070001{n}" for n in range(29, 36)]


MARKERS = ("unit", "integration", "e2e")


def pytest_collection_modifyitems(config, items):
    """Every test says what kind it is (unit, integration or e2e): an unmarked test fails
    collection, so the suite can be run by kind (``pytest -m unit``)."""
    unmarked = [item.nodeid for item in items if not any(item.get_closest_marker(m) for m in MARKERS)]
    if unmarked:
        raise pytest.UsageError(f"tests without a unit/integration/e2e marker: {', '.join(unmarked[:5])}"
                                + (f" and {len(unmarked) - 5} more" if len(unmarked) > 5 else ""))


@pytest.fixture(scope="session")
def ons_long() -> pd.DataFrame:
    """The shipped ONS SNPP males and females files, read with plain pandas, long form:
    area_code, sex ('male'/'female'), age (0..90, 90 = '90 and over'), year, population."""
    frames = []
    for sex, path in (("male", SNPP_FILES["males"]), ("female", SNPP_FILES["females"])):
        df = pd.read_csv(path, dtype={"AGE_GROUP": str})
        df = df[df["AGE_GROUP"] != "All ages"].copy()
        df["age"] = df["AGE_GROUP"].replace({"90 and over": "90"}).astype(int)
        years = [c for c in df.columns if c.isdigit()]
        long = df.melt(id_vars=["AREA_CODE", "age"], value_vars=years, var_name="year", value_name="population")
        long["year"] = long["year"].astype(int)
        long["sex"] = sex
        frames.append(long.rename(columns={"AREA_CODE": "area_code"}))
    return pd.concat(frames, ignore_index=True)


def rates_by_age(rate_set_file: Path) -> dict[str, np.ndarray]:
    """A rate set's rate for each single age 0..90 by sex, read from its YAML with PyYAML
    (bands written "65-69" or "90+"), independently of forecast's reader."""
    import yaml

    doc = yaml.safe_load(Path(rate_set_file).read_text(encoding="utf-8"))
    out = {}
    for sex in ("male", "female"):
        r = np.zeros(91)
        for band, rate in zip(doc["rates"]["bands"], doc["rates"][sex]):
            lo, hi = (int(band[:-1]), 90) if band.endswith("+") else map(int, band.split("-"))
            r[lo:hi + 1] = rate
        out[sex] = r
    return out


@pytest.fixture(scope="session")
def default_pop():
    return forecast.default_population()


def tiny_cube(values=None, *, top: int = 5, years=(2020, 2021), areas=("X01", "X02")):
    """Two areas, two years, ages 0..top (top open).  Default values: area X01 has
    10 people at every age, sex and year; X02 has 20 at every age except in 2021,
    when it has 30."""
    n_age = top + 1
    if values is None:
        values = np.full((len(areas), len(years), 2, n_age), 10.0)
        if len(areas) > 1:
            values[1] = 20.0
            if len(years) > 1:
                values[1, 1] = 30.0
    return make_cube(
        values,
        areas=list(areas),
        area_names=[f"Area {a}" for a in areas],
        years=list(years),
        ages=range(n_age),
        open_top_age=top,
        attrs={"source": "hand-made test cube"},
    )


@pytest.fixture
def tiny_pop():
    return tiny_cube()


def tiny_rate_dict(**overrides):
    """Rates for ages 3-4 and 5+ (top open at 5): male 10% and 20%, female 30% and 40%."""
    d = {
        "schema": "forecast.rate-set/1",
        "id": "tiny",
        "measure": "thing",
        "label": "People with a thing",
        "source": {"citation": "Hand-made test rates."},
        "rates": {"unit": "percent", "bands": ["3-4", "5+"], "male": [10, 20], "female": [30, 40]},
    }
    d.update(overrides)
    return d


@pytest.fixture
def tiny_rates():
    return forecast.RateSet.from_dict(tiny_rate_dict())


# ---------------------------------------------------------------------------- the command, in process

@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def forecast_cli(*args, cwd=None) -> CliResult:
    """Run ``forecast ARGS`` in this process (click's test isolation), from ``cwd``: the
    same entry point as the installed command, its exit status, stdout and stderr.  The
    few true end-to-end tests (tests/test_e2e.py) run the installed command in a subprocess."""
    from click.testing import CliRunner

    from forecast.cli import run_main

    runner = CliRunner()
    old = os.getcwd()
    with runner.isolation() as (out, err, *_):
        try:
            if cwd is not None:
                os.chdir(cwd)
            run_main([str(a) for a in args])
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        finally:
            os.chdir(old)
        stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    return CliResult(code, stdout, stderr)
