"""Locust users of every role for the load test (``scripts/loadtest.py`` runs it headless).

Each simulated person logs in through the login form as one of the demo users and reads their
role's pages with a think time of 0.5–2 s, as people do: finance (dashboard, figures, measures,
rounds, reports, the ledger), two area directors (their area's page and forecast grid among
them), committee members (reports, the ledger) and an administrator. Requests are grouped by
page (``name=``), and every status code per page is written to ``LOADTEST_STATUS_FILE`` (JSON)
when the run ends, so that server errors (5xx) are counted apart from other failures. The users
are ``FastHttpUser``s (geventhttpclient): the load generator shares the machine with the server
and should take as little of it as it can.

    .venv/bin/locust -f scripts/locustfile.py --host http://127.0.0.1:8000 \
        --headless -u 150 -r 15 -t 180s
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict

from locust import FastHttpUser, between, events, task

PASSWORD = os.environ.get("LOADTEST_PASSWORD", "demo")
STATUSES: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))


@events.request.add_listener
def _count_status(request_type, name, response_time, response_length, response=None, **kw):
    status = getattr(response, "status_code", 0) or 0
    STATUSES[name][int(status)] += 1


@events.quitting.add_listener
def _write_statuses(environment, **kw):
    path = os.environ.get("LOADTEST_STATUS_FILE")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump({name: dict(codes) for name, codes in STATUSES.items()}, out)


class Person(FastHttpUser):
    """A signed-in user of the app; subclasses say who and which pages."""

    abstract = True
    wait_time = between(0.5, 2.0)
    username = ""

    def on_start(self) -> None:
        page = self.client.get("/accounts/login/", name="login page").text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        with self.client.post(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": token,
                "username": self.username,
                "password": PASSWORD,
                "next": "/",
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            allow_redirects=False,
            name="login",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login of {self.username}: {response.status_code}")
        home = self.client.get("/", name="home").text
        self.links = {
            "area": re.findall(r'href="(/forecasts/areas/\d+/)[^"]*"', home),
            "report": re.findall(r'href="(/reports/\d+/)"', home),
        }
        if not self.links["report"]:
            reports = self.client.get("/reports/", name="report list").text
            self.links["report"] = re.findall(r'href="(/reports/\d+/)"', reports)

    def _get(self, path: str, name: str) -> None:
        self.client.get(path, name=name)


class Finance(Person):
    weight = 3
    username = "ekonom"

    @task(3)
    def home(self):
        self._get("/", "home")

    @task(3)
    def dashboard(self):
        self._get("/gap/", "gap dashboard")

    @task(1)
    def figures(self):
        self._get("/gap/figures.json", "gap JSON")

    @task(2)
    def measures(self):
        self._get("/measures/", "measure list")

    @task(2)
    def rounds(self):
        self._get("/forecasts/rounds/", "forecast rounds")

    @task(1)
    def reports(self):
        self._get("/reports/", "report list")

    @task(1)
    def ledger(self):
        self._get("/balance/", "balance ledger")


class Director(Person):
    abstract = True

    @task(3)
    def home(self):
        self._get("/", "home")

    @task(2)
    def dashboard(self):
        self._get("/gap/", "gap dashboard")

    @task(2)
    def measures(self):
        self._get("/measures/", "measure list")

    @task(2)
    def area(self):
        for path in self.links["area"][:1]:
            self._get(path, "area page")

    @task(1)
    def rounds(self):
        self._get("/forecasts/rounds/", "forecast rounds")


class DirectorSomatik(Director):
    weight = 2
    username = "direktor.somatik"


class DirectorPsykiatri(Director):
    weight = 2
    username = "direktor.psykiatri"


class Committee(Person):
    weight = 4
    username = "ledamot"

    @task(2)
    def home(self):
        self._get("/", "home")

    @task(2)
    def reports(self):
        self._get("/reports/", "report list")

    @task(3)
    def report(self):
        path = self.links["report"][0] if self.links["report"] else "/reports/"
        self._get(path, "report")

    @task(1)
    def measures(self):
        self._get("/measures/", "measure list")

    @task(1)
    def ledger(self):
        self._get("/balance/", "balance ledger")


class Administrator(Person):
    weight = 1
    username = "admin"

    @task(2)
    def home(self):
        self._get("/", "home")

    @task(1)
    def dashboard(self):
        self._get("/gap/", "gap dashboard")

    @task(1)
    def administration(self):
        self._get("/admin/", "administration")
