"""Figures of the gap dashboard and the status reports (plotly graph_objects).

Data in, figure out: no HTML, no request. Amounts arrive as SEK ``Decimal`` and are drawn in
MSEK; the conversion to float happens here, for drawing only. Each figure uses patterns and
dark/light contrasts as well as colour, so that it reads on a grey printout too. Labels are
passed in already translated.

Plotly reads a subset of HTML in every text it draws (trace names, category and tick labels,
hover text, titles): ``<a href=…>`` in an area's or category's name would become a live link
for every viewer. Every text that reaches a plotly figure goes through ``_label``, which
escapes it, so it is drawn as typed (plotly turns the entities back into the characters).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from regionbudget.core.money import MSEK
from regionbudget.gap.calculations import BridgeStep

__all__ = [
    "COVERAGE_AREA_BARS",
    "DEVIATION_AREA_LINES",
    "coverage_figure",
    "deviation_area_trace",
    "deviation_picker_data",
    "forecast_deviation_figure",
    "gap_bridge_figure",
    "gap_bridge_svg",
    "gap_years_figure",
    "gap_years_svg",
]

# Colours that differ in lightness as well as hue (legible in grey).
DARK = "#1f3b57"
MID = "#3d7ab8"
LIGHT = "#a9c8e8"
ACCENT = "#b45309"
GREEN = "#2f7d4f"
RED = "#b42318"


def _label(text) -> str:
    """A name or label as plotly must get it: ``<``, ``>`` and ``&`` escaped, drawn as typed."""
    return escape(str(text), quote=False)


def _labels(labels: dict[str, str]) -> dict[str, str]:
    return {key: _label(value) for key, value in labels.items()}


def _msek(value: Decimal | None) -> float | None:
    return None if value is None else float(Decimal(value) / MSEK)


def _layout(fig: go.Figure, *, y_title: str, height: int = 360) -> go.Figure:
    fig.update_layout(
        # No plotly theme: every figure would carry its 6.5 KB of JSON into the page and
        # plotly.js would apply it on each draw; what the look needs is set here.
        template="none",
        height=height,
        margin={"l": 10, "r": 20, "t": 20, "b": 10},
        paper_bgcolor="white",
        plot_bgcolor="white",
        font={
            "family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
            "size": 13,
            "color": "#1b1b1b",
        },
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        separators=", ",
        yaxis={
            "title": {"text": y_title},
            "gridcolor": "#d9dee3",
            "zerolinecolor": "#6c757d",
            "automargin": True,
        },
        xaxis={"automargin": True},
    )
    return fig


def gap_years_figure(gap: pd.DataFrame, *, labels: dict[str, str]) -> go.Figure:
    """Per year: the required reduction against the planned range, realised and expected.

    ``gap`` is ``calculations.gap_by_year``; ``labels`` names the traces and the axis
    (keys: required, planned_low, planned_range, realised, expected, axis).
    """
    labels = _labels(labels)
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
    # Years are names of bars, not a number line ("2 023,5" between the bars).
    fig.update_layout(barmode="group", xaxis={"type": "category"})
    return _layout(fig, y_title=labels["axis"])


def gap_bridge_figure(steps: Sequence[BridgeStep], *, labels: dict[str, str]) -> go.Figure:
    """The gap bridge (waterfall): required → each category's planned effect → uncovered.

    ``labels`` translates the fixed steps (keys: required, uncovered, axis).
    """
    names = [
        _label(labels.get(step.label, step.label) if step.kind != "measure" else step.label)
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
    fig.update_layout(showlegend=False)
    return _layout(fig, y_title=_label(labels["axis"]), height=420)


# The forecast deviation chart's lines: the region's total, then at most this many areas (the
# ones whose forecasts moved most), then the one a reader picks. 160 lines read as nothing.
DEVIATION_AREA_LINES = 5
_SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "cross", "star", "hexagon"]
_DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]


def forecast_deviation_figure(
    rounds: Sequence[str],
    total: Sequence[Decimal | None],
    areas: dict[str, Sequence[Decimal | None]],
    *,
    labels: dict[str, str],
) -> go.Figure:
    """Forecast deviation (budget − forecast, SEK; negative = deficit) over the rounds: the
    total of every area in view in the upper panel, and ``areas`` (name → one amount per round,
    None where the area has no approved forecast) each as a line in the lower one, with its own
    scale: an area's few million would be a flat line beside the region's hundreds.

    ``labels``: ``total`` (the total's name), ``areas`` (the lower panel's title), ``axis``.
    A reader's picked area is added in the browser to the lower panel (``deviation_area_trace``).
    """
    labels = _labels(labels)
    x = [_label(r) for r in rounds]
    panels = 2 if areas else 1
    fig = make_subplots(
        rows=panels,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.12,
        row_heights=[0.45, 0.55] if panels == 2 else None,
        subplot_titles=[labels["total"], labels["areas"]][:panels],
    )
    fig.add_scatter(
        name=labels["total"],
        x=x,
        y=[_msek(v) for v in total],
        mode="lines+markers",
        line={"color": DARK, "width": 4},
        marker={"symbol": "circle", "size": 10},
        row=1,
        col=1,
    )
    for index, (area, values) in enumerate(areas.items()):
        trace = deviation_area_trace(area, values, index=index)
        for key in ("type", "xaxis", "yaxis"):  # placed by row and col instead
            del trace[key]
        fig.add_scatter(**trace, x=x, row=2, col=1)
    for row in range(1, panels + 1):
        fig.add_hline(y=0, line={"color": "black", "width": 1}, row=row, col=1)
        fig.update_yaxes(title={"text": labels["axis"]}, row=row, col=1)
    fig = _layout(fig, y_title=labels["axis"], height=600 if panels == 2 else 400)
    # Fixed margins instead of plotly's automatic ones: with two panels, fitting the margins
    # to the round labels redrew the chart several times (about 1 s of its 1.2 s in Chromium).
    fig.update_xaxes(automargin=False, tickangle=-30)
    fig.update_yaxes(automargin=False, tickformat=",~f")  # "−15 000", not "−15k"
    fig.update_layout(
        margin={"l": 70, "r": 20, "t": 40, "b": 190},
        legend={"orientation": "h", "x": 0, "y": -0.3, "yanchor": "top"},
    )
    fig.update_annotations(font={"size": 14}, xanchor="left", x=0)
    return fig


def deviation_area_trace(
    area: str, values: Sequence[Decimal | None], *, index: int, panel: int = 2
) -> dict:
    """One area's line in the forecast deviation chart's lower panel (without ``x``): MSEK per
    round, a dash and a marker of its own so that it reads in grey."""
    axis = "" if panel == 1 else str(panel)
    return {
        "type": "scatter",
        "name": _label(area),
        "y": [_msek(v) for v in values],
        "mode": "lines+markers",
        "line": {"dash": _DASHES[index % len(_DASHES)]},
        "marker": {"symbol": _SYMBOLS[index % len(_SYMBOLS)], "size": 9},
        "xaxis": f"x{axis}",
        "yaxis": f"y{axis}",
    }


def deviation_picker_data(
    rounds: Sequence[str], areas: dict[str, Sequence[Decimal | None]], *, first_index: int
) -> dict:
    """The lines a reader may add to the forecast deviation chart, one per area not drawn:
    ``{"x": round labels, "traces": [deviation_area_trace, …]}`` in ``areas``' order. Compact
    (MSEK, no repeated x), so that 160 areas do not weigh the page down."""
    return {
        "x": [_label(r) for r in rounds],
        "traces": [
            deviation_area_trace(area, values, index=first_index + i)
            for i, (area, values) in enumerate(areas.items())
        ],
    }


def outlook_rounds_figure(
    rounds: Sequence[str],
    low: Sequence[Decimal],
    high: Sequence[Decimal],
    plan_low: Decimal | None,
    plan_high: Decimal | None,
    *,
    labels: dict[str, str],
) -> go.Figure:
    """How the outlook's uncovered range moved round by round, against the plan's.

    ``rounds``: round labels in order; ``low``/``high``: the uncovered range (SEK) at each;
    ``plan_low``/``plan_high``: the plan's uncovered range of the year (None: no target).
    ``labels``: ``outlook``, ``plan``, ``axis``.
    """
    fig = go.Figure()
    x = list(rounds)
    fig.add_scatter(
        name=labels["outlook"],
        x=x,
        y=[_msek(v) for v in high],
        mode="lines+markers",
        line={"color": DARK},
        marker={"size": 9},
        error_y={
            "type": "data",
            "symmetric": False,
            "array": [0] * len(x),
            "arrayminus": [_msek(h - lo) for lo, h in zip(low, high, strict=True)],
            "color": DARK,
        },
    )
    if plan_low is not None and plan_high is not None:
        fig.add_scatter(
            name=labels["plan"],
            x=x,
            y=[_msek(plan_high)] * len(x),
            mode="lines",
            line={"color": MID, "dash": "dash"},
        )
    fig.add_hline(y=0, line={"color": "black", "width": 1})
    return _layout(fig, y_title=labels["axis"])


# The most areas a coverage chart shows; with more, the ones that cover least of their target
# (``calculations.lowest_coverage``), and the table beside the chart lists every area.
COVERAGE_AREA_BARS = 10


def coverage_figure(coverage: pd.DataFrame, *, by: str, labels: dict[str, str]) -> go.Figure:
    """Coverage (planned effect as % of the requirement) per group, low end and range.

    ``coverage`` is ``calculations.gap_by_group`` with ``required`` set; groups without a
    requirement are left out. ``labels``: group names by key (optional), and low, range, axis.
    """
    rows = coverage[coverage["coverage_low"].notna()]
    names = [_label(labels.get(str(g), str(g))) for g in rows[by]]
    labels = _labels(labels)
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


# --- Static SVG for status reports (tablet, print and PDF alike; no JavaScript) ----------------


def _svg_text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "middle",
    size: int = 12,
    weight: str = "normal",
    fill: str = "#1b1b1b",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'font-weight="{weight}" fill="{fill}">{escape(text)}</text>'
    )


def _scale(values: Sequence[float], height: float) -> tuple[float, float, float]:
    top = max([0.0, *values]) or 1.0
    bottom = min([0.0, *values])
    return top, bottom, height / (top - bottom)


def gap_years_svg(rows: Sequence[dict], *, labels: dict[str, str], number) -> str:
    """Bars per year: required (dark), planned low end (mid) and range to the high end
    (hatched), realised (diamond). ``rows`` hold SEK amounts (Decimal or decimal strings);
    ``number`` formats an MSEK float for the labels."""
    width, height, left, bottom_margin, top_margin = 640, 300, 50, 60, 20
    plot_h = height - bottom_margin - top_margin
    values = []
    for row in rows:
        values += [_msek(row.get("required")) or 0.0, _msek(row["planned_high"]) or 0.0]
    top, low, k = _scale(values, plot_h)
    zero_y = top_margin + top * k
    group_w = (width - left - 10) / max(len(rows), 1)
    bar_w = min(60.0, group_w / 3)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="report-chart" role="img" aria-labelledby="svg-years-title">',
        f'<title id="svg-years-title">{escape(labels["title"])}</title>',
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#dbe7f3"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{MID}" stroke-width="2"/></pattern></defs>',
        f'<line x1="{left}" x2="{width - 10}" y1="{zero_y:.1f}" y2="{zero_y:.1f}" stroke="#555"/>',
    ]
    for index, row in enumerate(rows):
        x0 = left + index * group_w + (group_w - 2 * bar_w - 8) / 2
        required = _msek(row.get("required"))
        planned_low = _msek(row["planned_low"]) or 0.0
        planned_high = _msek(row["planned_high"]) or 0.0
        if required is not None:
            y = zero_y - required * k
            parts.append(
                f'<rect x="{x0:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                f'height="{required * k:.1f}" fill="{DARK}"/>'
            )
            parts.append(_svg_text(x0 + bar_w / 2, y - 4, number(required), size=11))
        x1 = x0 + bar_w + 8
        parts.append(
            f'<rect x="{x1:.1f}" y="{zero_y - planned_low * k:.1f}" width="{bar_w:.1f}" '
            f'height="{planned_low * k:.1f}" fill="{MID}"/>'
        )
        span = max(planned_high - planned_low, 0.0)
        parts.append(
            f'<rect x="{x1:.1f}" y="{zero_y - planned_high * k:.1f}" '
            f'width="{bar_w:.1f}" height="{span * k:.1f}" fill="url(#hatch)" '
            f'stroke="{MID}"/>'
        )
        parts.append(
            _svg_text(
                x1 + bar_w / 2,
                zero_y - planned_high * k - 4,
                f"{number(planned_low)}–{number(planned_high)}",
                size=11,
            )
        )
        realised = _msek(row.get("realised"))
        if realised:
            cx, cy = x1 + bar_w / 2, zero_y - realised * k
            parts.append(
                f'<path d="M{cx:.1f} {cy - 7:.1f} L{cx + 7:.1f} {cy:.1f} '
                f'L{cx:.1f} {cy + 7:.1f} L{cx - 7:.1f} {cy:.1f} Z" fill="{GREEN}" '
                'stroke="black"/>'
            )
        parts.append(_svg_text(x0 + bar_w + 4, zero_y + 18, str(row["year"]), weight="bold"))
    legend_y = height - 18
    legend = [
        (DARK, labels["required"]),
        (MID, labels["planned_low"]),
        ("url(#hatch)", labels["planned_range"]),
        (GREEN, labels["realised"]),
    ]
    x = left
    for colour, text in legend:
        parts.append(
            f'<rect x="{x}" y="{legend_y - 10}" width="12" height="12" fill="{colour}" '
            'stroke="#555"/>'
        )
        parts.append(_svg_text(x + 16, legend_y, text, anchor="start", size=11))
        x += 24 + 7 * len(text)
    parts.append("</svg>")
    return "".join(parts)


def gap_bridge_svg(steps: Sequence[dict], *, labels: dict[str, str], number) -> str:
    """The gap bridge as a static waterfall; ``steps`` are snapshot rows (label, kind, amount,
    running) with SEK amounts."""
    width, height, left, bottom_margin, top_margin = 660, 320, 20, 90, 20
    plot_h = height - bottom_margin - top_margin
    runnings = [_msek(s["running"]) or 0.0 for s in steps]
    top, low, k = _scale(
        [
            *runnings,
            *[
                (_msek(s["running"]) or 0) - (_msek(s["amount"]) or 0)
                for s in steps
                if s["kind"] == "measure"
            ],
        ],
        plot_h,
    )
    zero_y = top_margin + top * k
    slot = (width - left - 60) / max(len(steps), 1)
    bar_w = min(50.0, slot * 0.7)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="report-chart" role="img" aria-labelledby="svg-bridge-title">',
        f'<title id="svg-bridge-title">{escape(labels["title"])}</title>',
        f'<line x1="{left}" x2="{width - 10}" y1="{zero_y:.1f}" y2="{zero_y:.1f}" stroke="#555"/>',
    ]
    for index, step in enumerate(steps):
        x = left + index * slot + (slot - bar_w) / 2
        amount = _msek(step["amount"]) or 0.0
        running = _msek(step["running"]) or 0.0
        if step["kind"] == "measure":
            start, end, colour = running - amount, running, MID
        else:
            start, end, colour = 0.0, running, DARK
        y_top = zero_y - max(start, end) * k
        parts.append(
            f'<rect x="{x:.1f}" y="{y_top:.1f}" width="{bar_w:.1f}" '
            f'height="{max(abs(end - start) * k, 1):.1f}" fill="{colour}"/>'
        )
        parts.append(_svg_text(x + bar_w / 2, y_top - 4, number(amount), size=11))
        name = (
            labels.get(step["label"], step["label"]) if step["kind"] != "measure" else step["label"]
        )
        parts.append(
            f'<text transform="translate({x + bar_w / 2:.1f},{zero_y + 14:.1f}) rotate(35)" '
            f'font-size="11" fill="#1b1b1b">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
