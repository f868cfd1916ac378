"""Input that looks harmless and is not: digits of other scripts, signalling NaN, direction
controls, full-width formula signs, unlimited text, a measure of another plan, a duplicate
target. Each gets a clear message, and nothing is written."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from forecasts.models import DeficitTarget, Plan
from measures.models import Measure
from regionbudget.core.admin_forms import FiniteDecimalField
from regionbudget.core.formatting import parse_amount
from regionbudget.core.tabular import neutralise
from regionbudget.reports.models import Meeting, StatusReport

MAIN_PLAN = "Ekonomi i balans 2024–2026"
OTHER_PLAN = "Kostnadsreduceringar i specialistvården 2021–2023"


@pytest.mark.parametrize("text", ["١٢٣", "۱۲۳", "१२३", "１２３", "1٬234"])
def test_amounts_in_other_scripts_digits_are_not_numbers(text):
    with translation.override("sv"), pytest.raises(ValueError, match="är inte ett tal"):
        parse_amount(text)


@pytest.mark.parametrize("text", ["١٢٣", "sNaN", "NaN", "-Infinity"])
def test_the_administrations_decimal_fields_refuse_them_too(text):
    from django.core.exceptions import ValidationError

    field = FiniteDecimalField(max_digits=16, decimal_places=2)
    with pytest.raises(ValidationError):
        field.clean(text)
    assert field.clean("123") == Decimal("123")


@pytest.mark.parametrize("sign", ["＝", "＋", "－", "＠"])
def test_full_width_formula_signs_are_neutralised_in_exports(sign):
    assert neutralise(f'{sign}HYPERLINK("https://evil.example")').startswith("'")


def test_an_exported_title_starting_with_a_full_width_equals_sign_is_text(finance, demo):
    Measure.objects.filter(code="M01").update(title="＝1+1")
    body = finance.get(reverse("measures:measure_export", args=["csv"])).content.decode("utf-8-sig")
    assert "'＝1+1" in body


@pytest.mark.django_db
def test_an_imported_title_with_a_direction_control_is_a_row_error(finance, demo):
    plan = Plan.objects.get(name=MAIN_PLAN)
    count = Measure.objects.count()
    content = (
        "kod;åtgärd;kategori;område;status;beskrivning\n"
        "M50;Inköp\u202egnp.exe;Inköp;LSO-SOM;pågår;\n"
        "M51;Vanlig;Inköp;LSO-SOM;pågår;Text\u2066dold\u2069\n"
    )
    response = finance.post(
        reverse("measures:measure_import"),
        {"plan": plan.pk, "file": SimpleUploadedFile("plan.csv", content.encode())},
        follow=True,
    )
    text = response.content.decode()
    assert "osynliga tecken som ändrar skrivriktningen" in text
    assert "2 fel" in text
    assert Measure.objects.count() == count


def test_a_measure_description_has_a_length_limit(finance, demo):
    from tests.measures.helpers import measure_edit_data

    measure = Measure.objects.get(code="M03")
    response = finance.post(
        reverse("measures:measure_edit", args=[measure.pk]),
        measure_edit_data(measure, description="x" * 5001),
    )
    assert response.status_code == 200
    assert "som mest 5000 tecken (den har 5001)" in response.content.decode()
    measure.refresh_from_db()
    assert len(measure.description) < 5001


def _report_post(plan: Plan, **extra) -> dict:
    meeting = Meeting.objects.order_by("-date").first()
    return {
        "meeting": meeting.pk,
        "plan": plan.pk,
        "year": plan.start_year,
        "title": "Fientlig rapport",
        "summary": "Kort.",
        **extra,
    }


def test_a_report_summary_has_a_length_limit(finance, demo):
    plan = Plan.objects.get(name=MAIN_PLAN)
    response = finance.post(reverse("report_create"), _report_post(plan, summary="y" * 10001))
    assert response.status_code == 200
    assert "som mest 10000 tecken (den har 10001)" in response.content.decode()
    assert not StatusReport.objects.filter(title="Fientlig rapport").exists()


def test_a_report_refuses_a_measure_of_another_plan(finance, demo):
    other = Plan.objects.get(name=OTHER_PLAN)
    measure = Measure.objects.get(code="M01", plan__name=MAIN_PLAN)
    response = finance.post(reverse("report_create"), _report_post(other, highlighted=[measure.pk]))
    assert response.status_code == 200
    # The form offers the chosen plan's measures only: another plan's is refused in words.
    assert (
        "Bara den valda planens åtgärder kan lyftas fram: välj bland dem som visas."
        in response.content.decode()
    )
    assert not StatusReport.objects.filter(title="Fientlig rapport").exists()


def test_a_duplicate_target_gets_a_readable_message_not_the_constraints_name(administrator):
    target = DeficitTarget.objects.filter(area__isnull=True).first()
    response = administrator.post(
        reverse("admin:forecasts_deficittarget_add"),
        {
            "plan": target.plan_id,
            "year": target.year,
            "area": "",
            "amount": "1000",
            "basis": "",
        },
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "Planen har redan ett mål för hela planen det här året." in text
    assert "deficittarget_one_plan_target_per_year" not in text
    plan_wide = DeficitTarget.objects.filter(plan=target.plan, year=target.year, area=None)
    assert plan_wide.count() == 1
