"""Accounts' names in the reader's language.

An account's stored name is written once, in the platform's language (the books' language, whatever the
language of the person whose act opened it); the modules that open accounts name them from their codes
(`fund:2026:available`) in the reader's language, so that the English ledger reads in English.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils import translation

from .models import Account

AccountNamer = Callable[[str], "str | None"]
_NAMERS: dict[str, AccountNamer] = {}


def account_namer_register(prefix: str, namer: AccountNamer) -> None:
    """A module names the accounts whose code begins with `prefix`; `namer(code)` answers in the active
    language, or None for a code it does not know (the stored name is shown then)."""
    _NAMERS[prefix] = namer


def account_name(account: Account) -> str:
    """The account's name in the active language: its module's namer's, else the stored one."""
    for prefix in sorted(_NAMERS, key=len, reverse=True):
        if account.code.startswith(prefix):
            found = _NAMERS[prefix](account.code)
            if found:
                return found
    return account.name


def account_stored_name(code: str, namer: AccountNamer) -> str:
    """The name an account is opened with: its namer's, in the platform's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return namer(code) or code
