"""Gap-tolerant, never-reused counters (MRNs, bill numbers), safe under concurrency.

A row per counter name is locked with SELECT ... FOR UPDATE; the first use of a name inserts
the row, and a racing first insert is retried against the row the other writer created.
"""

from django.db import IntegrityError, models, transaction


class Sequence(models.Model):
    name = models.CharField(max_length=100, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} = {self.last_value}"


def next_value(name):
    """Return the next value of the named counter. Must run inside a transaction."""
    with transaction.atomic():
        row = Sequence.objects.select_for_update().filter(name=name).first()
        if row is None:
            try:
                with transaction.atomic():
                    Sequence.objects.create(name=name, last_value=0)
            except IntegrityError:
                pass  # another writer created it first; lock theirs
            row = Sequence.objects.select_for_update().get(name=name)
        row.last_value += 1
        row.save(update_fields=["last_value"])
        return row.last_value
