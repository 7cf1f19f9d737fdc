from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "zhigai.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from zhigai.base.sections import dashboard_section_register
        from zhigai.core.cache import cache_areas_register
        from zhigai.core.errors import error_codes_register
        from zhigai.core.nav import nav_item_register, platform_part_register
        from zhigai.core.policy import permitted
        from zhigai.core.reference import reference_loader_register

        from . import policy  # noqa: F401  (registers the analytics policy)
        from .errors import AnalyticsError
        from .loader import analytics_data_ensure, analytics_data_load
        from .models import ReferenceValue, SampleFraction, Scenario, Series, SeriesPoint
        from .views_dashboard import dashboard_section

        # Series, scenarios and the sample fraction are reference data: figures compared with them or
        # deflated by them are cached under "reference".
        for model in (Series, SeriesPoint, Scenario, ReferenceValue, SampleFraction):
            cache_areas_register(model, "reference")
        error_codes_register("analytics", AnalyticsError)
        reference_loader_register("analytics", load=analytics_data_load, ensure=analytics_data_ensure, order=30)
        platform_part_register("analytics", _("统计分析：按统计口径计算的改造成效指标（劳动生产率、利润、技改投资、"
                                              "机器换人等），研究结论复现，Excel 导出"), order=30)
        nav_item_register(_("统计分析"), "analytics:figures", order=35,
                          visible=lambda user: permitted(user, "analytics.figures.view"))
        dashboard_section_register(dashboard_section)
