"""Finance's plan pages: plans and their deficit targets typed in mnkr, with the usual refusals
(input kept, nothing saved), and the same rules in the administration and the database."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from pghistory.models import Events

from forecasts.models import DeficitTarget, Plan
from forecasts.services import plan_save, target_field
from regionbudget.core.models import Area

pytestmark = pytest.mark.django_db

PLAN = "Ekonomi i balans 2024–2026"
MSEK = Decimal(1_000_000)


def _plan_data(**changes) -> dict:
    data = {
        "name": "Balans 2027–2029",
        "organisation": "Hälso- och sjukvården",
        "baseline_year": "2026",
        "start_year": "2027",
        "end_year": "2029",
        "status": "active",
        "source": "HSN 2026-11-20",
        "description": "",
    }
    return {**data, **changes}


def _targets(plan) -> set:
    return set(DeficitTarget.objects.filter(plan=plan).values_list("year", "area", "amount"))


def _text(response) -> str:
    return response.content.decode()


def test_finance_creates_a_plan_and_is_sent_to_its_targets(finance):
    response = finance.post(reverse("forecasts:plan_create"), _plan_data())
    plan = Plan.objects.get(name="Balans 2027–2029")
    assert response.status_code == 302
    assert response["Location"] == reverse("forecasts:plan_targets_edit", args=[plan.pk])
    assert (plan.baseline_year, plan.start_year, plan.end_year) == (2026, 2027, 2029)
    assert list(plan.years) == [2027, 2028, 2029]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end_year": "20230"}, "end_year", "Ange ett år från 2000 till 2100."),
        ({"start_year": "1999"}, "start_year", "Ange ett år från 2000 till 2100."),
        ({"end_year": "2040"}, "end_year", "En plan löper högst 10 år, här 2027–2036."),
        ({"end_year": "2026"}, "end_year", "Sista året kan inte komma före det första."),
        ({"end_year": "x"}, "end_year", "Fyll i ett heltal."),
    ],
)
def test_a_plan_with_bad_years_is_refused_with_the_input_kept(finance, changes, field, message):
    before = Plan.objects.count()
    response = finance.post(reverse("forecasts:plan_create"), _plan_data(**changes))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert f'value="{changes[field]}"' in _text(response)
    assert 'value="Balans 2027–2029"' in _text(response)
    assert Plan.objects.count() == before


def test_a_plans_years_cannot_shrink_past_its_targets(finance):
    plan = Plan.objects.get(name=PLAN)
    response = finance.post(
        reverse("forecasts:plan_edit", args=[plan.pk]),
        _plan_data(name=PLAN, baseline_year="2023", start_year="2024", end_year="2025"),
    )
    assert response.status_code == 200
    assert "2026" in response.context["form"].errors["start_year"][0]
    plan.refresh_from_db()
    assert plan.end_year == 2026


def test_finance_changes_a_plan_and_history_records_who(finance):
    plan = Plan.objects.get(name=PLAN)
    data = _plan_data(name=PLAN, baseline_year="2023", start_year="2024", end_year="2027")
    assert finance.post(reverse("forecasts:plan_edit", args=[plan.pk]), data).status_code == 302
    plan.refresh_from_db()
    assert plan.end_year == 2027
    event = Events.objects.filter(pgh_model="forecasts.PlanEvent").order_by("-pgh_created_at")[0]
    assert event.pgh_data["end_year"] == 2027
    assert event.pgh_context["user"] == get_user_model().objects.get(username="ekonom").pk


def test_the_targets_form_shows_the_stored_targets_in_mnkr(finance, django_assert_max_num_queries):
    plan = Plan.objects.get(name=PLAN)
    with django_assert_max_num_queries(12):
        response = finance.get(reverse("forecasts:plan_targets_edit", args=[plan.pk]))
    assert response.status_code == 200
    text = _text(response)
    # the demo's whole-plan targets: 324, 550 and 775 mnkr
    for year, msek in ((2024, "324"), (2025, "550"), (2026, "775")):
        assert f'name="{target_field(year, None)}" id="id_{target_field(year, None)}"' in text
        assert response.context["form"][target_field(year, None)].value() == msek
    assert reverse("forecasts:outside_budgets_edit", args=[plan.pk]) in text


def test_finance_enters_targets_in_mnkr(finance):
    plan = Plan.objects.create(
        name="Balans 2027–2028",
        organisation="HS",
        baseline_year=2026,
        start_year=2027,
        end_year=2028,
    )
    somatik = Area.objects.get(code="LSO-SOM")
    data = {
        target_field(2027, None): "120",
        target_field(2028, None): "1 250,5",
        target_field(2027, somatik.pk): "40,25",
    }
    response = finance.post(reverse("forecasts:plan_targets_edit", args=[plan.pk]), data)
    assert response.status_code == 302
    stored = {(t.year, t.area_id): t.amount for t in DeficitTarget.objects.filter(plan=plan)}
    assert stored == {
        (2027, None): 120 * MSEK,
        (2028, None): Decimal("1250.5") * MSEK,
        (2027, somatik.pk): Decimal("40.25") * MSEK,
    }
    # a field emptied removes its target
    data[target_field(2027, somatik.pk)] = ""
    finance.post(reverse("forecasts:plan_targets_edit", args=[plan.pk]), data)
    assert not DeficitTarget.objects.filter(plan=plan, area=somatik).exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "Ange minskningen som ett positivt belopp (eller lämna fältet tomt)."),
        ("324000000", "Talet är för stort."),
        ("324000", "Ett minskningskrav över 100 000 mnkr"),
        ("tre", "”tre” är inte ett tal."),
    ],
)
def test_a_bad_target_is_refused_and_nothing_is_saved(finance, typed, message):
    plan = Plan.objects.get(name=PLAN)
    before = _targets(plan)
    data = {target_field(2024, None): "400", target_field(2025, None): typed}
    response = finance.post(reverse("forecasts:plan_targets_edit", args=[plan.pk]), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[target_field(2025, None)])
    assert f'value="{typed}"' in _text(response)
    assert 'value="400"' in _text(response)
    assert _targets(plan) == before


def test_area_targets_that_add_up_to_more_than_the_plans_are_refused(finance):
    plan = Plan.objects.get(name=PLAN)
    somatik = Area.objects.get(code="LSO-SOM")
    before = DeficitTarget.objects.get(plan=plan, year=2024, area=somatik).amount
    # Only somatik's field is sent (the other areas' are left empty: no target), with 400 mnkr
    # more than its stored 120,9: 520,9 mnkr of areas' targets > the whole plan's 324 mnkr.
    assert before == Decimal("120.9") * MSEK
    data = {target_field(y, None): v for y, v in ((2024, "324"), (2025, "550"), (2026, "775"))}
    data[target_field(2024, somatik.pk)] = "520,9"
    response = finance.post(reverse("forecasts:plan_targets_edit", args=[plan.pk]), data)
    assert response.status_code == 200
    error = response.context["form"].errors[target_field(2024, None)][0]
    assert error.startswith(
        "Områdenas mål för 2024 blir sammanlagt 520,9\u00a0mnkr, mer än hela planens 324\u00a0mnkr"
    )
    assert DeficitTarget.objects.get(plan=plan, year=2024, area=somatik).amount == before


def test_a_forged_year_outside_the_plan_is_never_read(finance):
    plan = Plan.objects.get(name=PLAN)
    data = {target_field(y, None): v for y, v in ((2024, "324"), (2025, "550"), (2026, "775"))}
    data[target_field(20230, None)] = "1"
    finance.post(reverse("forecasts:plan_targets_edit", args=[plan.pk]), data)
    assert not DeficitTarget.objects.filter(year=20230).exists()


def test_only_finance_opens_the_plan_pages(director_own, committee, administrator):
    plan = Plan.objects.get(name=PLAN)
    for name, args in (
        ("forecasts:plan_list", []),
        ("forecasts:plan_create", []),
        ("forecasts:plan_edit", [plan.pk]),
        ("forecasts:plan_targets_edit", [plan.pk]),
    ):
        for client in (director_own, committee):
            assert client.get(reverse(name, args=args)).status_code == 403
        assert administrator.get(reverse(name, args=args)).status_code == 200


def test_the_plan_list_shows_each_plan_with_its_total(finance, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = finance.get(reverse("forecasts:plan_list"))
    text = _text(response)
    # Ekonomi i balans: 324 + 550 + 775 = 1 649 mnkr over its years
    assert PLAN in text and "1\u00a0649,0\u00a0mnkr" in text


# --- the same rules outside the pages: the service, the model, the database ---


def test_the_service_refuses_a_plan_of_20230():
    with pytest.raises(ValidationError) as refused:
        plan_save(
            plan=None,
            user=get_user_model().objects.get(username="ekonom"),
            **{**_plan_data(end_year=20230), "baseline_year": 2026, "start_year": 2027},
        )
    assert "end_year" in refused.value.message_dict
    assert not Plan.objects.filter(name="Balans 2027–2029").exists()


def test_the_database_refuses_a_plan_of_20230():
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.create(
            name="X", organisation="X", baseline_year=2023, start_year=2024, end_year=20230
        )


def test_the_database_refuses_a_plan_of_eleven_years():
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.create(
            name="X", organisation="X", baseline_year=2023, start_year=2024, end_year=2034
        )


def test_the_database_refuses_an_implausible_target():
    plan = Plan.objects.get(name=PLAN)
    with pytest.raises(IntegrityError), transaction.atomic():
        DeficitTarget.objects.create(plan=plan, year=2024, amount=Decimal("200000") * MSEK)


def test_the_administration_refuses_a_plan_of_20230(administrator):
    before = Plan.objects.count()
    response = administrator.post(
        reverse("admin:forecasts_plan_add"),
        {
            "name": "Adminplan",
            "organisation": "HS",
            "baseline_year": "2023",
            "start_year": "2024",
            "end_year": "20230",
            "status": "active",
            "targets-TOTAL_FORMS": "0",
            "targets-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Ange ett år från 2000 till 2100." in _text(response)
    assert Plan.objects.count() == before


def test_the_administration_refuses_a_target_typed_in_kronor_for_mnkr(administrator):
    plan = Plan.objects.get(name=PLAN)
    response = administrator.post(
        reverse("admin:forecasts_deficittarget_add"),
        {"plan": plan.pk, "year": "2024", "amount": "324000000000", "basis": ""},
    )
    assert response.status_code == 200
    assert "Ett minskningskrav över 100 000 mnkr" in _text(response)
