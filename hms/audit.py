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
