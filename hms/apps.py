from django.apps import AppConfig
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_migrate, post_save, pre_delete


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

        from axes.signals import user_locked_out
        from django.contrib.auth import get_user_model

        from hms import security_signals as sec
        from hms.access_models import AccessEntry, SecurityEvent
        from hms.chain import guard_chained_tables, register

        # Security events (hms.access_models.SecurityEvent): logins, failures, logouts, lockouts, passwords, roles.
        user_logged_in.connect(sec.on_login, dispatch_uid="hms.security.login")
        user_logged_out.connect(sec.on_logout, dispatch_uid="hms.security.logout")
        user_login_failed.connect(sec.on_login_failed, dispatch_uid="hms.security.login_failed")
        user_locked_out.connect(sec.on_locked_out, dispatch_uid="hms.security.lockout")
        post_save.connect(sec.on_user_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="hms.security.password")
        m2m_changed.connect(
            sec.on_groups_changed, sender=get_user_model().groups.through, dispatch_uid="hms.security.roles"
        )

        # The access log and the security events are chained like the history tables (seal_audit / verify_audit).
        register(AccessEntry, order_by="id", day_field="at")
        register(SecurityEvent, order_by="id", day_field="at")
        # Audit rows (every history table, and those hms.chain.register() adds) are never changed or deleted
        # through the ORM; seal_audit / verify_audit catch what is done around it.
        guard_chained_tables()
