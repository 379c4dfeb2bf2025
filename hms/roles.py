"""Roles (Django groups) and what each may do: the one table of access in HMS.

Each group maps model labels to the actions allowed on them:
``v`` view, ``a`` add, ``c`` change, ``d`` delete. Extra (custom) permissions are named in full.
``manage.py sync_roles`` (and every ``migrate``) re-applies this table exactly: permissions not
listed are removed from the group. Row scoping (a patient sees only their own record) is
done by the selectors on top of these permissions.

The table follows "minimum necessary": each role gets what its work needs and no more.
Clinical facts (allergies, medical history, diagnoses, records, prescriptions, results) are
written by clinical roles only. Nested data obeys the same table (``hms/nested.py``): a row of
another model inside an answer (a patient's allergies, a bill's refunds) is shown only to a
role that may view that model, and a clinical field of a non-clinical row (an appointment's
``reason``) only to the roles named in ``RESTRICTED_FIELDS``.

| role | reads of patient data | writes | needs it for |
| --- | --- | --- | --- |
| Administrator | everything; clinical facts read-only | demographics, insurance, visits, bills | running hospitals |
| Doctor | demographics, allergies, history, records, results | allergies, history, the clinical record | treating |
| Nurse | demographics, allergies, history, records, results | allergies, history, vitals, visit status | care |
| Receptionist | demographics, insurance, visits with reason, bills | demographics, insurance, visits, payments | desk |
| Billing Clerk | demographics, insurance, visits without reason, bills | insurance, bills, payments, claims | billing |
| Pharmacist | demographics, allergies, prescriptions | pharmacy stock and dispensing | dispensing safely |
| Lab Technician | demographics, lab orders | lab results | running tests |
| Patient | their own chart, visits, results, bills | their own appointments | their care |
| Insurer | claims | claim decisions | adjudication (a claims queue page; decisions through the API) |
| Privacy Officer | the access log and security events | nothing | audit (who saw what; failed logins, lockouts) |

Why the lines are drawn where they are:
- allergies and medical history are clinical facts: doctors and nurses record them, the pharmacist
  reads allergies for the dispensing check, administrators read them for oversight; receptionists
  neither read nor change them (a wrong allergy change harms a patient; registration needs none);
- insurance is for the desk and billing: clinicians do not need payer or policy numbers to treat;
- the reason for a visit is clinical: those who book the visit (and record it) and the clinical
  roles read it; billing clerks see appointments to bill them, without the reason;
- lab technicians and pharmacists see the patient's identity to match samples and prescriptions,
  and only the clinical rows their work is about.
"""

import contextlib

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
PRIVACY_OFFICER = "Privacy Officer"

ALL_GROUPS = [
    ADMINISTRATOR,
    DOCTOR,
    NURSE,
    RECEPTIONIST,
    BILLING_CLERK,
    PHARMACIST,
    LAB_TECHNICIAN,
    PATIENT,
    INSURER,
    PRIVACY_OFFICER,
]

_STAFF_DIRECTORY = {"staff.hospital": "v", "staff.department": "v", "staff.staffmember": "v", "staff.shift": "v"}
# What a clinician reads of a patient's chart basics (insurance is not needed to treat).
_CLINICAL_CHART = {
    "patients.patient": "v",
    "patients.consent": "v",  # whether the patient agreed to sharing with outside providers, to research
    "patients.allergy": "vac",
    "patients.medicalhistoryentry": "vac",
}

ROLE_PERMISSIONS = {
    ADMINISTRATOR: {
        "staff.hospital": "vac",
        "staff.department": "vac",
        "staff.staffmember": "vac",
        "staff.shift": "vac",
        "patients.patient": "vac",
        "patients.allergy": "v",  # clinical facts: administrators see, clinicians write
        "patients.medicalhistoryentry": "v",
        "patients.insurancepolicy": "vac",
        "patients.payer": "vac",
        "patients.insureraccount": "vac",
        "patients.careassignment": "vac",  # explicit care relationships (patients.services.care_assign)
        "patients.breakglassgrant": "v",  # reviewed by the privacy officer
        "patients.consent": "vac",
        "auth.user": "vac",
        "accounts.apitoken": "vc",  # c: only the revoke action (accounts.services.token_revoke)
        "axes.accessattempt": "vc",  # c: only the unlock action (accounts.services.login_unlock)
        "axes.accessfailurelog": "v",
        "axes.accesslog": "v",
        "otp_totp.totpdevice": "vc",  # c: only "turn off" (accounts.two_factor.two_factor_reset)
        "otp_static.staticdevice": "vc",
        "scheduling.appointment": "vac",
        "scheduling.availability": "vac",
        "scheduling.timeoff": "vac",
        "scheduling.room": "vac",
        "scheduling.equipment": "vac",
        "clinical.medicalrecord": "v",
        "clinical.recordamendment": "v",  # written only by clinical.services.record_amend
        "clinical.diagnosis": "v",
        "clinical.procedure": "v",
        "clinical.prescription": "v",
        "clinical.laborder": "v",
        "clinical.labresult": "v",
        "clinical.criticalresultcall": "v",
        "clinical.vitals": "v",
        "clinical.procedurecatalog": "vac",
        "clinical.labtest": "vac",
        "catalog.item": "vac",
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
        **_CLINICAL_CHART,
        "scheduling.appointment": "vc",
        "scheduling.availability": "vac",
        "scheduling.timeoff": "vac",
        "scheduling.room": "v",
        "clinical.medicalrecord": "vac",
        "clinical.recordamendment": "v",  # written only by clinical.services.record_amend
        "clinical.diagnosis": "vac",
        "clinical.procedure": "vac",
        "clinical.prescription": "vac",
        "clinical.laborder": "vac",
        "clinical.labresult": "v",
        "clinical.criticalresultcall": "v",
        "clinical.vitals": "v",
        "clinical.procedurecatalog": "v",
        "clinical.labtest": "v",
        "catalog.item": "v",
        "inventory.store": "v",
        "inventory.batch": "v",
    },
    NURSE: {
        **_STAFF_DIRECTORY,
        **_CLINICAL_CHART,
        "scheduling.appointment": "vc",
        "clinical.medicalrecord": "v",
        "clinical.recordamendment": "v",  # written only by clinical.services.record_amend
        "clinical.diagnosis": "v",
        "clinical.prescription": "v",
        "clinical.laborder": "v",
        "clinical.labresult": "v",
        "clinical.criticalresultcall": "v",
        "clinical.vitals": "va",
        "catalog.item": "v",
        "inventory.store": "v",
        "inventory.batch": "v",
    },
    RECEPTIONIST: {
        **_STAFF_DIRECTORY,
        "patients.patient": "vac",
        "patients.insurancepolicy": "vac",  # verified at check-in
        "patients.consent": "vac",  # recorded at the desk
        "patients.payer": "v",
        "scheduling.appointment": "vac",
        "scheduling.availability": "v",
        "scheduling.timeoff": "v",
        "scheduling.room": "v",
        "scheduling.equipment": "v",
        "billing.bill": "v",
        "billing.billline": "v",
        "billing.payment": "va",  # copays at the desk
        "billing.refund": "v",  # a bill's balance is explained by its payments and refunds
    },
    BILLING_CLERK: {
        **_STAFF_DIRECTORY,
        "patients.patient": "v",
        "patients.insurancepolicy": "vac",
        "patients.payer": "v",
        "scheduling.appointment": "v",  # without the clinical reason (RESTRICTED_FIELDS)
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
        "patients.allergy": "v",  # the allergy check when dispensing
        "clinical.prescription": "v",
        "catalog.item": "vac",
        "inventory.store": "vac",
        "inventory.stocklevelrule": "vac",
        "inventory.batch": "vac",
        "inventory.stockmovement": "va",
        "scheduling.equipment": "vac",
    },
    LAB_TECHNICIAN: {
        **_STAFF_DIRECTORY,
        "patients.patient": "v",
        "clinical.laborder": "v",
        "clinical.labresult": "vac",
        "clinical.criticalresultcall": "va",  # phoning critical results through
        "clinical.labtest": "v",
    },
    PATIENT: {
        "staff.hospital": "v",
        "staff.department": "v",
        "staff.staffmember": "v",
        "patients.patient": "v",
        "patients.allergy": "v",
        "patients.medicalhistoryentry": "v",
        "patients.insurancepolicy": "v",
        "patients.consent": "v",
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
    # The privacy officer reads the access log (who saw which patient) and the security events (logins,
    # lockouts, role changes); nobody writes either (hms.access_models: append-only). They review break-glass
    # grants (c: only the review, patients.services.break_glass_review) and read who is assigned to whose care.
    PRIVACY_OFFICER: {
        "hms.accessentry": "v",
        "hms.securityevent": "v",
        "patients.patient": "v",  # who the patient is (demographics), on reviews and access reports
        "patients.breakglassgrant": "vc",
        "patients.careassignment": "v",
    },
}

# Clinical fields of rows that are not clinical themselves: "app.model.field" -> the permissions any one of
# which lets a user read the field. Everyone else gets null in the API (hms/nested.py) and nothing on pages.
# The reason for a visit is read by whoever may read the clinical record and by those who book visits
# (they record it); a billing clerk, who sees appointments to bill them, does not read it.
RESTRICTED_FIELDS = {
    "scheduling.appointment.reason": ("clinical.view_medicalrecord", "scheduling.add_appointment"),
}


def may_read_field(user, label):
    """Whether ``user`` may read the restricted field ``label`` ("app.model.field"); unrestricted fields: True."""
    perms = RESTRICTED_FIELDS.get(label)
    if perms is None:
        return True
    return bool(user is not None and user.is_authenticated and any(user.has_perm(perm) for perm in perms))


# Where each role starts after logging in (URL names); the first group of a user that is listed wins.
START_PAGES = {
    ADMINISTRATOR: "dashboard",
    DOCTOR: "scheduling:my_schedule",
    NURSE: "clinical:vitals_queue",
    RECEPTIONIST: "scheduling:board",
    BILLING_CLERK: "billing:outstanding",
    PHARMACIST: "inventory:dashboard",
    LAB_TECHNICIAN: "clinical:lab_worklist",
    PATIENT: "portal:profile",
    INSURER: "billing:claims_queue",
    PRIVACY_OFFICER: "privacy:access_log",
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


# Per-request caches live on the user object: ``request.user`` is built anew for every request (from the
# session or the API token), so what is cached on it lives exactly one request, like Django's own
# permission cache (``_perm_cache``). Code that changes a user's groups calls forget_roles(user).
_ROLES_CACHE = "_hms_roles"
_ROLE_PERMS_CACHE = "_hms_role_perms"


def load_access(user):
    """Read a user's roles and permissions in one query, once per user object (i.e. per request).

    Fills the role names (user_roles), the permissions their roles and direct grants give them
    (hms.permissions.granted_by_role) and, for anyone but a superuser, Django's own permission caches,
    so that ``has_perm`` (hms.permissions.RoleBackend) asks nothing more.
    """
    if getattr(user, _ROLES_CACHE, None) is not None:
        return
    from django.contrib.auth.models import Group, Permission
    from django.db.models import CharField, Value

    by_role = (
        Group.objects.filter(user=user)
        .order_by()
        .values_list("name", "permissions__content_type__app_label", "permissions__codename")
    )
    direct = (
        Permission.objects.filter(user=user)
        .order_by()
        .values_list(Value("", output_field=CharField()), "content_type__app_label", "codename")
    )
    names, group_perms, user_perms = set(), set(), set()
    for name, app_label, codename in by_role.union(direct, all=True):
        if name:
            names.add(name)
        if codename:
            (group_perms if name else user_perms).add(f"{app_label}.{codename}")
    if not user.is_superuser:
        # ModelBackend's caches (a superuser's hold every permission; Django fills those itself when asked).
        user._user_perm_cache = user_perms
        user._group_perm_cache = group_perms
    setattr(user, _ROLE_PERMS_CACHE, user_perms | group_perms)
    setattr(user, _ROLES_CACHE, tuple(name for name in ALL_GROUPS if name in names))


def user_roles(user):
    """The role names of a user, in the order of ALL_GROUPS (read once per request: load_access)."""
    if not user.is_authenticated:
        return []
    load_access(user)
    return list(getattr(user, _ROLES_CACHE))


def is_portal_patient(user):
    """A user who is only a patient (portal account): sees nothing but their own record."""
    if not user.is_authenticated or user.is_superuser:
        return False
    return user_roles(user) == [PATIENT]


def has_role(user, role):
    return user.is_authenticated and role in user_roles(user)


def is_administrator(user):
    """An administrator: a user of the Administrator role, or a superuser (nobody signed in, or None: no). The one
    rule accounts, scheduling and reports ask."""
    return bool(user is not None and user.is_authenticated and (user.is_superuser or ADMINISTRATOR in user_roles(user)))


def role_permissions(user):
    """The set of "app.codename" a user's roles (groups) and direct grants give them; never every permission
    just because the user is a superuser."""
    if not user.is_authenticated:
        return set()
    load_access(user)
    return getattr(user, _ROLE_PERMS_CACHE)


def forget_roles(user):
    """Drop what this user object cached about its roles and permissions (after its groups changed)."""
    for name in (_ROLES_CACHE, _ROLE_PERMS_CACHE, "_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        with contextlib.suppress(AttributeError):
            delattr(user, name)
