"""Units of the vitals, in one place.

The database keeps one unit per measurement (``Vitals.temperature_c`` °C, ``weight_kg`` kg, ``height_cm`` cm);
US staff type °F, lb and inches. Every conversion goes through this module, in Decimal, rounded half up:

- stored: temperature to 0.1 °C, weight to 0.01 kg, height to 0.1 cm (the columns' decimal places);
- shown: °F, lb and in to 0.1.

A weight typed in lb or a height typed in inches (to 0.1) comes back exactly as typed. A temperature typed in °F
is kept to 0.1 °C (0.18 °F), so it may come back 0.1 °F off (98.7 °F is kept as 37.1 °C, shown as 98.8 °F).

The plausible ranges (``VITALS_RANGES``) are in the stored units; ``check_range`` applies them to the converted
value and words a refusal in the unit the user typed.
"""

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError

from clinical.models import VITALS_LABELS, VITALS_RANGES

KG_PER_LB = Decimal("0.45359237")  # exact, by definition of the pound
CM_PER_IN = Decimal("2.54")  # exact, by definition of the inch

CELSIUS, FAHRENHEIT = "C", "F"
KILOGRAM, POUND = "kg", "lb"
CENTIMETRE, INCH = "cm", "in"

# field -> (stored unit, [(unit, label)], the US unit: offered first by forms, shown first everywhere)
UNITS = {
    "temperature_c": (CELSIUS, [(FAHRENHEIT, "°F"), (CELSIUS, "°C")], FAHRENHEIT),
    "weight_kg": (KILOGRAM, [(POUND, "lb"), (KILOGRAM, "kg")], POUND),
    "height_cm": (CENTIMETRE, [(INCH, "in"), (CENTIMETRE, "cm")], INCH),
}
STORED_STEP = {"temperature_c": Decimal("0.1"), "weight_kg": Decimal("0.01"), "height_cm": Decimal("0.1")}
SHOWN_STEP = Decimal("0.1")


def _round(value, step, rounding=ROUND_HALF_UP):
    return Decimal(value).quantize(step, rounding=rounding)


def fahrenheit_to_celsius(value):
    return _round((Decimal(value) - 32) * 5 / 9, STORED_STEP["temperature_c"])


def celsius_to_fahrenheit(value):
    return _round(Decimal(value) * 9 / 5 + 32, SHOWN_STEP)


def pounds_to_kilograms(value):
    return _round(Decimal(value) * KG_PER_LB, STORED_STEP["weight_kg"])


def kilograms_to_pounds(value):
    return _round(Decimal(value) / KG_PER_LB, SHOWN_STEP)


def inches_to_centimetres(value):
    return _round(Decimal(value) * CM_PER_IN, STORED_STEP["height_cm"])


def centimetres_to_inches(value):
    return _round(Decimal(value) / CM_PER_IN, SHOWN_STEP)


_TO_STORED = {FAHRENHEIT: fahrenheit_to_celsius, POUND: pounds_to_kilograms, INCH: inches_to_centimetres}
_FROM_STORED = {FAHRENHEIT: celsius_to_fahrenheit, POUND: kilograms_to_pounds, INCH: centimetres_to_inches}


def unit_label(field, unit):
    return dict(UNITS[field][1])[unit]


def to_stored(field, value, unit):
    """``value`` typed in ``unit`` as the stored unit of ``field`` (rounded to the column's places)."""
    stored_unit = UNITS[field][0]
    if unit == stored_unit:
        return _round(value, STORED_STEP[field])
    return _TO_STORED[unit](value)


def from_stored(field, value, unit):
    """A stored value of ``field`` in ``unit``, to 0.1 (None stays None)."""
    if value is None:
        return None
    if unit == UNITS[field][0]:
        return Decimal(value)
    return _FROM_STORED[unit](value)


def range_in(field, unit):
    """The plausible range of ``field`` in ``unit``, rounded inwards so both ends are inside the stored range."""
    low, high, _ = VITALS_RANGES[field]
    if unit == UNITS[field][0]:
        return Decimal(low), Decimal(high)
    convert = {FAHRENHEIT: lambda c: Decimal(c) * 9 / 5 + 32, POUND: lambda kg: Decimal(kg) / KG_PER_LB}.get(
        unit, lambda cm: Decimal(cm) / CM_PER_IN
    )
    return _round(convert(low), SHOWN_STEP, ROUND_CEILING), _round(convert(high), SHOWN_STEP, ROUND_FLOOR)


def check_range(field, value, unit):
    """``value`` (typed in ``unit``) in the stored unit; a ValidationError in the typed unit when implausible."""
    stored = to_stored(field, value, unit)
    low, high, _ = VITALS_RANGES[field]
    if not low <= stored <= high:
        shown_low, shown_high = range_in(field, unit)
        raise ValidationError(
            f"{VITALS_LABELS[field]} must be between {shown_low} and {shown_high} {unit_label(field, unit)}.",
            code="implausible",
        )
    return stored


def both(field, stored, *, missing="—"):
    """A stored value in both units, the US one first: "98.2 °F (36.8 °C)"; ``missing`` when not measured."""
    if stored is None or stored == "":
        return missing
    stored_unit, _, us = UNITS[field]
    return (
        f"{from_stored(field, stored, us)} {unit_label(field, us)} "
        f"({from_stored(field, stored, stored_unit)} {unit_label(field, stored_unit)})"
    )
