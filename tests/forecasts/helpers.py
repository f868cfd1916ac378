"""Small builders shared by the forecast tests (on top of the demo seed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model

from forecasts.calculations import cell_key
from forecasts.imports import FigureRow, row_to_json
from forecasts.models import AccountGroup, ImportUpload
from forecasts.services import LineInput, import_upload_stage, round_open
from regionbudget.core.models import Area, Unit

PLAN = "Ekonomi i balans 2024–2026"


def user(username: str):
    return get_user_model().objects.get(username=username)


def area(code: str) -> Area:
    return Area.objects.get(code=code)


def new_round(*, month: int = 11, year: int = 2024, threshold: str = "500000", deadline=None):
    """A fresh open round (the demo has September and October 2024)."""
    return round_open(
        year=year,
        month=month,
        deadline=deadline or dt.date(2099, 12, 10),
        user=user("ekonom"),
        comment_threshold=Decimal(threshold),
    )


def cells(area_obj: Area) -> list[tuple[int, int]]:
    units = Unit.objects.filter(area=area_obj, is_active=True).order_by("code")
    groups = list(AccountGroup.objects.all())
    return [(u.pk, g.pk) for u in units for g in groups]


def lines_like_budget(area_obj: Area, year: int = 2024) -> dict[tuple[int, int], LineInput]:
    """A forecast equal to the budget in every cell (no deviation, no comment needed)."""
    from forecasts.models import Budget

    budgets = {
        (b.unit_id, b.account_group_id): b.amount
        for b in Budget.objects.filter(unit__area=area_obj, year=year)
    }
    return {cell: LineInput(budgets.get(cell, Decimal(0))) for cell in cells(area_obj)}


def grid_post(lines: dict, *, version: int, action: str = "save", **extra) -> dict:
    """The POST body of the grid: amounts in tkr the Swedish way, comments, version, action."""
    from forecasts.forms import amount_input_text

    data = {"version": str(version), "action": action}
    for cell, line in lines.items():
        data[cell_key("line", cell)] = amount_input_text(line.amount)
        data[cell_key("comment", cell)] = line.comment
    data.update(extra)
    return data


def staged_upload(kind: str, rows: list[FigureRow], username: str = "ekonom") -> ImportUpload:
    """A checked budget or actuals upload of ``rows``, as the upload page stores it."""
    return import_upload_stage(
        kind=kind,
        filename="fil.csv",
        rows=[row_to_json(row) for row in rows],
        errors=[],
        row_count=len(rows),
        user=user(username),
    )
