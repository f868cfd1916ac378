"""Shared fixtures: the seed case and one logged-in client per persona."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from regionbudget.demo import load_demo

DEMO_USERNAMES = ["ekonom", "direktor.somatik", "direktor.psykiatri", "ledamot", "admin"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: the data version counter is rolled back with the
    test's transaction, so cached figures of one test must not be seen by the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo(db):
    """The seed case: 8 areas with units, two plans, and the five demo users."""
    load_demo()


def _client_for(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.fixture
def finance(demo) -> Client:
    return _client_for("ekonom")


@pytest.fixture
def director_own(demo) -> Client:
    """Area director of Länssjukvårdsområde somatik."""
    return _client_for("direktor.somatik")


@pytest.fixture
def director_other(demo) -> Client:
    """Area director of Länssjukvårdsområde psykiatri och habilitering."""
    return _client_for("direktor.psykiatri")


@pytest.fixture
def committee(demo) -> Client:
    return _client_for("ledamot")


@pytest.fixture
def administrator(demo) -> Client:
    return _client_for("admin")


@pytest.fixture
def english(client):
    """Select English the way the language switch does: with the language cookie."""

    def _select(c: Client) -> Client:
        c.cookies["django_language"] = "en"
        return c

    return _select
