"""Turns ``GapData`` into what a page shows: sentences, table rows and chart figures.

Used by the gap dashboard and by the status reports, so that both say the same thing in the
same words. No queries here: everything comes from ``selectors.gap_data``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
from django.utils import formats
from django.utils.translation import gettext as _

from regionbudget.core.formatting import (
    format_money,
    format_money_brief,
    format_money_range,
    format_money_span,
    format_number,
)
from regionbudget.gap import charts
from regionbudget.gap.calculations import (
    deviation_totals,
    group_totals,
    lowest_coverage,
    top_movers,
)
from regionbudget.gap.figures import (
    GROUP_FIGURES,
    OUTLOOK_FIGURES,
    YEAR_FIGURES,
    figure_label,
)
from regionbudget.gap.selectors import GapData

__all__ = [
    "GapPage",
    "deviation_view",
    "gap_csv",
    "gap_export",
    "gap_page",
    "gap_sentence",
    "outlook_rows",
    "probability_text",
]


def gap_sentence(
    year: int,
    low: Decimal | None,
    high: Decimal | None,
    *,
    language: str,
    places: int | None = None,
) -> str:
    """One sentence on the uncovered range of a year: "2024: 132–149 mnkr saknas". ``places``:
    the decimals of every amount (a status report's one), else only where a figure needs them."""
    if low is None or high is None:
        return _("%(year)s: no target set") % {"year": year}
    if low > 0:
        return _("%(year)s: %(range)s missing") % {
            "year": year,
            "range": _range_text(low, high, language=language, places=places),
        }
    if high <= 0:
        return _("%(year)s: covered, with %(range)s to spare") % {
            "year": year,
            "range": _range_text(-high, -low, language=language, places=places),
        }
    return _("%(year)s: between %(missing)s missing and %(spare)s to spare") % {
        "year": year,
        "missing": format_money_brief(high, language=language, places=places),
        "spare": format_money_brief(-low, language=language, places=places),
    }


def _range_text(low: Decimal, high: Decimal, *, language: str, places: int | None) -> str:
    if places is None:
        return format_money_range(low, high, language=language)
    return format_money_span(low, high, language=language, places=places)


def probability_text(probability: Decimal | None, *, language: str) -> str:
    """A probability (0–1) as a percentage with one decimal: ``0,2 %``."""
    if probability is None:
        return "–"
    return f"{format_number(probability * 100, places=1, language=language)}\u00a0%"


@dataclass
class GapPage:
    year_rows: list[dict]
    sentences: list[str]
    year_chart: dict
    bridge_chart: dict | None
    bridge_rows: list[dict]
    bridge_sentence: str
    area_rows: list[dict]
    area_total: dict
    area_chart: dict | None
    category_rows: list[dict]
    category_chart: dict | None
    measure_rows: list[dict]
    deviation_chart: dict | None = None
    deviation_rounds: list[str] = field(default_factory=list)
    deviation_rows: list[dict] = field(default_factory=list)
    deviation_sentence: str = ""
    deviation_movers: list[dict] = field(default_factory=list)
    deviation_others: list[str] = field(default_factory=list)
    deviation_picker: dict | None = None
    outlook_rows: list[dict] = field(default_factory=list)
    outlook_headline: dict | None = None
    outlook_chart: dict | None = None
    # Set when the area chart shows only the areas that cover least of their target.
    area_chart_note: str = ""


def _round_label(year: int, month: int) -> str:
    return _("after %(month)s") % {"month": formats.date_format(dt.date(year, month, 1), "F Y")}


def deviation_view(deviations: pd.DataFrame, *, language: str) -> dict:
    """Forecast deviation per area over the rounds: chart (the total and the areas that moved
    most), the other areas for the chart's picker, table rows and sentences."""
    if deviations.empty:
        return {}
    ordered = deviations.sort_values(["year", "month"], kind="stable")
    # One label per round, not per row (160 areas × 12 rounds at twenty regions' scale).
    keys = list(zip(ordered["year"], ordered["month"], strict=True))
    named = {key: _round_label(*key) for key in set(keys)}
    labels = [named[key] for key in keys]
    rounds = list(dict.fromkeys(labels))
    rows: dict[str, dict] = {}
    for area, label, value in zip(ordered["area_name"], labels, ordered["deviation"], strict=True):
        rows.setdefault(area, {"area": area, "values": {}})["values"][label] = value
    table = [
        {"area": row["area"], "values": [row["values"].get(label) for label in rounds]}
        for row in rows.values()
    ]
    totals = [amount for _year, _month, amount in deviation_totals(ordered)]
    # One area (a director's view) is its own total: one line, nothing to pick.
    movers = top_movers(table, count=charts.DEVIATION_AREA_LINES) if len(table) > 1 else []
    shown = {row["area"] for row in movers}
    others = sorted(
        (row for row in table if movers and row["area"] not in shown), key=lambda r: r["area"]
    )
    total_label = _("All areas")
    chart = charts.forecast_deviation_figure(
        rounds,
        totals,
        {row["area"]: row["values"] for row in movers},
        labels={
            "total": total_label,
            "areas": _("The areas whose forecasts moved most"),
            "axis": _("MSEK") if not language.startswith("sv") else "mnkr",
        },
    )
    picker = charts.deviation_picker_data(
        rounds, {row["area"]: row["values"] for row in others}, first_index=len(movers)
    )
    table.append({"area": total_label, "values": totals, "total": True})
    sentence = _("Latest forecast deviation (%(round)s): %(amount)s.") % {
        "round": rounds[-1],
        "amount": format_money(totals[-1], language=language),
    }
    return {
        "deviation_chart": _figure_json(chart.update_layout(separators=_separators(language))),
        "deviation_rounds": rounds,
        "deviation_rows": table,
        "deviation_sentence": sentence,
        "deviation_movers": [
            {
                "area": row["area"],
                # "+8,0 mnkr": a forecast that improved; "−10,0 mnkr": one that worsened.
                "change": ("+" if row["change"] > 0 else "")
                + format_money(row["change"], language=language),
                "latest": format_money(row["latest"], language=language),
            }
            for row in movers
        ],
        "deviation_others": [row["area"] for row in others],
        "deviation_picker": picker if others else None,
    }


def outlook_rows(data: GapData, *, language: str) -> list[dict]:
    """The outlook of each year that has one, with the plan's uncovered range beside it: the
    figures, the round it comes from, the areas still missing and the measures in and not in
    the forecasts (names and codes), and a sentence."""
    plan_rows = {row["year"]: row for row in data.by_year.to_dict("records")}
    rows = []
    for year in data.years:
        outlook = data.outlooks.get(year)
        if outlook is None:
            continue
        plan = plan_rows.get(year, {})
        rows.append(
            {
                "year": year,
                "round": _round_label(*data.round_months[outlook.round_id]),
                "deviation": outlook.deviation,
                "outside_budgets": outlook.outside_budgets,
                "required_now": outlook.required_now,
                "covered_low": outlook.covered_low,
                "covered_high": outlook.covered_high,
                "uncovered_low": outlook.uncovered_low,
                "uncovered_high": outlook.uncovered_high,
                "missing": [data.area_names.get(c, c) for c in outlook.missing],
                "in_forecast": list(outlook.in_forecast),
                "not_in_forecast": list(outlook.not_in_forecast),
                "plan_uncovered_low": plan.get("uncovered_low"),
                "plan_uncovered_high": plan.get("uncovered_high"),
                "sentence": gap_sentence(
                    year, outlook.uncovered_low, outlook.uncovered_high, language=language
                ),
            }
        )
    return rows


def _outlook_chart(data: GapData, *, year: int, language: str) -> dict | None:
    """The chosen year's outlook round by round against the plan's uncovered range."""
    if not data.outlook_rounds:
        return None
    plan = next((r for r in data.by_year.to_dict("records") if r["year"] == year), {})
    figure = charts.outlook_rounds_figure(
        [_round_label(*data.round_months[o.round_id]) for o in data.outlook_rounds],
        [o.uncovered_low for o in data.outlook_rounds],
        [o.uncovered_high for o in data.outlook_rounds],
        plan.get("uncovered_low"),
        plan.get("uncovered_high"),
        labels={
            "outlook": _("Uncovered now, by the forecasts (range)"),
            "plan": _("Uncovered by the plan, high end"),
            "axis": _("MSEK") if not language.startswith("sv") else "mnkr",
        },
    )
    return _figure_json(figure.update_layout(separators=_separators(language)))


def _figure_json(figure) -> dict:
    return json.loads(figure.to_json())


def _separators(language: str) -> str:
    return ", " if language.startswith("sv") else ".,"


def gap_page(data: GapData, *, year: int, language: str) -> GapPage:
    """Rows, sentences and figures of the dashboard for ``year`` (the bridge and the groups)."""
    axis = _("MSEK") if not language.startswith("sv") else "mnkr"
    year_rows = []
    sentences = []
    for row in data.by_year.to_dict("records"):
        probability = data.probability.get(row["year"])
        year_rows.append({**row, "probability": probability_text(probability, language=language)})
        sentences.append(
            gap_sentence(
                row["year"], row["uncovered_low"], row["uncovered_high"], language=language
            )
        )
    year_chart = charts.gap_years_figure(
        data.by_year,
        labels={
            **{key: figure_label(key) for key in ("required", "planned_low", "realised")},
            "planned_range": _("Planned, range to high end"),
            "expected": figure_label("expected"),
            "axis": axis,
        },
    )
    bridge_chart = None
    bridge_rows = []
    bridge_sentence = ""
    if data.bridge:
        labels = {"required": _("Required"), "uncovered": _("Uncovered"), "axis": axis}
        bridge_chart = _figure_json(
            charts.gap_bridge_figure(data.bridge, labels=labels).update_layout(
                separators=_separators(language)
            )
        )
        bridge_rows = [
            {
                "label": labels.get(step.label, step.label)
                if step.kind != "measure"
                else step.label,
                "kind": step.kind,
                "amount": step.amount,
                "running": step.running,
            }
            for step in data.bridge
        ]
        bridge_sentence = _(
            "Planned measures at the low end of their ranges leave %(amount)s uncovered."
        ) % {"amount": format_money(data.bridge[-1].amount, language=language)}

    area_rows = [
        {
            **row,
            "name": data.area_names.get(row["area_code"], row["area_code"]),
            "area_id": data.area_ids.get(row["area_code"]),
        }
        for row in data.by_area.to_dict("records")
    ]
    area_total = group_totals(area_rows)
    coverage_labels = {
        "low": _("Coverage, low end"),
        "range": _("Coverage, range to high end"),
        "axis": _("Planned effect as a share of the target"),
        **data.area_names,
    }
    area_chart = None
    area_chart_note = ""
    if not data.by_area.empty:
        shown = lowest_coverage(data.by_area, by="area_code", count=charts.COVERAGE_AREA_BARS)
        if not shown.empty:
            area_chart = _figure_json(
                charts.coverage_figure(shown, by="area_code", labels=coverage_labels)
            )
        with_target = int(data.by_area["coverage_low"].notna().sum())
        if len(shown) < with_target:
            area_chart_note = _(
                "The chart shows the %(shown)s areas (of %(all)s with a target) whose measures "
                "cover least of their target, lowest first; the table lists every area."
            ) % {"shown": len(shown), "all": with_target}
    category_rows = data.by_category.to_dict("records")
    category_chart = (
        _figure_json(
            charts.coverage_figure(data.by_category, by="category", labels=coverage_labels)
        )
        if not data.by_category.empty and data.by_category["coverage_low"].notna().any()
        else None
    )

    deviation = deviation_view(data.deviations, language=language)
    outlooks = outlook_rows(data, language=language)
    return GapPage(
        outlook_rows=outlooks,
        outlook_headline=next((row for row in outlooks if row["year"] == year), None),
        outlook_chart=_outlook_chart(data, year=year, language=language),
        **deviation,
        year_rows=year_rows,
        sentences=sentences,
        year_chart=_figure_json(year_chart.update_layout(separators=_separators(language))),
        bridge_chart=bridge_chart,
        bridge_rows=bridge_rows,
        bridge_sentence=bridge_sentence,
        area_rows=area_rows,
        area_total=area_total,
        area_chart=area_chart,
        area_chart_note=area_chart_note,
        category_rows=category_rows,
        category_chart=category_chart,
        measure_rows=data.measures.to_dict("records"),
    )


_YEAR_FIELDS = ["year", *YEAR_FIGURES]
_GROUP_FIELDS = GROUP_FIGURES


def _plain(value, places: int = 2):
    """JSON-safe: amounts as decimal strings in kronor and öre (half up), None as null."""
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
    return value


def gap_export(data: GapData, filters) -> dict:
    """The dashboard's figures as plain data (SEK as decimal strings), for JSON."""
    return {
        "plan": filters.plan.name,
        "year": filters.year,
        "area": filters.area.code if filters.area else None,
        "areas_in_scope": data.area_codes,
        "category": filters.category,
        "unit": "SEK",
        "by_year": [
            {
                **{k: _plain(row[k]) for k in _YEAR_FIELDS},
                "probability": _plain(data.probability.get(row["year"]), 3),
            }
            for row in data.by_year.to_dict("records")
        ],
        "by_area": [
            {"area": row["area_code"], **{k: _plain(row[k]) for k in _GROUP_FIELDS}}
            for row in data.by_area.to_dict("records")
        ],
        "by_category": [
            {"category": row["category"], **{k: _plain(row[k]) for k in _GROUP_FIELDS[:4]}}
            for row in data.by_category.to_dict("records")
        ],
        "outlook": [
            {
                "year": row["year"],
                "round": data.round_months[data.outlooks[row["year"]].round_id][1],
                "round_year": data.round_months[data.outlooks[row["year"]].round_id][0],
                **{key: _plain(row[key]) for key in OUTLOOK_FIGURES},
                "missing_areas": list(data.outlooks[row["year"]].missing),
                "measures_in_forecast": row["in_forecast"],
                "measures_not_in_forecast": row["not_in_forecast"],
            }
            for row in outlook_rows(data, language="en")
        ],
        "weights": {status: _plain(weight, 3) for status, weight in data.weights.items()},
    }


def gap_csv(data: GapData, filters, out) -> None:
    """The per-year figures as CSV rows (``;``, decimal point, SEK) written to ``out``."""
    import csv

    writer = csv.writer(out, delimiter=";")
    writer.writerow([*_YEAR_FIELDS, "probability", "outlook_round", *OUTLOOK_FIGURES])
    for row in data.by_year.to_dict("records"):
        outlook = data.outlooks.get(row["year"])
        if outlook is None:
            outlook_cells = [""] * (1 + len(OUTLOOK_FIGURES))
        else:
            round_year, month = data.round_months[outlook.round_id]
            outlook_cells = [f"{round_year}-{month:02d}"] + [
                _plain(getattr(outlook, key)) for key in OUTLOOK_FIGURES
            ]
        writer.writerow(
            ["" if row[k] is None else _plain(row[k]) for k in _YEAR_FIELDS]
            + [_plain(data.probability.get(row["year"]), 3) or ""]
            + outlook_cells
        )
