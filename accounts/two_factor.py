"""Two-factor sign-in (django-otp): an authenticator app (TOTP) plus ten one-time recovery codes.

Anyone may turn it on at /account/two-factor/; the roles in settings.TWO_FACTOR_REQUIRED_ROLES (Administrator
and Doctor unless the environment says otherwise; a superuser counts as an Administrator) must: until they have
and use it, every page sends them there. With it on, a login (page, back office, API token) needs a current
code from the app or an unused recovery code besides the password.
"""

import base64

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.policies import is_account_administrator
from hms.exceptions import Conflict
from hms.roles import ADMINISTRATOR, user_roles

RECOVERY_CODES = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def two_factor_required(user):
    """Whether this user's roles oblige them to sign in with a second factor."""
    required = set(getattr(settings, "TWO_FACTOR_REQUIRED_ROLES", []))
    if not required or not user.is_authenticated:
        return False
    return bool(required & set(user_roles(user))) or (user.is_superuser and ADMINISTRATOR in required)


def two_factor_enabled(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def app_secret(device):
    """The key to type into an authenticator app (base32, as the apps expect)."""
    return base64.b32encode(device.bin_key).decode()


@transaction.atomic
def two_factor_start(*, user):
    """The not yet confirmed app device of a user setting up two-factor sign-in (a new one if none)."""
    if two_factor_enabled(user):
        raise Conflict("Two-factor sign-in is already on.", code="already_enabled")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


@transaction.atomic
def two_factor_confirm(*, user, code):
    """Turn two-factor sign-in on once the app shows a matching code. Returns (app device, recovery codes):
    the codes are shown once."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        raise Conflict("Start the set-up again: there is no app waiting to be confirmed.", code="not_started")
    if not device.verify_token(code.strip()):
        raise Conflict("That code does not match. Check the app's clock and try the current code.", code="bad_code")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device, recovery_codes_renew(user=user)


@transaction.atomic
def recovery_codes_renew(*, user):
    """Ten new one-time recovery codes (the old ones stop working)."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True})
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    device.token_set.all().delete()  # spent credentials, not records
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def two_factor_verify(*, user, code):
    """The device a login code belongs to (the app for 6 digits, else the recovery codes), or None.
    A recovery code works once."""
    code = (code or "").strip().replace(" ", "")
    if not code:
        return None
    if code.isdigit() and len(code) == 6:
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
    else:
        devices = StaticDevice.objects.filter(user=user, confirmed=True)
    for device in devices:
        if device.verify_is_allowed()[0] and device.verify_token(code):
            return device
    return None


@transaction.atomic
def two_factor_reset(*, user, acting_user):
    """An administrator turns off a user's two-factor sign-in (a lost phone): the user sets it up again.
    The devices are kept, unconfirmed."""
    if not is_account_administrator(acting_user):
        raise PermissionDenied("Only an administrator may turn off someone's two-factor sign-in.")
    count = TOTPDevice.objects.filter(user=user, confirmed=True).update(confirmed=False)
    StaticDevice.objects.filter(user=user, confirmed=True).update(confirmed=False)
    return count
