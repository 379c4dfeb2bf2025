"""HMS settings, read from the environment (see .env.example)."""

from datetime import timedelta
from pathlib import Path

from hms.env import env_bool, env_database, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set in the environment unless DEBUG=1.")
    SECRET_KEY = "insecure-development-key-only-for-debug"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "localflavor",
    "hms",
    "staff",
    "patients",
    "catalog",
    "scheduling",
    "clinical",
    "billing",
    "inventory",
    "reports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files (admin, API docs, ours) from STATIC_ROOT, filled by `manage.py collectstatic`.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "hms.middleware.RequestBodyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hms.middleware.IdleSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hms.access.AccessLogMiddleware",  # the read audit: each request's notes in one INSERT once it succeeded
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "hms.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hms.context_processors.navigation",
            ],
            "builtins": ["hms.templatetags.dates"],
        },
    },
]

WSGI_APPLICATION = "hms.wsgi.application"

# Seconds a database connection is reused across requests; 0 (default) closes it after each request.
# Raise it only under a server with a fixed pool of worker threads (gunicorn), never with runserver.
DATABASE_CONN_MAX_AGE = env_int("DATABASE_CONN_MAX_AGE", default=0, minimum=0)
DATABASES = {
    "default": env_database(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=DATABASE_CONN_MAX_AGE
    )
}
if env_str("DATABASE_REPLICA_URL", default=""):
    # A read replica: reports (reports.registry.run_report) read from it; everything else uses default.
    DATABASES["replica"] = env_database("DATABASE_REPLICA_URL", default="", conn_max_age=DATABASE_CONN_MAX_AGE)
DATABASE_ROUTERS = ["hms.db_router.ReportRouter"]

# Django's ModelBackend, reading a user's roles and permissions in one query per request.
AUTHENTICATION_BACKENDS = ["hms.permissions.RoleBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", default="America/New_York")
USE_I18N = True
USE_TZ = True

# One date format everywhere, US style: pages ({{ day|date }}, {{ moment|date:"DATETIME_FORMAT" }}, {{ t|time }}),
# the invoice PDF and the claim document. The weekday and time-zone variants (|long_day, |short_day, |when_tz,
# |time_tz in hms/templatetags/dates.py) are built from these. FORMAT_MODULE_PATH points at hms/formats, which
# hands them to Django: the "en" locale's own formats ("N j, Y") would otherwise win over these settings.
DATE_FORMAT = "m/d/Y"  # 11/29/2026
SHORT_DATE_FORMAT = DATE_FORMAT
TIME_FORMAT = "g:i A"  # 2:30 PM
DATETIME_FORMAT = f"{DATE_FORMAT} {TIME_FORMAT}"  # 11/29/2026 2:30 PM
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
FORMAT_MODULE_PATH = ["hms.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# WhiteNoise serves STATIC_ROOT with DEBUG=0 too (gzip'd copies, ETags); `manage.py collectstatic` fills it
# before serving (make serve does). Names are not hashed (no manifest), so templates render the same in
# tests, runserver and gunicorn; browsers revalidate after WHITENOISE_MAX_AGE (60 s).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# HIPAA: idle users are logged off. The session expires after SESSION_IDLE_MINUTES without a request.
# hms.middleware.IdleSessionMiddleware renews the expiry at most once per SESSION_REFRESH_SECONDS (not on
# every request), so the logoff comes between IDLE - REFRESH and IDLE after the last request.
SESSION_COOKIE_AGE = 60 * env_int("SESSION_IDLE_MINUTES", default=30, minimum=1)
SESSION_REFRESH_SECONDS = 60

# Tamper evidence (hms/chain.py): the key of the audit seals' HMAC; empty: derived from SECRET_KEY. Keep it out of
# the database (whoever can write the tables and knows it could re-seal them) and never change it.
AUDIT_CHAIN_KEY = env_str("AUDIT_CHAIN_KEY", default="")
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=False)  # set 1 behind HTTPS
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

EMAIL_BACKEND = env_str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="HMS <no-reply@hms.example>")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["hms.permissions.RolePermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "hms.filters.StrictSearchFilter",
        "hms.filters.StrictOrderingFilter",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "hms.parsers.BoundedJSONParser",
        "hms.parsers.BoundedFormParser",
        "hms.parsers.BoundedMultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "hms.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "hms.schema.HmsAutoSchema",
    "EXCEPTION_HANDLER": "hms.exceptions.api_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "HMS API",
    "DESCRIPTION": "Hospital Management System: staff, patients, scheduling, clinical, billing, inventory.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The API's contract is JSON; the form parsers only serve the browsable API's HTML forms.
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    # Choice sets named after their TextChoices, so fields of the same name in other apps ("status",
    # "kind", "severity") never collide (a collision is a schema warning).
    "ENUM_NAME_OVERRIDES": {
        "StaffRoleEnum": "staff.choices.StaffRole",
        "LabResultFlagEnum": "clinical.choices.LabResultFlag",
        "PatientSexEnum": "patients.choices.PatientSex",
        "AllergySeverityEnum": "patients.choices.AllergySeverity",
        "MedicalHistoryStatusEnum": "patients.choices.MedicalHistoryStatus",
        "EmergencyContactRelationEnum": "patients.choices.EmergencyContactRelation",
        "BillLineKindEnum": "billing.choices.BillLineKind",
        "BillStatusEnum": "billing.choices.BillStatus",
        "PaymentMethodEnum": "billing.choices.PaymentMethod",
        "ClaimStatusEnum": "billing.choices.ClaimStatus",
        "ClaimDecisionEnum": "billing.choices.ClaimDecision",
        "ItemKindEnum": "catalog.choices.ItemKind",
        "TreatmentOutcomeEnum": "clinical.choices.TreatmentOutcome",
        "BreakGlassOutcomeEnum": "patients.choices.BreakGlassOutcome",
        "StoreKindEnum": "inventory.choices.StoreKind",
        "StockMovementKindEnum": "inventory.choices.StockMovementKind",
        "AppointmentKindEnum": "scheduling.choices.AppointmentKind",
        "AppointmentStatusEnum": "scheduling.choices.AppointmentStatus",
        "RoomKindEnum": "scheduling.choices.RoomKind",
    },
}

# Bad input is refused early: bodies above this size answer 413; JSON nested deeper than this answers 400.
MAX_REQUEST_BODY_BYTES = env_int("MAX_REQUEST_BODY_BYTES", default=2_621_440, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES
API_MAX_JSON_DEPTH = 32

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusal_one_line": {"()": "hms.log_filters.RefusalOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="WARNING")},
    # A refused request (403, 404, ...) is one warning line with user and path, never a stack trace.
    "loggers": {"django.request": {"filters": ["refusal_one_line"]}},
}

# --- Accounts (issue 14): lockout, two-factor, password hashing, API tokens, security headers ----------------
INSTALLED_APPS += ["axes", "csp", "django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
INSTALLED_APPS += ["accounts"]  # after django_otp: its admin replaces theirs
MIDDLEWARE += [
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.NoStoreMiddleware",  # Cache-Control: no-store on every answer to a logged-in user
    "accounts.middleware.OTPSessionMiddleware",  # request.user.is_verified(): this login was confirmed with a code
    "accounts.middleware.TwoFactorRequiredMiddleware",  # the roles below confirm every login with a code
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into accounts.lockout.lockout_response
]
# django-axes first: a locked-out username or address is refused before its password is checked.
AUTHENTICATION_BACKENDS = ["accounts.backends.LockoutBackend", *AUTHENTICATION_BACKENDS]
# LOGIN_FAILURE_LIMIT failed logins for a username, or from an IP address, lock it for LOGIN_LOCKOUT_MINUTES
# (0: until an administrator unlocks it, back office > Axes > access attempts > "Unlock").
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", default=5, minimum=1)
_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", default=15, minimum=0)
AXES_COOLOFF_TIME = timedelta(minutes=_LOCKOUT_MINUTES) if _LOCKOUT_MINUTES else None
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each counted on its own
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_ENABLE_ADMIN = False  # accounts/admin.py shows the attempts read-only, with an "Unlock" action
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failed login kept (back office > login failures); access log too

# Two-factor sign-in (accounts/two_factor.py): these roles must use it (comma-separated; empty: nobody must,
# anyone may). `make demo` sets it empty so a newcomer logs in as every demo user with the password alone.
TWO_FACTOR_REQUIRED_ROLES = env_list("TWO_FACTOR_REQUIRED_ROLES", default=["Administrator", "Doctor"])
OTP_TOTP_ISSUER = "HMS"

# Argon2 for new passwords; older PBKDF2 hashes still verify and are rehashed with Argon2 at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["ApiTokenStatusEnum"] = "accounts.choices.ApiTokenState"
# API tokens (accounts.models.ApiToken) live API_TOKEN_LIFETIME_HOURS from their issue, however busy; a
# password change, a deactivation or a revocation ends them sooner.
API_TOKEN_LIFETIME = timedelta(hours=env_int("API_TOKEN_LIFETIME_HOURS", default=12, minimum=1))

# Password reset emails (console backend unless EMAIL_BACKEND says otherwise): the SMTP server, if any.
EMAIL_HOST = env_str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
PASSWORD_RESET_TIMEOUT = 60 * 60  # a reset link works for an hour

# HTTPS: behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER=1 (it sends X-Forwarded-Proto).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
if env_bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Content Security Policy: our own scripts, styles and images only; nothing inline, no frames, no plugins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Minimum necessary (patients.policies): clinical staff read full charts of the patients in their care. An
# appointment at their hospital gives a care relationship from CARE_WINDOW_DAYS_BACK days before it until
# CARE_WINDOW_DAYS_AHEAD days before it (a doctor's own appointments always do). Break the glass: a reason of at
# least BREAK_GLASS_REASON_MIN_LENGTH characters opens a chart for BREAK_GLASS_HOURS hours; the privacy officers
# (PRIVACY_OFFICER_EMAILS) get the day's grants from `manage.py break_glass_digest`.
CARE_WINDOW_DAYS_BACK = env_int("CARE_WINDOW_DAYS_BACK", default=30, minimum=0)
CARE_WINDOW_DAYS_AHEAD = env_int("CARE_WINDOW_DAYS_AHEAD", default=30, minimum=0)
BREAK_GLASS_HOURS = env_int("BREAK_GLASS_HOURS", default=4, minimum=1)
BREAK_GLASS_REASON_MIN_LENGTH = env_int("BREAK_GLASS_REASON_MIN_LENGTH", default=15, minimum=1)
PRIVACY_OFFICER_EMAILS = env_list("PRIVACY_OFFICER_EMAILS", default=[])
