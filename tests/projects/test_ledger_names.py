"""The projects' accounts named from their codes in both languages; codes they do not know keep the stored
name."""

from __future__ import annotations

import pytest
from django.utils import translation

from zhigai.ledger.models import Account, AccountKind
from zhigai.ledger.names import account_name
from zhigai.projects.ledger_names import fund_account_name, subsidy_account_name


@pytest.mark.parametrize(("code", "zh", "en"), [
    ("fund:2026:available", "2026年专项资金可分配", "Special fund 2026: available"),
    ("fund:2026:allocated:17", "2026年专项资金已分配待拨付（申请 17）",
     "Special fund 2026: allocated, not yet paid (application 17)"),
    ("subsidy:city:2024:budget", "2024年市级补贴预算", "City subsidies 2024: budget"),
    ("subsidy:paid", "补贴支出", "Subsidies paid"),
])
def test_known_codes_are_named_in_each_language(code: str, zh: str, en: str) -> None:
    namer = fund_account_name if code.startswith("fund:") else subsidy_account_name
    with translation.override("zh-hans"):
        assert namer(code) == zh
    with translation.override("en"):
        assert namer(code) == en


@pytest.mark.parametrize("code", ["fund:20x6:available", "fund:2026:other", "fund:2026:allocated:x",
                                  "fund:2026", "subsidy:town:2024:budget", "subsidy:city:2024:spent",
                                  "fund:２０２６:available"])
def test_unknown_codes_are_not_named(code: str) -> None:
    namer = fund_account_name if code.startswith("fund:") else subsidy_account_name
    assert namer(code) is None


@pytest.mark.django_db
def test_an_account_no_module_names_shows_its_stored_name() -> None:
    account = Account.objects.create(code="fund:2026:other", name="其他", kind=AccountKind.ASSET)
    with translation.override("en"):
        assert account_name(account) == "其他"
        account.code = "fund:2026:paid"
        assert account_name(account) == "Special fund 2026: paid"
