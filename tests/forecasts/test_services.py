"""The forecast workflow: every legal transition, the illegal ones refused, conflicts, history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from pghistory.models import Events

from forecasts.models import Forecast, ForecastLine, ForecastRound
from forecasts.services import (
    ForecastConflict,
    LineInput,
    forecast_approve,
    forecast_return,
    forecast_save,
    forecast_submit,
    round_close,
    round_open,
)
from tests.forecasts.helpers import area, cells, lines_like_budget, new_round, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def somatik(demo):
    return area("LSO-SOM")


@pytest.fixture
def november(demo):
    return new_round(month=11)


def _draft(november, somatik):
    return forecast_save(
        forecast_round=november,
        area=somatik,
        lines=lines_like_budget(somatik),
        expected_version=0,
        user=user("direktor.somatik"),
    )


def _submitted(november, somatik):
    return forecast_submit(
        forecast_round=november,
        area=somatik,
        lines=lines_like_budget(somatik),
        expected_version=0,
        user=user("direktor.somatik"),
    )


# --- Rounds ---


def test_finance_opens_a_round_named_after_its_month(demo):
    forecast_round = new_round(month=11)
    assert str(forecast_round) == "Prognos efter november 2024"
    assert forecast_round.status == ForecastRound.Status.OPEN
    assert forecast_round.opened_by == user("ekonom")


def test_a_director_cannot_open_a_round(demo):
    with pytest.raises(PermissionDenied):
        round_open(
            year=2024,
            month=11,
            deadline=dt.date(2024, 12, 10),
            user=user("direktor.somatik"),
        )
    assert not ForecastRound.objects.filter(month=11).exists()


def test_a_second_round_for_the_same_month_is_refused(demo):
    with pytest.raises(ValidationError, match="redan ett prognostillfälle för den här månaden"):
        new_round(month=10)


def test_a_round_belongs_to_the_region_and_may_lie_beyond_every_plan(demo):
    # Rounds are the organisation's: 2027 lies outside the demo plan, and a round opens.
    later = new_round(year=2027, month=1)
    assert ForecastRound.objects.filter(pk=later.pk, year=2027).exists()


def test_a_round_outside_2000_to_2100_is_refused(demo):
    with pytest.raises(ValidationError):
        new_round(year=2101, month=1)
    assert not ForecastRound.objects.filter(year=2101).exists()


def test_closing_a_round_twice_is_refused(november):
    round_close(forecast_round=november, user=user("ekonom"))
    assert november.status == ForecastRound.Status.CLOSED
    with pytest.raises(ValidationError, match="redan stängt"):
        round_close(forecast_round=november, user=user("ekonom"))


# --- Draft, submit, approve, return ---


def test_a_director_saves_a_draft_with_every_line(november, somatik):
    forecast = _draft(november, somatik)
    assert forecast.status == Forecast.Status.DRAFT
    assert forecast.version == 1
    assert forecast.lines.count() == len(cells(somatik)) == 60


def test_saving_a_draft_again_moves_the_version_on(november, somatik):
    forecast = _draft(november, somatik)
    lines = lines_like_budget(somatik)
    first = cells(somatik)[0]
    lines[first] = LineInput(Decimal("1234500"), "Fler hyrläkare")
    again = forecast_save(
        forecast_round=november,
        area=somatik,
        lines=lines,
        expected_version=forecast.version,
        user=user("direktor.somatik"),
    )
    assert again.version == 2
    line = ForecastLine.objects.get(forecast=again, unit_id=first[0], account_group_id=first[1])
    assert (line.amount, line.comment) == (Decimal("1234500.00"), "Fler hyrläkare")


def test_submit_then_approve(november, somatik):
    forecast = _submitted(november, somatik)
    assert forecast.status == Forecast.Status.SUBMITTED
    assert forecast.submitted_by == user("direktor.somatik")
    approved = forecast_approve(
        forecast=forecast, expected_version=forecast.version, user=user("ekonom")
    )
    assert approved.status == Forecast.Status.APPROVED
    assert approved.approved_by == user("ekonom")
    assert approved.approved_at is not None


def test_return_then_edit_and_submit_again_then_approve(november, somatik):
    forecast = _submitted(november, somatik)
    returned = forecast_return(
        forecast=forecast,
        comment="Förklara hyrpersonalen",
        expected_version=forecast.version,
        user=user("ekonom"),
    )
    assert returned.status == Forecast.Status.RETURNED
    assert returned.return_comment == "Förklara hyrpersonalen"
    lines = lines_like_budget(somatik)
    saved = forecast_save(
        forecast_round=november,
        area=somatik,
        lines=lines,
        expected_version=returned.version,
        user=user("direktor.somatik"),
    )
    assert saved.status == Forecast.Status.RETURNED, (
        "a returned forecast stays returned until resubmitted"
    )
    resubmitted = forecast_submit(
        forecast_round=november,
        area=somatik,
        lines=lines,
        expected_version=saved.version,
        user=user("direktor.somatik"),
    )
    assert resubmitted.status == Forecast.Status.SUBMITTED
    final = forecast_approve(
        forecast=resubmitted, expected_version=resubmitted.version, user=user("ekonom")
    )
    assert final.status == Forecast.Status.APPROVED


def test_a_return_needs_a_comment(november, somatik):
    forecast = _submitted(november, somatik)
    with pytest.raises(ValidationError, match="vad området ska rätta"):
        forecast_return(
            forecast=forecast, comment="  ", expected_version=forecast.version, user=user("ekonom")
        )
    forecast.refresh_from_db()
    assert forecast.status == Forecast.Status.SUBMITTED


def test_a_submitted_forecast_is_locked_for_the_director(november, somatik):
    forecast = _submitted(november, somatik)
    with pytest.raises(ValidationError, match="kan inte ändras"):
        forecast_save(
            forecast_round=november,
            area=somatik,
            lines=lines_like_budget(somatik),
            expected_version=forecast.version,
            user=user("direktor.somatik"),
        )
    with pytest.raises(ValidationError, match="kan inte ändras"):
        forecast_submit(
            forecast_round=november,
            area=somatik,
            lines=lines_like_budget(somatik),
            expected_version=forecast.version,
            user=user("direktor.somatik"),
        )


def test_a_draft_cannot_be_approved_or_returned(november, somatik):
    forecast = _draft(november, somatik)
    with pytest.raises(ValidationError):
        forecast_approve(forecast=forecast, expected_version=forecast.version, user=user("ekonom"))
    with pytest.raises(ValidationError):
        forecast_return(
            forecast=forecast, comment="x", expected_version=forecast.version, user=user("ekonom")
        )
    forecast.refresh_from_db()
    assert forecast.status == Forecast.Status.DRAFT


def test_an_approved_forecast_cannot_be_returned_or_approved_again(november, somatik):
    forecast = _submitted(november, somatik)
    forecast = forecast_approve(
        forecast=forecast, expected_version=forecast.version, user=user("ekonom")
    )
    with pytest.raises(ValidationError):
        forecast_return(
            forecast=forecast, comment="x", expected_version=forecast.version, user=user("ekonom")
        )
    with pytest.raises(ValidationError):
        forecast_approve(forecast=forecast, expected_version=forecast.version, user=user("ekonom"))


def test_a_director_cannot_approve_their_own_forecast(november, somatik):
    forecast = _submitted(november, somatik)
    with pytest.raises(PermissionDenied):
        forecast_approve(
            forecast=forecast, expected_version=forecast.version, user=user("direktor.somatik")
        )


def test_a_director_cannot_write_another_areas_forecast(november, somatik):
    with pytest.raises(PermissionDenied):
        forecast_save(
            forecast_round=november,
            area=somatik,
            lines=lines_like_budget(somatik),
            expected_version=0,
            user=user("direktor.psykiatri"),
        )
    assert not Forecast.objects.filter(forecast_round=november).exists()


def test_lines_of_another_areas_units_are_refused(november, somatik):
    lines = lines_like_budget(somatik)
    lines.update(lines_like_budget(area("LSO-PSY")))
    with pytest.raises(PermissionDenied):
        forecast_save(
            forecast_round=november,
            area=somatik,
            lines=lines,
            expected_version=0,
            user=user("direktor.somatik"),
        )


def test_nothing_changes_in_a_closed_round(november, somatik):
    forecast = _submitted(november, somatik)
    round_close(forecast_round=november, user=user("ekonom"))
    forecast.refresh_from_db()
    with pytest.raises(ValidationError, match="är stängt"):
        forecast_approve(forecast=forecast, expected_version=forecast.version, user=user("ekonom"))
    with pytest.raises(ValidationError, match="är stängt"):
        forecast_save(
            forecast_round=november,
            area=somatik,
            lines=lines_like_budget(somatik),
            expected_version=forecast.version,
            user=user("direktor.somatik"),
        )


def test_submitting_needs_every_amount(november, somatik):
    lines = lines_like_budget(somatik)
    missing = cells(somatik)[3]
    del lines[missing]
    with pytest.raises(ValidationError) as info:
        forecast_submit(
            forecast_round=november,
            area=somatik,
            lines=lines,
            expected_version=0,
            user=user("direktor.somatik"),
        )
    assert info.value.message_dict == {f"line-{missing[0]}-{missing[1]}": ["Ange ett belopp."]}
    assert not Forecast.objects.filter(forecast_round=november).exists()


def test_submitting_needs_a_comment_where_the_deviation_exceeds_the_threshold(november, somatik):
    lines = lines_like_budget(somatik)
    cell = cells(somatik)[1]
    # 500 000 SEK over budget is exactly the threshold: no comment needed; 500 001 needs one.
    lines[cell] = LineInput(lines[cell].amount + Decimal("500001"))
    with pytest.raises(ValidationError) as info:
        forecast_submit(
            forecast_round=november,
            area=somatik,
            lines=lines,
            expected_version=0,
            user=user("direktor.somatik"),
        )
    assert list(info.value.message_dict) == [f"comment-{cell[0]}-{cell[1]}"]
    lines[cell] = LineInput(lines[cell].amount - Decimal("1"))
    forecast = forecast_submit(
        forecast_round=november,
        area=somatik,
        lines=lines,
        expected_version=0,
        user=user("direktor.somatik"),
    )
    assert forecast.status == Forecast.Status.SUBMITTED


def test_amounts_must_be_decimal_and_fit(november, somatik):
    lines = lines_like_budget(somatik)
    cell = cells(somatik)[0]
    lines[cell] = LineInput(Decimal("1e15"))
    with pytest.raises(ValidationError, match="för stort"):
        forecast_save(
            forecast_round=november,
            area=somatik,
            lines=lines,
            expected_version=0,
            user=user("direktor.somatik"),
        )
    lines[cell] = LineInput(100.5)
    with pytest.raises(TypeError):
        forecast_save(
            forecast_round=november,
            area=somatik,
            lines=lines,
            expected_version=0,
            user=user("direktor.somatik"),
        )


# --- Concurrency ---


def test_a_save_from_a_stale_page_is_a_conflict_and_changes_nothing(november, somatik):
    forecast = _draft(november, somatik)
    cell = cells(somatik)[0]
    mine = lines_like_budget(somatik)
    mine[cell] = LineInput(Decimal("1000"), "first")
    forecast_save(
        forecast_round=november,
        area=somatik,
        lines=mine,
        expected_version=forecast.version,
        user=user("direktor.somatik"),
    )
    stale = lines_like_budget(somatik)
    stale[cell] = LineInput(Decimal("2000"), "second")
    with pytest.raises(ForecastConflict) as info:
        forecast_save(
            forecast_round=november,
            area=somatik,
            lines=stale,
            expected_version=forecast.version,  # the version the stale page showed
            user=user("ekonom"),
        )
    assert info.value.current.version == 2
    line = ForecastLine.objects.get(forecast=forecast, unit_id=cell[0], account_group_id=cell[1])
    assert (line.amount, line.comment) == (Decimal("1000.00"), "first")


def test_starting_a_forecast_someone_else_started_is_a_conflict(november, somatik):
    _draft(november, somatik)
    with pytest.raises(ForecastConflict):
        forecast_save(
            forecast_round=november,
            area=somatik,
            lines=lines_like_budget(somatik),
            expected_version=0,
            user=user("direktor.somatik"),
        )


def test_approving_a_forecast_changed_since_it_was_read_is_a_conflict(november, somatik):
    forecast = _submitted(november, somatik)
    forecast_return(
        forecast=forecast, comment="Rätta", expected_version=forecast.version, user=user("ekonom")
    )
    with pytest.raises(ForecastConflict):
        forecast_approve(forecast=forecast, expected_version=forecast.version, user=user("ekonom"))


# --- History ---


def test_every_change_to_a_forecast_line_is_kept_in_the_history(november, somatik):
    forecast = _draft(november, somatik)
    cell = cells(somatik)[0]
    lines = lines_like_budget(somatik)
    lines[cell] = LineInput(Decimal("777000"), "ändrad")
    forecast_save(
        forecast_round=november,
        area=somatik,
        lines=lines,
        expected_version=forecast.version,
        user=user("direktor.somatik"),
    )
    line = ForecastLine.objects.get(forecast=forecast, unit_id=cell[0], account_group_id=cell[1])
    events = {e.pgh_label: e for e in Events.objects.tracks(line)}
    assert sorted(events) == ["insert", "update"]
    assert Decimal(str(events["update"].pgh_data["amount"])) == Decimal("777000")
    assert Decimal(str(events["insert"].pgh_data["amount"])) != Decimal("777000")
    versions = sorted(e.pgh_data["version"] for e in Events.objects.tracks(forecast))
    assert versions == [1, 2]


def test_a_save_writes_every_changed_line_and_leaves_the_others_untouched(november, somatik):
    forecast = _draft(november, somatik)
    lines = lines_like_budget(somatik)
    first, second, third, *rest = cells(somatik)
    lines[first] = LineInput(Decimal("123456.50"), 'Ny "vårdplats" – ökad bemanning')
    lines[second] = LineInput(lines[second].amount, "bara en kommentar")
    lines[third] = LineInput(Decimal("-2500"), "")
    forecast_save(
        forecast_round=november,
        area=somatik,
        lines=lines,
        expected_version=forecast.version,
        user=user("direktor.somatik"),
    )
    stored = {
        (ln.unit_id, ln.account_group_id): (ln.amount, ln.comment)
        for ln in ForecastLine.objects.filter(forecast=forecast)
    }
    assert stored[first] == (Decimal("123456.50"), 'Ny "vårdplats" – ökad bemanning')
    assert stored[second] == (lines[second].amount, "bara en kommentar")
    assert stored[third] == (Decimal("-2500.00"), "")
    assert all(stored[cell] == (lines[cell].amount, lines[cell].comment) for cell in rest)
    updated = {
        (e.pgh_data["unit_id"], e.pgh_data["account_group_id"])
        for e in Events.objects.filter(pgh_model="forecasts.ForecastLineEvent", pgh_label="update")
    }
    assert updated == {first, second, third}, "only the changed lines have an update"
