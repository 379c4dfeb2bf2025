"""Model fields shared by the apps."""

import functools

from django.utils.translation import get_language
from localflavor.us import models as us_models
from localflavor.us.us_states import STATE_CHOICES


@functools.lru_cache(maxsize=8)
def _state_choices(language):
    # localflavor's STATE_CHOICES is a lazy tuple sorted by translated name: evaluating it compares lazy
    # strings (two gettext calls per comparison, about 650 comparisons), which every form and serializer
    # that builds the field used to pay (some milliseconds per API request). Sorted once per language here.
    return tuple((code, str(name)) for code, name in STATE_CHOICES)


def state_choices():
    return _state_choices(get_language())


class USStateField(us_models.USStateField):
    """localflavor's USStateField with its choices evaluated once per language instead of on every use.
    The same column and the same migrations: it deconstructs as localflavor's field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = state_choices  # a callable: Django re-reads it (cheaply) where choices are listed

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "localflavor.us.models.USStateField", args, kwargs
