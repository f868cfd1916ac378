"""Figures of the gap dashboard and the status reports (plotly graph_objects).

Data in, figure out: no HTML, no request. Amounts arrive as SEK ``Decimal`` and are drawn in
MSEK; the conversion to float happens here, for drawing only. Each figure uses patterns and
dark/light contrasts as well as colour, so that it reads on a grey printout too. Labels are
passed in already translated.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pandas as pd
import plotly.graph_objects as go

from regionbudget.calculations import BridgeStep

__all__ = [
    "coverage_figure",
    "forecast_deviation_figure",
    "gap_bridge_figure",
    "gap_years_figure",
]

MSEK = Decimal("1000000")
# Colours that differ in lightness as well as hue (legible in grey).
DARK = "#1f3b57"
MID = "#3d7ab8"
LIGHT = "#a9c8e8"
ACCENT = "#b45309"
GREEN = "#2f7d4f"
RED = "#b42318"


def _msek(value: Decimal | None) -> float | None:
    return None if value is None else float(Decimal(value) / MSEK)


def _layout(fig: go.Figure, *, y_title: str, height: int = 360) -> go.Figure:
    fig.update_layout(
        height=height,
        margin={"l": 60, "r": 20, "t": 20, "b": 50},
        paper_bgcolor="white",
        plot_bgcolor="white",
        font={"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13},
        legend={"orientation": "h", "y": -0.18},
        separators=", ",
        yaxis={"title": {"text": y_title}, "gridcolor": "#d9dee3", "zerolinecolor": "#6c757d"},
    )
    return fig


def gap_years_figure(gap: pd.DataFrame, *, labels: dict[str, str]) -> go.Figure:
    """Per year: the required reduction against the planned range, realised and expected.

    ``gap`` is ``calculations.gap_by_year``; ``labels`` names the traces and the axis
    (keys: required, planned_low, planned_range, realised, expected, axis).
    """
    years = [str(y) for y in gap["year"]]
    low = [_msek(v) for v in gap["planned_low"]]
    span = [_msek(h - lo) for lo, h in zip(gap["planned_low"], gap["planned_high"], strict=True)]
    fig = go.Figure()
    fig.add_bar(
        name=labels["required"],
        x=years,
        y=[_msek(v) for v in gap["required"]],
        marker={"color": DARK},
        offsetgroup="required",
    )
    fig.add_bar(
        name=labels["planned_low"], x=years, y=low, marker={"color": MID}, offsetgroup="planned"
    )
    fig.add_bar(
        name=labels["planned_range"],
        x=years,
        y=span,
        base=low,
        offsetgroup="planned",
        marker={"color": LIGHT, "pattern": {"shape": "/", "fgcolor": MID}},
    )
    fig.add_scatter(
        name=labels["realised"],
        x=years,
        y=[_msek(v) for v in gap["realised"]],
        mode="markers",
        marker={
            "symbol": "diamond",
            "size": 13,
            "color": GREEN,
            "line": {"color": "black", "width": 1},
        },
    )
    fig.add_scatter(
        name=labels["expected"],
        x=years,
        y=[_msek(v) for v in gap["expected"]],
        mode="markers",
        marker={"symbol": "line-ew-open", "size": 26, "color": ACCENT, "line": {"width": 4}},
    )
    fig.update_layout(barmode="group")
    return _layout(fig, y_title=labels["axis"])


def gap_bridge_figure(steps: Sequence[BridgeStep], *, labels: dict[str, str]) -> go.Figure:
    """The gap bridge (waterfall): required → each category's planned effect → uncovered.

    ``labels`` translates the fixed steps (keys: required, uncovered, axis).
    """
    names = [
        labels.get(step.label, step.label) if step.kind != "measure" else step.label
        for step in steps
    ]
    measure = [
        "absolute" if s.kind == "required" else "total" if s.kind == "uncovered" else "relative"
        for s in steps
    ]
    fig = go.Figure(
        go.Waterfall(
            x=names,
            y=[_msek(step.amount) for step in steps],
            measure=measure,
            connector={"line": {"color": "#6c757d", "dash": "dot"}},
            decreasing={"marker": {"color": MID}},
            increasing={"marker": {"color": RED}},
            totals={"marker": {"color": DARK}},
            hovertemplate="%{x}: %{y:.1f}<extra></extra>",
        )
    )
    fig.update_xaxes(tickangle=-30)
    return _layout(fig, y_title=labels["axis"], height=420)


def forecast_deviation_figure(deviations: pd.DataFrame, *, axis: str) -> go.Figure:
    """Forecast deviation (budget − forecast, negative = deficit) per area over the rounds.

    ``deviations`` has columns ``area``, ``round`` (label, in order) and ``deviation`` (SEK).
    """
    fig = go.Figure()
    symbols = ["circle", "square", "diamond", "triangle-up", "x", "cross", "star", "hexagon"]
    dashes = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
    for index, (area, rows) in enumerate(deviations.groupby("area", sort=False)):
        fig.add_scatter(
            name=area,
            x=list(rows["round"]),
            y=[_msek(v) for v in rows["deviation"]],
            mode="lines+markers",
            line={"dash": dashes[index % len(dashes)]},
            marker={"symbol": symbols[index % len(symbols)], "size": 9},
        )
    fig.add_hline(y=0, line={"color": "black", "width": 1})
    return _layout(fig, y_title=axis)


def coverage_figure(coverage: pd.DataFrame, *, by: str, labels: dict[str, str]) -> go.Figure:
    """Coverage (planned effect as % of the requirement) per group, low end and range.

    ``coverage`` is ``calculations.gap_by_group`` with ``required`` set; groups without a
    requirement are left out. ``labels``: group names by key (optional), and low, range, axis.
    """
    rows = coverage[coverage["coverage_low"].notna()]
    names = [labels.get(str(g), str(g)) for g in rows[by]]
    low = [float(v) for v in rows["coverage_low"]]
    span = [
        float(h - lo) for lo, h in zip(rows["coverage_low"], rows["coverage_high"], strict=True)
    ]
    fig = go.Figure()
    fig.add_bar(name=labels["low"], y=names, x=low, orientation="h", marker={"color": MID})
    fig.add_bar(
        name=labels["range"],
        y=names,
        x=span,
        base=low,
        orientation="h",
        marker={"color": LIGHT, "pattern": {"shape": "/", "fgcolor": MID}},
    )
    fig.add_vline(x=100, line={"color": DARK, "width": 2, "dash": "dash"})
    fig.update_layout(barmode="overlay", yaxis={"autorange": "reversed"})
    fig = _layout(fig, y_title="", height=max(260, 40 * len(names) + 110))
    fig.update_xaxes(title={"text": labels["axis"]}, gridcolor="#d9dee3", ticksuffix=" %")
    return fig
