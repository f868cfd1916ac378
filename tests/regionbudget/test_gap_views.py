"""The gap dashboard and its JSON/CSV exports, per role, with the seed case's figures."""

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Value
from django.db.models.functions import Concat
from django.urls import reverse

from forecasts.models import AccountGroup, Budget, Plan
from forecasts.services import plan_upsert, round_open
from measures.models import Measure
from regionbudget.core.caching import data_version
from regionbudget.core.formatting import NBSP
from regionbudget.core.models import Area, Unit
from regionbudget.gap.selectors import GapFilters, gap_data

pytestmark = pytest.mark.django_db

M = Decimal("1000000")


def _plan() -> Plan:
    return Plan.objects.get(name="Ekonomi i balans 2024–2026")


def _json(client, **params) -> dict:
    response = client.get(reverse("gap_data_json"), {"plan": _plan().pk, **params})
    assert response.status_code == 200
    return json.loads(response.content)


def _year(data: dict, year: int) -> dict:
    return next(row for row in data["by_year"] if row["year"] == year)


def test_finance_reads_the_seed_gap_2024(finance):
    response = finance.get(reverse("gap_dashboard"), {"plan": _plan().pk, "year": 2024})
    text = response.content.decode()
    assert response.status_code == 200
    assert f"2024: 132–149{NBSP}mnkr saknas" in text
    assert f"175–192{NBSP}mnkr" in text
    assert f"719–831{NBSP}mnkr" in text  # 2026 planned
    assert "Gapbrygga 2024" in text


def test_the_json_export_gives_the_seed_figures_in_kronor(finance):
    data = _json(finance, year=2024)
    y2024, y2026 = _year(data, 2024), _year(data, 2026)
    assert data["unit"] == "SEK"
    assert (y2024["required"], y2024["planned_low"], y2024["planned_high"]) == (
        "324000000.00",
        "175000000.00",
        "192000000.00",
    )
    assert (y2024["uncovered_low"], y2024["uncovered_high"]) == ("132000000.00", "149000000.00")
    assert (y2026["planned_low"], y2026["planned_high"]) == ("719000000.00", "831000000.00")
    assert y2024["probability"] == "0.000"  # even every high end falls short of 324


def test_the_csv_export_has_the_same_figures(finance):
    response = finance.get(reverse("gap_data_csv"), {"plan": _plan().pk})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    row = next(r for r in rows if r["year"] == "2024")
    assert (row["uncovered_low"], row["uncovered_high"]) == ("132000000.00", "149000000.00")


def test_a_cancelled_measure_leaves_the_dashboard_at_once(finance):
    """The figures are cached by the first request; a measure cancelled in plain SQL (no
    application code runs: only the database knows) leaves the next request's figures at once."""

    def planned_2024() -> tuple[str, str]:
        y2024 = _year(_json(finance, year=2024), 2024)
        return y2024["planned_low"], y2024["planned_high"]

    assert planned_2024() == ("175000000.00", "192000000.00")
    assert planned_2024() == ("175000000.00", "192000000.00")  # from the cache
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE measures_measure SET status = 'cancelled' WHERE id = %s",
            [Measure.objects.get(plan=_plan(), code="M02").pk],
        )
    # 175 − 60 = 115 and 192 − 62 = 130: the cache was invalidated by the write
    assert planned_2024() == ("115000000.00", "130000000.00")


def _area_budgets(user, plan, year: int) -> dict[str, Decimal]:
    """The budget per area behind the dashboard's forecast deviations (as cached for the page),
    at the year's latest round."""
    data = gap_data(user=user, filters=GapFilters(plan=plan, year=year))
    latest = data.deviations[data.deviations["month"] == data.deviations["month"].max()]
    return dict(zip(latest["area_code"], latest["budget"], strict=True))


def test_moving_a_unit_to_another_area_moves_its_budget_on_the_dashboard_at_once(finance):
    user = get_user_model().objects.get(username="ekonom")
    unit = Unit.objects.filter(area__code="LSO-SOM", budgets__year=2024).distinct().first()
    group = AccountGroup.objects.get(code="PERS")
    # 2027 (after the demo's years) has a round but no approved forecast yet: its deviations
    # use today's budget.
    later = plan_upsert(
        name="Plan 2027", organisation="HS", baseline_year=2026, start_year=2027, end_year=2027
    )
    Budget.objects.create(unit=unit, year=2027, account_group=group, amount=Decimal("1000"))
    round_open(year=2027, month=2, deadline=dt.date(2099, 3, 10), user=user)
    before, before_2024 = _area_budgets(user, later, 2027), _area_budgets(user, _plan(), 2024)
    version = data_version("regionbudget_unit")
    Unit.objects.filter(pk=unit.pk).update(area=Area.objects.get(code="LSO-PSY"))
    assert data_version("regionbudget_unit") != version, "the unit table's trigger raised it"
    after = _area_budgets(user, later, 2027)
    assert after["LSO-SOM"] == before["LSO-SOM"] - Decimal("1000")
    assert after["LSO-PSY"] == before["LSO-PSY"] + Decimal("1000")
    # The 2024 forecasts are approved: they keep the budgets they were approved against.
    assert _area_budgets(user, _plan(), 2024) == before_2024


def test_the_counter_rises_once_per_statement_however_many_rows_it_writes(finance):
    def next_version() -> int:  # the number the next raise of any version takes
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval('regionbudget_dataversion_seq')")
            return cursor.fetchone()[0] + 1

    start = next_version()
    assert Unit.objects.update(name=Concat("name", Value(" "))) > 1
    assert data_version("regionbudget_unit") == start, "one raise for the whole statement"
    assert next_version() == start + 2
    Measure.objects.filter(code="M02").update(status="cancelled")
    assert data_version("measures_measure") == start + 2


def test_a_director_sees_their_own_areas_slice(director_own):
    data = _json(director_own, year=2024)
    assert data["areas_in_scope"] == ["LSO-SOM"]
    y2024 = _year(data, 2024)
    # somatik owns M02 60–62, M03 15–17, M08 10–11, and 45 % of M01 (25–28) = 11.25–12.6
    assert y2024["planned_low"] == "96250000.00"
    assert y2024["planned_high"] == "102600000.00"
    # against somatik's own target of 120.9 MSEK
    assert y2024["required"] == "120900000.00"
    assert [row["area"] for row in data["by_area"]] == ["LSO-SOM"]


def test_a_director_gets_404_for_another_areas_slice(director_own):
    psykiatri = Area.objects.get(code="LSO-PSY")
    for name in ("gap_dashboard", "gap_data_json", "gap_data_csv"):
        response = director_own.get(reverse(name), {"area": psykiatri.pk})
        assert response.status_code == 404


def test_finance_drills_down_into_an_area(finance):
    somatik = Area.objects.get(code="LSO-SOM")
    response = finance.get(reverse("gap_dashboard"), {"area": somatik.pk, "year": 2024})
    text = response.content.decode()
    assert "Länssjukvårdsområde somatik" in text
    assert "Utfasning av hyrpersonal" in text  # M02, owned by somatik
    assert "Närvårdsteam" not in text  # M04 belongs to NSO-N


def test_a_category_filter_shows_only_that_category(finance):
    data = _json(finance, year=2024, category="Bemanning")
    y2024 = _year(data, 2024)
    # M02 60–62 + M10 5–6
    assert (y2024["planned_low"], y2024["planned_high"]) == ("65000000.00", "68000000.00")
    assert y2024["required"] is None, "the requirement is not divided by category"


def test_the_dashboard_query_count_does_not_grow_with_the_data(
    finance, django_assert_max_num_queries
):
    from regionbudget.core.caching import clear_cache

    url = reverse("gap_dashboard")
    clear_cache()
    # The balance requirement's flags join the current year (2026) by the forecasts: its
    # outlook's queries come on top of those of the year shown.
    with django_assert_max_num_queries(42) as cold:
        finance.get(url, {"year": 2024})
    cold_count = len(cold.captured_queries)
    # more measures: the same number of queries
    plan = _plan()
    template = Measure.objects.get(code="M04")
    for i in range(15):
        Measure.objects.create(
            plan=plan,
            code=f"X{i:02}",
            title=f"Extra {i}",
            category=template.category,
            owner_area=template.owner_area,
            status="proposed",
        )
    clear_cache()
    with django_assert_max_num_queries(cold_count) as again:
        finance.get(url, {"year": 2024})
    assert len(again.captured_queries) == cold_count
    # cached: only session, user, groups, the filters' choices, the scope and the data version
    with django_assert_max_num_queries(8):
        finance.get(url, {"year": 2024})


EVIL = '<a href="https://evil.example/">Klicka</a>'


def _strings(value):
    """Every string in a figure's JSON, however deep."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_names_with_markup_are_drawn_as_typed_never_as_links(finance):
    """Plotly reads HTML in names: an area's or category's name with <a href=…> must not become
    a live link in any chart."""
    import re

    from measures.models import Category
    from regionbudget.core.models import Area

    Category.objects.filter(pk=Category.objects.order_by("pk").first().pk).update(name=EVIL)
    Area.objects.filter(code="LSO-SOM").update(name=EVIL)
    body = finance.get("/gap/?year=2024").content.decode()
    charts = dict(
        re.findall(r'<script id="(chart-[a-z]+)" type="application/json">(.*?)</script>', body)
    )
    assert {"chart-bridge", "chart-areas", "chart-categories"} <= set(charts)
    texts = [t for raw in charts.values() for t in _strings(json.loads(raw))]
    assert not [t for t in texts if "<a" in t], "a name reached plotly unescaped"
    escaped = '&lt;a href="https://evil.example/"&gt;Klicka&lt;/a&gt;'
    assert escaped in texts  # drawn as typed


def test_the_cache_keeps_a_chosen_area_apart_from_a_directors_own_view(finance, director_own):
    """Finance choosing somatik and somatik's director without a choice see the same figures,
    but not the same page: finance's links carry area=, the director's must not."""
    import re

    from regionbudget.core.caching import clear_cache
    from regionbudget.core.models import Area

    def page(client, query):
        body = client.get(f"/gap/?{query}").content.decode()
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)

    somatik = Area.objects.get(code="LSO-SOM")
    alone = page(director_own, "year=2024")
    clear_cache()
    page(finance, f"year=2024&area={somatik.pk}")  # cached first, with its area= links
    assert page(director_own, "year=2024") == alone


def _year_box(text: str) -> list[str]:
    """The selected options of the dashboard's year box."""
    import re

    select = re.search(r'<select name="year".*?</select>', text, re.S).group(0)
    return re.findall(r'<option value="(\d+)" selected>', select)


def _figures_year(text: str) -> set[str]:
    import re

    """The year of the figures drawn: the outlook's headline, or the note that it has none."""
    return set(re.findall(r"(?:Utsikt |Ingen godkänd prognos för )(\d{4})", text))


def test_the_year_box_always_shows_the_year_of_the_figures(finance):
    """Without a year in the address the page draws the default year, and the box says so;
    choosing an area then sends that year along and keeps it. A year the plan does not cover
    falls back to the default, in the box too."""
    from measures.selectors import default_year

    shown = str(default_year(_plan()))
    text = finance.get(reverse("gap_dashboard")).content.decode()
    assert _figures_year(text) == {shown}
    assert _year_box(text) == [shown]

    # The form sends every field: choosing an area sends the year the box shows.
    somatik = Area.objects.get(code="LSO-SOM")
    text = finance.get(
        reverse("gap_dashboard"), {"area": somatik.pk, "year": _year_box(text)[0]}
    ).content.decode()
    assert _figures_year(text) == {shown}
    assert _year_box(text) == [shown]

    for year in ("2024", "2025"):
        text = finance.get(reverse("gap_dashboard"), {"year": year}).content.decode()
        assert (_figures_year(text), _year_box(text)) == ({year}, [year])
    text = finance.get(reverse("gap_dashboard"), {"year": "2031"}).content.decode()
    assert (_figures_year(text), _year_box(text)) == ({shown}, [shown])


def _chart(text: str, name: str) -> dict:
    start = text.index(f'<script id="{name}" type="application/json">') + len(
        f'<script id="{name}" type="application/json">'
    )
    return json.loads(text[start : text.index("</script>", start)])


def test_the_deviation_chart_shows_the_total_and_few_areas_and_offers_the_rest(finance):
    text = finance.get(reverse("gap_dashboard"), {"plan": _plan().pk, "year": 2024}).content
    text = text.decode()
    figure = _chart(text, "chart-deviation")
    names = [trace["name"] for trace in figure["data"]]
    assert names[0] == "Alla områden" and len(names) <= 6
    picker = _chart(text, "chart-deviation-areas")
    offered = [trace["name"] for trace in picker["traces"]]
    # Every area of the deviation table is in the chart or in the picker, once.
    table = text[
        text.index('id="deviation-table"') : text.index(
            "</table>", text.index('id="deviation-table"')
        )
    ]
    areas = [row.split("</th>")[0] for row in table.split('<th scope="row">')[1:]]
    assert sorted([*names[1:], *offered]) == sorted(a for a in areas if a != "Alla områden")
    assert '<select id="deviation-area"' in text
