"""URLs of the benchmark's gunicorn: the project's, plus a bare view to compare the pages with,
and the middleware that names the worker process in a response header.

The bare view renders a small template and runs ``SELECT 1``: what every page costs at least
(the middleware, a template, one round trip to the database). It exists only here, never in the
shipped application.
"""

import os

from django.db import connection
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from regionbudget.urls import urlpatterns as project_urlpatterns

_TEMPLATE = engines["django"].from_string(
    "<!doctype html><html lang=sv><title>Bar</title><main><h1>{{ value }}</h1></main></html>"
)


def worker_header(get_response):
    """``X-Bench-Worker: <pid>`` on every response: the benchmark's warm-up counts, per gunicorn
    worker, the responses it served, and waits until each worker serves the page warm."""
    pid = str(os.getpid())

    def middleware(request):
        response = get_response(request)
        response["X-Bench-Worker"] = pid
        return response

    return middleware


def bare(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        value = cursor.fetchone()[0]
    return HttpResponse(_TEMPLATE.render({"value": value}, request))


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *project_urlpatterns]
handler400 = "regionbudget.views.bad_request"
handler403 = "regionbudget.views.permission_denied"
handler404 = "regionbudget.views.page_not_found"
handler500 = "regionbudget.views.server_error"
