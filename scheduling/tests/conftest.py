import pytest

from scheduling import hooks


@pytest.fixture(autouse=True)
def _scheduling_rules_only(monkeypatch):
    """Scheduling's tests pin scheduling's own rules: the completion checks the apps above it register (clinical:
    a record with a diagnosis) are pinned by those apps' tests (clinical/tests/test_completion_gate.py)."""
    monkeypatch.setattr(hooks, "completion_checks", [])
