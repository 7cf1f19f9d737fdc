from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zhigai.core"
    label = "core"
    verbose_name = "zhigai core"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out
        from django.db.models.signals import post_migrate
        from django.utils.autoreload import file_changed
        from django.utils.translation import gettext_lazy as _

        from .cache import cache_areas_register, catalogs_changed, data_migrated
        from .models import ApiToken, AuditLog, DataVersion, Notification, SignInThrottle, User
        from .nav import nav_item_register

        file_changed.connect(catalogs_changed)
        # Signing out of the pages or of the admin: audited, and the user's API tokens revoked.
        user_logged_out.connect(_signed_out, dispatch_uid="zhigai-signed-out")
        # Data migrations write without model signals: after any migrate, nothing cached before it is used.
        post_migrate.connect(data_migrated, sender=self, dispatch_uid="zhigai-areas-migrated")
        # A user's role, region, enterprise and industries decide what they see.
        cache_areas_register(User, "access", ignoring=["last_login"])
        # Nothing cached is computed from these (the enterprise page reads its history each time).
        for model in (AuditLog, SignInThrottle, ApiToken, DataVersion, Notification):
            cache_areas_register(model)
        nav_item_register(_("消息"), "core:inbox", order=90)


def _signed_out(sender: object, request: object, user: object, **kwargs: object) -> None:
    from .services import user_signed_out

    user_signed_out(user=user, request=request)
