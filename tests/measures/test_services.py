"""Writes to the register: validation, database constraints, versions, shares, import."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from measures.models import AreaShare, Category, Measure, PlannedEffect, RealisedEffect
from measures.services import (
    MeasureConflict,
    MeasureImportRow,
    area_shares_set,
    measure_create,
    measure_import,
    measure_report,
    measure_update,
    realised_effects_set,
)
from regionbudget.core.models import Area

pytestmark = pytest.mark.django_db
M = Decimal("1000000")


def _user(username: str = "ekonom"):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def _create(plan, **overrides):
    data = {
        "plan": plan,
        "code": "M99",
        "title": "Ny åtgärd",
        "category": Category.objects.get(name="Inköp"),
        "owner_area": Area.objects.get(code="LSO-SOM"),
        "planned": {2024: (1 * M, 2 * M)},
        "user": _user(),
    }
    return measure_create(**{**data, **overrides})


def test_it_creates_a_measure_with_its_planned_effects(plan):
    measure = _create(plan, planned={2024: (1 * M, 2 * M), 2025: (3 * M, 3 * M)})
    assert measure.version == 1
    assert list(measure.planned_effects.values_list("year", "low", "high")) == [
        (2024, 1 * M, 2 * M),
        (2025, 3 * M, 3 * M),
    ]


@pytest.mark.parametrize(
    ("planned", "field"),
    [
        ({2024: (2 * M, 1 * M)}, "high_2024"),
        ({2024: (-1 * M, 1 * M)}, "low_2024"),
        ({2030: (1 * M, 2 * M)}, "year_2030"),
    ],
)
def test_it_refuses_a_bad_planned_range_and_writes_nothing(plan, planned, field):
    with pytest.raises(ValidationError) as error:
        _create(plan, planned=planned)
    assert field in error.value.message_dict
    assert not Measure.objects.filter(code="M99").exists()


def test_the_database_itself_refuses_high_below_low_and_negative_effects(measure):
    m03 = measure("M03")
    with pytest.raises(IntegrityError), transaction.atomic():
        PlannedEffect.objects.filter(measure=m03, year=2024).update(low=20 * M)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlannedEffect.objects.filter(measure=m03, year=2024).update(low=-1, high=-1)


def test_a_code_is_unique_within_a_plan(plan):
    with pytest.raises(ValidationError) as error:
        _create(plan, code="M03")
    assert "__all__" in error.value.message_dict or "code" in error.value.message_dict


def test_a_report_records_status_and_realised_effect_and_raises_the_version(measure, demo):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="direktor.somatik")
    m03 = measure("M03")
    version = m03.version
    measure_report(
        measure=m03,
        expected_version=version,
        status=Measure.Status.DELAYED,
        year=2026,
        month=10,
        amount=Decimal("1500000"),
        comment="Försenad rekrytering",
        user=user,
    )
    m03.refresh_from_db()
    assert (m03.status, m03.version) == (Measure.Status.DELAYED, version + 1)
    effect = RealisedEffect.objects.get(measure=m03, year=2026, month=10)
    assert (effect.amount, effect.comment, effect.recorded_by) == (
        Decimal("1500000"),
        "Försenad rekrytering",
        user,
    )


def test_a_stale_version_is_a_conflict_and_changes_nothing(measure):
    m03 = measure("M03")
    stale = m03.version
    measure_report(
        measure=m03,
        expected_version=stale,
        status="done",
        year=2026,
        month=11,
        amount=Decimal("1"),
        comment="",
        user=_user(),
    )
    other = measure("M03")
    with pytest.raises(MeasureConflict) as conflict:
        measure_update(
            measure=other,
            expected_version=stale,
            code="M03",
            title="Överskriven",
            category=other.category,
            owner_area=other.owner_area,
            status="proposed",
            planned={},
            user=_user("admin"),
        )
    assert conflict.value.current.status == "done"
    other.refresh_from_db()
    assert other.title == "Produktions- och kapacitetsplanering"
    assert other.planned_effects.count() == 3


def test_shares_must_sum_to_exactly_100(measure):
    m01 = measure("M01")
    areas = {a.code: a for a in Area.objects.all()}
    with pytest.raises(ValidationError, match="99"):
        area_shares_set(
            measure=m01,
            expected_version=m01.version,
            shares={areas["LSO-SOM"]: Decimal("50"), areas["NSO-S"]: Decimal("49")},
            user=_user(),
        )
    assert AreaShare.objects.filter(measure=m01).count() == 8
    area_shares_set(
        measure=m01,
        expected_version=m01.version,
        shares={areas["LSO-SOM"]: Decimal("50.5"), areas["NSO-S"]: Decimal("49.5")},
        user=_user(),
    )
    assert dict(m01.area_shares.values_list("area__code", "share")) == {
        "LSO-SOM": Decimal("50.50"),
        "NSO-S": Decimal("49.50"),
    }


def test_only_a_region_wide_measure_can_be_split(measure):
    m03 = measure("M03")
    with pytest.raises(ValidationError):
        area_shares_set(
            measure=m03,
            expected_version=m03.version,
            shares={Area.objects.get(code="LSO-SOM"): Decimal("100")},
            user=_user(),
        )


def test_the_import_creates_updates_and_leaves_identical_rows_alone(plan, measure):
    inkop = Category.objects.get(name="Inköp").pk
    som = Area.objects.get(code="LSO-SOM").pk
    m03 = measure("M03")
    rows = [
        MeasureImportRow(
            code="M20",
            title="Ny",
            category_id=inkop,
            owner_area_id=som,
            status="proposed",
            planned={2025: (1 * M, 2 * M)},
        ),
        MeasureImportRow(
            code="M03",
            title="Nytt namn",
            category_id=m03.category_id,
            owner_area_id=som,
            status="in_progress",
            planned={2024: (15 * M, 17 * M)},
        ),
    ]
    result = measure_import(plan=plan, rows=rows, user=_user())
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    m03.refresh_from_db()
    assert m03.title == "Nytt namn"
    assert m03.planned_effects.count() == 1
    assert measure("M20").planned_effects.get().high == 2 * M
    again = measure_import(plan=plan, rows=rows, user=_user())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_only_finance_keeps_the_register_and_a_refusal_writes_nothing(plan, measure):
    m01, m03 = measure("M01"), measure("M03")
    for username in ("direktor.somatik", "ledamot"):
        someone = _user(username)
        with pytest.raises(PermissionDenied):
            _create(plan, user=someone)
        with pytest.raises(PermissionDenied):
            measure_update(
                measure=m03,
                expected_version=m03.version,
                code="M03",
                title="Överskriven",
                category=m03.category,
                owner_area=m03.owner_area,
                status=m03.status,
                planned={},
                user=someone,
            )
        with pytest.raises(PermissionDenied):
            area_shares_set(measure=m01, expected_version=m01.version, shares={}, user=someone)
        with pytest.raises(PermissionDenied):
            measure_import(plan=plan, rows=[], user=someone)
    assert not Measure.objects.filter(code="M99").exists()
    m03.refresh_from_db()
    assert (m03.title, m03.planned_effects.count()) == ("Produktions- och kapacitetsplanering", 3)
    assert AreaShare.objects.filter(measure=m01).count() == 8


@pytest.mark.parametrize(
    ("username", "code", "allowed"),
    [
        ("direktor.somatik", "M03", True),  # their own area's measure
        ("direktor.psykiatri", "M03", False),  # another area's
        ("direktor.somatik", "M01", False),  # region-wide: finance's
        ("ledamot", "M03", False),
        ("ekonom", "M01", True),
    ],
)
def test_a_director_reports_on_their_own_areas_measures_only(measure, username, code, allowed):
    m = measure(code)
    version = m.version

    def report():
        return realised_effects_set(
            measure=m,
            expected_version=version,
            entries=[(2026, 11, Decimal("1000"), "")],
            user=_user(username),
        )

    if allowed:
        assert report() == 1
    else:
        with pytest.raises(PermissionDenied):
            report()
        m.refresh_from_db()
        assert m.version == version
        assert not RealisedEffect.objects.filter(measure=m, year=2026, month=11).exists()


# --- the lifecycle: decisions, confirming the effect, full-year effects --------------------------

DECISION = {
    "decision_body": "committee",
    "decision_reference": "HSN 2023-12-19 § 12",
    "decision_date": dt.date(2023, 12, 19),
    "consequence_analysis": "Patienter: oförändrad tillgång. Personal: två tjänster färre.",
}


def test_deciding_a_measure_without_a_consequence_analysis_is_refused(plan):
    measure = _create(plan)
    with pytest.raises(ValidationError) as refused:
        measure_report(
            measure=measure,
            expected_version=measure.version,
            status="decided",
            year=2024,
            month=3,
            amount=None,
            comment="",
            user=_user(),
            **{**DECISION, "consequence_analysis": ""},
        )
    message = " ".join(refused.value.message_dict["status"])
    # Swedish, the default language: what is missing is named.
    assert "bara med sitt beslut" in message
    assert message.endswith("Saknas: en konsekvensanalys.")
    measure.refresh_from_db()
    assert (measure.status, measure.version, measure.decision_reference) == ("proposed", 1, "")


def test_a_measure_is_decided_with_its_whole_decision(plan):
    measure = _create(plan)
    measure_report(
        measure=measure,
        expected_version=measure.version,
        status="decided",
        year=2024,
        month=3,
        amount=None,
        comment="",
        user=_user("direktor.somatik"),
        **DECISION,
    )
    measure.refresh_from_db()
    assert measure.status == "decided"
    assert (measure.decision_body, measure.decision_reference) == (
        "committee",
        "HSN 2023-12-19 § 12",
    )
    assert measure.consequence_analysis.startswith("Patienter")


def test_creating_a_measure_as_decided_needs_its_decision(plan):
    with pytest.raises(ValidationError):
        _create(plan, status="decided")
    assert not Measure.objects.filter(plan=plan, code="M99").exists()
    assert _create(plan, status="decided", **DECISION).status == "decided"


def test_a_director_cannot_confirm_an_effect(plan, measure):
    m03 = measure("M03")  # owned by somatik, in progress, with realised effect
    before = m03.version
    with pytest.raises(ValidationError) as refused:
        measure_report(
            measure=m03,
            expected_version=m03.version,
            status="done",
            year=2024,
            month=5,
            amount=1 * M,
            comment="Klart",
            user=_user("direktor.somatik"),
        )
    assert "Bara ekonomi bekräftar" in " ".join(refused.value.message_dict["status"])
    m03.refresh_from_db()
    assert m03.status != "done" and m03.version == before
    assert not RealisedEffect.objects.filter(measure=m03, year=2024, month=5, comment="Klart")


def test_finance_confirms_an_effect_only_after_realised_effect_is_recorded(plan):
    measure = _create(plan, status="decided", **DECISION)
    report = {"year": 2024, "month": 4, "comment": "", "user": _user()}
    with pytest.raises(ValidationError) as refused:
        measure_report(measure=measure, expected_version=1, status="done", amount=None, **report)
    assert "Registrera det realiserade utfallet" in " ".join(refused.value.message_dict["status"])
    measure_report(measure=measure, expected_version=1, status="done", amount=2 * M, **report)
    measure.refresh_from_db()
    assert measure.status == "done"


def test_a_full_year_effect_from_september_gives_four_then_twelve(plan):
    # 12 mnkr a year from 1 September 2024, recurring: 4 in 2024, 12 in 2025 and 2026.
    measure = _create(
        plan,
        planned={},
        start_date=dt.date(2024, 9, 1),
        full_year_low=12 * M,
        full_year_high=12 * M,
    )
    assert list(measure.planned_effects.values_list("year", "low", "high")) == [
        (2024, 4 * M, 4 * M),
        (2025, 12 * M, 12 * M),
        (2026, 12 * M, 12 * M),
    ]


def test_a_one_off_effect_counts_only_in_its_year(plan):
    measure = _create(
        plan,
        planned={},
        start_date=dt.date(2025, 3, 1),
        effect_kind="one_off",
        full_year_low=5 * M,
        full_year_high=6 * M,
    )
    assert list(measure.planned_effects.values_list("year", "low", "high")) == [
        (2025, 5 * M, 6 * M)
    ]


def test_a_full_year_effect_needs_a_start_date(plan):
    with pytest.raises(ValidationError) as refused:
        _create(plan, planned={}, full_year_low=1 * M, full_year_high=1 * M)
    assert "start_date" in refused.value.message_dict


def test_existing_measures_keep_their_per_year_amounts(plan, measure):
    m01 = measure("M01")
    before = list(m01.planned_effects.values_list("year", "low", "high"))
    assert m01.full_year_low is None and m01.effect_kind == "recurring"
    measure_update(
        measure=m01,
        expected_version=m01.version,
        code=m01.code,
        title=m01.title,
        category=m01.category,
        owner_area=None,
        status=m01.status,
        planned={y: (lo, hi) for y, lo, hi in before},
        user=_user(),
    )
    assert list(m01.planned_effects.values_list("year", "low", "high")) == before
