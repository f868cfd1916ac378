"""The outlook through the services, the pages and the exports (DESIGN.md, "the outlook").

Figures are computed by hand in the tests from what they write; amounts in MSEK unless said.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from forecasts.imports import FigureRow
from forecasts.models import AccountGroup, Budget, ImportUpload, OutsideBudgetReduction, Plan
from forecasts.selectors import import_preview, round_overview
from forecasts.services import (
    LineInput,
    figures_replace,
    forecast_approve,
    forecast_submit,
    outside_budgets_set,
    plan_upsert,
    round_open,
)
from measures.models import Category, ForecastInclusion, Measure
from measures.services import measure_create
from regionbudget.core.formatting import NBSP
from regionbudget.core.models import Area, Unit
from regionbudget.gap.selectors import GapFilters, gap_data
from regionbudget.reports.models import StatusReport
from regionbudget.reports.services import meeting_create, report_create, report_publish
from tests.forecasts.helpers import PLAN, cells, staged_upload, user

pytestmark = pytest.mark.django_db
D = Decimal
M = D("1000000")


def _client(username: str) -> Client:
    client = Client()
    client.force_login(user(username))
    return client


def _stable(response) -> bytes:
    """A page without what changes per request (the CSRF token and the script nonce)."""
    content = re.sub(rb'nonce="[^"]*"', b"", response.content)
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode().replace(NBSP, " "))


# --- A year of the region's rounds, seen by two plans ------------------------------------------


@pytest.fixture
def year2027(demo):
    """2027 (after the demo's years) for somatik: one unit budgeted 100 MSEK of personnel, two
    plans covering 2027, the second with one proposed measure of somatik (10–12 MSEK in 2027),
    and a March round (which includes decided measures) in which somatik forecasts 130 and
    finance approves."""
    somatik = Area.objects.get(code="LSO-SOM")
    unit = Unit.objects.filter(area=somatik, is_active=True).order_by("code").first()
    personnel = AccountGroup.objects.get(code="PERS")
    Budget.objects.create(unit=unit, year=2027, account_group=personnel, amount=100 * M)
    second = plan_upsert(
        name="Vårdplatsplan 2027",
        organisation="Hälso- och sjukvården",
        baseline_year=2024,
        start_year=2027,
        end_year=2027,
    )
    measure_create(
        plan=second,
        code="V1",
        title="Färre vårdplatser i samverkan",
        category=Category.objects.first(),
        owner_area=somatik,
        planned={2027: (10 * M, 12 * M)},
        user=user("ekonom"),
    )
    first = plan_upsert(
        name="Ekonomi i balans 2027–2028",
        organisation="Hälso- och sjukvården",
        baseline_year=2026,
        start_year=2027,
        end_year=2028,
    )
    world = {
        "somatik": somatik,
        "unit": unit,
        "personnel": personnel,
        "first": first,
        "second": second,
    }
    world["march"] = _approved_round(world, month=3)
    return world


def _lines(world, amount: Decimal) -> dict:
    cell = (world["unit"].pk, world["personnel"].pk)
    lines = {c: LineInput(D(0)) for c in cells(world["somatik"])}
    lines[cell] = LineInput(amount, "Fler vårdplatser än budgeterat")
    return lines


def _approved_round(world, *, month: int, amount: Decimal = 130 * M):
    forecast_round = round_open(
        year=2027, month=month, deadline=dt.date(2099, 1, 1), user=user("ekonom")
    )
    forecast = forecast_submit(
        forecast_round=forecast_round,
        area=world["somatik"],
        lines=_lines(world, amount),
        expected_version=0,
        user=user("direktor.somatik"),
    )
    forecast_approve(forecast=forecast, expected_version=forecast.version, user=user("ekonom"))
    return forecast_round


def _outlook(plan, year, username="ekonom"):
    return gap_data(user=user(username), filters=GapFilters(plan=plan, year=year))


def test_an_approved_forecast_moves_the_outlook_and_names_the_missing_areas(year2027):
    data = _outlook(year2027["second"], 2027)
    outlook = data.outlooks[2027]
    # Somatik: budget 100, forecast 130 → −30. Nothing outside the budgets in this plan:
    # required now = 0 + 30 = 30; V1 is proposed, not in the forecast: covered 10–12;
    # uncovered 30 − 12 … 30 − 10 = 18–20.
    assert outlook.deviation == D("-30") * M
    assert outlook.required_now == 30 * M
    assert (outlook.covered_low, outlook.covered_high) == (10 * M, 12 * M)
    assert (outlook.uncovered_low, outlook.uncovered_high) == (18 * M, 20 * M)
    assert outlook.round_id == year2027["march"].pk
    assert set(outlook.missing) == set(
        Area.objects.exclude(code="LSO-SOM").values_list("code", flat=True)
    )
    assert outlook.not_in_forecast == ("V1",)


def test_a_measure_decided_between_rounds_moves_into_the_next_approved_forecast(year2027):
    Measure.objects.filter(code="V1").update(status="decided")
    # Decided after March's approval: not in March's forecast, so it still covers now.
    assert _outlook(year2027["second"], 2027).outlooks[2027].covered_high == 12 * M
    april = _approved_round(year2027, month=4)
    assert ForecastInclusion.objects.filter(measure__code="V1", status="decided").count() == 1
    data = _outlook(year2027["second"], 2027)
    # April counts V1: covered now 0, uncovered 30–30; March's outlook stays 18–20.
    assert [(o.round_id, o.uncovered_low, o.uncovered_high) for o in data.outlook_rounds] == [
        (year2027["march"].pk, 18 * M, 20 * M),
        (april.pk, 30 * M, 30 * M),
    ]
    assert data.outlooks[2027].in_forecast == ("V1",)


def test_two_plans_covering_a_year_read_the_same_rounds(year2027):
    other = _outlook(year2027["first"], 2027).outlooks[2027]
    mine = _outlook(year2027["second"], 2027).outlooks[2027]
    assert other.round_id == mine.round_id == year2027["march"].pk
    assert other.deviation == mine.deviation == D("-30") * M
    # Each plan counts its own measures: the first has none.
    assert (other.not_in_forecast, mine.not_in_forecast) == ((), ("V1",))
    assert (other.uncovered_low, mine.uncovered_low) == (30 * M, 18 * M)


def test_a_budget_import_after_approval_changes_only_forecasts_not_yet_approved(year2027):
    ekonom = user("ekonom")
    meeting = meeting_create(committee="hsn", date=dt.date(2027, 4, 29), title="Läget 2027")
    report = report_create(
        meeting=meeting, plan=year2027["second"], year=2027, title="Läget", user=ekonom
    )
    report = report_publish(report=report, expected_version=report.version, user=ekonom)
    page = _stable(_client("ledamot").get(f"/reports/{report.pk}/"))
    snapshot = json.dumps(StatusReport.objects.get(pk=report.pk).snapshot, sort_keys=True)
    # A May round with somatik's forecast as a draft, then the budget raised to 200.
    may = round_open(year=2027, month=5, deadline=dt.date(2099, 1, 1), user=ekonom)
    forecast_submit(
        forecast_round=may,
        area=year2027["somatik"],
        lines=_lines(year2027, 130 * M),
        expected_version=0,
        user=user("direktor.somatik"),
    )
    rows = [
        FigureRow(year2027["unit"].pk, 2027, None, year2027["personnel"].pk, 200 * M),
    ]
    upload = staged_upload(ImportUpload.Kind.BUDGET, rows)
    assert import_preview(upload=upload).approved_rounds == [{"year": 2027, "rounds": 1}]
    figures_replace(kind=ImportUpload.Kind.BUDGET, rows=rows, user=ekonom)

    # March was approved against 100: still −30. May's submitted forecast reads 200 − 130 = +70.
    march = {s.area.code: s for s in round_overview(forecast_round=year2027["march"], user=ekonom)}
    assert march["LSO-SOM"].deviation == D("-30") * M
    in_may = {s.area.code: s for s in round_overview(forecast_round=may, user=ekonom)}
    assert in_may["LSO-SOM"].deviation == 70 * M
    assert _outlook(year2027["second"], 2027).outlooks[2027].deviation == D("-30") * M
    # The published report reads byte for byte the same.
    assert json.dumps(StatusReport.objects.get(pk=report.pk).snapshot, sort_keys=True) == snapshot
    assert _stable(_client("ledamot").get(f"/reports/{report.pk}/")) == page


def test_a_director_sees_the_outlook_of_their_own_areas_only(demo):
    data = _outlook(Plan.objects.get(name=PLAN), 2024, "direktor.somatik")
    outlook = data.outlooks[2024]
    assert [a.area_code for a in outlook.areas] == ["LSO-SOM"]
    # Somatik's September forecast: −58. No reduction outside the budgets at area level:
    # required now 58. Its measures (none in the 2024 forecasts) cover 96,25–102,6:
    # uncovered 58 − 102,6 … 58 − 96,25.
    assert outlook.deviation == D("-58") * M
    assert outlook.required_now == 58 * M
    assert (outlook.uncovered_low, outlook.uncovered_high) == (D("-44.6") * M, D("-38.25") * M)


# --- The demo's 2024: worked case A on the pages and in the exports ----------------------------


def test_the_dashboard_shows_the_outlook_beside_the_plan(demo):
    text = _text(_client("ekonom").get("/gap/?year=2024"))
    headline = re.search(r'id="outlook-headline".*?outlook-uncovered">([^<]+)<', text)
    assert headline and headline.group(1).strip() == "132–149 mnkr"
    plan = re.search(r'plan-uncovered">([^<]+)<', text)
    assert plan and plan.group(1).strip() == "132–149 mnkr"
    assert 'id="outlook-table"' in text and 'data-chart="chart-outlook"' in text


def test_a_year_without_approved_forecasts_shows_the_plan_view_alone(demo):
    earlier = Plan.objects.get(name__startswith="Kostnadsreduceringar")  # 2023: no rounds
    text = _text(_client("ekonom").get(f"/gap/?plan={earlier.pk}&year=2023"))
    assert 'id="outlook-headline"' not in text
    assert 'id="gap-table"' in text


def test_figures_json_and_csv_carry_the_outlook(demo):
    client = _client("ekonom")
    data = client.get("/gap/figures.json?year=2024").json()
    assert [r["year"] for r in data["outlook"]] == [2024, 2025, 2026]
    row = data["outlook"][0]
    assert row["year"] == 2024 and (row["round_year"], row["round"]) == (2024, 10)
    assert row["deviation"] == "-174000000.00"
    assert row["outside_budgets"] == "150000000.00"
    assert row["required_now"] == "324000000.00"
    assert (row["covered_low"], row["covered_high"]) == ("175000000.00", "192000000.00")
    assert (row["uncovered_low"], row["uncovered_high"]) == ("132000000.00", "149000000.00")
    assert row["missing_areas"] == []
    csv_text = client.get("/gap/figures.csv").content.decode("utf-8-sig")
    header, *lines = csv_text.splitlines()
    assert "required_now" in header.split(";")
    line_2024 = dict(
        zip(
            header.split(";"),
            next(x for x in lines if x.startswith("2024;")).split(";"),
            strict=True,
        )
    )
    assert line_2024["outlook_round"] == "2024-10"
    assert line_2024["required_now"] == "324000000.00"


def test_a_status_report_shows_where_the_year_is_heading(demo):
    ekonom = user("ekonom")
    meeting = meeting_create(committee="hsn", date=dt.date(2024, 11, 26), title="Läget")
    report = report_create(
        meeting=meeting, plan=Plan.objects.get(name=PLAN), year=2024, title="Läget", user=ekonom
    )
    text = _text(_client("ekonom").get(f"/reports/{report.pk}/"))
    block = re.search(r'id="report-outlook".*?</table>', text, re.S)
    assert block and '<td class="num">324,0 mnkr</td>' in block.group(0)
    # one decimal, and no line break at the range's dash (word joiners beside it)
    assert '<td class="num uncovered">132,0\u2060–\u2060149,0 mnkr</td>' in block.group(0)


# --- The reduction outside the area budgets -----------------------------------------------------


def test_finance_enters_the_reduction_outside_the_budgets_in_mnkr(demo):
    plan = Plan.objects.get(name=PLAN)
    client = _client("ekonom")
    page = client.get(f"/forecasts/plans/{plan.pk}/outside-budgets/")
    assert page.status_code == 200
    assert 'name="amount_2024" id="id_amount_2024"' in page.content.decode()
    assert 'value="150"' in page.content.decode()
    response = client.post(
        f"/forecasts/plans/{plan.pk}/outside-budgets/",
        {"amount_2024": "160", "amount_2025": "", "amount_2026": "12,5"},
    )
    assert response.status_code == 302
    stored = dict(OutsideBudgetReduction.objects.filter(plan=plan).values_list("year", "amount"))
    assert stored == {2024: 160 * M, 2026: D("12.5") * M}
    # Required now in 2024 follows: 160 + 174 = 334.
    assert _outlook(plan, 2024).outlooks[2024].required_now == 334 * M


@pytest.mark.parametrize(
    ("typed", "message"),
    [("-5", "positivt belopp"), ("abc", "är inte ett tal"), ("1 000 000 000 000", "för stort")],
)
def test_a_bad_reduction_gets_a_message_and_nothing_is_saved(demo, typed, message):
    plan = Plan.objects.get(name=PLAN)
    response = _client("ekonom").post(
        f"/forecasts/plans/{plan.pk}/outside-budgets/",
        {"amount_2024": typed, "amount_2025": "7", "amount_2026": ""},
    )
    assert response.status_code == 200
    text = _text(response)
    assert 'aria-invalid="true"' in text and f'value="{typed}"' in text
    assert message in text
    stored = dict(OutsideBudgetReduction.objects.filter(plan=plan).values_list("year", "amount"))
    assert stored == {2024: 150 * M, 2025: 150 * M, 2026: 150 * M}


def test_a_year_outside_the_plan_is_refused_by_the_service(demo):
    plan = Plan.objects.get(name=PLAN)
    with pytest.raises(ValidationError) as refused:
        outside_budgets_set(plan=plan, amounts={2030: 5 * M}, user=user("ekonom"))
    assert "2024–2026" in str(refused.value)
    assert not OutsideBudgetReduction.objects.filter(year=2030).exists()


@pytest.mark.parametrize("username", ["direktor.somatik", "ledamot"])
def test_only_finance_enters_the_reduction_outside_the_budgets(demo, username):
    plan = Plan.objects.get(name=PLAN)
    client = _client(username)
    assert client.get(f"/forecasts/plans/{plan.pk}/outside-budgets/").status_code == 403
    response = client.post(f"/forecasts/plans/{plan.pk}/outside-budgets/", {"amount_2024": "1"})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        outside_budgets_set(plan=plan, amounts={2024: M}, user=user(username))
    assert OutsideBudgetReduction.objects.get(plan=plan, year=2024).amount == 150 * M
