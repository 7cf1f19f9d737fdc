from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "zhigai.ledger"
    label = "ledger"
    verbose_name = "Ledger"

    def ready(self) -> None:
        from zhigai.core.cache import cache_areas_register
        from zhigai.core.errors import error_codes_register

        from . import policy  # noqa: F401  (registers the ledger policy)
        from .errors import LedgerError
        from .models import Account, Journal, Leg

        error_codes_register("ledger", LedgerError)
        for model in (Account, Journal, Leg):
            cache_areas_register(model)  # balances are read afresh: nothing derived from them is cached
