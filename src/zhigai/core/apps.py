from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zhigai.core"
    label = "core"
    verbose_name = "zhigai core"
