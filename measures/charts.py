"""Plotly figures of the measure register (data in, figure out; no HTML, no request)."""

from __future__ import annotations

from decimal import Decimal
from html import escape

import pandas as pd
import plotly.graph_objects as go

from regionbudget.core.money import MSEK

__all__ = ["measure_effect_figure"]


def _label(text: str) -> str:
    """Plotly reads a subset of HTML in the texts it draws: escaped, a label is drawn as typed."""
    return escape(str(text), quote=False)


def _msek(values) -> list[float]:
    # Plotly draws floats; the figures themselves were computed in Decimal.
    return [float(Decimal(v) / MSEK) for v in values]


def measure_effect_figure(
    by_year: pd.DataFrame, *, planned_label: str, realised_label: str, axis_label: str
) -> go.Figure:
    """Planned range (a bar from low to high) against realised effect, per year, in MSEK.

    ``by_year`` has ``year``, ``low``, ``high``, ``realised`` in SEK
    (``measures.calculations.totals_by_year``).
    """
    planned_label, realised_label = _label(planned_label), _label(realised_label)
    axis_label = _label(axis_label)
    years = [str(y) for y in by_year["year"]]
    low, high = _msek(by_year["low"]), _msek(by_year["high"])
    figure = go.Figure()
    figure.add_trace(
        go.Bar(
            name=planned_label,
            x=years,
            y=[h - lo for lo, h in zip(low, high, strict=True)],
            base=low,
            marker={"color": "rgba(10, 61, 98, 0.35)", "line": {"color": "#0a3d62", "width": 1}},
            hovertemplate="%{x}: %{base:.1f}–%{customdata:.1f}<extra></extra>",
            customdata=high,
        )
    )
    figure.add_trace(
        go.Scatter(
            name=realised_label,
            x=years,
            y=_msek(by_year["realised"]),
            mode="markers+lines",
            marker={"size": 10, "color": "#b34700"},
            line={"color": "#b34700"},
            hovertemplate="%{x}: %{y:.1f}<extra></extra>",
        )
    )
    figure.update_layout(
        height=280,
        margin={"l": 50, "r": 10, "t": 10, "b": 30},
        yaxis={"title": {"text": axis_label}, "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.2},
        plot_bgcolor="white",
        bargap=0.5,
    )
    return figure
