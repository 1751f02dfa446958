"""The catalogue of downloadable ONS population datasets, by short name.

The datasets are those of ``shared/data/ons/england/ONS_DOWNLOADS.md`` (see
:mod:`forecast.population.download`); a name may carry a variant (``npp2024:hpp``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import ForecastError, InputError

ONS = "Office for National Statistics"
OGL = "Open Government Licence v3.0"
_Z1 = ("https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/populationandmigration/"
       "populationprojections/datasets/localauthoritiesinenglandz1/")


class DownloadError(ForecastError):
    """A dataset could not be fetched (offline, moved, interrupted, not the expected file)."""


@dataclass(frozen=True)
class Dataset:
    """One downloadable ONS dataset."""

    name: str
    title: str
    url: str
    filename: str
    vintage: str
    variant: str
    boundaries: str
    layout: str          # "snpp_zip" | "myeb1_xlsx" | "npp_zip"
    contents: str        # what is inside, in words
    page: str            # the ONS dataset page, in words
    sha256: str | None = None  # as published, if known
    years: str = ""
    notes: str = ""

    @property
    def reader(self) -> str:
        return {"snpp_zip": "ONS SNPP CSVs (forecast.read_snpp)", "myeb1_xlsx": "ONS MYEB1 workbook, sheet MYEB1",
                "npp_zip": "ONS NPP machine-readable workbooks, sheet Population"}[self.layout]


#: The datasets of ``shared/data/ons/england/ONS_DOWNLOADS.md`` (addresses as used in
#: ChristK/workHORSE ``ONS_data/pop_size/download_ons_pop.R`` and MastodonC/witan.population).
CATALOGUE: dict[str, Dataset] = {d.name: d for d in [
    Dataset(
        name="snpp2022",
        title="ONS 2022-based subnational population projections for England, migration category variant, "
              "2023 local authority boundaries",
        url=_Z1 + "2022basedmigrationcategoryvarianton2023localauthoritygeographies/2022snpppopulationsyoamigcat23.zip",
        filename="2022snpppopulationsyoamigcat23.zip",
        vintage="2022-based", variant="migration category (ONS's headline projection; there is no principal)",
        boundaries="2023 (296 English districts)", layout="snpp_zip", years="2022-2047",
        contents="2022 SNPP Population males.csv, … females.csv, … persons.csv: single years 0-89, 90 and over, "
                 "All ages",
        page="ONS, Population projections for local authorities: Table 2 (z1)",
    ),
    Dataset(
        name="snpp2022_5yr",
        title="ONS 2022-based subnational population projections for England, 5-year migration variant, "
              "2022 local authority boundaries",
        url=_Z1 + "2022basedfiveyearmigrationvariantprojection/2022snpppopulationsyoa5yr.zip",
        filename="2022snpppopulationsyoa5yr.zip",
        vintage="2022-based", variant="5-year migration", boundaries="2022 (309 areas)", layout="snpp_zip",
        years="2022-2047", contents="2022 SNPP Population males.csv, … females.csv, … persons.csv",
        page="ONS, Population projections for local authorities: Table 2 (z1)",
        notes="on 2022 boundaries: districts merged in April 2023 appear under their old codes",
    ),
    Dataset(
        name="mye2011_2025",
        title="ONS mid-year population estimates for England and Wales, mid-2011 to mid-2025, detailed time series, "
              "2023 local authority boundaries",
        url="https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/populationandmigration/"
            "populationestimates/datasets/estimatesofthepopulationforenglandandwales/"
            "mid2011tomid2025detailedtimeseries/myebtablesenglandwales20112025.xlsx",
        filename="myebtablesenglandwales20112025.xlsx",
        vintage="mid-2011 to mid-2025 estimates", variant="estimates", boundaries="2023 (296 English + 22 Welsh districts)",
        layout="myeb1_xlsx", years="2011-2025",
        contents="sheet MYEB1: ladcode23, laname23, country, sex, age (0-90, 90 = 90 and over), population_2011 … "
                 "population_2025",
        page="ONS, Estimates of the population for England and Wales",
    ),
    Dataset(
        name="npp2024",
        title="ONS 2024-based national population projections for England",
        url="https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/populationandmigration/"
            "populationprojections/datasets/z3zippedpopulationprojectionsdatafilesengland/2024based/en1.zip",
        filename="en1.zip",
        vintage="2024-based", variant="principal (ppp); the variants in the zip as npp2024:CODE (e.g. npp2024:hpp)",
        boundaries="England (one area, E92000001)", layout="npp_zip",
        contents="en_ppp_machine_readable.xlsx (principal) and one workbook per variant; sheet Population: Sex, Age "
                 "(0-104, 105 - 109, 110 and over), one column per year",
        page="ONS, z3: zipped population projections data files, England",
        notes="ages 105-109 and 110 and over are summed into one open group 105+",
    ),
]}


def split_name(name: str) -> tuple[str, str | None]:
    """``"npp2024:hpp"`` → ``("npp2024", "hpp")``; ``"snpp2022"`` → ``("snpp2022", None)``."""
    base, _, variant = str(name).strip().partition(":")
    return base.strip().casefold(), (variant.strip().casefold() or None)


def dataset(name: str) -> Dataset:
    """The catalogue entry for ``name`` (``npp2024:hpp`` → ``npp2024``); one-line error if unknown."""
    base, variant = split_name(name)
    if base not in CATALOGUE:
        raise InputError(f"unknown population dataset {name!r}: known datasets are {', '.join(CATALOGUE)} "
                         "(see 'forecast population list')")
    ds = CATALOGUE[base]
    if variant is not None and ds.layout != "npp_zip":
        raise InputError(f"dataset {base} has no variants to choose with ':' (asked for {name!r})")
    if variant is not None and not re.fullmatch(r"[a-z]{3}", variant):
        raise InputError(f"{name!r}: a variant is ONS's three-letter code, such as ppp, hpp or lll")
    return ds



def _hint(ds: Dataset, url: str) -> str:
    """How to get the dataset by hand (for an error message)."""
    also = " or pass the file itself (forecast run --population PATH …)" if ds.layout == "snpp_zip" else ""
    return f"fetch {url} by hand, then run 'forecast population download {ds.name} --file PATH'{also}"
