"""Clinical reports (see hms.reporting): diagnoses and treatment outcomes. Aggregated in the database."""

from django.db.models import Count, Q
from django.db.models.functions import Substr

from clinical.choices import TreatmentOutcome
from clinical.models import Diagnosis
from hms.reporting import day_bounds, ratio, report_tz

SUCCESS = (TreatmentOutcome.RESOLVED, TreatmentOutcome.IMPROVED)


def clinical(*, date_from, date_to, hospital=None, department=None, period="month"):
    """Diagnoses on the records of visits that started between the dates.

    Sections: ``chapter`` (ICD-10 chapter, the code's first letter) and ``code``, most frequent first;
    ``outcome``: per diagnosis code and department of the treating doctor, ``count`` diagnoses whose record
    has an outcome, ``successes`` those resolved or improved, and ``success_rate`` = successes / count.
    Three queries.
    """
    start, end = day_bounds(date_from, date_to, report_tz(hospital))
    qs = Diagnosis.objects.filter(record__appointment__start__gte=start, record__appointment__start__lt=end)
    if hospital is not None:
        qs = qs.filter(record__appointment__hospital=hospital)
    if department is not None:
        qs = qs.filter(record__doctor__department=department)
    qs = qs.order_by()
    rows = []
    chapters = qs.annotate(chapter=Substr("code", 1, 1)).values("chapter").annotate(n=Count("id"))
    for row in chapters.order_by("-n", "chapter"):
        rows.append({"section": "chapter", "group": row["chapter"], "count": row["n"]})
    for row in qs.values("code").annotate(n=Count("id")).order_by("-n", "code"):
        rows.append({"section": "code", "group": row["code"], "count": row["n"]})
    outcomes = (
        qs.exclude(record__outcome="")
        .values("code", "record__doctor__department__code")
        .annotate(n=Count("id"), ok=Count("id", filter=Q(record__outcome__in=SUCCESS)))
        .order_by("code", "record__doctor__department__code")
    )
    for row in outcomes:
        rows.append(
            {
                "section": "outcome",
                "group": row["code"],
                "department": row["record__doctor__department__code"] or "",
                "count": row["n"],
                "successes": row["ok"],
                "success_rate": ratio(row["ok"], row["n"]),
            }
        )
    return rows
