"""Send the reads of reports to the read replica, when one is configured (DATABASE_REPLICA_URL).

Only reads made inside ``hms.reporting.report_reads()`` (``reports.registry.run_report`` runs every report in
it) go to ``replica``; every other read and every write goes to ``default``. Migrations run on ``default``
only (the replica copies it).
"""

from django.conf import settings

from hms.reporting import reading_for_report

REPLICA = "replica"


class ReportRouter:
    def db_for_read(self, model, **hints):
        if reading_for_report.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as default

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
