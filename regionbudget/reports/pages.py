"""Turns a status report's snapshot into what the page, the print and the PDF show.

Everything comes from the snapshot (frozen at publishing), never from live data, so that a
published report reads the same forever. The same words as the dashboard (``dashboard``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import formats
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from regionbudget.balance.pages import ledger_page
from regionbudget.core.formatting import format_money, format_money_range, format_number
from regionbudget.gap import charts
from regionbudget.gap.dashboard import gap_sentence, probability_text
from regionbudget.gap.figures import FIGURE_NAMES, figure_label

__all__ = ["LIGHTS", "report_page"]

LIGHTS = {
    "on_track": gettext_lazy("On track"),
    "at_risk": gettext_lazy("At risk"),
    "late": gettext_lazy("Late"),
    "cancelled": gettext_lazy("Cancelled"),
}


def _d(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def _status_label(status: str) -> str:
    from measures.models import Measure

    try:
        return str(Measure.Status(status).label)
    except ValueError:
        return status


def _change_text(change: dict, language: str) -> str:
    if change["figure"] == "probability":
        before = probability_text(_d(change["before"]), language=language)
        after = probability_text(_d(change["after"]), language=language)
    else:
        before = format_money(change["before"], language=language)
        after = format_money(change["after"], language=language)
    direction = _("up") if change["direction"] == "up" else _("down")
    return _("%(year)s, %(figure)s: %(before)s → %(after)s (%(direction)s)") % {
        "year": change["year"],
        "figure": FIGURE_NAMES.get(change["figure"], change["figure"]),
        "before": before,
        "after": after,
        "direction": direction,
    }


def _area_sentence(area: dict, language: str) -> str:
    lights = area.get("lights", {})
    counts = ", ".join(
        f"{lights[key]} {str(LIGHTS[key]).lower()}" for key in LIGHTS if lights.get(key)
    ) or _("no measures of its own")
    planned = _("planned %(range)s") % {
        "range": format_money_range(area["planned_low"], area["planned_high"], language=language)
    }
    parts = [planned]
    if area.get("required") is not None:
        parts.insert(
            0,
            _("target %(amount)s") % {"amount": format_money(area["required"], language=language)},
        )
        if area.get("coverage_low") is not None:
            parts.append(
                _("covering %(low)s–%(high)s %%")
                % {
                    "low": format_number(
                        Decimal(area["coverage_low"]), places=0, language=language
                    ),
                    "high": format_number(
                        Decimal(area["coverage_high"]), places=0, language=language
                    ),
                }
            )
    parts.append(
        _("realised so far %(amount)s")
        % {"amount": format_money(area["realised"], language=language)}
    )
    return f"{'; '.join(parts)}. {_('Measures')}: {counts}."


def _safe_svg(svg: str) -> str:
    """The charts' SVG is built by charts.py, which escapes every text it writes."""
    return mark_safe(svg)  # noqa: S308


def report_page(snapshot: dict, *, language: str) -> dict:
    """Template context of a report drawn from its snapshot."""
    axis_number = lambda value: format_number(  # noqa: E731 - a tiny formatter for the charts
        Decimal(str(round(value, 1))), places=0 if value == int(value) else 1, language=language
    )
    year_labels = {
        "title": _("Required reduction against planned measures, per year (mnkr)"),
        **{key: figure_label(key) for key in ("required", "planned_low", "realised")},
        "planned_range": _("range to high end"),
    }
    by_year = [
        {**row, "probability_text": probability_text(_d(row["probability"]), language=language)}
        for row in snapshot["by_year"]
    ]
    focus = next((row for row in by_year if row["year"] == snapshot["year"]), None)
    outlook = [
        {
            **row,
            "round_label": _("after %(month)s")
            % {
                "month": formats.date_format(
                    dt.date(row["round"]["year"], row["round"]["month"], 1), "F Y"
                )
            },
            "sentence": gap_sentence(
                row["year"], _d(row["uncovered_low"]), _d(row["uncovered_high"]), language=language
            ),
        }
        for row in snapshot.get("outlook", [])  # reports published before the outlook have none
    ]
    measures = [
        {**m, "status_label": _status_label(m["status"]), "light_label": LIGHTS[m["light"]]}
        for m in snapshot["measures"]
    ]
    changes = snapshot.get("changes", {})
    return {
        "s": snapshot,
        # The balance requirement ledger as frozen with the report (none in older reports).
        "balance": ledger_page(snapshot.get("balance"), language=language),
        "focus": focus,
        "outlook": outlook,
        "outlook_focus": next((row for row in outlook if row["year"] == snapshot["year"]), None),
        "sentences": [
            gap_sentence(
                row["year"], _d(row["uncovered_low"]), _d(row["uncovered_high"]), language=language
            )
            for row in snapshot["by_year"]
        ],
        "by_year": by_year,
        "years_svg": _safe_svg(
            charts.gap_years_svg(snapshot["by_year"], labels=year_labels, number=axis_number)
        ),
        "bridge_svg": _safe_svg(
            charts.gap_bridge_svg(
                snapshot["bridge"],
                labels={
                    "title": _("Gap bridge %(year)s (mnkr)") % {"year": snapshot["year"]},
                    "required": _("Required"),
                    "uncovered": _("Uncovered"),
                },
                number=axis_number,
            )
        )
        if snapshot["bridge"]
        else "",
        "bridge": [
            {
                **step,
                "name": {"required": _("Required"), "uncovered": _("Uncovered")}.get(
                    step["label"], step["label"]
                )
                if step["kind"] != "measure"
                else step["label"],
            }
            for step in snapshot["bridge"]
        ],
        "measures": measures,
        "highlighted": [m for m in measures if m.get("highlighted")],
        "figure_changes": [_change_text(c, language) for c in changes.get("figures", [])],
        "status_changes": [
            {
                **c,
                "before_label": _status_label(c["before"]),
                "after_label": _status_label(c["after"]),
                "light_after_label": LIGHTS.get(c.get("light_after"), ""),
            }
            for c in changes.get("status_changes", [])
        ],
        "new_measures": [
            {**c, "status_label": _status_label(c["status"])}
            for c in changes.get("new_measures", [])
        ],
        "removed_measures": changes.get("removed_measures", []),
        "areas": [
            {"name": area["name"], "sentence": _area_sentence(area, language)}
            for area in snapshot["areas"]
        ],
    }
