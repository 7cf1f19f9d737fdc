from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "zhigai.projects"
    label = "projects"
    verbose_name = "Projects"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from zhigai.base.sections import enterprise_section_register
        from zhigai.core.cache import cache_areas_register
        from zhigai.core.errors import error_codes_register
        from zhigai.core.nav import nav_item_register, platform_part_register
        from zhigai.core.policy import permitted
        from zhigai.core.reference import reference_loader_register

        from . import policy  # noqa: F401  (registers the projects policy; its parts add their rules)
        from .errors import ProjectError
        from .models import EquipmentLine, LandQuota, NegativeListEntry, NegativeListVersion, Project, ProjectEvent
        from .negative_list import negative_list_ensure
        from .views_home import enterprise_section, home_section

        for model in (Project, EquipmentLine, ProjectEvent, LandQuota):
            cache_areas_register(model)
        cache_areas_register(NegativeListVersion, "reference")
        cache_areas_register(NegativeListEntry, "reference")
        error_codes_register("projects", ProjectError)
        reference_loader_register("projects", load=negative_list_ensure, ensure=negative_list_ensure, order=50)
        enterprise_section_register(enterprise_section)
        enterprise_section_register(home_section, place="home")
        platform_part_register(
            "projects", _("技术改造项目：负面清单与承诺制备案、不新增用地技改快速通道、用地指标、实施与验收"), order=30)
        nav_item_register(_("改造项目"), "projects:list", order=30,
                          visible=lambda user: permitted(user, "projects.project.list"))
        nav_item_register(_("项目审核"), "projects:queue", order=31,
                          visible=lambda user: permitted(user, "projects.queue.view"))
        from .apps_fund import fund_ready
        from .apps_subsidy import subsidies_ready

        subsidies_ready()
        fund_ready()
