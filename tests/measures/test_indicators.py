"""Indicators and their values entered on the measure's page, by finance and by the director of
the measure's owning area; nobody else (403, or 404 for a measure they cannot see)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from measures.models import Indicator, IndicatorValue, Measure
from regionbudget.core.models import Unit

pytestmark = pytest.mark.django_db


def _measure(code: str) -> Measure:
    return Measure.objects.get(code=code, plan__name="Ekonomi i balans 2024–2026")


def _indicator_data(**changes) -> dict:
    data = {
        "name": "Väntetid",
        "unit": "dagar",
        "baseline": "45,5",
        "target": "30",
        "direction": "decrease",
    }
    return {**data, **changes}


def test_the_director_adds_an_indicator_to_their_areas_measure(director_own):
    m03 = _measure("M03")  # owned by somatik
    response = director_own.post(
        reverse("measures:indicator_create", args=[m03.pk]), _indicator_data()
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get(measure=m03, name="Väntetid")
    assert (indicator.unit, indicator.baseline, indicator.target) == (
        "dagar",
        Decimal("45.5"),
        Decimal("30"),
    )
    # after the measure's three demo indicators
    assert indicator.position > max(
        m03.indicators.exclude(pk=indicator.pk).values_list("position", flat=True)
    )
    page = director_own.get(reverse("measures:measure_detail", args=[m03.pk])).content.decode()
    assert "Väntetid" in page
    assert reverse("measures:indicator_value_add", args=[m03.pk, indicator.pk]) in page


def test_finance_enters_a_units_value_and_a_month_again_replaces_it(finance):
    m03 = _measure("M03")
    indicator = Indicator.objects.get(measure=m03, name="Bemanning")
    unit = Unit.objects.filter(area=m03.owner_area, is_active=True).order_by("code").first()
    url = reverse("measures:indicator_value_add", args=[m03.pk, indicator.pk])
    data = {"year": "2026", "month": "11", "unit": unit.pk, "actual": "1 234,5"}
    assert finance.post(url, {**data, "target_level": "1 200"}).status_code == 302
    assert finance.post(url, {**data, "actual": "1 230"}).status_code == 302
    value = IndicatorValue.objects.get(indicator=indicator, year=2026, month=11, unit=unit)
    assert (value.actual, value.target_level) == (Decimal("1230"), None)


def test_bad_values_are_refused_with_the_input_kept(finance):
    m03 = _measure("M03")
    indicator = Indicator.objects.get(measure=m03, name="Bemanning")
    other_area_unit = Unit.objects.exclude(area=m03.owner_area).first()
    url = reverse("measures:indicator_value_add", args=[m03.pk, indicator.pk])
    before = IndicatorValue.objects.count()
    response = finance.post(
        url, {"year": "2031", "month": "13", "unit": other_area_unit.pk, "actual": "mycket"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"year", "month", "unit", "actual"}
    assert 'value="mycket"' in response.content.decode()
    assert IndicatorValue.objects.count() == before


def test_an_indicator_name_the_measure_has_is_refused(finance):
    m03 = _measure("M03")
    before = m03.indicators.count()
    response = finance.post(
        reverse("measures:indicator_create", args=[m03.pk]), _indicator_data(name="bemanning")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "Åtgärden har redan en indikator med det namnet."
    ]
    assert m03.indicators.count() == before


def test_others_cannot_enter_indicators(director_own, director_other, committee):
    m03 = _measure("M03")  # somatik's
    m01 = _measure("M01")  # region-wide: finance's
    indicator = m03.indicators.first()
    before = (Indicator.objects.count(), IndicatorValue.objects.count())
    value = {"year": "2026", "month": "1", "actual": "1"}
    for client, measure, code in (
        (director_other, m03, 404),  # another area's measure does not exist for them
        (committee, m03, 403),
        (director_own, m01, 403),  # region-wide measures are finance's
    ):
        url = reverse("measures:indicator_create", args=[measure.pk])
        assert client.post(url, _indicator_data()).status_code == code
    for client, code in ((director_other, 404), (committee, 403)):
        url = reverse("measures:indicator_value_add", args=[m03.pk, indicator.pk])
        assert client.post(url, value).status_code == code
    assert (Indicator.objects.count(), IndicatorValue.objects.count()) == before


def test_an_indicator_of_another_measure_is_not_found(finance):
    m03, m01 = _measure("M03"), _measure("M01")
    foreign = m01.indicators.first()
    url = reverse("measures:indicator_value_add", args=[m03.pk, foreign.pk])
    assert finance.get(url).status_code == 404


def test_the_director_changes_an_indicators_target(director_own):
    m03 = _measure("M03")
    indicator = Indicator.objects.get(measure=m03, name="Bemanning")
    url = reverse("measures:indicator_edit", args=[m03.pk, indicator.pk])
    form = director_own.get(url).context["form"]
    assert (form["baseline"].value(), form["target"].value()) == ("2 450", "2 380")
    data = _indicator_data(name="Bemanning", unit="årsarbetare", baseline="2 450", target="2 350")
    assert director_own.post(url, data).status_code == 302
    indicator.refresh_from_db()
    assert (indicator.baseline, indicator.target) == (Decimal("2450"), Decimal("2350"))
    # another indicator's name is refused, nothing saved
    response = director_own.post(url, {**data, "name": "Kostnad", "target": "1"})
    assert response.context["form"].errors["name"]
    indicator.refresh_from_db()
    assert (indicator.name, indicator.target) == ("Bemanning", Decimal("2350"))
