"""Unpaid carers and carers' assessment demand in Leicester, by financial year, to March 2030.

The chain of Leicester's mental health strategy (April 2015 - March 2019), as a derived-measures
file (assumptions/derived/leicester_carers_2015.yaml):

    carers (Census 2011 rates × population)
      → carers who could require some support   (16,000 of 30,000: the strategy)
      → completed carers' assessments a year    (1,972 in 2013/14 of 30,000 carers; × 4,000 / 1,972
                                                 from 2015/16, the Care Act estimate)
    young carers (5-17) → young carers known to social care
                                                (249 known, against census-rate young carers in 2011)

The base year 2013/14 is outside every population shipped (mid-year estimates 2011 and 2018,
projections from 2022), so the assessments are calibrated against the strategy's observed
30,000 carers; young carers known are calibrated against the modelled 2011 value, which the
2011 mid-year estimates make possible.

Run:  python examples/leicester_carers.py [--output-dir DIR]
"""

import argparse
from pathlib import Path

import forecast


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", type=Path, help="also write leicester_carers.csv and .xlsx here")
    args = parser.parse_args()

    table = forecast.run_spec(Path(__file__).with_name("leicester_carers.yaml"))
    print(table.to_markdown())

    # The same chain from Python, by mid-year, with the calibration on show.
    pop = forecast.combine_populations([forecast.default_history(), forecast.default_population()])
    res = forecast.project(pop, {"unpaid_carers": "census2011_unpaid_care"}, ages="All ages", areas="Leicester")
    res = forecast.apply_derived(res, "leicester_carers_2015", only=["carers_needing_support", "carers_assessments"])
    for name in ("carers_needing_support", "carers_assessments"):
        print(f"- {res[name].attrs['derivation']}")
    print(res.sum(["sex", "age_band"]).sel(year=[2011, 2018, 2030]).to_dataframe().drop(columns="area_name").round(0))

    if args.output_dir:
        args.output_dir.mkdir(parents=True, exist_ok=True)
        table.to_csv(args.output_dir / "leicester_carers.csv")
        table.to_excel(args.output_dir / "leicester_carers.xlsx")
        print(f"wrote leicester_carers.csv and leicester_carers.xlsx to {args.output_dir}")


if __name__ == "__main__":
    main()
