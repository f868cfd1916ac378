"""The register's pages per role: figures shown, writes made or refused, exports, import."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from forecasts.models import ImportUpload
from measures import services as measure_services
from measures.filters import MeasureFilterSet
from measures.models import Category, Measure, PlannedEffect, RealisedEffect
from measures.selectors import measure_list
from regionbudget.core.formatting import NBSP
from regionbudget.core.models import Area

pytestmark = pytest.mark.django_db
M = Decimal("1000000")
LIST = reverse("measures:measure_list")


def _text(response) -> str:
    return response.content.decode()


def _mnkr(text: str) -> str:
    return text.replace(" ", NBSP) + f"{NBSP}mnkr"


def _total_planned(response) -> str:
    text = _text(response)
    start = text.index('id="total-planned">') + len('id="total-planned">')
    return text[start : text.index("<", start)]


# --- the list -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "planned"), [(2024, "175–192"), (2025, "461–541"), (2026, "719–831")]
)
def test_finance_sees_the_seed_totals_per_year(finance, year, planned):
    response = finance.get(LIST, {"year": year})
    assert response.status_code == 200
    assert _total_planned(response) == _mnkr(planned)
    text = _text(response)
    assert "Smarta inköp" in text and "Folktandvården: produktivitet och taxa" in text


def test_a_cancelled_measure_leaves_the_totals(finance, measure):
    Measure.objects.filter(pk=measure("M14").pk).update(status="cancelled")
    response = finance.get(LIST, {"year": 2024})
    assert _total_planned(response) == _mnkr("174–191")
    assert "avbruten" in _text(response)


def test_a_director_sees_their_area_with_its_share_of_smart_purchasing(director_own):
    response = director_own.get(LIST, {"year": 2024})
    text = _text(response)
    assert response.status_code == 200
    for code in ("M01", "M02", "M03", "M08"):
        assert f">{code}</a>" in text
    assert ">M13</a>" not in text, "psychiatry's measure"
    assert 'Regiongemensam <span class="text-body-secondary">(45\u00a0%)' in text
    # 60 + 15 + 10 + 45 % of 25 = 96,25; 62 + 17 + 11 + 45 % of 28 = 102,6
    assert _total_planned(response) == _mnkr("96,3–102,6")


def test_finance_filtered_by_an_area_sees_that_areas_share(finance):
    som = Area.objects.get(code="LSO-SOM")
    response = finance.get(LIST, {"year": 2024, "area": som.pk})
    assert _total_planned(response) == _mnkr("96,3–102,6")


def test_the_filters_narrow_the_measures(finance, plan):
    qs = measure_list(user=finance.user if hasattr(finance, "user") else _user("ekonom"))
    user = _user("ekonom")

    def count(**params):
        data = {"plan": str(plan.pk), **{k: str(v) for k, v in params.items()}}
        return MeasureFilterSet(data, queryset=qs, user=user).qs.count()

    assert count() == 14
    assert count(category=Category.objects.get(name="Vårdstruktur").pk) == 2
    assert count(status="decided") == 4
    assert count(area=Area.objects.get(code="LSO-SOM").pk) == 4  # M02 M03 M08 + M01's share
    assert count(area=Area.objects.get(code="NSO-N").pk) == 2  # M04 + M01's share
    assert count(status="done") == 0


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def test_the_list_can_be_sorted_by_planned_effect(finance):
    text = _text(finance.get(LIST, {"year": 2026, "sort": "-high"}))
    assert text.index(">M02</a>") < text.index(">M01</a>") < text.index(">M14</a>")


def test_the_list_query_count_does_not_grow_with_measures(finance, plan, django_assert_num_queries):
    # session, user, groups, plans, measures, planned, realised, shares, the filter form's plans,
    # categories and areas (the session's idle timeout was renewed at login: no write).
    with django_assert_num_queries(15):
        finance.get(LIST)
    Measure.objects.create(
        plan=plan, code="M50", title="Extra", category=Category.objects.first(), status="proposed"
    )
    with django_assert_num_queries(15):
        finance.get(LIST)


def _sixty_done_measures(plan) -> None:
    """X01–X60, done, each planned at 1–2 MSEK in 2024 (the seed has no done measure)."""
    category = Category.objects.first()
    created = Measure.objects.bulk_create(
        Measure(plan=plan, code=f"X{n:02d}", title=f"Åtgärd {n}", category=category, status="done")
        for n in range(1, 61)
    )
    PlannedEffect.objects.bulk_create(
        PlannedEffect(measure=m, year=2024, low=1 * M, high=2 * M) for m in created
    )


def test_the_list_shows_fifty_measures_a_page_and_keeps_the_filters(finance, plan):
    _sixty_done_measures(plan)
    first_page = finance.get(LIST, {"year": 2024, "status": "done"})
    first = _text(first_page)
    assert ">X01</a>" in first and ">X50</a>" in first and ">X51</a>" not in first
    assert "Åtgärder 1–50 av 60" in first
    assert 'aria-current="page"' in first
    # The link to page 2 keeps the year and the status chosen.
    link = next(part for part in first.split('href="') if "page=2" in part).split('"')[0]
    assert "status=done" in link and "year=2024" in link
    second_page = finance.get(LIST + link.replace("&amp;", "&"))
    second = _text(second_page)
    assert ">X51</a>" in second and ">X60</a>" in second and ">X50</a>" not in second
    assert ">M01</a>" not in second, "the status filter is kept on page 2"
    # The totals are those of all sixty, on every page: 60 × 1–2 MSEK.
    assert _total_planned(second_page) == _total_planned(first_page) == _mnkr("60–120")


def test_a_page_of_the_list_costs_the_same_queries_as_the_whole_list(
    finance, plan, django_assert_num_queries
):
    # The seed's 14 measures fit on one page; with 60 more, 74 take two.
    with django_assert_num_queries(15):
        finance.get(LIST, {"year": 2024})
    _sixty_done_measures(plan)
    with django_assert_num_queries(15):
        assert "Åtgärder 1–50 av 74" in _text(finance.get(LIST, {"year": 2024}))
    with django_assert_num_queries(15):
        response = finance.get(LIST, {"year": 2024, "page": 2, "sort": "-high"})
        assert "Åtgärder 51–74 av 74" in _text(response)


def test_sorting_the_list_starts_again_at_its_first_page(finance, plan):
    _sixty_done_measures(plan)
    text = _text(finance.get(LIST, {"year": 2024, "status": "done", "page": 2}))
    sort_link = next(part for part in text.split('href="') if "sort=title" in part).split('"')[0]
    assert "page=" not in sort_link


def test_the_exports_take_every_filtered_measure_whatever_page_is_shown(finance, plan):
    _sixty_done_measures(plan)
    params = {"year": 2024, "status": "done", "page": 2}
    response = finance.get(reverse("measures:measure_export", args=["csv"]), params)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [r[0] for r in rows] == ["Kod", *(f"X{n:02d}" for n in range(1, 61)), "Summa"]
    assert rows[-1][6:8] == ["60", "120"]


# --- detail and access ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "code", "status"),
    [
        ("finance", "M13", 200),
        ("committee", "M03", 200),
        ("director_own", "M03", 200),
        ("director_own", "M01", 200),  # region-wide with a share in somatik
        ("director_own", "M13", 404),  # psychiatry's
        ("director_other", "M03", 404),
        ("director_other", "M13", 200),
    ],
)
def test_who_sees_which_measure(request, measure, persona, code, status):
    client = request.getfixturevalue(persona)
    assert client.get(measure(code).get_absolute_url()).status_code == status


def test_the_detail_shows_the_range_realised_split_indicators_and_chart(finance, measure):
    text = _text(finance.get(measure("M01").get_absolute_url()))
    assert _mnkr("25,0") in text and _mnkr("105,0") in text
    assert "LSO-SOM" in text and "45 %" in text
    assert _mnkr("11,3–12,6") in text  # 45 % of 25–28
    assert "Inköpskostnad" in text
    assert 'id="measure-chart-data"' in text
    assert "<script>" not in text, "no inline script (CSP)"


def test_the_chart_holds_the_planned_range_and_realised_per_year(finance, measure):
    response = finance.get(measure("M03").get_absolute_url())
    figure = response.context["chart"]
    bar, line = figure["data"]
    assert list(bar["base"]) == [15.0, 35.0, 50.0]
    assert list(bar["y"]) == [2.0, 10.0, 10.0]
    assert line["y"][0] == pytest.approx(12.72)  # 12 months × 1,06 in the demo


# --- reporting (status, realised effect) ----------------------------------------------------


def _report(client, m, **data):
    payload = {"status": m.status, "year": 2026, "month": 10, "amount": "", "comment": ""}
    payload["version"] = m.version
    payload.update(data)
    return client.post(reverse("measures:measure_report", args=[m.pk]), payload)


def test_a_director_reports_realised_effect_on_their_measure_and_the_total_moves(
    director_own, measure
):
    before = _text(director_own.get(LIST, {"year": 2026}))
    m03 = measure("M03")
    response = _report(
        director_own,
        m03,
        amount="2,5",
        comment="Färre hyrläkare",
        title="Kapad",
        version=m03.version,
    )
    assert response.status_code == 302
    assert response["Location"] == m03.get_absolute_url()
    effect = RealisedEffect.objects.get(measure=m03, year=2026, month=10)
    assert effect.amount == Decimal("2500000.00")
    assert effect.recorded_by.username == "direktor.somatik"
    m03.refresh_from_db()
    assert m03.title == "Produktions- och kapacitetsplanering", "extra fields change nothing"
    after = _text(director_own.get(LIST, {"year": 2026}))
    assert before != after
    history = _text(director_own.get(m03.get_absolute_url()))
    assert "Anna Berglund" in history and "Färre hyrläkare" in history


def test_a_bad_amount_gets_a_swedish_message_and_the_input_is_kept(director_own, measure):
    m03 = measure("M03")
    response = _report(director_own, m03, amount="tolv", comment="x")
    assert response.status_code == 200
    text = _text(response)
    assert "är inte ett tal" in text
    assert 'value="tolv"' in text
    assert not RealisedEffect.objects.filter(measure=m03, year=2026, month=10).exists()


def test_a_concurrent_report_is_a_conflict_showing_both_inputs(director_own, finance, measure):
    m03 = measure("M03")
    assert _report(finance, m03, amount="1", comment="Ekonomens siffra").status_code == 302
    response = _report(director_own, m03, amount="3", comment="Direktörens siffra")
    text = _text(response)
    assert response.status_code == 409
    assert 'id="conflict"' in text
    assert "Ekonomens siffra" in text and "Direktörens siffra" in text
    assert RealisedEffect.objects.get(measure=m03, year=2026, month=10).amount == M


@pytest.mark.parametrize(
    ("persona", "code", "status"),
    [
        ("director_own", "M01", 403),  # region-wide: finance's
        ("director_own", "M13", 404),
        ("director_other", "M03", 404),
        ("committee", "M03", 403),
        ("finance", "M03", 302),
    ],
)
def test_who_may_report(request, measure, persona, code, status):
    client = request.getfixturevalue(persona)
    assert _report(client, measure(code), amount="1").status_code == status


# --- finance's forms --------------------------------------------------------------------------


def _measure_form(m=None, **overrides):
    data = {
        "code": "M15",
        "title": "Ny åtgärd från ekonom",
        "description": "",
        "category": Category.objects.get(name="Läkemedel").pk,
        "owner_area": "",
        "responsible": "Karin",
        "status": "proposed",
        "decision_reference": "HSN 2024-02-20 § 7",
        "start_date": "2024-03-01",
        "low_2024": "1,5",
        "high_2024": "2",
        "low_2025": "",
        "high_2025": "",
        "low_2026": "3",
        "high_2026": "4",
    }
    if m is not None:
        data["version"] = m.version
    data.update(overrides)
    return data


def test_finance_adds_a_measure_in_msek(finance, plan):
    response = finance.post(
        reverse("measures:measure_create") + f"?plan={plan.pk}", _measure_form()
    )
    m15 = Measure.objects.get(plan=plan, code="M15")
    assert response.status_code == 302
    assert m15.owner_area is None
    assert list(m15.planned_effects.values_list("year", "low", "high")) == [
        (2024, Decimal("1500000.00"), 2 * M),
        (2026, 3 * M, 4 * M),
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("high_2024", "1", "Den höga änden kan inte vara lägre än den låga."),
        ("low_2024", "-1", "Den planerade effekten kan inte vara negativ."),
        ("high_2024", "", "Ange både låg och hög ände, eller ingen av dem."),
    ],
)
def test_a_bad_range_is_refused_next_to_the_field(finance, plan, field, value, message):
    response = finance.post(
        reverse("measures:measure_create") + f"?plan={plan.pk}", _measure_form(**{field: value})
    )
    assert response.status_code == 200
    assert message in _text(response)
    assert not Measure.objects.filter(code="M15").exists()


@pytest.mark.parametrize("persona", ["director_own", "committee"])
def test_only_finance_adds_measures(request, persona, plan):
    client = request.getfixturevalue(persona)
    url = reverse("measures:measure_create") + f"?plan={plan.pk}"
    assert client.get(url).status_code == 403
    assert client.post(url, _measure_form()).status_code == 403
    assert not Measure.objects.filter(code="M15").exists()


def test_a_concurrent_edit_shows_both_versions_and_saves_nothing(finance, measure):
    m03 = measure("M03")
    url = reverse("measures:measure_edit", args=[m03.pk])
    first = _measure_form(m03, code="M03", title="Först sparad", owner_area=m03.owner_area_id)
    assert finance.post(url, first).status_code == 302
    second = _measure_form(m03, code="M03", title="Sent sparad", owner_area=m03.owner_area_id)
    response = finance.post(url, second)
    text = _text(response)
    assert response.status_code == 409
    assert 'id="conflict"' in text
    assert "Först sparad" in text and "Sent sparad" in text
    m03.refresh_from_db()
    assert m03.title == "Först sparad"
    assert finance.post(url, {**second, "version": m03.version}).status_code == 302


@pytest.mark.parametrize(("persona", "status"), [("director_own", 403), ("committee", 403)])
def test_directors_and_committee_cannot_edit(request, measure, persona, status):
    client = request.getfixturevalue(persona)
    m03 = measure("M03")
    response = client.post(reverse("measures:measure_edit", args=[m03.pk]), _measure_form(m03))
    assert response.status_code == status


def test_shares_not_summing_to_100_are_refused_with_a_message(finance, measure):
    m01 = measure("M01")
    url = reverse("measures:measure_shares", args=[m01.pk])
    areas = {a.code: a.pk for a in Area.objects.all()}
    data = {
        "version": m01.version,
        f"share_{areas['LSO-SOM']}": "60",
        f"share_{areas['FTV']}": "30",
    }
    response = finance.post(url, data)
    assert "summera till exakt 100" in _text(response)
    assert m01.area_shares.count() == 8
    data[f"share_{areas['FTV']}"] = "40"
    assert finance.post(url, data).status_code == 302
    assert m01.area_shares.count() == 2


# --- export -----------------------------------------------------------------------------------


def test_the_excel_export_holds_what_is_shown_with_totals(finance):
    response = finance.get(reverse("measures:measure_export", args=["xlsx"]), {"year": 2024})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Kod", "Åtgärd", "Kategori")
    assert len(rows) == 1 + 14 + 1
    assert rows[1][0] == "M01" and rows[1][3] == "Regiongemensam"
    assert rows[-1][0] == "Summa"
    assert (rows[-1][6], rows[-1][7]) == (175, 192)


def test_the_csv_export_is_semicolon_separated_utf8_with_bom_and_neutralised(finance, measure):
    Measure.objects.filter(pk=measure("M14").pk).update(title="=HYPERLINK(1)", code="M14")
    Measure.objects.filter(pk=measure("M12").pk).update(title="@SUM(A1)")
    response = finance.get(
        reverse("measures:measure_export", args=["csv"]), {"year": 2025, "status": "proposed"}
    )
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [r[0] for r in rows] == ["Kod", "M08", "M12", "Summa"]
    assert rows[2][1] == "'@SUM(A1)"
    assert rows[-1][6:8] == ["40", "47"]  # 30 + 10, 35 + 12


def test_the_excel_export_neutralises_formulas(finance, measure):
    Measure.objects.filter(pk=measure("M14").pk).update(title="=1+2", responsible="-x")
    response = finance.get(reverse("measures:measure_export", args=["xlsx"]), {"year": 2024})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    titles = [row[1] for row in sheet.iter_rows(values_only=True)]
    assert "'=1+2" in titles


def test_a_director_exports_only_their_view(director_own):
    response = director_own.get(reverse("measures:measure_export", args=["csv"]), {"year": 2024})
    codes = [r.split(";")[0] for r in response.content.decode("utf-8-sig").splitlines()]
    assert codes == ["Kod", "M01", "M02", "M03", "M08", "Summa"]


# --- import -----------------------------------------------------------------------------------

HEADER = "kod;åtgärd;kategori;område;status;2024 låg;2024 hög;2025 låg;2025 hög\n"


def _upload(client, plan, content: str, name="plan.csv"):
    return client.post(
        reverse("measures:measure_import"),
        {"plan": plan.pk, "file": SimpleUploadedFile(name, content.encode("utf-8"))},
        follow=True,
    )


def test_an_import_with_errors_lists_every_one_and_saves_nothing(finance, plan):
    content = HEADER + (
        "M30;Bra rad;Inköp;LSO-SOM;pågår;1;2;3;4\n"
        "M31;Låg över hög;Inköp;LSO-SOM;pågår;5;2;;\n"
        "M32;Okänd;Trolleri;XX;kanske;1;x;;\n"
        "M30;Dubblett;Inköp;;beslutad;;;;\n"
    )
    response = _upload(finance, plan, content)
    text = _text(response)
    assert "6 fel" in text
    for fragment in ("Trolleri", "XX", "kanske", ">x<", "Koden finns också på rad 2"):
        assert fragment in text
    assert not Measure.objects.filter(code__in=["M30", "M31", "M32"]).exists()


def test_a_clean_import_is_previewed_then_saved_all_at_once(finance, plan):
    content = HEADER + (
        "M30;Ny från Excel;Inköp;;beslutad;1;2;3,5;4\nM03;Produktionsplanering;Produktivitet;"
        "LSO-SOM;pågår;15;17;35;45\n"
    )
    preview = _upload(finance, plan, content)
    text = _text(preview)
    assert "1 ny åtgärd" in text and "1 åtgärd finns redan" in text
    assert not Measure.objects.filter(code="M30").exists()
    token = preview.request["PATH_INFO"].rstrip("/").split("/")[-1]
    response = finance.post(reverse("measures:measure_import_confirm", args=[token]))
    assert response.status_code == 302
    m30 = Measure.objects.get(plan=plan, code="M30")
    assert m30.owner_area is None
    assert m30.planned_effects.get(year=2025).low == Decimal("3500000.00")
    assert Measure.objects.get(plan=plan, code="M03").title == "Produktionsplanering"


def _token(response) -> str:
    return response.request["PATH_INFO"].rstrip("/").split("/")[-1]


def test_the_import_is_staged_in_the_database_not_in_the_session(finance, plan):
    preview = _upload(finance, plan, HEADER + "M30;Ny från Excel;Inköp;;beslutad;1;2,5;;\n")
    session_keys = list(finance.session.keys())
    assert not [key for key in session_keys if key.startswith("measure_import")], session_keys
    upload = ImportUpload.objects.get(token=_token(preview))
    assert (upload.kind, upload.plan, upload.row_count, upload.errors) == (
        ImportUpload.Kind.ACTION_PLAN,
        plan,
        1,
        [],
    )
    assert upload.rows[0]["planned"] == {"2024": ["1000000.00", "2500000.00"]}
    finance.post(reverse("measures:measure_import_confirm", args=[_token(preview)]))
    assert Measure.objects.filter(plan=plan, code="M30").exists()
    assert not ImportUpload.objects.exists(), "a saved import is forgotten"


def test_the_preview_and_the_save_do_not_read_the_file_again(finance, plan, monkeypatch):
    preview = _upload(finance, plan, HEADER + "M30;Ny från Excel;Inköp;;beslutad;1;2;;\n")

    def not_again(*args, **kwargs):
        raise AssertionError("the file was read again after the upload")

    monkeypatch.setattr(measure_services, "read_table", not_again)
    monkeypatch.setattr(measure_services, "validate_rows", not_again)
    url = reverse("measures:measure_import_preview", args=[_token(preview)])
    assert "1 ny åtgärd" in _text(finance.get(url))
    finance.post(reverse("measures:measure_import_confirm", args=[_token(preview)]))
    assert Measure.objects.filter(plan=plan, code="M30").exists()


def test_an_expired_import_is_refused_with_the_message(finance, plan):
    preview = _upload(finance, plan, HEADER + "M30;Ny från Excel;Inköp;;beslutad;1;2;;\n")
    ImportUpload.objects.update(created_at=timezone.now() - ImportUpload.LIFETIME)
    url = reverse("measures:measure_import_preview", args=[_token(preview)])
    assert finance.get(url).status_code == 404
    response = finance.post(
        reverse("measures:measure_import_confirm", args=[_token(preview)]), follow=True
    )
    assert response.redirect_chain == [(reverse("measures:measure_import"), 302)]
    assert "Importen har gått ut eller är redan sparad" in _text(response)
    assert not Measure.objects.filter(code="M30").exists()


def test_another_users_staged_import_is_not_found(finance, administrator, plan):
    preview = _upload(finance, plan, HEADER + "M30;Ny från Excel;Inköp;;beslutad;1;2;;\n")
    url = reverse("measures:measure_import_preview", args=[_token(preview)])
    assert administrator.get(url).status_code == 404
    administrator.post(reverse("measures:measure_import_confirm", args=[_token(preview)]))
    assert not Measure.objects.filter(code="M30").exists()


def test_an_xlsx_import_is_read_too(finance, plan):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Kod", "Åtgärd", "Kategori", "Område", "Status", "2024 låg", "2024 hög"])
    sheet.append(["M40", "Från Excel", "Lokaler", "NSO-V", "föreslagen", 2, 3])
    out = io.BytesIO()
    book.save(out)
    response = finance.post(
        reverse("measures:measure_import"),
        {"plan": plan.pk, "file": SimpleUploadedFile("plan.xlsx", out.getvalue())},
        follow=True,
    )
    assert "1 ny åtgärd" in _text(response)


@pytest.mark.parametrize("persona", ["director_own", "committee"])
def test_only_finance_imports(request, persona, plan):
    client = request.getfixturevalue(persona)
    assert client.get(reverse("measures:measure_import")).status_code == 403
    assert _upload(client, plan, HEADER).status_code == 403


# --- the lifecycle on the pages ------------------------------------------------------------------


def test_a_director_cannot_confirm_an_effect_on_the_report_page(director_own, measure):
    m03 = measure("M03")
    response = _report(director_own, m03, status="done", amount="1", comment="Klart")
    assert response.status_code == 200
    assert "Bara ekonomi bekräftar en åtgärds effekt" in _text(response)
    m03.refresh_from_db()
    assert m03.status == "in_progress"
    assert not RealisedEffect.objects.filter(measure=m03, year=2026, month=10).exists()


def test_deciding_without_a_consequence_analysis_is_refused_on_the_report_page(finance, measure):
    proposed = Measure.objects.filter(status="proposed").order_by("code").first()
    response = _report(
        finance,
        proposed,
        status="decided",
        decision_body="committee",
        decision_reference="HSN 2024-02-27 § 5",
        decision_date="2024-02-27",
    )
    assert response.status_code == 200
    text = _text(response)
    assert "kan markeras som beslutad bara med sitt beslut" in text
    assert "Saknas: en konsekvensanalys." in text
    proposed.refresh_from_db()
    assert proposed.status == "proposed" and proposed.decision_reference == ""
    # With the analysis the same report goes through; the page shows the decision.
    response = _report(
        finance,
        proposed,
        status="decided",
        decision_body="committee",
        decision_reference="HSN 2024-02-27 § 5",
        decision_date="2024-02-27",
        consequence_analysis="Patienter: längre väntan på planerade besök.",
    )
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert (proposed.status, proposed.decision_date.isoformat()) == ("decided", "2024-02-27")
    detail = _text(finance.get(proposed.get_absolute_url()))
    assert "Patienter: längre väntan på planerade besök." in detail


def test_a_full_year_effect_typed_on_the_form_is_spread_over_the_years(finance, plan):
    category = Category.objects.get(name="Inköp")
    data = {
        "code": "M98",
        "title": "Nytt avtal",
        "category": category.pk,
        "owner_area": "",
        "status": "proposed",
        "start_date": "2024-09-01",
        "effect_kind": "recurring",
        "full_year_low": "12",
        "full_year_high": "12",
    }
    response = finance.post(reverse("measures:measure_create") + f"?plan={plan.pk}", data)
    assert response.status_code == 302
    created = Measure.objects.get(plan=plan, code="M98")
    assert list(created.planned_effects.values_list("year", "low")) == [
        (2024, 4 * M),
        (2025, 12 * M),
        (2026, 12 * M),
    ]
    assert "4,0" in _text(finance.get(created.get_absolute_url()))


def test_a_director_sees_only_their_own_areas_share_of_a_region_wide_measure(director_own, finance):
    from measures.models import AreaShare, Measure

    measure = Measure.objects.get(code="M01", owner_area__isnull=True)
    codes = set(AreaShare.objects.filter(measure=measure).values_list("area__code", flat=True))
    assert "LSO-SOM" in codes and len(codes) > 1
    url = reverse("measures:measure_detail", args=[measure.pk])

    def split_rows(client):
        body = client.get(url).content.decode()
        table = body.split('id="split-table"')[1].split("</table>")[0]
        return {code for code in codes if f'<th scope="row">{code}</th>' in table}, body

    shown, _ = split_rows(finance)
    assert shown == codes
    shown, body = split_rows(director_own)
    assert shown == {"LSO-SOM"}
    history = body.split('id="history-heading"')[-1] if 'id="history-heading"' in body else body
    for other in codes - {"LSO-SOM"}:
        assert other not in history, f"{other}'s share is in the director's history"


@pytest.mark.parametrize(
    ("build", "message"),
    [
        ("xxe_xlsx", "dokumenttypdeklaration"),
        ("billion_laughs_xlsx", "dokumenttypdeklaration"),
        ("forged_size_xlsx", "inte en giltig Excelfil"),
    ],
)
def test_a_hostile_xlsx_action_plan_gets_a_message_and_nothing_is_saved(
    finance, plan, build, message
):
    from measures.models import Measure
    from tests import hostile_files

    rows = [
        ["kod", "åtgärd", "kategori", "område", "status", "2024 låg", "2024 hög"],
        ["M40", "Ny", "Inköp", "LSO-SOM", "pågår", 1, 2],
    ]
    count = Measure.objects.count()
    response = finance.post(
        reverse("measures:measure_import"),
        {
            "plan": plan.pk,
            "file": SimpleUploadedFile("plan.xlsx", getattr(hostile_files, build)(rows)),
        },
        follow=True,
    )
    assert response.status_code in (200, 400)
    assert message in response.content.decode()
    assert Measure.objects.count() == count


def test_the_history_names_a_changed_deciding_body_and_effect_kind_in_words(finance, measure):
    m03 = measure("M03")
    url = reverse("measures:measure_edit", args=[m03.pk])
    data = _measure_form(
        m03,
        code="M03",
        title=m03.title,
        owner_area=m03.owner_area_id,
        decision_body="committee",
        effect_kind="one_off",
    )
    response = finance.post(url, data)
    assert response.status_code == 302, _text(response)[:3000]
    m03.refresh_from_db()
    assert (m03.decision_body, m03.effect_kind) == ("committee", "one_off")
    history = _text(finance.get(m03.get_absolute_url())).split("history-heading")[-1]
    assert "nämnden" in history and "engångs" in history.lower()
    assert "committee" not in history and "one_off" not in history
