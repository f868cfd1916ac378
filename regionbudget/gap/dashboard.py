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
    format_number,
)
from regionbudget.gap import charts
from regionbudget.gap.calculations import deviation_totals
from regionbudget.gap.figures import GROUP_FIGURES, YEAR_FIGURES, figure_label
from regionbudget.gap.selectors import GapData

__all__ = ["GapPage", "gap_csv", "gap_export", "gap_page", "gap_sentence", "probability_text"]


def gap_sentence(year: int, low: Decimal | None, high: Decimal | None, *, language: str) -> str:
    """One sentence on the uncovered range of a year: "2024: 132–149 mnkr saknas"."""
    if low is None or high is None:
        return _("%(year)s: no target set") % {"year": year}
    if low > 0:
        return _("%(year)s: %(range)s missing") % {
            "year": year,
            "range": format_money_range(low, high, language=language),
        }
    if high <= 0:
        return _("%(year)s: covered, with %(range)s to spare") % {
            "year": year,
            "range": format_money_range(-high, -low, language=language),
        }
    return _("%(year)s: between %(missing)s missing and %(spare)s to spare") % {
        "year": year,
        "missing": format_money_brief(high, language=language),
        "spare": format_money_brief(-low, language=language),
    }


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
    area_chart: dict | None
    category_rows: list[dict]
    category_chart: dict | None
    measure_rows: list[dict]
    deviation_chart: dict | None = None
    deviation_rounds: list[str] = field(default_factory=list)
    deviation_rows: list[dict] = field(default_factory=list)
    deviation_sentence: str = ""


def _round_label(year: int, month: int) -> str:
    return _("after %(month)s") % {"month": formats.date_format(dt.date(year, month, 1), "F Y")}


def _deviation_view(deviations: pd.DataFrame, *, language: str) -> dict:
    """Forecast deviation per area over the rounds: chart, table rows and a sentence."""
    if deviations.empty:
        return {}
    labels = [
        _round_label(y, m) for y, m in zip(deviations["year"], deviations["month"], strict=True)
    ]
    frame = pd.DataFrame(
        {"area": deviations["area_name"], "round": labels, "deviation": deviations["deviation"]}
    )
    rounds = list(dict.fromkeys(labels))
    rows: dict[str, dict] = {}
    for area, label, value in zip(frame["area"], frame["round"], frame["deviation"], strict=True):
        rows.setdefault(area, {"area": area, "values": {}})["values"][label] = value
    table = [
        {"area": row["area"], "values": [row["values"].get(label) for label in rounds]}
        for row in rows.values()
    ]
    totals = [amount for _year, _month, amount in deviation_totals(deviations)]
    table.append({"area": _("All areas"), "values": totals, "total": True})
    chart = charts.forecast_deviation_figure(frame.dropna(subset=["deviation"]), axis="mnkr")
    sentence = _("Latest forecast deviation (%(round)s): %(amount)s.") % {
        "round": rounds[-1],
        "amount": format_money(totals[-1], language=language),
    }
    return {
        "deviation_chart": _figure_json(chart.update_layout(separators=_separators(language))),
        "deviation_rounds": rounds,
        "deviation_rows": table,
        "deviation_sentence": sentence,
    }


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
    coverage_labels = {
        "low": _("Coverage, low end"),
        "range": _("Coverage, range to high end"),
        "axis": _("Planned effect as a share of the target"),
        **data.area_names,
    }
    area_chart = (
        _figure_json(charts.coverage_figure(data.by_area, by="area_code", labels=coverage_labels))
        if not data.by_area.empty and data.by_area["coverage_low"].notna().any()
        else None
    )
    category_rows = data.by_category.to_dict("records")
    category_chart = (
        _figure_json(
            charts.coverage_figure(data.by_category, by="category", labels=coverage_labels)
        )
        if not data.by_category.empty and data.by_category["coverage_low"].notna().any()
        else None
    )

    deviation = _deviation_view(data.deviations, language=language)
    return GapPage(
        **deviation,
        year_rows=year_rows,
        sentences=sentences,
        year_chart=_figure_json(year_chart.update_layout(separators=_separators(language))),
        bridge_chart=bridge_chart,
        bridge_rows=bridge_rows,
        bridge_sentence=bridge_sentence,
        area_rows=area_rows,
        area_chart=area_chart,
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
        "weights": {status: _plain(weight, 3) for status, weight in data.weights.items()},
    }


def gap_csv(data: GapData, filters, out) -> None:
    """The per-year figures as CSV rows (``;``, decimal point, SEK) written to ``out``."""
    import csv

    writer = csv.writer(out, delimiter=";")
    writer.writerow([*_YEAR_FIELDS, "probability"])
    for row in data.by_year.to_dict("records"):
        writer.writerow(
            ["" if row[k] is None else _plain(row[k]) for k in _YEAR_FIELDS]
            + [_plain(data.probability.get(row["year"]), 3) or ""]
        )
