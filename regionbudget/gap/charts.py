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

import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from html import escape, unescape

import pandas as pd
import plotly.graph_objects as go

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


def _merged(base: dict, settings: dict) -> dict:
    """``base`` with ``settings`` on top, nested dicts merged key by key as ``update_layout``
    merges them (a figure's ``yaxis`` adds to the common one, it does not replace it)."""
    merged = dict(base)
    for key, value in settings.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged


# Margins are fitted to the labels here, not by plotly.js: its automatic margins
# (``automargin``) measure the drawn labels and then draw the whole chart again, two or three
# draws per chart, about half of the dashboard's drawing time in Chromium. A label's width is
# estimated from its length at the figures' 13 px font, on the wide side. ``autoexpand`` stays
# on, so a legend that wraps on a narrow screen still gets its room (one more draw, there only).
_CHAR_PX = 7.5
_TITLE_PX = 28  # a y axis's title beside its tick labels
_LEGEND_PX = 44  # a legend of one row above the plot
_SIN30, _COS30 = 0.5, math.sqrt(3) / 2


def _text_px(texts: Iterable[str]) -> float:
    """The width of the longest of ``texts`` (as plotly gets them: escaped) when drawn."""
    return max((len(unescape(t)) for t in texts), default=0) * _CHAR_PX


def _number_px(values: Iterable[float | None]) -> float:
    """The width of the widest tick label on an axis through ``values`` ("−15 000"): the
    integer digits of the largest value and one more (the next round tick), the thousands
    spaces and a sign; decimals only on axes of small numbers ("−0,25"), within the minimum."""
    largest = max((abs(v) for v in values if v is not None and math.isfinite(v)), default=0.0)
    digits = len(str(int(largest))) + 1
    return max(digits + (digits - 1) // 3 + 1, 5) * _CHAR_PX


def _slanted_px(labels: Sequence[str]) -> tuple[float, float]:
    """(height below the axis, reach left of the first tick) of labels slanted 30° down to
    the left (``tickangle=-30``)."""
    height = _text_px(labels) * _SIN30 + 13 * _COS30 + 12
    return height, (_text_px(labels[:1]) * _COS30 if labels else 0.0)


def _margin(*, left: float, bottom: float, top: float = 20, right: float = 20) -> dict:
    return {"l": round(left), "r": round(right), "t": round(top), "b": round(bottom)}


def _layout(*, y_title: str, height: int = 360, **settings) -> dict:
    """The layout every figure shares, with the figure's own ``settings`` merged into it;
    each figure sets its ``margin`` (``_margin``) to fit its labels."""
    common = {
        # No plotly theme: every figure would carry its 6.5 KB of JSON into the page and
        # plotly.js would apply it on each draw; what the look needs is set here.
        "template": "none",
        "height": height,
        "margin": {"l": 10, "r": 20, "t": 20, "b": 10},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "font": {
            "family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
            "size": 13,
            "color": "#1b1b1b",
        },
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        "separators": ", ",
        "yaxis": {
            "title": {"text": y_title},
            "gridcolor": "#d9dee3",
            "zerolinecolor": "#6c757d",
            "automargin": False,
            "tickformat": ",~f",  # "12 000", not "12k"
        },
        "xaxis": {"automargin": False},
    }
    return _merged(common, settings)


def _figure(traces: list[dict], layout: dict) -> go.Figure:
    """One validated figure from plain trace and layout dicts. Built in one go because plotly's
    builder calls (add_bar, update_layout, make_subplots, add_hline…) each validate and parse
    property paths again: the same figure took several times as long that way."""
    return go.Figure(data=traces, layout=layout)


def _hline(y, *, line: dict, axes: str = "") -> dict:
    """A horizontal line across a plot, as ``add_hline`` draws it (``axes``: "" or "2")."""
    return {
        "type": "line",
        "xref": f"x{axes} domain",
        "x0": 0,
        "x1": 1,
        "yref": f"y{axes}",
        "y0": y,
        "y1": y,
        "line": line,
    }


def _vline(x, *, line: dict) -> dict:
    """A vertical line across the plot, as ``add_vline`` draws it."""
    return {
        "type": "line",
        "xref": "x",
        "x0": x,
        "x1": x,
        "yref": "y domain",
        "y0": 0,
        "y1": 1,
        "line": line,
    }


def gap_years_figure(gap: pd.DataFrame, *, labels: dict[str, str]) -> go.Figure:
    """Per year: the required reduction against the planned range, realised and expected.

    ``gap`` is ``calculations.gap_by_year``; ``labels`` names the traces and the axis
    (keys: required, planned_low, planned_range, realised, expected, axis).
    """
    labels = _labels(labels)
    years = [str(y) for y in gap["year"]]
    low = [_msek(v) for v in gap["planned_low"]]
    span = [_msek(h - lo) for lo, h in zip(gap["planned_low"], gap["planned_high"], strict=True)]
    traces = [
        {
            "type": "bar",
            "name": labels["required"],
            "x": years,
            "y": [_msek(v) for v in gap["required"]],
            "marker": {"color": DARK},
            "offsetgroup": "required",
        },
        {
            "type": "bar",
            "name": labels["planned_low"],
            "x": years,
            "y": low,
            "marker": {"color": MID},
            "offsetgroup": "planned",
        },
        {
            "type": "bar",
            "name": labels["planned_range"],
            "x": years,
            "y": span,
            "base": low,
            "offsetgroup": "planned",
            "marker": {"color": LIGHT, "pattern": {"shape": "/", "fgcolor": MID}},
        },
        {
            "type": "scatter",
            "name": labels["realised"],
            "x": years,
            "y": [_msek(v) for v in gap["realised"]],
            "mode": "markers",
            "marker": {
                "symbol": "diamond",
                "size": 13,
                "color": GREEN,
                "line": {"color": "black", "width": 1},
            },
        },
        {
            "type": "scatter",
            "name": labels["expected"],
            "x": years,
            "y": [_msek(v) for v in gap["expected"]],
            "mode": "markers",
            "marker": {"symbol": "line-ew-open", "size": 26, "color": ACCENT, "line": {"width": 4}},
        },
    ]
    tops = [lo + s for lo, s in zip(low, span, strict=True) if lo is not None and s is not None]
    layout = _layout(
        y_title=labels["axis"],
        barmode="group",
        # Years are names of bars, not a number line ("2 023,5" between the bars).
        xaxis={"type": "category"},
        margin=_margin(
            left=_number_px([*(v for t in traces for v in t["y"]), *tops]) + _TITLE_PX,
            bottom=36,
            top=_LEGEND_PX,
        ),
    )
    return _figure(traces, layout)


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
    waterfall = {
        "type": "waterfall",
        "x": names,
        "y": [_msek(step.amount) for step in steps],
        "measure": measure,
        "connector": {"line": {"color": "#6c757d", "dash": "dot"}},
        "decreasing": {"marker": {"color": MID}},
        "increasing": {"marker": {"color": RED}},
        "totals": {"marker": {"color": DARK}},
        "hovertemplate": "%{x}: %{y:.1f}<extra></extra>",
    }
    below, reach = _slanted_px(names)
    numbers = _number_px([_msek(v) for step in steps for v in (step.amount, step.running)])
    layout = _layout(
        y_title=_label(labels["axis"]),
        height=420,
        showlegend=False,
        xaxis={"tickangle": -30},
        margin=_margin(left=max(numbers + _TITLE_PX, reach), bottom=below),
    )
    return _figure([waterfall], layout)


# The forecast deviation chart's lines: the region's total, then at most this many areas (the
# ones whose forecasts moved most), then the one a reader picks. 160 lines read as nothing.
DEVIATION_AREA_LINES = 5
_SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "cross", "star", "hexagon"]
_DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]

# The two panels of the forecast deviation chart (upper 45 %, lower 55 % of the height, 0.12
# apart) as y domains, in the arithmetic of plotly's make_subplots, so the numbers are the
# same to the last bit: (upper, lower).
_PANEL_SPACING = 0.12
_LOWER_TOP = (1.0 - _PANEL_SPACING) * 0.55
_UPPER_BOTTOM = _LOWER_TOP + _PANEL_SPACING
_TWO_PANELS = (
    [_UPPER_BOTTOM, min(1.0, _UPPER_BOTTOM + (1.0 - _PANEL_SPACING) * 0.45)],
    [0.0, _LOWER_TOP],
)


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
    traces = [
        {
            "type": "scatter",
            "name": labels["total"],
            "x": x,
            "y": [_msek(v) for v in total],
            "mode": "lines+markers",
            "line": {"color": DARK, "width": 4},
            "marker": {"symbol": "circle", "size": 10},
            "xaxis": "x",
            "yaxis": "y",
        }
    ]
    traces += [
        {**deviation_area_trace(area, values, index=index), "x": x}
        for index, (area, values) in enumerate(areas.items())
    ]
    # The panels as plotly's make_subplots(rows=1 or 2, shared_xaxes=True) lays them out: the
    # x axes match the lowest one, which alone shows the round labels. Fixed margins instead
    # of plotly's automatic ones: with two panels, fitting the margins to the round labels
    # redrew the chart several times (about 1 s of its 1.2 s in Chromium).
    x_axis = {"automargin": False, "tickangle": -30, "domain": [0.0, 1.0]}
    # "−15 000", not "−15k"
    y_axis = {"title": {"text": labels["axis"]}, "automargin": False, "tickformat": ",~f"}
    if areas:
        upper, lower = _TWO_PANELS
        axes = {
            "xaxis": {**x_axis, "anchor": "y", "matches": "x2", "showticklabels": False},
            "yaxis": {**y_axis, "anchor": "x", "domain": upper},
            "xaxis2": {**x_axis, "anchor": "y2"},
            "yaxis2": {**y_axis, "anchor": "x2", "domain": lower},
        }
        titles = [(labels["total"], upper[1]), (labels["areas"], lower[1])]
    else:
        axes = {
            "xaxis": {**x_axis, "anchor": "y"},
            "yaxis": {**y_axis, "anchor": "x", "domain": [0.0, 1.0]},
        }
        titles = [(labels["total"], 1.0)]
    zero = {"color": "black", "width": 1}
    layout = _layout(
        y_title=labels["axis"],
        height=600 if areas else 400,
        margin={"l": 70, "r": 20, "t": 40, "b": 190},
        legend={"orientation": "h", "x": 0, "y": -0.3, "yanchor": "top"},
        # The zero line of each panel.
        shapes=[_hline(0, line=zero, axes=panel) for panel in ("", "2")[: 2 if areas else 1]],
        **axes,
    )
    # Each panel's title above it on the left (an empty title has none, as in make_subplots).
    annotations = [
        {
            "text": text,
            "font": {"size": 14},
            "showarrow": False,
            "xref": "paper",
            "x": 0,
            "xanchor": "left",
            "yref": "paper",
            "y": top,
            "yanchor": "bottom",
        }
        for text, top in titles
        if text
    ]
    if annotations:
        layout["annotations"] = annotations
    return _figure(traces, layout)


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
    labels = _labels(labels)
    x = [_label(r) for r in rounds]
    traces = [
        {
            "type": "scatter",
            "name": labels["outlook"],
            "x": x,
            "y": [_msek(v) for v in high],
            "mode": "lines+markers",
            "line": {"color": DARK},
            "marker": {"size": 9},
            "error_y": {
                "type": "data",
                "symmetric": False,
                "array": [0] * len(x),
                "arrayminus": [_msek(h - lo) for lo, h in zip(low, high, strict=True)],
                "color": DARK,
            },
        }
    ]
    if plan_low is not None and plan_high is not None:
        traces.append(
            {
                "type": "scatter",
                "name": labels["plan"],
                "x": x,
                "y": [_msek(plan_high)] * len(x),
                "mode": "lines",
                "line": {"color": MID, "dash": "dash"},
            }
        )
    below, reach = _slanted_px(x)
    numbers = _number_px([*(_msek(v) for v in (*low, *high)), _msek(plan_high), 0.0])
    layout = _layout(
        y_title=labels["axis"],
        shapes=[_hline(0, line={"color": "black", "width": 1})],
        xaxis={"tickangle": -30},
        margin=_margin(left=max(numbers + _TITLE_PX, reach), bottom=below, top=_LEGEND_PX),
    )
    return _figure(traces, layout)


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
    traces = [
        {
            "type": "bar",
            "name": labels["low"],
            "y": names,
            "x": low,
            "orientation": "h",
            "marker": {"color": MID},
        },
        {
            "type": "bar",
            "name": labels["range"],
            "y": names,
            "x": span,
            "base": low,
            "orientation": "h",
            "marker": {"color": LIGHT, "pattern": {"shape": "/", "fgcolor": MID}},
        },
    ]
    layout = _layout(
        y_title="",
        height=max(260, 40 * len(names) + 110),
        barmode="overlay",
        yaxis={"autorange": "reversed"},
        xaxis={"title": {"text": labels["axis"]}, "gridcolor": "#d9dee3", "ticksuffix": " %"},
        shapes=[_vline(100, line={"color": DARK, "width": 2, "dash": "dash"})],
        # The names beside the bars; below, the percentages and the axis's title.
        margin=_margin(left=_text_px(names) + 12, bottom=58, top=_LEGEND_PX, right=30),
    )
    return _figure(traces, layout)


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
