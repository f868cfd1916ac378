"""Two people saving the same forecast or measure at the same moment: no update is ever lost.

Each save runs in a thread of its own, on a database connection of its own. The first save is
stopped inside its transaction (its row locked); the second is started and seen waiting for
that lock in PostgreSQL; then the first commits. Exactly one save is stored, whole; the other
gets the conflict page with its input, and saving again from there stores it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from forecasts.forms import amount_input_text
from forecasts.models import Forecast, ForecastLine, ForecastRound
from forecasts.services import LineInput, workflow
from measures import services as measure_services
from measures.models import Measure, RealisedEffect
from regionbudget.core.models import Area, AreaDirector
from tests.faults.concurrent import Held, Run, race
from tests.forecasts.helpers import grid_post, lines_like_budget, new_round
from tests.measures.helpers import measure_edit_data

pytestmark = pytest.mark.django_db(transaction=True)


def _client(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.fixture
def seed(demo_committed):
    # A second director of somatik: two people who may edit the same forecast.
    second = get_user_model().objects.create_user("direktor.somatik2", password="x-unused-x")
    second.groups.add(Group.objects.get(name="area_director"))
    AreaDirector.objects.create(user=second, area=Area.objects.get(code="LSO-SOM"))


def _stored_lines(forecast: Forecast) -> dict:
    return {
        (line.unit_id, line.account_group_id): (line.amount, line.comment)
        for line in ForecastLine.objects.filter(forecast=forecast)
    }


def test_two_saves_of_the_same_forecast_one_wins_whole_the_other_gets_the_conflict(
    seed, monkeypatch
):
    somatik = Area.objects.get(code="LSO-SOM")
    october = ForecastRound.objects.get(year=2024, month=10)
    forecast = Forecast.objects.get(forecast_round=october, area=somatik)
    version = forecast.version
    url = reverse("forecasts:forecast_edit", args=[october.pk, somatik.pk])
    base = lines_like_budget(somatik)
    cells = sorted(base)
    # Each person changes two cells, one of them the same: a mix would be a lost update.
    mine = {**base, cells[0]: LineInput(Decimal("1111000"), "A"), cells[1]: LineInput(Decimal(1))}
    theirs = {
        **base,
        cells[0]: LineInput(Decimal("2222000"), "B"),
        cells[2]: LineInput(Decimal("3000")),
    }
    first, second = _client("direktor.somatik"), _client("direktor.somatik2")
    held = Held(monkeypatch, workflow, "_write_lines")

    r1, r2 = race(
        lambda: first.post(url, grid_post(mine, version=version)),
        lambda: second.post(url, grid_post(theirs, version=version)),
        held,
    )

    assert r1.status_code == 302
    assert r2.status_code == 409
    page = r2.content.decode()
    assert 'id="conflict"' in page
    assert amount_input_text(Decimal("2222000")) in page, "the second person's input is kept"
    forecast.refresh_from_db()
    assert forecast.version == version + 1
    stored = _stored_lines(forecast)
    assert stored == {cell: (line.amount, line.comment) for cell, line in mine.items()}

    # Saving again from the conflict page (which carries the new version) stores theirs.
    again = grid_post(theirs, version=forecast.version)
    assert second.post(url, again).status_code == 302
    forecast.refresh_from_db()
    assert forecast.version == version + 2
    assert _stored_lines(forecast) == {cell: (ln.amount, ln.comment) for cell, ln in theirs.items()}


def _planned(m: Measure) -> set:
    return set(m.planned_effects.values_list("year", "low", "high"))


def test_two_edits_of_the_same_measure_one_wins_whole_the_other_gets_the_conflict(
    seed, monkeypatch
):
    m03 = Measure.objects.get(code="M03")
    url = reverse("measures:measure_edit", args=[m03.pk])
    mine, theirs = (
        measure_edit_data(m03, title="Ekonomens titel", planned="7"),
        measure_edit_data(m03, title="Admins", planned="9"),
    )
    held = Held(monkeypatch, measure_services, "_planned_replace")

    r1, r2 = race(
        lambda: _client("ekonom").post(url, mine),
        lambda: _client("admin").post(url, theirs),
        held,
    )

    assert (r1.status_code, r2.status_code) == (302, 409)
    assert "Admins" in r2.content.decode()
    m03.refresh_from_db()
    assert m03.title == "Ekonomens titel"
    seven = Decimal(7_000_000)
    assert _planned(m03) == {(year, seven, seven) for year in (2024, 2025, 2026)}
    assert m03.version == mine["version"] + 1

    assert _client("admin").post(url, {**theirs, "version": m03.version}).status_code == 302
    m03.refresh_from_db()
    nine = Decimal(9_000_000)
    assert m03.title == "Admins"
    assert _planned(m03) == {(year, nine, nine) for year in (2024, 2025, 2026)}


def test_two_reports_on_the_same_measure_one_wins_the_other_gets_the_conflict(seed, monkeypatch):
    m03 = Measure.objects.get(code="M03")
    url = reverse("measures:measure_report", args=[m03.pk])

    def report(amount: str, comment: str, status: str, version: int) -> dict:
        return {
            "status": status,
            "year": 2026,
            "month": 11,
            "amount": amount,
            "comment": comment,
            "version": version,
        }

    mine = report("1,5", "Direktören", "delayed", m03.version)
    theirs = report("2,5", "Ekonomen", "done", m03.version)
    held = Held(monkeypatch, measure_services, "_bump_version")

    r1, r2 = race(
        lambda: _client("direktor.somatik").post(url, mine),
        lambda: _client("ekonom").post(url, theirs),
        held,
    )

    assert (r1.status_code, r2.status_code) == (302, 409)
    assert "Ekonomen" in r2.content.decode()
    m03.refresh_from_db()
    effect = RealisedEffect.objects.get(measure=m03, year=2026, month=11)
    assert (m03.status, effect.amount, effect.comment) == (
        "delayed",
        Decimal(1_500_000),
        "Direktören",
    )

    assert _client("ekonom").post(url, {**theirs, "version": m03.version}).status_code == 302
    m03.refresh_from_db()
    effect.refresh_from_db()
    assert (m03.status, effect.amount, effect.comment) == ("done", Decimal(2_500_000), "Ekonomen")


def test_edits_of_different_measures_at_the_same_moment_both_land(seed, monkeypatch):
    """Different measures: no conflict. (The second save does wait a moment, for the measures
    table's data version row behind the cached figures, which every write to it raises.)"""
    m03, m13 = Measure.objects.get(code="M03"), Measure.objects.get(code="M13")
    held = Held(monkeypatch, measure_services, "_planned_replace")

    r1, r2 = race(
        lambda: _client("ekonom").post(
            reverse("measures:measure_edit", args=[m03.pk]),
            measure_edit_data(m03, title="Tre", planned="3"),
        ),
        lambda: _client("admin").post(
            reverse("measures:measure_edit", args=[m13.pk]),
            measure_edit_data(m13, title="Tretton", planned="13"),
        ),
        held,
    )

    assert (r1.status_code, r2.status_code) == (302, 302)
    m03.refresh_from_db()
    m13.refresh_from_db()
    assert (m03.title, m13.title) == ("Tre", "Tretton")


def test_two_directors_starting_the_same_forecast_one_wins_the_other_gets_the_conflict(
    seed, monkeypatch
):
    """Version 0: neither forecast row exists yet; the database's one-forecast-per-area rule
    makes the second insert wait for the first, then fail into the conflict page."""
    somatik = Area.objects.get(code="LSO-SOM")
    november = new_round(month=11)
    url = reverse("forecasts:forecast_edit", args=[november.pk, somatik.pk])
    base = lines_like_budget(somatik)
    cell = sorted(base)[0]
    mine = {**base, cell: LineInput(Decimal("5000000"), "Först")}
    theirs = {**base, cell: LineInput(Decimal("6000000"), "Sist")}
    first, second = _client("direktor.somatik"), _client("direktor.somatik2")
    held = Held(monkeypatch, workflow, "_write_lines")

    r1, r2 = race(
        lambda: first.post(url, grid_post(mine, version=0)),
        lambda: second.post(url, grid_post(theirs, version=0)),
        held,
    )

    assert (r1.status_code, r2.status_code) == (302, 409)
    assert amount_input_text(Decimal("6000000")) in r2.content.decode()
    forecast = Forecast.objects.get(forecast_round=november, area=somatik)
    assert forecast.version == 1
    assert _stored_lines(forecast) == {c: (ln.amount, ln.comment) for c, ln in mine.items()}

    assert second.post(url, grid_post(theirs, version=forecast.version)).status_code == 302
    forecast.refresh_from_db()
    assert forecast.version == 2
    assert _stored_lines(forecast) == {c: (ln.amount, ln.comment) for c, ln in theirs.items()}


def test_saves_of_two_areas_forecasts_at_the_same_moment_both_land(seed, monkeypatch):
    """Different forecasts (two areas start theirs in a new round): no conflict, and no wait:
    the second save completes while the first one's transaction is still open (drafts raise no
    data version of the cached figures, so the two share no row)."""
    november = new_round(month=11)
    saves = {}
    for username, code, amount in (
        ("direktor.somatik", "LSO-SOM", "1234000"),
        ("direktor.psykiatri", "LSO-PSY", "4321000"),
    ):
        area = Area.objects.get(code=code)
        lines = lines_like_budget(area)
        lines[sorted(lines)[0]] = LineInput(Decimal(amount), username)
        url = reverse("forecasts:forecast_edit", args=[november.pk, area.pk])
        saves[code] = (_client(username), url, lines, area)
    held = Held(monkeypatch, workflow, "_write_lines")

    def post(code):
        client, url, lines, _area = saves[code]
        return lambda: client.post(url, grid_post(lines, version=0))

    first = Run("first", post("LSO-SOM"))
    first.start()
    assert held.inside.wait(20), "the first save never reached its write"
    r2 = Run("second", post("LSO-PSY"))
    r2.start()
    r2 = r2.outcome()  # while the first is held inside its transaction
    held.release.set()
    r1 = first.outcome()

    assert (r1.status_code, r2.status_code) == (302, 302)
    assert (r1["Location"], r2["Location"]) == (saves["LSO-SOM"][1], saves["LSO-PSY"][1])
    for *_, lines, area in saves.values():
        forecast = Forecast.objects.get(forecast_round=november, area=area)
        assert forecast.version == 1
        assert _stored_lines(forecast) == {c: (ln.amount, ln.comment) for c, ln in lines.items()}
