"""Fixtures of the measure register's tests: the seed plan and its measures."""

import pytest

from forecasts.models import Plan
from measures.models import Measure


@pytest.fixture
def plan(demo) -> Plan:
    return Plan.objects.get(name="Ekonomi i balans 2024–2026")


@pytest.fixture
def measure(plan):
    """Look up a seed measure by code: ``measure("M03")``."""

    def _get(code: str) -> Measure:
        return Measure.objects.select_related("plan", "owner_area").get(plan=plan, code=code)

    return _get
