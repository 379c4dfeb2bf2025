from django.core.management.base import BaseCommand

from hms.roles import sync_roles


class Command(BaseCommand):
    help = "Create the role groups and re-apply the permission table of hms/roles.py."

    def handle(self, *args, **options):
        missing = sync_roles(verbosity=options["verbosity"], stdout=self.stdout)
        for line in missing:
            self.stderr.write(f"Unknown permission in the role table: {line}")
        self.stdout.write(self.style.SUCCESS("Roles synchronised."))
