"""Selectors: the deviation per area and round for the gap dashboard, scoping, the grid."""

import datetime as dt
from decimal import Decimal

import pytest

from forecasts.models import AccountGroup, Budget, ForecastRound, Plan
from forecasts.selectors import forecast_deviation_by_area, forecast_grid, round_overview
from forecasts.services import (
    LineInput,
    forecast_approve,
    forecast_save,
    forecast_submit,
    round_open,
)
from regionbudget.core.models import Area, Unit
from regionbudget.core.services import area_director_bind, area_upsert, unit_upsert, user_upsert
from tests.forecasts.helpers import PLAN, area, user

pytestmark = pytest.mark.django_db
D = Decimal
MSEK = D("1000000")


@pytest.fixture
def small(demo):
    """Two new areas with one unit each, a 2027 budget, and two rounds computed by hand."""
    plan = Plan.objects.get(name=PLAN)
    north = area_upsert(code="T-N", name="Testområde norr", position=900)
    south = area_upsert(code="T-S", name="Testområde söder", position=910)
    unit_n = unit_upsert(area=north, code="T1", name="Norr 1")
    unit_s = unit_upsert(area=south, code="T2", name="Söder 1")
    personal = AccountGroup.objects.get(code="PERS")
    income = AccountGroup.objects.get(code="INT")
    Budget.objects.bulk_create(
        [
            Budget(unit=unit_n, year=2027, account_group=personal, amount=D("1000")),
            Budget(unit=unit_n, year=2027, account_group=income, amount=D("-200")),
            Budget(unit=unit_s, year=2027, account_group=personal, amount=D("500")),
        ]
    )
    boss = user_upsert(username="boss.test")
    area_director_bind(user=boss, area=north)
    finance = user("ekonom")
    groups = list(AccountGroup.objects.values_list("pk", flat=True))

    def lines(unit, amounts):
        return {(unit.pk, g): LineInput(amounts.get(g, D(0)), "ok") for g in groups}

    march = round_open(year=2027, month=3, deadline=dt.date(2027, 4, 10), user=finance)
    april = round_open(year=2027, month=4, deadline=dt.date(2027, 5, 10), user=finance)
    # March: north forecasts 1100 − 150 = 950 net (deviation 800 − 950 = −150), approved;
    # south forecasts 450 (deviation +50), approved.
    for a, unit, amounts in [
        (north, unit_n, {personal.pk: D("1100"), income.pk: D("-150")}),
        (south, unit_s, {personal.pk: D("450")}),
    ]:
        f = forecast_submit(
            forecast_round=march,
            area=a,
            lines=lines(unit, amounts),
            expected_version=0,
            user=user("admin"),  # finance approves, so someone else submits
        )
        forecast_approve(forecast=f, expected_version=f.version, user=finance)
    # April: north approved at 1200 − 200 = 1000 (deviation −200); south only a draft of 900.
    f = forecast_submit(
        forecast_round=april,
        area=north,
        lines=lines(unit_n, {personal.pk: D("1200"), income.pk: D("-200")}),
        expected_version=0,
        user=user("admin"),
    )
    forecast_approve(forecast=f, expected_version=f.version, user=finance)
    forecast_save(
        forecast_round=april,
        area=south,
        lines=lines(unit_s, {personal.pk: D("900")}),
        expected_version=0,
        user=finance,
    )
    return {"plan": plan, "north": north, "south": south, "march": march, "april": april}


def _rows(frame, area_ids):
    part = frame[frame["area_id"].isin(area_ids)]
    return list(
        zip(
            part["month"],
            part["area_code"],
            part["budget"],
            part["forecast"],
            part["deviation"],
            strict=True,
        )
    )


def test_deviation_by_area_uses_the_latest_approved_forecast_per_round(small):
    frame = forecast_deviation_by_area(years=[2027], user=user("ekonom"))
    assert _rows(frame, [small["north"].pk, small["south"].pk]) == [
        (3, "T-N", D("800"), D("950"), D("-150")),
        (3, "T-S", D("500"), D("450"), D("50")),
        (4, "T-N", D("800"), D("1000"), D("-200")),
        (4, "T-S", D("500"), D("450"), D("50")),  # April's draft never counts
    ]
    others = frame[~frame["area_id"].isin([small["north"].pk, small["south"].pk])]
    assert others["deviation"].isna().all(), "areas without an approved forecast have none"


def test_a_director_gets_only_their_own_areas(small):
    frame = forecast_deviation_by_area(years=[2027], user=user("boss.test"))
    assert set(frame["area_code"]) == {"T-N"}


def test_the_seed_deviations_add_up_to_minus_174_msek(demo):
    frame = forecast_deviation_by_area(years=[2024], user=user("ledamot"))
    by_month = {m: sum(frame[frame["month"] == m]["deviation"]) for m in (9, 10)}
    assert by_month == {9: D("-174") * MSEK, 10: D("-174") * MSEK}
    october = frame[frame["month"] == 10].set_index("area_code")
    assert october.loc["LSO-SOM", "deviation"] == D("-58") * MSEK
    september = ForecastRound.objects.get(year=2024, month=9)
    assert october.loc["LSO-SOM", "forecast_round_id"] == september.pk


def test_the_committee_sees_no_draft_in_the_round_overview(small):
    states = {
        s.area.code: s for s in round_overview(forecast_round=small["april"], user=user("ledamot"))
    }
    assert states["T-S"].state == "not_started"
    assert states["T-S"].total is None
    finance_states = {
        s.area.code: s for s in round_overview(forecast_round=small["april"], user=user("ekonom"))
    }
    assert finance_states["T-S"].state == "draft"
    assert finance_states["T-S"].total == D("900")


def test_the_grid_prefills_from_the_previous_approved_forecast_then_the_budget(small):
    may = round_open(year=2027, month=5, deadline=dt.date(2027, 6, 10), user=user("ekonom"))
    grid = forecast_grid(forecast_round=may, area=small["north"], forecast=None)
    personal = next(r for r in grid.units[0].rows if r.group.code == "PERS")
    assert personal.figures.previous == D("1200")
    assert personal.amount_text == "1,2"  # tkr
    assert grid.previous_round == small["april"]
    assert grid.total.budget == D("800")
    assert grid.total.forecast == D("1000")
    assert grid.total.deviation == D("-200")


def test_the_first_round_of_a_year_is_prefilled_from_the_budget(demo):
    january = round_open(year=2024, month=1, deadline=dt.date(2024, 2, 10), user=user("ekonom"))
    somatik = area("LSO-SOM")
    grid = forecast_grid(forecast_round=january, area=somatik, forecast=None)
    assert grid.previous_round is None
    assert grid.total.forecast == grid.total.budget == D("3900") * MSEK
    assert len(grid.units) == Unit.objects.filter(area=somatik).count()
    assert Area.objects.count() == 8


def test_last_rounds_comment_is_prefilled_where_the_line_still_deviates(small):
    """April's approved north forecast: Personal 1 200 against a budget of 1 000 (deviation
    −200), Intäkter −200 against −200 (deviation 0), every comment "ok"."""
    personal = AccountGroup.objects.get(code="PERS")

    def row(grid, code):
        return next(r for r in grid.units[0].rows if r.group.code == code)

    # A threshold of 100 kr: |−200| > 100, so Personal still needs its comment; Intäkter not.
    may = round_open(
        year=2027,
        month=5,
        deadline=dt.date(2027, 6, 10),
        user=user("ekonom"),
        comment_threshold=D("100"),
    )
    grid = forecast_grid(forecast_round=may, area=small["north"], forecast=None)
    assert (row(grid, "PERS").comment, row(grid, "PERS").comment_carried) == ("ok", True)
    assert row(grid, "PERS").comment_needed
    assert (row(grid, "INT").comment, row(grid, "INT").comment_carried) == ("", False)

    # At 200 kr the deviation is no longer above the threshold (200 is not more than 200).
    may.comment_threshold = D("200")
    grid = forecast_grid(forecast_round=may, area=small["north"], forecast=None)
    assert row(grid, "PERS").comment == ""
    assert not row(grid, "PERS").comment_needed

    # A stored line keeps what the director saved, even an empty comment.
    may.comment_threshold = D("100")
    groups = list(AccountGroup.objects.values_list("pk", flat=True))
    unit = Unit.objects.get(code="T1")
    draft = forecast_save(
        forecast_round=may,
        area=small["north"],
        lines={
            (unit.pk, g): LineInput(D("1200") if g == personal.pk else D(0), "") for g in groups
        },
        expected_version=0,
        user=user("ekonom"),
    )
    grid = forecast_grid(forecast_round=may, area=small["north"], forecast=draft)
    assert (row(grid, "PERS").comment, row(grid, "PERS").comment_carried) == ("", False)
