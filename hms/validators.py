"""Date bounds and plausibility rules, the one home for "is this date believable?".

Two layers:

- **Bounds** (``MIN_DATE`` .. ``MAX_DATE``): what any date a user types may be at all. Filters,
  query parameters, serializer and form fields refuse anything outside with a 400, so year 9999
  (which overflows once a time zone or a day is added) never reaches the database.
- **Plausibility** (``check_dates``): what a date may be for one model field, relative to today:
  a payment is not dated 1900 or 2999, a birth date is not in the future. Models call
  ``check_dates`` from ``clean()``; services call ``full_clean()``, so the API, the admin and the
  pages refuse alike. (Rules live in ``clean()``, not in field validators, which would need
  migrations.)
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

MIN_DATE = datetime.date(1800, 1, 1)  # before any living patient; plausibility rules narrow it per field
MAX_DATE = datetime.date(2200, 12, 31)


def _as_date(value):
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            # Comparing the UTC date is enough for a bound of whole years.
            try:
                return value.astimezone(datetime.UTC).date()
            except OverflowError:  # beyond year 1 or 9999 in UTC: certainly out of bounds
                return datetime.date.max if value.year > 1 else datetime.date.min
        return value.date()
    return value


def out_of_bounds_message(value):
    """A message if ``value`` (a date or datetime) lies outside MIN_DATE..MAX_DATE, else None."""
    if value is None:
        return None
    day = _as_date(value)
    if day < MIN_DATE or day > MAX_DATE:
        return f"Enter a date between {MIN_DATE.isoformat()} and {MAX_DATE.isoformat()}."
    return None


def check_in_bounds(value):
    """Raise ValidationError if ``value`` lies outside MIN_DATE..MAX_DATE; return the value otherwise."""
    message = out_of_bounds_message(value)
    if message:
        raise ValidationError(message, code="date_out_of_range")
    return value


def parse_bounded_date(raw):
    """A date from YYYY-MM-DD within the bounds; ValidationError with a message otherwise."""
    try:
        value = datetime.date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValidationError(f"Give the day as YYYY-MM-DD, not {raw!r}.", code="invalid") from None
    return check_in_bounds(value)


ID_MAX = 2**63 - 1  # the database's 64-bit keys


def parse_id(raw):
    """The whole number in ``raw`` if it is a plausible row id (ASCII digits, 64-bit), else None.

    ``str.isdigit()`` alone is not enough: "²" is a digit to Python and a 500 to the database.
    """
    value = str(raw if raw is not None else "").strip()
    if not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if 0 < number <= ID_MAX else None


# --- plausibility ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DateRule:
    """How far from today a field's date may lie. ``None`` means "no limit" on that side."""

    years_back: float | None
    years_ahead: float | None
    days_ahead: int = 0  # slack after today when years_ahead is 0, e.g. for clocks and time zones

    def message(self, value, *, today, label="date"):
        day = _local_date(value)
        if self.years_back is not None and day < _shift(today, -self.years_back):
            if self.years_back >= 100:
                return f"Enter a real {label}: {day.isoformat()} is more than {self.years_back:g} years ago."
            return f"The {label} {day.isoformat()} is too far in the past (more than {self.years_back:g} years ago)."
        if self.years_ahead is not None:
            latest = _shift(today, self.years_ahead) + datetime.timedelta(days=self.days_ahead)
            if day > latest:
                if self.years_ahead == 0:
                    return f"The {label} cannot be in the future."
                return (
                    f"The {label} {day.isoformat()} is too far in the future "
                    f"(more than {self.years_ahead:g} years ahead)."
                )
        return None


def _local_date(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _shift(day, years):
    whole = int(years)
    target_year = min(max(day.year + whole, datetime.MINYEAR), datetime.MAXYEAR)
    try:
        shifted = day.replace(year=target_year)
    except ValueError:  # 29 February
        shifted = day.replace(year=target_year, day=28)
    return shifted + datetime.timedelta(days=round((years - whole) * 365))


# The rules the models use, named for what they describe.
PAST_ONLY = DateRule(years_back=130, years_ahead=0)  # a fact about a life: birth, onset, noted on
RECORDED_NOW = DateRule(years_back=10, years_ahead=0, days_ahead=1)  # money received, vitals taken
SCHEDULE = DateRule(years_back=10, years_ahead=10)  # shifts, time off, availability, appointments
COVERAGE = DateRule(years_back=50, years_ahead=10)  # insurance validity
SERVICE_DAY = DateRule(years_back=10, years_ahead=1)  # the day a bill is for
SHELF_LIFE = DateRule(years_back=10, years_ahead=30)  # batch expiry


def date_errors(instance, rules, *, today=None):
    """{field: message} for each field of ``instance`` whose date breaks its rule (or the bounds)."""
    today = today or timezone.localdate()
    errors = {}
    for field, rule in rules.items():
        value = getattr(instance, field, None)
        if value is None or not isinstance(value, datetime.date):
            continue
        label = str(instance._meta.get_field(field).verbose_name)
        try:
            message = rule.message(value, today=today, label=label) or out_of_bounds_message(value)
        except OverflowError:  # too far out to even convert to local time
            message = out_of_bounds_message(value)
        if message:
            errors[field] = message
    return errors


def check_dates(instance, rules, *, today=None):
    """Raise ValidationError({field: message}) for implausible dates; call it from a model's clean()."""
    errors = date_errors(instance, rules, today=today)
    if errors:
        raise ValidationError(errors)
