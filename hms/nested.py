"""Nested data obeys the role table (hms/roles.py), in every API answer.

An answer about one row often carries rows of other models: a patient's allergies, a bill's
refunds, a record's diagnoses. ``NestedAccessMixin`` on a serializer makes each such field follow
the same rule as the model's own endpoint:

- a nested ``ModelSerializer`` field (one row or many) of a model other than the serializer's own
  is filled only when the requesting user has ``<app>.view_<model>``;
- so is a field named in the serializer's ``Meta.nested_models`` (``{"claim": Claim}``): a method
  field or a dotted source that shows another model's row in another shape;
- a field whose source is a restricted field of ``hms.roles.RESTRICTED_FIELDS`` (an appointment's
  clinical ``reason``), on the serializer's own model or reached through a dotted source
  (``appointment.reason``), is filled only for the users ``hms.roles.may_read_field`` allows.

A field the user may not read is ``null`` (the key stays, so the shape is the same for every
role; ``[]`` still means "there are none"). The serializer does not even evaluate the field (a
view's prefetch may still load it). The OpenAPI schema marks these fields nullable and says when
they are null. Without a request in the serializer's context nothing guarded is shown (fail
closed): pass ``context={"request": ...}``.
"""

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from rest_framework import serializers

from hms.roles import RESTRICTED_FIELDS, may_read_field


def view_permission(model):
    """``app.view_model``: the permission to read rows of ``model``."""
    opts = model._meta
    return f"{opts.app_label}.view_{opts.model_name}"


def serializer_model(serializer):
    """The model a (model) serializer shows, else None."""
    return getattr(getattr(serializer, "Meta", None), "model", None)


def nested_model(field):
    """The model whose rows a serializer field embeds (a nested ModelSerializer, one or many), else None."""
    inner = field.child if isinstance(field, serializers.ListSerializer) else field
    if isinstance(inner, serializers.ModelSerializer):
        return serializer_model(inner)
    return None


def source_field_label(model, source_attrs):
    """``"app.model.field"`` of the model field a (dotted) source ends on, following relations; else None."""
    if model is None or not source_attrs:
        return None
    for attr in source_attrs[:-1]:
        try:
            model = model._meta.get_field(attr).related_model
        except FieldDoesNotExist:
            return None
        if model is None:
            return None
    opts = model._meta
    return f"{opts.app_label}.{opts.model_name}.{source_attrs[-1]}"


class Guard:
    """Why a field may be hidden: ``check(user)`` says whether the user may read it; ``note`` tells the schema."""

    def __init__(self, check, note):
        self.check = check
        self.note = note


def guards_for(model, fields, nested_models=None):
    """{field name: [Guard, ...]} for the ``fields`` of a serializer of ``model`` that show data some roles
    may not read. ``nested_models`` is the serializer's ``Meta.nested_models``."""
    declared = nested_models or {}
    guards = {}
    for name, field in fields.items():
        if field.write_only:
            continue
        found = []
        nested = nested_model(field)
        if nested is not None and nested is not model:
            found.append(nested)
        if name in declared:
            found.append(declared[name])
        for other in found:
            perm = view_permission(other)
            guards.setdefault(name, []).append(
                Guard(
                    lambda user, perm=perm: user.has_perm(perm),
                    f"Null when you may not view {other._meta.verbose_name_plural}.",
                )
            )
        source = field.source or name
        label = source_field_label(model, source.split(".")) if source != "*" else None
        if label in RESTRICTED_FIELDS:
            guards.setdefault(name, []).append(
                Guard(
                    lambda user, label=label: may_read_field(user, label),
                    "Clinical: null for roles that may not read it.",
                )
            )
    return guards


class NestedAccessMixin:
    """Serializer mixin: other models' data only for users who may view it (see the module docstring)."""

    def get_fields(self):
        fields = super().get_fields()
        meta = getattr(self, "Meta", None)
        self._guards = guards_for(serializer_model(self), fields, getattr(meta, "nested_models", None))
        for name, guards in self._guards.items():
            field = fields[name]
            if not field.read_only:
                raise ImproperlyConfigured(f"{type(self).__name__}.{name} is guarded by role and must be read-only.")
            field.allow_null = True  # the schema says it may be null
            notes = " ".join(dict.fromkeys(guard.note for guard in guards))
            field.help_text = f"{field.help_text} {notes}" if field.help_text else notes
        return fields

    def hidden_fields(self):
        """Names of the fields the requesting user may not read (computed once per serializer)."""
        cached = getattr(self, "_hidden_fields", None)
        if cached is None:
            self.fields  # noqa: B018 (builds the fields, and so self._guards)
            request = self.context.get("request")
            user = getattr(request, "user", None)
            cached = frozenset(
                name
                for name, guards in self._guards.items()
                if user is None or not user.is_authenticated or not all(guard.check(user) for guard in guards)
            )
            self._hidden_fields = cached
        return cached

    @property
    def _readable_fields(self):
        # DRF's Serializer.to_representation reads the fields from here: hidden ones are never evaluated.
        hidden = self.hidden_fields()
        for field in super()._readable_fields:
            if field.field_name not in hidden:
                yield field

    def to_representation(self, instance):
        data = super().to_representation(instance)
        hidden = self.hidden_fields()
        if not hidden:
            return data
        return {
            name: (None if name in hidden else data[name])
            for name, field in self.fields.items()
            if not field.write_only and (name in hidden or name in data)
        }
