from django.apps import AppConfig


class MarketConfig(AppConfig):
    name = "zhigai.market"
    label = "market"
    verbose_name = "Market"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from zhigai.base.sections import dashboard_section_register, enterprise_section_register
        from zhigai.core.api import me_field_register
        from zhigai.core.cache import cache_areas_register
        from zhigai.core.errors import error_codes_register
        from zhigai.core.inbox import waiting_register
        from zhigai.core.nav import nav_item_register, platform_part_register
        from zhigai.core.policy import permitted
        from zhigai.core.reference import reference_loader_register
        from zhigai.diagnosis.results import gap_suggester_register

        from . import policy  # noqa: F401  (registers the market policy)
        from .errors import MarketError
        from .loader import technologies_ensure, technologies_load
        from .matching import gap_suggestions
        from .models import (
            Engagement,
            EngagementDocument,
            EngagementEvent,
            EngagementPlan,
            MatchPolicy,
            Membership,
            Outcome,
            ProgressReport,
            Provider,
            ProviderEvent,
            QualificationFile,
            Technology,
        )
        from .selectors import provider_of
        from .selectors_engagement import engagements_shown, waiting_for
        from .views_home import home_section
        from .views_matching import enterprise_section
        from .views_matching import home_section as match_home_section

        cache_areas_register(Technology, "reference")
        # The engagements' grants (market.policy) read engagements and memberships: users' scopes are cached
        # under "access". The track records are cached under "engagements" (with the indicators they read).
        # The rest is read afresh on every page: no figure is cached from it yet.
        cache_areas_register(Engagement, "access", "engagements")
        cache_areas_register(Membership, "access")
        cache_areas_register(EngagementEvent, "engagements")
        for model in (Provider, QualificationFile, ProviderEvent, EngagementDocument, EngagementPlan,
                      ProgressReport, Outcome, MatchPolicy):
            cache_areas_register(model)
        error_codes_register("market", MarketError)
        reference_loader_register("market", load=technologies_load, ensure=technologies_ensure, order=40)
        me_field_register("provider", lambda user: str(p.pk) if (p := provider_of(user)) else None)
        dashboard_section_register(home_section)
        # The matching: a way to it from the enterprise page, the best three on its user's home, and the
        # best providers for each gap of a diagnosis result.
        enterprise_section_register(enterprise_section)
        enterprise_section_register(match_home_section, place="home")
        gap_suggester_register(gap_suggestions)
        platform_part_register(
            "market", _("服务市场：工程服务公司、专家服务指导组、装备、云服务商和银行的登记、审核与名录"), order=25)
        nav_item_register(_("服务商"), "market:directory", order=22)
        nav_item_register(_("服务项目"), "market:engagements", order=23,
                          visible=lambda user: engagements_shown(user))
        waiting_register("market", waiting_for)
        nav_item_register(_("服务市场概览"), "market:overview", order=24,
                          visible=lambda user: permitted(user, "market.overview.view"))
        nav_item_register(_("服务商审核"), "market:queue", order=27,
                          visible=lambda user: permitted(user, "market.provider.review"))
