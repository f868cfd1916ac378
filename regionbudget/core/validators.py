"""Checks of typed text shared by the forms of every app."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

__all__ = [
    "DIRECTION_CONTROL_MESSAGE",
    "guard_text_fields",
    "has_direction_controls",
    "limit_length",
    "reject_direction_controls",
]

# Invisible characters that reorder what is shown (a title could then read differently from what
# is stored, e.g. "‮gnp.exe"): the bidirectional embeddings, overrides and isolates.
_DIRECTION_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


DIRECTION_CONTROL_MESSAGE = _(
    "The text contains invisible characters that change the writing direction "
    "(such as U+202E); remove them."
)


def has_direction_controls(value) -> bool:
    """Whether text holds a right-to-left override (U+202E) or another direction control."""
    return isinstance(value, str) and bool(_DIRECTION_CONTROLS.search(value))


def reject_direction_controls(value) -> None:
    """Refuse text holding a right-to-left override (U+202E) or another direction control."""
    if has_direction_controls(value):
        raise ValidationError(DIRECTION_CONTROL_MESSAGE, code="direction_control")


def guard_text_fields(form: forms.BaseForm) -> None:
    """Add the text checks to every text field of ``form`` (call at the end of ``__init__``)."""
    for field in form.fields.values():
        if isinstance(field, forms.CharField) and reject_direction_controls not in field.validators:
            field.validators.append(reject_direction_controls)


def limit_length(field: forms.CharField, limit: int) -> None:
    """Give a text field with no limit of its own (a model ``TextField``) one: the form says
    "at most N characters", and the browser stops typing there."""
    field.max_length = limit
    field.validators.append(MaxLengthValidator(limit))
    field.widget.attrs["maxlength"] = str(limit)
