"""Totals of the measure register: pure arithmetic over DataFrames and Decimals.

No Django, no ORM, no request. Amounts are SEK as ``Decimal``.

``effects`` has one row per measure and year (``measures.selectors.measure_effects_frame``):
``measure_id``, ``code``, ``title``, ``category``, ``area_code`` (None for a region-wide
measure), ``status``, ``year``, ``low``, ``high`` (the planned range, annual, SEK) and
``realised`` (the sum of the months' realised effects in that year, SEK).

``shares`` (``measure_area_shares_frame``) has ``code``, ``area_code`` and ``share`` (Decimal
percent; a region-wide measure's shares sum to 100).

Rules
-----
- Planned totals leave cancelled measures out; realised totals keep them (money saved before a
  measure was stopped is still saved).
- The region counts a region-wide measure once, in full. An area's view counts the area's own
  measures in full and its share of each region-wide measure (effect × share / 100).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from regionbudget.core.money import HUNDRED, ZERO

__all__ = [
    "CANCELLED",
    "DECIDED_STATUSES",
    "DONE",
    "ONE_OFF",
    "RECURRING",
    "decision_missing",
    "first_year_fraction",
    "moves_to_decided",
    "pro_rata_effects",
    "EFFECT_COLUMNS",
    "Totals",
    "attribute_to_areas",
    "effect_totals",
    "planned_totals",
    "rows_for_year",
    "scope_to_areas",
    "shares_total",
    "split_by_area",
    "totals_by_year",
    "year_total",
]

CANCELLED = "cancelled"
EFFECT_COLUMNS = [
    "measure_id",
    "code",
    "title",
    "category",
    "area_code",
    "status",
    "year",
    "low",
    "high",
    "realised",
]


@dataclass(frozen=True)
class Totals:
    """Planned range (cancelled measures excluded) and realised effect, SEK."""

    low: Decimal
    high: Decimal
    realised: Decimal


def _sum(values: Iterable) -> Decimal:
    return sum((Decimal(v) for v in values), ZERO)


def planned_totals(rows: pd.DataFrame) -> tuple[Decimal, Decimal, Decimal]:
    """Planned low and high (cancelled measures left out) and realised (all measures), SEK.

    The one place these sums are made: the gap figures and the measure register both use it.
    """
    if rows.empty:
        return ZERO, ZERO, ZERO
    active = rows[rows["status"] != CANCELLED]
    return _sum(active["low"]), _sum(active["high"]), _sum(rows["realised"])


def year_total(months: Iterable[Decimal | None]) -> Decimal:
    """A year's realised effect (SEK): its months added up; a month without an amount adds
    nothing."""
    return _sum(m for m in months if m is not None)


def shares_total(shares: Iterable[Decimal]) -> Decimal:
    """The sum of a measure's area shares in percent (must be exactly 100 to be accepted)."""
    return _sum(shares)


def attribute_to_areas(effects: pd.DataFrame, shares: pd.DataFrame) -> pd.DataFrame:
    """Attribute each measure's effects to areas: one row per measure (and year) and area.

    Owned measures go to their area in full; a region-wide measure gets one row per area in its
    shares, with ``low``, ``high`` and ``realised`` multiplied by the share (SEK × share / 100);
    a region-wide measure without shares keeps ``area_code`` None and its full effect. Adds
    ``share`` (Decimal percent: 100 for owned and unsplit measures).

    The one place where region-wide measures are split: summing the result over all areas gives
    each region-wide measure exactly once. Rows: owned measures, unsplit ones, then the split
    ones (the gap's simulation draws in this order).
    """
    if effects.empty:
        return effects.assign(share=pd.Series(dtype=object))
    owned = effects[effects["area_code"].notna()].assign(share=HUNDRED)
    regional = effects[effects["area_code"].isna()]
    if shares.empty or regional.empty:
        return pd.concat([owned, regional.assign(share=HUNDRED)], ignore_index=True)
    split_codes = set(shares["code"])
    unsplit = regional[~regional["code"].isin(split_codes)].assign(share=HUNDRED)
    split = regional[regional["code"].isin(split_codes)].drop(columns=["area_code"])
    split = split.merge(shares[["code", "area_code", "share"]], on="code", how="inner")
    split["share"] = [Decimal(share) for share in split["share"]]
    for column in ("low", "high", "realised"):
        split[column] = [
            amount * (share / HUNDRED)
            for amount, share in zip(split[column], split["share"], strict=True)
        ]
    return pd.concat([owned, unsplit, split], ignore_index=True)


def scope_to_areas(
    effects: pd.DataFrame, shares: pd.DataFrame, *, area_codes: Iterable[str] | None
) -> pd.DataFrame:
    """The effects as the measure register lists them for ``area_codes``: one row per row of
    ``effects`` (in its order), owned measures of those areas in full and region-wide measures
    with the parts of those areas added up (``attribute_to_areas``). Adds ``share`` (Decimal
    percent: 100 for owned measures, the summed shares for a region-wide one); ``area_code``
    stays None for a region-wide measure. ``area_codes`` None is the region: every row in full.
    """
    if area_codes is None:
        return effects.assign(share=[HUNDRED] * len(effects)).reset_index(drop=True)
    wanted = set(area_codes)
    original = effects.reset_index(drop=True)
    attributed = attribute_to_areas(original.assign(_row=range(len(original))), shares)
    attributed = attributed[attributed["area_code"].isin(wanted)]
    merged: dict[int, dict] = {}
    for record in attributed.to_dict("records"):
        row = record.pop("_row")
        if row not in merged:
            merged[row] = {**record, "area_code": original["area_code"][row]}
            continue
        for column in ("low", "high", "realised", "share"):
            merged[row][column] += record[column]
    records = [merged[row] for row in sorted(merged)]
    columns = [*effects.columns, "share"]
    return pd.DataFrame(
        {
            c: pd.Series([r[c] for r in records], dtype=effects.dtypes.get(c, object))
            for c in columns
        }
    )


def rows_for_year(effects: pd.DataFrame, *, year: int) -> pd.DataFrame:
    """The rows of one year, one per measure."""
    if effects.empty:
        return effects
    return effects[effects["year"] == year].reset_index(drop=True)


def effect_totals(rows: pd.DataFrame) -> Totals:
    """Planned low and high (cancelled measures left out) and realised (all measures), SEK —
    the same sums as the gap figures (``planned_totals``)."""
    return Totals(*planned_totals(rows))


def totals_by_year(effects: pd.DataFrame, *, years: Iterable[int]) -> pd.DataFrame:
    """One row per year: ``year``, ``low``, ``high``, ``realised`` (SEK), zero for empty years."""
    records = []
    for year in years:
        totals = effect_totals(rows_for_year(effects, year=year))
        records.append(
            {"year": year, "low": totals.low, "high": totals.high, "realised": totals.realised}
        )
    return pd.DataFrame.from_records(records, columns=["year", "low", "high", "realised"])


def split_by_area(by_year: pd.DataFrame, shares: pd.DataFrame) -> list[dict]:
    """A region-wide measure's effects per area: for each of its shares (``code``,
    ``area_code``, ``share`` in percent) the area's part of each year's low, high and realised
    (SEK), in ``years`` — the rows ``attribute_to_areas`` gives the area."""
    if shares.empty:
        return []
    effects = by_year.assign(code=shares["code"].iloc[0], area_code=None)
    parts = attribute_to_areas(effects, shares)
    records = []
    for area_code, share in zip(shares["area_code"], shares["share"], strict=True):
        rows = parts[parts["area_code"] == area_code]
        records.append(
            {
                "area_code": area_code,
                "share": Decimal(share),
                "years": [
                    {"year": year, "low": low, "high": high, "realised": realised}
                    for year, low, high, realised in zip(
                        rows["year"], rows["low"], rows["high"], rows["realised"], strict=True
                    )
                ],
            }
        )
    return records


# --- The lifecycle of a measure ------------------------------------------------------------------

DONE = "done"
# The statuses of a measure that has been decided (and may since have started, been done or been
# delayed). Reaching one of them from another status (proposed or cancelled) is a decision.
DECIDED_STATUSES = frozenset({"decided", "in_progress", DONE, "delayed"})
RECURRING, ONE_OFF = "recurring", "one_off"


def moves_to_decided(old_status: str | None, new_status: str) -> bool:
    """Whether a change from ``old_status`` (None for a new measure) to ``new_status`` decides
    the measure: it needs a decision (deciding body, reference, date, consequence analysis)."""
    return new_status in DECIDED_STATUSES and old_status not in DECIDED_STATUSES


def decision_missing(
    *, body: str, reference: str, date: dt.date | None, consequence_analysis: str
) -> list[str]:
    """The parts of a decision that are missing, by field name, in the form's order."""
    given = {
        "decision_body": bool(body),
        "decision_reference": bool(reference and reference.strip()),
        "decision_date": date is not None,
        "consequence_analysis": bool(consequence_analysis and consequence_analysis.strip()),
    }
    return [name for name, ok in given.items() if not ok]


def first_year_fraction(start: dt.date) -> Decimal:
    """The share of its first calendar year that a measure starting on ``start`` runs, in
    months: the months from the start month on, the start month counted by its days left
    (1 September: 4 months, 4/12; 16 June: 6.5 months, 6.5/12; ``Decimal``, not rounded)."""
    days_in_month = calendar.monthrange(start.year, start.month)[1]
    start_month = Decimal(days_in_month - start.day + 1) / Decimal(days_in_month)
    return (start_month + Decimal(12 - start.month)) / Decimal(12)


def pro_rata_effects(
    *,
    low: Decimal,
    high: Decimal,
    start: dt.date,
    years: Iterable[int],
    recurring: bool = True,
) -> Mapping[int, tuple[Decimal, Decimal]]:
    """A planned effect given as a full-year effect (SEK per year, low–high) and a start date,
    per year of the plan (SEK, rounded to the öre).

    A recurring effect counts pro rata in its first year (``first_year_fraction``) and in full
    in every later year: 12 mnkr a year from 1 September 2024 gives 4 mnkr in 2024 and 12 in
    2025 and 2026. A one-off effect counts only in its year, in full. Years before the start
    get nothing (they are left out).
    """
    cent = Decimal("0.01")
    result: dict[int, tuple[Decimal, Decimal]] = {}
    for year in sorted(years):
        if year < start.year or (not recurring and year != start.year):
            continue
        share = first_year_fraction(start) if recurring and year == start.year else Decimal(1)
        result[year] = ((low * share).quantize(cent), (high * share).quantize(cent))
    return result
