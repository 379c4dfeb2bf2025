"""Form fields shared by the role pages and the FilterSets: dates a user types are bounded.

A date or datetime outside hms.validators.MIN_DATE..MAX_DATE (or one that overflows when its time
zone is applied) is a form error with a message, never a 500 further down.
"""

from django import forms
from django.core.exceptions import ValidationError

from hms.validators import out_of_bounds_message


class BoundedMixin:
    """Refuses a date or datetime outside the bounds, and one that overflows on conversion."""

    param_name = ""  # set on the halves of a filter range, whose errors then name their own query parameter

    def to_python(self, value):
        try:
            return super().to_python(value)
        except (OverflowError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def validate(self, value):
        super().validate(value)
        message = out_of_bounds_message(value)
        if message:
            raise ValidationError(message, code="date_out_of_range")

    def clean(self, value):
        try:
            return super().clean(value)
        except ValidationError as exc:
            if not self.param_name:
                raise
            raise ValidationError(
                [ValidationError(text, code="invalid", params={"param": self.param_name}) for text in exc.messages]
            ) from None


class BoundedDateField(BoundedMixin, forms.DateField):
    pass


class BoundedDateTimeField(BoundedMixin, forms.DateTimeField):
    pass
