from django.apps import AppConfig


class BaseConfig(AppConfig):
    name = "zhigai.base"
    label = "base"
    verbose_name = "zhigai base data"

    def ready(self) -> None:
        from . import policy  # noqa: F401  (registers the base policy)
