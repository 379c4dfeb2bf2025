"""Writing audited models: every save records the acting user in django-simple-history."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model

from hms.typing import ModelT, User


def audited_save(instance: ModelT, *, acting_user: User | None, validate: bool = True, **save_kwargs: Any) -> ModelT:
    """full_clean() then save(), recording acting_user on the history row."""
    if validate:
        instance.full_clean()
    instance._history_user = acting_user
    instance.save(**save_kwargs)
    return instance


def refuse_fixed_changes(instance: Model, data: Mapping[str, Any], fixed: Mapping[str, str]) -> dict[str, Any]:
    """Fields that cannot change after creation: ``fixed`` maps each to the refusal. A value that differs from the
    instance's is a ValidationError on that field (nothing changes); the same value passes. Returns ``data``
    without the fixed fields."""
    rest = {}
    for name, value in data.items():
        if name not in fixed:
            rest[name] = value
            continue
        field = instance._meta.get_field(name)
        current = getattr(instance, field.attname)
        given = getattr(value, "pk", value) if field.is_relation else value
        if given != current:
            raise ValidationError({name: fixed[name]})
    return rest


def apply_changes(
    instance: Model, data: Mapping[str, Any], *, allowed: Collection[str], fixed: Mapping[str, str] | None = None
) -> list[str]:
    """Set the fields named in ``allowed`` from ``data``; return the names that changed.

    ``fixed``: fields that cannot change after creation, with their refusal (see refuse_fixed_changes)."""
    if fixed:
        data = refuse_fixed_changes(instance, data, fixed)
    changed = []
    for field, value in data.items():
        if field not in allowed:
            raise ValueError(f"{field} cannot be changed here.")
        if getattr(instance, field) != value:
            setattr(instance, field, value)
            changed.append(field)
    return changed


def audited_set_active(instance: ModelT, *, active: bool, acting_user: User) -> ModelT:
    """Deactivate (or reactivate) a row under its lock, with a history row; nothing is ever deleted.

    Callers run inside a transaction (the service's ``@transaction.atomic``). Returns the fresh row.
    """
    row = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    if row.is_active != active:
        row.is_active = active
        audited_save(row, acting_user=acting_user)
    return row
