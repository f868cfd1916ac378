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

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from regionbudget.core.money import HUNDRED, ZERO

__all__ = [
    "CANCELLED",
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
