from django.apps import AppConfig


class BaseConfig(AppConfig):
    name = "zhigai.base"
    label = "base"
    verbose_name = "zhigai base data"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from zhigai.core.cache import cache_areas_register
        from zhigai.core.nav import nav_item_register, platform_part_register
        from zhigai.core.policy import permitted

        from . import policy  # noqa: F401  (registers the base policy)
        from .models import Cluster, Enterprise, ImportJob, Indicator, Industry, Region, StageRecord, Tag
        from .selectors import region_of

        for model in (Region, Industry, Tag, Cluster):
            cache_areas_register(model, "reference")
        cache_areas_register(Enterprise, "enterprises")  # with its tags
        cache_areas_register(Indicator, "indicators")
        cache_areas_register(StageRecord, "enterprises")  # the stage by year, beside the current one
        cache_areas_register(ImportJob)  # its page reads it afresh

        platform_part_register("base", _("企业档案：全省地区、行业与企业，企业历年指标，Excel/CSV 批量导入"), order=10)
        nav_item_register(_("首页"), "base:home", order=0)
        nav_item_register(_("企业"), "base:enterprise_list", order=10,
                          visible=lambda user: permitted(user, "base.enterprise.list"))
        nav_item_register(_("地区"), "base:region_detail", order=30,
                          visible=lambda user: region_of(user.region_id) is not None,
                          args=lambda user: (region_of(user.region_id).code,))  # type: ignore[union-attr]
        nav_item_register(_("导入"), "base:import", order=40,
                          visible=lambda user: permitted(user, "base.import.create"))
