"""Roles (Django groups) and what each may do: the one table of access in HMS.

Each group maps model labels to the actions allowed on them:
``v`` view, ``a`` add, ``c`` change, ``d`` delete. Extra (custom) permissions are named in full.
``manage.py sync_roles`` (and every ``migrate``) re-applies this table exactly: permissions not
listed are removed from the group. Row scoping (a patient sees only their own record) is
done by the selectors on top of these permissions.
"""

from django.db import transaction

ADMINISTRATOR = "Administrator"
DOCTOR = "Doctor"
NURSE = "Nurse"
RECEPTIONIST = "Receptionist"
BILLING_CLERK = "Billing Clerk"
PHARMACIST = "Pharmacist"
LAB_TECHNICIAN = "Lab Technician"
PATIENT = "Patient"

ALL_GROUPS = [ADMINISTRATOR, DOCTOR, NURSE, RECEPTIONIST, BILLING_CLERK, PHARMACIST, LAB_TECHNICIAN, PATIENT]

_STAFF_DIRECTORY = {"staff.hospital": "v", "staff.department": "v", "staff.staffmember": "v", "staff.shift": "v"}
_PATIENT_CHART = {
    "patients.patient": "v",
    "patients.allergy": "v",
    "patients.medicalhistoryentry": "v",
    "patients.insurancepolicy": "v",
}

ROLE_PERMISSIONS = {
    ADMINISTRATOR: {
        "staff.hospital": "vac",
        "staff.department": "vac",
        "staff.staffmember": "vac",
        "staff.shift": "vac",
        "patients.patient": "vac",
        "patients.allergy": "vac",
        "patients.medicalhistoryentry": "vac",
        "patients.insurancepolicy": "vac",
        "auth.user": "vac",
    },
    DOCTOR: {
        **_STAFF_DIRECTORY,
        **_PATIENT_CHART,
        "patients.allergy": "vac",
        "patients.medicalhistoryentry": "vac",
    },
    NURSE: {
        **_STAFF_DIRECTORY,
        **_PATIENT_CHART,
        "patients.allergy": "vac",
        "patients.medicalhistoryentry": "vac",
    },
    RECEPTIONIST: {
        **_STAFF_DIRECTORY,
        "patients.patient": "vac",
        "patients.allergy": "vac",
        "patients.medicalhistoryentry": "v",
        "patients.insurancepolicy": "vac",
    },
    BILLING_CLERK: {
        **_STAFF_DIRECTORY,
        "patients.patient": "v",
        "patients.insurancepolicy": "vac",
    },
    PHARMACIST: {
        **_STAFF_DIRECTORY,
        "patients.patient": "v",
        "patients.allergy": "v",
    },
    LAB_TECHNICIAN: {
        **_STAFF_DIRECTORY,
        "patients.patient": "v",
    },
    PATIENT: {
        "staff.hospital": "v",
        "staff.department": "v",
        "staff.staffmember": "v",
        **_PATIENT_CHART,
    },
}

# Where each role starts after logging in (URL names); the first group of a user that is listed wins.
START_PAGES = {
    ADMINISTRATOR: "admin:index",
    DOCTOR: "patients:search",
    NURSE: "patients:search",
    RECEPTIONIST: "patients:search",
    BILLING_CLERK: "patients:search",
    PHARMACIST: "patients:search",
    LAB_TECHNICIAN: "patients:search",
    PATIENT: "portal:profile",
}

_ACTIONS = {"v": "view", "a": "add", "c": "change", "d": "delete"}


def codenames_for(table):
    """[(app_label, codename), ...] for one role's row of the table."""
    result = []
    for label, actions in table.items():
        app_label, _, model = label.partition(".")
        if actions.startswith("+"):  # a custom permission codename, e.g. "+sign_medicalrecord"
            result.append((app_label, actions[1:]))
            continue
        for letter in actions:
            result.append((app_label, f"{_ACTIONS[letter]}_{model}"))
    return result


@transaction.atomic
def sync_roles(*, verbosity=0, stdout=None):
    """Create the groups and give each exactly the permissions of ROLE_PERMISSIONS."""
    from django.contrib.auth.models import Group, Permission

    missing = []
    for name in ALL_GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        wanted = codenames_for(ROLE_PERMISSIONS.get(name, {}))
        perms = []
        index = {
            (p.content_type.app_label, p.codename): p
            for p in Permission.objects.select_related("content_type").filter(
                codename__in=[codename for _, codename in wanted]
            )
        }
        for key in wanted:
            if key in index:
                perms.append(index[key])
            else:
                missing.append(f"{name}: {key[0]}.{key[1]}")
        group.permissions.set(perms)
        if verbosity and stdout:
            stdout.write(f"{name}: {len(perms)} permissions")
    return missing


def user_roles(user):
    """The role names of a user, in the order of ALL_GROUPS."""
    if not user.is_authenticated:
        return []
    names = {g.name for g in user.groups.all()}
    return [name for name in ALL_GROUPS if name in names]


def has_role(user, role):
    return user.is_authenticated and user.groups.filter(name=role).exists()
