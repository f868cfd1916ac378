"""Money as people in a Swedish region read it: ``1 234,5 mnkr``, ``12 345 tkr``, ``−58,0 mnkr``.

Pure functions: amounts come in as SEK (``Decimal``), text goes out. Swedish uses a space between
thousands (a no-break space here, so a figure never wraps), a decimal comma, and a real minus sign
(U+2212) for negative amounts, i.e. deficits. In English the same amounts read ``1,234.5 MSEK``.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from regionbudget.core.money import MAX_TKR_PLACES, MSEK, THOUSAND

__all__ = [
    "MINUS",
    "NBSP",
    "format_money",
    "format_money_brief",
    "format_money_range",
    "format_money_span",
    "format_number",
    "parse_amount",
]

NBSP = "\u00a0"
MINUS = "\u2212"
# A word joiner: no line break here (beside a range's dash, where a line may otherwise break).
WORD_JOINER = "\u2060"

_SCALES = {"mnkr": MSEK, "tkr": THOUSAND, "kr": Decimal("1")}
_DEFAULT_PLACES = {"mnkr": 1, "tkr": 0, "kr": 0}
_ENGLISH_UNITS = {"mnkr": "MSEK", "tkr": "kSEK", "kr": "SEK"}


def format_number(value: Decimal, *, places: int, language: str = "sv") -> str:
    """Format ``value`` with ``places`` decimals, grouped thousands and a true minus sign."""
    quantum = Decimal(1).scaleb(-places)
    rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # never show "−0,0"
    text = f"{abs(rounded):,.{places}f}"  # "1,234.5"
    if language.startswith("sv"):
        text = text.replace(",", NBSP).replace(".", ",")
    return (MINUS if rounded < 0 else "") + text


def format_money(
    value: Decimal | int | str | None,
    unit: str = "mnkr",
    *,
    language: str = "sv",
    places: int | None = None,
) -> str:
    """Format an amount in SEK in ``unit`` (``mnkr``, ``tkr`` or ``kr``); ``None`` gives ``–``."""
    if value is None or value == "":
        return "–"
    if unit not in _SCALES:
        raise ValueError(f"unknown money unit {unit!r}")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None
    if not amount.is_finite():
        raise ValueError(f"not a finite amount: {value!r}")
    digits = _DEFAULT_PLACES[unit] if places is None else places
    number = format_number(amount / _SCALES[unit], places=digits, language=language)
    label = unit if language.startswith("sv") else _ENGLISH_UNITS[unit]
    return f"{number}{NBSP}{label}"


def _places_for(values, unit: str) -> int:
    """No decimals when every figure is whole in ``unit``; the unit's usual decimals otherwise."""
    scale = _SCALES[unit]
    return 0 if all(Decimal(v) % scale == 0 for v in values) else _DEFAULT_PLACES[unit]


def format_money_brief(
    value: Decimal, unit: str = "mnkr", *, language: str = "sv", places: int | None = None
) -> str:
    """An amount for a sentence: ``56 mnkr``; decimals only where the figure needs them, unless
    ``places`` says how many."""
    if places is None:
        places = _places_for([value], unit)
    return format_money(value, unit, language=language, places=places)


def format_money_range(
    low: Decimal,
    high: Decimal,
    unit: str = "mnkr",
    *,
    language: str = "sv",
    places: int | None = None,
) -> str:
    """A range in one unit: ``132–149 mnkr``; decimals only where a figure needs them, unless
    ``places`` says how many."""
    if places is None:
        places = _places_for([low, high], unit)
    first = format_number(Decimal(low) / _SCALES[unit], places=places, language=language)
    return f"{first}–{format_money(high, unit, language=language, places=places)}"


def format_money_span(
    low: Decimal | str | None,
    high: Decimal | str | None,
    unit: str = "mnkr",
    *,
    language: str = "sv",
    places: int = 1,
) -> str:
    """A range as a status report writes it, where every amount has the same decimals:
    ``719,0–831,0 mnkr``, a line never breaking at the dash; with a negative end, words instead
    of a dash between two minus signs: ``−76,3 till −36,8 mnkr``, on one line as well.
    ``None`` gives ``–``."""
    if low is None or high is None:
        return "–"
    low, high = Decimal(low), Decimal(high)
    first = format_number(low / _SCALES[unit], places=places, language=language)
    last = format_money(high, unit, language=language, places=places)
    if low < 0 or high < 0:
        # No-break spaces: the words of a range stay on one line too.
        return (_("%(low)s to %(high)s") % {"low": first, "high": last}).replace(" ", NBSP)
    return f"{first}{WORD_JOINER}–{WORD_JOINER}{last}"


# Spaces people and spreadsheets put between thousands: space, no-break space, narrow no-break.
# ASCII digits only: Python's \d (and Decimal) would also read other scripts' digits, e.g.
# Arabic-Indic "١٢٣" as 123, which no one here types as an amount.
_GROUP_SPACES = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d{3}(?:\D|$))", re.ASCII)
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$", re.ASCII)
# What files mostly hold ("-690000", "12750000,50"): read at once; anything else is checked below.
_SIMPLE_AMOUNT = re.compile(r"-?\d{1,14}(?:[.,]\d{1,6})?", re.ASCII)
MAX_INTEGER_DIGITS = 14
MAX_DECIMAL_PLACES = 6


def parse_amount(text: str) -> Decimal:
    """Read a number typed the Swedish way: ``1 234,5``, ``-500``, ``−500`` (U+2212).

    A decimal point is accepted too when there is no comma (``1234.5``, as spreadsheets export
    it). Raises ``ValueError`` with a message for the user for anything else: letters, ``NaN``,
    ``Infinity``, exponents (``1e400``), several separators, or more than 14 integer digits.
    """
    raw = str(text)
    if _SIMPLE_AMOUNT.fullmatch(raw):
        return Decimal(raw.replace(",", "."))
    cleaned = raw.strip().replace(MINUS, "-").replace("\u2013", "-")
    if not cleaned:
        raise ValueError(_("Enter an amount."))
    cleaned = _GROUP_SPACES.sub("", cleaned)
    if not _PLAIN_NUMBER.match(cleaned):
        raise ValueError(
            _("“%(value)s” is not a number. Write it like 1 234,5 or −500.")
            % {"value": raw.strip()[:40]}
        )
    cleaned = cleaned.replace(",", ".")
    integer_part, _dot, decimals = cleaned.lstrip("+-").partition(".")
    if len(integer_part.lstrip("0")) > MAX_INTEGER_DIGITS:
        raise ValueError(_("The number is too large."))
    if len(decimals) > MAX_DECIMAL_PLACES:
        raise ValueError(_("Use at most %(places)s decimals.") % {"places": MAX_DECIMAL_PLACES})
    return Decimal(cleaned)


def amount_input_text(amount: Decimal | None) -> str:
    """An amount in SEK as typed in the grid: tkr, Swedish digits, only the decimals it needs."""
    if amount is None:
        return ""
    tkr = (amount / THOUSAND).normalize()
    places = max(0, -tkr.as_tuple().exponent)
    return format_number(tkr, places=min(places, MAX_TKR_PLACES), language="sv")
