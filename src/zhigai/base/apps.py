from django.apps import AppConfig


class BaseConfig(AppConfig):
    name = "zhigai.base"
    label = "base"
    verbose_name = "zhigai base data"
