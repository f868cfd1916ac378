"""The gap dashboard's filter form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from regionbudget.core.forms import QuickSelect


class GapFilterForm(forms.Form):
    """The dashboard's filters; the choices are the user's own (plans, areas in scope)."""

    plan = forms.TypedChoiceField(label=_("Plan"), coerce=int, widget=QuickSelect)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, widget=QuickSelect)
    area = forms.TypedChoiceField(label=_("Area"), coerce=int, required=False, widget=QuickSelect)
    category = forms.ChoiceField(label=_("Category"), required=False, widget=QuickSelect)

    def __init__(self, data, *, plans, areas, categories, plan):
        super().__init__(data)
        # Each assignment sets the field's and its widget's choices (the page is drawn for
        # every request, with a choice per area in scope: a few hundred at a large region).
        self.fields["plan"].choices = [(p.pk, p.name) for p in plans]
        self.fields["area"].choices = [("", _("All areas"))] + [(a.pk, a.name) for a in areas]
        self.fields["year"].choices = [(y, y) for y in plan.years]
        self.fields["category"].choices = [("", _("All categories"))] + [(c, c) for c in categories]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"
