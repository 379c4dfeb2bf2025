"""Type aliases the services, selectors and policies annotate with (tests/test_type_hints.py keeps every
signature there annotated).

``User`` is a signed-in login: settings.AUTH_USER_MODEL is django.contrib.auth's User, an ``AbstractUser``
(and so an ``AbstractBaseUser`` with the permissions mixin). ``AnyUser`` is what ``request.user`` may be: a login
or the anonymous user; the selectors that scope rows take it and answer nothing for the anonymous. ``ModelT``
is any model, for the helpers that give back the instance they were given (``hms.audit.audited_save``).
"""

from __future__ import annotations

from typing import TypeAlias, TypeVar

from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db.models import Model

User: TypeAlias = AbstractUser
AnyUser: TypeAlias = AbstractUser | AnonymousUser
ModelT = TypeVar("ModelT", bound=Model)
