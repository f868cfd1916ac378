"""The new-report form offers the chosen plan's measures for highlighting, and a measure of
another plan is refused by the form and by the service."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from forecasts.models import Plan
from measures.models import Category, Measure
from regionbudget.reports.models import StatusReport
from regionbudget.reports.services import meeting_create, report_create, report_update

pytestmark = pytest.mark.django_db

CURRENT = "Ekonomi i balans 2024–2026"
EARLIER = "Kostnadsreduceringar i specialistvården 2021–2023"


@pytest.fixture
def earlier_measure(demo) -> Measure:
    """A measure of the earlier (closed) plan, which the demo gives none."""
    return Measure.objects.create(
        plan=Plan.objects.get(name=EARLIER),
        code="S01",
        title="Samordnad specialistvård",
        category=Category.objects.first(),
    )


def _offered(response) -> set[str]:
    field = response.context["form"].fields["highlighted"]
    return set(field.queryset.values_list("code", flat=True))


def test_the_form_offers_the_active_plans_measures_by_default(finance, earlier_measure):
    offered = _offered(finance.get(reverse("report_create")))
    assert "M01" in offered and "S01" not in offered
    assert len(offered) == 14  # the demo's measures of the current plan


def test_the_form_offers_the_chosen_plans_measures(finance, earlier_measure):
    earlier = Plan.objects.get(name=EARLIER)
    response = finance.get(reverse("report_create"), {"plan": earlier.pk, "title": "Min rubrik"})
    assert _offered(response) == {"S01"}
    assert response.context["form"]["plan"].value() == earlier.pk
    text = response.content.decode()
    assert "S01 Samordnad specialistvård" in text and "M01 " not in text
    assert 'value="Min rubrik"' in text, "what was typed is kept"
    # Enter in a field saves the draft: the form's first (default) button is "Spara utkast";
    # the button that shows another plan's measures comes after the form
    form = text.split('id="report-form"', 1)[1].split("</form>", 1)[0]
    assert form.split('type="submit"', 1)[1].split("</button>")[0].endswith("Spara utkast")
    assert 'name="show_plan_measures"' in text.split("</form>", 1)[1]


def test_choosing_another_plan_in_the_form_shows_its_measures_and_saves_nothing(
    finance, earlier_measure
):
    earlier = Plan.objects.get(name=EARLIER)
    before = StatusReport.objects.count()
    response = finance.post(
        reverse("report_create"),
        {
            "plan": earlier.pk,
            "year": "2023",
            "title": "Återrapport",
            "summary": "Min text.",
            "show_plan_measures": "1",
        },
    )
    assert response.status_code == 200
    assert _offered(response) == {"S01"}
    form = response.context["form"]
    assert not form.is_bound, "no errors shown: the form is not sent yet"
    text = response.content.decode()
    assert 'value="Återrapport"' in text and "Min text." in text
    assert StatusReport.objects.count() == before


def test_a_measure_of_another_plan_is_refused_by_the_form(finance, earlier_measure):
    meeting = meeting_create(committee="hsn", date=dt.date(2024, 2, 27), title="x")
    current = Plan.objects.get(name=CURRENT)
    response = finance.post(
        reverse("report_create"),
        {
            "meeting": meeting.pk,
            "plan": current.pk,
            "year": 2024,
            "title": "Blandad rapport",
            "highlighted": [earlier_measure.pk, Measure.objects.get(code="M01").pk],
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["highlighted"]
    assert not StatusReport.objects.filter(title="Blandad rapport").exists()


def test_the_service_refuses_a_measure_of_another_plan(earlier_measure):
    ekonom = get_user_model().objects.get(username="ekonom")
    meeting = meeting_create(committee="hsn", date=dt.date(2024, 2, 27), title="x")
    current = Plan.objects.get(name=CURRENT)
    with pytest.raises(ValidationError, match="S01"):
        report_create(
            meeting=meeting,
            plan=current,
            year=2024,
            title="Blandad rapport",
            highlighted=[earlier_measure],
            user=ekonom,
        )
    assert not StatusReport.objects.filter(title="Blandad rapport").exists()
    report = report_create(meeting=meeting, plan=current, year=2024, title="Ren", user=ekonom)
    with pytest.raises(ValidationError, match="S01"):
        report_update(
            report=report,
            expected_version=report.version,
            title="Ren",
            summary="",
            year=2024,
            highlighted=[earlier_measure],
            user=ekonom,
        )
    assert not report.highlighted.exists()
