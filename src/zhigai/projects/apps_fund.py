"""What the special fund plugs into when Django starts (called from ProjectsConfig.ready)."""

from __future__ import annotations


def fund_ready() -> None:
    """The special fund's part: its rules, error codes, models, navigation, reconciliation check and breach
    handler."""
    from django.utils.translation import gettext_lazy as _

    from zhigai.core.cache import cache_areas_register
    from zhigai.core.errors import error_codes_register
    from zhigai.core.nav import nav_item_register, platform_part_register
    from zhigai.core.policy import permitted
    from zhigai.ledger.names import account_namer_register
    from zhigai.ledger.selectors import reconciliation_check_register

    from . import policy_fund
    from .errors_fund import FundError
    from .fund import fund_claw_back
    from .fund_models import AllocationRun, FundApplication, FundRound, Payment, PaymentEvent
    from .fund_reconcile import never_paid_more_than_allocated
    from .hooks import breach_handler_register
    from .ledger_names import fund_account_name

    error_codes_register("fund", FundError)
    for model in (FundRound, FundApplication, AllocationRun, Payment, PaymentEvent):
        cache_areas_register(model)  # read afresh on every page: nothing derived from them is cached
    platform_part_register("fund", _("专项资金：年度批次、经证明最优的分配、两级审核拨付与一本账"), order=35)
    nav_item_register(_("专项资金"), "fund:rounds", order=40,
                      visible=lambda user: permitted(user, policy_fund.ROUND_VIEW))
    nav_item_register(_("拨付审核"), "fund:queue", order=41,
                      visible=lambda user: permitted(user, policy_fund.QUEUE))
    reconciliation_check_register("fund", never_paid_more_than_allocated, order=10)
    account_namer_register("fund:", fund_account_name)
    breach_handler_register(fund_claw_back)  # a commitment breach claws the fund's payments back
