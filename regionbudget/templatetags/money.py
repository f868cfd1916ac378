"""Template filters for money: ``{{ amount|mnkr }}``, ``{{ amount|tkr }}`` (amounts in SEK)."""

from django import template
from django.utils.translation import get_language

from regionbudget.formatting import format_money

register = template.Library()


def _language() -> str:
    return get_language() or "sv"


@register.filter
def mnkr(value):
    """An amount in SEK shown in millions: ``1 234,5 mnkr``."""
    return format_money(value, "mnkr", language=_language())


@register.filter
def tkr(value):
    """An amount in SEK shown in thousands: ``12 345 tkr``."""
    return format_money(value, "tkr", language=_language())
