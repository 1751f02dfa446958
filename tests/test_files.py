"""Outputs written together are moved into place together (forecast.files.atomic_paths), and
a command stopped after writing says what it wrote."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

import forecast.files as files

pytestmark = pytest.mark.unit


def test_a_signal_between_two_moves_waits_until_both_are_in_place(tmp_path, monkeypatch):
    a, b = tmp_path / "t.csv", tmp_path / "t.json"
    a.write_text("old a")
    b.write_text("old b")
    real = os.replace

    def replace(src, dst):
        real(src, dst)
        if Path(dst) == a:  # Ctrl-C arrives after the CSV is moved, before its sidecar is
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(files.os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        with files.atomic_paths(a, b) as (ta, tb):
            ta.write_text("new a")
            tb.write_text("new b")
    assert (a.read_text(), b.read_text()) == ("new a", "new b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv", "t.json"]  # no .part folder left
    assert files.written()[-2:] == [a, b]


def test_a_failure_while_writing_replaces_neither(tmp_path):
    a, b = tmp_path / "t.csv", tmp_path / "t.json"
    a.write_text("old a")
    with pytest.raises(RuntimeError):
        with files.atomic_paths(a, b) as (ta, tb):
            ta.write_text("new a")
            raise RuntimeError("the sidecar could not be made")
    assert a.read_text() == "old a" and not b.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


def test_stopped_after_writing_names_what_was_written(monkeypatch):
    from forecast.cli.main import _written_before

    monkeypatch.setattr(files, "_WRITTEN", [])
    assert _written_before() == ""
    monkeypatch.setattr(files, "_WRITTEN", [Path("out.csv"), Path("out.json")])
    assert _written_before() == " after writing out.csv, out.json (complete: each output is moved into place whole)"
