"""Pages are compressed on the wire for browsers that accept gzip (GZipMiddleware)."""

import gzip

import pytest
from django.urls import reverse

from forecasts.models import Plan
from regionbudget.core.formatting import NBSP

pytestmark = pytest.mark.django_db


def _plan() -> Plan:
    return Plan.objects.get(name="Ekonomi i balans 2024–2026")


def test_the_dashboard_is_sent_compressed_to_a_browser_that_accepts_gzip(finance):
    url = reverse("gap_dashboard")
    params = {"plan": _plan().pk, "year": 2024}
    plain = finance.get(url, params)
    packed = finance.get(url, params, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    html = gzip.decompress(packed.content).decode()
    assert f"2024: 132–149{NBSP}mnkr saknas" in html
    assert len(packed.content) < len(plain.content) / 4


def test_the_masked_csrf_token_and_the_padding_differ_in_every_compressed_page(finance):
    """BREACH: a secret repeated in every response could be guessed byte by byte from the
    compressed sizes; the form's CSRF token is masked afresh each time, and the compressed
    bodies differ in length by the random padding even for the same page."""
    url = reverse("measures:measure_list")
    bodies = [finance.get(url, HTTP_ACCEPT_ENCODING="gzip").content for _ in range(6)]
    tokens = {
        gzip.decompress(body).decode().split('name="csrfmiddlewaretoken" value="')[1][:64]
        for body in bodies
    }
    assert len(tokens) == 6
    assert len({len(body) for body in bodies}) > 1
