"""Downloading ONS datasets into the cache, and reading them by name (issue 14 §2).

A small ONS-layout zip built from the shipped SNPP extract is served over HTTP on 127.0.0.1
(http.server in a thread; no other network).  The server counts requests, and can cut a
download short, answer 404, or serve a file that is not the ONS layout.  The cache folder is
a temporary folder (FORECAST_CACHE_DIR).  Expected values are recomputed here with hashlib,
zipfile and pandas from the files served, never taken from forecast's output.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.server
import io
import json
import socket
import threading
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import forecast
import forecast.cli.population  # noqa: F401  (registers 'forecast population' until the lead wires it)
from forecast.errors import ForecastError, InputError
from forecast.population.cache import cube_key, load_cube, save_cube
from forecast.population.download import CATALOGUE, DownloadError, download, record
from forecast.population.download import read_population

from conftest import LEICESTER, SNPP_FILES, forecast_cli, shared_data

pytestmark = [pytest.mark.integration,
              # the test zips hold Leicestershire's 9 districts: each download says it is partial
              pytest.mark.filterwarnings("ignore:(snpp2022|mye2011_2025). the file holds")]

ONS_MEMBER = "2022 SNPP Population {}.csv"


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in members.items():
            zf.writestr(n, data)
    return buf.getvalue()


@pytest.fixture(scope="module")
def ons_zip() -> bytes:
    """The shipped extract (9 areas) in the ONS zip layout: males, females, persons CSVs."""
    return _zip({ONS_MEMBER.format(s): SNPP_FILES[s].read_bytes() for s in ("males", "females", "persons")})


class Server:
    """Serves ``routes[path] = (bytes, mode)``; mode ``ok``, ``cut`` (Content-Length of the
    whole file, half the body, then the connection closes) or an HTTP status code."""

    def __init__(self):
        self.routes: dict[str, tuple[bytes, object]] = {}
        self.requests: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                server.requests.append(self.path)
                body, mode = server.routes.get(self.path, (b"", 404))
                if isinstance(mode, int):
                    self.send_error(mode)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/zip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if mode == "cut":
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                else:
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def count(self, path: str) -> int:
        return sum(p == path for p in self.requests)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.close()


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("FORECAST_CACHE_DIR", str(folder))
    return folder


def closed_port_url() -> str:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now: connection refused
    return f"http://127.0.0.1:{port}/2022snpppopulationsyoamigcat23.zip"


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# ---------------------------------------------------------------------------- download and cache

def test_download_keeps_the_file_and_records_url_date_size_and_sha256(server, ons_zip, cache):
    server.routes["/snpp.zip"] = (ons_zip, "ok")
    url = server.url("/snpp.zip")
    path, rec, fetched = download("snpp2022", url=url)
    assert fetched and server.count("/snpp.zip") == 1
    assert path.read_bytes() == ons_zip
    assert path.parent == cache / "downloads" / "snpp2022"
    saved = json.loads(path.with_name(path.name + ".json").read_text())
    assert saved["url"] == url
    assert saved["size"] == len(ons_zip)
    assert saved["sha256"] == hashlib.sha256(ons_zip).hexdigest()
    assert saved["sha256_known"] is False  # ONS publishes no checksum: the first download's is kept
    when = dt.datetime.fromisoformat(saved["downloaded"])
    assert abs((dt.datetime.now(dt.timezone.utc) - when).total_seconds()) < 600
    assert (saved["vintage"], saved["boundaries"]) == (CATALOGUE["snpp2022"].vintage, CATALOGUE["snpp2022"].boundaries)


def test_a_downloaded_file_is_never_fetched_again(server, ons_zip):
    server.routes["/snpp.zip"] = (ons_zip, "ok")
    url = server.url("/snpp.zip")
    download("snpp2022", url=url)
    _, rec, fetched = download("snpp2022", url=url)
    assert not fetched and rec["sha256"] == hashlib.sha256(ons_zip).hexdigest()
    r = forecast_cli("population", "download", "snpp2022", "--url", url)
    assert r.returncode == 0, r.stderr
    assert "already downloaded" in r.stdout
    read_population("snpp2022")
    assert server.count("/snpp.zip") == 1


def test_an_interrupted_download_leaves_nothing_and_the_next_call_starts_again(server, ons_zip, cache):
    server.routes["/snpp.zip"] = (ons_zip, "cut")
    url = server.url("/snpp.zip")
    with pytest.raises(DownloadError) as e:
        download("snpp2022", url=url)
    assert "interrupted" in str(e.value) and url in str(e.value)
    assert files_in(cache) == []  # no partial file, no record
    assert record("snpp2022") is None
    server.routes["/snpp.zip"] = (ons_zip, "ok")
    path, rec, fetched = download("snpp2022", url=url)
    assert fetched and path.read_bytes() == ons_zip
    assert server.count("/snpp.zip") == 2


def test_an_interrupted_forced_download_keeps_the_file_already_cached(server, ons_zip):
    server.routes["/snpp.zip"] = (ons_zip, "ok")
    url = server.url("/snpp.zip")
    path, _, _ = download("snpp2022", url=url)
    server.routes["/snpp.zip"] = (ons_zip, "cut")
    with pytest.raises(DownloadError, match="interrupted"):
        download("snpp2022", url=url, force=True)
    assert path.read_bytes() == ons_zip and record("snpp2022")["sha256"] == hashlib.sha256(ons_zip).hexdigest()
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name, path.name + ".json"]


def test_a_cached_file_that_changed_is_refused(server, ons_zip):
    server.routes["/snpp.zip"] = (ons_zip, "ok")
    url = server.url("/snpp.zip")
    path, _, _ = download("snpp2022", url=url)
    changed = bytearray(ons_zip)
    changed[len(changed) // 2] ^= 0xFF  # one byte of the compressed data
    path.write_bytes(bytes(changed))
    with pytest.raises(InputError, match="has changed since it was downloaded .*refused.*--force"):
        download("snpp2022", url=url)
    with pytest.raises(InputError, match="has changed since it was downloaded"):
        read_population("snpp2022")
    r = forecast_cli("population", "download", "snpp2022", "--url", url)
    assert r.returncode == 2 and "has changed" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    _, _, fetched = download("snpp2022", url=url, force=True)  # --force fetches it again
    assert fetched and path.read_bytes() == ons_zip and server.count("/snpp.zip") == 2


@pytest.mark.parametrize("body", [
    "other_csv_zip",
    b"<html><body>This page has moved</body></html>",
])
def test_a_file_that_is_not_an_ons_snpp_zip_is_refused(server, cache, body):
    if body == "other_csv_zip":
        body = _zip({"males.csv": b"a,b\n1,2\n", "females.csv": b"a,b\n1,2\n"})
    server.routes["/snpp.zip"] = (body, "ok")
    with pytest.raises(DownloadError, match="not the ONS snpp2022 file expected") as e:
        download("snpp2022", url=server.url("/snpp.zip"))
    assert "\n" not in str(e.value)
    assert files_in(cache) == []


def test_a_zip_without_the_females_file_is_refused(server, ons_zip, cache):
    body = _zip({ONS_MEMBER.format("males"): SNPP_FILES["males"].read_bytes()})
    server.routes["/snpp.zip"] = (body, "ok")
    with pytest.raises(DownloadError, match="holds no 'females.csv' file"):
        download("snpp2022", url=server.url("/snpp.zip"))
    assert files_in(cache) == []


def test_offline_is_one_line_with_the_address_and_what_to_do(cache):
    url = closed_port_url()
    with pytest.raises(DownloadError) as e:
        download("snpp2022", url=url)
    msg = str(e.value)
    assert "\n" not in msg and url in msg
    assert "forecast population download snpp2022 --file PATH" in msg and "--population PATH" in msg
    r = forecast_cli("population", "download", "snpp2022", "--url", url)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("forecast: error: cannot download snpp2022 from " + url)
    assert files_in(cache) == []


def test_a_moved_file_names_the_status_and_the_address(server):
    with pytest.raises(DownloadError, match=r"server answered 404.*ONS may have moved the file.*fetch http"):
        download("snpp2022", url=server.url("/gone.zip"))


def test_the_catalogue_address_is_the_one_of_ons_downloads_md():
    text = shared_data("ons/england/ONS_DOWNLOADS.md").read_text()
    for name in ("snpp2022", "snpp2022_5yr", "mye2011_2025", "npp2024"):
        assert f"`{CATALOGUE[name].url}`" in text, name


def test_a_hand_downloaded_file_is_kept_without_any_request(tmp_path, server, ons_zip, cache):
    z = tmp_path / "by_hand.zip"
    z.write_bytes(ons_zip)
    r = forecast_cli("population", "download", "snpp2022", "--file", z)
    assert r.returncode == 0, r.stderr
    # read once on download: 9 districts + Leicestershire (all 7 of its districts are there;
    # East Midlands and England are not complete), 2022-2047, ages 0-89 and 90+
    assert "snpp2022: read: 10 areas, 2022-2047, ages 0-89 and 90+" in r.stdout
    # 9 of the 296 districts (the shipped lookup): kept, but said, recorded and listed
    assert r.stderr.startswith("forecast: warning: snpp2022: the file holds 9 of England's 296 districts (lacks "
                               "E06000001, E06000002, E06000003 and 284 more)")
    assert "(partial: 9 of 296 English districts)" in forecast_cli("population", "list").stdout
    assert len(list((cache / "parsed").glob("*.npz"))) == 1  # the parsed cube is cached for later commands
    rec = record("snpp2022")
    assert rec["sha256"] == hashlib.sha256(ons_zip).hexdigest() and rec["from_file"] == str(z.resolve())
    assert rec["url"] == CATALOGUE["snpp2022"].url
    assert server.requests == []


def test_unknown_and_not_downloaded_names_are_one_line_errors():
    with pytest.raises(InputError, match="unknown population dataset 'snpp2099': known datasets are snpp2022"):
        download("snpp2099")
    with pytest.raises(InputError) as e:
        read_population("snpp2022")
    assert "not downloaded yet: run 'forecast population download snpp2022'" in str(e.value)
    assert CATALOGUE["snpp2022"].url in str(e.value)
    with pytest.raises(InputError, match="neither a file nor a population dataset"):
        read_population("snpp2099")
    r = forecast_cli("population", "download", "snpp2099")
    assert r.returncode == 2 and "unknown population dataset" in r.stderr


def test_list_shows_each_dataset_and_where_it_is_cached(server, ons_zip, cache):
    r = forecast_cli("population", "list")
    assert r.returncode == 0, r.stderr
    for name in CATALOGUE:
        assert name in r.stdout
    assert r.stdout.count("not downloaded") == len(CATALOGUE)
    assert str(cache) in r.stdout
    server.routes["/snpp.zip"] = (ons_zip, "ok")
    download("snpp2022", url=server.url("/snpp.zip"))
    r = forecast_cli("population", "list")
    assert r.stdout.count("not downloaded") == len(CATALOGUE) - 1
    assert str(cache / "downloads" / "snpp2022" / CATALOGUE["snpp2022"].filename) in r.stdout
    assert hashlib.sha256(ons_zip).hexdigest() in r.stdout


# ---------------------------------------------------------------------------- reading by name

def test_read_by_name_equals_read_snpp_of_the_same_zip(tmp_path, server, ons_zip, ons_long):
    server.routes["/snpp.zip"] = (ons_zip, "ok")
    url = server.url("/snpp.zip")
    download("snpp2022", url=url)
    by_name = read_population("snpp2022")
    z = tmp_path / "same.zip"
    z.write_bytes(ons_zip)
    by_path = forecast.read_snpp(z)
    assert list(by_name["area"].values) == list(by_path["area"].values)
    np.testing.assert_array_equal(by_name.values, by_path.values)
    # and the districts equal the CSVs read with plain pandas, cell for cell
    districts = sorted(ons_long.area_code.unique())
    got = by_name.sel(area=districts).to_series().reset_index()
    got.columns = ["area_code", "year", "sex", "age", "got"]
    got = got.astype({"area_code": str, "sex": str})
    m = ons_long.astype({"area_code": str, "sex": str}).merge(got, on=["area_code", "year", "sex", "age"])
    assert len(m) == len(ons_long) == len(got)
    np.testing.assert_array_equal(m["got"].to_numpy(), m["population"].to_numpy())
    # provenance
    a = by_name.attrs
    assert a["source"] == url and a["sha256"] == hashlib.sha256(ons_zip).hexdigest()
    assert (a["vintage"], a["variant"], a["boundaries"]) == (
        CATALOGUE["snpp2022"].vintage, CATALOGUE["snpp2022"].variant, CATALOGUE["snpp2022"].boundaries)
    assert a["publisher"] == "Office for National Statistics" and a["licence"] == "Open Government Licence v3.0"
    assert a["dataset"] == "snpp2022" and a["title"].startswith("ONS 2022-based subnational population projections")


def test_a_second_read_comes_from_the_parsed_cache_and_a_wrong_key_is_never_trusted(server, ons_zip, cache):
    server.routes["/snpp.zip"] = (ons_zip, "ok")
    download("snpp2022", url=server.url("/snpp.zip"))
    first = read_population("snpp2022")
    entries = list((cache / "parsed").glob("*.npz"))
    assert len(entries) == 1
    # a cache entry whose stored key is another key is ignored, and replaced by a correct one
    wrong = first.sel(area=[LEICESTER]).copy()
    stem = entries[0].stem
    save_cube("0" * 64, wrong)
    (cache / "parsed" / ("0" * 64 + ".npz")).replace(entries[0])
    again = read_population("snpp2022")
    np.testing.assert_array_equal(again.values, first.values)
    # garbage in the entry: ignored too
    entries[0].write_bytes(b"not a zip")
    np.testing.assert_array_equal(read_population("snpp2022").values, first.values)
    assert load_cube(stem) is not None  # rewritten, valid again


def test_a_second_read_does_not_parse_the_file_again(server, ons_zip, monkeypatch):
    from forecast.population.readers import snpp as snpp_module

    server.routes["/snpp.zip"] = (ons_zip, "ok")
    download("snpp2022", url=server.url("/snpp.zip"))
    first = read_population("snpp2022")

    def no_parsing(*args, **kwargs):
        raise AssertionError("the SNPP reader was called")

    monkeypatch.setattr(snpp_module, "read_snpp", no_parsing)
    second = read_population("snpp2022")  # from the parsed cache: the reader is not called
    np.testing.assert_array_equal(second.values, first.values)
    assert second.attrs["sha256"] == hashlib.sha256(ons_zip).hexdigest()
    with pytest.raises(AssertionError, match="the SNPP reader was called"):
        read_population("snpp2022", cache=False)


def test_cache_round_trip_keeps_values_coordinates_and_provenance(tiny_pop):
    key = cube_key([("x.csv", "ab" * 32)], reader="snpp")
    assert save_cube(key, tiny_pop) is not None
    back = load_cube(key)
    np.testing.assert_array_equal(back.values, tiny_pop.values)
    assert list(back["area_name"].values) == ["Area X01", "Area X02"]
    assert back.attrs["open_top_age"] == 5 and back.attrs["source"] == "hand-made test cube"
    assert load_cube(cube_key([("x.csv", "cd" * 32)], reader="snpp")) is None


def test_read_population_of_a_path_is_read_snpp_and_is_cached(tmp_path, cache):
    files = [SNPP_FILES["males"], SNPP_FILES["females"]]
    first = read_population(files)
    np.testing.assert_array_equal(first.values, forecast.read_snpp(files).values)
    assert len(list((cache / "parsed").glob("*.npz"))) == 1
    np.testing.assert_array_equal(read_population(files).values, first.values)
    with pytest.raises(InputError, match="nope.csv: file not found"):
        read_population(tmp_path / "nope.csv")


# ---------------------------------------------------------------------------- the other layouts

def _npp_zip(variants=("ppp",)) -> bytes:
    book = shared_data("ons/england/npp2022_england_principal.xlsx").read_bytes()
    return _zip({f"en_{v}_machine_readable.xlsx": book for v in variants})


def test_npp_zip_by_name_england_65_plus(server):
    """The real ONS machine-readable workbook (2022-based, shared data §4) served as the z3 zip."""
    server.routes["/en1.zip"] = (_npp_zip(), "ok")
    download("npp2024", url=server.url("/en1.zip"))
    npp = read_population("npp2024")
    csv = pd.read_csv(shared_data("ons/england/npp2022_england_principal_population.csv"), dtype={"Age": str})
    age = pd.to_numeric(csv["Age"].str.extract(r"^(\d+)")[0])  # "105 - 109" → 105, "110 and over" → 110
    expected = csv.loc[age >= 65, "2030"].sum()
    assert npp.sel(year=2030, age=slice(65, None)).sum().item() == pytest.approx(expected, abs=1e-6)
    assert list(npp["area"].values) == ["E92000001"] and npp.attrs["open_top_age"] == 105
    males_105 = csv.loc[(csv.Sex == "Males") & (age >= 105), "2047"].sum()
    assert npp.sel(year=2047, sex="male", age=105).item() == males_105
    assert npp.attrs["variant"] == "ppp" and npp.attrs["dataset"] == "npp2024"
    with pytest.raises(InputError, match="holds no variant 'hpp' \\(it holds ppp\\)"):
        read_population("npp2024:hpp")
    r = forecast_cli("population", "list")
    assert "variants in the file: ppp (use npp2024:CODE)" in r.stdout


def test_npp_zip_without_the_principal_is_refused(server, cache):
    server.routes["/en1.zip"] = (_npp_zip(("hpp",)), "ok")
    with pytest.raises(DownloadError, match="holds no en_ppp_machine_readable.xlsx"):
        download("npp2024", url=server.url("/en1.zip"))
    assert files_in(cache) == []


def _myeb1_workbook(rows, header) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "MYEB1"
    ws.append(["Mid-year estimates: a title row above the header, as ONS has"])
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _myeb1_rows():
    """MYEB1 rows (ladcode23, laname23, country, sex, age, population_2022, population_2023)
    made from the shipped SNPP extract's 2022 and 2023 columns for Leicester and Rutland."""
    rows = []
    for sex, letter in (("males", "m"), ("females", "f")):
        df = pd.read_csv(SNPP_FILES[sex], dtype={"AGE_GROUP": str})
        df = df[df.AREA_CODE.isin([LEICESTER, "E06000017"]) & (df.AGE_GROUP != "All ages")]
        for code, name, label, v22, v23 in zip(df.AREA_CODE, df.AREA_NAME, df.AGE_GROUP, df["2022"], df["2023"]):
            age = 90 if label == "90 and over" else int(label)
            rows.append([code, name, "E", letter, age, float(v22), float(v23)])
    return rows


HEADER = ["ladcode23", "laname23", "country", "sex", "age", "population_2022", "population_2023"]


def test_myeb1_workbook_by_name(server, ons_long):
    server.routes["/myeb.xlsx"] = (_myeb1_workbook(_myeb1_rows(), HEADER), "ok")
    download("mye2011_2025", url=server.url("/myeb.xlsx"))
    mye = read_population("mye2011_2025")
    assert list(mye["year"].values) == [2022, 2023]
    for area in (LEICESTER, "E06000017"):
        for sex in ("male", "female"):
            want = ons_long[(ons_long.area_code == area) & (ons_long.sex == sex) & ons_long.year.isin([2022, 2023])]
            want = want.set_index(["year", "age"]).population.sort_index()
            got = mye.sel(area=area, sex=sex).to_series().sort_index()
            np.testing.assert_array_equal(got.values, want.values)
    assert mye.attrs["dataset"] == "mye2011_2025" and mye.attrs["open_top_age"] == 90


def test_myeb1_bad_cell_names_workbook_sheet_row_and_column(server, cache):
    rows = _myeb1_rows()
    rows[10][6] = "x"  # spreadsheet row 13: title row, header row, then rows[0] on row 3
    server.routes["/myeb.xlsx"] = (_myeb1_workbook(rows, HEADER), "ok")
    url = server.url("/myeb.xlsx")
    with pytest.raises(InputError) as e:  # every cell is read before the file is kept
        download("mye2011_2025", url=url)
    assert str(e.value) == f"{url}:MYEB1: line 13: population_2023: 'x' is not a number"
    assert files_in(cache) == []  # the cache is as it was


def test_an_xlsx_without_sheet_myeb1_is_refused(server, cache):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Contents"
    buf = io.BytesIO()
    wb.save(buf)
    server.routes["/myeb.xlsx"] = (buf.getvalue(), "ok")
    with pytest.raises(DownloadError, match="the workbook has no sheet MYEB1"):
        download("mye2011_2025", url=server.url("/myeb.xlsx"))
    assert files_in(cache) == []


def test_errors_are_forecast_errors_for_the_cli():
    assert issubclass(DownloadError, ForecastError)
