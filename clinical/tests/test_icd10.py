"""The ICD-10-CM code list: validation, search, and the lookup command."""

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

    assert [code for code, _ in by_code] == ["K21.00", "K21.01", "K21.9"]
    assert ("K21.9", "Gastro-esophageal reflux disease without esophagitis") in by_words


def test_the_lookup_command_prints_codes_and_refuses_a_bad_limit():
    out = StringIO()
    call_command("icd10", "essential", "hypertension", stdout=out)

    assert "I10       Essential (primary) hypertension" in out.getvalue()
    with pytest.raises(CommandError, match="--limit"):
        call_command("icd10", "I10", limit=0, stdout=StringIO())
