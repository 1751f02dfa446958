"""Table 1 of the 2007 LLR older people's mental health strategy, brought up to date.

People aged 65 and over predicted to have dementia (Dementia UK 2007, sex-specific
5-year-band rates) and depression (15% of people 65+, the strategy's own rule) in
Leicestershire, Leicester and Rutland, on the ONS 2022-based subnational population
projections embedded in forecast.  The same table as `forecast table
examples/llr_table1.yaml`, from Python.

Run:  python examples/llr_table1.py [--output-dir DIR]
"""

import argparse
from pathlib import Path

import forecast


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", type=Path, help="also write table1.csv, table1.xlsx and table1.html here")
    args = parser.parse_args()

    pop = forecast.default_population()  # or forecast.read_snpp(["males.csv", "females.csv"])
    res = forecast.project(
        pop,
        {"dementia": "dementia_uk_2007", "depression": "depression_15pct"},
        ages="65+",
        areas=["E10000018", "E06000016", "E06000017"],  # Leicestershire, Leicester, Rutland
    )
    tbl = forecast.table(
        res,
        years=[2025, 2030, 2035, 2040],
        change=(2025, 2040),
        labels={"dementia": "Dementia", "depression": "Depression"},
        round_to=10,
        title="Table 1: People aged 65 and over predicted to have dementia and depression",
    )
    print(tbl.to_markdown())

    # The same projection by 5-year band for Leicester, as a tidy DataFrame.
    bands = forecast.project(pop, "dementia_uk_2007", bands=["65-74", "75-84", "85+"], areas="Leicester", years=[2025, 2040])
    print(bands["dementia"].sel(area="E06000016").sum("sex").to_pandas().round(0))

    if args.output_dir:
        args.output_dir.mkdir(parents=True, exist_ok=True)
        tbl.to_csv(args.output_dir / "table1.csv")
        tbl.to_excel(args.output_dir / "table1.xlsx")
        (args.output_dir / "table1.html").write_text(tbl.to_html(), encoding="utf-8")
        print(f"wrote table1.csv, table1.xlsx, table1.html to {args.output_dir}")


if __name__ == "__main__":
    main()
