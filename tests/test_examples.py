"""The example scripts run, from a folder outside the repository, and print what they promise."""

import subprocess
import sys

import pytest

from conftest import EXAMPLES_DIR

pytestmark = pytest.mark.e2e


def _run(script, *args, cwd):
    return subprocess.run([sys.executable, str(EXAMPLES_DIR / script), *args], capture_output=True, text=True, cwd=cwd)


def test_llr_table1_example(tmp_path):
    r = _run("llr_table1.py", "--output-dir", tmp_path / "out", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "| **Dementia** |" in r.stdout and "Change 2025 to 2040" in r.stdout
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["table1.csv", "table1.html", "table1.xlsx"]


def test_llr_ethnicity_example(tmp_path):
    r = _run("llr_ethnicity.py", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "All-age shares overstate the non-White 65+ population" in r.stdout
    assert r.stdout.count("2025 without | 2025 with | 2025 difference") == 2


def test_leicester_carers_example(tmp_path):
    r = _run("leicester_carers.py", "--output-dir", tmp_path / "out", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "| **Completed carers' assessments in the year** |" in r.stdout
    assert "calibrated: 1,972 observed" in r.stdout
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["leicester_carers.csv", "leicester_carers.xlsx"]


def test_indicator_example_from_the_readme(tmp_path):
    r = subprocess.run([sys.executable, "-m", "forecast.cli", "indicator", str(EXAMPLES_DIR / "leicester_indicators.yaml")],
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Estimated dementia diagnosis rate (65+): Leicester" in r.stdout
