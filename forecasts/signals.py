"""Signals of the forecast workflow, for the parts above forecasts that keep records with it.

``forecast_approved`` is sent inside the approving transaction, after the forecast is approved
and its budget kept with it (``sender`` the Forecast model; arguments ``forecast`` and ``user``).
The measure register listens to record which measures the forecast already counts.
"""

from django.dispatch import Signal

forecast_approved = Signal()
