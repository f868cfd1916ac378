"""Turns the ledger's snapshot (``selectors.balance_snapshot``) into what a page shows: the
statements, the ledger per year, the deficits read three ways, and the flags in plain words.

The same function draws the ledger page, the flag on the overview and the table of a status
report (from the snapshot frozen with it), so that all say the same thing in the same words.
No queries here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _

from regionbudget.balance.figures import LINE_NAMES, SCENARIO_NAMES, SCENARIOS, STATUS_NAMES
from regionbudget.core.formatting import format_money

__all__ = ["ledger_page"]


def _kind_label(kind: str) -> str:
    from regionbudget.balance.models import BalanceYear

    try:
        return str(BalanceYear.Kind(kind).label)
    except ValueError:
        return kind


def _flag_sentence(deficit: dict, scenario: str, language: str) -> str:
    """ "The deficit of 2023 (60,0 mnkr) must be restored by 2026: 25,0 mnkr will remain then
    (as entered)."""
    values = {
        "year": deficit["year"],
        "amount": format_money(deficit["amount"], language=language),
        "deadline": deficit["deadline"],
        "remaining": format_money(deficit["remaining_at_deadline"], language=language),
        "reading": SCENARIO_NAMES[scenario],
    }
    if deficit["status"] == "late_restored":
        return (
            _(
                "The deficit of %(year)s (%(amount)s) is restored only after %(deadline)s, its "
                "deadline (%(reading)s)."
            )
            % values
        )
    if deficit["status"] == "missed":
        return (
            _(
                "The deficit of %(year)s (%(amount)s) was to be restored by %(deadline)s: "
                "%(remaining)s was not (%(reading)s)."
            )
            % values
        )
    return (
        _(
            "The deficit of %(year)s (%(amount)s) must be restored by %(deadline)s: "
            "%(remaining)s will remain then (%(reading)s)."
        )
        % values
    )


def _outlook(snapshot: dict, language: str) -> dict | None:
    """The current year by the forecasts, in words (None in a snapshot without it)."""
    join = snapshot.get("outlook")  # ledgers frozen before the join have none
    if not join:
        return None
    month = formats.date_format(dt.date(join["round"]["year"], join["round"]["month"], 1), "F Y")
    values = {
        "year": join["year"],
        "month": month,
        "low": format_money(join["improvement_low"], language=language),
        "high": format_money(join["improvement_high"], language=language),
        "required": format_money(join["required"], language=language),
        "uncovered_low": format_money(join["uncovered_low"], language=language),
        "uncovered_high": format_money(join["uncovered_high"], language=language),
    }
    if not join["joined"]:
        sentence = (
            _(
                "The forecasts after %(month)s say where %(year)s is heading, but no forecast "
                "statement for %(year)s has been entered: the ledger reads %(year)s without them."
            )
            % values
        )
    else:
        values["plan_low"] = format_money(join["plan_improvement_low"], language=language)
        values["plan_high"] = format_money(join["plan_improvement_high"], language=language)
        sentence = (
            _(
                "%(year)s is read by the forecasts after %(month)s: the requirement of "
                "%(required)s less the %(uncovered_low)s to %(uncovered_high)s that the forecasts "
                "still leave uncovered improves the entered forecast by %(low)s to %(high)s "
                "(by the plan alone: %(plan_low)s to %(plan_high)s)."
            )
            % values
        )
    return {**join, "month": month, "sentence": sentence}


def ledger_page(snapshot: dict | None, *, language: str) -> dict:
    """Template context of the ledger drawn from its snapshot; empty without one."""
    if not snapshot or not snapshot.get("statements"):
        return {"has_ledger": False, "has_flags": False, "flags": []}
    ledgers = snapshot["ledgers"]
    outlook = _outlook(snapshot, language)
    statements = [
        {
            **s,
            "kind_label": _kind_label(s["kind"]),
            "lines": [
                {**line, "kind_label": LINE_NAMES.get(line["kind"], line["kind"])}
                for line in s["lines"]
            ],
        }
        for s in snapshot["statements"]
    ]
    by_year = {
        scenario: {y["year"]: y for y in ledgers[scenario]["years"]} for scenario in SCENARIOS
    }
    years = [
        {
            "year": y["year"],
            "forecast": y["forecast"],
            "balance_result": y["balance_result"],
            "improvement_low": by_year["low"][y["year"]]["improvement"],
            "improvement_high": by_year["high"][y["year"]]["improvement"],
            "owed": [by_year[scenario][y["year"]]["owed"] for scenario in SCENARIOS],
            "by_forecasts": bool(outlook and outlook["joined"] and outlook["year"] == y["year"]),
        }
        for y in ledgers["entered"]["years"]
    ]
    deficits_by = {
        scenario: {d["year"]: d for d in ledgers[scenario]["deficits"]} for scenario in SCENARIOS
    }
    deficit_years = sorted(set().union(*(set(d) for d in deficits_by.values())))
    deficits = []
    for year in deficit_years:
        first = next(deficits_by[s][year] for s in SCENARIOS if year in deficits_by[s])
        cells = []
        for scenario in SCENARIOS:
            deficit = deficits_by[scenario].get(year)
            cells.append(
                {
                    "scenario": scenario,
                    "present": deficit is not None,
                    "amount": deficit["amount"] if deficit else None,
                    "restored": deficit["restored"] if deficit else None,
                    "remaining": deficit["remaining"] if deficit else None,
                    "status": deficit["status"] if deficit else None,
                    "status_label": STATUS_NAMES.get(deficit["status"]) if deficit else None,
                    "flagged": bool(deficit and deficit["flagged"]),
                    "restorations": deficit["restorations"] if deficit else [],
                }
            )
        deficits.append({"year": year, "deadline": first["deadline"], "cells": cells})
    flags = [
        {
            "scenario": scenario,
            "sentence": _flag_sentence(d, scenario, language),
        }
        for scenario in SCENARIOS
        for d in ledgers[scenario]["deficits"]
        if d["flagged"]
    ]
    owed = {scenario: Decimal(ledgers[scenario]["owed"]) for scenario in SCENARIOS}
    return {
        "has_ledger": True,
        "plan_name": snapshot.get("plan"),
        "statements": statements,
        "years": years,
        "deficits": deficits,
        "scenarios": [{"key": s, "label": SCENARIO_NAMES[s]} for s in SCENARIOS],
        "flags": flags,
        "has_flags": bool(flags),
        "owed": [owed[s] for s in SCENARIOS],
        "outlook": outlook,
    }
