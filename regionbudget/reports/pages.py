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
from regionbudget.core.formatting import (
    format_money,
    format_money_brief,
    format_money_span,
    format_number,
)
from regionbudget.gap import calculations as calc
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


# The outlook's figures as a "what changed" line names them.
OUTLOOK_NAMES = {
    "uncovered_low": gettext_lazy("uncovered now by the forecasts, low end"),
    "uncovered_high": gettext_lazy("uncovered now by the forecasts, high end"),
    "required_now": gettext_lazy("required now by the forecasts"),
    "deviation": gettext_lazy("forecast deviation of the areas"),
}


def _change_text(change: dict, language: str, names=FIGURE_NAMES) -> str:
    """A figure that changed, with its direction and size: "2026, planned, high end: 192,0 mnkr
    → 203,0 mnkr (up 11,0 mnkr)"."""
    if change["figure"] == "probability":
        before = probability_text(_d(change["before"]), language=language)
        after = probability_text(_d(change["after"]), language=language)
        size = _("%(points)s percentage points") % {
            "points": format_number(
                abs(_d(change["after"]) - _d(change["before"])) * 100, places=1, language=language
            )
        }
    else:
        before = format_money(change["before"], language=language)
        after = format_money(change["after"], language=language)
        size = format_money(abs(_d(change["after"]) - _d(change["before"])), language=language)
    template = (
        _("%(year)s, %(figure)s: %(before)s → %(after)s (up %(size)s)")
        if change["direction"] == "up"
        else _("%(year)s, %(figure)s: %(before)s → %(after)s (down %(size)s)")
    )
    return template % {
        "year": change["year"],
        "figure": names.get(change["figure"], change["figure"]),
        "before": before,
        "after": after,
        "size": size,
    }


def _lights_text(lights: dict) -> str:
    """How many of an area's own measures have each light: "2 on track, 1 late"."""
    return ", ".join(
        f"{lights[key]} {str(LIGHTS[key]).lower()}" for key in LIGHTS if lights.get(key)
    ) or _("no measures of its own")


def _area_rows(snapshot: dict) -> tuple[list[dict], dict]:
    """The per-area table: each area, the region-wide measures not split across the areas on
    a line of their own (reports published before that line have none), and the total."""
    rows = [
        {**area, "lights_text": _lights_text(area.get("lights", {}))} for area in snapshot["areas"]
    ]
    unsplit = snapshot.get("areas_unsplit")
    if unsplit:
        rows.append({**unsplit, "code": None, "name": _("Region-wide, not split"), "unsplit": True})
    return rows, calc.group_totals(rows, key="code")


def _safe_svg(svg: str) -> str:
    """The charts' SVG is built by charts.py, which escapes every text it writes."""
    return mark_safe(svg)  # noqa: S308


def _span(low, high, language: str) -> str:
    return format_money_span(low, high, language=language)


def _verdict(low: Decimal, high: Decimal, language: str) -> str:
    """Whether the measures are enough for an uncovered range (SEK), in words: a range that
    crosses zero is said as what may be left and what may be over."""
    if low > 0:
        return _("No: %(range)s is still to be covered.") % {"range": _span(low, high, language)}
    if high <= 0:
        return _("Yes, with %(range)s to spare.") % {"range": _span(-high, -low, language)}
    return _("Perhaps: between %(missing)s still to be covered and %(spare)s to spare.") % {
        "missing": format_money_brief(high, language=language, places=1),
        "spare": format_money_brief(-low, language=language, places=1),
    }


def _deviation_words(deviation: Decimal, language: str) -> str:
    if deviation < 0:
        return _("a deficit of %(amount)s against the budgets") % {
            "amount": format_money(-deviation, language=language)
        }
    if deviation > 0:
        return _("a surplus of %(amount)s against the budgets") % {
            "amount": format_money(deviation, language=language)
        }
    return _("the budgets exactly")


def _range_change_text(
    subject: str, before: tuple[Decimal, Decimal], after: tuple[Decimal, Decimal], language: str
) -> str:
    """How an uncovered range moved since the previous report, with direction and size."""
    moved = calc.range_change(before, after)
    ranges = {
        "subject": subject,
        "before": _span(*before, language),
        "after": _span(*after, language),
    }
    if moved["direction"] == "same":
        return _("%(subject)s: unchanged at %(after)s.") % ranges
    if moved["size"] is not None:
        ranges["size"] = format_money(moved["size"], language=language)
        text = (
            _("%(subject)s: up %(size)s, from %(before)s to %(after)s.")
            if moved["direction"] == "up"
            else _("%(subject)s: down %(size)s, from %(before)s to %(after)s.")
        )
        return text % ranges
    text = (
        _("%(subject)s: up, from %(before)s to %(after)s.")
        if moved["direction"] == "up"
        else _("%(subject)s: down, from %(before)s to %(after)s.")
    )
    return text % ranges


def _before(changes: list[dict], year: int, row: dict) -> tuple[Decimal, Decimal]:
    """The uncovered range of ``row`` as the previous report had it: a figure that did not
    change is the same as now."""
    old = {c["figure"]: c["before"] for c in changes if c["year"] == year}
    return (
        _d(old.get("uncovered_low", row["uncovered_low"])),
        _d(old.get("uncovered_high", row["uncovered_high"])),
    )


def _changes_since(snapshot: dict, focus, outlook_focus, language: str) -> list[str]:
    """The first screen's "what changed since the last meeting": the uncovered range by the
    forecasts and by the plan, each up or down and by how much."""
    changes = snapshot.get("changes") or {}
    year = snapshot["year"]
    lines = []
    if outlook_focus and year in changes.get("outlook_years", []):
        lines.append(
            _range_change_text(
                _("Still to be covered by the forecasts"),
                _before(changes.get("outlook", []), year, outlook_focus),
                (_d(outlook_focus["uncovered_low"]), _d(outlook_focus["uncovered_high"])),
                language,
            )
        )
    elif outlook_focus and "outlook_years" in changes:  # older reports did not compare it
        lines.append(_("The previous report had no outlook for %(year)s.") % {"year": year})
    if focus and focus.get("uncovered_low") is not None:
        lines.append(
            _range_change_text(
                _("Still to be covered by the plan"),
                _before(changes.get("figures", []), year, focus),
                (_d(focus["uncovered_low"]), _d(focus["uncovered_high"])),
                language,
            )
        )
    return lines


def _brief(snapshot: dict, focus, outlook_focus, measures: list[dict], language: str) -> dict:
    """The first screen in plain words: where the year ends and whether the plan is enough,
    what changed since the last meeting, the measures to act on, and how sure it all is."""
    brief: dict = {"year": snapshot["year"]}
    if outlook_focus:
        o = outlook_focus
        brief["heading"] = _(
            "By the areas' forecasts %(round)s, %(year)s ends with %(deviation)s. With "
            "%(outside)s of the reduction outside the area budgets, %(required)s must be saved."
        ) % {
            "round": o["round_label"],
            "year": o["year"],
            "deviation": _deviation_words(_d(o["deviation"]), language),
            "outside": format_money(o["outside_budgets"], language=language),
            "required": format_money(o["required_now"], language=language),
        }
        brief["outlook_verdict"] = _verdict(
            _d(o["uncovered_low"]), _d(o["uncovered_high"]), language
        )
        brief["covered"] = _(
            "Measures not yet in the forecasts: %(range)s. Uncovered now: %(uncovered)s."
        ) % {
            "range": _span(o["covered_low"], o["covered_high"], language),
            "uncovered": _span(o["uncovered_low"], o["uncovered_high"], language),
        }
    if focus and focus.get("uncovered_low") is not None:
        brief["plan"] = _(
            "Required %(required)s; planned measures %(planned)s; uncovered %(uncovered)s."
        ) % {
            "required": format_money(focus["required"], language=language),
            "planned": _span(focus["planned_low"], focus["planned_high"], language),
            "uncovered": _span(focus["uncovered_low"], focus["uncovered_high"], language),
        }
        brief["plan_verdict"] = _verdict(
            _d(focus["uncovered_low"]), _d(focus["uncovered_high"]), language
        )
    if snapshot.get("previous"):
        brief["changes"] = _changes_since(snapshot, focus, outlook_focus, language)
    by_code = {m["code"]: m for m in measures}
    brief["attention"] = [
        by_code[m["code"]] for m in calc.measures_needing_attention(snapshot["measures"])
    ]
    if focus:
        brief["odds"] = _(
            "Expected effect, weighted: %(expected)s. Probability that the measures reach the "
            "required reduction: %(probability)s."
        ) % {
            "expected": format_money(focus["expected"], language=language),
            "probability": focus["probability_text"],
        }
    return brief


def _date_text(value: str) -> str:
    """An ISO date as people read it: "27 oktober 2026", "27 October 2026"."""
    return formats.date_format(dt.date.fromisoformat(value), "j F Y")


def _published_text(value: str | None) -> str:
    """When a report was published (an ISO time), in the local time zone."""
    if not value:
        return ""
    from django.utils import timezone

    moment = timezone.localtime(dt.datetime.fromisoformat(value))
    return formats.date_format(moment, "j F Y, H:i")


def _committee_name(code: str) -> str:
    from regionbudget.reports.models import Meeting

    try:
        return str(Meeting.Committee(code).label)
    except ValueError:
        return code


def report_page(snapshot: dict, *, language: str) -> dict:
    """Template context of a report drawn from its snapshot."""
    axis_number = lambda value: format_number(  # noqa: E731 - a tiny formatter for the charts
        Decimal(str(round(value, 1))), places=1, language=language
    )
    year_labels = {
        "title": _("Required reduction against planned measures, per year (MSEK)"),
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
                row["year"],
                _d(row["uncovered_low"]),
                _d(row["uncovered_high"]),
                language=language,
                places=1,
            ),
        }
        for row in snapshot.get("outlook", [])  # reports published before the outlook have none
    ]
    measures = [
        {**m, "status_label": _status_label(m["status"]), "light_label": LIGHTS[m["light"]]}
        for m in snapshot["measures"]
    ]
    changes = snapshot.get("changes", {})
    kinds = calc.measure_change_kinds(changes.get("status_changes", []))
    outlook_focus = next((row for row in outlook if row["year"] == snapshot["year"]), None)
    area_rows, area_total = _area_rows(snapshot)
    meeting = snapshot["meeting"]
    return {
        "s": snapshot,
        "brief": _brief(snapshot, focus, outlook_focus, measures, language),
        "committee": _committee_name(meeting["committee"]),
        "meeting_date": _date_text(meeting["date"]),
        "published_at": _published_text(snapshot.get("published_at")),
        "previous_date": _date_text(snapshot["previous"]["date"])
        if snapshot.get("previous")
        else "",
        # The weights behind the expectation (reports published before they were kept have
        # none: the method is told without the table).
        "weights": [
            {"status": _status_label(status), "weight": Decimal(weight)}
            for status, weight in (snapshot.get("weights") or {}).items()
        ],
        # The balance requirement ledger as frozen with the report (none in older reports).
        "balance": ledger_page(snapshot.get("balance"), language=language),
        "focus": focus,
        "outlook": outlook,
        "outlook_focus": outlook_focus,
        "sentences": [
            gap_sentence(
                row["year"],
                _d(row["uncovered_low"]),
                _d(row["uncovered_high"]),
                language=language,
                places=1,
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
                    "title": _("Gap bridge %(year)s (MSEK)") % {"year": snapshot["year"]},
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
        "outlook_changes": [
            _change_text(c, language, names=OUTLOOK_NAMES) for c in changes.get("outlook", [])
        ],
        "status_changes": [
            {
                **c,
                "before_label": _status_label(c["before"]),
                "after_label": _status_label(c["after"]),
            }
            for c in kinds["status"]
        ],
        "light_changes": [
            {
                **c,
                "status_label": _status_label(c["after"]),
                "light_before_label": LIGHTS.get(c.get("light_before"), ""),
                "light_after_label": LIGHTS.get(c.get("light_after"), ""),
            }
            for c in kinds["light"]
        ],
        "cancelled_measures": [
            {**c, "before_label": _status_label(c["before"])} for c in kinds["cancelled"]
        ],
        "new_measures": [
            {**c, "status_label": _status_label(c["status"])}
            for c in changes.get("new_measures", [])
        ],
        "removed_measures": changes.get("removed_measures", []),
        "areas": area_rows,
        "area_total": area_total,
    }
