"""Forecast pages per role: who sees what, the grid's input handling, conflicts, extra fields."""

from decimal import Decimal

import pytest
from django.urls import reverse
from pghistory.models import Events

from forecasts.calculations import cell_key
from forecasts.models import Forecast, ForecastLine, ForecastRound
from regionbudget.core.formatting import NBSP
from tests.forecasts.helpers import area, cells, grid_post, lines_like_budget, new_round, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def october(demo):
    return ForecastRound.objects.get(year=2024, month=10)


@pytest.fixture
def september(demo):
    return ForecastRound.objects.get(year=2024, month=9)


def _url(name, forecast_round, area_obj):
    return reverse(f"forecasts:{name}", args=[forecast_round.pk, area_obj.pk])


def _text(response) -> str:
    return response.content.decode()


# --- Access per role (which role may open which page: tests/test_access_matrix.py) ---


def test_the_committee_reads_approved_forecasts(committee, september):
    response = committee.get(_url("forecast_detail", september, area("LSO-SOM")))
    assert response.status_code == 200
    assert "Godkänd" in _text(response)


def test_approve_and_return_are_finance_only(director_own, committee, director_other, october):
    psykiatri = area("LSO-PSY")
    forecast = Forecast.objects.get(forecast_round=october, area=area("LSO-SOM"))
    for client, code in ((director_own, 403), (committee, 404), (director_other, 404)):
        url = _url("forecast_approve", october, area("LSO-SOM"))
        assert client.post(url, {"version": forecast.version}).status_code == code
    assert (
        director_own.post(_url("forecast_return", october, psykiatri), {"version": 1}).status_code
        == 404
    )
    assert director_own.get(_url("forecast_approve", october, area("LSO-SOM"))).status_code == 405


def test_only_finance_closes_a_round(director_own, finance, october):
    assert director_own.post(reverse("forecasts:round_close", args=[october.pk])).status_code == 403
    response = finance.post(reverse("forecasts:round_close", args=[october.pk]))
    assert response.status_code == 302
    october.refresh_from_db()
    assert october.status == ForecastRound.Status.CLOSED


# --- Round pages ---


def test_finance_sees_every_areas_state_with_the_late_one_marked(finance, october):
    text = _text(finance.get(october.get_absolute_url()))
    assert text.count("Godkänd") >= 7
    assert "Utkast" in text and "Försenad" in text
    assert 'class="table-danger"' in text
    assert f"−58,0{NBSP}mnkr" in text and f"−22,0{NBSP}mnkr" in text


def test_finance_opens_a_round_through_the_form(finance, demo):
    response = finance.post(
        reverse("forecasts:round_create"),
        {
            "year": "2024",
            "month": "11",
            "deadline": "2024-12-10",
            "comment_threshold": "1 000",
            "includes_decided_measures": "",
            "status": "closed",  # not a field: ignored
        },
    )
    forecast_round = ForecastRound.objects.get(year=2024, month=11)
    assert response.status_code == 302
    assert forecast_round.status == ForecastRound.Status.OPEN
    assert forecast_round.comment_threshold == Decimal("1000000")
    assert forecast_round.includes_decided_measures is False


def test_a_second_round_for_a_month_gets_a_message_and_the_input_kept(finance, demo):
    response = finance.post(
        reverse("forecasts:round_create"),
        {
            "year": "2024",
            "month": "10",
            "deadline": "2024-12-10",
            "comment_threshold": "500",
        },
    )
    assert response.status_code == 200
    assert "Det finns redan ett prognostillfälle för den här månaden" in _text(response)
    assert 'value="2024-12-10"' in _text(response)


# --- The grid ---


def test_the_director_sees_the_prefilled_grid_with_totals(director_own, october):
    response = director_own.get(_url("forecast_edit", october, area("LSO-SOM")))
    text = _text(response)
    assert response.status_code == 200
    assert "1101 Kirurgkliniken Sundsvall-Härnösand" in text
    assert "Prognos efter september" in text
    assert "Summa LSO-SOM" in text
    assert f"3{NBSP}900{NBSP}000{NBSP}tkr" in text  # the area's budget
    assert f"−58{NBSP}000{NBSP}tkr" in text  # the area's deviation
    assert 'name="line-' in text and 'name="comment-' in text
    assert "Vuxenpsykiatrin" not in text


def test_the_grid_page_has_a_fixed_number_of_queries(
    director_own, october, django_assert_num_queries
):
    url = _url("forecast_edit", october, area("LSO-SOM"))
    director_own.get(url)
    # One of them reads the proposal (this and last year's actuals); the account groups are
    # the grid's.
    with django_assert_num_queries(15):
        director_own.get(url)


def test_the_round_page_has_a_fixed_number_of_queries(finance, october, django_assert_num_queries):
    finance.get(october.get_absolute_url())
    # One of them reads the budgets kept with the approved forecasts; two read each area's
    # approved forecast of the previous round and its total (the change column).
    with django_assert_num_queries(11):
        finance.get(october.get_absolute_url())


def _somatik_post(october, **changes):
    somatik = area("LSO-SOM")
    forecast = Forecast.objects.get(forecast_round=october, area=somatik)
    lines = {(ln.unit_id, ln.account_group_id): ln for ln in forecast.lines.all()}
    from forecasts.services import LineInput

    data = grid_post(
        {cell: LineInput(ln.amount, ln.comment) for cell, ln in lines.items()},
        version=forecast.version,
    )
    data.update(changes)
    return forecast, data


def test_swedish_numbers_are_saved_as_thousands_of_kronor(director_own, october):
    somatik = area("LSO-SOM")
    first, second, third = cells(somatik)[:3]
    forecast, data = _somatik_post(
        october,
        **{
            cell_key("line", first): "1 234,5",
            cell_key("line", second): "-500",
            cell_key("line", third): "\u2212500",
        },
    )
    response = director_own.post(_url("forecast_edit", october, somatik), data)
    assert response.status_code == 302
    stored = {
        (ln.unit_id, ln.account_group_id): ln.amount
        for ln in ForecastLine.objects.filter(forecast=forecast)
    }
    assert stored[first] == Decimal("1234500")
    assert stored[second] == stored[third] == Decimal("-500000")
    forecast.refresh_from_db()
    assert forecast.version == 2
    assert forecast.status == Forecast.Status.DRAFT


@pytest.mark.parametrize("typed", ["abc", "NaN", "1e400", "9" * 30, "1,2,3", "Infinity", ""])
def test_bad_numbers_get_a_message_next_to_the_cell_and_the_input_is_kept(
    director_own, october, typed
):
    somatik = area("LSO-SOM")
    cell = cells(somatik)[4]
    forecast, data = _somatik_post(october, **{cell_key("line", cell): typed})
    before = list(ForecastLine.objects.filter(forecast=forecast).values_list("amount", flat=True))
    response = director_own.post(_url("forecast_edit", october, somatik), data)
    text = _text(response)
    assert response.status_code == 200
    name = cell_key("line", cell)
    assert f'id="err-{name}"' in text
    assert f'name="{name}" id="{name}" value="{typed}"' in text
    assert 'aria-invalid="true"' in text
    assert (
        list(ForecastLine.objects.filter(forecast=forecast).values_list("amount", flat=True))
        == before
    )
    forecast.refresh_from_db()
    assert forecast.version == 1


def test_submitting_without_a_needed_comment_marks_the_cell(director_own, october):
    somatik = area("LSO-SOM")
    cell = cells(somatik)[1]  # Hyrpersonal of 1101, far above budget
    forecast, data = _somatik_post(october, **{cell_key("comment", cell): "", "action": "submit"})
    response = director_own.post(_url("forecast_edit", october, somatik), data)
    assert response.status_code == 200
    assert f'id="err-{cell_key("comment", cell)}"' in _text(response)
    assert "Avvikelsen är större än gränsen" in _text(response)
    forecast.refresh_from_db()
    assert forecast.status == Forecast.Status.DRAFT


def test_the_director_submits_and_the_forecast_is_locked(director_own, october):
    somatik = area("LSO-SOM")
    forecast, data = _somatik_post(october, action="submit")
    response = director_own.post(_url("forecast_edit", october, somatik), data)
    assert response.status_code == 302
    forecast.refresh_from_db()
    assert forecast.status == Forecast.Status.SUBMITTED
    assert forecast.submitted_by == user("direktor.somatik")
    # The grid now redirects to the read-only page; a stale POST changes nothing.
    assert director_own.get(_url("forecast_edit", october, somatik)).status_code == 302
    director_own.post(_url("forecast_edit", october, somatik), data)
    forecast.refresh_from_db()
    assert forecast.status == Forecast.Status.SUBMITTED


def test_extra_post_fields_change_nothing(director_own, october):
    somatik = area("LSO-SOM")
    psykiatri = area("LSO-PSY")
    other_cell = cells(psykiatri)[0]
    other_forecast = Forecast.objects.get(forecast_round=october, area=psykiatri)
    other_before = list(other_forecast.lines.values_list("amount", flat=True))
    forecast, data = _somatik_post(
        october,
        status="approved",
        area=str(psykiatri.pk),
        approved_by=str(user("direktor.somatik").pk),
        version_override="99",
        **{cell_key("line", other_cell): "1"},
    )
    response = director_own.post(_url("forecast_edit", october, somatik), data)
    assert response.status_code == 302
    forecast.refresh_from_db()
    assert forecast.status == Forecast.Status.DRAFT
    assert forecast.approved_by is None
    assert list(other_forecast.lines.values_list("amount", flat=True)) == other_before


def test_a_director_posting_to_another_areas_grid_gets_404(director_other, october):
    somatik = area("LSO-SOM")
    forecast, data = _somatik_post(october)
    response = director_other.post(_url("forecast_edit", october, somatik), data)
    assert response.status_code == 404
    forecast.refresh_from_db()
    assert forecast.version == 1


def test_a_stale_save_shows_a_conflict_with_both_inputs(director_own, finance, october):
    somatik = area("LSO-SOM")
    cell = cells(somatik)[0]
    forecast, first = _somatik_post(october, **{cell_key("line", cell): "111"})
    _, second = _somatik_post(october, **{cell_key("line", cell): "222"})
    assert director_own.post(_url("forecast_edit", october, somatik), first).status_code == 302
    # A second tab, loaded before the first save, now saves.
    response = director_own.post(_url("forecast_edit", october, somatik), second)
    text = _text(response)
    assert response.status_code == 409
    assert 'id="conflict"' in text
    name = cell_key("line", cell)
    assert f'name="{name}" id="{name}" value="222"' in text, "the user's input is kept"
    assert f"Sparat under tiden: 111{NBSP}tkr" in text, "the stored input is shown"
    assert 'name="version" value="2"' in text
    line = ForecastLine.objects.get(forecast=forecast, unit_id=cell[0], account_group_id=cell[1])
    assert line.amount == Decimal("111000")
    # Saving again from the conflict page is a deliberate overwrite.
    second["version"] = "2"
    assert director_own.post(_url("forecast_edit", october, somatik), second).status_code == 302
    line.refresh_from_db()
    assert line.amount == Decimal("222000")


def test_the_history_records_who_changed_a_line(director_own, october):
    somatik = area("LSO-SOM")
    cell = cells(somatik)[0]
    forecast, data = _somatik_post(october, **{cell_key("line", cell): "5"})
    director_own.post(_url("forecast_edit", october, somatik), data)
    line = ForecastLine.objects.get(forecast=forecast, unit_id=cell[0], account_group_id=cell[1])
    update = Events.objects.tracks(line).filter(pgh_label="update").get()
    assert update.pgh_context["user"] == user("direktor.somatik").pk


# --- Review ---


def test_finance_returns_with_a_comment_then_approves_the_resubmission(finance, director_own, demo):
    november = new_round(month=11)
    somatik = area("LSO-SOM")
    data = grid_post(lines_like_budget(somatik), version=0, action="submit")
    assert director_own.post(_url("forecast_edit", november, somatik), data).status_code == 302
    forecast = Forecast.objects.get(forecast_round=november, area=somatik)
    detail = _text(finance.get(_url("forecast_detail", november, somatik)))
    assert "Återsänd med kommentar" in detail and "Godkänn" in detail
    no_comment = finance.post(
        _url("forecast_return", november, somatik), {"version": forecast.version}
    )
    assert no_comment.status_code == 302
    forecast.refresh_from_db()
    assert forecast.status == Forecast.Status.SUBMITTED
    finance.post(
        _url("forecast_return", november, somatik),
        {"version": forecast.version, "comment": "Förklara personalkostnaden"},
    )
    forecast.refresh_from_db()
    assert forecast.status == Forecast.Status.RETURNED
    grid = _text(director_own.get(_url("forecast_edit", november, somatik)))
    assert "Förklara personalkostnaden" in grid
    data = grid_post(lines_like_budget(somatik), version=forecast.version, action="submit")
    assert director_own.post(_url("forecast_edit", november, somatik), data).status_code == 302
    forecast.refresh_from_db()
    finance.post(_url("forecast_approve", november, somatik), {"version": forecast.version})
    forecast.refresh_from_db()
    assert forecast.status == Forecast.Status.APPROVED
    # The forecast page shows it approved (the area page shows the latest year, 2026).
    detail = _text(finance.get(_url("forecast_detail", november, somatik)))
    assert "Godkänd" in detail


def test_approving_from_a_stale_page_is_refused(finance, demo):
    november = new_round(month=11)
    somatik = area("LSO-SOM")
    from forecasts.services import forecast_submit

    forecast = forecast_submit(
        forecast_round=november,
        area=somatik,
        lines=lines_like_budget(somatik),
        expected_version=0,
        user=user("direktor.somatik"),
    )
    response = finance.post(
        _url("forecast_approve", november, somatik), {"version": forecast.version - 1 or 99}
    )
    assert response.status_code == 302
    forecast.refresh_from_db()
    assert forecast.status == Forecast.Status.SUBMITTED


def test_pages_read_in_english(finance, english, october):
    english(finance)
    text = _text(finance.get(october.get_absolute_url()))
    assert "Forecast after October 2024".lower() in text.lower()
    assert f"−58.0{NBSP}MSEK" in text


def test_one_person_with_both_roles_cannot_approve_their_own_submission(
    finance, director_own, demo
):
    from django.contrib.auth.models import Group

    user("direktor.somatik").groups.add(Group.objects.get(name="finance"))
    november = new_round(month=11)
    somatik = area("LSO-SOM")
    data = grid_post(lines_like_budget(somatik), version=0, action="submit")
    assert director_own.post(_url("forecast_edit", november, somatik), data).status_code == 302
    forecast = Forecast.objects.get(forecast_round=november, area=somatik)

    detail = _text(director_own.get(_url("forecast_detail", november, somatik)))
    assert (
        "Du skickade in prognosen själv, så någon annan inom ekonomi måste godkänna den." in detail
    )
    assert _url("forecast_approve", november, somatik) not in detail
    response = director_own.post(
        _url("forecast_approve", november, somatik), {"version": forecast.version}, follow=True
    )
    assert "Du skickade in prognosen själv" in _text(response)
    forecast.refresh_from_db()
    assert forecast.status == Forecast.Status.SUBMITTED and forecast.approved_by is None

    # someone else in finance approves it
    finance.post(_url("forecast_approve", november, somatik), {"version": forecast.version})
    forecast.refresh_from_db()
    assert forecast.status == Forecast.Status.APPROVED
    assert forecast.approved_by == user("ekonom")


def test_the_grid_shows_per_unit_the_last_month_with_actuals(director_own, demo):
    """A partial November import, for one unit of the area: that unit's actuals run to
    November, the others' still to October, and the November sums include only its figures."""
    from forecasts.models import AccountGroup, Actual
    from regionbudget.core.models import Unit

    november = new_round(month=11)
    somatik = area("LSO-SOM")
    first, second = Unit.objects.filter(area=somatik, is_active=True).order_by("code")[:2]
    personal = AccountGroup.objects.get(code="PERS")
    Actual.objects.create(
        unit=first, year=2024, month=11, account_group=personal, amount=Decimal("1000000")
    )
    page = _text(director_own.get(_url("forecast_edit", november, somatik)))
    assert f'id="ua-{first.pk}">Utfall t.o.m. november<' in page
    assert f'id="ua-{second.pk}">Utfall t.o.m. oktober<' in page
    assert "Utfall hittills" in page
    # 1101's Personal: 467 525 tkr to October (the demo) + 1 000 tkr in November.
    assert first.code == "1101"
    assert f"468{NBSP}525{NBSP}tkr" in page
