from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zhigai.core"
    label = "core"
    verbose_name = "zhigai core"

    def ready(self) -> None:
        from django.utils.autoreload import file_changed

        from .cache import catalogs_changed

        file_changed.connect(catalogs_changed)
