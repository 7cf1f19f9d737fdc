from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "zhigai.ledger"
    label = "ledger"
    verbose_name = "Ledger"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from zhigai.core.cache import cache_areas_register
        from zhigai.core.errors import error_codes_register
        from zhigai.core.nav import nav_item_register
        from zhigai.core.policy import permitted

        from . import policy  # noqa: F401  (registers the ledger policy)
        from .errors import LedgerError
        from .models import Account, Journal, Leg
        from .policy import VIEW

        error_codes_register("ledger", LedgerError)
        for model in (Account, Journal, Leg):
            cache_areas_register(model)  # balances are read afresh: nothing derived from them is cached
        nav_item_register(_("账本"), "ledger:journal", order=42, visible=lambda user: permitted(user, VIEW))
