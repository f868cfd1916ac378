"""Reads of status reports: the list a user may read and the snapshot published with a report."""

from __future__ import annotations

from measures.selectors import default_year
from regionbudget.core import access
from regionbudget.gap import calculations as calc
from regionbudget.gap.figures import AMOUNT_FIGURES, AREA_FIGURES, OUTLOOK_FIGURES
from regionbudget.gap.selectors import GapFilters, gap_data, ledger_snapshot


def _text(value) -> str | None:
    """A Decimal as an exact string for a snapshot; None stays None."""
    return None if value is None else str(value)


def report_snapshot(*, report, user) -> dict:
    """Everything a status report shows, as plain JSON data (amounts as decimal strings, SEK).

    Read at publishing and stored with the report; the page is drawn from it alone. ``user`` is
    the publisher (finance): the figures are the region's.
    """
    from regionbudget.reports.models import StatusReport

    plan, year, meeting = report.plan, report.year, report.meeting
    data = gap_data(user=user, filters=GapFilters(plan=plan, year=year))
    months = calc.months_elapsed(year, meeting.date)
    highlighted = set(report.highlighted.values_list("code", flat=True))
    measures = []
    for row in data.measures.to_dict("records"):
        measures.append(
            {
                "code": row["code"],
                "title": row["title"],
                "category": row["category"],
                "area": data.area_names.get(row["area_code"]) if row["area_code"] else None,
                "area_code": row["area_code"],
                "status": row["status"],
                "low": _text(row["low"]),
                "high": _text(row["high"]),
                "realised": _text(row["realised"]),
                "light": calc.traffic_light(
                    status=row["status"],
                    planned_low=row["low"],
                    realised=row["realised"],
                    months_elapsed=months,
                ),
                "highlighted": row["code"] in highlighted,
            }
        )
    lights_by_area = calc.light_counts(measures)
    previous = (
        StatusReport.objects.filter(
            plan=plan, status=StatusReport.Status.PUBLISHED, meeting__date__lte=meeting.date
        )
        .exclude(pk=report.pk)
        .order_by("-meeting__date", "-published_at")
        .first()
    )
    snapshot = {
        # 2: adds "areas_unsplit", "weights" and the outlook's changes ("changes"."outlook").
        "schema": 2,
        "title": report.title,
        "summary": report.summary,
        "plan": plan.name,
        "organisation": plan.organisation,
        "year": year,
        "meeting": {
            "committee": meeting.committee,
            "date": meeting.date.isoformat(),
            "title": meeting.title,
        },
        "months_elapsed": months,
        "corrects": {"id": report.corrects_id, "title": report.corrects.title}
        if report.corrects_id
        else None,
        "correction_note": report.correction_note,
        "by_year": [
            {
                "year": row["year"],
                **{name: _text(row[name]) for name in AMOUNT_FIGURES},
                "probability": _text(data.probability.get(row["year"])),
            }
            for row in data.by_year.to_dict("records")
        ],
        # Where each year is heading by the approved forecasts at publishing (years with one).
        "outlook": [
            {
                "year": year,
                "round": {
                    "year": data.round_months[outlook.round_id][0],
                    "month": data.round_months[outlook.round_id][1],
                },
                **{name: _text(getattr(outlook, name)) for name in OUTLOOK_FIGURES},
                "missing": [data.area_names.get(c, c) for c in outlook.missing],
                "in_forecast": list(outlook.in_forecast),
                "not_in_forecast": list(outlook.not_in_forecast),
            }
            for year, outlook in sorted(data.outlooks.items())
        ],
        "bridge": [
            {
                "label": step.label,
                "kind": step.kind,
                "amount": _text(step.amount),
                "running": _text(step.running),
            }
            for step in data.bridge
        ],
        "areas": [
            {
                "code": row["area_code"],
                "name": data.area_names.get(row["area_code"], row["area_code"]),
                **{name: _text(row[name]) for name in AREA_FIGURES},
                "lights": lights_by_area.get(row["area_code"], {}),
            }
            for row in data.by_area.to_dict("records")
            if row["area_code"]
        ],
        # Region-wide measures not split across the areas: their own line, so that the areas
        # add up to the region's total (None: every region-wide measure is split).
        "areas_unsplit": next(
            (
                {name: _text(row[name]) for name in ("planned_low", "planned_high", "realised")}
                for row in data.by_area.to_dict("records")
                if row["area_code"] is None
            ),
            None,
        ),
        # The confidence weights by status behind the expectation and the probability.
        "weights": {status: _text(weight) for status, weight in data.weights.items()},
        "measures": measures,
        "previous": {
            "id": previous.pk,
            "title": previous.title,
            "date": previous.meeting.date.isoformat(),
        }
        if previous
        else None,
    }
    # The balance requirement ledger, frozen too, with the meeting's year by the forecasts.
    snapshot["balance"] = ledger_snapshot(plan=plan, year=default_year(plan, meeting.date))
    snapshot["changes"] = calc.report_changes(previous.snapshot if previous else None, snapshot)
    return snapshot


def report_list(*, user):
    """Reports the user may read: committee members see published ones only, newest first."""
    from regionbudget.reports.models import StatusReport

    reports = StatusReport.objects.select_related("meeting", "plan").order_by(
        "-meeting__date", "-published_at", "-pk"
    )
    if access.is_finance(user):
        return reports
    if access.has_role(user):  # the committee and area directors
        return reports.filter(status=StatusReport.Status.PUBLISHED)
    return reports.none()


def report_pdf_stored(*, report, language: str) -> bytes | None:
    """The kept PDF of a published report in ``language``, or None when it is not made yet."""
    from regionbudget.reports.models import ReportPdf

    content = (
        ReportPdf.objects.filter(report=report, language=language, checksum=report.checksum)
        .values_list("content", flat=True)
        .first()
    )
    return bytes(content) if content is not None else None


def next_meeting(*, user, today):
    """The next meeting (today or later) and the reports for it the user may read (finance:
    drafts too), or ``(None, [])``. Two queries."""
    from regionbudget.reports.models import Meeting

    if not access.has_role(user):
        return None, []
    meeting = Meeting.objects.filter(date__gte=today).order_by("date", "pk").first()
    if meeting is None:
        return None, []
    return meeting, list(report_list(user=user).filter(meeting=meeting))


def latest_published_report(*, user):
    """The newest published status report the user may read, or None. One query."""
    from regionbudget.reports.models import StatusReport

    return report_list(user=user).filter(status=StatusReport.Status.PUBLISHED).first()
