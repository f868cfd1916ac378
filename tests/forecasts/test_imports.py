"""Imports of budgets and actuals: preview, every bad row listed, all or nothing, no duplicates,
confirmation before replacing, history of replaced figures, and bulk speed."""

import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pghistory.models import Events

from forecasts import imports
from forecasts.imports import FigureRow
from forecasts.models import AccountGroup, Actual, Budget, ImportUpload
from forecasts.selectors import import_lookups, import_preview
from forecasts.services import figures_replace
from regionbudget.core.models import Area, Unit
from tests.forecasts.helpers import user

pytestmark = pytest.mark.django_db

BUDGET_HEADER = "Kostnadsställe;År;Kontogrupp;Belopp\n"
ACTUAL_HEADER = "Kostnadsställe;År;Månad;Kontogrupp;Belopp\n"


def _snapshot():
    return (
        list(
            Budget.objects.order_by("pk").values_list(
                "unit_id", "year", "account_group_id", "amount"
            )
        ),
        list(Actual.objects.order_by("pk").values_list("unit_id", "year", "month", "amount")),
    )


def _upload(client, content: bytes, name: str = "fil.csv", kind: str = "budget"):
    """Upload and follow to the preview page."""
    response = client.post(
        reverse("forecasts:import_start"),
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return client.get(response["Location"]), response["Location"]


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# Each bad file: (name, content, kind, expected text on the preview page).
BAD_FILES = [
    (
        "unknown-unit.csv",
        BUDGET_HEADER + "9999;2027;Personal;100\n",
        "budget",
        "Okänt kostnadsställe",
    ),
    ("letters.csv", BUDGET_HEADER + "1101;2027;Personal;tusen\n", "budget", "är inte ett tal"),
    ("nan.csv", BUDGET_HEADER + "1101;2027;Personal;NaN\n", "budget", "är inte ett tal"),
    ("exponent.csv", BUDGET_HEADER + "1101;2027;Personal;1e400\n", "budget", "är inte ett tal"),
    (
        "thirty-digits.csv",
        BUDGET_HEADER + "1101;2027;Personal;" + "9" * 30 + "\n",
        "budget",
        "för stort",
    ),
    ("ore.csv", BUDGET_HEADER + "1101;2027;Personal;10,123\n", "budget", "högst två decimaler"),
    ("unknown-group.csv", BUDGET_HEADER + "1101;2027;Resor;100\n", "budget", "Okänd kontogrupp"),
    ("bad-year.csv", BUDGET_HEADER + "1101;tjugo;Personal;100\n", "budget", "Inte ett år"),
    ("old-year.csv", BUDGET_HEADER + "1101;1899;Personal;100\n", "budget", "Inte ett år"),
    ("bad-month.csv", ACTUAL_HEADER + "1101;2027;13;Personal;100\n", "actual", "Inte en månad"),
    ("empty-amount.csv", BUDGET_HEADER + "1101;2027;Personal;\n", "budget", "Ange ett belopp"),
    (
        "duplicate.csv",
        BUDGET_HEADER + "1101;2027;Personal;100\n1101;2027;personal;200\n",
        "budget",
        "Dubblerad rad",
    ),
    (
        "missing-column.csv",
        "Kostnadsställe;År;Belopp\n1101;2027;100\n",
        "budget",
        "Kolumn saknas: Kontogrupp",
    ),
    ("blank.csv", "\n\n  \n", "budget", "Filen är tom"),
    ("header-only.csv", BUDGET_HEADER, "budget", "inga rader"),
    ("report.pdf", b"%PDF-1.4 ...", "budget", "Bara .csv- och .xlsx-filer kan importeras"),
    ("fake.xlsx", BUDGET_HEADER + "1101;2027;Personal;100\n", "budget", "inte en Excelfil"),
    (
        "duplicate-column.csv",
        "Kostnadsställe;År;Kontogrupp;Belopp;Amount\n1101;2027;Personal;1;2\n",
        "budget",
        "förekommer två gånger",
    ),
]


@pytest.mark.parametrize(
    ("name", "content", "kind", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES]
)
def test_a_bad_file_is_refused_with_its_reason_and_nothing_is_written(
    finance, name, content, kind, message
):
    before = _snapshot()
    data = content.encode("utf-8") if isinstance(content, str) else content
    page, preview_url = _upload(finance, data, name, kind)
    text = page.content.decode()
    assert page.status_code == 400
    assert message in text, text[text.find("<main") : text.find("</main>")]
    confirm = finance.post(preview_url + "confirm/", {"replace": "on"})
    assert confirm.status_code == 302
    assert _snapshot() == before


def test_an_empty_upload_is_refused_on_the_upload_page(finance):
    response = finance.post(
        reverse("forecasts:import_start"),
        {"kind": "budget", "file": SimpleUploadedFile("tom.csv", b"")},
    )
    assert response.status_code == 200
    assert "Den skickade filen är tom" in response.content.decode()
    assert not ImportUpload.objects.exists()


def test_every_bad_row_is_listed_with_row_column_value_and_reason(finance):
    content = BUDGET_HEADER + (
        "1101;2027;Personal;100\n"
        "9999;2027;Personal;100\n"  # row 3: unknown unit
        "1101;2027;Resor;abc\n"  # row 4: unknown group and bad amount
        "1102;2027;Läkemedel;1 234,5\n"
        "1102;2027;Läkemedel;5\n"  # row 6: duplicate of row 5
    )
    page, _ = _upload(finance, content.encode())
    text = page.content.decode()
    assert "Filen har 4 fel" in text
    rows = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]+)</td>', text)
    assert rows == [
        ("3", "Kostnadsställe"),
        ("4", "Kontogrupp"),
        ("4", "Belopp"),
        ("6", "Kontogrupp"),
    ]
    assert "<code>9999</code>" in text and "<code>abc</code>" in text
    assert "samma kostnadsställe, period och kontogrupp som rad 5" in text
    assert not Budget.objects.filter(year=2027).exists()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(finance, settings, monkeypatch):
    monkeypatch.setattr(imports, "MAX_BYTES", 100)
    response = finance.post(
        reverse("forecasts:import_start"),
        {"kind": "budget", "file": SimpleUploadedFile("stor.csv", b"x" * 101)},
    )
    assert response.status_code == 200
    assert "högst 0 MB" in response.content.decode() or "MB" in response.content.decode()
    assert not ImportUpload.objects.exists()


def test_a_file_over_the_row_limit_gets_a_clear_message(finance, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    content = BUDGET_HEADER + "".join(f"1101;2027;{g};1\n" for g in ["PERS", "HYR", "KOPT", "LKM"])
    page, _ = _upload(finance, content.encode())
    assert page.status_code == 400
    assert "fler än 3 rader" in page.content.decode()


def test_an_excel_formula_without_a_value_is_listed(finance):
    data = _xlsx(
        [["Kostnadsställe", "År", "Kontogrupp", "Belopp"], [1101, 2027, "Personal", "=1+1"]]
    )
    page, _ = _upload(finance, data, "formel.xlsx")
    assert page.status_code == 400
    assert "formel utan beräknat värde" in page.content.decode().lower()


def test_a_good_csv_with_bom_and_swedish_numbers_is_previewed_then_written(finance):
    content = (
        "\ufeff" + BUDGET_HEADER + "1101;2027;Personal;1 234 567,50\n1101;2027;Intäkter;−500\n"
    )
    page, preview_url = _upload(finance, content.encode("utf-8"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Nya rader" in text
    assert not Budget.objects.filter(year=2027).exists(), "the preview writes nothing"
    response = finance.post(preview_url + "confirm/")
    assert response.status_code == 302
    amounts = dict(Budget.objects.filter(year=2027).values_list("account_group__code", "amount"))
    assert amounts == {"PERS": Decimal("1234567.50"), "INT": Decimal("-500.00")}
    assert not ImportUpload.objects.exists()


def test_windows_1252_and_comma_separated_files_keep_their_letters(finance):
    content = (
        "Kostnadsställe,År,Kontogrupp,Belopp\n1101,2027,Läkemedel,100\n1101,2027,Köpt vård,200\n"
    )
    page, preview_url = _upload(finance, content.encode("cp1252"))
    assert page.status_code == 200
    assert "Läkemedel" in page.content.decode()
    finance.post(preview_url + "confirm/")
    assert Budget.objects.filter(year=2027, account_group__name="Köpt vård").get().amount == 200


def test_an_xlsx_file_of_actuals_imports(finance):
    data = _xlsx(
        [
            ["Kostnadsställe", "År", "Månad", "Kontogrupp", "Belopp"],
            [1101, 2027, 1, "Personal", 12750000.5],
            [1101, 2027, 1, "INT", -690000],
        ]
    )
    page, preview_url = _upload(finance, data, "utfall.xlsx", "actual")
    assert page.status_code == 200, page.content.decode()
    finance.post(preview_url + "confirm/")
    assert Actual.objects.filter(year=2027, month=1).count() == 2
    assert Actual.objects.get(year=2027, month=1, account_group__code="PERS").amount == Decimal(
        "12750000.50"
    )


def test_importing_the_same_file_twice_creates_no_duplicates(finance):
    content = (BUDGET_HEADER + "1101;2027;Personal;100\n1102;2027;Personal;200\n").encode()
    _, url = _upload(finance, content)
    finance.post(url + "confirm/")
    page, url = _upload(finance, content)
    assert "ändrar ingenting" in page.content.decode()
    finance.post(url + "confirm/")
    assert Budget.objects.filter(year=2027).count() == 2


def test_replacing_a_periods_figures_asks_for_confirmation_and_keeps_the_old_ones(finance):
    _, url = _upload(
        finance, (BUDGET_HEADER + "1101;2027;Personal;100\n1101;2027;IT;50\n").encode()
    )
    finance.post(url + "confirm/")
    old = Budget.objects.get(year=2027, account_group__code="PERS")
    page, url = _upload(finance, (BUDGET_HEADER + "1101;2027;Personal;300\n").encode())
    text = page.content.decode()
    assert "1 rader skulle ändras och 1 skulle tas bort" in text or "skulle ändras" in text
    refused = finance.post(url + "confirm/")  # without ticking the box
    assert refused.status_code == 302
    assert Budget.objects.get(pk=old.pk).amount == 100
    finance.post(url + "confirm/", {"replace": "on"})
    assert list(Budget.objects.filter(year=2027).values_list("account_group__code", "amount")) == [
        ("PERS", Decimal("300.00"))
    ]
    labels = sorted(e.pgh_label for e in Events.objects.tracks(old))
    assert labels == ["insert", "update"]
    history = {e.pgh_label: e.pgh_data["amount"] for e in Events.objects.tracks(old)}
    assert Decimal(str(history["insert"])) == 100
    it_events = Events.objects.filter(pgh_model="forecasts.BudgetEvent", pgh_label="delete")
    assert it_events.count() == 1, "the removed row stays in the history"
    context = Events.objects.tracks(old).filter(pgh_label="update").get().pgh_context
    assert context["user"] == user("ekonom").pk, "the history knows who replaced it"


def test_the_preview_compares_the_file_with_the_stored_figures_of_the_periods_it_covers(finance):
    ekonom = user("ekonom")
    unit = dict(Unit.objects.filter(code__in=["1101", "1102"]).values_list("code", "pk"))
    group = dict(AccountGroup.objects.values_list("code", "pk"))
    stored = [
        FigureRow(unit["1101"], 2027, None, group["PERS"], Decimal("100.00")),
        FigureRow(unit["1101"], 2027, None, group["IT"], Decimal("200.00")),
        FigureRow(unit["1101"], 2027, None, group["LOK"], Decimal("50.00")),
        FigureRow(unit["1102"], 2027, None, group["PERS"], Decimal("70.00")),
        FigureRow(unit["1101"], 2028, None, group["PERS"], Decimal("999.00")),
    ]
    figures_replace(kind=ImportUpload.Kind.BUDGET, rows=stored, user=ekonom)
    content = BUDGET_HEADER + (
        "1101;2027;Personal;100\n"  # the same amount
        "1101;2027;IT;250,50\n"  # changed
        "1101;2027;Intäkter;-20\n"  # new
        "1102;2027;Hyrpersonal;5\n"  # new; 1102's Personal for 2027 would go
    )
    page, url = _upload(finance, content.encode())
    upload = ImportUpload.objects.get()
    preview = import_preview(upload=upload)
    # 1101 Lokaler and 1102 Personal of 2027 are not in the file: removed. 2028 is not covered.
    assert (preview.rows, preview.new, preview.changed, preview.unchanged) == (4, 2, 1, 1)
    assert preview.removed == 2
    assert preview.total == Decimal("335.50")  # 100 + 250.50 − 20 + 5
    assert (preview.periods, preview.unit_count) == (["2027"], 2)
    assert [(r["unit"], r["group"], r["amount"]) for r in preview.sample] == [
        ("1101", "Personal", Decimal("100")),
        ("1101", "IT", Decimal("250.50")),
        ("1101", "Intäkter", Decimal("-20")),
        ("1102", "Hyrpersonal", Decimal("5")),
    ]
    summary = page.content.decode()
    assert re.search(r"Ändrade rader</dt><dd[^>]*>1<", summary), summary
    assert re.search(r"Borttagna rader</dt><dd[^>]*>2<", summary), summary

    done = finance.post(url + "confirm/", {"replace": "on"}, follow=True)
    assert "2 nya, 1 ändrade och 2" in done.content.decode()
    figures = Budget.objects.values_list("unit__code", "year", "account_group__code", "amount")
    assert sorted(figures.filter(year__in=[2027, 2028])) == [
        ("1101", 2027, "INT", Decimal("-20.00")),
        ("1101", 2027, "IT", Decimal("250.50")),
        ("1101", 2027, "PERS", Decimal("100.00")),
        ("1101", 2028, "PERS", Decimal("999.00")),
        ("1102", 2027, "HYR", Decimal("5.00")),
    ]


def test_a_changed_amount_is_not_written_without_the_box_even_when_nothing_would_go(finance):
    _, url = _upload(finance, (BUDGET_HEADER + "1101;2027;Personal;100\n").encode())
    finance.post(url + "confirm/")
    page, url = _upload(finance, (BUDGET_HEADER + "1101;2027;Personal;300\n").encode())
    assert 'name="replace"' in page.content.decode()
    refused = finance.post(url + "confirm/", follow=True)
    assert refused.redirect_chain == [(url, 302)]
    assert "Kryssa i rutan för att bekräfta att befintliga siffror ersätts." in (
        refused.content.decode()
    )
    assert Budget.objects.get(year=2027).amount == Decimal("100.00")
    assert ImportUpload.objects.count() == 1, "the upload stays to be confirmed with the box"
    finance.post(url + "confirm/", {"replace": "on"})
    assert Budget.objects.get(year=2027).amount == Decimal("300.00")


def test_other_periods_and_units_are_left_alone(finance, demo):
    before = Budget.objects.filter(year=2024).count()
    _, url = _upload(finance, (BUDGET_HEADER + "1101;2027;Personal;1\n").encode())
    finance.post(url + "confirm/")
    assert Budget.objects.filter(year=2024).count() == before


def test_templates_download_and_import_as_they_are(finance):
    for fmt in ("csv", "xlsx"):
        for kind in ("budget", "actual"):
            response = finance.get(reverse("forecasts:import_template", args=[kind, fmt]))
            assert response.status_code == 200
            units, groups = import_lookups()
            parsed = imports.parse_figures(
                io.BytesIO(response.content),
                filename=f"mall.{fmt}",
                kind=kind,
                units=units,
                groups=groups,
            )
            assert parsed.ok, parsed.errors
            assert len(parsed.rows) == 2


def test_only_finance_imports(director_own, committee, finance):
    for client in (director_own, committee):
        assert client.get(reverse("forecasts:import_start")).status_code == 403
        assert (
            client.get(reverse("forecasts:import_template", args=["budget", "csv"])).status_code
            == 403
        )
    _, url = _upload(finance, (BUDGET_HEADER + "1101;2027;Personal;1\n").encode())
    assert director_own.get(url).status_code == 403
    assert director_own.post(url + "confirm/").status_code == 403


def test_another_finance_users_upload_is_not_found(finance, administrator):
    _, url = _upload(finance, (BUDGET_HEADER + "1101;2027;Personal;1\n").encode())
    assert administrator.get(url).status_code == 404
    assert administrator.post(url + "confirm/").status_code == 404


def test_a_hundred_thousand_rows_are_written_with_a_handful_of_queries(
    demo, django_assert_max_num_queries
):
    area = Area.objects.get(code="FTV")
    units = Unit.objects.bulk_create(
        [Unit(area=area, code=f"9{i:04d}", name=f"Testenhet {i}") for i in range(834)]
    )
    groups = list(AccountGroup.objects.values_list("pk", flat=True))
    rows = [
        FigureRow(u.pk, 2027, month, g, Decimal(month * 1000 + 1))
        for u in units
        for g in groups
        for month in range(1, 13)
    ]
    assert len(rows) >= 100_000
    with django_assert_max_num_queries(12):
        result = figures_replace(kind=ImportUpload.Kind.ACTUAL, rows=rows, user=user("ekonom"))
    assert result.created == len(rows)
    assert Actual.objects.filter(year=2027).count() == len(rows)
    again = figures_replace(kind=ImportUpload.Kind.ACTUAL, rows=rows, user=user("ekonom"))
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)


def test_the_preview_and_the_confirmation_run_as_many_queries_for_many_rows_as_for_one(finance):
    """The rows are compared and written by set-based statements, never a query per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    codes = list(Unit.objects.order_by("code").values_list("code", flat=True)[:40])
    names = list(AccountGroup.objects.values_list("name", flat=True))
    counts = []
    for year, units in ((2027, codes[:1]), (2028, codes)):
        lines = [f"{u};{year};{m};{g};{m * 10}\n" for u in units for g in names for m in (1, 2)]
        _, url = _upload(finance, (ACTUAL_HEADER + "".join(lines)).encode(), kind="actual")
        with CaptureQueriesContext(connection) as preview:
            assert finance.get(url).status_code == 200
        with CaptureQueriesContext(connection) as confirm:
            assert finance.post(url + "confirm/").status_code == 302
        assert Actual.objects.filter(year=year).count() == len(lines)
        counts.append((len(preview), len(confirm)))
    assert len(codes) * len(names) * 2 >= 400
    assert counts[0] == counts[1], counts


# --- staging: the file is read once, at upload ------------------------------------------------


def _not_again(*args, **kwargs):
    raise AssertionError("the file was read again after the upload")


def test_the_file_is_read_once_and_the_preview_and_confirmation_use_the_stored_result(
    finance, monkeypatch
):
    content = BUDGET_HEADER + "1101;2027;Personal;1 234 567,50\n1101;2027;Intäkter;−500\n"
    response = finance.post(
        reverse("forecasts:import_start"),
        {"kind": "budget", "file": SimpleUploadedFile("budget.csv", content.encode())},
    )
    upload = ImportUpload.objects.get()
    assert upload.rows == [
        [Unit.objects.get(code="1101").pk, 2027, None, AccountGroup.objects.get(code=code).pk, a]
        for code, a in (("PERS", "1234567.50"), ("INT", "-500"))
    ], "amounts are stored as decimal strings"
    assert (upload.errors, upload.file_error, upload.row_count) == ([], "", 2)
    monkeypatch.setattr(imports, "parse_figures", _not_again)
    monkeypatch.setattr(imports, "read_table", _not_again)

    preview = finance.get(response["Location"])
    assert preview.status_code == 200
    assert "Nya rader" in preview.content.decode()
    assert finance.post(response["Location"] + "confirm/").status_code == 302
    amounts = dict(Budget.objects.filter(year=2027).values_list("account_group__code", "amount"))
    assert amounts == {"PERS": Decimal("1234567.50"), "INT": Decimal("-500.00")}
    assert not ImportUpload.objects.exists()


def test_the_errors_of_a_file_are_stored_with_it_and_listed_without_reading_it_again(
    finance, monkeypatch
):
    content = BUDGET_HEADER + "9999;2027;Personal;100\n1101;2027;Resor;1\n"
    response = finance.post(
        reverse("forecasts:import_start"),
        {"kind": "budget", "file": SimpleUploadedFile("budget.csv", content.encode())},
    )
    assert [(e["row"], e["column"]) for e in ImportUpload.objects.get().errors] == [
        (2, "Kostnadsställe"),
        (3, "Kontogrupp"),
    ]
    monkeypatch.setattr(imports, "parse_figures", _not_again)
    preview = finance.get(response["Location"])
    assert preview.status_code == 400 and "Okänt kostnadsställe" in preview.content.decode()
    errors = finance.get(response["Location"] + "errors.csv").content.decode("utf-8-sig")
    assert "9999" in errors and "Resor" in errors


def test_an_expired_upload_is_refused_like_an_unknown_one(finance):
    _, url = _upload(finance, (BUDGET_HEADER + "1101;2027;Personal;1\n").encode())
    ImportUpload.objects.update(created_at=timezone.now() - ImportUpload.LIFETIME)
    assert finance.get(url).status_code == 404
    response = finance.post(url + "confirm/", {"replace": "on"}, follow=True)
    assert response.redirect_chain == [(reverse("forecasts:import_start"), 302)]
    assert "Importen har gått ut eller är redan sparad" in response.content.decode()
    assert not Budget.objects.filter(year=2027).exists()


def test_storing_an_upload_forgets_the_expired_ones(finance):
    content = (BUDGET_HEADER + "1101;2027;Personal;1\n").encode()
    _upload(finance, content)
    old = ImportUpload.objects.get()
    ImportUpload.objects.update(created_at=timezone.now() - ImportUpload.LIFETIME * 2)
    _upload(finance, content)
    assert not ImportUpload.objects.filter(pk=old.pk).exists()
    assert ImportUpload.objects.count() == 1


def test_a_unit_removed_after_the_upload_is_reported_when_confirming(finance):
    unit = Unit.objects.create(area=Area.objects.first(), code="9901", name="Tillfällig enhet")
    _, url = _upload(finance, (BUDGET_HEADER + "9901;2027;Personal;1\n").encode())
    unit.delete()
    response = finance.post(url + "confirm/", {"replace": "on"})
    assert response.status_code == 302 and response["Location"] == url
    preview = finance.get(url)
    assert preview.status_code == 400
    assert "Okänt kostnadsställe" in preview.content.decode()
    assert not Budget.objects.filter(year=2027).exists()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        ("xxe_xlsx", "dokumenttypdeklaration"),
        ("billion_laughs_xlsx", "dokumenttypdeklaration"),
        ("forged_size_xlsx", "inte en giltig Excelfil"),
    ],
)
def test_a_hostile_xlsx_is_refused_with_a_message_and_nothing_is_written(finance, build, message):
    from tests import hostile_files

    rows = [["Kostnadsställe", "År", "Kontogrupp", "Belopp"], ["1101", 2027, "Personal", 100]]
    before = _snapshot()
    page, _ = _upload(finance, getattr(hostile_files, build)(rows), "budget.xlsx", "budget")
    text = page.content.decode()
    assert page.status_code == 400
    assert message in text
    assert _snapshot() == before


def test_confirming_writes_the_figures_and_discards_the_upload_in_one_transaction(
    finance, monkeypatch
):
    from forecasts.services import figures as figure_services

    content = BUDGET_HEADER + "1101;2027;Personal;777\n"
    response = finance.post(
        reverse("forecasts:import_start"),
        {"kind": "budget", "file": SimpleUploadedFile("budget.csv", content.encode())},
    )
    before = _snapshot()
    discard = figure_services.import_upload_discard

    def discard_fails(*, upload):
        raise RuntimeError("the upload could not be discarded")

    monkeypatch.setattr(figure_services, "import_upload_discard", discard_fails)
    with pytest.raises(RuntimeError):
        finance.post(response["Location"] + "confirm/")
    assert _snapshot() == before, "no figure is written without the upload being discarded"
    assert ImportUpload.objects.count() == 1

    monkeypatch.setattr(figure_services, "import_upload_discard", discard)
    assert finance.post(response["Location"] + "confirm/").status_code == 302
    assert Budget.objects.get(year=2027, unit__code="1101").amount == Decimal("777.00")
    assert not ImportUpload.objects.exists()


def test_the_preview_warns_when_a_month_of_actuals_looks_incomplete(finance):
    """The demo has October 2024 actuals for every unit; a November file with one unit."""
    content = (ACTUAL_HEADER + "1101;2024;11;Personal;100\n").encode()
    page, _ = _upload(finance, content, kind="actual")
    text = page.content.decode()
    units = set(Actual.objects.filter(year=2024, month=10).values_list("unit__code", flat=True))
    missing = sorted(units - {"1101"})
    assert len(missing) > 1
    assert f"2024-11 ser ofullständig ut: {len(missing)} kostnadsställen" in text
    assert ", ".join(missing) in text
    # A complete month warns of nothing.
    content = (
        ACTUAL_HEADER + "".join(f"{code};2024;11;Personal;100\n" for code in sorted(units))
    ).encode()
    page, _ = _upload(finance, content, kind="actual")
    assert "ser ofullständig ut" not in page.content.decode()
