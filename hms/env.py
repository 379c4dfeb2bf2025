"""Typed readers for settings from the environment. They fail loudly on nonsense."""

import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name, *, default):
    return os.environ.get(name, default)


def env_bool(name, *, default):
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use 1/0, true/false, yes/no or on/off.")


def env_int(name, *, default, minimum=None, maximum=None):
    """A whole number from the environment; anything else (or one out of range) fails loudly."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be {minimum} or more.")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be {maximum} or less.")
    return value


def env_list(name, *, default):
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_database(name, *, default, conn_max_age=0):
    """A DATABASES entry from a URL: sqlite:///path or mysql://user:pass@host:port/name.

    ``conn_max_age``: seconds a connection is kept for reuse (0, the default, closes it after each
    request). Keep it 0 under ``runserver``, which serves each request on a new thread: any reuse
    there leaves one idle connection per thread until the server hits max_connections.
    """
    url = os.environ.get(name) or default
    try:
        config = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    except Exception as exc:  # dj_database_url raises several types on bad URLs
        raise ImproperlyConfigured(f"{name}={url!r} is not a database URL: {exc}") from exc
    engine = config["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        # Concurrent writers wait for each other instead of failing with "database is locked".
        config["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
        config["CONN_MAX_AGE"] = 0
    elif engine == "django.db.backends.mysql":
        config["OPTIONS"] = {
            "charset": "utf8mb4",
            "isolation_level": "read committed",
            "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
        }
        config.setdefault("TEST", {})
        config["TEST"].update({"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"})
    else:
        raise ImproperlyConfigured(f"{name}: only sqlite:// and mysql:// are supported, not {engine}.")
    return config
