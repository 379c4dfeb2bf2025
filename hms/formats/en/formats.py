"""The house date formats for the "en" locales (en-us and its kin), taken from settings (hms/settings.py), so the
format is written in one place. Without this module Django's own "en" formats ("N j, Y") win over the settings."""

from django.conf import settings

DATE_FORMAT = settings.DATE_FORMAT
SHORT_DATE_FORMAT = settings.SHORT_DATE_FORMAT
TIME_FORMAT = settings.TIME_FORMAT
DATETIME_FORMAT = settings.DATETIME_FORMAT
SHORT_DATETIME_FORMAT = settings.SHORT_DATETIME_FORMAT
