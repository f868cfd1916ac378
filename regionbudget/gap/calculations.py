"""The gap arithmetic: one implementation, pure functions over DataFrames and Decimals.

Every page, export and report that shows a gap figure calls these functions; nothing else
computes them. Amounts are SEK as ``Decimal`` (annual cost reductions in a year against the plan's
baseline). No ORM, no request; the figures' keys (the columns below) come from ``figures``.
The attribution of region-wide measures to areas is the register's
(``measures.calculations.attribute_to_areas``), re-exported here.

Inputs
------
``effects``: one row per measure and year, with columns ``code``, ``title``, ``category``,
``area_code`` (None for a region-wide measure), ``status``, ``year``, ``low``, ``high``,
``realised`` (Decimal SEK; ``realised`` is the sum of the realised effects recorded so far).

``shares``: how region-wide measures are split across areas, columns ``code``, ``area_code``,
``share`` (Decimal percent, summing to 100 per measure).

Definitions (DESIGN.md)
-----------------------
- required(y): the deficit target of the year.
- planned_low(y), planned_high(y): sums of the measures' planned ranges, cancelled ones excluded.
- uncovered(y) = required(y) − planned, a range: low = required − planned_high,
  high = required − planned_low. Negative means the plan covers more than required (a surplus).
- realised(y): sum of the realised effects to date (cancelled measures included: money saved
  before a measure was stopped is still saved).
- expected(y): each measure's midpoint weighted by the confidence weight of its status.
- probability(y): share of simulated outcomes in which the measures cover the requirement; each
  draw lets a measure deliver with the probability of its status weight and, if it delivers,
  gives an effect drawn uniformly within its range.

The outlook (from the forecasts; ``outlook``):
- deviation(y): the sum over areas of budget − forecast of each area's latest approved forecast,
  with the budget kept at its approval; areas without one are listed as missing, not counted.
- outside_budgets(y): the part of the reduction not built into the areas' budgets.
- required_now(y) = outside_budgets(y) − deviation(y).
- covered_now(y): the planned range of the non-cancelled measures not already counted in the
  forecast (a forecast of a round that includes decided measures records which ones it counts).
- uncovered_now(y) = required_now − covered_now, a range; negative: covered with room to spare.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

import numpy as np
import pandas as pd

from measures.calculations import CANCELLED, attribute_to_areas, planned_totals
from measures.calculations import EFFECT_COLUMNS as MEASURE_EFFECT_COLUMNS
from regionbudget.core.money import HUNDRED, ZERO
from regionbudget.gap.figures import (
    COVERAGE_FIGURES,
    GROUP_FIGURES,
    REPORT_FIGURES,
    YEAR_FIGURES,
)

__all__ = [
    "CANCELLED",
    "DEFAULT_WEIGHTS",
    "EFFECT_COLUMNS",
    "BridgeStep",
    "Outlook",
    "OutlookArea",
    "attribute_to_areas",
    "closing_probability",
    "deviation_totals",
    "gap_bridge",
    "gap_by_group",
    "gap_by_year",
    "group_totals",
    "light_counts",
    "lowest_coverage",
    "measure_change_kinds",
    "measures_needing_attention",
    "months_elapsed",
    "outlook",
    "planned_totals",
    "range_change",
    "report_changes",
    "scope_effects",
    "scope_required",
    "sums_by_group",
    "top_movers",
    "traffic_light",
]

# The register's effect columns without its measure id, which no gap figure needs.
EFFECT_COLUMNS = [column for column in MEASURE_EFFECT_COLUMNS if column != "measure_id"]

CENT = Decimal("0.01")

# Confidence weights by status, in the spirit of HM Treasury's weights for pipeline savings
# (40–70 % by stage). Finance can change them; these are the defaults.
DEFAULT_WEIGHTS: dict[str, Decimal] = {
    "proposed": Decimal("0.40"),
    "decided": Decimal("0.60"),
    "in_progress": Decimal("0.80"),
    "done": Decimal("1.00"),
    "delayed": Decimal("0.50"),
    "cancelled": Decimal("0"),
}


def _empty_effects() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=object) for column in EFFECT_COLUMNS})


def _decimal_sum(values: Iterable) -> Decimal:
    return sum((Decimal(v) for v in values), ZERO)


def scope_effects(
    effects: pd.DataFrame,
    shares: pd.DataFrame,
    *,
    area_codes: Iterable[str] | None = None,
    categories: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Effects within a scope. No area filter: the region, each measure counted once. With
    ``area_codes``: those areas' owned measures plus their shares of region-wide measures, one
    row per area in scope (``measures.calculations.attribute_to_areas``)."""
    if effects.empty:
        return _empty_effects()
    scoped = effects
    if area_codes is not None:
        wanted = set(area_codes)
        attributed = attribute_to_areas(effects, shares)
        scoped = attributed[attributed["area_code"].isin(wanted)].drop(columns=["share"])
    if categories is not None:
        scoped = scoped[scoped["category"].isin(set(categories))]
    return scoped.reset_index(drop=True)


def scope_required(
    plan_wide: Mapping[int, Decimal],
    by_area: Mapping[int, Mapping[str, Decimal]],
    area_codes: Sequence[str] | None,
    years: Iterable[int],
) -> Mapping[int, Decimal]:
    """The requirement of a scope per year (SEK): the plan's own targets for the region
    (``area_codes`` None), else the sum of the areas' targets; a year where one of the areas has
    no target has none. ``by_area``: year -> area code -> target."""
    if area_codes is None:
        return plan_wide
    required = {}
    for year in years:
        targets = by_area.get(year, {})
        if area_codes and all(code in targets for code in area_codes):
            required[year] = sum((targets[code] for code in area_codes), ZERO)
    return required


def _weight(status: str, weights: Mapping[str, Decimal]) -> Decimal:
    return Decimal(weights.get(status, ZERO))


def _sums(rows: pd.DataFrame, weights: Mapping[str, Decimal]) -> dict[str, Decimal]:
    active = rows[rows["status"] != CANCELLED]
    expected = _decimal_sum(
        _weight(status, weights) * (low + high) / 2
        for status, low, high in zip(active["status"], active["low"], active["high"], strict=True)
    )
    low, high, realised = planned_totals(rows)
    return {"planned_low": low, "planned_high": high, "realised": realised, "expected": expected}


def _coverage(part: Decimal, whole: Decimal | None) -> Decimal | None:
    """``part`` as a percentage of ``whole``, one decimal; None without a requirement."""
    if whole is None or whole == 0:
        return None
    return (part / whole * HUNDRED).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def gap_by_year(
    effects: pd.DataFrame,
    required: Mapping[int, Decimal],
    *,
    years: Iterable[int],
    weights: Mapping[str, Decimal] = DEFAULT_WEIGHTS,
) -> pd.DataFrame:
    """The gap per year: required, planned range, realised, expected, uncovered range, coverage.

    A year without a target has ``required`` None, and so have its uncovered figures.
    """
    records = []
    for year in years:
        rows = effects[effects["year"] == year] if not effects.empty else effects
        sums = (
            _sums(rows, weights)
            if not rows.empty
            else dict.fromkeys(("planned_low", "planned_high", "realised", "expected"), ZERO)
        )
        need = required.get(year)
        records.append(
            {
                "year": year,
                "required": need,
                **sums,
                "uncovered_low": None if need is None else need - sums["planned_high"],
                "uncovered_high": None if need is None else need - sums["planned_low"],
                "coverage_low": _coverage(sums["planned_low"], need),
                "coverage_high": _coverage(sums["planned_high"], need),
            }
        )
    return pd.DataFrame.from_records(
        records,
        columns=["year", *YEAR_FIGURES],
    )


def sums_by_group(
    rows: pd.DataFrame, *, by: str, weights: Mapping[str, Decimal] = DEFAULT_WEIGHTS
) -> dict:
    """Planned range, realised and expected per value of ``by`` (SEK), in one pass over the rows:
    the same additions, in the same order, as ``_sums`` on each group's rows. Rows without a
    value of ``by`` (None or NaN) are the group ``None``. Groups in order of first appearance.

    planned_low/high leave cancelled measures out, realised counts every row, expected is each
    active row's midpoint × its status weight."""
    groups: dict = {}
    for key, status, low, high, realised in zip(
        rows[by], rows["status"], rows["low"], rows["high"], rows["realised"], strict=True
    ):
        group = None if pd.isna(key) else key
        sums = groups.get(group)
        if sums is None:
            sums = groups[group] = dict.fromkeys(
                ("planned_low", "planned_high", "realised", "expected"), ZERO
            )
        if status != CANCELLED:
            sums["planned_low"] += Decimal(low)
            sums["planned_high"] += Decimal(high)
            sums["expected"] += Decimal(_weight(status, weights) * (low + high) / 2)
        sums["realised"] += Decimal(realised)
    return groups


def gap_by_group(
    effects: pd.DataFrame,
    *,
    by: str,
    year: int,
    weights: Mapping[str, Decimal] = DEFAULT_WEIGHTS,
    required: Mapping[str, Decimal] | None = None,
    unassigned: bool = False,
) -> pd.DataFrame:
    """Planned range, realised and expected per group (``category`` or ``area_code``) in a year,
    with coverage against ``required`` per group where one is given. Groups sorted by the high
    end of their planned effect, largest first.

    With ``unassigned``, the rows without a group (a region-wide measure not split across the
    areas has ``area_code`` None) are one more group, ``None``, last: the groups then add up to
    the whole scope. Without it they are left out."""
    columns = [by, *GROUP_FIGURES, *COVERAGE_FIGURES]
    rows = effects[effects["year"] == year] if not effects.empty else effects
    found = sums_by_group(rows, by=by, weights=weights) if not rows.empty else {}
    records = []
    groups = sorted({g for g in found if g is not None} | set((required or {}).keys()))
    for group in groups:
        sums = found.get(group) or dict.fromkeys(
            ("planned_low", "planned_high", "realised", "expected"), ZERO
        )
        need = (required or {}).get(group)
        records.append(
            {
                by: group,
                **sums,
                "required": need,
                "coverage_low": _coverage(sums["planned_low"], need),
                "coverage_high": _coverage(sums["planned_high"], need),
            }
        )
    if unassigned and None in found:
        records.append(
            {by: None, **found[None], "required": None} | dict.fromkeys(COVERAGE_FIGURES)
        )
    frame = pd.DataFrame.from_records(records, columns=columns)
    if frame.empty:
        return frame
    # The group without a key stays None (not NaN) for the pages that name it.
    frame[by] = pd.Series([None if pd.isna(g) else g for g in frame[by]], dtype=object)
    keys, highs = list(frame[by]), list(frame["planned_high"])
    order = sorted(range(len(frame)), key=lambda i: (keys[i] is None, -highs[i], str(keys[i])))
    return frame.iloc[order].reset_index(drop=True)


def group_totals(rows: Iterable[Mapping], *, key: str = "area_code") -> dict[str, Decimal | None]:
    """The total line of a table of groups (``gap_by_group`` rows, or a report snapshot's with
    amounts as decimal strings): planned range and realised added up (SEK), and ``required``
    added up when every group with a ``key`` has a requirement (else None). With the line of
    region-wide measures not split (``key`` None) among the rows, the total is the scope's."""
    rows = list(rows)
    totals: dict[str, Decimal | None] = {
        name: _decimal_sum(row[name] for row in rows if row.get(name) is not None)
        for name in ("planned_low", "planned_high", "realised")
    }
    keyed = [row for row in rows if row.get(key) is not None]
    needs = [row.get("required") for row in keyed]
    totals["required"] = (
        _decimal_sum(needs) if keyed and all(need is not None for need in needs) else None
    )
    return totals


@dataclass(frozen=True)
class BridgeStep:
    """One bar of the gap bridge: a label, the change it makes, and where the bar ends."""

    label: str
    kind: str  # "required", "measure" or "uncovered"
    amount: Decimal
    running: Decimal


def gap_bridge(
    effects: pd.DataFrame, *, year: int, required: Decimal, end: str = "low"
) -> list[BridgeStep]:
    """Required → each category's planned effect (``end`` of the range: "low" or "high") →
    what is still uncovered. Categories in falling order of their effect."""
    if end not in ("low", "high"):
        raise ValueError("end must be 'low' or 'high'")
    rows = (
        effects[(effects["year"] == year) & (effects["status"] != CANCELLED)]
        if not effects.empty
        else effects
    )
    steps = [BridgeStep("required", "required", required, required)]
    running = required
    if not rows.empty:
        totals = {
            category: _decimal_sum(group[end])
            for category, group in rows.groupby("category", sort=True)
        }
        for category, amount in sorted(totals.items(), key=lambda item: (-item[1], item[0])):
            if amount == 0:
                continue
            running -= amount
            steps.append(BridgeStep(category, "measure", -amount, running))
    steps.append(BridgeStep("uncovered", "uncovered", running, running))
    return steps


# Draws are made in blocks of this many (the same numbers as one block of all of them: each
# uniform takes one number from the generator, in order). At 400 measures a year one block of all
# 10,000 draws is 32 MB per intermediate array; blocks of 250 (0.8 MB) stay in the processor's
# cache, and the simulation took 0.14 s instead of 0.25 s.
_DRAW_BLOCK = 250
# Integers up to this are exact in a 64-bit float.
_FLOAT_EXACT = 2**53


def closing_probability(
    effects: pd.DataFrame,
    required: Mapping[int, Decimal],
    *,
    years: Iterable[int],
    weights: Mapping[str, Decimal] = DEFAULT_WEIGHTS,
    draws: int = 10_000,
    seed: int = 20231201,
) -> dict[int, Decimal | None]:
    """Probability (0–1, three decimals) that the measures cover the requirement of each year.

    Each draw: a measure delivers with the probability of its status weight; if it does, its
    effect is drawn uniformly (in whole kronor) within its range. The probability is the share of
    draws whose total reaches the requirement. A fixed seed keeps the page stable. Amounts stay
    exact integers (kronor); only the weights are probabilities.

    One uniform number ``u`` per measure and draw decides both: the measure delivers when
    ``u < p``, and then ``u / p`` is again uniform on [0, 1) and places the effect within the
    range. Half the random numbers of drawing the two apart, and the arithmetic is vectorised.
    """
    rng = np.random.default_rng(seed)
    result: dict[int, Decimal | None] = {}
    for year in years:
        need = required.get(year)
        if need is None:
            result[year] = None
            continue
        rows = (
            effects[(effects["year"] == year) & (effects["status"] != CANCELLED)]
            if not effects.empty
            else effects
        )
        if rows.empty:
            result[year] = Decimal("1.000") if need <= 0 else Decimal("0.000")
            continue
        lows, highs = [int(v) for v in rows["low"]], [int(v) for v in rows["high"]]
        low = np.array(lows, dtype=np.int64)
        span = np.array(highs, dtype=np.int64) - low + 1
        p = np.array([float(_weight(s, weights)) for s in rows["status"]])
        # kronor per unit of u / p; a weight of 0 never delivers (u < 0 is never true).
        scale = span / np.where(p > 0, p, 1.0)
        # Whole kronor are exact in floating point below 2**53 (9 million MSEK), and so is every
        # partial sum when the ranges' absolute values add up to less: then the draws are
        # summed as floats (40 % faster, the same totals), else as 64-bit integers.
        bound = sum(abs(v) for v in lows) + sum(abs(v) for v in highs) + int(abs(need))
        exact = bound < _FLOAT_EXACT
        top = span - 1
        if exact:
            low, top = low.astype(np.float64), top.astype(np.float64)
        hits = 0
        for start in range(0, draws, _DRAW_BLOCK):
            u = rng.random((min(_DRAW_BLOCK, draws - start), len(rows)))
            # u / p < 1 exactly, but may round up to 1.0: the minimum keeps the high end the top.
            if exact:
                effect = np.floor(u * scale)
                np.minimum(effect, top, out=effect)
                effect += low
                effect *= u < p
                totals = effect.sum(axis=1)
            else:
                offset = np.minimum((u * scale).astype(np.int64), top)
                totals = np.where(u < p, low + offset, 0).sum(axis=1)
            hits += int((totals >= int(need)).sum())
        result[year] = (Decimal(hits) / Decimal(draws)).quantize(
            Decimal("0.001"), rounding=ROUND_HALF_UP
        )
    return result


def deviation_totals(deviations: pd.DataFrame) -> list[tuple[int, int, Decimal]]:
    """Forecast deviation of all areas in the frame per round, in round order:
    ``(year, month, sum of deviations)``; areas without an approved forecast add nothing."""
    totals: dict[tuple[int, int], Decimal] = {}
    for year, month, value in zip(
        deviations["year"], deviations["month"], deviations["deviation"], strict=True
    ):
        key = (int(year), int(month))
        totals[key] = totals.get(key, ZERO) + (value if value is not None else ZERO)
    return [(year, month, amount) for (year, month), amount in sorted(totals.items())]


# --- The outlook -------------------------------------------------------------------------------


class OutlookArea(NamedTuple):
    """One area's part of an outlook: its latest approved forecast's deviation (SEK, None when
    it has none) and the round that forecast comes from. (A named tuple: an outlook of the
    region at each round of three years is some 6,000 of them, made and cached at once.)"""

    area_code: str
    deviation: Decimal | None
    round_id: int | None


@dataclass(frozen=True)
class Outlook:
    """Where a year is heading by the forecasts (DESIGN.md, "the outlook"), in SEK.

    ``round_id`` is the round the outlook is read at; ``areas`` every area in scope in order;
    ``in_forecast`` and ``not_in_forecast`` the codes of the year's non-cancelled measures that
    the forecasts already count and those they do not.
    """

    year: int
    round_id: int | None
    areas: tuple[OutlookArea, ...]
    deviation: Decimal
    outside_budgets: Decimal
    required_now: Decimal
    covered_low: Decimal
    covered_high: Decimal
    uncovered_low: Decimal
    uncovered_high: Decimal
    in_forecast: tuple[str, ...]
    not_in_forecast: tuple[str, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        """The codes of the areas without an approved forecast for the year."""
        return tuple(a.area_code for a in self.areas if a.deviation is None)

    @property
    def complete(self) -> bool:
        return not self.missing


def outlook(
    *,
    year: int,
    round_id: int | None,
    areas: Sequence[OutlookArea],
    outside_budgets: Decimal,
    effects: pd.DataFrame,
    included: Iterable[tuple[str, str]],
) -> Outlook:
    """The outlook of ``year`` at one round.

    ``areas``: each area in scope with its latest approved forecast's deviation (None: none
    yet). ``effects``: the scope's effects attributed to areas (``attribute_to_areas``: one row
    per measure, year and area; a region-wide measure not split has ``area_code`` None).
    ``included``: the (measure code, area code) pairs that the areas' forecasts already count.
    A measure counted in one area's forecast is counted there only: its share in another area
    whose forecast does not count it still covers the gap.
    """
    deviation_sum = _decimal_sum(a.deviation for a in areas if a.deviation is not None)
    required_now = outside_budgets - deviation_sum
    counted = set(included)
    rows = (
        effects[(effects["year"] == year) & (effects["status"] != CANCELLED)]
        if not effects.empty
        else effects
    )
    low = high = ZERO
    in_forecast: dict[str, None] = {}
    not_in: dict[str, None] = {}
    if not rows.empty:
        for code, area_code, row_low, row_high in zip(
            rows["code"], rows["area_code"], rows["low"], rows["high"], strict=True
        ):
            if not row_low and not row_high:
                continue
            if area_code is not None and (code, area_code) in counted:
                in_forecast[code] = None
                continue
            not_in[code] = None
            low += Decimal(row_low)
            high += Decimal(row_high)
    # Shares of split measures can leave fractions of an öre: figures are kept to the öre.
    low, high = (
        low.quantize(CENT, rounding=ROUND_HALF_UP),
        high.quantize(CENT, rounding=ROUND_HALF_UP),
    )
    return Outlook(
        year=year,
        round_id=round_id,
        areas=tuple(areas),
        deviation=deviation_sum,
        outside_budgets=outside_budgets,
        required_now=required_now,
        covered_low=low,
        covered_high=high,
        uncovered_low=required_now - high,
        uncovered_high=required_now - low,
        in_forecast=tuple(sorted(in_forecast)),
        not_in_forecast=tuple(sorted(not_in)),
    )


# --- Status reports ----------------------------------------------------------------------------

ON_TRACK, AT_RISK, LATE = "on_track", "at_risk", "late"
# An in-progress measure is at risk when it has realised less than this share of the low end of
# its planned effect, pro rata for the months passed.
PACE_THRESHOLD = Decimal("0.75")


def traffic_light(
    *, status: str, planned_low: Decimal, realised: Decimal, months_elapsed: int
) -> str:
    """The traffic light of a measure in a status report (the rules are printed on the page).

    late: the measure is delayed. at risk: it is only proposed, or in progress with realised
    effect below 75 % of its planned low end pro rata for the months passed. on track: done,
    decided, or in progress on pace. A cancelled measure gets no light ("cancelled").
    """
    if status == CANCELLED:
        return CANCELLED
    if status == "delayed":
        return LATE
    if status == "proposed":
        return AT_RISK
    if status == "in_progress" and months_elapsed > 0 and planned_low > 0:
        due = planned_low * Decimal(min(months_elapsed, 12)) / Decimal(12)
        if realised < due * PACE_THRESHOLD:
            return AT_RISK
    return ON_TRACK


def months_elapsed(year: int, meeting_date: dt.date) -> int:
    """Whole months of ``year`` that had passed at a meeting on ``meeting_date`` (0–12)."""
    if meeting_date.year > year:
        return 12
    if meeting_date.year < year:
        return 0
    return meeting_date.month - 1


def light_counts(measures: Iterable[Mapping]) -> dict[str, dict[str, int]]:
    """How many of the measures have each traffic light, per owning area (``area_code``; a
    measure without an area counts for none): area code -> light -> count."""
    counts: dict[str, dict[str, int]] = {}
    for measure in measures:
        if measure["area_code"]:
            lights = counts.setdefault(measure["area_code"], {})
            lights[measure["light"]] = lights.get(measure["light"], 0) + 1
    return counts


# The outlook figures compared between two reports, in the order they are worded.
OUTLOOK_CHANGE_FIGURES = ("uncovered_low", "uncovered_high", "required_now", "deviation")


def _figure_change(year: int, name: str, before: str | None, after: str | None) -> dict | None:
    """One figure of a year compared between two snapshots (decimal strings, SEK), or None
    when it is missing from one of them or has not changed."""
    if before is None or after is None or Decimal(before) == Decimal(after):
        return None
    change = Decimal(after) - Decimal(before)
    return {
        "year": year,
        "figure": name,
        "before": before,
        "after": after,
        "change": str(change),
        "direction": "up" if change > 0 else "down",
    }


def report_changes(previous: Mapping | None, current: Mapping) -> dict:
    """What changed between two report snapshots: figures per year that went up or down (the
    plan's and, for the years in ``outlook_years``, which both reports have an outlook of, the
    outlook's), measures whose status or traffic
    light changed, new measures and removed ones.

    Snapshots hold amounts as decimal strings (``by_year``, ``outlook`` and ``measures`` rows).
    A snapshot published before the outlook has none: then no outlook change is given.
    """
    if previous is None:
        return {
            "figures": [],
            "outlook": [],
            "outlook_years": [],
            "status_changes": [],
            "new_measures": [],
            "removed_measures": [],
        }
    before_years = {row["year"]: row for row in previous.get("by_year", [])}
    figures = []
    for row in current.get("by_year", []):
        old = before_years.get(row["year"])
        if old is None:
            continue
        for name in REPORT_FIGURES:
            change = _figure_change(row["year"], name, old.get(name), row.get(name))
            if change is not None:
                figures.append(change)
    before_outlook = {row["year"]: row for row in previous.get("outlook", [])}
    outlook_changes, outlook_years = [], []
    for row in current.get("outlook", []):
        old = before_outlook.get(row["year"])
        if old is None:
            continue
        outlook_years.append(row["year"])
        for name in OUTLOOK_CHANGE_FIGURES:
            change = _figure_change(row["year"], name, old.get(name), row.get(name))
            if change is not None:
                outlook_changes.append(change)
    before_measures = {m["code"]: m for m in previous.get("measures", [])}
    current_codes = {m["code"] for m in current.get("measures", [])}
    status_changes, new_measures = [], []
    for measure in current.get("measures", []):
        old = before_measures.get(measure["code"])
        if old is None:
            new_measures.append(
                {"code": measure["code"], "title": measure["title"], "status": measure["status"]}
            )
        elif old["status"] != measure["status"] or old.get("light") != measure.get("light"):
            status_changes.append(
                {
                    "code": measure["code"],
                    "title": measure["title"],
                    "before": old["status"],
                    "after": measure["status"],
                    "light_before": old.get("light"),
                    "light_after": measure.get("light"),
                }
            )
    removed = [
        {"code": code, "title": m["title"]}
        for code, m in before_measures.items()
        if code not in current_codes
    ]
    return {
        "figures": figures,
        "outlook": outlook_changes,
        "outlook_years": outlook_years,  # the years whose outlook both reports have
        "status_changes": status_changes,
        "new_measures": new_measures,
        "removed_measures": removed,
    }


def measure_change_kinds(status_changes: Iterable[Mapping]) -> dict[str, list[Mapping]]:
    """Sorts the measures of ``report_changes`` whose status or light changed into what a
    reader is told: ``cancelled`` (the status became cancelled), ``status`` (another change of
    status, whatever the light did) and ``light`` (the same status, only the traffic light
    changed, e.g. an in-progress measure that fell behind its pace)."""
    kinds: dict[str, list[Mapping]] = {"status": [], "light": [], "cancelled": []}
    for change in status_changes:
        if change["before"] == change["after"]:
            kinds["light"].append(change)
        elif change["after"] == CANCELLED:
            kinds["cancelled"].append(change)
        else:
            kinds["status"].append(change)
    return kinds


def measures_needing_attention(measures: Iterable[Mapping], *, limit: int = 3) -> list[Mapping]:
    """The measures a committee should look at first: late ones (delayed), then those that
    still need a decision (proposed), each group by the high end of its planned effect, largest
    first; at most ``limit``. ``measures``: a report snapshot's rows (amounts as strings)."""
    order = {"delayed": 0, "proposed": 1}
    wanted = [m for m in measures if m["status"] in order]
    wanted.sort(key=lambda m: (order[m["status"]], -Decimal(m["high"] or 0), m["code"]))
    return wanted[:limit]


def range_change(
    before: tuple[Decimal, Decimal], after: tuple[Decimal, Decimal]
) -> dict[str, Decimal | str | None]:
    """How a range (low, high; SEK) moved between two reports: ``direction`` "up", "down" or
    "same" by its midpoint, and ``size``, the shift, when both ends moved by the same amount
    (else None: the range widened or narrowed)."""
    low_shift, high_shift = after[0] - before[0], after[1] - before[1]
    mid_shift = (low_shift + high_shift) / 2
    direction = "same" if mid_shift == 0 else ("up" if mid_shift > 0 else "down")
    return {
        "direction": direction,
        "size": abs(low_shift) if low_shift == high_shift else None,
    }


def top_movers(table: list[dict], *, count: int) -> list[dict]:
    """The ``count`` areas whose forecast deviation moved most over the year's rounds: the
    largest change, either way, from an area's first approved forecast to its latest (SEK);
    with one round (nothing has moved yet), the largest deviation either way. Ties: by name.

    ``table``: one row per area, ``{"area": name, "values": [SEK or None per round]}``. Each
    returned row gains ``first``, ``latest`` and ``change``.
    """
    moved = []
    for row in table:
        known = [v for v in row["values"] if v is not None]
        if not known:
            continue
        change = known[-1] - known[0]
        moved.append({**row, "first": known[0], "latest": known[-1], "change": change})
    moved.sort(key=lambda r: (-abs(r["change"]), -abs(r["latest"]), r["area"]))
    return moved[:count]


def lowest_coverage(groups: pd.DataFrame, *, by: str, count: int) -> pd.DataFrame:
    """The groups with a target, for a coverage chart a person can read: all of them, in their
    order, when there are at most ``count``; else the ``count`` whose planned effect covers least
    of their target (lowest ``coverage_low`` first, then lowest ``coverage_high``, then by
    ``by``), which are the ones that need attention.

    ``groups``: ``gap_by_group`` with ``required`` set (``coverage_low``/``coverage_high`` in %,
    None where a group has no target). Groups without a target are never shown.
    """
    rows = groups[groups["coverage_low"].notna()]
    if len(rows) <= count:
        return rows
    order = sorted(
        range(len(rows)),
        key=lambda i: (
            rows["coverage_low"].iloc[i],
            rows["coverage_high"].iloc[i],
            str(rows[by].iloc[i]),
        ),
    )
    return rows.iloc[order[:count]]
