"""DRF's serializer API with strict types: the one home for "what a JSON value may be".

Every ``*/api/serializers.py`` imports ``from hms import serializers`` instead of DRF's module;
everything else (``serializers.ValidationError``, ``SerializerMethodField`` ...) is DRF's own.

In a JSON body a value must have the type the schema declares:

- text fields take strings only (``"first_name": 123`` is refused, not stored as "123");
- whole numbers and ids take integers (not ``1.5``, ``true`` or ``"1"``); a related id that is
  not a whole number is refused instead of truncated (``1.5`` no longer picks row 1);
- decimals take numbers or numeric strings, never booleans; booleans take ``true``/``false`` only;
- choices take a value of the choice's own type;
- dates and datetimes lie within hms.validators.MIN_DATE..MAX_DATE (year 9999 is a 400).

Form-encoded and multipart bodies carry every value as text, so for those (``initial_data`` is
a QueryDict) numbers, ids, booleans and choices keep DRF's usual parsing of strings.
"""

import datetime
import math

from django.db import models
from django.http import QueryDict
from rest_framework import fields as drf_fields
from rest_framework import relations as drf_relations
from rest_framework import serializers as drf_serializers
from rest_framework.serializers import *  # noqa: F403  the rest of DRF's serializer API, unchanged

from hms.validators import out_of_bounds_message

INTEGER_KEYS = (models.AutoField, models.IntegerField, models.BigIntegerField, models.SmallIntegerField)


def _form_encoded(field):
    """True when the body being validated came form-encoded or multipart (every value a string)."""
    root = field.root
    return isinstance(getattr(root, "initial_data", None), QueryDict)


def _is_whole_number(data):
    if isinstance(data, bool):
        return False
    if isinstance(data, int):
        return True
    return isinstance(data, float) and math.isfinite(data) and data.is_integer()


class _StrictStringMixin:
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class CharField(_StrictStringMixin, drf_fields.CharField):
    default_error_messages = {"invalid": "Not a valid string: send text in quotes."}


class EmailField(_StrictStringMixin, drf_fields.EmailField):
    pass


class RegexField(_StrictStringMixin, drf_fields.RegexField):
    pass


class SlugField(_StrictStringMixin, drf_fields.SlugField):
    pass


class URLField(_StrictStringMixin, drf_fields.URLField):
    pass


class IPAddressField(_StrictStringMixin, drf_fields.IPAddressField):
    pass


class IntegerField(drf_fields.IntegerField):
    default_error_messages = {"invalid": "A whole number is required."}

    def to_internal_value(self, data):
        if not _form_encoded(self) and not _is_whole_number(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class FloatField(drf_fields.FloatField):
    def to_internal_value(self, data):
        if not _form_encoded(self) and (isinstance(data, bool) or not isinstance(data, (int, float))):
            self.fail("invalid")
        return super().to_internal_value(data)


class DecimalField(drf_fields.DecimalField):
    """A number or a numeric string (decimals are rendered as strings, so clients send them back so)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (str, int, float)):
            self.fail("invalid")
        return super().to_internal_value(data)


class BooleanField(drf_fields.BooleanField):
    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data):
        if not _form_encoded(self) and not isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


class _StrictChoiceMixin:
    def to_internal_value(self, data):
        if not _form_encoded(self) and data != "" and not self._same_type_as_a_choice(data):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)

    def _same_type_as_a_choice(self, data):
        for key in self.choices:
            if type(key) is type(data) or (isinstance(key, str) and isinstance(data, str)):
                return True
            if isinstance(key, int) and not isinstance(key, bool) and _is_whole_number(data):
                return True
        return False


class ChoiceField(_StrictChoiceMixin, drf_fields.ChoiceField):
    pass


class MultipleChoiceField(drf_fields.MultipleChoiceField):
    def to_internal_value(self, data):
        if not _form_encoded(self) and isinstance(data, (list, tuple)):
            for item in data:
                if not _StrictChoiceMixin._same_type_as_a_choice(self, item):
                    self.fail("invalid_choice", input=item)
        return super().to_internal_value(data)


class _BoundedDateMixin:
    default_error_messages = {"date_out_of_range": "{message}"}

    def to_internal_value(self, value):
        try:
            result = super().to_internal_value(value)
        except (OverflowError, ValueError):
            # e.g. 9999-12-31T23:59:59-05:00 overflows when converted to UTC
            self.fail("date_out_of_range", message=out_of_bounds_message(datetime.date.max))
        message = out_of_bounds_message(result)
        if message:
            self.fail("date_out_of_range", message=message)
        return result


class DateField(_BoundedDateMixin, drf_fields.DateField):
    pass


class DateTimeField(_BoundedDateMixin, drf_fields.DateTimeField):
    pass


class PrimaryKeyRelatedField(drf_relations.PrimaryKeyRelatedField):
    """An id: a whole number when the related key is one (never 1.5 read as 1, nor true as 1)."""

    default_error_messages = {
        "incorrect_type": "Incorrect type. Expected an id (a whole number), received {data_type}."
    }

    def to_internal_value(self, data):
        if self._integer_key() and not self._acceptable_integer(data):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)

    def _integer_key(self):
        queryset = self.get_queryset()
        if queryset is None:
            return False
        pk = queryset.model._meta.pk
        if pk.is_relation:
            pk = pk.target_field
        return isinstance(pk, INTEGER_KEYS)

    def _acceptable_integer(self, data):
        if _is_whole_number(data):
            return True
        form = _form_encoded(self) or (self.parent is not None and _form_encoded(self.parent))
        return form and isinstance(data, str) and data.strip().isascii() and data.strip().isdigit()


class ScopedRelatedField(PrimaryKeyRelatedField):
    """The id of a row the requesting user may see: ``scope`` (a selector, user -> queryset) names those rows, and
    any other id is refused like one that does not exist. Without a request (the schema) no row is offered."""

    scope = None

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return self.queryset.none()
        return type(self).scope(request.user)


_STRICT = {
    drf_fields.CharField: CharField,
    drf_fields.EmailField: EmailField,
    drf_fields.RegexField: RegexField,
    drf_fields.SlugField: SlugField,
    drf_fields.URLField: URLField,
    drf_fields.IPAddressField: IPAddressField,
    drf_fields.IntegerField: IntegerField,
    drf_fields.FloatField: FloatField,
    drf_fields.DecimalField: DecimalField,
    drf_fields.BooleanField: BooleanField,
    drf_fields.ChoiceField: ChoiceField,
    drf_fields.MultipleChoiceField: MultipleChoiceField,
    drf_fields.DateField: DateField,
    drf_fields.DateTimeField: DateTimeField,
}


# No docstrings on the two bases below: drf-spectacular would show them on every schema component.


# DRF's Serializer; declare its fields from this module (``serializers.CharField``) to get strict ones.
class Serializer(drf_serializers.Serializer):
    pass


# DRF's ModelSerializer whose generated fields are this module's strict ones.
class ModelSerializer(drf_serializers.ModelSerializer):
    serializer_field_mapping = {
        model_field: _STRICT.get(field_class, field_class)
        for model_field, field_class in drf_serializers.ModelSerializer.serializer_field_mapping.items()
    }
    serializer_related_field = PrimaryKeyRelatedField
    serializer_choice_field = ChoiceField
