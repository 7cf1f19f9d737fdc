"""What the subsidies plug into when Django starts (called from ProjectsConfig.ready)."""

from __future__ import annotations


def subsidies_ready() -> None:
    from django.utils.translation import gettext_lazy as _

    from zhigai.base.sections import enterprise_section_register
    from zhigai.core.cache import cache_areas_register
    from zhigai.core.errors import error_codes_register
    from zhigai.core.nav import nav_item_register
    from zhigai.core.policy import permitted
    from zhigai.core.reference import reference_loader_register
    from zhigai.ledger.names import account_namer_register

    from . import policy_subsidy  # noqa: F401  (adds the subsidies' rules to the projects policy)
    from .errors_subsidy import SubsidyError
    from .hooks import breach_handler_register, invoice_reconciler_register
    from .ledger_names import subsidy_account_name
    from .models_subsidy import Invoice, SubsidyClaim, SubsidyClaimEvent, SubsidyClaimInvoice, SubsidyRule
    from .policy_subsidy import QUEUE
    from .selectors_subsidy import project_invoices
    from .services_subsidy import subsidies_claw_back
    from .subsidy_rules import subsidy_rules_ensure, subsidy_rules_load
    from .views_subsidy import enterprise_section

    cache_areas_register(SubsidyRule, "reference")
    for model in (Invoice, SubsidyClaim, SubsidyClaimInvoice, SubsidyClaimEvent):
        cache_areas_register(model)  # read afresh on every page: nothing derived from them is cached
    error_codes_register("subsidies", SubsidyError)
    reference_loader_register("subsidies", load=subsidy_rules_load, ensure=subsidy_rules_ensure, order=50)
    enterprise_section_register(enterprise_section)
    enterprise_section_register(enterprise_section, place="home")
    nav_item_register(_("补贴申领审核"), "subsidies:queue", order=33, visible=lambda user: permitted(user, QUEUE))
    # A commitment breach claws back what was paid; the acceptance reconciles the project's invoices.
    breach_handler_register(subsidies_claw_back)
    invoice_reconciler_register(project_invoices)
    account_namer_register("subsidy:", subsidy_account_name)
