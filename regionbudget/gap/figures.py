"""The gap figures' names, defined once.

The keys are the column names of ``calculations.gap_by_year`` and ``gap_by_group``, of the JSON
and CSV exports and of a status report's snapshot; the names are what people read, in a
sentence ("2024, planned, low end: …") or capitalised as a chart's legend or a label
(``figure_label``). Every page, chart, export and report takes them from here.

No ORM, no request: only lazy translations, so that the pure calculations can use the keys.
"""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

__all__ = [
    "AMOUNT_FIGURES",
    "AREA_FIGURES",
    "COVERAGE_FIGURES",
    "FIGURES",
    "FIGURE_NAMES",
    "GROUP_FIGURES",
    "OUTLOOK_FIGURES",
    "REPORT_FIGURES",
    "YEAR_FIGURES",
    "figure_label",
]

# (key, name in a sentence), in the order the figures are shown and exported.
FIGURES: tuple[tuple[str, str], ...] = (
    ("required", _("required reduction")),
    ("planned_low", _("planned, low end")),
    ("planned_high", _("planned, high end")),
    ("realised", _("realised to date")),
    ("expected", _("expected (weighted)")),
    ("uncovered_low", _("uncovered, low end")),
    ("uncovered_high", _("uncovered, high end")),
    ("probability", _("probability of closing the gap")),
)
FIGURE_NAMES: dict[str, str] = dict(FIGURES)

# The amounts of a year (SEK), and the year's figures in a status report (with probability).
AMOUNT_FIGURES: tuple[str, ...] = tuple(key for key, _name in FIGURES if key != "probability")
REPORT_FIGURES: tuple[str, ...] = tuple(key for key, _name in FIGURES)
# Planned range as a percentage of the requirement (one decimal).
COVERAGE_FIGURES: tuple[str, ...] = ("coverage_low", "coverage_high")
# The columns of gap_by_year after "year", and of gap_by_group after the group.
YEAR_FIGURES: tuple[str, ...] = (*AMOUNT_FIGURES, *COVERAGE_FIGURES)
GROUP_FIGURES: tuple[str, ...] = ("planned_low", "planned_high", "realised", "expected", "required")
# An area in a status report's snapshot.
AREA_FIGURES: tuple[str, ...] = (
    "required",
    "planned_low",
    "planned_high",
    "realised",
    *COVERAGE_FIGURES,
)


# The outlook of a year (SEK), from the forecasts (calculations.Outlook's attributes).
OUTLOOK_FIGURES: tuple[str, ...] = (
    "deviation",
    "outside_budgets",
    "required_now",
    "covered_low",
    "covered_high",
    "uncovered_low",
    "uncovered_high",
)


def figure_label(key: str) -> str:
    """A figure's name as a label or a chart legend, in the active language: "Planned, low end"."""
    return capfirst(str(FIGURE_NAMES[key]))
