from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "zhigai.projects"
    label = "projects"
    verbose_name = "Projects"

    def ready(self) -> None:
        from zhigai.core.cache import cache_areas_register

        from .models import EquipmentLine, Project, ProjectEvent

        for model in (Project, EquipmentLine, ProjectEvent):
            cache_areas_register(model)
