"""Status reports: frozen when published, what changed since the last one, who may do what."""

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.urls import reverse

from forecasts.models import Plan
from measures.models import Measure, PlannedEffect
from regionbudget.reports.models import Meeting, StatusReport
from regionbudget.reports.services import (
    ReportFrozen,
    meeting_create,
    report_create,
    report_publish,
    report_update,
    snapshot_checksum,
)

pytestmark = pytest.mark.django_db

M = Decimal("1000000")


def _ekonom():
    return get_user_model().objects.get(username="ekonom")


def _draft(title="Lägesrapport februari 2024", date=dt.date(2024, 2, 27), **extra):
    meeting = meeting_create(committee=Meeting.Committee.BOARD, date=date, title="HSN")
    return report_create(
        meeting=meeting,
        plan=Plan.objects.get(name="Ekonomi i balans 2024–2026"),
        year=2024,
        title=title,
        summary="Handlingsplanen räcker inte 2024.",
        highlighted=Measure.objects.filter(code__in=["M01", "M03"]),
        **{"user": _ekonom(), **extra},
    )


def _published(**kwargs) -> StatusReport:
    report = _draft(**kwargs)
    return report_publish(report=report, expected_version=report.version, user=_ekonom())


def _report_html(client, report) -> str:
    text = client.get(reverse("report_detail", args=[report.pk])).content.decode()
    return text[text.index('<article class="report"') : text.index("</article>")]


def test_publishing_freezes_the_figures(demo, finance):
    report = _published()
    before = _report_html(finance, report)
    checksum = report.checksum
    assert "132,0\u2060–\u2060149,0\u00a0mnkr" in before  # one decimal, no break at the dash

    # later edits to measures change the dashboard, never the published report
    Measure.objects.filter(code="M02").update(status="cancelled")
    PlannedEffect.objects.filter(measure__code="M03", year=2024).update(
        low=Decimal("1") * M, high=Decimal("2") * M
    )
    report.refresh_from_db()
    assert _report_html(finance, report) == before, "byte-identical after later edits"
    assert report.checksum == checksum == snapshot_checksum(report.snapshot)
    assert checksum in finance.get(reverse("report_detail", args=[report.pk])).content.decode()


def test_a_published_report_cannot_be_edited(demo, finance):
    report = _published()
    response = finance.post(
        reverse("report_edit", args=[report.pk]),
        {"year": 2024, "title": "Ändrad", "summary": "x", "version": report.version},
    )
    assert response.status_code == 409
    assert "En publicerad rapport kan inte ändras" in response.content.decode()
    with pytest.raises(ReportFrozen):
        report_update(
            report=report,
            expected_version=report.version,
            title="x",
            summary="",
            year=2024,
            user=_ekonom(),
        )
    # and the database itself refuses, whatever the code path
    with pytest.raises(DatabaseError), transaction.atomic():
        StatusReport.objects.filter(pk=report.pk).update(title="Ändrad i smyg")
    report.refresh_from_db()
    assert report.title == "Lägesrapport februari 2024"


def test_the_second_report_shows_what_changed(demo, finance):
    first = _published()
    Measure.objects.filter(code="M08").update(status="decided")
    PlannedEffect.objects.filter(measure__code="M02", year=2024).update(high=Decimal("70") * M)
    template = Measure.objects.get(code="M04")
    new = Measure.objects.create(
        plan=template.plan,
        code="M15",
        title="Färre korttidsvikarier",
        category=template.category,
        owner_area=template.owner_area,
        status="proposed",
    )
    PlannedEffect.objects.create(measure=new, year=2024, low=2 * M, high=3 * M)
    second = _published(title="Lägesrapport mars 2024", date=dt.date(2024, 3, 26))

    changes = second.snapshot["changes"]
    assert second.snapshot["previous"]["id"] == first.pk
    planned_high = next(
        c for c in changes["figures"] if c["year"] == 2024 and c["figure"] == "planned_high"
    )
    # 192 + 8 (M02 62 → 70) + 3 (new M15) = 203
    assert (planned_high["before"], planned_high["after"]) == ("192000000.00", "203000000.00")
    assert planned_high["direction"] == "up"
    assert [(c["code"], c["before"], c["after"]) for c in changes["status_changes"]] == [
        ("M08", "proposed", "decided")
    ]
    assert [c["code"] for c in changes["new_measures"]] == ["M15"]

    text = _report_html(finance, second)
    assert "Åtgärder som har bytt status" in text
    assert "M08 Vårdplatsöversyn" in text
    assert "M15 Färre korttidsvikarier" in text
    assert "Jämfört med ”Lägesrapport februari 2024”" in text


def test_a_correction_is_a_new_report_that_says_what_it_corrects(demo, finance):
    first = _published()
    correction = _draft(title="Rättelse", corrects=first, correction_note="Fel år i rubriken.")
    text = _report_html(finance, correction)
    assert "Den här rapporten rättar ”Lägesrapport februari 2024”" in text
    assert "Fel år i rubriken." in text


def test_committee_members_see_published_reports_only_newest_first(demo, committee):
    older = _published(title="Äldre", date=dt.date(2024, 2, 27))
    newer = _published(title="Nyare", date=dt.date(2024, 4, 23))
    draft = _draft(title="Utkast som inte syns", date=dt.date(2024, 5, 28))
    text = committee.get(reverse("report_list")).content.decode()
    assert text.index("Nyare") < text.index("Äldre")
    assert "Utkast som inte syns" not in text
    assert committee.get(reverse("report_detail", args=[draft.pk])).status_code == 404
    assert committee.get(reverse("report_detail", args=[older.pk])).status_code == 200
    assert committee.get(reverse("report_detail", args=[newer.pk])).status_code == 200


@pytest.mark.parametrize("persona", ["committee", "director_own"])
def test_directors_and_committee_cannot_publish_or_draft(request, persona, demo):
    client = request.getfixturevalue(persona)
    draft = _draft()
    response = client.post(reverse("report_publish", args=[draft.pk]), {"version": draft.version})
    assert response.status_code in (403, 404)
    draft.refresh_from_db()
    assert draft.status == StatusReport.Status.DRAFT
    assert client.get(reverse("report_create")).status_code == 403
    assert (
        client.post(
            reverse("meeting_create"), {"committee": "hsn", "date": "2024-05-01", "title": "x"}
        ).status_code
        == 403
    )


def test_finance_drafts_previews_and_publishes_through_the_pages(demo, finance):
    meeting = meeting_create(committee="hsn", date=dt.date(2024, 2, 27), title="Återrapport")
    plan = Plan.objects.get(name="Ekonomi i balans 2024–2026")
    m01 = Measure.objects.get(code="M01")
    response = finance.post(
        reverse("report_create"),
        {
            "meeting": meeting.pk,
            "plan": plan.pk,
            "year": 2024,
            "title": "Återrapport februari",
            "summary": "Sammanfattning.",
            "highlighted": [m01.pk],
            "status": "published",
            "checksum": "forged",
        },
    )
    report = StatusReport.objects.get(title="Återrapport februari")
    assert response.status_code == 302
    assert report.status == StatusReport.Status.DRAFT, "extra POST fields change nothing"
    assert report.checksum == ""
    preview = finance.get(reverse("report_detail", args=[report.pk])).content.decode()
    assert "Förhandsvisning av ett utkast" in preview
    response = finance.post(
        reverse("report_publish", args=[report.pk]), {"version": report.version}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == StatusReport.Status.PUBLISHED
    assert len(report.checksum) == 64


def test_a_year_outside_the_plan_is_refused_with_the_input_kept(demo, finance):
    meeting = meeting_create(committee="hsn", date=dt.date(2024, 2, 27), title="x")
    plan = Plan.objects.get(name="Ekonomi i balans 2024–2026")
    response = finance.post(
        reverse("report_create"),
        {"meeting": meeting.pk, "plan": plan.pk, "year": 2031, "title": "Min rubrik"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Året måste ligga inom planen, 2024–2026." in text
    assert 'value="Min rubrik"' in text
    assert not StatusReport.objects.filter(title="Min rubrik").exists()


def test_the_pdf_is_the_published_document(demo, committee):
    report = _published()
    response = committee.get(reverse("report_pdf", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    draft = _draft(title="Utkast")
    assert committee.get(reverse("report_pdf", args=[draft.pk])).status_code == 404


def test_only_finance_drafts_edits_and_publishes_through_the_services(demo):
    draft = _draft()
    for username in ("direktor.somatik", "ledamot"):
        someone = get_user_model().objects.get(username=username)
        with pytest.raises(PermissionDenied):
            report_update(
                report=draft,
                expected_version=draft.version,
                title="Överskriven",
                summary="",
                year=2024,
                user=someone,
            )
        with pytest.raises(PermissionDenied):
            report_publish(report=draft, expected_version=draft.version, user=someone)
        with pytest.raises(PermissionDenied):
            _draft(title="Smygutkast", date=dt.date(2024, 3, 1), user=someone)
    draft.refresh_from_db()
    assert (draft.status, draft.title) == (StatusReport.Status.DRAFT, "Lägesrapport februari 2024")
    assert not StatusReport.objects.filter(title="Smygutkast").exists()


@contextmanager
def _advisory_locks(namespace: int, keys):
    """Hold advisory locks from another connection (as another worker making PDFs would)."""
    from django.db import connections

    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            for key in keys:
                cursor.execute("SELECT pg_advisory_lock(%s, %s)", [namespace, key])
        yield
    finally:
        # Released here, not by closing: a closed connection's server process lets its locks
        # go a moment later, and the next request might still find them held.
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock_all()")
        other.close()


def test_a_published_reports_pdf_is_made_once_and_then_kept(demo, committee, monkeypatch):
    from regionbudget.reports import views
    from regionbudget.reports.models import ReportPdf

    report = _published()
    first = committee.get(reverse("report_pdf", args=[report.pk]))
    assert first.status_code == 200 and first.content.startswith(b"%PDF")
    kept = ReportPdf.objects.get(report=report)
    assert (kept.language, kept.checksum) == ("sv", report.checksum)

    def not_again(*args, **kwargs):
        raise AssertionError("the PDF was made again")

    monkeypatch.setattr(views, "_render_pdf", not_again)
    second = committee.get(reverse("report_pdf", args=[report.pk]))
    assert second.status_code == 200 and second.content == first.content


def test_a_user_makes_one_pdf_at_a_time(demo, committee):
    from regionbudget.reports.views import PDF_USER_LOCKS

    report = _published()
    ledamot = get_user_model().objects.get(username="ledamot")
    with _advisory_locks(PDF_USER_LOCKS, [ledamot.pk]):
        busy = committee.get(reverse("report_pdf", args=[report.pk]))
        assert busy.status_code == 429
        assert busy["Retry-After"] == "10"
        assert "Din förra pdf håller fortfarande på att göras." in busy.content.decode()
    assert committee.get(reverse("report_pdf", args=[report.pk])).status_code == 200


def test_only_a_few_pdfs_are_made_at_once(demo, committee, settings):
    from regionbudget.reports.views import PDF_SLOT_LOCKS

    settings.PDF_RENDERS_AT_ONCE = 2
    report = _published()
    with _advisory_locks(PDF_SLOT_LOCKS, [0, 1]):
        busy = committee.get(reverse("report_pdf", args=[report.pk]))
        assert busy.status_code == 429
        assert "Flera pdf:er görs just nu." in busy.content.decode()
    assert committee.get(reverse("report_pdf", args=[report.pk])).status_code == 200


# --- The committee's reading: first screen, what changed, areas adding up, the PDF -------------

WJ = "\u2060"  # a word joiner: no line break beside a range's dash


def _span(low: str, high: str) -> str:
    return f"{low}{WJ}–{WJ}{high}\u00a0mnkr"


def test_the_first_screen_answers_a_committee_members_questions_in_plain_words(demo, committee):
    report = _published()
    text = _report_html(committee, report)
    brief = text[text.index('id="report-brief"') : text.index('aria-labelledby="r-status"')]
    # who it is for, the meeting and its date, who published it
    assert "Till Hälso- och sjukvårdsnämnden: HSN, 27 februari 2024" in text
    assert "Publicerad av " in text
    # 2024 by the forecasts made before the plan (DESIGN.md, worked case A): deviation −174,
    # outside the budgets 150, required now 150 + 174 = 324, measures 175–192, so 132–149 short.
    assert "slutar 2024 med ett underskott på 174,0\u00a0mnkr mot budgetarna" in brief
    assert "behöver 324,0\u00a0mnkr sparas" in brief
    assert f"Nej: {_span('132,0', '149,0')} återstår att täcka." in brief
    # the measures to act on: delayed ones first, then those waiting for a decision
    snapshot = report.snapshot
    waiting = [m for m in snapshot["measures"] if m["status"] in ("delayed", "proposed")]
    assert 0 < brief.count('<li><span class="light') <= 3
    biggest = max(waiting, key=lambda m: (m["status"] == "delayed", Decimal(m["high"])))
    assert f"{biggest['code']} {biggest['title']}" in brief
    # the probability comes with the weighted expectation, a sentence and the method
    assert "Förväntad effekt, viktad:" in brief and "Sannolikhet att åtgärderna når kravet" in brief
    assert 'href="#r-method"' in brief and 'id="r-method"' in text
    method = text[text.index('id="r-method"') :]
    assert "Vikter per status" in method and "40\u00a0%" in method  # proposed: 40 %
    assert "Det här är planens första rapport." in brief
    # the checksum is in "about this document" at the end, not among the first lines
    assert text.index(report.checksum) > text.index("Om dokumentet") > text.index('id="r-areas"')
    assert report.checksum not in brief


def test_a_range_that_crosses_zero_is_said_in_words(demo, committee):
    # 2024's requirement lowered to 180: uncovered = 180 − (175–192) = −12 … 5
    from forecasts.models import DeficitTarget

    DeficitTarget.objects.filter(
        plan__name="Ekonomi i balans 2024–2026", year=2024, area=None
    ).update(amount=180 * M)
    text = _report_html(committee, _published())
    assert "Kanske: mellan 5,0\u00a0mnkr kvar att täcka och 12,0\u00a0mnkr över." in text
    # a negative range reads in words, one decimal, on one line
    assert "−12,0\u00a0till\u00a05,0\u00a0mnkr" in text


def test_what_changed_names_status_light_new_and_cancelled_measures(demo, committee):
    first = _published()
    by_code = {m["code"]: m for m in first.snapshot["measures"]}
    behind = next(
        m
        for m in first.snapshot["measures"]
        if m["status"] == "in_progress" and m["light"] == "on_track"
    )
    assert by_code["M08"]["status"] == "proposed"
    Measure.objects.filter(code="M08").update(status="decided")  # a decision
    Measure.objects.filter(code="M02").update(status="cancelled")  # cancelled
    # The same status, but a planned effect far above what has been realised: behind its pace.
    PlannedEffect.objects.filter(measure__code=behind["code"], year=2024).update(
        low=400 * M, high=400 * M
    )
    template = Measure.objects.get(code="M04")
    new = Measure.objects.create(
        plan=template.plan,
        code="M15",
        title="Färre korttidsvikarier",
        category=template.category,
        owner_area=template.owner_area,
        status="proposed",
    )
    PlannedEffect.objects.create(measure=new, year=2024, low=2 * M, high=3 * M)
    second = _published(title="Lägesrapport mars 2024", date=dt.date(2024, 3, 26))

    text = _report_html(committee, second)
    changes = text[text.index('id="r-changes"') : text.index('aria-labelledby="r-years"')]
    status = changes[changes.index("Åtgärder som har bytt status") :]
    assert "M08 Vårdplatsöversyn</strong>: från föreslagen till beslutad" in status
    light = changes[changes.index("Åtgärder som har bytt trafikljus") :]
    assert (
        f"{behind['code']} {behind['title']}</strong> (pågår): "
        "ljuset gick från enligt plan till risk" in light
    )
    assert (
        f"{behind['code']} {behind['title']}"
        not in status[: status.index("Åtgärder som har bytt trafikljus")]
    )
    assert (
        "M15 Färre korttidsvikarier</strong> (föreslagen)"
        in changes[changes.index("Nya åtgärder") :]
    )
    cancelled = changes[changes.index("Avbrutna åtgärder") :]
    was = str(Measure.Status(by_code["M02"]["status"]).label).lower()
    assert f"M02 {by_code['M02']['title']}</strong> (var {was})" in cancelled
    # Figures with direction and size: 2024 planned high 192 − M02's 62 + 400 − the behind
    # measure's old high + M15's 3, all as the snapshots hold them.
    old = next(r for r in first.snapshot["by_year"] if r["year"] == 2024)
    new_row = next(r for r in second.snapshot["by_year"] if r["year"] == 2024)
    size = abs(Decimal(new_row["planned_high"]) - Decimal(old["planned_high"])) / M
    direction = "upp" if Decimal(new_row["planned_high"]) > Decimal(old["planned_high"]) else "ned"
    shown = f"{size:.1f}".replace(".", ",")
    assert "2024, planerat, högsta: " in changes and f"({direction} {shown}\u00a0mnkr)" in changes
    # And on the first screen: the plan's uncovered range, up or down and by how much
    brief = text[text.index('id="report-brief"') : text.index('aria-labelledby="r-status"')]
    assert "Kvar att täcka enligt planen: " in brief
    assert "Allt som har ändrats sedan 27 februari 2024" in brief


def test_the_area_table_adds_up_with_an_unsplit_region_wide_measure(demo, committee, finance):
    from regionbudget.core.formatting import format_money_span
    from regionbudget.gap.calculations import group_totals

    template = Measure.objects.get(code="M04")
    shared = Measure.objects.create(
        plan=template.plan,
        code="M21",
        title="Gemensam upphandling av tolktjänster",
        category=template.category,
        owner_area=None,  # region-wide, split across no area
        status="decided",
    )
    PlannedEffect.objects.create(measure=shared, year=2024, low=10 * M, high=12 * M)
    report = _published()
    snapshot = report.snapshot
    unsplit = snapshot["areas_unsplit"]
    assert Decimal(unsplit["planned_low"]) >= 10 * M and Decimal(unsplit["planned_high"]) >= 12 * M
    total = group_totals([*snapshot["areas"], unsplit], key="code")
    focus = next(r for r in snapshot["by_year"] if r["year"] == 2024)
    # the areas and the unsplit line add up to the region's planned range and realised effect
    assert (total["planned_low"], total["planned_high"], total["realised"]) == (
        Decimal(focus["planned_low"]),
        Decimal(focus["planned_high"]),
        Decimal(focus["realised"]),
    )
    text = _report_html(committee, report)
    areas = text[
        text.index('id="report-areas"') : text.index("</table>", text.index('id="report-areas"'))
    ]
    assert "Regiongemensamt, ej fördelat" in areas
    footer = areas[areas.index("<tfoot>") :]
    assert format_money_span(focus["planned_low"], focus["planned_high"]) in footer

    # The dashboard lists it the same way, and its total is the region's too.
    page = finance.get(reverse("gap_dashboard"), {"plan": report.plan_id, "year": 2024})
    html = page.content.decode()
    table = html[
        html.index('id="area-table"') : html.index("</table>", html.index('id="area-table"'))
    ]
    assert "Regiongemensamt, ej fördelat" in table
    planned = html[html.index('data-year="2024"') :]
    planned = planned[
        planned.index('class="num planned">') + 20 : planned.index(
            "</td>", planned.index('class="num planned">')
        )
    ]
    assert planned in table[table.index("<tfoot>") :]
    # and so does the JSON for BI tools: the unsplit row has no area, and the rows add up
    figures = finance.get(reverse("gap_data_json"), {"plan": report.plan_id, "year": 2024}).json()
    rows = figures["by_area"]
    assert [row["area"] for row in rows].count(None) == 1
    region = next(row for row in figures["by_year"] if row["year"] == 2024)
    assert sum(Decimal(row["planned_high"]) for row in rows) == Decimal(region["planned_high"])


def _pdf(client, report):
    import io

    from pypdf import PdfReader

    response = client.get(reverse("report_pdf", args=[report.pk]))
    assert response.status_code == 200
    return PdfReader(io.BytesIO(response.content))


def test_the_pdf_is_tagged_with_a_title_a_language_and_alternative_text(demo, committee):
    report = _published()
    pdf = _pdf(committee, report)
    root = pdf.trailer["/Root"]
    assert "/StructTreeRoot" in root, "a tagged PDF has a structure tree"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "sv"
    assert pdf.metadata.title == "Lägesrapport februari 2024"
    kinds, alts = set(), []

    def walk(node):
        node = node.get_object()
        if "/S" in node:
            kinds.add(node["/S"])
            if node["/S"] == "/Figure":
                alts.append(node.get("/Alt"))
        kids = node.get("/K")
        if kids is None:
            return
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, dict):
                walk(kid)

    walk(root["/StructTreeRoot"])
    assert {"/H1", "/H2", "/Table", "/TH", "/TD", "/Caption", "/Figure"} <= kinds
    # each chart has its title as alternative text
    assert alts and all(alts)
    assert any("per år" in str(alt) for alt in alts)


def test_the_pdf_keeps_each_caption_on_the_page_of_its_table(demo, committee):
    report = _published()
    pages = [page.extract_text() for page in _pdf(committee, report).pages]
    # each table's caption and its column heads are on one page, the caption first
    for caption, head in [
        ("Per år (mnkr)", "Sannolikhet"),
        ("Planen som den antogs, 2024, mnkr", "Belopp"),
        ("Per område (mnkr)", "Egna åtgärder"),
        ("Planens alla åtgärder (mnkr)", "Ljus"),
    ]:
        where = [i for i, text in enumerate(pages) if caption in " ".join(text.split())]
        assert where, f"{caption!r} is in the PDF"
        text = " ".join(pages[where[0]].split())
        assert head in text[text.index(caption) :], f"{caption!r} is on the page of its table"
    # the checksum is on the last page, in "about this document"
    assert report.checksum[:16] in "".join(pages[-1].split())
    assert report.checksum[:16] not in "".join(pages[0].split())


def test_in_english_the_units_of_captions_match_the_cells_and_months_are_capitalised(
    demo, committee, english
):
    report = _published()
    text = _report_html(english(committee), report)
    assert "For Health and medical care board (nämnd): HSN, 27 February 2024" in text
    assert "Per year (MSEK)." in text and "324.0\u00a0MSEK" in text
    assert f"No: {'132.0'}\u2060–\u2060149.0\u00a0MSEK is still to be covered." in text
    assert "mnkr" not in text.replace(report.snapshot["summary"], "")


def test_a_report_published_before_the_new_parts_still_renders_from_its_snapshot(demo, finance):
    from django.template.loader import render_to_string
    from django.utils import translation

    from regionbudget.reports.pages import report_page

    first = _published()
    second = _published(title="Lägesrapport mars 2024", date=dt.date(2024, 3, 26))
    # The snapshot as schema 1 wrote it: no unsplit line, no weights, no outlook changes.
    old = {k: v for k, v in second.snapshot.items() if k not in ("areas_unsplit", "weights")}
    old["schema"] = 1
    old["changes"] = {
        k: v for k, v in old["changes"].items() if k not in ("outlook", "outlook_years")
    }
    with translation.override("sv"):
        html = render_to_string(
            "regionbudget/partials/report_content.html",
            {"report": second, **report_page(old, language="sv")},
        )
    assert "Lägesrapport mars 2024" in html and "Regiongemensamt, ej fördelat" not in html
    assert "Vikter per status" not in html, "no weights table without the weights"
    assert "Förra rapporten hade ingen utsikt" not in html, "no claim about what it did not compare"
    assert f"Jämfört med ”{first.title}”" in html
    assert "Kvar att täcka enligt planen: oförändrat" in html
