"""The schema layer (forecast.schemas): the safe YAML reader, one strict model per file
kind, one-line errors naming file, line and field, and the exported JSON Schemas.

Expected lines are worked out from the YAML text in each test (the line holding a
needle); expected data from PyYAML's own ``safe_load``; expected numbers by hand.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import threading
import tracemalloc
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from forecast import schemas
from forecast.errors import AssumptionError, ForecastError, InputError, SpecError
from forecast.limits import MAX_DRAWS, MAX_YAML_DEPTH

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted(
    [*ROOT.glob("assumptions/**/*.yaml"), *ROOT.glob("examples/*.yaml"), *ROOT.glob("population/**/*.yaml")]
)


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the nth occurrence of ``needle`` in ``text``."""
    at = -1
    for _ in range(nth):
        at = text.index(needle, at + 1)
    return text.count("\n", 0, at) + 1


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode() if isinstance(text, str) else text)
    return p


def error_of(path: Path, kind: str) -> ForecastError:
    with pytest.raises(ForecastError) as info:
        schemas.load(path, kind)
    e = info.value
    assert "\n" not in str(e)
    return e


# ---------------------------------------------------------------------------- shipped files

def test_shipped_files_were_found():
    kinds = {schemas.kind_of_file(p) for p in SHIPPED}
    assert {"rate-set", "relative-risks", "ethnic-mapping", "scenario", "derived-measures", "table", "indicator"} <= kinds


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_yaml_validates(path):
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))  # PyYAML's own reading, for comparison
    kind = schemas.kind_of_file(path)
    assert kind == schemas.kind_of(raw) and kind is not None
    data, _ = schemas.read_yaml(path)
    assert data == raw
    model = schemas.load(path, kind)
    assert type(model) is schemas.KINDS[kind][1]
    if "id" in raw:
        assert model.id == path.stem == raw["id"]
    dumped = model.model_dump(by_alias=True, exclude_none=True)  # written back, it reads the same
    assert schemas.validate(dumped, kind) == model
    if kind == "rate-set":
        table = raw.get("rates") or raw["counts"]
        assert len(model.table.bands) == len(table["bands"])
        assert model.table.bands[0].lo == int(re.match(r"\d+", str(table["bands"][0]))[0])


def test_lines_point_at_keys():
    path = ROOT / "assumptions/dementia/cfas_ii_2013.yaml"
    text = path.read_text(encoding="utf-8")
    _, lines = schemas.read_yaml(path)
    assert lines.get("rates", "female") == line_of(text, "  female: [0.018")
    assert lines.get("intervals", "male", 2) == line_of(text, "  male:   [[0.006")
    assert lines.get("source", "doi") == line_of(text, "  doi:")
    assert lines.get("rates", "female", 99) == line_of(text, "  female: [0.018")  # deepest known prefix


# ---------------------------------------------------------------------------- the YAML reader

def test_duplicate_key_names_both_lines(tmp_path):
    text = "schema: forecast.rate-set/1\nid: x\nmeasure: m\nid: y\n"
    e = error_of(write(tmp_path, "x.yaml", text), "rate-set")
    assert isinstance(e, AssumptionError)
    assert str(e) == f"{tmp_path / 'x.yaml'}: line 4: duplicate key 'id' (lines 2 and 4): give each key once"


def test_duplicate_nested_key(tmp_path):
    text = "schema: forecast.table/1\nuncertainty:\n  draws: 10\n  seed: 1\n  draws: 20\n"
    e = error_of(write(tmp_path, "s.yaml", text), "table")
    assert (e.line, e.field) == (5, "uncertainty")
    assert e.message == "duplicate key 'draws' (lines 3 and 5): give each key once"


@pytest.mark.parametrize("tag", ["!!python/object:os.system", "!!python/object/apply:os.system", "!!set", "!foo"])
def test_non_standard_tags_are_refused(tmp_path, tag):
    text = f"schema: forecast.rate-set/1\nid: x\nmeasure: {tag} [a]\n"
    e = error_of(write(tmp_path, "x.yaml", text), "rate-set")
    assert e.line == 3
    assert e.message.startswith(f"YAML tag {tag} is not allowed")


@pytest.mark.parametrize("text, line, message", [
    ("a: 1\nd: 2020-13-45\n", 2, "cannot read '2020-13-45' as !!timestamp"),
    ("a: !!int x\n", 1, "cannot read 'x' as !!int"),
    ("a: " + "9" * 5000 + "\n", 1, "cannot read '" + "9" * 40 + "…' as !!int"),
    ("a: !!map [1]\n", 1, "YAML tag !!map is not allowed here"),
    ("a: 1\nb: x\x07y\n", 2, "not valid YAML: the control character U+0007 is not allowed"),
    ("? [a, b]\n: 1\n", 1, "a key must be a plain value, not a list"),
])
def test_values_yaml_cannot_build_are_one_line_errors(tmp_path, loader, text, line, message):
    e = error_of(write(tmp_path, "v.yaml", text), "table")
    assert (e.line, e.message) == (line, message)
    if message.startswith("cannot read"):
        assert e.field == text.splitlines()[line - 1].split(":")[0]  # the key whose value it is


def test_alias_bomb_fails_fast_and_small(tmp_path, loader):
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for prev, name in zip("abcdefgh", "bcdefghi"):
        text += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
    assert len(text) < 1024  # 9 levels of 9: 387,420,489 strings once expanded
    path = write(tmp_path, "bomb.yaml", text)
    tracemalloc.start()
    with pytest.raises(ForecastError) as info:
        schemas.read_yaml(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 5 * 2**20  # the expansion is counted, never built
    assert "more than 100,000 YAML nodes once aliases are expanded" in str(info.value)
    # the first node to pass the limit: f (9**6 = 531,441 leaves), on line 6
    assert info.value.line == line_of(text, "f: &f")


def test_recursive_alias_is_refused(tmp_path):
    e = error_of(write(tmp_path, "r.yaml", "a: &x [1, *x]\n"), "table")
    assert e.line == 1 and "recursive" in e.message


@pytest.fixture(params=["C", "Python"] if getattr(yaml, "__with_libyaml__", False) else ["Python"])
def loader(request, monkeypatch):
    """Run a test with PyYAML's C loader (where PyYAML has libyaml) and with its pure-Python one."""
    import forecast.schemas.yamlio as yamlio

    monkeypatch.setattr(yamlio, "LOADER", yaml.CSafeLoader if request.param == "C" else yaml.SafeLoader)
    return request.param


def test_the_c_loader_is_used_where_pyyaml_has_libyaml():
    """Issue 12: PyYAML's C loader where it is installed (the pure-Python one parses a large
    file many times slower)."""
    import forecast.schemas.yamlio as yamlio

    assert yamlio.LOADER is (yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader)


def test_both_loaders_read_the_same(monkeypatch):
    import forecast.schemas.yamlio as yamlio

    fast = [schemas.read_yaml(p) for p in SHIPPED]
    monkeypatch.setattr(yamlio, "LOADER", yaml.SafeLoader)
    assert [schemas.read_yaml(p) for p in SHIPPED] == fast


def test_merge_keys_and_non_text_keys(tmp_path):
    text = "base: &b {x: 1, y: 2}\nc:\n  <<: *b\n  y: 3\nd: 2020-01-31\n"
    data, lines = schemas.read_yaml(write(tmp_path, "m.yaml", text))
    assert data == yaml.safe_load(text) == {"base": {"x": 1, "y": 2}, "c": {"x": 1, "y": 3}, "d": data["d"]}
    assert lines.get("c", "y") == 4
    text = "schema: forecast.ethnic-mapping/1\nid: m\nsource: {citation: x}\ngroups:\n  White: [a]\n  2021: [b]\n"
    e = error_of(write(tmp_path, "m.yaml", text), "ethnic-mapping")
    assert (e.line, e.field, e.message) == (6, "groups", "the key must be text, not the number 2021")


def test_deep_nesting_never_recurses(tmp_path, loader):
    text = "a: " + "[" * 100_000 + "]" * 100_000 + "\n"
    e = error_of(write(tmp_path, "deep.yaml", text), "table")
    assert e.line == 1 and e.message == f"nested deeper than {MAX_YAML_DEPTH} levels (forecast.limits.MAX_YAML_DEPTH)"


def test_deep_block_nesting_names_its_line(tmp_path):
    text = "".join("  " * i + "- \n" for i in range(MAX_YAML_DEPTH + 5))
    e = error_of(write(tmp_path, "deep.yaml", text), "table")
    assert e.line == MAX_YAML_DEPTH + 1  # the 51st sequence starts on line 51


@settings(max_examples=40, deadline=None)
@given(depth=st.integers(1, 3 * MAX_YAML_DEPTH), flow=st.lists(st.sampled_from(["list", "map"]), min_size=1, max_size=4))
def test_any_nesting_above_the_limit_is_one_line(tmp_path_factory, depth, flow):
    opens = [("[" if flow[i % len(flow)] == "list" else "{k: ") for i in range(depth)]
    closes = ["]" if o == "[" else "}" for o in reversed(opens)]
    path = tmp_path_factory.mktemp("n") / "n.yaml"
    path.write_text("".join(opens) + "".join(closes) + "\n")
    if depth <= MAX_YAML_DEPTH:
        data, _ = schemas.read_yaml(path)
        level = 0
        while isinstance(data, (list, dict)):
            level += 1
            data = (data[0] if data else None) if isinstance(data, list) else data["k"]
        assert level == depth
    else:
        with pytest.raises(ForecastError) as info:
            schemas.read_yaml(path)
        assert "\n" not in str(info.value) and "MAX_YAML_DEPTH" in str(info.value)


def test_a_50_mb_file_is_refused_by_size_without_opening(tmp_path, monkeypatch):
    path = tmp_path / "big.yaml"
    with open(path, "wb") as f:
        f.truncate(50 * 2**20)  # sparse: 50 MiB by stat, nothing written

    def no_open(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(os, "open", no_open)
    with pytest.raises(ForecastError) as info:
        schemas.read_yaml(path)
    assert str(info.value) == (f"{path}: is 50.0 MiB, larger than the 1.0 MiB a YAML file may be "
                               "(forecast.limits.MAX_YAML_BYTES)")


def test_a_fifo_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    out: list = []

    def run():
        try:
            schemas.read_yaml(fifo)
        except ForecastError as e:
            out.append(str(e))

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(timeout=5)
    if t.is_alive():  # it opened the FIFO: release it, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("read_yaml blocked on a FIFO")
    assert out == [f"{fifo}: is a named pipe (FIFO), not a YAML file"]


def test_a_folder_a_device_and_a_missing_file(tmp_path):
    for path, message in [(tmp_path, "is a folder, not a YAML file"),
                          (Path(os.devnull), "is a device, not a YAML file"),
                          (tmp_path / "none.yaml", "file not found")]:
        if not path.exists() and message != "file not found":
            continue
        with pytest.raises(SpecError) as info:
            schemas.load(path, "table")
        assert str(info.value) == f"{path}: {message}"


def test_non_utf8_bytes_name_the_line(tmp_path):
    e = error_of(write(tmp_path, "x.yaml", b"schema: forecast.table/1\ntitle: caf\xe9\n"), "table")
    assert e.line == 2 and e.message == "not UTF-8 text (invalid continuation byte at byte 35)"


def test_two_documents_and_broken_yaml(tmp_path):
    e = error_of(write(tmp_path, "two.yaml", "a: 1\n---\nb: 2\n"), "table")
    assert e.message == "not valid YAML: holds more than one YAML document (one is allowed)"
    e = error_of(write(tmp_path, "bad.yaml", "a: [1, 2\n"), "table")
    assert e.message.startswith("not valid YAML:") and e.line == 2


def test_a_900_kb_file_within_the_limit_reads(tmp_path):
    rows = ["schema: forecast.area-groups/1", "groups:"]
    i = 0
    while sum(map(len, rows)) < 900_000:
        rows += [f"  - code: G{i:07d}", f"    name: Group {i} of a synthetic file for timing the reader",
                 f"    members: [E{i:08d}, F{i:08d}, H{i:08d}, J{i:08d}]",
                 "    source: ONS local authority geography, April 2023, as a test of the reader's speed"]
        i += 1
    path = write(tmp_path, "big.yaml", "\n".join(rows) + "\n")
    model = schemas.load(path, "area-groups")
    assert len(model.groups) == i and model.groups[-1].members[3] == f"J{i - 1:08d}"


# ---------------------------------------------------------------------------- rate sets

RATES = """\
schema: forecast.rate-set/1
id: my_rates
measure: dementia
label: People with dementia
source:
  citation: Someone S. A study. 2020.
rates:
  unit: percent
  bands: ["65-69", "70-74", "75+"]
  male: [1.5, 3.1, 10.0]
  female: [1.0, 2.4, 12.0]
"""
IV = "intervals:\n  level: 0.95\n  male: [[1, 2], [3, 4], [9, 11]]\n  female: [[0.5, 1.5], [2, 3], [11, 13]]\n"

# (name, replace this, by that (None: append), needle for the line, field, message)
RATE_CASES = [
    ("unit list", "unit: percent", "unit: [percent]", "unit:", "rates.unit",
     "must be one of percent, proportion, per_1000, per_100000, not a list ['percent']"),
    ("label list", "label: People with dementia", "label: [a, b]", "label:", "label",
     "must be text, not a list ['a', 'b']"),
    ("text for number", "male: [1.5, 3.1, 10.0]", "male: [1.5, '3.1', 10.0]", "male:", "rates.male[1]",
     "must be a number, not the text '3.1'"),
    ("bool for number", "male: [1.5, 3.1, 10.0]", "male: [1.5, true, 10.0]", "male:", "rates.male[1]",
     "must be a number, not true"),
    ("inf", "female: [1.0, 2.4, 12.0]", "female: [1.0, .inf, 12.0]", "female:", "rates.female[1]",
     "must be a finite number, not inf"),
    ("nan", "female: [1.0, 2.4, 12.0]", "female: [1.0, 2.4, .nan]", "female:", "rates.female[2]",
     "must be a finite number, not nan"),
    ("unknown key", "label: People", "lable: People", "lable:", "lable",
     "unknown key (known: bases, counts, ethnicity, id, intervals, label, measure, notes, open_top, rates, "
     "schema, source, trend)"),
    ("missing citation", "  citation: Someone S. A study. 2020.\n", "  url: https://example.org\n", "source:",
     "source.citation", "missing (every file must cite where its figures come from)"),
    ("id pattern", "id: my_rates", "id: My-Rates", "id:", "id",
     "'My-Rates' must be lower-case letters, digits and _ (starting with a letter)"),
    ("id not file name", "id: my_rates", "id: other", "id:", "id",
     "'other' differs from the file name 'my_rates.yaml' (the id is the file name without .yaml)"),
    ("unequal lengths", "female: [1.0, 2.4, 12.0]", "female: [1.0, 2.4]", "female:", "rates.female",
     "2 values for 3 bands (lists must match the bands)"),
    ("gap", '"70-74"', '"71-74"', "bands:", "rates.bands", "gap between age bands 65-69 and 71-74 (age 70 missing)"),
    ("overlap", '"70-74"', '"69-74"', "bands:", "rates.bands", "age bands 65-69 and 69-74 overlap"),
    ("bad band", '"70-74"', '"seventy"', "bands:", "rates.bands[1]",
     "cannot read age band 'seventy': use forms such as '65-69', '90+', '90 and over', '85 plus' or 'All ages'"),
    ("outside unit", "female: [1.0, 2.4, 12.0]", "female: [1.0, 2.4, 120]", "female:", "rates.female[2]",
     "rate 120 is outside 0-100 percent"),
    ("persons and male", "  female: [1.0, 2.4, 12.0]\n", "  persons: [1.0, 2.4, 12.0]\n", "persons:", "rates.persons",
     "give either 'persons' or 'male' and 'female', not both"),
    ("one sex only", "  female: [1.0, 2.4, 12.0]\n", "", "rates:", "rates.female",
     "missing (give male and female, or persons when the source is not sex-specific)"),
    ("interval misses point", None, IV.replace("[11, 13]", "[12.5, 13]"), "female: [[0.5", "intervals.female[2]",
     "interval [12.5, 13] does not contain its point estimate 12"),
    ("interval not a pair", None, IV.replace("[3, 4]", "[3]"), "male: [[1, 2]", "intervals.male[1]",
     "must be a [low, high] pair of numbers, not a list [3]"),
    ("interval level", None, IV.replace("level: 0.95", "level: 95"), "level:", "intervals.level",
     "level 95 must be between 0 and 1 (e.g. 0.95)"),
    ("interval sexes", None, "intervals:\n  male: [[1, 2], [3, 4], [9, 11]]\n", "intervals:", "intervals.female",
     "missing: [low, high] pairs, one per band (the rates give male and female)"),
    ("bases whole", None, "bases:\n  male: [10, 20, 30]\n  female: [10, 20.5, 30]\n", "female: [10, 20.5",
     "bases.female[1]", "base 20.5 must be a positive whole number"),
    ("open top weights need source", None, "open_top:\n  rule: weights\n  weights: {male: [3, 1], female: [4, 1]}\n",
     "open_top:", "open_top.source", "missing: rule 'weights' needs a source for the weights"),
    ("open top rule", None, "open_top:\n  rule: mean\n", "rule:", "open_top.rule",
     "must be one of error, first_band, weights, not the text 'mean'"),
    ("ethnicity use alone", None, "ethnicity: {use: pham2018_dementia_irr, mode: reference}\n", "ethnicity:",
     "ethnicity.mode", "with 'use', give no other keys (the file named holds the ratios)"),
    ("inline ratio interval", None,
     "ethnicity:\n  source: {citation: x}\n  reference: White\n  relative_risk: {Black: 1.2}\n"
     "  intervals: {Black: {male: [1.3, 1.5], female: [1.0, 1.4]}}\n", "intervals:", "ethnicity.intervals.Black.male",
     "interval [1.3, 1.5] does not contain the ratio 1.2"),
    ("trend neither", None, "trend: {from_year: 2022}\n", "trend:", "trend",
     "give one of annual_change, total_change with over_years, or segments"),
    ("trend both", None, "trend: {annual_change: -0.01, total_change: -0.2, over_years: 20, from_year: 2022}\n",
     "trend:", "trend", "give one of annual_change, total_change with over_years, or segments "
     "(not annual_change and total_change)"),
    ("trend over_years", None, "trend: {total_change: -0.2, from_year: 2022}\n", "trend:", "trend.over_years",
     "missing: total_change needs over_years (the years it took)"),
    ("trend range", None, "trend: {annual_change: -1.5, from_year: 2022}\n", "trend:", "trend.annual_change",
     "-1.5 must be a proportion per year between -1 and 1 (e.g. -0.027)"),
    ("trend year text", None, "trend: {annual_change: -0.01, from_year: '2022'}\n", "trend:", "trend.from_year",
     "must be a year such as 2025, not the text '2022'"),
    ("trend segments order", None,
     "trend:\n  from_year: 2022\n  segments:\n    - {until: 2030, annual_change: -0.02}\n"
     "    - {until: 2028, annual_change: -0.01}\n", "- {until: 2028", "trend.segments[1].until",
     "until 2028 must be after the previous segment's until (2030)"),
    ("trend first segment", None,
     "trend:\n  from_year: 2022\n  segments:\n    - {until: 2022, annual_change: -0.02}\n", "- {until: 2022",
     "trend.segments[0].until", "until 2022 must be after from_year 2022"),
]


@pytest.mark.parametrize("name, old, new, needle, field, message", RATE_CASES, ids=[c[0] for c in RATE_CASES])
def test_rate_set_errors(tmp_path, name, old, new, needle, field, message):
    if old is None:
        text = RATES + new
    else:
        assert old in RATES
        text = RATES.replace(old, new)
    path = write(tmp_path, "my_rates.yaml", text)
    e = error_of(path, "rate-set")
    assert isinstance(e, AssumptionError)
    assert (e.file, e.field, e.message) == (str(path), field, message)
    assert e.line == line_of(text, needle)
    assert str(e) == f"{path}: line {e.line}: {field}: {message}"


COUNTS = """\
schema: forecast.rate-set/1
id: carers
measure: unpaid_carers
source: {citation: ONS Census 2011}
counts:
  bands: ["0-15", "16+"]
  persons:
    cases: [10, 500]
    population: [1000, 900]
"""


def test_counts_cases_above_population(tmp_path):
    text = COUNTS.replace("cases: [10, 500]", "cases: [10, 901]")
    e = error_of(write(tmp_path, "carers.yaml", text), "rate-set")
    assert (e.line, e.field, e.message) == (line_of(text, "cases:"), "counts.persons.cases[1]",
                                            "901 cases out of a population of 900")


def test_counts_with_interval_pairs_and_both_forms(tmp_path):
    text = COUNTS + "intervals: {method: wilson, persons: [[0, 1], [0, 1]]}\n"
    e = error_of(write(tmp_path, "carers.yaml", text), "rate-set")
    assert (e.field, e.message) == ("intervals.persons", "with counts, intervals are computed: give only method and level")
    text = COUNTS + "rates: {unit: percent, bands: [16+], persons: [5]}\n"
    e = error_of(write(tmp_path, "carers.yaml", text), "rate-set")
    assert (e.line, e.field, e.message) == (line_of(text, "counts:"), "counts", "give either rates or counts, not both")


def test_counts_valid_and_whole_numbers(tmp_path):
    model = schemas.load(write(tmp_path, "carers.yaml", COUNTS + "intervals: {method: jeffreys}\n"), "rate-set")
    assert model.counts.persons.cases == [10, 500] and model.intervals.method == "jeffreys"
    assert model.unit == "proportion" and [b.label for b in model.table.bands] == ["0-15", "16+"]
    text = COUNTS.replace("population: [1000, 900]", "population: [1000, 900.5]")
    e = error_of(write(tmp_path, "carers.yaml", text), "rate-set")
    assert (e.field, e.message) == ("counts.persons.population[1]", "900.5 must be a positive whole number")


def test_rate_set_reads_open_top_npp_and_trends(tmp_path):
    text = RATES + "open_top: {rule: weights, weights: npp}\ntrend: {total_change: -0.21, over_years: 20, from_year: 2022}\n"
    model = schemas.load(write(tmp_path, "my_rates.yaml", text), "rate-set")
    assert model.open_top.weights == "npp"
    assert model.trend.annual == pytest.approx(0.79 ** (1 / 20) - 1)  # CFAS I → II: −1.17% a year
    assert math.isclose(model.trend.annual, -0.011716, abs_tol=1e-6)


def test_trend_forms():
    ok = [
        ({"annual_change": -0.027, "from_year": 2022}, -0.027),
        ({"total_change": -0.21, "over_years": 20, "from_year": 2022, "source": "CFAS"}, 0.79 ** 0.05 - 1),
        ({"from_year": 2022, "segments": [{"until": 2030, "annual_change": -0.02},
                                          {"until": 2040, "annual_change": 0.01}]}, None),
    ]
    for data, annual in ok:
        t = schemas.TrendModel.model_validate(data)
        assert t.annual == (pytest.approx(annual) if annual is not None else None)
    with pytest.raises(Exception):
        schemas.TrendModel.model_validate({"annual_change": -0.01, "from_year": 2022, "over_years": 5})


@settings(max_examples=30, deadline=None)
@given(order=st.permutations(["schema", "id", "measure", "label", "source", "rates", "trend"]))
def test_key_order_does_not_matter(tmp_path_factory, order):
    base = yaml.safe_load(RATES + "trend: {annual_change: -0.01, from_year: 2024}\n")
    reordered = {k: base[k] for k in order}
    path = tmp_path_factory.mktemp("o") / "my_rates.yaml"
    path.write_text(yaml.safe_dump(reordered, sort_keys=False))
    assert schemas.load(path, "rate-set") == schemas.validate(base, "rate-set")


# ---------------------------------------------------------------------------- other file kinds

def test_wrong_kind_and_no_schema(tmp_path):
    e = error_of(write(tmp_path, "my_rates.yaml", RATES.replace("forecast.rate-set/1", "forecast.table/1")), "rate-set")
    assert (e.line, e.field, e.message) == (1, "schema", "this is a report spec ('schema: forecast.table/1'), not a rate set: use it with "
                                             "'forecast table', 'forecast chart' or 'forecast report'")
    e = error_of(write(tmp_path, "x.yaml", "- a\n- b\n"), "scenario")
    assert e.message == "not a scenario: expected a mapping with 'schema: forecast.scenario/1', found a list ['a', 'b']"


def test_area_groups_errors_are_input_errors(tmp_path):
    text = "schema: forecast.area-groups/1\ngroups: 5\n"
    e = error_of(write(tmp_path, "g.yaml", text), "area-groups")
    assert isinstance(e, InputError) and (e.line, e.field, e.message) == (2, "groups", "must be a list, not the number 5")
    text = "schema: forecast.area-groups/1\ngroups:\n  - code: X1\n    name: Both\n    members: [A, B, A]\n"
    e = error_of(write(tmp_path, "g.yaml", text), "area-groups")
    assert (e.line, e.field, e.message) == (5, "groups[0].members[2]", "member A is listed twice")


def test_mapping_sends_a_group_once(tmp_path):
    text = ("schema: forecast.ethnic-mapping/1\nid: m\nsource: {citation: ONS}\ngroups:\n"
            "  White: [White British, Irish]\n  Other: [Arab, Irish]\n")
    e = error_of(write(tmp_path, "m.yaml", text), "ethnic-mapping")
    assert (e.line, e.field, e.message) == (6, "groups.Other[1]", "'Irish' is sent to two broad groups: 'White' and 'Other'")


def test_relative_risks_standardised_needs_study_population(tmp_path):
    text = ("schema: forecast.relative-risks/1\nid: rr\nmeasure: cmd\nsource: {citation: APMS}\n"
            "reference: White\nmode: standardised\nrates:\n  White: {male: 10, female: 20}\n  Black: 12\n")
    e = error_of(write(tmp_path, "rr.yaml", text), "relative-risks")
    assert (e.line, e.field) == (6, "mode")
    model = schemas.load(write(tmp_path, "rr.yaml", text.replace("mode: standardised\n", "")), "relative-risks")
    assert model.ratios()["Black"] == {"male": 12 / 10, "female": 12 / 20}


def test_derived_measure_factors(tmp_path):
    text = ("schema: forecast.derived-measures/1\nid: d\nsource: {citation: strategy}\nmeasures:\n"
            "  needing_support:\n    from: carers\n    share: {numerator: 16000, denominator: 30000}\n"
            "    multiplier: 2\n    source: x\n")
    e = error_of(write(tmp_path, "d.yaml", text), "derived-measures")
    assert (e.line, e.field) == (line_of(text, "multiplier"), "measures.needing_support.multiplier")
    assert e.message == "give exactly one of share, multiplier, calibrate (not share and multiplier)"
    e = error_of(write(tmp_path, "d.yaml", text.replace("    multiplier: 2\n", "").replace("16000", "36000")),
                 "derived-measures")
    assert (e.field, e.message) == ("measures.needing_support.share", "share 1.2 is outside 0-1")
    e = error_of(write(tmp_path, "d.yaml", text.replace("    multiplier: 2\n", "").replace("from: carers", "from: [carers]")),
                 "derived-measures")
    assert (e.field, e.message) == ("measures.needing_support.from", "must be text, not a list ['carers']")


# ---------------------------------------------------------------------------- specs

SPEC = """\
schema: forecast.table/1
title: Dementia
areas: [E06000016]
measures:
  - rate_set: dementia_uk_2007
    label: Dementia
ages: "65+"
years: [2025, 2030, 2035]
change: [2025, 2035]
"""

SPEC_CASES = [
    ("change not a year", "change: [2025, 2035]", "change: [2025, 2040]", "change:", "change[1]",
     "2040 is not one of the table's years (2025, 2030, 2035)"),
    ("groups number", None, "groups: 5\n", "groups:", "groups", "must be a list, not the number 5"),
    ("draws 0", None, "uncertainty: {draws: 0}\n", "uncertainty:", "uncertainty.draws",
     f"the number of draws must be 1 to {MAX_DRAWS:,} (forecast.limits.MAX_DRAWS), not 0"),
    ("draws above limit", None, f"uncertainty: {{draws: {MAX_DRAWS + 1}}}\n", "uncertainty:", "uncertainty.draws",
     f"the number of draws must be 1 to {MAX_DRAWS:,} (forecast.limits.MAX_DRAWS), not {MAX_DRAWS + 1:,}"),
    ("draws text", None, "uncertainty: {draws: '1000'}\n", "uncertainty:", "uncertainty.draws",
     "must be a whole number, not the text '1000'"),
    ("round_to inf", None, "round_to: .inf\n", "round_to:", "round_to", "must be a finite number, not inf"),
    ("round_to text", None, "round_to: '10'\n", "round_to:", "round_to", "must be a number, not the text '10'"),
    ("totals text", None, "totals: 'yes'\n", "totals:", "totals", "must be true or false, not the text 'yes'"),
    ("number for path", "  - rate_set: dementia_uk_2007", "  - rate_set: 5", "rate_set:", "measures[0].rate_set",
     "must be text, not the number 5"),
    ("missing years", "years: [2025, 2030, 2035]\nchange: [2025, 2035]\n", "", "schema:", "years", "missing"),
    ("years not consecutive", "years: [2025, 2030, 2035]", "years: [2025, 2025/27]", "years:", "years[1]",
     "financial year '2025/27': the two years are not consecutive (expected 2025/26)"),
    ("range backwards", "years: [2025, 2030, 2035]", "years: {from: 2022/23, to: March 2020}", "years:", "years",
     "the end March 2020 (financial year 2019/20) is before the start 2022/23"),
    ("scenario and scenarios", None, "scenario: a\nscenarios: [a, b]\n", "scenarios:", "scenarios",
     "give scenario (one) or scenarios (side by side), not both"),
    ("variants one", None, "variants: [principal]\n", "variants:", "variants",
     "side by side needs at least two variants (use variant: for one)"),
    ("chart kind", None, "charts:\n  - {kind: line}\n  - {kind: pie}\n", "{kind: pie}", "charts[1].kind",
     "must be one of line, compare, bands, pyramid, ethnicity, not the text 'pie'"),
    ("chart extra", None, "charts: [{kind: line, colour: red}]\n", "charts:", "charts[0].colour",
     "unknown key (known: area, by_sex, compare_year, kind, measure, title, year)"),
    ("areas selector", "areas: [E06000016]", "areas: everywhere", "areas:", "areas",
     "must be a list of area codes or names, or one of all-districts, all-upper-tier, all-regions, "
     "region:<code or name>, not the text 'everywhere'"),
    ("population number", None, "population: 5\n", "population:", "population",
     "must be default, history, a dataset name (e.g. snpp2022), {snpp: files}, {tidy: file} or {mye: file}, "
     "or a list of them, not the number 5"),
    ("tidy one file", None, "population: {tidy: [a.csv, b.csv]}\n", "population:", "population.tidy",
     "tidy reads one file, not 2"),
    ("relative risks need a mix", "    label: Dementia\n", "    label: Dementia\n    relative_risks: pham\n",
     "relative_risks:", "measures[0].relative_risks",
     "relative risks need an ethnic mix: add an 'ethnicity: {mix: …}' section"),
    ("by ethnicity needs a mix", None, "by: ethnicity\n", "by:", "by",
     "a table by ethnicity needs an 'ethnicity: {mix: …}' section"),
    ("extend method", None, "extend_to: 2050\nextend_method: linear\n", "extend_method:", "extend_method",
     "must be one of npp, hold_growth, not the text 'linear'"),
]


@pytest.mark.parametrize("name, old, new, needle, field, message", SPEC_CASES, ids=[c[0] for c in SPEC_CASES])
def test_table_spec_errors(tmp_path, name, old, new, needle, field, message):
    text = SPEC + new if old is None else SPEC.replace(old, new)
    path = write(tmp_path, "spec.yaml", text)
    e = error_of(path, "table")
    assert isinstance(e, SpecError)
    assert (e.field, e.message) == (field, message)
    assert e.line == line_of(text, needle)


def test_table_spec_new_keys(tmp_path):
    text = SPEC + ("population: [history, snpp2022]\nvariants: {High: hpp, Low: lpp}\nextend_to: March 2050\n"
                   "extend_method: npp\ncompare_with: [region, england]\nrows: age_band\nby: sex\n"
                   "charts: [{kind: pyramid, area: Leicester, year: 2030, compare_year: 2025, by_sex: true}]\n"
                   "ethnicity: {mix: census2021_ts021_llr, rake_to: census2021}\n")
    model = schemas.load(write(tmp_path, "spec.yaml", text.replace("areas: [E06000016]", "areas: region:East Midlands")),
                         "table")
    assert model.population == ["history", "snpp2022"] and model.variants == {"High": "hpp", "Low": "lpp"}
    assert model.extend_to == "March 2050" and model.charts[0].compare_year == 2025
    assert model.areas == "region:East Midlands" and model.ethnicity.rake_to == "census2021"


def test_years_are_expanded():
    data = yaml.safe_load(SPEC)
    data["years"] = {"from": "2022/23", "to": "March 2030"}
    data["change"] = ["2022/23", "2029/30"]
    model = schemas.validate(data, "table")
    assert model.years == ["2022/23", "2023/24", "2024/25", "2025/26", "2026/27", "2027/28", "2028/29", "2029/30"]
    data["years"], data["change"] = "2025-2028", ["2025", 2028]
    assert schemas.validate(data, "table").years == [2025, 2026, 2027, 2028]
    assert schemas.validate(data, "table").change == [2025, 2028]


def test_indicator_target(tmp_path):
    text = ("schema: forecast.indicator/1\nobserved: counts.csv\nindicators:\n"
            "  - {observed: register, rate_set: cfas_ii_2013, target: {ratio: 1.5, by: 2028}}\n")
    e = error_of(write(tmp_path, "i.yaml", text), "indicator")
    assert (e.line, e.field, e.message) == (4, "indicators[0].target.ratio",
                                            "target ratio 1.5 must be in (0, 1], e.g. 0.667 for 66.7%")
    e = error_of(write(tmp_path, "i.yaml", text.replace("ratio: 1.5, by: 2028", "ratio: 0.6, by: 2028-03")), "indicator")
    assert (e.field, e.message) == ("indicators[0].target.by", "'2028-03' is not a year (2025) or a financial year (2025/26)")


# ---------------------------------------------------------------------------- API

def test_validate_a_dict_without_a_file():
    data = yaml.safe_load(RATES)
    data["rates"]["unit"] = ["proportion"]
    with pytest.raises(AssumptionError) as info:
        schemas.validate(data, "rate-set")
    assert (info.value.file, info.value.line, info.value.field) == (None, None, "rates.unit")
    data = yaml.safe_load(RATES)
    data["id"] = "anything"  # no file: no file-name check
    assert schemas.validate(data, "rate-set").id == "anything"


def test_kind_of_and_unknown_kind(tmp_path):
    assert schemas.kind_of({"schema": "forecast.scenario/1"}) == "scenario"
    assert schemas.kind_of({"schema": "other"}) is None and schemas.kind_of([1]) is None
    assert schemas.kind_of_file(write(tmp_path, "x.yaml", "# note\nschema: forecast.indicator/1\n")) == "indicator"
    with pytest.raises(ValueError):
        schemas.validate({}, "spreadsheet")


# ---------------------------------------------------------------------------- JSON Schema

JSON_DIR = ROOT / "forecast" / "schemas" / "json"


def test_exported_json_schemas_are_current(tmp_path):
    from forecast.schemas.export import export

    for path in export(tmp_path):
        committed = JSON_DIR / path.name
        assert committed.exists(), f"run python -m forecast.schemas.export ({path.name} is missing)"
        assert json.loads(committed.read_text()) == json.loads(path.read_text()), f"{path.name} is stale"
        body = json.loads(path.read_text())
        assert body["$id"].startswith("urn:forecast:schema:") and body["title"] and body["description"]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_json_schema_accepts_shipped_files(path):
    jsonschema = pytest.importorskip("jsonschema")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    schema = json.loads((JSON_DIR / f"{schemas.kind_of(data)}.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(data)) == []


def test_json_schema_rejects_a_list_unit():
    jsonschema = pytest.importorskip("jsonschema")
    data = yaml.safe_load((ROOT / "assumptions/dementia/cfas_ii_2013.yaml").read_text(encoding="utf-8"))
    data["rates"]["unit"] = ["proportion"]
    validator = jsonschema.Draft202012Validator(json.loads((JSON_DIR / "rate-set.schema.json").read_text()))
    assert not validator.is_valid(data)
    data["rates"]["unit"] = "proportion"
    assert validator.is_valid(data)


def test_import_is_light():
    code = ("import sys, forecast.schemas; "
            "print(sorted(m for m in ('pandas', 'xarray', 'numpy', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
