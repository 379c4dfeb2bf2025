"""Vitals shown in both units (``{% load vitals_units %}``): ``{{ v.temperature_c|temperature }}`` ->
"98.2 °F (36.8 °C)", ``{{ v.weight_kg|weight }}`` -> "176.4 lb (80.00 kg)", ``{{ v.height_cm|height }}`` ->
"68.9 in (175.0 cm)"; a value not measured -> "—". Conversions and rounding: clinical.units."""

from django import template

from clinical import units

register = template.Library()


@register.filter
def temperature(celsius):
    return units.both("temperature_c", celsius)


@register.filter
def weight(kilograms):
    return units.both("weight_kg", kilograms)


@register.filter
def height(centimetres):
    return units.both("height_cm", centimetres)
