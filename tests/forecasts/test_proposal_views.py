"""The forecast proposal in the grid: shown per line with its method, taken for a line, a unit
or the area without saving anything, and only in the director's own areas."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from forecasts.calculations import cell_key
from forecasts.models import AccountGroup, Actual, Forecast
from forecasts.services import LineInput
from regionbudget.core.formatting import NBSP
from regionbudget.core.models import Unit
from tests.forecasts.helpers import area, cells, grid_post, new_round

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def setting(demo):
    """A round after February 2027 for somatik; its first unit has a complete 2026 (made here)
    and actuals in January–February 2027 for three account groups."""
    somatik = area("LSO-SOM")
    unit = Unit.objects.filter(area=somatik, is_active=True).order_by("code").first()
    groups = {g.code: g for g in AccountGroup.objects.all()}
    Actual.objects.filter(unit=unit, year=2026).delete()
    for month in range(1, 13):
        # Personnel 2026: 1 000 000 a month, 2 000 000 in December: 13 000 000 in the year.
        amount = D("2000000") if month == 12 else D("1000000")
        Actual.objects.create(
            unit=unit, year=2026, month=month, account_group=groups["PERS"], amount=amount
        )
    for month, pers, lkm, rev in (
        (1, "1050000", "300000", "-400000"),
        (2, "1150000", "0", "-400000"),
    ):
        for code, amount in (("PERS", pers), ("LKM", lkm), ("INT", rev)):
            Actual.objects.create(
                unit=unit, year=2027, month=month, account_group=groups[code], amount=D(amount)
            )
    forecast_round = new_round(year=2027, month=2)
    return forecast_round, somatik, unit, groups


def _edit_url(forecast_round, area_obj):
    return reverse("forecasts:forecast_edit", args=[forecast_round.pk, area_obj.pk])


def _value(text: str, name: str) -> str:
    match = re.search(rf'name="{name}" id="{name}" value="([^"]*)"', text)
    assert match, name
    return match.group(1)


def test_the_grid_shows_each_lines_proposal_with_its_method(director_own, setting):
    forecast_round, somatik, unit, groups = setting
    text = director_own.get(_edit_url(forecast_round, somatik)).content.decode()
    # Personnel: 2 200 000 to February × 13 000 000 ÷ 2 000 000 (2026 January–February)
    # = 14 300 000: 14 300 tkr, seasonal profile.
    assert f"14{NBSP}300{NBSP}tkr" in text
    assert "Säsongsprofil: utfall januari–februari 2" in text
    # Pharmaceuticals: no 2026 at all, so the run rate: 300 000 ÷ 2 × 12 = 1 800 000.
    assert f"1{NBSP}800{NBSP}tkr" in text
    # Revenue: −800 000 ÷ 2 × 12 = −4 800 000, negative.
    assert f"−4{NBSP}800{NBSP}tkr" in text
    assert "Löptakt: utfall januari–februari" in text
    # The unit's total of proposals: 14 300 + 1 800 − 4 800 + 0 × 7 groups = 11 300 tkr.
    assert f"11{NBSP}300{NBSP}tkr" in text
    # The method is in words for a screen reader too, not only in a title.
    pers = cell_key("line", (unit.pk, groups["PERS"].pk))
    assert f'id="pt-{pers}"' in text and f'aria-describedby="pt-{pers}"' in text


def _typed(somatik) -> dict:
    # Every line typed as 5 tkr, so that a taken proposal stands out.
    return {cell: LineInput(D("5000"), "") for cell in cells(somatik)}


def test_taking_the_proposal_for_one_line_changes_only_that_line_and_saves_nothing(
    director_own, setting
):
    forecast_round, somatik, unit, groups = setting
    pers = cell_key("line", (unit.pk, groups["PERS"].pk))
    lkm = cell_key("line", (unit.pk, groups["LKM"].pk))
    data = grid_post(_typed(somatik), version=0, propose=pers)
    data.pop("action")
    response = director_own.post(_edit_url(forecast_round, somatik), data)
    assert response.status_code == 200
    text = response.content.decode()
    assert _value(text, pers) == f"14{NBSP}300"  # taken, still an input to adjust
    assert _value(text, lkm) == "5"  # not chosen: as typed
    assert "Förslaget finns i en rad" in text
    assert not Forecast.objects.filter(forecast_round=forecast_round, area=somatik).exists()


def test_taking_the_proposal_for_a_unit_or_the_area_changes_the_lines_with_a_proposal(
    director_own, setting
):
    forecast_round, somatik, unit, groups = setting
    other_unit = Unit.objects.filter(area=somatik, is_active=True).order_by("code")[1]
    data = grid_post(_typed(somatik), version=0, propose=f"unit-{unit.pk}")
    data.pop("action")
    text = director_own.post(_edit_url(forecast_round, somatik), data).content.decode()
    assert _value(text, cell_key("line", (unit.pk, groups["LKM"].pk))) == f"1{NBSP}800"
    assert _value(text, cell_key("line", (unit.pk, groups["INT"].pk))) == f"−4{NBSP}800"
    # A group without actuals in 2027 gets 0: its proposal is 0 ÷ 2 × 12.
    assert _value(text, cell_key("line", (unit.pk, groups["IT"].pk))) == "0"
    # Another unit without any 2027 actuals has no proposal: as typed.
    assert _value(text, cell_key("line", (other_unit.pk, groups["PERS"].pk))) == "5"
    data["propose"] = "area"
    text = director_own.post(_edit_url(forecast_round, somatik), data).content.decode()
    assert "Förslaget finns i 10 rader" in text
    assert not Forecast.objects.filter(forecast_round=forecast_round, area=somatik).exists()


def test_a_taken_proposal_is_saved_with_the_usual_save(director_own, setting):
    forecast_round, somatik, unit, groups = setting
    lines = _typed(somatik)
    lines[(unit.pk, groups["PERS"].pk)] = LineInput(D("14300000"), "Enligt förslaget")
    response = director_own.post(_edit_url(forecast_round, somatik), grid_post(lines, version=0))
    assert response.status_code == 302
    forecast = Forecast.objects.get(forecast_round=forecast_round, area=somatik)
    assert forecast.lines.get(unit=unit, account_group=groups["PERS"]).amount == D("14300000")


def test_another_areas_director_sees_no_proposal(director_other, setting):
    forecast_round, somatik, _unit, _groups = setting
    assert director_other.get(_edit_url(forecast_round, somatik)).status_code == 404
    data = {"version": "0", "propose": "area"}
    assert director_other.post(_edit_url(forecast_round, somatik), data).status_code == 404
