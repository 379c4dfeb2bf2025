"""Role-based access for the API, mapped onto Django model permissions.

Unlike DRF's stock DjangoModelPermissions, reading (GET/HEAD/OPTIONS) needs ``view_<model>``.
Which rows a user may see is the selectors' job: rows outside the scope answer 404.
"""

from django.contrib.auth.backends import ModelBackend
from rest_framework.permissions import DjangoModelPermissions

from hms.roles import load_access, role_permissions


class RoleBackend(ModelBackend):
    """Django's ModelBackend, with a user's roles and permissions read in one query per request
    (hms.roles.load_access) instead of one for their groups and two for their permissions."""

    def _get_permissions(self, user_obj, obj, from_name):
        if obj is None and user_obj.is_active and not user_obj.is_anonymous and not user_obj.is_superuser:
            load_access(user_obj)
        return super()._get_permissions(user_obj, obj, from_name)


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

    def has_object_permission(self, request, view, obj):
        """Every object a viewset reads through get_object() (a detail, an update, an action) is one the read
        audit notes, by the viewset's ``audit_patient_field`` (hms.access); the scope itself is the selectors'."""
        from hms.access import note_rows
        from hms.access_models import AccessKind

        note_rows(request, view, [obj], kind=AccessKind.API_DETAIL)
        return True


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
