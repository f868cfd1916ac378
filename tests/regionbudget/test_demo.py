"""The demo command loads the seed case, creates the demo users, and is idempotent."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from forecasts.models import DeficitTarget, Plan
from regionbudget.core.models import Area, AreaDirector, Unit
from regionbudget.core.roles import Role, role_of

MSEK = Decimal("1000000")


def _snapshot() -> dict:
    """Every row the demo writes, as plain values, each list in one fixed order."""
    User = get_user_model()
    return {
        "areas": list(Area.objects.order_by("code", "pk").values_list()),
        "units": list(Unit.objects.order_by("code", "pk").values_list()),
        "plans": list(Plan.objects.order_by("name", "pk").values_list()),
        # A plan has one target per year for the whole plan and one per area and year.
        "targets": list(DeficitTarget.objects.order_by("plan", "year", "area", "pk").values_list()),
        "users": list(User.objects.order_by("username", "pk").values_list()),
        "bindings": list(AreaDirector.objects.order_by("pk").values_list()),
        "groups": list(User.groups.through.objects.order_by("pk").values_list()),
    }


def test_it_loads_the_seed_case(empty_database):
    call_command("load_demo", verbosity=0)

    assert Area.objects.count() == 8
    somatik = Area.objects.get(code="LSO-SOM")
    assert somatik.name == "Länssjukvårdsområde somatik"
    for area in Area.objects.all():
        assert area.units.count() >= 3, f"{area} needs a handful of units"

    plan = Plan.objects.get(name="Ekonomi i balans 2024–2026")
    assert (plan.baseline_year, plan.start_year, plan.end_year) == (2023, 2024, 2026)
    targets = dict(DeficitTarget.objects.filter(plan=plan, area=None).values_list("year", "amount"))
    assert targets == {2024: 324 * MSEK, 2025: 550 * MSEK, 2026: 775 * MSEK}
    assert all(isinstance(amount, Decimal) for amount in targets.values())

    # the areas' targets add up to the plan's, every year (synthetic split)
    for year, amount in targets.items():
        area_sum = sum(
            DeficitTarget.objects.filter(plan=plan, year=year)
            .exclude(area=None)
            .values_list("amount", flat=True)
        )
        assert area_sum == amount
    assert (
        DeficitTarget.objects.get(plan=plan, year=2024, area=somatik).amount
        == Decimal("120.9") * MSEK
    )

    earlier = Plan.objects.get(name__startswith="Kostnadsreduceringar i specialistvården")
    assert earlier.status == Plan.Status.CLOSED
    assert earlier.targets.get().amount == 350 * MSEK


def test_it_creates_the_demo_users_with_their_roles(empty_database):
    call_command("load_demo", verbosity=0)
    User = get_user_model()
    expected = {
        "ekonom": Role.FINANCE,
        "direktor.somatik": Role.AREA_DIRECTOR,
        "direktor.psykiatri": Role.AREA_DIRECTOR,
        "ledamot": Role.COMMITTEE,
        "admin": Role.ADMIN,
    }
    for username, role in expected.items():
        user = User.objects.get(username=username)
        assert user.check_password("demo")
        assert role_of(user) == role
    bindings = sorted(AreaDirector.objects.values_list("user__username", "area__code"))
    assert bindings == [("direktor.psykiatri", "LSO-PSY"), ("direktor.somatik", "LSO-SOM")]


def test_running_it_twice_changes_nothing(demo):
    """The demo was loaded once when the test database was made; once more changes nothing."""
    first = _snapshot()
    call_command("load_demo", verbosity=0)
    assert _snapshot() == first


def test_it_refuses_to_create_demo_users_unless_demo_data_is_switched_on(settings, empty_database):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="REGIONBUDGET_DEMO"):
        call_command("load_demo", verbosity=0)
    assert not get_user_model().objects.filter(username="ekonom").exists()
    assert not Area.objects.exists()
