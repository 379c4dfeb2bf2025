"""Serializer fields shared by the apps' APIs."""

from hms import serializers


class BlankAsNullMixin:
    """An optional email or link: stored blank when there is none, answered as null (never "", which is not
    a valid email or URI). Input may send null or "" for "none"; both are stored blank."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def validate_empty_values(self, data):
        if data is None:
            return True, ""
        return super().validate_empty_values(data)

    def to_representation(self, value):
        return super().to_representation(value) if value else None


class OptionalEmailField(BlankAsNullMixin, serializers.EmailField):
    pass


class OptionalURLField(BlankAsNullMixin, serializers.URLField):
    pass
