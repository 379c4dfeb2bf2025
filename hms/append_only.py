"""Audit rows are written once: the access log, the security events, the chain's seals and verification runs.

A model on ``AppendOnlyModel`` refuses, whoever calls (a service, the admin, a shell), ``save()`` of an existing
row and ``delete()``, and its queryset refuses ``update()`` and ``delete()``: ``AuditRowImmutable`` (a Conflict,
409 in the API). History tables get the same refusal through signals (hms.chain.guard_chained_tables).
"""

from django.db import models

from hms.exceptions import Conflict


class AuditRowImmutable(Conflict):
    default_code = "audit_row_immutable"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditRowImmutable(f"{self.model._meta.verbose_name_plural} are never changed.")

    def delete(self):
        raise AuditRowImmutable(f"{self.model._meta.verbose_name_plural} are never deleted.")

    def _raw_delete(self, using):
        raise AuditRowImmutable(f"{self.model._meta.verbose_name_plural} are never deleted.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditRowImmutable(f"A {self._meta.verbose_name} is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditRowImmutable(f"A {self._meta.verbose_name} is never deleted.")
