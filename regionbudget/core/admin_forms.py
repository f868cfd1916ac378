"""Form pieces of the administration that turn bad input into form errors, never a 500.

``FINITE_DECIMALS`` (a ``formfield_overrides``): Django's decimal form field reads ``sNaN`` as a
number and its change check then compares with it, which raises (a server error); here any value
that is not a finite number is refused as "Fyll i ett tal.".

``SafeAutocompleteMixin`` (for an admin with ``autocomplete_fields``): Django's autocomplete
widget looks the submitted choice up to show it again, and a value that is no id (``:``) raised
a server error there; here such a value is shown as no choice, and the form says it is invalid.

``ConditionalUniqueInlineFormSet``: an inline formset that refuses rows breaking a conditional
unique constraint. Django's formsets check unique fields and plain unique constraints across
their rows, but not a ``UniqueConstraint`` with a ``condition`` (e.g. one plan-wide deficit
target per year, where ``area`` is empty, and one per area and year otherwise). Two such rows in
one save reached the database and failed there as a server error. Here the rows a constraint
applies to (those sent, and the stored ones the page did not send) are compared on its fields
and duplicates are refused with Django's own duplicate message. A stored row the page did not
send (its id was lost) is compared under plain unique constraints too. Conditions made of
``field__isnull`` tests are understood; a constraint with any other condition is left to the
database, as before.
"""

from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, UniqueConstraint
from django.forms.models import BaseInlineFormSet

__all__ = [
    "FINITE_DECIMALS",
    "ConditionalUniqueInlineFormSet",
    "FiniteDecimalField",
    "SafeAutocompleteMixin",
]


class FiniteDecimalField(forms.DecimalField):
    """A decimal field that refuses NaN, sNaN and infinities when it reads them, and digits of
    other scripts (Python's Decimal reads Arabic-Indic "١٢٣" as 123)."""

    def to_python(self, value):
        if isinstance(value, str) and any(c.isdigit() and not c.isascii() for c in value):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        number = super().to_python(value)
        if number is not None and not number.is_finite():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number


FINITE_DECIMALS = {models.DecimalField: {"form_class": FiniteDecimalField}}


class SafeAutocompleteSelect(AutocompleteSelect):
    """An autocomplete that shows only submitted values that can be ids of its model."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        target = remote.model._meta.get_field(remote.field_name)
        valid = []
        for choice in value:
            try:
                target.to_python(choice)
            except ValidationError:
                continue
            valid.append(choice)
        return super().optgroups(name, valid, attr)


class SafeAutocompleteMixin:
    """Use ``SafeAutocompleteSelect`` for the admin's ``autocomplete_fields``."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _isnull_tests(condition: Q) -> list[tuple[str, bool]] | None:
    """``[(field, is_null), ...]`` when the condition is an AND of isnull tests, else None."""
    if condition.connector != Q.AND or condition.negated:
        return None
    tests = []
    for child in condition.children:
        if not isinstance(child, tuple) or not child[0].endswith("__isnull"):
            return None
        tests.append((child[0].removesuffix("__isnull"), bool(child[1])))
    return tests


class ConditionalUniqueInlineFormSet(BaseInlineFormSet):
    """An inline formset that also checks the model's conditional unique constraints, and every
    unique constraint against the stored rows the page did not send."""

    def _checks(self):
        parent = self.fk.name
        for constraint in self.model._meta.constraints:
            if not isinstance(constraint, UniqueConstraint):
                continue
            tests = [] if constraint.condition is None else _isnull_tests(constraint.condition)
            if tests is not None and constraint.fields:
                yield [name for name in constraint.fields if name != parent], tests

    def clean(self) -> None:
        super().clean()
        rows = [
            form
            for form in self.forms
            if form.is_valid()
            and form.cleaned_data
            and not self._should_delete_form(form)
            and (form.has_changed() or form.instance.pk)
        ]
        # Stored rows the page did not send (e.g. a row whose id was lost) stay as they are.
        shown = [form.instance.pk for form in self.forms if form.instance.pk]
        kept = []
        if self.instance.pk is not None:
            related = self.model._default_manager.filter(**{self.fk.name: self.instance})
            kept = [
                {field.name: getattr(row, field.name) for field in self.model._meta.fields}
                for row in related.exclude(pk__in=shown)
            ]
        errors = []
        for fields, tests in self._checks():
            seen = {
                tuple(data[name] for name in fields)
                for data in kept
                if all((data[name] is None) == is_null for name, is_null in tests)
            }
            for form in rows:
                data = form.cleaned_data
                if any((data.get(name) is None) != is_null for name, is_null in tests):
                    continue
                key = tuple(data.get(name) for name in fields)
                if key in seen:
                    form.add_error(None, self.get_form_error())
                    labels = [str(self.model._meta.get_field(name).verbose_name) for name in fields]
                    errors.append(self.get_unique_error_message(labels))
                    break
                seen.add(key)
        if errors:
            raise ValidationError(errors)
