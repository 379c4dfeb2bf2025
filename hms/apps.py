from django.apps import AppConfig
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate, pre_delete


def _sync_roles_after_migrate(sender, **kwargs):
    from hms.roles import sync_roles

    sync_roles()


class HmsConfig(AppConfig):
    name = "hms"
    verbose_name = "HMS"

    def ready(self):
        # After every migrate (all apps' permissions exist by then) the role table is applied.
        post_migrate.connect(_sync_roles_after_migrate, dispatch_uid="hms.sync_roles")

        from hms.signals import refuse_user_delete, start_idle_clock

        # Users are deactivated, never deleted (whatever the caller: admin, shell, a cascade).
        pre_delete.connect(refuse_user_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="hms.refuse_user_delete")
        # Idle logoff counts from the login (hms.middleware.IdleSessionMiddleware).
        user_logged_in.connect(start_idle_clock, dispatch_uid="hms.start_idle_clock")

        from hms.chain import guard_chained_tables

        # Audit rows (every history table, and those hms.chain.register() adds) are never changed or deleted
        # through the ORM; seal_audit / verify_audit catch what is done around it.
        guard_chained_tables()
