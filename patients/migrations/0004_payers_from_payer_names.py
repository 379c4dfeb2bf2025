"""Turn each distinct ``InsurancePolicy.payer_name`` into a ``Payer`` row and link the policies to it.

Names that differ only in case or surrounding spaces ("Aetna", " aetna ") become one payer, named as
most policies spelt it. Each payer gets a short unique code: the letters most of its policy numbers
start with (e.g. "AET" for AET123456-0), else its initials ("Blue Cross Blue Shield" -> "BCBS") or the
start of a one-word name, made unique with a number when two would collide. Each new payer gets a
creation history row; history rows of policies are linked too, so the audit trail keeps naming the
payer. Reversible: the names are copied back.
"""

import re
from collections import Counter, defaultdict

from django.db import migrations
from django.utils import timezone


def _prefix(policy_numbers):
    """The letters (2 to 5) that at least 80% of the policy numbers start with, or ""."""
    prefixes = Counter(m.group(0).upper() for n in policy_numbers if (m := re.match(r"[A-Za-z]{2,5}(?![A-Za-z])", n)))
    if prefixes:
        prefix, count = prefixes.most_common(1)[0]
        if count >= 0.8 * len(policy_numbers):
            return prefix
    return ""


def _code(name, taken, policy_numbers=()):
    words = re.findall(r"[A-Za-z0-9]+", name)
    base = _prefix(policy_numbers) if policy_numbers else ""
    if not base or base in taken:
        base = "".join(w[0] for w in words).upper() if len(words) > 1 else "".join(words).upper()[:6]
    base = (base or "PAYER")[:10]
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base[:10 - len(str(n))]}{n}"
    taken.add(code)
    return code


def _key(name):
    return " ".join((name or "").split()).casefold()


def forwards(apps, schema_editor):
    Payer = apps.get_model("patients", "Payer")
    InsurancePolicy = apps.get_model("patients", "InsurancePolicy")
    HistoricalInsurancePolicy = apps.get_model("patients", "HistoricalInsurancePolicy")

    HistoricalPayer = apps.get_model("patients", "HistoricalPayer")

    spellings = defaultdict(Counter)
    numbers = defaultdict(list)
    for name, number in InsurancePolicy.objects.values_list("payer_name", "policy_number"):
        spellings[_key(name)][" ".join((name or "").split())] += 1
        numbers[_key(name)].append(number or "")
    for name in HistoricalInsurancePolicy.objects.values_list("payer_name", flat=True).distinct():
        spellings[_key(name)][" ".join((name or "").split())] += 0

    taken = set(Payer.objects.values_list("code", flat=True))
    by_key = {_key(p.name): p for p in Payer.objects.all()}
    for key, names in sorted(spellings.items()):
        if key in by_key:
            continue
        name = max(names.items(), key=lambda item: (item[1], item[0]))[0] or "Unknown payer"
        payer = Payer.objects.create(name=name[:200], code=_code(name, taken, numbers.get(key, ())))
        by_key[key] = payer
        HistoricalPayer.objects.create(
            id=payer.pk,
            name=payer.name,
            code=payer.code,
            is_active=True,
            history_date=timezone.now(),
            history_type="+",
            history_change_reason="Created from the policies' payer names (migration).",
        )

    for key, payer in by_key.items():
        for model in (InsurancePolicy, HistoricalInsurancePolicy):
            ids = [pk for pk, name in model.objects.values_list("pk", "payer_name") if _key(name) == key]
            for start in range(0, len(ids), 1000):
                model.objects.filter(pk__in=ids[start : start + 1000]).update(payer=payer)


def backwards(apps, schema_editor):
    Payer = apps.get_model("patients", "Payer")
    InsurancePolicy = apps.get_model("patients", "InsurancePolicy")
    HistoricalInsurancePolicy = apps.get_model("patients", "HistoricalInsurancePolicy")
    for payer in Payer.objects.all():
        InsurancePolicy.objects.filter(payer=payer).update(payer_name=payer.name)
        HistoricalInsurancePolicy.objects.filter(payer=payer).update(payer_name=payer.name)


class Migration(migrations.Migration):
    dependencies = [("patients", "0003_payer")]

    operations = [migrations.RunPython(forwards, backwards)]
