from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "zhigai.projects"
    label = "projects"
    verbose_name = "Projects"

    def ready(self) -> None:
        from zhigai.core.cache import cache_areas_register

        from . import policy  # noqa: F401  (registers the projects policy; its parts add their rules)
        from .models import EquipmentLine, Project, ProjectEvent

        for model in (Project, EquipmentLine, ProjectEvent):
            cache_areas_register(model)
        from .apps_subsidy import subsidies_ready

        subsidies_ready()
