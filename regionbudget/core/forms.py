"""Form fields and widgets shared by the pages, and the form of a new API token.

Amounts are typed the Swedish way (``1 234,5``), in MSEK where a page works in mnkr, and handed
on in SEK as ``Decimal``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from html import escape as html_escape

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from regionbudget.core.formatting import format_number, parse_amount
from regionbudget.core.models import Area
from regionbudget.core.money import MAX_SEK, MSEK
from regionbudget.core.roles import Role
from regionbudget.core.validators import guard_text_fields

__all__ = [
    "ApiTokenForm",
    "DirectorAreasForm",
    "MsekField",
    "NumberField",
    "PersonForm",
    "PercentField",
    "QuickSelect",
    "UnlockLinkForm",
    "decimal_text",
    "msek_text",
]


class QuickSelect(forms.Select):
    """A select whose options are written in Python. Django's widget renders every option
    through two templates: for a list of a few hundred areas that is most of a cached page's
    time. Same markup, without optgroups."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        # Every value and label escaped as Django's escape() does (html.escape of its text),
        # without its check for lazy arguments on each of a few hundred options.
        options = "".join(
            f'<option value="{html_escape(str(key))}"{" selected" if str(key) in chosen else ""}>'
            f"{html_escape(str(label))}</option>"
            for key, label in self.choices
        )
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            mark_safe(options),  # noqa: S308 - every value and label escaped above
        )


class ApiTokenForm(forms.Form):
    """A new API token for a BI tool: its name, its scope (the region or chosen areas) and the
    last day it works."""

    REGION, AREAS = "region", "areas"

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Who or what uses it, e.g. “Power BI – finance department”."),
    )
    scope = forms.ChoiceField(
        label=_("Reads"),
        choices=[(REGION, _("The whole region")), (AREAS, _("Chosen areas only"))],
        widget=forms.RadioSelect,
        initial=REGION,
    )
    areas = forms.ModelMultipleChoiceField(
        label=_("Areas"),
        queryset=Area.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only with “Chosen areas only”: the token reads these areas' figures."),
    )
    expires = forms.DateField(
        label=_("Valid until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The last day the token works."),
    )

    def __init__(self, *args, areas, today: dt.date, max_days: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.today, self.max_days = today, max_days
        self.fields["areas"].queryset = areas
        self.fields["expires"].initial = today + dt.timedelta(days=min(90, max_days))
        guard_text_fields(self)

    @property
    def expires_text(self) -> str:
        """The date field's value as the date input wants it (YYYY-MM-DD)."""
        value = self["expires"].value()
        return value.isoformat() if isinstance(value, dt.date) else (value or "")

    def clean_expires(self) -> dt.date:
        expires = self.cleaned_data["expires"]
        if expires < self.today:
            raise ValidationError(_("The date has passed; choose today or a later day."))
        if expires > self.today + dt.timedelta(days=self.max_days):
            raise ValidationError(
                _("A token may be valid for at most %(days)s days.") % {"days": self.max_days}
            )
        return expires

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == self.AREAS and not cleaned.get("areas"):
            self.add_error(
                "areas", _("Choose at least one area, or let the token read the region.")
            )
        return cleaned

    def token_fields(self) -> dict:
        """The arguments of ``services.api_token_create``: the token works through the whole of
        its last day (local time)."""
        data = self.cleaned_data
        end = dt.datetime.combine(data["expires"] + dt.timedelta(days=1), dt.time())
        return {
            "name": data["name"],
            "areas": list(data["areas"]) if data["scope"] == self.AREAS else None,
            "expires_at": timezone.make_aware(end),
        }


def decimal_text(value: Decimal | None, language: str = "sv") -> str:
    """A number as a user would type it: ``12,5``, ``1 000`` (no trailing zeros)."""
    if value is None:
        return ""
    value = Decimal(value).normalize()
    places = max(0, -value.as_tuple().exponent)
    return format_number(value, places=places, language=language).replace("\u00a0", " ")


def msek_text(amount: Decimal | None, language: str = "sv") -> str:
    """An amount in SEK as the MSEK figure a user would type (``25`` or ``12,5``)."""
    return "" if amount is None else decimal_text(amount / MSEK, language)


class _SwedishNumberField(forms.CharField):
    """A number typed the Swedish way (``1 234,5``, ``−5``); ``number`` turns the parsed
    ``Decimal`` into the cleaned value or raises ``ValidationError``. Empty is None."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "class": "form-control num-input"})

    def prepare(self, text: str) -> str:
        return text

    def number(self, value: Decimal) -> Decimal:
        raise NotImplementedError

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            parsed = parse_amount(self.prepare(text))
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        return self.number(parsed)


class MsekField(_SwedishNumberField):
    """An amount typed in MSEK; cleans to SEK as ``Decimal``."""

    def number(self, value: Decimal) -> Decimal:
        amount = (value * MSEK).quantize(Decimal("0.01"))
        if abs(amount) >= MAX_SEK:
            raise forms.ValidationError(_("The number is too large."))
        return amount


class NumberField(_SwedishNumberField):
    """A plain number typed the Swedish way (an indicator's value in its own unit: årsarbetare,
    vårdtillfällen, %), with at most four decimals; cleans to ``Decimal``."""

    def number(self, value: Decimal) -> Decimal:
        if value.as_tuple().exponent < -4:
            raise forms.ValidationError(_("Use at most four decimals."))
        if abs(value) >= Decimal(10) ** 14:
            raise forms.ValidationError(_("The number is too large."))
        return value


class PercentField(_SwedishNumberField):
    """A percentage (``12,5`` or ``12,5 %``); cleans to ``Decimal``."""

    def prepare(self, text: str) -> str:
        return text.rstrip("%").strip()

    def number(self, share: Decimal) -> Decimal:
        if share.as_tuple().exponent < -2:
            raise forms.ValidationError(_("Use at most two decimals."))
        if not Decimal("0") < share <= Decimal("100"):
            raise forms.ValidationError(_("A share must be above 0 and at most 100."))
        return share


class PersonForm(forms.Form):
    """A person in one form: name, e-mail, user name, roles and, for an area director, areas.
    Field checks only; a user name or e-mail in use and a director without areas are the
    service's refusals (``services.person_save``)."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        help_text=_(
            "What they sign in with; with the region's identity provider, the name it gives."
        ),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    areas = forms.ModelMultipleChoiceField(
        label=_("Areas (an area director's)"),
        queryset=Area.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        initial=True,
        help_text=_("A deactivated person can no longer sign in; their history is kept."),
    )

    def __init__(self, data=None, *, areas, person=None, roles=(), area_ids=()):
        initial = {}
        if person is not None:
            initial = {
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": person.email,
                "username": person.username,
                "roles": [role.value for role in roles],
                "areas": list(area_ids),
                "is_active": person.is_active,
            }
        super().__init__(data, initial=initial)
        self.fields["areas"].queryset = areas
        self.fields["username"].validators.append(UnicodeUsernameValidator())
        if person is None:
            del self.fields["is_active"]  # a new person is active
        guard_text_fields(self)

    def person_fields(self) -> dict:
        """The arguments of ``services.person_save``."""
        data = self.cleaned_data
        return {
            "username": data["username"],
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "email": data["email"],
            "roles": {Role(value) for value in data["roles"]},
            "areas": list(data["areas"]),
            "is_active": data.get("is_active", True),
        }


class DirectorAreasForm(forms.Form):
    """The areas an area director is bound to (finance's form)."""

    areas = forms.ModelMultipleChoiceField(
        label=_("Areas"),
        queryset=Area.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, data=None, *, areas, area_ids=()):
        super().__init__(data, initial={"areas": list(area_ids)})
        self.fields["areas"].queryset = areas


class UnlockLinkForm(forms.Form):
    """The locked-out page's request for an unlock link: a user name or an e-mail address."""

    asked_for = forms.CharField(
        label=_("User name or e-mail address"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        guard_text_fields(self)
