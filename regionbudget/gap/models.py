"""Parameters of the gap arithmetic that finance keeps."""

import pghistory
from django.db import models
from django.utils.translation import gettext_lazy as _

from regionbudget.core.models import GapVersionTrigger

__all__ = ["ConfidenceWeight"]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ConfidenceWeight(models.Model):
    """How much of a measure's planned effect the expectation counts, by the measure's status.

    Finance sets them; the defaults follow HM Treasury's practice of counting pipeline savings
    at 40–70 % by stage (``regionbudget.gap.calculations.DEFAULT_WEIGHTS``).
    """

    status = models.CharField(_("measure status"), max_length=20, unique=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=4,
        decimal_places=3,
        help_text=_("Between 0 and 1, e.g. 0.6 counts 60 per cent of the planned effect."),
    )

    class Meta:
        ordering = ["-weight", "status"]
        verbose_name = _("confidence weight")
        verbose_name_plural = _("confidence weights")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gte=0) & models.Q(weight__lte=1),
                name="confidenceweight_between_0_and_1",
            ),
        ]
        triggers = [GapVersionTrigger()]

    def __str__(self) -> str:
        return f"{self.status}: {self.weight}"
