"""`forecast report` (HTML, XLSX, a folder with datapackage.json) and the provenance sidecars of
`forecast table -o t.csv` and `forecast run -o r.csv`.

Numbers are recomputed inside the tests from the shipped ONS CSV files (the ``ons_long``
fixture, plain pandas) and rates read from the rate-set YAML files with PyYAML; checksums
with hashlib over the shipped files; citations read from the YAML files.  The report is
parsed with html5lib (strict: any parse error fails) and read back with openpyxl.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import html5lib
import numpy as np
import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

import forecast
import forecast.cli.report  # noqa: F401  (registers `forecast report` until forecast.cli imports it)
from conftest import ASSUMPTIONS_DIR, EXAMPLES_DIR, LEICESTER, RUTLAND, SNPP_FILES, forecast_cli, rates_by_age

pytestmark = pytest.mark.integration

CFAS = ASSUMPTIONS_DIR / "dementia" / "cfas_ii_2013.yaml"
DEPRESSION = ASSUMPTIONS_DIR / "depression" / "depression_15pct.yaml"
TITLE = "Older people's mental health in Leicester and Rutland"
SPEC = f"""schema: forecast.table/1
title: "{TITLE}"
areas: [Leicester, Rutland]
measures:
  - rate_set: cfas_ii_2013
    label: People aged 65+ with dementia
  - rate_set: depression_15pct
    label: People aged 65+ with depression
bands: [65-74, 75-84, 85+]
years: [2025, 2030, 2040]
change: [2025, 2040]
round_to: 10
"""
EPOCH = "1767225600"  # 2026-01-01T00:00:00Z
NS = "{http://www.w3.org/1999/xhtml}"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def citation(path: Path) -> str:
    return " ".join(yaml.safe_load(path.read_text(encoding="utf-8"))["source"]["citation"].split())


def pop65(ons_long, area, year, sex=None, ages=(65, 90)) -> pd.DataFrame:
    d = ons_long[(ons_long.area_code == area) & (ons_long.year == year) & ons_long.age.between(*ages)]
    return d if sex is None else d[d.sex == sex]


def round10(x: float) -> str:
    return f"{int(np.floor(x / 10 + 0.5) * 10):,}"


def assert_bad_input(r, *fragments):
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("forecast: error: ") and "Traceback" not in r.stderr, r.stderr
    for f in fragments:
        assert f in lines[0], lines[0]


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The spec, its report as HTML and XLSX (twice, for byte identity) and its Markdown table."""
    folder = tmp_path_factory.mktemp("report")
    spec = folder / "spec.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    try:
        for out in ("r.html", "r.xlsx", "again.xlsx"):
            r = forecast_cli("report", spec, "-o", out, cwd=folder)
            assert r.returncode == 0, r.stderr
        md = forecast_cli("table", spec, cwd=folder)
        assert md.returncode == 0, md.stderr
    finally:
        mp.undo()
    return {"folder": folder, "spec": spec, "html": (folder / "r.html").read_text(encoding="utf-8"),
            "xlsx": folder / "r.xlsx", "again": folder / "again.xlsx", "md": md.stdout}


def parse(text: str):
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=True).parse(text)


def texts(el) -> str:
    return " ".join("".join(el.itertext()).split())


def html_tables(doc) -> list[list[list[str]]]:
    out = []
    for t in doc.iter(f"{NS}table"):
        rows = []
        for tr in t.iter(f"{NS}tr"):
            cells = [texts(c) for c in tr if c.tag in (f"{NS}th", f"{NS}td")]
            rows.append(cells)
        out.append(rows)
    return out


def markdown_rows(md: str) -> list[list[str]]:
    rows = []
    for line in md.splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            rows.append([c.strip().replace("**", "") for c in line.strip("|").split("|")])
    return rows


# ---------------------------------------------------------------------------- HTML

def test_html_is_one_valid_self_contained_file(made):
    text = made["html"]
    doc = parse(text)  # strict: raises on any parse error
    assert texts(next(doc.iter(f"{NS}title"))) == TITLE
    assert texts(next(doc.iter(f"{NS}h1"))) == TITLE
    # nothing to fetch: no scripts, no links, no remote images; every image a data: URI
    assert not list(doc.iter(f"{NS}script")) and not list(doc.iter(f"{NS}link")) and not list(doc.iter(f"{NS}iframe"))
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:|//)""", text, re.I)
    assert "@import" not in text and "url(" not in text
    images = list(doc.iter(f"{NS}img"))
    assert len(images) == 2  # a line chart per measure (the spec has no charts: list)
    for img, measure in zip(images, ("dementia", "depression")):
        src = img.get("src")
        assert src.startswith("data:image/svg+xml;base64,")
        svg = ET.fromstring(base64.b64decode(src.split(",", 1)[1]))
        words = " ".join(el.text or "" for el in svg.iter() if el.tag.endswith("text"))
        assert f"People aged 65+ with {measure}" in words and "Leicester" in words and "Rutland" in words
        assert img.get("alt")
    # printed on A4
    assert "@page{size:A4" in text and "@media print" in text


def trimmed(rows: list[list[str]]) -> list[list[str]]:
    out = []
    for r in rows:
        r = list(r)
        while r and r[-1] == "":
            r.pop()
        out.append(r)
    return out


def test_html_tables_are_the_markdown_tables(made, ons_long):
    doc = parse(made["html"])
    tables = html_tables(doc)
    assert len(tables) == 2
    # Table 1 is the spec's own table (bands, no rows: → POPPI's band layout), cell for cell as
    # `forecast table` prints it in Markdown
    md = trimmed(markdown_rows(made["md"]))
    assert trimmed(tables[0]) == md
    assert ["85+"] == [r[0] for r in md if r and r[0] == "85+"][:1]  # band rows
    # Table 2 (the area layout) recomputed: depression = 15% of everyone 65+, rounded to 10
    block = [r for r in tables[1] if r][[r[0] for r in tables[1] if r].index("People aged 65+ with depression"):]
    rows = {r[0]: r[1:] for r in block if len(r) > 1}
    for area, name in ((LEICESTER, "Leicester"), (RUTLAND, "Rutland")):
        for col, year in enumerate((2025, 2030, 2040)):
            assert rows[name][col] == round10(0.15 * pop65(ons_long, area, year).population.sum())


def test_html_summary_line_per_measure(made, ons_long):
    doc = parse(made["html"])
    summary = [texts(li) for li in next(s for s in doc.iter(f"{NS}section") if s.get("id") == "summary").iter(f"{NS}li")]
    assert len(summary) == 2
    dep = [0.15 * (pop65(ons_long, LEICESTER, y).population.sum() + pop65(ons_long, RUTLAND, y).population.sum())
           for y in (2025, 2040)]
    change = 100 * (dep[1] - dep[0]) / dep[0]
    assert summary[1] == (f"People aged 65+ with depression in Leicester and Rutland: {round10(dep[0])} in 2025, "
                          f"{round10(dep[1])} in 2040 (+{change:.1f}%)")
    cfas = rates_by_age(CFAS)
    dem = []
    for y in (2025, 2040):
        d = pd.concat([pop65(ons_long, a, y) for a in (LEICESTER, RUTLAND)])
        dem.append(float((d.population * [cfas[s][a] for s, a in zip(d.sex, d.age)]).sum()))
    assert summary[0].startswith(f"People aged 65+ with dementia in Leicester and Rutland: {round10(dem[0])} in 2025, "
                                 f"{round10(dem[1])} in 2040 (+{100 * (dem[1] - dem[0]) / dem[0]:.1f}%)")


def test_html_method_and_provenance(made):
    doc = parse(made["html"])
    sections = {s.get("id"): s for s in doc.iter(f"{NS}section")}
    method = texts(sections["method"])
    assert "population(area, year, sex, age) × rate(sex, age)" in method
    for path in (CFAS, DEPRESSION):
        assert citation(path) in method
    assert "ONS 2022-based subnational population projections" in method
    assert "Vintage: the 2022-based projection" in method
    assert "rounded to the nearest 10" in method
    assert "No intervals are shown" in method
    prov = provenance(sections["provenance"])
    for f in SNPP_FILES.values():
        assert prov[f"Population file {f.name}"] == f"sha256 {sha256(f)}"
    assert prov["Rate set cfas_ii_2013"] == f"cfas_ii_2013.yaml sha256 {sha256(CFAS)}"
    assert prov["Rate set depression_15pct"] == f"depression_15pct.yaml sha256 {sha256(DEPRESSION)}"
    assert prov["Spec"] == f"spec.yaml sha256 {sha256(made['spec'])}"
    assert prov["forecast version"] == forecast.__version__
    assert prov["Date"] == "2026-01-01" and prov["Seed"] == "none (no draws)"


def provenance(section) -> dict[str, str]:
    """The provenance block's terms and their values."""
    dl = next(section.iter(f"{NS}dl"))
    items = [texts(el) for el in dl if el.tag in (f"{NS}dt", f"{NS}dd")]
    return dict(zip(items[::2], items[1::2]))


def test_html_with_draws_explains_the_intervals(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    r = forecast_cli("report", spec, "-o", "r.html", "--draws", "30", "--seed", "9", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    doc = parse((tmp_path / "r.html").read_text(encoding="utf-8"))
    sections = {s.get("id"): s for s in doc.iter(f"{NS}section")}
    method = texts(sections["method"])
    assert "median of 30 draws of the rates (seed 9)" in method and "central 95% interval" in method
    prov = provenance(sections["provenance"])
    assert prov["Seed"] == "9" and prov["Draws"] == "30"
    # the dementia cells carry their interval, the depression cells (no published uncertainty) do not
    cell = re.compile(r"^[\d,]+ \([\d,]+–[\d,]+\)$")
    table2 = [r for r in html_tables(doc)[1] if r]
    labels = [r[0] for r in table2]
    dementia = table2[labels.index("People aged 65+ with dementia"):labels.index("People aged 65+ with depression")]
    depression = table2[labels.index("People aged 65+ with depression"):]
    assert all(cell.match(c) for r in dementia if len(r) > 1 for c in r[1:4])
    assert all(re.fullmatch(r"[\d,]+", c) for r in depression if len(r) > 1 for c in r[1:4])


# headless Chromium or Chrome, wherever it is installed (the layout checks need a real browser;
# that every embedded image decodes is also checked without one, in test_html_is_one_valid_self_contained_file)
CHROMIUM = next((Path(p) for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome",
                                                     "google-chrome-stable")) if p), None)
_CHECK = ("<script>window.addEventListener('load',function(){var i=Array.prototype.slice.call(document.images);"
          "document.body.setAttribute('data-images',i.length);document.body.setAttribute('data-broken',"
          "i.filter(function(x){return !(x.complete&&x.naturalWidth>0)}).length);});</script>")


def test_html_renders_in_headless_chromium(made, tmp_path):
    """The report opened in a browser: its title, and every image decoded (none broken).  A
    checking script is added to a copy of the report only (the report has no JavaScript)."""
    if CHROMIUM is None:
        pytest.skip("no headless Chromium or Chrome on PATH (apt-get install chromium)")
    copy = tmp_path / "check.html"
    copy.write_text(made["html"].replace("</body>", _CHECK + "</body>"), encoding="utf-8")
    out = subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=10000",
                          "--dump-dom", copy.as_uri()], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    dom = parse(out.stdout) if out.stdout.lstrip().startswith("<!DOCTYPE") else html5lib.parse(out.stdout)
    assert texts(next(dom.iter(f"{NS}title"))) == TITLE
    body = next(dom.iter(f"{NS}body"))
    assert body.get("data-images") == "2" and body.get("data-broken") == "0"


# ---------------------------------------------------------------------------- XLSX

def test_xlsx_sheets_frozen_headers_and_codes(made, ons_long):
    wb = load_workbook(made["xlsx"])
    assert wb.sheetnames == ["Table 1", "Table 2", "Data", "Notes", "Charts"]
    for name in ("Table 1", "Table 2"):
        ws = wb[name]
        assert ws.freeze_panes == "D4" and ws.auto_filter.ref.startswith("A3:")
        assert [c.value for c in ws[3]][:4] == ["Measure", "Age band" if name == "Table 1" else "Area", "Area code", "2025"]
    assert wb["Data"].freeze_panes == "A2" and wb["Notes"].freeze_panes == "A2"
    ws = wb["Table 2"]
    rows = {(r[0], r[1]): r for r in ws.iter_rows(min_row=4, values_only=True) if r[0]}
    assert rows[("People aged 65+ with depression", "Leicester")][2] == LEICESTER
    assert rows[("People aged 65+ with depression", "Rutland")][2] == RUTLAND
    assert rows[("People aged 65+ with depression", "Total")][2] is None
    # counts as shown (rounded to 10), changes as the fraction shown: 0.267, not 0.26699999999999996
    dep = [0.15 * pop65(ons_long, LEICESTER, y).population.sum() for y in (2025, 2040)]
    row = rows[("People aged 65+ with depression", "Leicester")]
    assert row[3] == int(round10(dep[0]).replace(",", ""))
    assert row[6] == round(round(100 * (dep[1] - dep[0]) / dep[0], 1) / 100, 3)
    assert repr(row[6]) == repr(round(row[6], 3))
    cell = ws.cell(row=4 + list(rows).index(("People aged 65+ with depression", "Leicester")), column=7)
    assert cell.number_format == "+0.0%;-0.0%;0.0%" and ws.cell(row=cell.row, column=4).number_format == "#,##0"


def test_xlsx_data_sheet_is_the_unrounded_result(made, ons_long):
    data = pd.DataFrame(list(load_workbook(made["xlsx"])["Data"].values))
    data.columns = data.iloc[0]
    data = data.iloc[1:]
    cfas = rates_by_age(CFAS)
    bands = {"65-74": (65, 74), "75-84": (75, 84), "85+": (85, 90)}
    checked = 0
    for _, r in data.iterrows():
        d = pop65(ons_long, r.area_code, int(r.period), r.sex, bands[r.age_band])
        rate = 0.15 if r.measure == "depression" else cfas[r.sex][d.age.to_numpy()]
        assert r.value == pytest.approx(float((d.population * rate).sum()), rel=1e-12), r.to_dict()
        checked += 1
    assert checked == 2 * 2 * 3 * 2 * 3  # measures × areas × years × sexes × bands


def test_xlsx_notes_hold_every_citation_and_checksum(made):
    ws = load_workbook(made["xlsx"])["Notes"]
    notes = "\n".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v)
    for path in (CFAS, DEPRESSION):
        assert citation(path) in notes and sha256(path) in notes
    for f in SNPP_FILES.values():
        assert sha256(f) in notes
    assert "Figures are rounded to the nearest 10" in notes


def test_xlsx_and_html_list_the_same_files_and_checksums(made):
    """One list of the files behind the report (population files, rate sets, …), written the
    same in the HTML provenance and the workbook's Notes sheet, checksums from hashlib."""
    doc = parse(made["html"])
    html_items = provenance(next(s for s in doc.iter(f"{NS}section") if s.get("id") == "provenance"))
    html_files = {k: v for k, v in html_items.items() if k.startswith(("Population file", "Rate set"))}
    ws = load_workbook(made["xlsx"])["Notes"]
    xlsx_files = {k[len("Provenance: "):]: v for k, v in ws.iter_rows(min_row=2, values_only=True)
                  if k and k.startswith(("Provenance: population file", "Provenance: rate set"))}
    assert list(xlsx_files) == [k[:1].lower() + k[1:] for k in html_files]
    assert list(xlsx_files.values()) == list(html_files.values())
    expected = [f"sha256 {sha256(f)}" for f in sorted(SNPP_FILES.values(), key=lambda f: f.name)]
    expected += [f"{CFAS.name} sha256 {sha256(CFAS)}", f"{DEPRESSION.name} sha256 {sha256(DEPRESSION)}"]
    assert list(html_files.values()) == expected


def test_draws_are_written_with_a_thousands_separator(tmp_path):
    """1,000 draws, as the charts write them: the method, the provenance (HTML and XLSX)."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    for out in ("r.html", "r.xlsx"):
        r = forecast_cli("report", spec, "-o", out, "--draws", "1000", "--seed", "2", cwd=tmp_path)
        assert r.returncode == 0, r.stderr
    doc = parse((tmp_path / "r.html").read_text(encoding="utf-8"))
    sections = {s.get("id"): s for s in doc.iter(f"{NS}section")}
    assert "median of 1,000 draws of the rates" in texts(sections["method"])
    assert provenance(sections["provenance"])["Draws"] == "1,000"
    ws = load_workbook(tmp_path / "r.xlsx")["Notes"]
    assert dict((k, v) for k, v in ws.iter_rows(min_row=2, values_only=True) if k)["Provenance: draws"] == "1,000"
    from forecast.output.notes import uncertainty_note

    first = forecast.simulate(None, "cfas_ii_2013", ages="65+", areas=["Rutland"], years=[2030], draws=1000, seed=2)
    assert "the median of 1,000 draws (seed 2)" in uncertainty_note(first, 0.95)


def test_xlsx_charts_are_images(made):
    ws = load_workbook(made["xlsx"])["Charts"]
    assert len(ws._images) == 2
    with zipfile.ZipFile(made["xlsx"]) as z:
        media = [n for n in z.namelist() if n.startswith("xl/media/")]
        assert len(media) == 2 and all(z.read(n)[:8] == b"\x89PNG\r\n\x1a\n" for n in media)


def test_xlsx_same_inputs_same_bytes(made):
    assert made["xlsx"].read_bytes() == made["again"].read_bytes()
    with zipfile.ZipFile(made["xlsx"]) as z:
        core = z.read("docProps/core.xml").decode()
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert "2026-01-01T00:00:00Z" in core  # created and modified: the report's date, not the clock


# ---------------------------------------------------------------------------- a folder

def test_report_folder_with_datapackage(made, tmp_path):
    out = tmp_path / "pack"
    r = forecast_cli("report", made["spec"], "-o", f"{out}/", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    pkg = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["report.html", "table-1.csv", "table-2.csv", "data.csv", "chart-1.png", "chart-2.png",
                            "datapackage.json"])
    assert sorted(res["path"] for res in pkg["resources"]) == sorted(n for n in names if n != "datapackage.json")
    for res in pkg["resources"]:
        assert res["hash"] == "sha256:" + sha256(out / res["path"])
        if res["path"].endswith(".csv"):
            header = (out / res["path"]).read_text(encoding="utf-8").splitlines()[0].split(",")
            assert [f["name"] for f in res["schema"]["fields"]] == header
    assert pkg["forecast"]["rate_sets"][0]["sha256"] == sha256(CFAS)
    assert {c["citation"] for c in pkg["forecast"]["citations"]} >= {citation(CFAS), citation(DEPRESSION)}
    # written again: replaced; a folder holding other files: refused, untouched
    assert forecast_cli("report", made["spec"], "-o", f"{out}/", cwd=tmp_path).returncode == 0
    other = tmp_path / "mine"
    other.mkdir()
    (other / "keep.txt").write_text("x")
    assert_bad_input(forecast_cli("report", made["spec"], "-o", f"{other}/", cwd=tmp_path), "mine", "not empty")
    assert [p.name for p in other.iterdir()] == ["keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "pack"]  # no temporary folders left


@pytest.mark.parametrize("output,fragments", [
    ("r.pdf", ["--output", "cannot write .pdf files", "html, xlsx, or a folder"]),
    ("missing/r.html", ["missing", "output folder does not exist"]),
])
def test_report_output_refused(made, tmp_path, output, fragments):
    assert_bad_input(forecast_cli("report", made["spec"], "-o", output, cwd=tmp_path), *fragments)
    assert list(tmp_path.iterdir()) == []


def test_report_bad_spec_one_line_no_file(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.replace("years: [2025, 2030, 2040]\nchange: [2025, 2040]", "years: [2025, 2030, 2060]\nchange: [2025, 2060]"),
                    encoding="utf-8")
    assert_bad_input(forecast_cli("report", spec, "-o", "r.xlsx", cwd=tmp_path), "spec.yaml", "years[2]", "2060")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.yaml"]


# ---------------------------------------------------------------------------- CSV sidecars

def check_common(meta, csv_path: Path, *, seed, today=None):
    assert meta["format"] == "forecast.provenance/1"
    assert meta["forecast_version"] == forecast.__version__
    if today is None:
        now = dt.datetime.now(dt.timezone.utc).date()
        assert meta["date"] in {now.isoformat(), (now - dt.timedelta(days=1)).isoformat()}
    else:
        assert meta["date"] == today
    assert meta["seed"] == seed
    files = {f["name"]: f["sha256"] for f in meta["population"]["files"]}
    assert files == {p.name: sha256(p) for p in SNPP_FILES.values()}
    assert meta["population"]["title"].startswith("ONS 2022-based subnational population projections")
    assert meta["data"]["path"] == csv_path.name and meta["data"]["sha256"] == sha256(csv_path)
    assert meta["data"]["rows"] == len(pd.read_csv(csv_path))


def test_table_csv_sidecar(made, tmp_path):
    r = forecast_cli("table", made["spec"], "-o", "t.csv", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv", "t.json"]
    meta = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))
    check_common(meta, tmp_path / "t.csv", seed=None)
    assert meta["title"] == TITLE
    md_notes = [line.rstrip() for line in made["md"].strip().splitlines() if line and not line.startswith(("|", "**"))]
    assert meta["notes"] == md_notes  # the same notes as under the Markdown table
    rs = {x["id"]: x for x in meta["rate_sets"]}
    assert rs["cfas_ii_2013"]["sha256"] == sha256(CFAS) and rs["depression_15pct"]["sha256"] == sha256(DEPRESSION)
    assert {c["citation"] for c in meta["citations"] if c["what"] == "rate set"} == {citation(CFAS), citation(DEPRESSION)}
    assert meta["spec"] == {"name": "spec.yaml", "sha256": sha256(made["spec"])}
    assert meta["data"]["columns"] == list(pd.read_csv(tmp_path / "t.csv").columns)


def test_table_csv_sidecar_with_draws_and_epoch(made, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    r = forecast_cli("table", made["spec"], "-o", "t.csv", "--draws", "20", "--seed", "5", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    meta = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))
    check_common(meta, tmp_path / "t.csv", seed=5, today="2026-01-01")
    assert meta["uncertainty"]["draws"] == 20 and meta["uncertainty"]["level"] == 0.95


def test_table_to_stdout_has_no_sidecar(made, tmp_path):
    r = forecast_cli("table", made["spec"], "--format", "csv", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.startswith("measure,")
    assert list(tmp_path.iterdir()) == []


def test_run_csv_sidecar(tmp_path, ons_long):
    r = forecast_cli("run", "-a", "Leicester,Rutland", "-m", "depression_15pct", "-y", "2030", "--ages", "65+",
                     "-o", "r.csv", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv", "r.json"]
    meta = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    check_common(meta, tmp_path / "r.csv", seed=None)
    assert meta["rate_sets"][0]["id"] == "depression_15pct" and meta["rate_sets"][0]["sha256"] == sha256(DEPRESSION)
    assert any(citation(DEPRESSION) in n for n in meta["notes"])
    df = pd.read_csv(tmp_path / "r.csv")
    lei = df[df.area_code == LEICESTER].value.sum()
    assert lei == pytest.approx(0.15 * pop65(ons_long, LEICESTER, 2030).population.sum(), abs=1e-5)


def test_run_csv_sidecar_with_draws(tmp_path):
    r = forecast_cli("run", "-a", "Rutland", "-m", "cfas_ii_2013", "-y", "2030", "--draws", "20", "--seed", "11",
                     "-o", "r.csv", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    meta = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    check_common(meta, tmp_path / "r.csv", seed=11)
    assert meta["uncertainty"]["draws"] == 20 and "Beta matched" in meta["uncertainty"]["rates_drawn"]


def test_run_to_stdout_has_no_sidecar(tmp_path):
    r = forecast_cli("run", "-a", "Rutland", "-m", "depression_15pct", "-y", "2030", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.startswith("area_code,")
    assert list(tmp_path.iterdir()) == []


def test_failed_run_leaves_neither_file(tmp_path):
    r = forecast_cli("run", "-a", "Nowhere", "-m", "depression_15pct", "-y", "2030", "-o", "r.csv", cwd=tmp_path)
    assert_bad_input(r, "--areas", "Nowhere")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args,fragments", [
    (["table", "SPEC", "-o", "t.json"], ["--output", "cannot write .json files", "md, csv, xlsx, html"]),
    (["run", "-a", "Rutland", "-m", "depression_15pct", "-y", "2030", "-o", "x.xlsx"],
     ["--output", "cannot write .xlsx files", "csv, netcdf"]),
])
def test_outputs_the_command_cannot_write(made, tmp_path, args, fragments):
    args = [made["spec"] if a == "SPEC" else a for a in args]
    assert_bad_input(forecast_cli(*args, cwd=tmp_path), *fragments)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def llr(tmp_path_factory):
    """examples/llr_report.yaml as an HTML report (40 draws, for speed)."""
    folder = tmp_path_factory.mktemp("llr")
    r = forecast_cli("report", EXAMPLES_DIR / "llr_report.yaml", "--draws", "40", "-o", "llr.html", cwd=folder)
    assert r.returncode == 0, r.stderr
    return folder / "llr.html"


def test_example_llr_report(llr):
    """examples/llr_report.yaml: Table 1 (by area) with the fan chart, then the table its next
    chart goes with — the scenario table with the scenario comparison — then the age-band
    table with the age-band chart: the charts in the spec's order (line, compare, bands),
    each after its own table, numbered as `forecast chart` numbers them."""
    doc = parse(llr.read_text(encoding="utf-8"))
    captions = [texts(c) for c in doc.iter(f"{NS}caption")]
    assert len(captions) == 3
    assert captions[0].startswith("Table 1: ") and captions[0].endswith("(constant rates)")
    assert captions[1].startswith("Table 2: ") and "(constant rates)" not in captions[1]  # the scenarios side by side
    assert captions[2].startswith("Table 3: ") and captions[2].endswith("(constant rates), by age band")
    sections = [s for s in doc.iter(f"{NS}section") if (s.get("id") or "").startswith("table-")]
    figcaptions = [[texts(c) for c in s.iter(f"{NS}figcaption")] for s in sections]
    assert [len(f) for f in figcaptions] == [1, 1, 1]
    assert figcaptions[0][0].startswith("Chart 1: ") and "median and 95% interval" in figcaptions[0][0]
    assert figcaptions[1][0].startswith("Chart 2: ") and figcaptions[1][0].endswith("Leicester, 2025 to 2040")
    assert figcaptions[2][0].startswith("Chart 3: ") and "Leicester, 2040" in figcaptions[2][0]
    assert len(list(doc.iter(f"{NS}img"))) == 3


def test_wide_table_puts_each_year_over_its_columns(llr):
    """The scenario table (12 columns): the year once over its three columns (the scenarios,
    as the spec names them, and the difference), in the wide layout; the cells as before."""
    spec = yaml.safe_load((EXAMPLES_DIR / "llr_report.yaml").read_text(encoding="utf-8"))
    doc = parse(llr.read_text(encoding="utf-8"))
    section = next(s for s in doc.iter(f"{NS}section") if s.get("id") == "table-2")
    wrap = next(d for d in section.iter(f"{NS}div") if "table-wrap" in (d.get("class") or ""))
    assert "wide" in wrap.get("class").split()
    head = [[(texts(c), c.get("colspan")) for c in tr] for tr in next(wrap.iter(f"{NS}thead")).iter(f"{NS}tr")]
    years = [str(y) for y in spec["years"]]
    assert head[0] == [("", None)] + [(y, "3") for y in years]
    assert [t for t, _ in head[1]] == (list(spec["scenarios"]) + ["difference"]) * len(years)
    rows = [r for r in html_tables(doc)[1] if len(r) > 1][2:]
    assert rows and all(len(r) == 1 + 3 * len(years) for r in rows)
    # an interval stays in its cell, on a line of its own: "10,370 (9,360–11,330)"
    assert re.fullmatch(r"[\d,]+ \([\d,]+–[\d,]+\)", rows[0][1])
    # the narrow tables keep their one-row header
    first = next(s for s in doc.iter(f"{NS}section") if s.get("id") == "table-1")
    assert "wide" not in next(d for d in first.iter(f"{NS}div")).get("class").split()
    assert len(list(next(first.iter(f"{NS}thead")).iter(f"{NS}tr"))) == 1


_MEASURE = ("<script>window.addEventListener('load',function(){var d=document.documentElement,out=[];"
            "document.querySelectorAll('.table-wrap').forEach(function(w){var lines=0;"
            "w.querySelectorAll('thead th:not([rowspan])').forEach(function(h){var s=getComputedStyle(h);"
            "lines=Math.max(lines,Math.round((h.clientHeight-parseFloat(s.paddingTop)-parseFloat(s.paddingBottom))"
            "/parseFloat(s.lineHeight)));});out.push([w.scrollWidth,w.clientWidth,lines].join(','));});"
            "document.body.setAttribute('data-page',d.scrollWidth+','+d.clientWidth);"
            "document.body.setAttribute('data-tables',out.join(';'));});</script>")


def chromium(*args, timeout=120) -> subprocess.CompletedProcess:
    if CHROMIUM is None:
        pytest.skip("no headless Chromium or Chrome on PATH (apt-get install chromium)")
    out = subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", *map(str, args)],
                         capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr[-2000:]
    return out


def test_wide_table_fits_a_1280_px_window_and_a_landscape_page(llr, tmp_path):
    """On screen at 1280 px nothing scrolls sideways and no header runs past three lines; on
    A4 the wide table gets a landscape page of its own, the rest portrait."""
    copy = tmp_path / "measure.html"
    copy.write_text(llr.read_text(encoding="utf-8").replace("</body>", _MEASURE + "</body>"), encoding="utf-8")
    out = chromium("--window-size=1280,2000", "--virtual-time-budget=10000", "--dump-dom", copy.as_uri())
    body = next(parse(out.stdout).iter(f"{NS}body")) if out.stdout.lstrip().startswith("<!DOCTYPE") else \
        next(html5lib.parse(out.stdout).iter(f"{NS}body"))
    page_scroll, page_width = map(int, body.get("data-page").split(","))
    assert page_scroll <= page_width  # the page does not scroll sideways
    tables = [tuple(map(int, t.split(","))) for t in body.get("data-tables").split(";")]
    assert len(tables) == 3
    for scroll, width, lines in tables:
        assert scroll <= width and lines <= 3, tables
    pdf = tmp_path / "llr.pdf"
    chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", llr.as_uri())
    boxes = [tuple(round(float(v)) for v in m.split()) for m in
             re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf.read_bytes())]
    boxes = [tuple(b) for b in boxes]
    a4, landscape = (0, 0, 595, 842), (0, 0, 842, 595)
    assert boxes.count(landscape) == 1 and set(boxes) == {a4, landscape}, boxes


def test_readme_chart_is_committed():
    png = EXAMPLES_DIR / "llr_dementia_chart.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the example's header says how the committed chart is made
    assert "--chart 1 -o examples/llr_dementia_chart.png" in (EXAMPLES_DIR / "llr_report.yaml").read_text(encoding="utf-8")


def test_many_area_charts_leave_the_tables_labels_alone(tmp_path):
    """Nine areas and two scenarios side by side, calendar years, no label: the ranked-change
    chart titles the first column's measure "… (constant)", but the tables keep the rate set's
    own label (the chart once relabelled the result the tables are made from)."""
    from forecast.specs.report import build_report

    spec = tmp_path / "nine.yaml"
    codes = ["E06000016", "E06000017"] + [f"E07000{n}" for n in range(129, 136)]
    spec.write_text("schema: forecast.table/1\nareas: [" + ", ".join(codes) + "]\nmeasures: [cfas_ii_2013]\n"
                    "ages: 65+\nyears: [2025, 2030]\nscenarios: {constant: constant, trend: ahmadi_abhari_2017_prevalence}\n",
                    encoding="utf-8")
    label = yaml.safe_load((ASSUMPTIONS_DIR / "dementia" / "cfas_ii_2013.yaml").read_text(encoding="utf-8"))["label"]
    report = build_report(spec)
    assert len(report.sections) == 2
    for s in report.sections:
        assert {block for block, _ in s.table.values.index} == {label}
        assert s.table.title.startswith(f"{label}: constant vs trend")
    change = [c.title for s in report.sections for c in s.charts if "change 2025 to 2030" in c.title]
    assert change == [f"{label} (constant): change 2025 to 2030, 9 areas"]
