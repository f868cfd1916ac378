"""A measure's consequence analysis as an attached file: it counts for the decision, whoever
sees the measure downloads it, and a file that is not a PDF, Word or OpenDocument text of at
most 10 MB is refused with a message and nothing is written."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from measures.models import ConsequenceAnalysisFile, Measure
from regionbudget.core.formatting import NBSP

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def _text(response) -> str:
    return " ".join(response.content.decode().replace(NBSP, " ").split())


def _decide(client, m: Measure, upload=None, **extra):
    data = {
        "status": "decided",
        "year": 2026,
        "month": 10,
        "amount": "",
        "comment": "",
        "version": m.version,
        "decision_body": "committee",
        "decision_reference": "HSN 2026-11-24 § 7",
        "decision_date": "2026-11-24",
        **extra,
    }
    if upload is not None:
        data["consequence_file"] = upload
    return client.post(reverse("measures:measure_report", args=[m.pk]), data)


def test_a_director_decides_with_the_analysis_as_a_pdf_and_everyone_who_sees_it_downloads_it(
    director_own, director_other, finance, committee, measure
):
    m08 = measure("M08")  # proposed, owned by somatik
    upload = SimpleUploadedFile("Konsekvensanalys M08.pdf", PDF, content_type="application/pdf")
    response = _decide(director_own, m08, upload)
    assert response.status_code == 302
    m08.refresh_from_db()
    assert (m08.status, m08.consequence_analysis) == ("decided", "")
    stored = ConsequenceAnalysisFile.objects.get(measure=m08)
    assert (stored.name, stored.content_type, stored.size) == (
        "Konsekvensanalys M08.pdf",
        "application/pdf",
        len(PDF),
    )
    assert stored.uploaded_by.username == "direktor.somatik"

    detail = _text(director_own.get(m08.get_absolute_url()))
    url = reverse("measures:measure_consequence_file", args=[m08.pk])
    assert f'href="{url}"' in detail and "Konsekvensanalys M08.pdf" in detail
    assert "uppladdad av direktor.somatik den" in detail

    for client in (director_own, finance):
        download = client.get(url)
        assert download.status_code == 200
        assert download["Content-Type"] == "application/pdf"
        assert download["Content-Disposition"].startswith("attachment;")
        assert download.content == PDF
    # The other area's director does not see the measure, nor its file.
    assert director_other.get(url).status_code == 404


def test_a_measure_without_a_file_has_no_download(finance, measure):
    url = reverse("measures:measure_consequence_file", args=[measure("M03").pk])
    assert finance.get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("analys.pdf", b"MZ\x90\x00 not a pdf", "den här filen är inte en sådan"),
        ("analys.exe", PDF, "den här filen är inte en sådan"),
        ("analys.docx", b"PK\x03\x04 no word part", "den här filen är inte en sådan"),
        ("analys.pdf", b"", "Den skickade filen är tom"),
    ],
)
def test_a_file_that_is_not_an_analysis_is_refused_and_nothing_is_written(
    director_own, measure, name, content, message
):
    m08 = measure("M08")
    upload = SimpleUploadedFile(name, content)
    response = _decide(director_own, m08, upload)
    assert response.status_code == 200
    text = _text(response)
    assert message in text
    assert 'value="HSN 2026-11-24 § 7"' in text  # the rest of the input is kept
    m08.refresh_from_db()
    assert m08.status == "proposed"
    assert not ConsequenceAnalysisFile.objects.filter(measure=m08).exists()


def test_a_file_over_10_mb_is_refused(director_own, measure):
    m08 = measure("M08")
    big = PDF + b"0" * 10_000_001
    response = _decide(director_own, m08, SimpleUploadedFile("stor.pdf", big))
    assert response.status_code == 200
    assert "Filen är 10,0 MB; en konsekvensanalys får vara högst 10 MB." in _text(response)
    assert not ConsequenceAnalysisFile.objects.filter(measure=m08).exists()


def test_finance_replaces_the_file_on_the_measure_form_and_a_word_file_is_kept(finance, measure):
    from tests.measures.helpers import measure_edit_data

    m08 = measure("M08")
    _decide(finance, m08, SimpleUploadedFile("forsta.pdf", PDF))
    m08.refresh_from_db()
    data = measure_edit_data(m08)
    data["consequence_file"] = SimpleUploadedFile("Analys.docx", _docx())
    response = finance.post(reverse("measures:measure_edit", args=[m08.pk]), data)
    assert response.status_code == 302
    stored = ConsequenceAnalysisFile.objects.get(measure=m08)
    assert stored.name == "Analys.docx"
    assert stored.content_type.endswith("wordprocessingml.document")
    assert stored.uploaded_by.username == "ekonom"


def test_a_decided_measure_keeps_counting_its_stored_file(director_own, measure):
    # The file uploaded with an earlier report counts when the measure is decided later.
    m08 = measure("M08")
    response = _decide(director_own, m08, SimpleUploadedFile("analys.pdf", PDF), status="proposed")
    assert response.status_code == 302
    m08.refresh_from_db()
    assert m08.status == "proposed"
    assert ConsequenceAnalysisFile.objects.filter(measure=m08).exists()
    assert _decide(director_own, m08).status_code == 302
    m08.refresh_from_db()
    assert m08.status == "decided"


def test_the_history_shows_who_uploaded_which_analysis_file(director_own, finance, measure):
    m08 = measure("M08")
    upload = SimpleUploadedFile("Analys v1.pdf", PDF, content_type="application/pdf")
    assert _decide(director_own, m08, upload).status_code == 302
    history = _text(finance.get(m08.get_absolute_url())).split("history-heading")[-1]
    assert "Anna Berglund</strong> · Konsekvensanalys (fil) skapad" in history
    assert "filnamn: Analys v1.pdf" in history
