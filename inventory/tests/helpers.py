"""Assertions shared by the inventory tests."""

from inventory.selectors import ledger_mismatches


def assert_ledger_balanced():
    """Every batch's quantity on hand equals the sum of its movements."""
    assert ledger_mismatches() == []
