"""The measure list as a table (django-tables2), fed with computed rows and a totals row."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from measures.calculations import Totals
from measures.models import Measure
from regionbudget.core.formatting import format_money

__all__ = ["MeasureTable"]


def _money(value) -> str:
    return format_money(value, "mnkr", language=get_language() or "sv")


class MoneyColumn(tables.Column):
    """An amount in SEK shown in MSEK, right-aligned, with its total in the footer."""

    def __init__(self, *args, total: str, **kwargs):
        attrs = {"td": {"class": "num"}, "th": {"class": "num"}, "tf": {"class": "num"}}
        super().__init__(*args, attrs=attrs, **kwargs)
        self.total = total

    def render(self, value):
        return _money(value)

    def value(self, value):
        return value

    def render_footer(self, bound_column, table):
        return _money(getattr(table.totals, self.total))


class MeasureTable(tables.Table):
    """One row per measure in the chosen year: planned range and realised effect (MSEK).

    Rows are dicts from ``measures.calculations``; amounts are the area's share where the list is
    seen from an area. The footer holds the totals (cancelled measures out of the planned ones).
    """

    code = tables.Column(verbose_name=_("Code"), footer=_("Total"))
    title = tables.Column(verbose_name=_("Measure"))
    category = tables.Column(verbose_name=_("Category"))
    area_label = tables.Column(verbose_name=_("Area"), order_by=("area_label",))
    status = tables.Column(verbose_name=_("Status"))
    low = MoneyColumn(verbose_name=_("Planned, low"), total="low")
    high = MoneyColumn(verbose_name=_("Planned, high"), total="high")
    realised = MoneyColumn(verbose_name=_("Realised"), total="realised")

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle", "id": "measure-table"}
        empty_text = _("No measures match the filter.")
        orderable = True
        order_by = ("code",)
        sequence = ("code", "title", "category", "area_label", "status", "low", "high", "realised")
        row_attrs = {
            "class": lambda record: "measure-cancelled" if record["status"] == "cancelled" else ""
        }

    def __init__(self, data, *, totals: Totals, region_label: str, **kwargs):
        rows = [
            {
                **row,
                "area_code": row["area_code"] if isinstance(row["area_code"], str) else None,
                "area_label": row["area_code"]
                if isinstance(row["area_code"], str)
                else region_label,
                "share": row.get("share"),
            }
            for row in data
        ]
        super().__init__(rows, **kwargs)
        self.totals = totals

    def render_code(self, value, record):
        url = reverse("measures:measure_detail", args=[record["measure_id"]])
        return format_html('<a href="{}">{}</a>', url, value)

    def render_status(self, value):
        return Measure.Status(value).label

    def render_area_label(self, value, record):
        share = record.get("share")
        if record["area_code"] is None and share is not None and share != 100:
            return format_html(
                '{} <span class="text-body-secondary">({}\u00a0%)</span>',
                value,
                f"{share.normalize():f}".replace(".", ","),
            )
        return value
