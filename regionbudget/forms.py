"""Forms of the region-wide pages."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from regionbudget.models import Meeting, StatusReport
from regionbudget.validators import guard_text_fields

__all__ = ["GapFilterForm", "MeetingForm", "StatusReportForm"]


class QuickSelect(forms.Select):
    """A select whose options are written in Python. Django's widget renders every option
    through two templates: for a list of a few hundred areas that is most of a cached page's
    time. Same markup, without optgroups."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if str(key) in chosen else "", label)  # noqa: S308
                for key, label in self.choices
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            options,
        )


class GapFilterForm(forms.Form):
    """The dashboard's filters; the choices are the user's own (plans, areas in scope)."""

    plan = forms.TypedChoiceField(label=_("Plan"), coerce=int)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    area = forms.TypedChoiceField(label=_("Area"), coerce=int, required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, data, *, plans, areas, categories, plan):
        super().__init__(data)
        self.fields["plan"].choices = [(p.pk, p.name) for p in plans]
        self.fields["area"].choices = [("", _("All areas"))] + [(a.pk, a.name) for a in areas]
        self.fields["year"].choices = [(y, y) for y in plan.years]
        self.fields["category"].choices = [("", _("All categories"))] + [(c, c) for c in categories]
        for field in self.fields.values():
            field.widget = QuickSelect(attrs={"class": "form-select"}, choices=field.choices)
            field.widget.is_required = field.required


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

    def clean(self):
        cleaned = super().clean()
        plan, year = cleaned.get("plan"), cleaned.get("year")
        if plan and year and year not in plan.years:
            self.add_error(
                "year",
                _("The year must lie within the plan, %(start)s–%(end)s.")
                % {"start": plan.start_year, "end": plan.end_year},
            )
        return cleaned
