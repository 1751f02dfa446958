"""Rate sets: the built-in files against their published figures, the schema's checks,
rates on single ages, the open-top rule, and the registry."""


import numpy as np
import pytest
import yaml

import forecast
from forecast.assumptions import Registry, RateSet, load_rate_set, schema_of

SCHEMA = "rate-set"  # the kind schema_of() reports
from forecast.errors import AssumptionError

from conftest import ASSUMPTIONS_DIR, tiny_rate_dict

pytestmark = pytest.mark.unit

BUILTIN = sorted(p for p in ASSUMPTIONS_DIR.rglob("*.yaml") if schema_of(p) == SCHEMA)


def test_builtin_files_exist():
    ids = {p.stem for p in BUILTIN}
    assert {
        "dementia_uk_2007", "dementia_uk_2007_early_onset", "dementia_uk_2014", "cfas_ii_2013",
        "depression_15pct", "apms2014_any_cmd", "apms2014_depressive_episode",
    } <= ids


@pytest.mark.parametrize("path", BUILTIN, ids=lambda p: p.stem)
def test_every_builtin_loads_and_cites(path):
    rs = load_rate_set(path)
    assert rs.id == path.stem
    assert len(rs.source.citation) > 40
    assert rs.sha256 and len(rs.sha256) == 64
    assert rs.source.read_from, "say where the figures were read"


# Published figures, typed from the source tables named in each file (RATES.md, FOUND.md).
PUBLISHED = {
    # Dementia UK 2007, Table 1a (%, read via Medway JSNA): 65-69 F 1.0 M 1.5; 95+ F 34.4 M 30.0
    ("dementia_uk_2007", "65-69"): (0.015, 0.010),
    ("dementia_uk_2007", "95+"): (0.300, 0.344),
    # Dementia UK 2007 early onset per 100,000: 60-64 F 118.0 M 198.9
    ("dementia_uk_2007_early_onset", "60-64"): (198.9e-5, 118.0e-5),
    # Dementia UK 2014 (POPPI): 90-94 M 0.226 F 0.330
    ("dementia_uk_2014", "90-94"): (0.226, 0.330),
    # CFAS II: 90+ M 0.171 F 0.350
    ("cfas_ii_2013", "90+"): (0.171, 0.350),
    # APMS 2014 Table 2.3 Any CMD, 16-24: M 10.0% F 28.2%
    ("apms2014_any_cmd", "16-24"): (0.100, 0.282),
    # APMS 2014 Table 2.3 Depressive episode, 75+: M 0.3% F 2.0%
    ("apms2014_depressive_episode", "75+"): (0.003, 0.020),
    # the strategy's rule: 15% of 65+
    ("depression_15pct", "65+"): (0.15, 0.15),
}


@pytest.mark.parametrize("key", PUBLISHED, ids=lambda k: f"{k[0]}:{k[1]}")
def test_builtin_values_match_published(key):
    rs = forecast.get_rate_set(key[0])
    i = [b.label for b in rs.bands].index(key[1])
    assert (rs.rates["male"][i], rs.rates["female"][i]) == pytest.approx(PUBLISHED[key], abs=1e-12)


def test_cfas_intervals_contain_point_estimates():
    rs = forecast.get_rate_set("cfas_ii_2013")
    for sex in ("male", "female"):
        assert np.all(rs.intervals[sex][:, 0] <= rs.rates[sex])
        assert np.all(rs.rates[sex] <= rs.intervals[sex][:, 1])
    # 65-69 male 95% CI 0.006-0.023
    assert tuple(rs.intervals["male"][0]) == (0.006, 0.023)


def test_rates_by_age_maps_bands(tiny_rates):
    r = tiny_rates.rates_by_age(range(6), 5)
    assert np.isnan(r.sel(sex="male", age=2).item())
    assert r.sel(sex="male", age=3).item() == 0.10
    assert r.sel(sex="female", age=4).item() == 0.30
    assert r.sel(sex="female", age=5).item() == 0.40


def test_persons_rates_apply_to_both_sexes():
    rs = forecast.get_rate_set("depression_15pct")
    r = rs.rates_by_age(range(91), 90)
    assert r.sel(age=64).isnull().all()
    assert (r.sel(age=slice(65, 90)) == 0.15).all()
    assert not rs.sex_specific


def test_dementia_uk_2007_90_plus_is_poppi_weighted():
    """POPPI's 90+ split: the 90-94 and 95+ rates (Dementia UK 2007: F 29.6%, 34.4%; M 27.7%,
    30.0%) weighted by England's mid-2013 population aged 90-94 and 95+ (ONS, Estimates of the
    very old: F 255,400 and 67,700; M 109,540 and 17,790)."""
    rs = forecast.get_rate_set("dementia_uk_2007")
    r = rs.rates_by_age(range(91), 90)
    assert r.sel(sex="female", age=90).item() == pytest.approx((0.296 * 255400 + 0.344 * 67700) / (255400 + 67700))
    assert r.sel(sex="male", age=90).item() == pytest.approx((0.277 * 109540 + 0.300 * 17790) / (109540 + 17790))
    assert "weighted by England's mid-2013 population" in rs.open_top_note(90)


def test_open_top_first_band_uses_the_band_holding_the_top_age():
    d = tiny_rate_dict(rates={"unit": "percent", "bands": ["3-4", "5-6", "7+"], "male": [10, 20, 40], "female": [10, 20, 40]},
                       open_top={"rule": "first_band"})
    rs = forecast.RateSet.from_dict(d)
    assert rs.rates_by_age(range(6), 5).sel(sex="male", age=5).item() == pytest.approx(0.20)  # 5-6, not 7+
    assert "lower bound" in rs.open_top_note(5)


def test_open_top_weights_by_hand():
    # 90-94 rate 20%, 95+ rate 40%; weights 3:1 → (3×20 + 1×40)/4 = 25%
    d = tiny_rate_dict(
        rates={"unit": "percent", "bands": ["3-4", "5-6", "7+"], "male": [10, 20, 40], "female": [10, 20, 40]},
        open_top={"rule": "weights", "weights": {"male": [3, 1], "female": [3, 1]}, "source": "hand-made weights"},
    )
    rs = RateSet.from_dict(d)
    assert rs.rates_by_age(range(6), 5).sel(age=5, sex="male").item() == pytest.approx(0.25)


def test_open_top_without_rule_is_an_error():
    d = tiny_rate_dict(rates={"unit": "percent", "bands": ["3-4", "5-6", "7+"], "male": [1, 2, 3], "female": [1, 2, 3]})
    rs = RateSet.from_dict(d)
    with pytest.raises(AssumptionError, match="splits the population's open top age group 5\\+ into 5-6, 7\\+"):
        rs.rates_by_age(range(6), 5)
    # a population whose top is higher is fine
    assert rs.rates_by_age(range(9), 8).sel(age=8, sex="male").item() == pytest.approx(0.03)


# ---------------------------------------------------------------------------- bad YAML

CFAS = ASSUMPTIONS_DIR / "dementia" / "cfas_ii_2013.yaml"


def _variant(tmp_path, edit, name="variant"):
    text = CFAS.read_text().replace("id: cfas_ii_2013", f"id: {name}")
    p = tmp_path / f"{name}.yaml"
    p.write_text(edit(text))
    return p


@pytest.mark.parametrize(
    "edit, field, message",
    [
        (lambda t: t.replace('"70-74", "75-79"', '"70-76", "75-79"'), "rates.bands", "age bands 70-76 and 75-79 overlap"),
        (lambda t: t.replace('"70-74", "75-79"', '"70-73", "75-79"'), "rates.bands", "gap between age bands 70-73 and 75-79"),
        (lambda t: t.replace("0.030, 0.052", "3.0, 0.052"), "rates.male[1]", "rate 3 is outside 0-1 proportion"),
        (lambda t: t.replace("0.181, 0.350]", "0.181]"), "rates.female", "5 values for 6 bands"),
        (lambda t: t.replace("unit: proportion", "unit: percentage"), "rates.unit", "must be one of percent, proportion, per_1000, per_100000, not the text 'percentage'"),
        (lambda t: t.replace("[0.009, 0.036]", "[0.020, 0.036]"), "intervals.female[0]", "does not contain its point estimate 0.018"),
        (lambda t: t.replace("rates:", "rate:"), "rate", "unknown key"),
        (lambda t: t.replace("schema: forecast.rate-set/1", "schema: forecast.rate-set/9"), "schema", "unsupported schema"),
        (lambda t: t.replace("  male:   [0.012", "  mal:   [0.012", 1), "rates.mal", "unknown key"),
        (lambda t: t.replace("measure: dementia", "measure: Dementia UK"), "measure", "must be lower-case"),
    ],
)
def test_bad_yaml_names_file_line_field(tmp_path, edit, field, message):
    p = _variant(tmp_path, edit)
    with pytest.raises(AssumptionError) as e:
        load_rate_set(p)
    assert e.value.file == str(p)
    assert e.value.field == field
    assert e.value.line is not None
    assert message in str(e.value)
    assert "\n" not in str(e.value)


def test_no_citation(tmp_path):
    def edit(t):
        start = t.index("  citation: >-")
        end = t.index("  doi:")
        return t[:start] + t[end:]
    with pytest.raises(AssumptionError, match="source.citation: missing"):
        load_rate_set(_variant(tmp_path, edit))


def test_python_tag_is_refused(tmp_path):
    p = _variant(tmp_path, lambda t: "evil: !!python/object/apply:os.system ['echo hi']\n" + t)
    with pytest.raises(AssumptionError, match="line 1: YAML tag .*python/object/apply:os.system is not allowed"):
        load_rate_set(p)


def test_yaml_that_is_not_a_rate_set(tmp_path):
    p = tmp_path / "x.yaml"
    p.write_text("- a\n- b\n")
    with pytest.raises(AssumptionError, match="not a rate set"):
        load_rate_set(p)
    p.write_text("title: something else\n")
    with pytest.raises(AssumptionError, match="not a rate set: no 'schema"):
        load_rate_set(p)


def test_invalid_yaml_syntax(tmp_path):
    p = tmp_path / "x.yaml"
    p.write_text("schema: [unclosed\n")
    with pytest.raises(AssumptionError, match="x.yaml: line 2: not valid YAML"):
        load_rate_set(p)


def test_id_must_match_file_name(tmp_path):
    p = tmp_path / "other.yaml"
    p.write_text(CFAS.read_text())
    with pytest.raises(AssumptionError, match="id: 'cfas_ii_2013' differs from the file name 'other.yaml'"):
        load_rate_set(p)


def test_missing_file():
    with pytest.raises(AssumptionError, match="nope.yaml: file not found"):
        load_rate_set("nope.yaml")


# ---------------------------------------------------------------------------- registry

def test_unknown_id_lists_known():
    with pytest.raises(AssumptionError, match="unknown rate set 'nosuch' \\(known: .*cfas_ii_2013"):
        forecast.get_rate_set("nosuch")


def test_registry_user_folder_overrides_and_adds(tmp_path):
    reg = Registry(entry_points=False)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "my_rates.yaml").write_text(yaml.safe_dump(tiny_rate_dict(id="my_rates")))
    reg.add(mine)
    assert "my_rates" in reg.ids() and "cfas_ii_2013" in reg.ids()
    assert reg.get("my_rates").measure == "thing"


def test_registry_python_object_and_path(tmp_path):
    reg = Registry(builtin=False, entry_points=False)
    rs = RateSet.from_dict(tiny_rate_dict(id="obj_rates"))
    reg.add(rs)
    assert reg.get("obj_rates") is rs
    p = tmp_path / "file_rates.yaml"
    p.write_text(yaml.safe_dump(tiny_rate_dict(id="file_rates")))
    assert reg.get(str(p)).id == "file_rates"


def test_entry_point_plugin(tmp_path, monkeypatch):
    from importlib import metadata

    folder = tmp_path / "plugin"
    folder.mkdir()
    (folder / "plugin_rates.yaml").write_text(yaml.safe_dump(tiny_rate_dict(id="plugin_rates")))

    class EP:
        name, value = "demo", "demo:rates"

        def load(self):
            return lambda: [str(folder)]

    real = metadata.entry_points
    monkeypatch.setattr(metadata, "entry_points", lambda **kw: [EP()] if kw.get("group") == "forecast.assumptions" else real(**kw))
    reg = Registry()
    assert reg.get("plugin_rates").id == "plugin_rates"


def test_list_rate_sets_columns():
    df = forecast.list_rate_sets()
    assert {"id", "measure", "ages", "citation"} <= set(df.columns)
    row = df.set_index("id").loc["cfas_ii_2013"]
    assert row.ages == "65+" and row.intervals == "yes"
