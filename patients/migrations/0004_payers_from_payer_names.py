"""Turn each distinct ``InsurancePolicy.payer_name`` into a ``Payer`` row and link the policies to it.

Names that differ only in case or surrounding spaces ("Aetna", " aetna ") become one payer, named as
most policies spelt it. Each payer gets a short unique code from its initials (e.g. "Blue Cross Blue
Shield" -> "BCBS"), made unique with a number when two would collide. History rows of policies are
linked too, so the audit trail keeps naming the payer. Reversible: the names are copied back.
"""

import re
from collections import Counter, defaultdict

from django.db import migrations


def _code(name, taken):
    words = re.findall(r"[A-Za-z0-9]+", name)
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

    spellings = defaultdict(Counter)
    for name in InsurancePolicy.objects.values_list("payer_name", flat=True):
        spellings[_key(name)][" ".join((name or "").split())] += 1
    for name in HistoricalInsurancePolicy.objects.values_list("payer_name", flat=True).distinct():
        spellings[_key(name)][" ".join((name or "").split())] += 0

    taken = set(Payer.objects.values_list("code", flat=True))
    by_key = {_key(p.name): p for p in Payer.objects.all()}
    for key, names in sorted(spellings.items()):
        if key in by_key:
            continue
        name = max(names.items(), key=lambda item: (item[1], item[0]))[0] or "Unknown payer"
        by_key[key] = Payer.objects.create(name=name[:200], code=_code(name, taken))

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
