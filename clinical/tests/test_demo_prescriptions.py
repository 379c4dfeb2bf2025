"""clinical.demo's helpers for prescriptions that fit the prescriber and whose quantities add up (issue 12)."""

import random
from types import SimpleNamespace

import pytest

from clinical import demo

MEDICATIONS = {code: SimpleNamespace(code=code, unit=unit) for code, _n, _f, _s, unit, _c, _p in demo.MEDICATIONS}


@pytest.mark.parametrize("specialty", sorted(demo.CASES_BY_SPECIALTY))
def test_a_doctor_sees_only_the_stories_of_their_specialty(specialty):
    rng = random.Random(3)

    complaints = {demo.case_for(rng, specialty)[0] for _ in range(50)}

    assert complaints == set(demo.CASES_BY_SPECIALTY[specialty])


def test_a_radiologist_prescribes_nothing_and_a_pediatrician_no_statin():
    rng = random.Random(5)
    radiology = {code for _ in range(50) for code in demo.case_for(rng, "Radiology")[2]}
    pediatrics = {code for _ in range(50) for code in demo.case_for(rng, "Pediatrics")[2]}

    assert radiology == set()
    assert "RX-ATOR-20" not in pediatrics and "RX-METF-500" not in pediatrics


@pytest.mark.parametrize("code", sorted(MEDICATIONS))
def test_the_quantity_is_the_dose_units_times_the_doses_a_day_times_the_days(code):
    rng = random.Random(code)
    for _ in range(20):
        terms = demo.prescription_terms(rng, MEDICATIONS[code])
        doses = demo.DOSES_PER_DAY[terms["frequency"]] * terms["duration_days"]
        _dose, per_unit = demo.DOSE_PER_UNIT.get(code, (None, 1))
        assert terms["quantity"] * per_unit >= doses > (terms["quantity"] - 1) * per_unit


def test_a_course_of_antibiotics_is_days_not_months_and_an_inhaler_is_counted_in_inhalers():
    rng = random.Random(1)
    amoxicillin = [demo.prescription_terms(rng, MEDICATIONS["RX-AMOX-500"]) for _ in range(20)]
    albuterol = [demo.prescription_terms(rng, MEDICATIONS["RX-ALBU-90"]) for _ in range(20)]

    assert {t["duration_days"] for t in amoxicillin} <= {7, 10}
    assert all(t["dose"] == "2 puffs" and t["quantity"] <= 6 for t in albuterol)
