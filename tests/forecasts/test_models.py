"""Plans and deficit targets keep their rules, in the services and in the database."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from forecasts.models import DeficitTarget, Plan
from forecasts.services import deficit_target_set, plan_upsert
from regionbudget.core.services import area_upsert

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(db) -> Plan:
    """A plan of its own, beside the demo's (same years, no targets yet)."""
    return plan_upsert(
        name="Provplan 2024–2026",
        organisation="Hälso- och sjukvården",
        baseline_year=2023,
        start_year=2024,
        end_year=2026,
    )


def test_a_plan_target_and_area_targets_live_side_by_side(plan):
    area = area_upsert(code="PROV-OMR", name="Provområde")
    deficit_target_set(plan=plan, year=2024, amount=Decimal("324000000"))
    deficit_target_set(plan=plan, year=2024, area=area, amount=Decimal("58000000"))
    assert DeficitTarget.objects.filter(plan=plan, year=2024).count() == 2


def test_setting_a_target_again_updates_it(plan):
    deficit_target_set(plan=plan, year=2025, amount=Decimal("500000000"))
    deficit_target_set(plan=plan, year=2025, amount=Decimal("550000000"))
    assert DeficitTarget.objects.get(plan=plan, year=2025).amount == Decimal("550000000")


def test_it_refuses_a_negative_target(plan):
    before = DeficitTarget.objects.count()
    with pytest.raises(ValidationError):
        deficit_target_set(plan=plan, year=2024, amount=Decimal("-1"))
    assert DeficitTarget.objects.count() == before


def test_it_refuses_a_target_outside_the_plan_years(plan):
    before = DeficitTarget.objects.count()
    with pytest.raises(ValidationError, match="2024–2026"):
        deficit_target_set(plan=plan, year=2027, amount=Decimal("1"))
    assert DeficitTarget.objects.count() == before


def test_it_refuses_a_float_amount(plan):
    with pytest.raises(TypeError):
        deficit_target_set(plan=plan, year=2024, amount=324.0)


def test_the_database_refuses_a_second_plan_wide_target_for_a_year(plan):
    DeficitTarget.objects.create(plan=plan, year=2024, amount=Decimal("1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        DeficitTarget.objects.create(plan=plan, year=2024, amount=Decimal("2"))


def test_the_database_refuses_a_negative_amount(plan):
    with pytest.raises(IntegrityError), transaction.atomic():
        DeficitTarget.objects.create(plan=plan, year=2024, amount=Decimal("-5"))


def test_it_refuses_a_plan_that_ends_before_it_starts():
    before = Plan.objects.count()
    with pytest.raises(ValidationError):
        plan_upsert(
            name="Bakvänd", organisation="X", baseline_year=2020, start_year=2025, end_year=2024
        )
    assert Plan.objects.count() == before
