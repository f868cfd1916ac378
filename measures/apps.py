from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasuresConfig(AppConfig):
    """The register of savings measures (the action plan)."""

    name = "measures"
    verbose_name = _("Measures")

    def ready(self) -> None:
        from forecasts.signals import forecast_approved
        from measures.services import forecast_inclusions_record

        # An approved forecast records which measures it already counts (DESIGN.md).
        forecast_approved.connect(
            forecast_inclusions_record, dispatch_uid="measures.forecast_inclusions"
        )
