"""Template filters of the measure register."""

from decimal import Decimal

from django import template
from django.utils.translation import get_language

from regionbudget.core.formatting import format_number
from regionbudget.core.money import MSEK

register = template.Library()


@register.filter
def msek_number(value):
    """An amount in SEK as a bare MSEK figure with one decimal (``6,7``), for dense grids whose
    caption names the unit."""
    if value is None:
        return "–"
    return format_number(Decimal(value) / MSEK, places=1, language=get_language() or "sv")
