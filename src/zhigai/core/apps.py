from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zhigai.core"
    label = "core"
    verbose_name = "zhigai core"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate
        from django.utils.autoreload import file_changed
        from django.utils.translation import gettext_lazy as _

        from .cache import cache_areas_register, catalogs_changed, data_migrated
        from .models import ApiToken, AuditLog, DataVersion, LoginFailure, Notification, User
        from .nav import nav_item_register

        file_changed.connect(catalogs_changed)
        # Data migrations write without model signals: after any migrate, nothing cached before it is used.
        post_migrate.connect(data_migrated, sender=self, dispatch_uid="zhigai-areas-migrated")
        # A user's role, region, enterprise and industries decide what they see.
        cache_areas_register(User, "access", ignoring=["last_login"])
        # Nothing cached is computed from these (the enterprise page reads its history each time).
        for model in (AuditLog, LoginFailure, ApiToken, DataVersion, Notification):
            cache_areas_register(model)
        nav_item_register(_("消息"), "core:inbox", order=90)
