"""Writing audited models: every save records the acting user in django-simple-history."""


def audited_save(instance, *, acting_user, validate=True, **save_kwargs):
    """full_clean() then save(), recording acting_user on the history row."""
    if validate:
        instance.full_clean()
    instance._history_user = acting_user
    instance.save(**save_kwargs)
    return instance


def apply_changes(instance, data, *, allowed):
    """Set the fields named in ``allowed`` from ``data``; return the names that changed."""
    changed = []
    for field, value in data.items():
        if field not in allowed:
            raise ValueError(f"{field} cannot be changed here.")
        if getattr(instance, field) != value:
            setattr(instance, field, value)
            changed.append(field)
    return changed


def audited_set_active(instance, *, active, acting_user):
    """Deactivate (or reactivate) a row under its lock, with a history row; nothing is ever deleted.

    Callers run inside a transaction (the service's ``@transaction.atomic``). Returns the fresh row.
    """
    row = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    if row.is_active != active:
        row.is_active = active
        audited_save(row, acting_user=acting_user)
    return row
