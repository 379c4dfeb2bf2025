"""The words of a timeline line (``summary``), by kind of event: the presentation of clinical.timeline's events,
shared by the API (clinical.api.serializers.HistoryEventSerializer) and the chart and portal history pages
(the ``timeline_summary`` filter of ``{% load timeline %}``)."""

from clinical import units
from clinical.timeline import HistoryEvent, person


def _visit(r) -> str:
    return f"Visit with {r.doctor}: {r.chief_complaint}".rstrip(": ")


def _diagnosis(d) -> str:
    return f"{d.code} {d.description}"


def _prescription(p) -> str:
    return f"{p.medication.name} {p.medication.strength} · {p.dose} {p.frequency}, {p.duration_days} days"


def _lab_result(res) -> str:
    return f"{res.order.test.name}: {res}"


def _vitals(v) -> str:
    parts = []
    if v.blood_pressure:
        parts.append(f"BP {v.blood_pressure}")
    if v.heart_rate is not None:
        parts.append(f"HR {v.heart_rate}")
    if v.temperature_c is not None:
        parts.append(f"T {units.both('temperature_c', v.temperature_c)}")
    if v.spo2 is not None:
        parts.append(f"SpO2 {v.spo2}%")
    if v.weight_kg is not None:
        parts.append(f"Wt {units.both('weight_kg', v.weight_kg)}")
    if v.bmi is not None:
        parts.append(f"BMI {v.bmi}")
    return ", ".join(parts) or "Vitals"


def _amendment(a) -> str:
    return f"Record amended by {person(a.author)}: {a.reason}"


SUMMARIES = {
    "visit": _visit,
    "diagnosis": _diagnosis,
    "prescription": _prescription,
    "lab_result": _lab_result,
    "vitals": _vitals,
    "amendment": _amendment,
}


def summary(event: HistoryEvent) -> str:
    """One line of text for the event, e.g. "Metformin 500 mg · 1 tablet twice daily, 30 days"."""
    return SUMMARIES[event.kind](event.row)
