"""US units for the vitals: typed in °F or °C, lb or kg, in or cm; kept in °C, kg and cm; shown in both."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clinical import units
from clinical.models import Vitals
from clinical.tests.factories import CheckedInAppointmentFactory, MedicalRecordFactory, VitalsFactory
from scheduling.choices import AppointmentStatus

D = Decimal


# --- the conversions ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "typed", "unit", "stored"),
    [
        ("temperature_c", "98.6", "F", "37.0"),
        ("temperature_c", "100.4", "F", "38.0"),
        ("temperature_c", "37.2", "C", "37.2"),
        ("weight_kg", "154", "lb", "69.85"),  # 154 x 0.45359237 = 69.853...
        ("weight_kg", "80", "kg", "80.00"),
        ("height_cm", "70", "in", "177.8"),
        ("height_cm", "175", "cm", "175.0"),
    ],
)
def test_a_value_typed_in_either_unit_is_kept_in_the_stored_unit_rounded_half_up(field, typed, unit, stored):
    assert units.to_stored(field, D(typed), unit) == D(stored)


def test_stored_values_are_shown_in_us_units_to_a_tenth():
    assert units.celsius_to_fahrenheit(D("37.0")) == D("98.6")
    assert units.celsius_to_fahrenheit(D("36.8")) == D("98.2")  # 98.24
    assert units.kilograms_to_pounds(D("80.00")) == D("176.4")  # 176.37
    assert units.centimetres_to_inches(D("175.0")) == D("68.9")  # 68.90


def test_pounds_and_inches_typed_to_a_tenth_come_back_exactly_as_typed():
    for tenths in range(7, 11024, 7):  # 0.7 lb to 1102.3 lb
        typed = D(tenths) / 10
        assert units.kilograms_to_pounds(units.pounds_to_kilograms(typed)) == typed
    for tenths in range(79, 1024):  # 7.9 in to 102.3 in
        typed = D(tenths) / 10
        assert units.centimetres_to_inches(units.inches_to_centimetres(typed)) == typed


def test_a_fahrenheit_reading_comes_back_within_a_tenth_of_a_degree():
    for tenths in range(770, 1131):  # 77.0 °F to 113.0 °F
        typed = D(tenths) / 10
        assert abs(units.celsius_to_fahrenheit(units.fahrenheit_to_celsius(typed)) - typed) <= D("0.1")


def test_the_plausible_ranges_are_stated_in_the_unit_typed():
    assert units.range_in("temperature_c", "F") == (D("77.0"), D("113.0"))
    assert units.range_in("weight_kg", "lb") == (D("0.7"), D("1102.3"))
    assert units.range_in("height_cm", "in") == (D("7.9"), D("102.3"))
    assert units.range_in("weight_kg", "kg") == (D("0.3"), D("500"))


def test_both_units_are_shown_us_first():
    assert units.both("temperature_c", D("36.8")) == "98.2 °F (36.8 °C)"
    assert units.both("weight_kg", D("80.00")) == "176.4 lb (80.00 kg)"
    assert units.both("height_cm", D("175.0")) == "68.9 in (175.0 cm)"
    assert units.both("height_cm", None) == "—"


# --- the nurse's page ---------------------------------------------------------------------------------------------


@pytest.fixture
def visit(db):
    appointment = CheckedInAppointmentFactory(status=AppointmentStatus.IN_PROGRESS, started_at=timezone.now())
    return MedicalRecordFactory(appointment=appointment).appointment


@pytest.fixture
def nurse_client(client, make_user):
    client.force_login(make_user("Nurse"))
    return client


def test_the_vitals_form_offers_fahrenheit_pounds_and_inches_first(nurse_client, visit):
    html = nurse_client.get(reverse("clinical:vitals", args=[visit.pk])).content.decode()

    assert '<option value="F" selected>°F</option>' in html
    assert '<option value="lb" selected>lb</option>' in html
    assert '<option value="in" selected>in</option>' in html
    assert 'aria-label="Temperature unit"' in html


@pytest.mark.usefixtures("without_care_restriction")  # care: tests/test_care_access.py
def test_a_nurse_types_fahrenheit_pounds_and_inches_and_both_units_are_shown(nurse_client, visit):
    response = nurse_client.post(
        reverse("clinical:vitals", args=[visit.pk]),
        {
            "temperature": "100.4",
            "temperature_unit": "F",
            "weight": "176.4",
            "weight_unit": "lb",
            "height": "69",
            "height_unit": "in",
        },
        follow=True,
    )

    vitals = Vitals.objects.get()
    assert (vitals.temperature_c, vitals.weight_kg, vitals.height_cm) == (D("38.0"), D("80.01"), D("175.3"))
    html = response.content.decode()
    assert "100.4 °F (38.0 °C)" in html
    assert "176.4 lb (80.01 kg)" in html
    assert "69.0 in (175.3 cm)" in html


def test_a_nurse_may_type_celsius_and_kilograms(nurse_client, visit):
    nurse_client.post(
        reverse("clinical:vitals", args=[visit.pk]),
        {"temperature": "37.2", "temperature_unit": "C", "weight": "72.5", "weight_unit": "kg"},
    )

    vitals = Vitals.objects.get()
    assert (vitals.temperature_c, vitals.weight_kg) == (D("37.2"), D("72.50"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"temperature": "37", "temperature_unit": "F"}, "Temperature must be between 77.0 and 113.0 °F."),
        ({"temperature": "120", "temperature_unit": "F"}, "Temperature must be between 77.0 and 113.0 °F."),
        ({"temperature": "46", "temperature_unit": "C"}, "Temperature must be between 25 and 45 °C."),
        ({"weight": "1200", "weight_unit": "lb"}, "Weight must be between 0.7 and 1102.3 lb."),
        ({"weight": "600", "weight_unit": "kg"}, "Weight must be between 0.3 and 500 kg."),
        ({"height": "110", "height_unit": "in"}, "Height must be between 7.9 and 102.3 in."),
    ],
)
def test_an_implausible_value_is_refused_in_the_unit_typed_and_nothing_is_saved(nurse_client, visit, data, message):
    response = nurse_client.post(reverse("clinical:vitals", args=[visit.pk]), {"heart_rate": "70", **data})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Vitals.objects.exists()


def test_without_a_unit_the_number_is_read_in_the_unit_the_form_offers(nurse_client, visit):
    nurse_client.post(reverse("clinical:vitals", args=[visit.pk]), {"temperature": "98.6", "weight": "154"})

    vitals = Vitals.objects.get()
    assert (vitals.temperature_c, vitals.weight_kg) == (D("37.0"), D("69.85"))


# --- the chart, the portal and the API show both --------------------------------------------------------------


def test_the_chart_shows_temperature_and_weight_in_both_units(client, make_user, visit):
    VitalsFactory(patient=visit.patient, appointment=visit, temperature_c=D("36.8"), weight_kg=D("80.00"))
    doctor = visit.doctor.user
    client.force_login(doctor)

    html = client.get(reverse("clinical:chart", args=[visit.patient.pk])).content.decode()

    assert "T 98.2 °F (36.8 °C)" in html
    assert "Wt 176.4 lb (80.00 kg)" in html


@pytest.mark.usefixtures("without_care_restriction")  # care: tests/test_care_access.py
def test_the_api_keeps_the_stored_units_and_adds_the_us_ones_read_only(api_as):
    vitals = VitalsFactory(temperature_c=D("36.8"), weight_kg=D("80.00"), height_cm=D("175.0"))
    nurse = api_as("Nurse")

    shown = nurse.get(f"/api/v1/vitals/{vitals.pk}/").json()
    created = nurse.post(
        "/api/v1/vitals/", {"patient": vitals.patient.pk, "temperature_c": "37.0", "temperature_f": "50.0"}
    )

    assert (shown["temperature_c"], shown["temperature_f"]) == ("36.8", "98.2")
    assert (shown["weight_kg"], shown["weight_lb"]) == ("80.00", "176.4")
    assert (shown["height_cm"], shown["height_in"]) == ("175.0", "68.9")
    assert created.status_code == 201 and created.json()["temperature_f"] == "98.6"  # the °F field is read-only
