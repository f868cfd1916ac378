"""Money formatting, compared with strings written out by hand. No database."""

from decimal import Decimal

import pytest

from regionbudget.core.formatting import MINUS, NBSP, format_money

SP = NBSP  # Swedish thousands separator, kept from wrapping


@pytest.mark.parametrize(
    ("sek", "unit", "expected"),
    [
        (Decimal("1234500000"), "mnkr", f"1{SP}234,5{SP}mnkr"),
        (Decimal("324000000"), "mnkr", f"324,0{SP}mnkr"),
        (Decimal("12345000"), "tkr", f"12{SP}345{SP}tkr"),
        (Decimal("-58000000"), "mnkr", f"{MINUS}58,0{SP}mnkr"),
        (Decimal("-174000000"), "mnkr", f"{MINUS}174,0{SP}mnkr"),
        (Decimal("-1500"), "tkr", f"{MINUS}2{SP}tkr"),  # half up, away from zero
        (Decimal("149999"), "mnkr", f"0,1{SP}mnkr"),
        (Decimal("50000"), "mnkr", f"0,1{SP}mnkr"),  # 0.05 rounds half up
        (Decimal("49999"), "mnkr", f"0,0{SP}mnkr"),
        (Decimal("-40000"), "mnkr", f"0,0{SP}mnkr"),  # no "−0,0"
        (Decimal("775000000000"), "mnkr", f"775{SP}000,0{SP}mnkr"),
        (Decimal("999.99"), "kr", f"1{SP}000{SP}kr"),
        (12345000, "tkr", f"12{SP}345{SP}tkr"),
    ],
)
def test_it_formats_money_the_swedish_way(sek, unit, expected):
    assert format_money(sek, unit) == expected


def test_it_formats_money_in_english_when_english_is_chosen():
    assert format_money(Decimal("1234500000"), "mnkr", language="en") == f"1,234.5{SP}MSEK"
    assert format_money(Decimal("-12345000"), "tkr", language="en") == f"{MINUS}12,345{SP}kSEK"


def test_it_shows_a_dash_for_a_missing_amount():
    assert format_money(None) == "–"


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "abc"])
def test_it_refuses_what_is_not_an_amount(bad):
    with pytest.raises(ValueError):
        format_money(bad)


def test_it_refuses_an_unknown_unit():
    with pytest.raises(ValueError):
        format_money(Decimal("1"), "gkr")


@pytest.mark.parametrize(
    ("low", "high", "language", "expected"),
    [
        # a status report's ranges: one decimal always, word joiners beside the dash
        ("719000000", "831000000", "sv", f"719,0\u2060–\u2060831,0{SP}mnkr"),
        ("347800000", "397300000", "sv", f"347,8\u2060–\u2060397,3{SP}mnkr"),
        # negative ends: words, not a dash between minus signs, on one line
        ("-76300000", "-36800000", "sv", f"{MINUS}76,3{SP}till{SP}{MINUS}36,8{SP}mnkr"),
        ("-56000000", "56000000", "sv", f"{MINUS}56,0{SP}till{SP}56,0{SP}mnkr"),
        ("-56000000", "56000000", "en", f"{MINUS}56.0{SP}to{SP}56.0{SP}MSEK"),
        (None, "1", "sv", "–"),
    ],
)
def test_a_reports_range_has_one_decimal_and_never_breaks(low, high, language, expected):
    from django.utils import translation

    from regionbudget.core.formatting import format_money_span

    with translation.override(language):
        assert format_money_span(low, high, language=language) == expected
