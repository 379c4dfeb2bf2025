"""Role-based access for the API, mapped onto Django model permissions.

Unlike DRF's stock DjangoModelPermissions, reading (GET/HEAD/OPTIONS) needs ``view_<model>``.
Which rows a user may see is the selectors' job: rows outside the scope answer 404.
"""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q
from rest_framework.permissions import DjangoModelPermissions


class RolePermission(DjangoModelPermissions):
    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }

    def has_permission(self, request, view):
        required = getattr(view, "required_permissions", None)
        if required is not None:
            # Domain actions name the permissions they need per HTTP method:
            # required_permissions = {"POST": ["scheduling.change_appointment"]}
            if not request.user or not request.user.is_authenticated:
                return False
            perms = required.get(request.method, required.get("*", []))
            return request.user.has_perms(perms)
        return super().has_permission(request, view)


def action_permissions(*perms):
    """Decorator kwargs for @action: the permissions an action needs, whatever its method.

    DRF accepts an @action keyword only when the viewset has that attribute, so a viewset using
    this declares ``required_permissions = None``.
    """
    return {"required_permissions": {"*": list(perms)}}


def granted_by_role(user, perm):
    """Whether ``perm`` ("app.codename") is given to the user by a role (group) or to them directly.

    Unlike ``user.has_perm`` this is never True just because the user is a superuser: clinical content is
    written by the clinicians whose role allows it, and a superuser's blanket pass does not make one a clinician.
    """
    if not (user and user.is_authenticated and user.is_active):
        return False
    return perm in role_permissions(user)


def role_permissions(user):
    """The set of "app.codename" a user's roles (groups) and direct grants give them, cached on the user
    object for the request. For anyone but a superuser this is Django's own permission cache (shared with
    ``has_perm``, so no extra query); a superuser's real grants are read once."""
    cached = getattr(user, "_hms_role_perms", None)
    if cached is None:
        if user.is_superuser:
            cached = {
                f"{app_label}.{codename}"
                for app_label, codename in Permission.objects.filter(Q(group__user=user) | Q(user=user))
                .values_list("content_type__app_label", "codename")
                .distinct()
            }
        else:
            cached = ModelBackend().get_all_permissions(user)
        user._hms_role_perms = cached
    return cached
