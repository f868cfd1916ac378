"""Every write to the measure register goes through these functions.

Amounts are SEK as ``Decimal``. A measure's ``version`` guards the measure and everything under
it (planned and realised effects, area shares): a write names the version it was based on and
fails with ``MeasureConflict`` when someone else has written in between, never overwriting
silently.

Every write names the acting ``user`` and is checked by ``regionbudget.core.access``, as the
forecast services are: finance and administrators keep the register (measures, planned effects,
area shares, categories, indicators, imports); an area director reports status and realised
effects of the measures their areas own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from forecasts.models import Forecast, ImportUpload, Plan
from forecasts.services import import_upload_discard, import_upload_stage
from measures.calculations import (
    DONE,
    HUNDRED,
    ONE_OFF,
    decision_missing,
    moves_to_decided,
    pro_rata_effects,
    shares_total,
)
from measures.imports import (
    REQUIRED_COLUMNS,
    MeasureImportRow,
    Planned,
    import_columns,
    row_from_json,
    row_to_json,
    validate_rows,
)
from measures.models import (
    CONSEQUENCE_FILE_MAX_BYTES,
    CONSEQUENCE_FILE_TYPES,
    AreaShare,
    Category,
    ConsequenceAnalysisFile,
    ForecastInclusion,
    Indicator,
    IndicatorValue,
    Measure,
    PlannedEffect,
    RealisedEffect,
)
from measures.selectors import area_lookup, category_lookup
from regionbudget.core import access
from regionbudget.core.locking import Conflict, update_versioned
from regionbudget.core.models import Area, Unit
from regionbudget.core.tabular import read_table

__all__ = [
    "AttachedFile",
    "ImportResult",
    "MeasureConflict",
    "MeasureImportRow",
    "area_shares_set",
    "category_upsert",
    "consequence_file_check",
    "forecast_inclusions_record",
    "indicator_add",
    "indicator_change",
    "indicator_upsert",
    "indicator_value_set",
    "measure_create",
    "measure_import",
    "measure_import_stage",
    "measure_import_write",
    "measure_report",
    "measure_update",
    "realised_effects_set",
]

# year -> (low, high), SEK
MEASURE_FIELDS = (
    "code",
    "title",
    "description",
    "category_id",
    "owner_area_id",
    "responsible",
    "status",
    "decision_reference",
    "start_date",
)


# The decision and the course of the effect, kept by finance on the measure's form.
LIFECYCLE_FIELDS = (
    "decision_body",
    "decision_date",
    "consequence_analysis",
    "effect_kind",
    "full_year_low",
    "full_year_high",
)

_DECISION_LABELS = {
    "decision_body": gettext_lazy("the deciding body"),
    "decision_reference": gettext_lazy("the decision reference"),
    "decision_date": gettext_lazy("the date"),
    "consequence_analysis": gettext_lazy("a consequence analysis"),
}


@dataclass(frozen=True)
class AttachedFile:
    """A file as uploaded: its name and its bytes."""

    name: str
    content: bytes


# What each accepted kind of file starts with: a PDF its header, Word and OpenDocument files are
# zip archives (and an OpenDocument text names its type first).
_ZIP = b"PK\x03\x04"


def _file_kind(name: str, content: bytes) -> str | None:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension == "pdf" and content.startswith(b"%PDF-"):
        return "pdf"
    if extension == "docx" and content.startswith(_ZIP) and b"word/" in content[:65536]:
        return "docx"
    if (
        extension == "odt"
        and content.startswith(_ZIP)
        and CONSEQUENCE_FILE_TYPES["odt"].encode("ascii") in content[:200]
    ):
        return "odt"
    return None


def _clean_file_name(name: str) -> str:
    """The last part of the name a browser sent, without control or direction characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    return base[-150:] or "konsekvensanalys"


def consequence_file_check(attached: AttachedFile) -> str:
    """The file's kind (``CONSEQUENCE_FILE_TYPES``) when it is a consequence analysis the app
    keeps: a PDF, Word (.docx) or OpenDocument text (.odt) file of at most 10 MB whose content
    is what its name says. ``ValidationError`` with the reason otherwise."""
    if not attached.content:
        raise ValidationError(_("The file is empty."))
    if len(attached.content) > CONSEQUENCE_FILE_MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s MB; a consequence analysis may be at most %(max)s MB.")
            % {
                "size": f"{len(attached.content) / 1e6:.1f}".replace(".", ","),
                "max": CONSEQUENCE_FILE_MAX_BYTES // 1_000_000,
            }
        )
    kind = _file_kind(attached.name, attached.content)
    if kind is None:
        raise ValidationError(
            _(
                "Attach the consequence analysis as a PDF, Word (.docx) or OpenDocument text "
                "(.odt) file; this file is not one."
            )
        )
    return kind


def _attach(measure: Measure, attached: AttachedFile, user) -> ConsequenceAnalysisFile:
    """Store ``attached`` as the measure's consequence analysis file, replacing one stored."""
    kind = consequence_file_check(attached)
    stored = ConsequenceAnalysisFile.objects.filter(measure=measure).first()
    stored = stored or ConsequenceAnalysisFile(measure=measure)
    stored.name = _clean_file_name(attached.name)
    stored.content_type = CONSEQUENCE_FILE_TYPES[kind]
    stored.size = len(attached.content)
    stored.sha256 = hashlib.sha256(attached.content).hexdigest()
    stored.data = attached.content
    stored.uploaded_by = user
    stored.save()
    return stored


def _has_file(measure: Measure) -> bool:
    return (
        measure.pk is not None
        and ConsequenceAnalysisFile.objects.filter(measure_id=measure.pk).exists()
    )


def _check_decision(measure: Measure, old_status: str | None, *, has_file: bool = False) -> None:
    """A measure moved to decided (or further) carries its whole decision: deciding body,
    reference, date and consequence analysis (as text, or a file: ``has_file``).
    ``ValidationError`` on ``status`` otherwise."""
    if not moves_to_decided(old_status, measure.status):
        return
    missing = decision_missing(
        body=measure.decision_body,
        reference=measure.decision_reference,
        date=measure.decision_date,
        consequence_analysis=measure.consequence_analysis
        or ("file" if has_file or _has_file(measure) else ""),
    )
    if missing:
        raise ValidationError(
            {
                "status": _(
                    "A measure can be marked decided only with its decision: the deciding "
                    "body, the decision reference, the date and a consequence analysis "
                    "(effects on patients, staff, access and equality). Missing: %(missing)s."
                )
                % {"missing": ", ".join(str(_DECISION_LABELS[name]) for name in missing)}
            }
        )


def _check_done(user, measure: Measure, old_status: str | None, realised: Decimal) -> None:
    """Only finance confirms a measure's effect (done), and only once realised effect has been
    recorded (``realised``: its total, SEK, this save's month included)."""
    if measure.status != DONE or old_status == DONE:
        return
    if not access.is_finance(user):
        raise ValidationError(
            {"status": _("Only finance confirms a measure's effect (marks it done).")}
        )
    if realised <= 0:
        raise ValidationError(
            {
                "status": _(
                    "Record the realised effect before confirming the measure's effect (done)."
                )
            }
        )


def _realised_total(measure: Measure, *, replacing: tuple[int, int] | None = None) -> Decimal:
    """The measure's realised effect recorded so far (SEK), the month ``replacing`` left out."""
    rows = RealisedEffect.objects.filter(measure=measure)
    if replacing is not None:
        rows = rows.exclude(year=replacing[0], month=replacing[1])
    return rows.aggregate(total=Sum("amount"))["total"] or Decimal(0)


def _effects_from_full_year(measure: Measure, planned: Planned | None) -> Planned | None:
    """With a full-year effect the planned effect per year is computed (pro rata in the first
    year, ``measures.calculations.pro_rata_effects``); without one the typed amounts stand."""
    low, high = measure.full_year_low, measure.full_year_high
    if low is None and high is None:
        return planned
    if low is None or high is None:
        raise ValidationError(
            {"full_year_high": _("Give both ends of the full-year effect, or neither.")}
        )
    if measure.start_date is None:
        raise ValidationError(
            {"start_date": _("A full-year effect needs a start date to be spread over the years.")}
        )
    return dict(
        pro_rata_effects(
            low=low,
            high=high,
            start=measure.start_date,
            years=measure.plan.years,
            recurring=measure.effect_kind != ONE_OFF,
        )
    )


class MeasureConflict(Conflict):
    """The measure changed since the user loaded it; ``current`` is the stored measure."""

    def __init__(self, current: Measure | None) -> None:
        super().__init__(current, "The measure was changed by someone else.")


def _require_manager(user) -> None:
    access.require_finance(user, _("Only finance staff may keep the measure register."))


def _require_reporter(user, measure: Measure) -> None:
    access.require(
        access.may_report_on(user, measure.owner_area_id),
        _("Only finance or the director of the owning area may report on this measure."),
    )


def _require_decimal(**amounts: Decimal | None) -> None:
    for name, value in amounts.items():
        if value is not None and not isinstance(value, Decimal):
            raise TypeError(f"{name} must be a Decimal (SEK)")


def _bump_version(measure: Measure, expected_version: int, **changes) -> None:
    """Write ``changes`` and raise the version, if the measure is still at ``expected_version``
    (``MeasureConflict`` with the stored measure otherwise)."""
    update_versioned(
        Measure.objects.select_related("category", "owner_area").filter(pk=measure.pk),
        expected_version=expected_version,
        conflict=MeasureConflict,
        **changes,
    )
    measure.version = expected_version + 1
    for name, value in changes.items():
        setattr(measure, name, value)


def _planned_objects(measure: Measure, planned: Planned) -> list[PlannedEffect]:
    """Validated planned effects; every bad year is reported at once."""
    objects, errors = [], {}
    for year, (low, high) in sorted(planned.items()):
        _require_decimal(low=low, high=high)
        effect = PlannedEffect(measure=measure, year=year, low=low, high=high)
        try:
            effect.full_clean(exclude=["measure"], validate_unique=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors[f"{name}_{year}"] = messages
        objects.append(effect)
    if errors:
        raise ValidationError(errors)
    return objects


def _planned_replace(measure: Measure, planned: Planned) -> None:
    """Make the measure's planned effects exactly ``planned``, writing only what changed."""
    wanted = {e.year: e for e in _planned_objects(measure, planned)}
    stored = {e.year: e for e in measure.planned_effects.all()}
    PlannedEffect.objects.filter(
        measure=measure, year__in=[y for y in stored if y not in wanted]
    ).delete()
    changed = [
        stored[y]
        for y, e in wanted.items()
        if y in stored and (stored[y].low, stored[y].high) != (e.low, e.high)
    ]
    for effect in changed:
        effect.low, effect.high = wanted[effect.year].low, wanted[effect.year].high
    if changed:
        PlannedEffect.objects.bulk_update(changed, ["low", "high"])
    PlannedEffect.objects.bulk_create([e for y, e in wanted.items() if y not in stored])


@transaction.atomic
def category_upsert(*, name: str, position: int = 0, user) -> Category:
    """Create the category ``name`` or bring its position up to date (finance)."""
    _require_manager(user)
    category = Category.objects.filter(name=name).first() or Category(name=name)
    if category.pk is None or category.position != position:
        category.position = position
        category.full_clean()
        category.save()
    return category


@transaction.atomic
def measure_create(
    *,
    plan: Plan,
    code: str,
    title: str,
    category: Category,
    owner_area: Area | None,
    status: str = Measure.Status.PROPOSED,
    description: str = "",
    responsible: str = "",
    decision_reference: str = "",
    start_date: dt.date | None = None,
    planned: Planned | None = None,
    user,
    consequence_file: AttachedFile | None = None,
    **lifecycle,
) -> Measure:
    """Create a measure with its planned effects (SEK per year of the plan); finance only.

    ``lifecycle``: the decision and the course of the effect (``LIFECYCLE_FIELDS``). A measure
    created as decided carries its decision (its consequence analysis as text or as
    ``consequence_file``); with a full-year effect the planned effects are computed from it."""
    _require_manager(user)
    measure = Measure(
        plan=plan,
        code=code,
        title=title,
        category=category,
        owner_area=owner_area,
        status=status,
        description=description,
        responsible=responsible,
        decision_reference=decision_reference,
        start_date=start_date,
        **{name: value for name, value in lifecycle.items() if name in LIFECYCLE_FIELDS},
    )
    measure.full_clean()
    if consequence_file is not None:
        consequence_file_check(consequence_file)
    _check_decision(measure, None, has_file=consequence_file is not None)
    _check_done(user, measure, None, Decimal(0))
    planned = _effects_from_full_year(measure, planned)
    planned_objects = _planned_objects(measure, planned or {})
    measure.save()
    for effect in planned_objects:
        effect.measure = measure
    PlannedEffect.objects.bulk_create(planned_objects)
    if consequence_file is not None:
        _attach(measure, consequence_file, user)
    return measure


@transaction.atomic
def measure_update(
    *,
    measure: Measure,
    expected_version: int,
    code: str,
    title: str,
    category: Category,
    owner_area: Area | None,
    status: str,
    description: str = "",
    responsible: str = "",
    decision_reference: str = "",
    start_date: dt.date | None = None,
    planned: Planned | None = None,
    user,
    consequence_file: AttachedFile | None = None,
    **lifecycle,
) -> Measure:
    """Change every field of a measure (finance) and replace its planned effects.

    Raises ``MeasureConflict`` if the measure is no longer at ``expected_version``. A measure that
    becomes owned by an area loses its area shares (they belong to region-wide measures only).
    Moving it to decided needs its decision, marking it done needs recorded realised effect; with
    a full-year effect its planned effects are computed from it (``lifecycle``: as for
    ``measure_create``).
    """
    _require_manager(user)
    candidate = Measure(
        pk=measure.pk,
        plan=measure.plan,
        code=code,
        title=title,
        category=category,
        owner_area=owner_area,
        status=status,
        description=description,
        responsible=responsible,
        decision_reference=decision_reference,
        start_date=start_date,
        version=measure.version,
        **{name: value for name, value in lifecycle.items() if name in LIFECYCLE_FIELDS},
    )
    candidate._state.adding = False  # an existing row: its own pk is not a duplicate
    candidate.full_clean()
    if consequence_file is not None:
        consequence_file_check(consequence_file)
    _check_decision(candidate, measure.status, has_file=consequence_file is not None)
    _check_done(user, candidate, measure.status, _realised_total(measure))
    planned = _effects_from_full_year(candidate, planned)
    _planned_objects(candidate, planned or {})  # validate before any write
    _bump_version(
        measure,
        expected_version,
        **{name: getattr(candidate, name) for name in (*MEASURE_FIELDS, *LIFECYCLE_FIELDS)},
    )
    measure.refresh_from_db()
    _planned_replace(measure, planned or {})
    if owner_area is not None:
        measure.area_shares.all().delete()
    if consequence_file is not None:
        _attach(measure, consequence_file, user)
    return measure


@transaction.atomic
def measure_report(
    *,
    measure: Measure,
    expected_version: int,
    status: str,
    year: int,
    month: int,
    amount: Decimal | None,
    comment: str,
    user,
    decision_body: str = "",
    decision_reference: str = "",
    decision_date: dt.date | None = None,
    consequence_analysis: str = "",
    consequence_file: AttachedFile | None = None,
) -> Measure:
    """The owner's report: the measure's status and the realised effect (SEK) of one month with
    a comment. ``amount`` None leaves the month's figure as it is (only the status changes).
    Finance on any measure, a director on their areas' measures.

    Moving the measure to decided needs its decision (what is given here, else what is stored);
    only finance marks it done, once realised effect is recorded."""
    _require_reporter(user, measure)
    _require_decimal(amount=amount)
    if status not in Measure.Status.values:
        raise ValidationError({"status": _("Choose a valid status.")})
    if year not in measure.plan.years:
        raise ValidationError(
            {
                "year": _("The year must lie within the plan, %(start)s–%(end)s.")
                % {"start": measure.plan.start_year, "end": measure.plan.end_year}
            }
        )
    if not 1 <= month <= 12:
        raise ValidationError({"month": _("Choose a month from 1 to 12.")})
    decision = {
        "decision_body": decision_body or measure.decision_body,
        "decision_reference": decision_reference.strip() or measure.decision_reference,
        "decision_date": decision_date or measure.decision_date,
        "consequence_analysis": consequence_analysis.strip() or measure.consequence_analysis,
    }
    old_status = measure.status
    candidate = Measure(pk=measure.pk, plan=measure.plan, status=status, **decision)
    if consequence_file is not None:
        consequence_file_check(consequence_file)
    _check_decision(candidate, old_status, has_file=consequence_file is not None)
    realised = _realised_total(measure, replacing=(year, month) if amount is not None else None)
    _check_done(user, candidate, old_status, realised + (amount or Decimal(0)))
    changes = {"status": status}
    if moves_to_decided(old_status, status):
        changes.update(decision)
    _bump_version(measure, expected_version, **changes)
    if amount is not None:
        effect = RealisedEffect.objects.filter(measure=measure, year=year, month=month).first()
        effect = effect or RealisedEffect(measure=measure, year=year, month=month)
        effect.amount, effect.comment, effect.recorded_by = amount, comment, user
        effect.full_clean(validate_unique=False)
        effect.save()
    if consequence_file is not None:
        _attach(measure, consequence_file, user)
    return measure


@transaction.atomic
def realised_effects_set(
    *,
    measure: Measure,
    expected_version: int,
    entries: list[tuple[int, int, Decimal, str]],
    user,
) -> int:
    """Set several months' realised effects at once: ``(year, month, amount SEK, comment)``.
    Months already stored are overwritten; returns how many rows were written. Finance on any
    measure, a director on their areas' measures."""
    _require_reporter(user, measure)
    objects = []
    for year, month, amount, comment in entries:
        _require_decimal(amount=amount)
        if year not in measure.plan.years:
            raise ValidationError({"year": _("The year must lie within the plan.")})
        if not 1 <= month <= 12:
            raise ValidationError({"month": _("Choose a month from 1 to 12.")})
        effect = RealisedEffect(
            measure=measure,
            year=year,
            month=month,
            amount=amount,
            comment=comment,
            recorded_by=user,
        )
        # Field checks only: the relations are given, and the database enforces the month and
        # the one-row-per-month rule (a query per row would make a year's upload slow).
        effect.full_clean(
            exclude=["measure", "recorded_by"], validate_unique=False, validate_constraints=False
        )
        objects.append(effect)
    _bump_version(measure, expected_version)
    RealisedEffect.objects.bulk_create(
        objects,
        update_conflicts=True,
        unique_fields=["measure", "year", "month"],
        update_fields=["amount", "comment", "recorded_by", "recorded_at"],
    )
    return len(objects)


@transaction.atomic
def area_shares_set(
    *, measure: Measure, expected_version: int, shares: dict[Area, Decimal], user
) -> list[AreaShare]:
    """Split a region-wide measure across areas (finance): shares in percent, each above 0 and
    at most 100, summing to exactly 100. An empty ``shares`` removes the split."""
    _require_manager(user)
    if measure.owner_area_id is not None:
        raise ValidationError(_("Only a region-wide measure can be split across areas."))
    for area, share in shares.items():
        _require_decimal(share=share)
        if not Decimal("0") < share <= HUNDRED:
            raise ValidationError(
                _("The share of %(area)s must be above 0 and at most 100 %%.") % {"area": area}
            )
    total = shares_total(shares.values())
    if shares and total != HUNDRED:
        raise ValidationError(
            _("The shares must sum to exactly 100 %%; they sum to %(total)s %%.")
            % {"total": f"{total.normalize():f}".replace(".", ",")}
        )
    _bump_version(measure, expected_version)
    stored = {s.area_id: s for s in measure.area_shares.all()}
    measure.area_shares.exclude(area__in=[a.pk for a in shares]).delete()
    changed, created = [], []
    for area, share in shares.items():
        if area.pk in stored:
            if stored[area.pk].share != share:
                stored[area.pk].share = share
                changed.append(stored[area.pk])
        else:
            created.append(AreaShare(measure=measure, area=area, share=share))
    if changed:
        AreaShare.objects.bulk_update(changed, ["share"])
    AreaShare.objects.bulk_create(created)
    return list(measure.area_shares.all())


@transaction.atomic
def indicator_upsert(
    *,
    measure: Measure,
    name: str,
    unit: str,
    baseline: Decimal | None = None,
    target: Decimal | None = None,
    direction: str = Indicator.Direction.DECREASE,
    position: int = 0,
    user,
) -> Indicator:
    """Create the indicator ``name`` of a measure or bring it up to date (values in ``unit``);
    finance, or the director of the measure's owning area."""
    _require_reporter(user, measure)
    _require_decimal(baseline=baseline, target=target)
    indicator = Indicator.objects.filter(measure=measure, name=name).first()
    values = {
        "unit": unit,
        "baseline": baseline,
        "target": target,
        "direction": direction,
        "position": position,
    }
    if indicator is not None and all(getattr(indicator, k) == v for k, v in values.items()):
        return indicator
    indicator = indicator or Indicator(measure=measure, name=name)
    for key, value in values.items():
        setattr(indicator, key, value)
    indicator.full_clean()
    indicator.save()
    return indicator


@transaction.atomic
def indicator_add(
    *,
    measure: Measure,
    name: str,
    unit: str,
    baseline: Decimal | None = None,
    target: Decimal | None = None,
    direction: str = Indicator.Direction.DECREASE,
    user,
) -> Indicator:
    """A new indicator of ``measure`` (finance, or the director of its owning area), after the
    measure's others; a name the measure already has is refused."""
    _require_reporter(user, measure)
    if measure.indicators.filter(name__iexact=name.strip()).exists():
        raise ValidationError({"name": _("The measure already has an indicator of this name.")})
    last = measure.indicators.order_by("-position").values_list("position", flat=True).first()
    return indicator_upsert(
        measure=measure,
        name=name.strip(),
        unit=unit,
        baseline=baseline,
        target=target,
        direction=direction,
        position=(last or 0) + 1,
        user=user,
    )


@transaction.atomic
def indicator_change(
    *,
    indicator: Indicator,
    name: str,
    unit: str,
    baseline: Decimal | None = None,
    target: Decimal | None = None,
    direction: str = Indicator.Direction.DECREASE,
    user,
) -> Indicator:
    """Change an indicator's name, unit, baseline, target or direction (finance, or the
    director of the measure's owning area); another indicator's name is refused."""
    _require_reporter(user, indicator.measure)
    _require_decimal(baseline=baseline, target=target)
    others = indicator.measure.indicators.exclude(pk=indicator.pk)
    if others.filter(name__iexact=name.strip()).exists():
        raise ValidationError({"name": _("The measure already has an indicator of this name.")})
    indicator.name, indicator.unit = name.strip(), unit
    indicator.baseline, indicator.target, indicator.direction = baseline, target, direction
    indicator.full_clean()
    indicator.save()
    return indicator


@transaction.atomic
def indicator_value_set(
    *,
    indicator: Indicator,
    year: int,
    month: int,
    actual: Decimal,
    unit: Unit | None = None,
    target_level: Decimal | None = None,
    user,
) -> IndicatorValue:
    """Set the actual value (and a unit's target level) of an indicator in one period: finance,
    or the director of the measure's owning area. The year must lie within the plan."""
    _require_reporter(user, indicator.measure)
    plan = indicator.measure.plan
    if year not in plan.years:
        raise ValidationError(
            {
                "year": _("The year must lie within the plan, %(start)s–%(end)s.")
                % {"start": plan.start_year, "end": plan.end_year}
            }
        )
    _require_decimal(actual=actual, target_level=target_level)
    value = IndicatorValue.objects.filter(
        indicator=indicator, year=year, month=month, unit=unit
    ).first()
    if value is not None and (value.actual, value.target_level) == (actual, target_level):
        return value
    value = value or IndicatorValue(indicator=indicator, year=year, month=month, unit=unit)
    value.actual, value.target_level = actual, target_level
    value.full_clean(validate_unique=False)
    value.save()
    return value


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def _import_changes(measure: Measure, row: MeasureImportRow) -> bool:
    fields_differ = any(getattr(measure, name) != getattr(row, name) for name in MEASURE_FIELDS)
    stored = {e.year: (e.low, e.high) for e in measure.planned_effects.all()}
    return fields_differ or stored != row.planned


@transaction.atomic
def measure_import(*, plan: Plan, rows: list[MeasureImportRow], user) -> ImportResult:
    """Write a validated action plan into ``plan`` (finance), all or nothing, in bulk.

    A code new to the plan creates a measure; a known code updates it (its planned effects become
    exactly the file's, and its version rises, so an edit open elsewhere meets a conflict); an
    identical row changes nothing. Rows are validated beforehand (``measures.imports``).
    """
    _require_manager(user)
    existing = {
        m.code: m
        for m in Measure.objects.select_for_update()
        .filter(plan=plan, code__in=[r.code for r in rows])
        .prefetch_related("planned_effects")
    }
    new_measures, changed, unchanged = [], [], 0
    for row in rows:
        measure = existing.get(row.code)
        if measure is None:
            new_measures.append(
                Measure(plan=plan, **{name: getattr(row, name) for name in MEASURE_FIELDS})
            )
        elif _import_changes(measure, row):
            for name in MEASURE_FIELDS:
                setattr(measure, name, getattr(row, name))
            measure.version = F("version") + 1
            changed.append(measure)
        else:
            unchanged += 1
    Measure.objects.bulk_create(new_measures)
    if changed:
        Measure.objects.bulk_update(changed, [*MEASURE_FIELDS, "version"])
        PlannedEffect.objects.filter(measure__in=changed).delete()
        AreaShare.objects.filter(measure__in=changed, measure__owner_area__isnull=False).delete()
    by_code = {m.code: m for m in [*new_measures, *changed]}
    PlannedEffect.objects.bulk_create(
        [
            PlannedEffect(measure=by_code[row.code], year=year, low=low, high=high)
            for row in rows
            if row.code in by_code
            for year, (low, high) in sorted(row.planned.items())
        ]
    )
    return ImportResult(created=len(new_measures), updated=len(changed), unchanged=unchanged)


def measure_import_stage(*, plan: Plan, file: BinaryIO, filename: str, user) -> ImportUpload:
    """Read and check an action plan for ``plan`` once, and keep the checked rows and every row
    error until the preview is confirmed (``measure_import_write``) or the upload expires.

    Raises ``TableFileError`` for a file that cannot be read at all: nothing is kept then.
    """
    _require_manager(user)
    columns = import_columns(plan.years)
    table = read_table(file, filename=filename, columns=columns, required=REQUIRED_COLUMNS)
    rows, errors = validate_rows(
        table,
        years=plan.years,
        categories=category_lookup(),
        areas=area_lookup(),
        columns=columns,
    )
    return import_upload_stage(
        kind=ImportUpload.Kind.ACTION_PLAN,
        plan=plan,
        filename=filename,
        rows=[row_to_json(row) for row in rows],
        errors=errors,
        row_count=len(table.rows),
        user=user,
    )


@transaction.atomic
def measure_import_write(*, upload: ImportUpload, user) -> ImportResult:
    """Write a staged action plan without errors into its plan and forget the upload, in one
    transaction: either the measures are stored and the upload is gone, or (say the connection
    is lost) neither, and the import can be saved again."""
    _require_manager(user)
    if upload.kind != ImportUpload.Kind.ACTION_PLAN or not upload.ok:
        raise ValueError("only a staged action plan without errors can be written")
    rows = [row_from_json(row) for row in upload.rows]
    result = measure_import(plan=upload.plan, rows=rows, user=user)
    import_upload_discard(upload=upload)
    return result


# The statuses whose effect an area's forecast counts when its round includes decided measures.
INCLUDED_STATUSES = (
    Measure.Status.DECIDED,
    Measure.Status.IN_PROGRESS,
    Measure.Status.DONE,
    Measure.Status.DELAYED,
)


def forecast_inclusions_record(*, forecast: Forecast, **_signal) -> int:
    """Record which measures an approved forecast counts (DESIGN.md, the outlook): when its
    round includes decided measures, every measure of the forecast's area (owned, or with a
    share in it) that is now decided, in progress, done or delayed, with that status; else none.

    Called inside the approving transaction (``forecasts.signals.forecast_approved``); the
    approval itself was checked by the forecast services. Returns the number recorded.
    """
    if not forecast.forecast_round.includes_decided_measures:
        return 0
    measures = (
        Measure.objects.filter(status__in=INCLUDED_STATUSES)
        .filter(Q(owner_area_id=forecast.area_id) | Q(area_shares__area_id=forecast.area_id))
        .distinct()
        .values_list("pk", "status")
    )
    created = ForecastInclusion.objects.bulk_create(
        [
            ForecastInclusion(forecast=forecast, measure_id=pk, status=status)
            for pk, status in measures
        ],
        ignore_conflicts=True,
    )
    return len(created)
