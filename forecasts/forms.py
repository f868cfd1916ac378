"""Forms of the forecast pages: field-level checks only; rules across records are the services'.

Every form lists its fields explicitly, so extra POST fields (``status``, ``area``,
``approved_by`` …) are never read. Amounts in the grid and the round form are typed in thousands
of kronor (tkr), the Swedish way (``1 234,5``, ``−500``), and become SEK here.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from forecasts.calculations import cell_key
from forecasts.models import (
    BASELINE_FIRST_YEAR,
    PLAN_FIRST_YEAR,
    PLAN_LAST_YEAR,
    ForecastRound,
    ImportUpload,
    Plan,
)
from forecasts.selectors import Entry
from forecasts.services.plans import target_field
from forecasts.services.workflow import LineInput
from regionbudget.core.formatting import amount_input_text, parse_amount
from regionbudget.core.forms import MsekField, msek_text
from regionbudget.core.money import MAX_SEK, MAX_TKR_PLACES, THOUSAND
from regionbudget.core.validators import guard_text_fields, reject_direction_controls

__all__ = [
    "ApproveForm",
    "ForecastGridForm",
    "ForecastUploadForm",
    "ImportConfirmForm",
    "ImportUploadForm",
    "OutsideBudgetsForm",
    "PlanForm",
    "PlanTargetsForm",
    "ReturnForm",
    "RoundForm",
    "amount_input_text",
]


def parse_tkr(text: str) -> Decimal:
    """Typed thousands of kronor → SEK; ``ValueError`` with a message for the user."""
    tkr = parse_amount(text)
    if -tkr.as_tuple().exponent > MAX_TKR_PLACES:
        raise ValueError(_("Use at most five decimals: amounts are in thousands of kronor."))
    return tkr * THOUSAND


class ForecastGridForm(forms.Form):
    """The grid: one amount (tkr) and one comment per unit and account group, and the version
    of the forecast the page showed. Only the cells of the area's own grid are fields."""

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[("save", _("Save draft")), ("submit", _("Submit"))])

    def __init__(self, *args, cells: list[tuple[int, int]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.cells = cells
        for cell in cells:
            self.fields[cell_key("line", cell)] = forms.CharField(required=False, max_length=60)
            self.fields[cell_key("comment", cell)] = forms.CharField(
                required=False, max_length=2000
            )
        self._amounts: dict[tuple[int, int], Decimal | None] = {}
        guard_text_fields(self)

    def clean(self) -> dict:
        data = super().clean()
        for cell in self.cells:
            name = cell_key("line", cell)
            text = data.get(name) or ""
            amount = None
            if not text.strip():
                self.add_error(name, _("Enter an amount."))
            else:
                try:
                    amount = parse_tkr(text)
                except ValueError as exc:
                    self.add_error(name, str(exc))
            self._amounts[cell] = amount
        return data

    def entries(self) -> dict[tuple[int, int], Entry]:
        """What was typed in every cell (text kept as typed) and its SEK amount if it parsed."""
        entries = {}
        for cell in self.cells:
            text = self.data.get(cell_key("line", cell), "")
            comment = self.data.get(cell_key("comment", cell), "")
            amount = self._amounts.get(cell)
            if amount is None and not hasattr(self, "cleaned_data"):
                try:
                    amount = parse_tkr(text)
                except ValueError:
                    amount = None
            entries[cell] = Entry(str(text)[:60], str(comment)[:2000], amount)
        return entries

    def lines(self) -> dict[tuple[int, int], LineInput]:
        """The valid form's lines for the services (SEK)."""
        return {
            cell: LineInput(
                amount=self._amounts[cell],
                comment=self.cleaned_data.get(cell_key("comment", cell), ""),
            )
            for cell in self.cells
        }

    def field_errors(self) -> dict[str, str]:
        return {name: str(errors[0]) for name, errors in self.errors.items() if name != "__all__"}


class ForecastUploadForm(forms.Form):
    """A filled-in grid file (.xlsx, as downloaded from the grid) to show in the grid."""

    file = forms.FileField(
        label=_("Filled-in grid file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


class RoundForm(forms.Form):
    """Opening a forecast round of the region: year and month, deadline, threshold, measures
    flag. Every plan covering the year reads the round."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(label=_("After month"), choices=list(MONTHS.items()), coerce=int)
    deadline = forms.DateField(
        label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    comment_threshold = forms.CharField(
        label=_("Comment threshold (tkr)"),
        initial="500",
        help_text=_("A line whose deviation from budget is larger than this needs a comment."),
    )
    includes_decided_measures = forms.BooleanField(
        label=_("The forecasts include the effect of decided measures"),
        required=False,
        initial=True,
        help_text=ForecastRound._meta.get_field("includes_decided_measures").help_text,
    )

    def clean_comment_threshold(self) -> Decimal:
        try:
            amount = parse_tkr(self.cleaned_data["comment_threshold"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        if amount < 0:
            raise forms.ValidationError(_("The threshold cannot be negative."))
        if amount >= MAX_SEK:  # more than the amount field holds
            raise forms.ValidationError(_("The number is too large."))
        return amount


class ApproveForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class ReturnForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("What should the area fix?"),
        max_length=2000,
        validators=[reject_direction_controls],
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"),
        # An action plan is imported on the measures' pages.
        choices=[
            (kind.value, kind.label)
            for kind in (ImportUpload.Kind.BUDGET, ImportUpload.Kind.ACTUAL)
        ],
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("File (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
    )


class ImportConfirmForm(forms.Form):
    replace = forms.BooleanField(
        label=_("Yes, replace the existing figures of these periods"), required=False
    )


class OutsideBudgetsForm(forms.Form):
    """The reduction outside the area budgets of each year of a plan, typed in mnkr; an empty
    field means none (0). Years outside the plan have no field and are never read."""

    def __init__(self, data=None, *, plan: Plan, stored: dict[int, Decimal], language: str = "sv"):
        super().__init__(data)
        self.plan = plan
        for year in plan.years:
            self.fields[f"amount_{year}"] = MsekField(
                label=_("%(year)s (mnkr)") % {"year": year},
                initial=msek_text(stored.get(year), language),
            )

    def amounts(self) -> dict[int, Decimal | None]:
        """Year -> SEK (None where the field was left empty) from a valid form."""
        return {year: self.cleaned_data.get(f"amount_{year}") for year in self.plan.years}


class PlanForm(forms.Form):
    """A plan's name, scope, years and status. The years are checked by the model (2000–2100,
    at most ten years, first ≤ last, baseline before the first) through the service."""

    name = forms.CharField(label=_("Name"), max_length=200)
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        help_text=Plan._meta.get_field("organisation").help_text,
    )
    baseline_year = forms.IntegerField(
        label=_("Baseline year"),
        help_text=Plan._meta.get_field("baseline_year").help_text,
    )
    start_year = forms.IntegerField(label=_("First year"))
    end_year = forms.IntegerField(
        label=_("Last year"), help_text=_("From 2000 to 2100; a plan runs at most ten years.")
    )
    status = forms.ChoiceField(label=_("Status"), choices=Plan.Status.choices)
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        required=False,
        help_text=Plan._meta.get_field("source").help_text,
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=5000, widget=forms.Textarea
    )

    def __init__(self, *args, plan: Plan | None = None, **kwargs) -> None:
        if plan is not None and not args:
            kwargs.setdefault("initial", {name: getattr(plan, name) for name in self.base_fields})
        super().__init__(*args, **kwargs)
        for name in ("baseline_year", "start_year", "end_year"):
            # a plain number: Django's own bounds would be in the browser's language, not ours
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "class": "year-input"})
        guard_text_fields(self)

    def _year(self, name: str, first: int) -> int:
        year = self.cleaned_data[name]
        if not first <= year <= PLAN_LAST_YEAR:
            raise forms.ValidationError(
                _("Enter a year from %(first)s to %(last)s.")
                % {"first": first, "last": PLAN_LAST_YEAR}
            )
        return year

    def clean_baseline_year(self) -> int:
        return self._year("baseline_year", BASELINE_FIRST_YEAR)

    def clean_start_year(self) -> int:
        return self._year("start_year", PLAN_FIRST_YEAR)

    def clean_end_year(self) -> int:
        return self._year("end_year", PLAN_FIRST_YEAR)


class PlanTargetsForm(forms.Form):
    """The deficit targets of a plan as a grid: one field per year of the plan and per area (and
    one per year for the whole plan), in mnkr; an empty field means no target. Only the plan's
    years and the listed areas are fields: anything else posted is never read."""

    def __init__(
        self,
        data=None,
        *,
        plan: Plan,
        areas: list,
        stored: dict[tuple[int, int | None], Decimal],
        language: str = "sv",
    ) -> None:
        super().__init__(data)
        self.plan, self.areas = plan, areas
        scopes = [(None, _("Whole plan"))] + [(area.pk, area.name) for area in areas]
        for year in plan.years:
            for area_id, label in scopes:
                self.fields[target_field(year, area_id)] = MsekField(
                    label=_("%(scope)s, %(year)s (mnkr)") % {"scope": label, "year": year},
                    initial=msek_text(stored.get((year, area_id)), language),
                )
        self.rows = [
            {"label": label, "fields": [self[target_field(year, area_id)] for year in plan.years]}
            for area_id, label in scopes
        ]

    def amounts(self) -> dict[tuple[int, int | None], Decimal | None]:
        """(year, area id or None) -> SEK, None where the field was left empty."""
        keys = [(year, None) for year in self.plan.years]
        keys += [(year, area.pk) for area in self.areas for year in self.plan.years]
        return {key: self.cleaned_data.get(target_field(*key)) for key in keys}
