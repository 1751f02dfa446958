"""Indicator reports: observed against expected, and the counts needed to reach a target,
as tables (Markdown, HTML, XLSX) and a tidy CSV."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .table import Table
from .workbook import save_workbook

__all__ = ["IndicatorReport"]


@dataclass
class IndicatorReport:
    """Ratios and trajectories, with their tables (Markdown, HTML, XLSX) and a tidy CSV."""

    title: str
    ratios: pd.DataFrame
    trajectories: pd.DataFrame
    notes: list[str]
    level: float = 0.95
    round_to: float = 1
    areas: list[str] | None = None  # area codes in the spec's order

    def _ordered(self, frame: pd.DataFrame) -> pd.DataFrame:
        if not self.areas or frame.empty:
            return frame
        rank = {c: i for i, c in enumerate(self.areas)}
        key = frame["area_code"].map(lambda c: rank.get(c, len(rank)))
        return frame.assign(_rank=key).sort_values(["_rank"], kind="stable").drop(columns="_rank")

    def tables(self) -> list:
        out = []
        blocks, lows, highs, codes, measures = [], [], [], [], []
        has_iv = "expected_low" in self.ratios.columns
        for (label, code), g in self._ordered(self.ratios).groupby(["indicator", "area_code"], sort=False):
            block = f"{label}: {g['area_name'].iloc[0]}"
            idx = pd.MultiIndex.from_product([[block], list(g["period"])], names=["measure", "area"])
            blocks.append(pd.DataFrame({"Observed": g["observed"].to_numpy(), "Expected": g["expected"].to_numpy(),
                                        "Observed ÷ expected": 100 * g["ratio"].to_numpy()}, index=idx))
            if has_iv:
                lows.append(pd.DataFrame({"Observed": g["observed"].to_numpy(), "Expected": g["expected_low"].to_numpy(),
                                          "Observed ÷ expected": 100 * g["ratio_low"].to_numpy()}, index=idx))
                highs.append(pd.DataFrame({"Observed": g["observed"].to_numpy(), "Expected": g["expected_high"].to_numpy(),
                                           "Observed ÷ expected": 100 * g["ratio_high"].to_numpy()}, index=idx))
            codes += [code] * len(g)
            measures += [g["measure"].iloc[0]] * len(g)
        out.append(Table(values=pd.concat(blocks), title=f"{self.title}: observed against expected", notes=self.notes,
                         round_to=self.round_to, share_columns=["Observed ÷ expected"], area_codes=codes, measures=measures,
                         low=pd.concat(lows) if lows else None, high=pd.concat(highs) if highs else None,
                         interval_level=self.level if lows else None))
        if not self.trajectories.empty:
            blocks, lows, highs, codes, measures = [], [], [], [], []
            has_iv = "needed_low" in self.trajectories.columns
            for (label, code), g in self._ordered(self.trajectories).groupby(["indicator", "area_code"], sort=False):
                first = g.iloc[0]
                block = (f"{label}: {first['area_name']} — from {100 * first['latest_ratio']:.1f}% in {first['latest_period']} "
                         f"({first['latest_observed']:,.0f}) to the target")
                idx = pd.MultiIndex.from_product([[block], list(g["period"])], names=["measure", "area"])
                cols = {"Expected": "expected", "Target ratio": "target_path", "Needed": "needed",
                        "Needed − latest observed": "change_from_latest"}
                frame = pd.DataFrame({k: g[v].to_numpy() * (100 if k == "Target ratio" else 1) for k, v in cols.items()}, index=idx)
                blocks.append(frame)
                if has_iv:
                    lo, hi = frame.copy(), frame.copy()
                    lo["Expected"], hi["Expected"] = g["expected_low"].to_numpy(), g["expected_high"].to_numpy()
                    lo["Needed"], hi["Needed"] = g["needed_low"].to_numpy(), g["needed_high"].to_numpy()
                    lo["Needed − latest observed"] = g["needed_low"].to_numpy() - first["latest_observed"]
                    hi["Needed − latest observed"] = g["needed_high"].to_numpy() - first["latest_observed"]
                    lows.append(lo)
                    highs.append(hi)
                codes += [code] * len(g)
                measures += [first["measure"]] * len(g)
            out.append(Table(values=pd.concat(blocks), title=f"{self.title}: counts needed to reach the target",
                             notes=["The ratio moves in a straight line from the latest observed ratio to the target; "
                                    "needed = that ratio × the expected number."] + self.notes,
                             round_to=self.round_to, share_columns=["Target ratio"], area_codes=codes, measures=measures,
                             low=pd.concat(lows) if lows else None, high=pd.concat(highs) if highs else None,
                             interval_level=self.level if lows else None))
        return out

    def to_markdown(self) -> str:
        return "\n".join(t.to_markdown() for t in self.tables())

    def to_html(self) -> str:
        tables = self.tables()
        body = "\n".join(t.to_html(full=False) for t in tables)
        full = tables[0].to_html(full=True)
        head, tail = full.split("<body>\n", 1)[0], "</body></html>\n"
        return f"{head}<body>\n{body}\n{tail}"

    def to_frame(self) -> pd.DataFrame:
        """Tidy: table, indicator, area_code, area_name, period, quantity, value."""
        keep = ["indicator", "area_code", "area_name", "period"]
        r = self.ratios.drop(columns=["measure"]).melt(id_vars=keep, var_name="quantity").assign(table="observed_vs_expected")
        frames = [r]
        if not self.trajectories.empty:
            t = self.trajectories.drop(columns=["measure", "latest_period"]).melt(id_vars=keep, var_name="quantity")
            frames.append(t.assign(table="trajectory"))
        out = pd.concat(frames, ignore_index=True)
        return out[["table"] + keep + ["quantity", "value"]]

    def to_csv(self) -> str:
        return self.to_frame().to_csv(index=False, lineterminator="\n", float_format="%.6f")

    def to_excel(self, path) -> None:
        """One workbook: a sheet for observed against expected, one for the trajectory."""
        from openpyxl import Workbook

        wb = Workbook()
        for i, (t, name) in enumerate(zip(self.tables(), ("Observed vs expected", "Trajectory"))):
            ws = wb.active if i == 0 else wb.create_sheet()
            ws.title = name
            t.write_sheet(ws)
        save_workbook(wb, path)  # the same content gives the same bytes

    def __str__(self) -> str:
        return self.to_markdown()
