"""Any input to the setup forms (plans, targets, people, indicators) is answered with a page or a
redirect, never a server error (the strategies of ``test_form_fuzz.py``)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse
from hypothesis import given

from forecasts.models import Plan
from measures.models import Measure
from regionbudget.core.models import Area
from tests.test_form_fuzz import FUZZ, _client, _rolled_back, mutated

PLAN = "Ekonomi i balans 2024–2026"


def test_plan_form(demo):
    client = _client("ekonom")
    base = {
        "name": "Fuzzplan",
        "organisation": "HS",
        "baseline_year": "2026",
        "start_year": "2027",
        "end_year": "2029",
        "status": "active",
        "source": "",
        "description": "",
    }
    edit = reverse("forecasts:plan_edit", args=[Plan.objects.get(name=PLAN).pk])

    @FUZZ
    @given(data=mutated(base))
    def run(data):
        _rolled_back(
            lambda: [
                client.post(reverse("forecasts:plan_create"), data),
                client.post(edit, {**data, "name": PLAN}),
            ]
        )

    run()


def test_targets_form(demo):
    client = _client("ekonom")
    plan = Plan.objects.get(name=PLAN)
    somatik = Area.objects.get(code="LSO-SOM").pk
    base = {
        "target_2024_plan": "324",
        "target_2025_plan": "550",
        "target_2026_plan": "775",
        f"target_2024_{somatik}": "100",
    }

    @FUZZ
    @given(data=mutated(base))
    def run(data):
        url = reverse("forecasts:plan_targets_edit", args=[plan.pk])
        _rolled_back(lambda: [client.post(url, data)])

    run()


def test_person_forms(demo):
    admin, finance = _client("admin"), _client("ekonom")
    somatik = str(Area.objects.get(code="LSO-SOM").pk)
    director = get_user_model().objects.get(username="direktor.psykiatri").pk
    base = {
        "first_name": "Nora",
        "last_name": "Nordin",
        "email": "nora@example.se",
        "username": "nora",
        "roles": ["area_director"],
        "areas": [somatik],
        "is_active": "on",
    }

    @FUZZ
    @given(data=mutated(base))
    def run(data):
        _rolled_back(
            lambda: [
                admin.post(reverse("person_create"), data),
                admin.post(reverse("person_edit", args=[director]), data),
                finance.post(reverse("person_areas", args=[director]), data),
            ]
        )

    run()


def test_indicator_forms(demo):
    client = _client("direktor.somatik")
    m03 = Measure.objects.get(plan__name=PLAN, code="M03")
    indicator = m03.indicators.first()
    base = {
        "name": "Väntetid",
        "unit": "dagar",
        "baseline": "45,5",
        "target": "30",
        "direction": "decrease",
        "year": "2026",
        "month": "11",
        "actual": "12,5",
        "target_level": "",
        "unit_id": "",
    }

    @FUZZ
    @given(data=mutated(base))
    def run(data):
        _rolled_back(
            lambda: [
                client.post(reverse("measures:indicator_create", args=[m03.pk]), data),
                client.post(
                    reverse("measures:indicator_value_add", args=[m03.pk, indicator.pk]), data
                ),
                client.post(reverse("measures:indicator_edit", args=[m03.pk, indicator.pk]), data),
            ]
        )

    run()
