"""Forms of meetings and status reports."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from regionbudget.core.validators import guard_text_fields, limit_length
from regionbudget.reports.models import SUMMARY_MAX_LENGTH, Meeting, StatusReport


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["committee", "date", "title"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        guard_text_fields(self)


class StatusReportForm(forms.ModelForm):
    """Drafting a report: only these fields; status, snapshot and checksum are the services'."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = StatusReport
        fields = [
            "meeting",
            "plan",
            "year",
            "title",
            "summary",
            "highlighted",
            "corrects",
            "correction_note",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 6}),
            "correction_note": forms.Textarea(attrs={"rows": 3}),
            "highlighted": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, plans, measures, published, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans
        self.fields["highlighted"].queryset = measures
        self.fields["highlighted"].label_from_instance = lambda m: f"{m.code} {m.title}"
        # A measure not offered (another plan's, or none at all) is refused in words, not by id.
        self.fields["highlighted"].error_messages["invalid_choice"] = _(
            "Only the chosen plan's measures can be highlighted: choose among those shown."
        )
        limit_length(self.fields["summary"], SUMMARY_MAX_LENGTH)
        self.fields["corrects"].queryset = published
        self.fields["corrects"].required = False
        self.fields["corrects"].help_text = _(
            "Only for a correction: the published report it corrects."
        )
        if self.instance.pk:
            # A draft keeps its meeting, plan and what it corrects.
            for name in ("meeting", "plan", "corrects"):
                self.fields[name].disabled = True
            self.fields["version"].initial = self.instance.version
        guard_text_fields(self)

    def report_fields(self) -> dict:
        """The cleaned fields as ``services.report_create`` takes them (a new draft)."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def update_fields(self) -> dict:
        """The cleaned fields as ``services.report_update`` takes them, with the version the
        page showed (a draft keeps its meeting, plan and what it corrects)."""
        data = self.cleaned_data
        return {
            "expected_version": data.get("version") or 0,
            **{
                name: data[name]
                for name in ("title", "summary", "year", "highlighted", "correction_note")
            },
        }

    def clean(self):
        cleaned = super().clean()
        plan, year = cleaned.get("plan"), cleaned.get("year")
        if plan and year and year not in plan.years:
            self.add_error(
                "year",
                _("The year must lie within the plan, %(start)s–%(end)s.")
                % {"start": plan.start_year, "end": plan.end_year},
            )
        others = [m for m in cleaned.get("highlighted") or [] if plan and m.plan_id != plan.pk]
        if others:
            self.add_error(
                "highlighted",
                _("%(measures)s belong to another plan than the report's.")
                % {"measures": ", ".join(m.code for m in others)},
            )
        return cleaned
