"""The form finance enters a year's balance requirement statement with: field-level checks only
(the statement's rules are the service's). Amounts are typed in mnkr the Swedish way
(``−35,5``) and handed on in SEK, with the sign they have in the statement."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from measures.forms import MsekField, msek_text
from regionbudget.balance.figures import (
    EXCLUDED,
    LINE_NAMES,
    REALISATION_GAINS,
    RESERVE,
    RESULT,
    SECURITIES,
)
from regionbudget.balance.models import FIRST_YEAR, LAST_YEAR, BalanceYear
from regionbudget.balance.services import LineInput
from regionbudget.core.validators import guard_text_fields

__all__ = ["LINE_ROWS", "BalanceYearDeleteForm", "BalanceYearForm"]

# Rows on the form; a statement rarely has more lines than this.
LINE_ROWS = 8

# A new statement starts with the lines of the statutory table (the annual report's wording).
DEFAULT_LINES = [
    (RESULT, "Årets resultat"),
    (REALISATION_GAINS, "Samtliga realisationsvinster"),
    (EXCLUDED, "Realisationsvinster/-förluster enligt undantagsmöjlighet"),
    (SECURITIES, "Orealiserade vinster och förluster i värdepapper"),
    (RESERVE, "Reservering till (−) / användning av (+) resultatreserv"),
]


class BalanceYearForm(forms.Form):
    """A year, actual or forecast, a note, and up to ``LINE_ROWS`` lines (kind, label, mnkr).

    A row without an amount is left out. The year is typed for a new statement and fixed for a
    stored one."""

    year = forms.CharField(
        label=_("Year"),
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(label=_("Actual or forecast"), choices=BalanceYear.Kind.choices)
    note = forms.CharField(
        label=_("Source or note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. Årsredovisning 2023, p. 12, or what a forecast rests on."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, statement: BalanceYear | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.statement = statement
        stored = list(statement.lines.all()) if statement else []
        if statement is not None:
            self.fields["year"].disabled = True
            self.fields["year"].initial = str(statement.year)
            self.fields["kind"].initial = statement.kind
            self.fields["note"].initial = statement.note
            self.fields["version"].initial = statement.version
        for index in range(LINE_ROWS):
            if statement is not None:
                line = stored[index] if index < len(stored) else None
                kind, label = (line.kind, line.label) if line else (EXCLUDED, "")
                amount = msek_text(line.amount) if line else ""
            else:
                kind, label = DEFAULT_LINES[index] if index < len(DEFAULT_LINES) else (EXCLUDED, "")
                amount = ""
            n = index + 1
            self.fields[f"line_{n}_kind"] = forms.ChoiceField(
                label=_("Kind of line %(n)s") % {"n": n},
                choices=[(key, name) for key, name in LINE_NAMES.items()],
                initial=kind,
                required=False,
            )
            self.fields[f"line_{n}_label"] = forms.CharField(
                label=_("Label of line %(n)s") % {"n": n},
                max_length=200,
                required=False,
                initial=label,
            )
            self.fields[f"line_{n}_amount"] = MsekField(
                label=_("Amount of line %(n)s (mnkr)") % {"n": n}, initial=amount
            )
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
        guard_text_fields(self)

    @property
    def line_rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (n, self[f"line_{n}_kind"], self[f"line_{n}_label"], self[f"line_{n}_amount"])
            for n in range(1, LINE_ROWS + 1)
        ]

    def clean_year(self) -> int:
        text = str(self.cleaned_data["year"]).strip()
        if not text.isdigit():
            raise forms.ValidationError(_("Enter the year as four digits, e.g. 2025."))
        year = int(text)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise forms.ValidationError(
                _("The year must lie between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": LAST_YEAR}
            )
        return year

    def clean(self):
        cleaned = super().clean()
        lines = []
        for n in range(1, LINE_ROWS + 1):
            if f"line_{n}_amount" in self.errors:
                continue
            amount = cleaned.get(f"line_{n}_amount")
            label = (cleaned.get(f"line_{n}_label") or "").strip()
            kind = cleaned.get(f"line_{n}_kind")
            if amount is None:
                continue
            if not kind:
                self.add_error(f"line_{n}_kind", _("Choose the kind of line."))
            elif not label:
                self.add_error(f"line_{n}_label", _("Give the line a label."))
            elif kind == REALISATION_GAINS and amount > 0:
                self.add_error(
                    f"line_{n}_amount",
                    _("Realisation gains are deducted: enter them with a minus sign (e.g. −5)."),
                )
            else:
                lines.append(LineInput(kind=kind, label=label, amount=amount))
        results = sum(1 for line in lines if line.kind == RESULT)
        if not self.errors and results != 1:
            self.add_error(
                None,
                _("Enter the year's result on exactly one line (kind: the year's result).")
                if results == 0
                else _("Only one line may hold the year's result."),
            )
        cleaned["lines"] = lines
        return cleaned

    def save_fields(self) -> dict:
        """The cleaned statement as ``services.balance_year_save`` takes it."""
        data = self.cleaned_data
        return {
            "year": self.statement.year if self.statement else data["year"],
            "kind": data["kind"],
            "note": data["note"],
            "lines": data["lines"],
            "expected_version": data["version"] if self.statement else None,
        }


class BalanceYearDeleteForm(forms.Form):
    """Confirms the removal of a statement at the version the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, statement: BalanceYear, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = statement.version
