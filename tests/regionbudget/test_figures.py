"""The gap figures' names, defined once (regionbudget.gap.figures). No database."""

import pandas as pd
import pytest
from django.utils import translation

from regionbudget.gap.calculations import EFFECT_COLUMNS, gap_by_group, gap_by_year
from regionbudget.gap.figures import (
    FIGURE_NAMES,
    GROUP_FIGURES,
    REPORT_FIGURES,
    YEAR_FIGURES,
    figure_label,
)

EMPTY = pd.DataFrame(columns=EFFECT_COLUMNS)


def test_the_calculations_name_their_columns_by_the_figures():
    assert list(gap_by_year(EMPTY, {}, years=[2024]).columns) == ["year", *YEAR_FIGURES]
    assert list(gap_by_group(EMPTY, by="category", year=2024).columns) == [
        "category",
        *GROUP_FIGURES,
        "coverage_low",
        "coverage_high",
    ]
    assert (*YEAR_FIGURES[:7], "probability") == REPORT_FIGURES
    assert set(FIGURE_NAMES) == set(REPORT_FIGURES)


@pytest.mark.parametrize(
    ("key", "label_sv", "label_en"),
    [
        ("required", "Krävd minskning", "Required reduction"),
        ("planned_low", "Planerat, lägsta", "Planned, low end"),
        ("realised", "Utfall hittills", "Realised to date"),
        ("expected", "Förväntat (viktat)", "Expected (weighted)"),
    ],
)
def test_a_label_is_the_name_capitalised_as_the_charts_always_read(key, label_sv, label_en):
    with translation.override("sv"):
        assert figure_label(key) == label_sv
    with translation.override("en"):
        assert figure_label(key) == label_en


def test_the_names_read_in_swedish():
    with translation.override("sv"):
        assert str(FIGURE_NAMES["uncovered_low"]) == "ofinansierat, lägsta"
        assert figure_label("planned_low") == "Planerat, lägsta"
