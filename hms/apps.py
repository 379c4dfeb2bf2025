from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles_after_migrate(sender, **kwargs):
    from hms.roles import sync_roles

    sync_roles()


class HmsConfig(AppConfig):
    name = "hms"
    verbose_name = "HMS"

    def ready(self):
        # After every migrate (all apps' permissions exist by then) the role table is applied.
        post_migrate.connect(_sync_roles_after_migrate, dispatch_uid="hms.sync_roles")
