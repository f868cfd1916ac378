"""Forms of the measure register: field-level checks only; rules across records are services'.

Amounts are typed in MSEK the Swedish way (``1 234,5``) and handed on in SEK.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from forecasts.models import Plan
from measures.models import (
    CONSEQUENCE_FILE_MAX_BYTES,
    DESCRIPTION_MAX_LENGTH,
    Category,
    Indicator,
    Measure,
)
from measures.services import AttachedFile, consequence_file_check
from regionbudget.core.forms import (
    MsekField,
    NumberField,
    PercentField,
    decimal_text,
    msek_text,
)
from regionbudget.core.models import Area
from regionbudget.core.validators import guard_text_fields, limit_length

__all__ = [
    "AreaSharesForm",
    "ConsequenceFileField",
    "IndicatorForm",
    "IndicatorValueForm",
    "MeasureForm",
    "MeasureImportForm",
    "MeasureReportForm",
    "decimal_text",
    "msek_text",
]


class ConsequenceFileField(forms.FileField):
    """A consequence analysis as a file (PDF, .docx, .odt, at most 10 MB), cleaned into an
    ``AttachedFile``; its kind and size are checked by ``services.consequence_file_check``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Consequence analysis as a file"))
        kwargs.setdefault(
            "help_text",
            _(
                "PDF, Word (.docx) or OpenDocument text (.odt), at most 10 MB; instead of or "
                "beside the text. A new file replaces the stored one. If the form comes back "
                "with a message, choose the file again."
            ),
        )
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.odt"}))
        super().__init__(required=False, **kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload:
            return None
        if upload.size > CONSEQUENCE_FILE_MAX_BYTES:
            raise ValidationError(
                _("The file is %(size)s MB; a consequence analysis may be at most %(max)s MB.")
                % {
                    "size": f"{upload.size / 1e6:.1f}".replace(".", ","),
                    "max": CONSEQUENCE_FILE_MAX_BYTES // 1_000_000,
                }
            )
        attached = AttachedFile(name=upload.name, content=upload.read())
        consequence_file_check(attached)
        return attached


class MeasureForm(forms.ModelForm):
    """Finance's form for a measure and its planned effect per year (MSEK, low–high), its
    decision, and optionally a full-year effect from which the per-year effect is computed."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    consequence_file = ConsequenceFileField()
    full_year_low = MsekField(label=_("Full-year effect, low (MSEK)"))
    full_year_high = MsekField(
        label=_("Full-year effect, high (MSEK)"),
        help_text=_(
            "With a full-year effect and a start date, the planned effect per year is computed: "
            "pro rata in the first year, then in full every year if recurring."
        ),
    )

    class Meta:
        model = Measure
        fields = [
            "code",
            "title",
            "description",
            "category",
            "owner_area",
            "responsible",
            "status",
            "decision_reference",
            "start_date",
            "decision_body",
            "decision_date",
            "consequence_analysis",
            "effect_kind",
            "full_year_low",
            "full_year_high",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "decision_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "consequence_analysis": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.instance.plan = plan
        self.years = list(plan.years)
        self.fields["category"].queryset = Category.objects.filter(is_active=True)
        self.fields["owner_area"].queryset = Area.objects.filter(is_active=True)
        self.fields["owner_area"].empty_label = _("Region-wide")
        limit_length(self.fields["description"], DESCRIPTION_MAX_LENGTH)
        stored = {}
        if self.instance.pk:
            stored = {e.year: e for e in self.instance.planned_effects.all()}
            self.fields["version"].initial = self.instance.version
            for name in ("full_year_low", "full_year_high"):
                self.initial[name] = msek_text(getattr(self.instance, name))
        # Measures saved before the lifecycle came in are recurring; a form without the field
        # (an older page) keeps that.
        self.fields["effect_kind"].required = False
        for year in self.years:
            effect = stored.get(year)
            self.fields[f"low_{year}"] = MsekField(
                label=_("%(year)s low (MSEK)") % {"year": year},
                initial=msek_text(effect.low) if effect else "",
            )
            self.fields[f"high_{year}"] = MsekField(
                label=_("%(year)s high (MSEK)") % {"year": year},
                initial=msek_text(effect.high) if effect else "",
            )
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
        guard_text_fields(self)

    def clean_effect_kind(self) -> str:
        return self.cleaned_data.get("effect_kind") or Measure.EffectKind.RECURRING

    @property
    def effect_rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [(y, self[f"low_{y}"], self[f"high_{y}"]) for y in self.years]

    def clean(self):
        cleaned = super().clean()
        planned = {}
        for year in self.years:
            low, high = cleaned.get(f"low_{year}"), cleaned.get(f"high_{year}")
            if f"low_{year}" in self.errors or f"high_{year}" in self.errors:
                continue
            if low is None and high is None:
                continue
            if low is None or high is None:
                self.add_error(
                    f"low_{year}" if low is None else f"high_{year}",
                    _("Give both the low and the high end, or neither."),
                )
            elif low < 0:
                self.add_error(f"low_{year}", _("The planned effect cannot be negative."))
            elif high < low:
                self.add_error(f"high_{year}", _("The high end cannot be below the low end."))
            else:
                planned[year] = (low, high)
        cleaned["planned"] = planned
        return cleaned


def _month_choices() -> list[tuple[int, str]]:
    """Months by their name in the user's language (januari …)."""
    return [(m, formats.date_format(dt.date(2000, m, 1), "F").capitalize()) for m in range(1, 13)]


class MeasureReportForm(forms.Form):
    """The owner's report: status, and a month's realised effect (MSEK) with a comment."""

    status = forms.ChoiceField(label=_("Status"), choices=Measure.Status.choices)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    month = forms.TypedChoiceField(label=_("Month"), coerce=int)
    amount = MsekField(
        label=_("Realised effect in the month (MSEK)"),
        help_text=_("Leave empty to change only the status."),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    # The decision, needed when the report moves the measure to decided.
    decision_body = forms.ChoiceField(
        label=_("Deciding body"),
        choices=[("", "–"), *Measure.DecisionBody.choices],
        required=False,
    )
    decision_reference = forms.CharField(
        label=_("Decision reference"),
        max_length=200,
        required=False,
        help_text=_("E.g. HSN 2023-12-19 § 12."),
    )
    decision_date = forms.DateField(
        label=_("Decision date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    consequence_analysis = forms.CharField(
        label=_("Consequence analysis"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Effects on patients, staff, access and equality."),
    )
    consequence_file = ConsequenceFileField()

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in plan.years]
        self.fields["month"].choices = _month_choices()
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
        guard_text_fields(self)

    def report_fields(self) -> dict:
        """The cleaned report as ``services.measure_report`` takes it (with the version seen)."""
        data = self.cleaned_data
        return {
            "expected_version": data["version"],
            **{name: data[name] for name in ("status", "year", "month", "amount", "comment")},
            **{
                name: data[name] or ("" if name != "decision_date" else None)
                for name in (
                    "decision_body",
                    "decision_reference",
                    "decision_date",
                    "consequence_analysis",
                )
            },
            "consequence_file": data.get("consequence_file"),
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("comment") and cleaned.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("A comment belongs to a month's figure: enter the amount."))
        return cleaned


class AreaSharesForm(forms.Form):
    """How a region-wide measure is split: a percentage per area (empty = no share)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, areas: list[Area], **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = areas
        for area in areas:
            self.fields[f"share_{area.pk}"] = PercentField(label=f"{area.name} ({area.code})")

    @property
    def share_fields(self) -> list[forms.BoundField]:
        return [self[f"share_{area.pk}"] for area in self.areas]

    def shares(self) -> dict[Area, Decimal]:
        return {
            area: self.cleaned_data[f"share_{area.pk}"]
            for area in self.areas
            if self.cleaned_data.get(f"share_{area.pk}") is not None
        }


class MeasureImportForm(forms.Form):
    """Upload of an action plan (Excel .xlsx or CSV) into a plan."""

    plan = forms.ModelChoiceField(label=_("Plan"), queryset=Plan.objects.all(), empty_label=None)
    file = forms.FileField(
        label=_("File (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv", "class": "form-control"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].widget.attrs["class"] = "form-select"


class IndicatorForm(forms.Form):
    """A new indicator of a measure: its name, unit, baseline, target and direction; the values
    are in the indicator's own unit (mnkr, årsarbetare, vårdtillfällen, %)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    unit = forms.CharField(
        label=_("Unit"), max_length=40, help_text=Indicator._meta.get_field("unit").help_text
    )
    baseline = NumberField(label=_("Baseline"))
    target = NumberField(label=_("Target"))
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=Indicator.Direction.choices,
        initial=Indicator.Direction.DECREASE,
    )

    def __init__(self, data=None, *, indicator: Indicator | None = None):
        initial = {}
        if indicator is not None:
            initial = {
                "name": indicator.name,
                "unit": indicator.unit,
                "baseline": decimal_text(indicator.baseline),
                "target": decimal_text(indicator.target),
                "direction": indicator.direction,
            }
        super().__init__(data, initial=initial)
        guard_text_fields(self)


class IndicatorValueForm(forms.Form):
    """An indicator's actual value in one month, for the whole measure or one unit (the 2025
    budget model's current state, *nuläge*, with the unit's target level, *målnivå*)."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    month = forms.TypedChoiceField(label=_("Month"), coerce=int)
    unit = forms.ModelChoiceField(
        label=_("Unit (cost centre)"),
        queryset=None,
        required=False,
        empty_label=_("The whole measure"),
    )
    actual = NumberField(label=_("Actual value (current state)"), required=True)
    target_level = NumberField(
        label=_("Target level"), help_text=_("Only for a unit: its target level (målnivå).")
    )

    def __init__(self, *args, plan: Plan, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in plan.years]
        self.fields["month"].choices = _month_choices()
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda u: f"{u.code} {u.name}"
