"""Money as people in a Swedish region read it: ``1 234,5 mnkr``, ``12 345 tkr``, ``−58,0 mnkr``.

Pure functions: amounts come in as SEK (``Decimal``), text goes out. Swedish uses a space between
thousands (a no-break space here, so a figure never wraps), a decimal comma, and a real minus sign
(U+2212) for negative amounts, i.e. deficits. In English the same amounts read ``1,234.5 MSEK``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = ["MINUS", "NBSP", "format_money", "format_number"]

NBSP = "\u00a0"
MINUS = "\u2212"

_SCALES = {"mnkr": Decimal("1000000"), "tkr": Decimal("1000"), "kr": Decimal("1")}
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
