"""The ICD-10-CM code list: validation, search, and the lookup command."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from clinical import icd10


@pytest.mark.parametrize(
    ("code", "billable"),
    [
        ("E11.9", True),
        ("e119", True),
        (" I10 ", True),
        ("S72.001A", True),  # 7th character extension
        ("M54.50", True),
        ("M54.5", False),  # a category since 2021: choose M54.50, M54.51, M54.59
        ("E11", False),
        ("A00-A09", False),  # a block, not a code
        ("E11.99", False),
        ("", False),
        ("DROP TABLE", False),
    ],
)
def test_only_billable_codes_are_valid(code, billable):
    assert icd10.is_billable(code) is billable


def test_codes_are_normalised_with_their_dot_and_described_from_the_list():
    assert icd10.normalise("j069") == "J06.9"
    assert icd10.description("J06.9") == "Acute upper respiratory infection, unspecified"


def test_search_by_code_start_then_words():
    by_code = icd10.search("K21")
    by_words = icd10.search("Gastro-esophageal reflux without esophagitis")

    assert [code for code, _ in by_code] == ["K21.9", "K21.00", "K21.01"]  # the common, general code first
    assert ("K21.9", "Gastro-esophageal reflux disease without esophagitis") in by_words


def test_the_lookup_command_prints_codes_and_refuses_a_bad_limit():
    out = StringIO()
    call_command("icd10", "essential", "hypertension", stdout=out)

    assert "I10       Essential (primary) hypertension" in out.getvalue()
    with pytest.raises(CommandError, match="--limit"):
        call_command("icd10", "I10", limit=0, stdout=StringIO())


def _codes(query, n=None):
    return [code for code, _ in icd10.search(query)][:n]


def test_hypertension_lists_essential_hypertension_first_not_intracranial_or_ocular():
    codes = _codes("hypertension")

    assert codes[0] == "I10"
    assert codes.index("I10") < codes.index("G93.2") and codes.index("I10") < codes.index("H40.051")


@pytest.mark.parametrize(
    ("query", "first", "all_within"),
    [
        ("afib", "I48.91", "I48."),  # not placental afibrinogenemia
        ("AFib", "I48.91", "I48."),
        ("a fib", "I48.91", "I48."),
        ("HTN", "I10", None),
        ("T2DM", "E11.9", None),
        ("diabetes type 2", "E11.9", None),
        ("MI", "I21.9", None),
        ("heart attack", "I21.9", None),
        ("COPD", "J44.9", "J44."),
        ("UTI", "N39.0", None),
        ("CHF", "I50.9", None),
        ("essential hypertension", "I10", None),
        ("E11", "E11.9", "E11."),  # a category's general code before its specific children
    ],
)
def test_abbreviations_and_synonyms_find_the_common_code_first(query, first, all_within):
    codes = _codes(query)

    assert codes[0] == first
    if all_within:
        assert all(code.startswith(all_within) for code in codes)


def test_afib_does_not_find_placental_afibrinogenemia():
    assert "O43.89" not in _codes("afib") and not any(code.startswith("O") for code in _codes("afib"))


def test_whole_words_rank_before_parts_of_words_and_all_words_must_match():
    rows = icd10.search("thyroid")
    whole = [bool(re.search(r"\bthyroids?\b", text.lower())) for _, text in rows]

    assert rows[0][0] != "E03.9"  # Hypothyroidism, unspecified: "thyroid" is only part of a word
    assert False in whole and whole == sorted(whole, reverse=True)  # "Thyroid ..." before "Hypothyroidism"
    assert all("thyroid" in text.lower() for _, text in rows)
    assert all("kidney" in t.lower() and "chronic" in t.lower() for _, t in icd10.search("chronic kidney"))


def test_within_a_code_start_the_general_codes_come_before_their_children():
    codes = _codes("E11.6")

    assert codes.index("E11.65") < codes.index("E11.610") and codes.index("E11.69") < codes.index("E11.628")


def test_every_common_code_and_every_synonym_is_real():
    assert all(icd10.is_billable(code) for code in icd10.COMMON_CODES)
    assert all(icd10.search(abbreviation) for abbreviation in icd10.SYNONYMS)


@pytest.mark.django_db
def test_the_api_ranks_the_same_way_and_keeps_its_shape_and_count(api_as):
    client = api_as("Doctor")

    response = client.get("/api/v1/icd10/", {"search": "afib"})

    assert response.status_code == 200
    assert response.data["count"] == len(icd10.search("afib"))
    assert response.data["results"][0] == {"code": "I48.91", "description": "Unspecified atrial fibrillation"}
