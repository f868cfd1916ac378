"""Money constants, defined once: the scales amounts are typed and shown in, and the limits of
the amount fields. Amounts are SEK as ``Decimal`` everywhere (never float)."""

from __future__ import annotations

from decimal import Decimal

__all__ = [
    "HUNDRED",
    "MAX_SEK",
    "MAX_TKR_PLACES",
    "MONEY_DIGITS",
    "MONEY_PLACES",
    "MSEK",
    "THOUSAND",
    "ZERO",
]

ZERO = Decimal("0")
HUNDRED = Decimal("100")  # percent
THOUSAND = Decimal("1000")  # one tkr (kSEK) in SEK
MSEK = Decimal("1000000")  # one mnkr (MSEK) in SEK

# The amount fields (DecimalField(16, 2)): up to 99 999 999 999 999,99 SEK, room for twenty
# regions. An amount of MAX_SEK or more does not fit.
MONEY_DIGITS = 16
MONEY_PLACES = 2
MAX_SEK = Decimal(10) ** (MONEY_DIGITS - MONEY_PLACES)
MAX_TKR_PLACES = 5  # thousands of kronor to the öre
