"""Dementia in Leicester, Leicestershire and Rutland, without and with an allowance for ethnic mix.

The 2007 LLR strategy made "no allowance as yet for the different ethnic mix of Leicester
City".  This script makes it, and shows why the shape of the mix matters:

1. How far all-age ethnic shares mislead for older people: Leicester's population aged 65+
   in 2030 split with Census 2011 shares by age band, against the same census collapsed to
   all-age shares.
2. People aged 65+ with dementia (Dementia UK 2014) without and with Pham et al. (2018)
   incidence rate ratios by ethnic group and sex, using the strategy's own Table 2 mix
   (2001 Census categories) and the Census 2021 mix.

Run:  python examples/llr_ethnicity.py
"""

import warnings
from pathlib import Path

import forecast
from forecast import AllAgeSharesWarning

LLR = ["E10000018", "E06000016", "E06000017"]  # Leicestershire, Leicester, Rutland


def bias_of_all_age_shares(pop) -> None:
    by_age = forecast.get_ethnic_mix("census2011_white_by_age_llr")  # Census 2011, White / Non-White by age band
    all_age = by_age.all_ages()  # the same counts, collapsed to all ages
    older = {}
    for label, mix in (("by age band", by_age), ("all ages", all_age)):
        split = forecast.split_by_ethnicity(pop, mix)
        p65 = split.sel(area="E06000016", year=2030, age=slice(65, None)).sum(["sex", "age"])
        older[label] = p65
    total = float(older["by age band"].sum())
    nw_band = float(older["by age band"].sel(ethnicity="Non-White"))
    nw_all = float(older["all ages"].sel(ethnicity="Non-White"))
    print("1. Leicester, people aged 65+ in 2030 (ONS 2022-based SNPP): %s" % f"{total:,.0f}")
    print(f"   Non-White, Census 2011 shares by age band: {nw_band:8,.0f} ({100 * nw_band / total:.1f}%)")
    print(f"   Non-White, Census 2011 all-age shares:     {nw_all:8,.0f} ({100 * nw_all / total:.1f}%)")
    print(f"   All-age shares overstate the non-White 65+ population by {nw_all - nw_band:,.0f} people "
          f"({100 * (nw_all - nw_band) / nw_band:.0f}%): minority populations are younger.\n")


def with_and_without(pop, mix, mapping, title) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AllAgeSharesWarning)  # the note under the table says it
        pair = forecast.ethnic_adjustment(
            pop, {"dementia": "dementia_uk_2014"}, mix, mapping=mapping,
            relative_risks="pham2018_dementia_irr", ages="65+", areas=LLR,
        )
    tbl = forecast.compare(pair, years=[2025, 2040], labels={"dementia": "Dementia"}, round_to=10, title=title)
    print(tbl.to_markdown())


def main() -> None:
    pop = forecast.default_population()
    bias_of_all_age_shares(pop)
    print("2a. With the 2007 strategy's Table 2 mix (all-age shares, 2001 Census categories)\n")
    table2 = Path(__file__).with_name("llr_ethnic_mix_2007.csv")
    with_and_without(pop, table2, "llr2007_to_broad5",
                     "People aged 65+ with dementia, without and with ethnic allowance (Table 2 mix)")
    print("2b. With the Census 2021 mix (TS021, all-age counts, five broad groups)\n")
    with_and_without(pop, "census2021_ts021_llr", "census2021_to_broad5",
                     "People aged 65+ with dementia, without and with ethnic allowance (Census 2021 mix)")


if __name__ == "__main__":
    main()
