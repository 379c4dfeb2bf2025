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
INSURER = "Insurer"

ALL_GROUPS = [ADMINISTRATOR, DOCTOR, NURSE, RECEPTIONIST, BILLING_CLERK, PHARMACIST, LAB_TECHNICIAN, PATIENT, INSURER]

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
        "patients.payer": "vac",
        "patients.insureraccount": "vac",
        "auth.user": "vac",
        "scheduling.appointment": "vac",
        "scheduling.availability": "vac",
        "scheduling.timeoff": "vac",
        "scheduling.room": "vac",
        "inventory.equipment": "vac",
        "clinical.medicalrecord": "v",
        "clinical.diagnosis": "v",
        "clinical.procedure": "v",
        "clinical.prescription": "v",
        "clinical.laborder": "v",
        "clinical.labresult": "v",
        "clinical.vitals": "v",
        "clinical.procedurecatalog": "vac",
        "clinical.labtest": "vac",
        "inventory.item": "vac",
        "inventory.store": "vac",
        "inventory.stocklevelrule": "vac",
        "inventory.batch": "v",
        "inventory.stockmovement": "v",
        "billing.bill": "vac",
        "billing.billline": "vac",
        "billing.payment": "vac",
        "billing.refund": "vac",
        "billing.claim": "vac",
        "billing.pricelistentry": "vac",
    },
    DOCTOR: {
        **_STAFF_DIRECTORY,
        **_PATIENT_CHART,
        "patients.allergy": "vac",
        "patients.medicalhistoryentry": "vac",
        "scheduling.appointment": "vc",
        "scheduling.availability": "vac",
        "scheduling.timeoff": "vac",
        "scheduling.room": "v",
        "clinical.medicalrecord": "vac",
        "clinical.diagnosis": "vac",
        "clinical.procedure": "vac",
        "clinical.prescription": "vac",
        "clinical.laborder": "vac",
        "clinical.labresult": "v",
        "clinical.vitals": "v",
        "clinical.procedurecatalog": "v",
        "clinical.labtest": "v",
        "inventory.item": "v",
        "inventory.store": "v",
        "inventory.batch": "v",
    },
    NURSE: {
        **_STAFF_DIRECTORY,
        **_PATIENT_CHART,
        "patients.allergy": "vac",
        "patients.medicalhistoryentry": "vac",
        "scheduling.appointment": "vc",
        "clinical.medicalrecord": "v",
        "clinical.diagnosis": "v",
        "clinical.prescription": "v",
        "clinical.laborder": "v",
        "clinical.labresult": "v",
        "clinical.vitals": "va",
        "inventory.item": "v",
        "inventory.store": "v",
        "inventory.batch": "v",
    },
    RECEPTIONIST: {
        **_STAFF_DIRECTORY,
        "patients.patient": "vac",
        "patients.allergy": "vac",
        "patients.medicalhistoryentry": "v",
        "patients.insurancepolicy": "vac",
        "patients.payer": "v",
        "scheduling.appointment": "vac",
        "scheduling.availability": "v",
        "scheduling.timeoff": "v",
        "scheduling.room": "v",
        "inventory.equipment": "v",
        "billing.bill": "v",
        "billing.billline": "v",
        "billing.payment": "va",
    },
    BILLING_CLERK: {
        **_STAFF_DIRECTORY,
        "patients.patient": "v",
        "patients.insurancepolicy": "vac",
        "patients.payer": "v",
        "scheduling.appointment": "v",
        "clinical.procedurecatalog": "v",
        "clinical.labtest": "v",
        "billing.bill": "vac",
        "billing.billline": "vac",
        "billing.payment": "vac",
        "billing.refund": "vac",
        "billing.claim": "vac",
        "billing.pricelistentry": "v",
    },
    PHARMACIST: {
        **_STAFF_DIRECTORY,
        "patients.patient": "v",
        "patients.allergy": "v",
        "clinical.prescription": "v",
        "inventory.item": "vac",
        "inventory.store": "vac",
        "inventory.stocklevelrule": "vac",
        "inventory.batch": "vac",
        "inventory.stockmovement": "va",
        "inventory.equipment": "vac",
    },
    LAB_TECHNICIAN: {
        **_STAFF_DIRECTORY,
        "patients.patient": "v",
        "clinical.laborder": "v",
        "clinical.labresult": "vac",
        "clinical.labtest": "v",
    },
    PATIENT: {
        "staff.hospital": "v",
        "staff.department": "v",
        "staff.staffmember": "v",
        **_PATIENT_CHART,
        "scheduling.appointment": "vac",
        "scheduling.availability": "v",
        "clinical.medicalrecord": "v",
        "clinical.diagnosis": "v",
        "clinical.prescription": "v",
        "clinical.laborder": "v",
        "clinical.labresult": "v",
        "clinical.vitals": "v",
        "billing.bill": "v",
        "billing.billline": "v",
        "billing.payment": "v",
        "billing.refund": "v",
    },
    # An insurer's integration (API only): it reads and adjudicates the claims of the one payer its
    # InsurerAccount links it to (patients.selectors.insurer_payer), nothing else.
    INSURER: {
        "billing.claim": "vc",
        "patients.payer": "v",
    },
}

# Where each role starts after logging in (URL names); the first group of a user that is listed wins.
START_PAGES = {
    ADMINISTRATOR: "dashboard",
    DOCTOR: "scheduling:my_schedule",
    NURSE: "patients:search",
    RECEPTIONIST: "scheduling:board",
    BILLING_CLERK: "billing:outstanding",
    PHARMACIST: "inventory:dashboard",
    LAB_TECHNICIAN: "clinical:lab_worklist",
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
