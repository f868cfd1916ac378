"""Figures of the forecast pages (plotly graph_objects): data in, figure out, no HTML.

Texts that reach a figure (area names, round labels) are escaped, since plotly reads a subset
of HTML in them: a name is drawn as typed (as in ``regionbudget.gap.charts``).
"""

from __future__ import annotations

from html import escape

import pandas as pd
import plotly.graph_objects as go

__all__ = ["accuracy_figure"]

_SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "cross", "star", "hexagon"]
_DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]


def _label(text) -> str:
    return escape(str(text), quote=False)


def accuracy_figure(
    accuracy: pd.DataFrame, *, axis: str, outcome: str, separators: str = ", "
) -> go.Figure:
    """Each area's approved forecast per round as its distance from the outcome, in percent
    of the outcome's size: ``(forecast − outcome) ÷ |outcome| × 100``, i.e. minus
    ``error_percent``. A line that converges on zero (the outcome, drawn as a black line) is a
    forecast that got there; below zero the forecast was lower than the outcome (too
    optimistic for a cost).

    ``accuracy``: ``calculations.forecast_accuracy`` rows with ``area_name`` and
    ``round_label``, in area and then round order. ``axis`` and ``outcome`` are translated
    labels.
    """
    fig = go.Figure()
    present = accuracy[accuracy["error_percent"].notna()] if not accuracy.empty else accuracy
    for index, (area, rows) in enumerate(present.groupby("area_name", sort=False)):
        fig.add_scatter(
            name=_label(area),
            x=[_label(r) for r in rows["round_label"]],
            y=[-float(v) for v in rows["error_percent"]],
            mode="lines+markers",
            line={"dash": _DASHES[index % len(_DASHES)]},
            marker={"symbol": _SYMBOLS[index % len(_SYMBOLS)], "size": 9},
        )
    fig.add_hline(
        y=0,
        line={"color": "black", "width": 2},
        annotation_text=_label(outcome),
        annotation_position="top left",
    )
    fig.update_layout(
        template="none",  # no plotly theme in the page (as the gap dashboard's figures)
        height=380,
        margin={"l": 10, "r": 20, "t": 20, "b": 10},
        paper_bgcolor="white",
        plot_bgcolor="white",
        font={
            "family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
            "size": 13,
            "color": "#1b1b1b",
        },
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        separators=separators,
        yaxis={
            "title": {"text": _label(axis)},
            "ticksuffix": " %",
            "gridcolor": "#d9dee3",
            "zerolinecolor": "#6c757d",
            "automargin": True,
        },
        xaxis={"automargin": True, "type": "category"},
    )
    return fig
