"""Builders shared by tests that post the measure forms."""

from __future__ import annotations

from measures.models import Measure


def measure_edit_data(m: Measure, *, planned: str = "1", **overrides) -> dict:
    """The edit form of ``m`` as the page would send it, at its current version, with every
    year's planned effect ``planned``–``planned`` (mnkr); ``overrides`` replace fields."""
    data = {
        "code": m.code,
        "title": m.title,
        "description": m.description,
        "category": m.category_id,
        "owner_area": m.owner_area_id or "",
        "responsible": m.responsible,
        "status": m.status,
        "decision_reference": m.decision_reference,
        "start_date": m.start_date.isoformat() if m.start_date else "",
        "version": m.version,
    }
    for year in m.plan.years:
        data[f"low_{year}"] = planned
        data[f"high_{year}"] = planned
    data.update(overrides)
    return data
