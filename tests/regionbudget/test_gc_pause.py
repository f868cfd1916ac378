"""The cyclic garbage collector is paused while a large file is read, and always restarted."""

import gc
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from forecasts import imports
from forecasts.models import ImportUpload
from regionbudget.core.gc_pause import collector_paused


@pytest.fixture
def collector_running():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_paused_inside_and_restarted_after(collector_running):
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled(), "the inner block does not restart it for the outer one"
    assert gc.isenabled()


def test_the_collector_is_restarted_when_the_block_fails(collector_running):
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("a bad file")
    assert gc.isenabled()


def test_a_collector_stopped_before_stays_stopped(collector_running):
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_the_last_of_two_threads_restarts_the_collector(collector_running):
    first_inside, second_inside, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def first():
        with collector_paused():
            first_inside.set()
            second_inside.wait(5)
        first_out.set()

    def second():
        first_inside.wait(5)
        with collector_paused():
            second_inside.set()
            first_out.wait(5)
            seen["after the first left"] = gc.isenabled()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == {"after the first left": False}
    assert gc.isenabled()


@pytest.mark.django_db
def test_an_uploaded_file_is_read_with_the_collector_paused(
    finance, monkeypatch, collector_running
):
    parse = imports.parse_figures
    states = []

    def parse_and_look(*args, **kwargs):
        states.append(gc.isenabled())
        return parse(*args, **kwargs)

    monkeypatch.setattr(imports, "parse_figures", parse_and_look)
    content = "Kostnadsställe;År;Kontogrupp;Belopp\n1101;2027;Personal;100\n"
    response = finance.post(
        reverse("forecasts:import_start"),
        {"kind": "budget", "file": SimpleUploadedFile("budget.csv", content.encode())},
    )
    assert response.status_code == 302
    assert states == [False]
    assert gc.isenabled()
    assert ImportUpload.objects.get().row_count == 1
