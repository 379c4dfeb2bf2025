"""Care relationships the apps above patients know about, without patients importing them.

A care relationship lets clinical staff read a patient's full chart (patients.policies). patients itself knows
two kinds (an explicit CareAssignment, a break-glass grant); the apps above add theirs in their
``AppConfig.ready()`` with ``register_care_provider``: scheduling adds "an appointment at the user's hospital,
recent or upcoming, or one of the doctor's own" (scheduling.care); inpatient (admissions) and emergency (ED
visits) are to add theirs the same way.

A provider answers two questions:

- ``reason(user, now) -> QuerySet``: why ``user`` cares for the patient ``OuterRef("pk")``, as a queryset of one
  text column sliced to one row ("appointment: visit #12 on ..."), empty without a relationship; it is a scalar
  subquery of the one query that reads every reason (patients.policies.access_reason);
- ``patient_ids(user, now) -> [QuerySet, ...]``: querysets of one column of patient ids, the patients the user
  cares for; they are used as subqueries (``patient_id IN (...)``), never evaluated in Python, so a list scoped
  to them costs no extra query.
"""

from collections.abc import Callable
from typing import NamedTuple


class CareProvider(NamedTuple):
    name: str
    reason: Callable
    patient_ids: Callable


providers: list[CareProvider] = []


def register_care_provider(name: str, *, reason: Callable, patient_ids: Callable) -> None:
    """Add (or replace, by ``name``) a provider of care relationships."""
    providers[:] = [provider for provider in providers if provider.name != name]
    providers.append(CareProvider(name, reason, patient_ids))
