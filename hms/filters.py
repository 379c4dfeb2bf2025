"""Strict query filters for every list: a bad value is a 400 naming the parameter, never a silent no-op.

- ``FilterSet``: the base of every app's FilterSets. Whatever filters a subclass declares or
  generates, it gives them strict form fields: booleans accept only true/false (and 1/0),
  dates lie within hms.validators.MIN_DATE..MAX_DATE, ids are whole numbers.
- ``StrictOrderingFilter``: an unknown ``?ordering=`` field is a 400 (set in REST_FRAMEWORK);
  ``StrictSearchFilter`` names ``search`` in its refusals.
- Bounded date fields come from hms.forms, shared with the role pages' forms.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.utils import ErrorDict, ErrorList
from django_filters import fields as filter_fields
from django_filters.utils import get_model_field
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.filters import OrderingFilter, SearchFilter

from hms.forms import BoundedDateField, BoundedDateTimeField, BoundedMixin
from hms.validators import ID_MAX

# --- form fields ----------------------------------------------------------------------------------


class BoundedIsoDateTimeField(BoundedMixin, filter_fields.IsoDateTimeField):
    pass


def _named(field, param_name):
    field.param_name = param_name
    return field


class _BoundedRangeMixin:
    """A from/to pair whose two halves are bounded; messages name the query parameter (date_before...)."""

    part_class = BoundedDateField

    def __init__(self, *args, param_name="", **kwargs):
        suffixes = self.widget.suffixes
        fields = tuple(_named(self.part_class(), f"{param_name}_{suffix}" if param_name else "") for suffix in suffixes)
        forms.MultiValueField.__init__(self, fields, *args, **kwargs)


class BoundedDateRangeField(_BoundedRangeMixin, filter_fields.DateRangeField):
    part_class = BoundedDateField


class BoundedDateTimeRangeField(_BoundedRangeMixin, filter_fields.DateTimeRangeField):
    part_class = BoundedDateTimeField


class BoundedIsoDateTimeRangeField(_BoundedRangeMixin, filter_fields.IsoDateTimeRangeField):
    part_class = BoundedIsoDateTimeField


TRUE_VALUES = {"true", "True", "1", "2"}  # "2"/"3": what Django's NullBooleanSelect used to send
FALSE_VALUES = {"false", "False", "0", "3"}
EMPTY_VALUES = {"", "unknown"}


class RawNullBooleanSelect(forms.NullBooleanSelect):
    """Hands the raw value to the field, so junk is refused instead of read as "no filter"."""

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class StrictNullBooleanField(forms.NullBooleanField):
    widget = RawNullBooleanSelect

    def to_python(self, value):
        if value is None or value is True or value is False:
            return value
        if value in TRUE_VALUES:
            return True
        if value in FALSE_VALUES:
            return False
        if value in EMPTY_VALUES:
            return None
        raise ValidationError(f"Enter true or false, not {str(value)[:50]!r}.", code="invalid")

    def validate(self, value):
        pass


class IdField(forms.IntegerField):
    """A row id: a whole number within the database's 64-bit keys."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(*args, **kwargs)


# --- the FilterSet base ---------------------------------------------------------------------------

_STRICT_FIELD_CLASSES = {
    forms.NullBooleanField: StrictNullBooleanField,
    forms.DateField: BoundedDateField,
    forms.DateTimeField: BoundedDateTimeField,
    filter_fields.IsoDateTimeField: BoundedIsoDateTimeField,
    filter_fields.DateRangeField: BoundedDateRangeField,
    filter_fields.DateTimeRangeField: BoundedDateTimeRangeField,
    filter_fields.IsoDateTimeRangeField: BoundedIsoDateTimeRangeField,
}
_RANGE_FIELD_CLASSES = (BoundedDateRangeField, BoundedDateTimeRangeField, BoundedIsoDateTimeRangeField)


def _is_integer_key(model, field_name):
    if not field_name or model is None:
        return False
    field = get_model_field(model, field_name)
    if field is None:
        return False
    if field.is_relation:
        field = field.target_field
    return isinstance(field, (models.AutoField, models.IntegerField, models.BigIntegerField))


class FilterSet(django_filters.FilterSet):
    """Every app's FilterSet base: strict fields for every filter, declared or generated."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model = self.queryset.model if self.queryset is not None else getattr(self._meta, "model", None)
        for name, filter_ in self.filters.items():
            strict = _STRICT_FIELD_CLASSES.get(filter_.field_class)
            if strict is not None:
                filter_.field_class = strict
                if strict in _RANGE_FIELD_CLASSES:
                    filter_.extra.setdefault("param_name", name)
            elif filter_.field_class is forms.DecimalField and _is_integer_key(model, filter_.field_name):
                filter_.field_class = IdField

    @property
    def errors(self):
        """{query parameter: [messages]}: a range's errors under date_after / date_before, not "date"."""
        errors = ErrorDict()
        for name, error_list in self.form.errors.as_data().items():
            for error in error_list:
                key = (error.params or {}).get("param", name)
                # django-filter %-formats these messages again: a % the user typed is written %%.
                errors.setdefault(key, ErrorList()).extend(
                    ValidationError(text.replace("%", "%%"), code=error.code) for text in error
                )
        return errors


# --- ordering -------------------------------------------------------------------------------------


class StrictOrderingFilter(OrderingFilter):
    """``?ordering=`` with a field the list cannot be sorted by is a 400 naming it, not ignored."""

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid_fields = [item[0] for item in self.get_valid_fields(queryset, view, {"request": request})]
        invalid = [term for term in fields if term and term.lstrip("-") not in valid_fields]
        if invalid:
            allowed = ", ".join(sorted(valid_fields)) or "none"
            terms = ", ".join(repr(term) for term in invalid)
            raise APIValidationError({self.ordering_param: [f"Cannot sort by {terms}. Choose from: {allowed}."]})
        return super().remove_invalid_fields(queryset, fields, view, request)


class StrictSearchFilter(SearchFilter):
    """``?search=`` refusals (a NUL character) in the API's usual shape: {"search": ["message"]}."""

    def get_search_terms(self, request):
        try:
            return super().get_search_terms(request)
        except APIValidationError as exc:
            raise APIValidationError({self.search_param: exc.detail}) from None
