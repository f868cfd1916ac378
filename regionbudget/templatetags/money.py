"""Template filters for money: ``{{ amount|mnkr }}``, ``{{ amount|tkr }}`` (amounts in SEK)."""

from decimal import Decimal

from django import template
from django.utils.html import format_html_join
from django.utils.translation import get_language

from regionbudget.core.formatting import (
    NBSP,
    format_money,
    format_money_range,
    format_money_span,
    format_number,
)

register = template.Library()


def _language() -> str:
    return get_language() or "sv"


@register.filter
def mnkr(value):
    """An amount in SEK shown in millions: ``1 234,5 mnkr``."""
    return format_money(value, "mnkr", language=_language())


@register.filter
def mnkr_signed(value):
    """A change in SEK shown in millions with its sign: ``+12,3 mnkr``, ``−4,0 mnkr``."""
    text = format_money(value, "mnkr", language=_language())
    if value is not None and text[0].isdigit() and any(c != "0" for c in text if c.isdigit()):
        return "+" + text
    return text


@register.filter
def mnkr_size(value):
    """The size of an amount in SEK in millions, without its sign: ``4,0 mnkr``."""
    return format_money(None if value is None else abs(value), "mnkr", language=_language())


@register.filter
def tkr(value):
    """An amount in SEK shown in thousands: ``12 345 tkr``."""
    return format_money(value, "tkr", language=_language())


@register.filter
def mnkr_range(low, high):
    """A planned or uncovered range in millions: ``175–192 mnkr``."""
    if low is None or high is None:
        return "–"
    return format_money_range(low, high, "mnkr", language=_language())


@register.filter
def mnkr_span(low, high):
    """A range as a status report writes it: ``719,0–831,0 mnkr``, one decimal, no line break
    at the dash, words between negative ends (``formatting.format_money_span``)."""
    return format_money_span(low, high, "mnkr", language=_language())


@register.filter
def percent(value):
    """A percentage with one decimal: ``54,0 %``."""
    if value is None:
        return "–"
    return f"{format_number(Decimal(value), places=1, language=_language())}{NBSP}%"


@register.filter
def percent_of_one(value):
    """A fraction of one as a whole percentage: 0.6 → ``60 %``."""
    if value is None:
        return "–"
    return f"{format_number(Decimal(value) * 100, places=0, language=_language())}{NBSP}%"


@register.filter
def status_label(value):
    """A measure status in the user's language."""
    from measures.models import Measure

    try:
        return Measure.Status(value).label
    except ValueError:
        return value


@register.filter
def mnkr_cells(values):
    """A table row's amounts (SEK) as its number cells, ``<td class="num">1 234,5 mnkr</td>``
    each: one filter call per row instead of one template loop step per cell (a dashboard's
    table of 160 areas × 12 rounds drew in a third of the time)."""
    language = _language()
    return format_html_join(
        "",
        '<td class="num">{}</td>',
        ((format_money(v, "mnkr", language=language),) for v in values),
    )
