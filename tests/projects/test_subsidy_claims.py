"""Subsidy rules by year and region, claims and their invoices, the ledger's postings and the clawback."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from zhigai.base.models import Region
from zhigai.core.errors import Conflict, InvalidInput, PermissionDenied
from zhigai.core.models import AuditLog, Role
from zhigai.ledger.models import Account, Journal
from zhigai.ledger.services import balances
from zhigai.projects import selectors_subsidy as selectors
from zhigai.projects.models import ProjectState
from zhigai.projects.models_subsidy import ClaimState, SubsidyClaim, SubsidyClaimInvoice, SubsidyRule
from zhigai.projects.services_subsidy import claim_move, claim_submit, rules_publish, subsidies_claw_back
from zhigai.projects.subsidy_rules import rule_in_force
from zhigai.projects.workflow_subsidy import _pay

from .factories import project_make
from .subsidy_world import fund, invoice_for, robot_claim

pytestmark = pytest.mark.django_db
D = Decimal
DEFAULTS = {"robot": {"base_rate": "0.10", "small_micro_points": "0.05", "domestic_points": "0.05",
                      "max_rate": "0.20", "per_robot_cap": "100000.00", "per_enterprise_year_cap": "5000000.00"},
            "post_project": {"rate": "0.10", "per_project_cap": "5000000.00"}}


@pytest.fixture
def people(make_enterprise: Any, make_user: Any) -> dict[str, Any]:
    small = make_enterprise(county="330102", size_class="small")
    large = make_enterprise(county="330203", size_class="large")
    return {"small": small, "large": large, "province": make_user(Role.PROVINCE, region="330000"),
            "hangzhou": make_user(Role.CITY, region="330100"), "ningbo": make_user(Role.CITY, region="330200"),
            "owner": make_user(Role.ENTERPRISE, enterprise=small),
            "other": make_user(Role.ENTERPRISE, enterprise=large)}


def _with(**robot: str) -> dict[str, Any]:
    return {**DEFAULTS, "robot": {**DEFAULTS["robot"], **robot}}


def test_the_version_in_force_is_the_most_specific_region_then_the_latest_year(people: dict[str, Any]) -> None:
    province, county, city = (Region.objects.get(code=c) for c in ("330000", "330102", "330100"))
    other_county = Region.objects.get(code="330105")
    by = people["province"]
    assert rule_in_force(county, 2014).code == "330000/2013/v1"  # the file's default
    rules_publish(by=by, region="330102", from_year=2015, params=_with(base_rate="0.12"), note="上城区")
    rules_publish(by=by, region="330000", from_year=2020, params=_with(base_rate="0.11"))
    assert rule_in_force(county, 2014).code == "330000/2013/v1", "not before its year"
    assert rule_in_force(county, 2015).code == "330102/2015/v1"
    assert rule_in_force(county, 2021).code == "330102/2015/v1", "the most specific region wins"
    assert rule_in_force(other_county, 2019).code == "330000/2013/v1"
    assert rule_in_force(other_county, 2020).code == "330000/2020/v1", "the latest year not after the year"
    assert rule_in_force(city, 2021).code == "330000/2020/v1"
    rules_publish(by=by, region="330000", from_year=2020, params=_with(base_rate="0.13"))
    assert rule_in_force(province, 2022).code == "330000/2020/v2", "the latest published of the same year"
    assert rule_in_force(province, 2012) is None


def test_the_quote_uses_the_version_of_the_year_asked(people: dict[str, Any]) -> None:
    rules_publish(by=people["province"], region="330100", from_year=2025, params=_with(base_rate="0.12"))
    project = project_make(people["small"], [("imported", 1, "100000.00")])
    before = selectors.project_quote(user=people["owner"], project_id=project.pk, year="2024")
    after = selectors.project_quote(user=people["owner"], project_id=project.pk, year="2025")
    assert (before["rule_version"], before["robot_subsidy"]) == ("330000/2013/v1", "15000.00")
    assert (after["rule_version"], after["robot_subsidy"]) == ("330100/2025/v1", "17000.00")


def test_publishing_is_validated_audited_and_for_the_province_only(people: dict[str, Any]) -> None:
    count = SubsidyRule.objects.count()
    with pytest.raises(InvalidInput) as bad:
        rules_publish(by=people["province"], region="330000", from_year=2030,
                      params=_with(base_rate="0.3", domestic_points="1.5", per_robot_cap="-1"))
    assert {d["field"] for d in bad.value.details} == {"robot.domestic_points", "robot.per_robot_cap",
                                                   "robot.max_rate"}  # 0.3 above the ceiling 0.2
    with pytest.raises(InvalidInput):
        rules_publish(by=people["province"], region="999999", from_year=1900, params=DEFAULTS)
    with pytest.raises(PermissionDenied):
        rules_publish(by=people["hangzhou"], region="330100", from_year=2030, params=DEFAULTS)
    assert SubsidyRule.objects.count() == count, "nothing stored"
    rule = rules_publish(by=people["province"], region="330000", from_year=2030, params=DEFAULTS, note="新版")
    log = AuditLog.objects.get(entity="subsidy_rule", entity_id=str(rule.pk))
    assert log.before["version"] == "330000/2013/v1" and log.after["version"] == "330000/2030/v1"


def test_the_enterprise_year_cap_counts_approved_claims_on_other_projects(people: dict[str, Any]) -> None:
    owner, officer = people["owner"], people["hangzhou"]
    first = project_make(people["small"], [("domestic", 48, "500000.00")])  # 48 × 100,000.00
    claim = claim_move(by=officer, claim=robot_claim(first, owner), move="approve")
    assert claim.amount == D("4800000.00")
    second = project_make(people["small"], [("domestic", 3, "500000.00")])
    quote = selectors.project_quote(user=owner, project_id=second.pk, year="2024")
    assert quote["enterprise_year"]["used"] == "4800000.00"
    assert quote["robot_subsidy"] == "200000.00" and quote["subtotal"] == "300000.00"
    assert quote["lines"][0]["caps_applied"][-1]["cap"] == "per_enterprise_year"
    assert selectors.project_quote(user=owner, project_id=second.pk, year="2025")["robot_subsidy"] == "300000.00"
    # The first project's own quote does not count its own claim against itself.
    assert selectors.project_quote(user=owner, project_id=first.pk, year="2024")["robot_subsidy"] == "4800000.00"


def test_approval_recomputes_against_what_was_approved_meanwhile(people: dict[str, Any]) -> None:
    owner, officer = people["owner"], people["hangzhou"]
    a = robot_claim(project_make(people["small"], [("domestic", 30, "500000.00")]), owner)
    b = robot_claim(project_make(people["small"], [("domestic", 30, "500000.00")]), owner)
    assert a.amount == b.amount == D("3000000.00"), "each alone fits"
    claim_move(by=officer, claim=a, move="approve")
    b = claim_move(by=officer, claim=b, move="approve")
    assert b.amount == D("2000000.00") and b.working["enterprise_year"]["used"] == "3000000.00"


def test_an_invoice_backs_one_claim_across_programs_and_the_refusal_names_the_first(people: dict[str, Any]) -> None:
    owner = people["owner"]
    project = project_make(people["small"], [("domestic", 2, "100000.00")])
    line = project.equipment.get()
    invoice = invoice_for(project, owner, line, number="INV-1")
    first = robot_claim(project, owner, invoices=[invoice])
    with pytest.raises(Conflict) as taken:
        robot_claim(project, owner, program="city", invoices=[invoice])
    assert taken.value.code == "subsidy_invoice_taken" and f"#{first.pk}" in taken.value.message
    assert taken.value.details[0]["claim"] == first.pk
    # The same invoice entered on another project of the enterprise: still the same invoice.
    again = project_make(people["small"], [("domestic", 2, "100000.00")])
    copy = invoice_for(again, owner, again.equipment.get(), number="INV-1")
    with pytest.raises(Conflict, match=f"#{first.pk}"):
        robot_claim(again, owner, program="county", invoices=[copy])
    assert SubsidyClaim.objects.count() == 1
    # The database holds it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        SubsidyClaimInvoice.objects.create(claim=first, invoice=copy, issuer_tax_id=copy.issuer_tax_id,
                                           number=copy.number)
    # A rejected claim frees its invoices.
    claim_move(by=people["hangzhou"], claim=first, move="reject", note="发票模糊")
    assert robot_claim(again, owner, program="county", invoices=[copy]).state == ClaimState.SUBMITTED


def test_the_same_invoice_twice_on_a_project_is_refused(people: dict[str, Any]) -> None:
    project = project_make(people["small"], [("domestic", 1, "100000.00")])
    invoice_for(project, people["owner"], number="A-1")
    with pytest.raises(Conflict) as twice:
        invoice_for(project, people["owner"], number="A-1")
    assert twice.value.code == "subsidy_invoice_duplicate"


def test_bad_claims_are_refused_and_change_nothing(people: dict[str, Any]) -> None:
    owner = people["owner"]
    project = project_make(people["small"], [("domestic", 1, "100000.00")])
    software = invoice_for(project, owner)  # backs no robot line
    with pytest.raises(InvalidInput) as bad:
        claim_submit(by=owner, project=project, data={"kind": "x", "program": "y", "year": "20x", "invoices": []})
    assert {d["field"] for d in bad.value.details} == {"kind", "program", "year", "invoices"}
    with pytest.raises(Conflict, match="工业机器人"):
        robot_claim(project, owner, invoices=[software])
    with pytest.raises(Conflict) as early:
        claim_submit(by=owner, project=project, data={"kind": "post_project", "program": "city", "year": 2024,
                                                      "invoices": [software.pk]})
    assert early.value.code == "subsidy_not_accepted"
    with pytest.raises(PermissionDenied):
        robot_claim(project, people["other"], invoices=[software])
    assert not SubsidyClaim.objects.exists()


def test_the_post_project_grant_after_acceptance_on_verified_investment(people: dict[str, Any]) -> None:
    owner = people["owner"]
    project = project_make(people["small"], [("domestic", 1, "100000.00")], state=ProjectState.ACCEPTED,
                           equipment="60000000.00", software="1000000.00")
    equipment = invoice_for(project, owner, project.equipment.get(), amount="100000.00")
    software = invoice_for(project, owner, amount="1200000.00")  # more than declared: the declared counts
    claim = claim_submit(by=owner, project=project, data={"kind": "post_project", "program": "city", "year": 2024,
                                                          "invoices": [equipment.pk, software.pk]})
    assert claim.working["base"] == "1100000.00" and claim.amount == D("110000.00")
    with pytest.raises(Conflict):
        claim_submit(by=owner, project=project, data={"kind": "post_project", "program": "province",
                                                      "year": 2024, "invoices": [invoice_for(project, owner).pk]})


def _balance(code: str) -> Decimal:
    account = Account.objects.get(code=code)
    return balances([account])[account.pk]


def test_paying_posts_once_and_a_short_budget_refuses_and_changes_nothing(people: dict[str, Any]) -> None:
    owner, officer = people["owner"], people["hangzhou"]
    claim = claim_move(by=officer, claim=robot_claim(project_make(people["small"], [("domestic", 1, "100000.00")]),
                                                     owner), move="approve")
    with pytest.raises(Conflict) as short:
        claim_move(by=officer, claim=claim, move="pay")
    assert short.value.code == "ledger_overdrawn"
    claim.refresh_from_db()
    assert claim.state == ClaimState.APPROVED and not Journal.objects.filter(kind="payment").exists()
    fund(people["province"])
    paid = claim_move(by=officer, claim=claim, move="pay")
    assert paid.state == ClaimState.PAID
    journal = Journal.objects.get(idempotency_key=f"subsidy-claim:{claim.pk}:pay")
    _pay(paid, officer)  # the same posting again books nothing
    assert Journal.objects.filter(source=f"projects.subsidy_claim:{claim.pk}").count() == 1
    assert journal.legs.count() == 2
    assert _balance("subsidy:province:2024:available") == D("10000000.00") - D("20000.00")
    assert _balance("subsidy:paid") == D("20000.00")
    with pytest.raises(Conflict):
        claim_move(by=officer, claim=paid, move="pay")
    with pytest.raises(PermissionDenied):
        claim_move(by=people["ningbo"], claim=paid, move="claw_back", note="x")


def test_a_breach_claws_back_what_was_paid_once(people: dict[str, Any]) -> None:
    owner, officer = people["owner"], people["hangzhou"]
    fund(people["province"])
    project = project_make(people["small"], [("domestic", 1, "100000.00"), ("imported", 1, "100000.00")])
    first, second = project.equipment.order_by("id")
    claim = robot_claim(project, owner, invoices=[invoice_for(project, owner, first)])
    paid = claim_move(by=officer, claim=claim_move(by=officer, claim=claim, move="approve"), move="pay")
    assert paid.amount == D("20000.00")
    waiting = robot_claim(project, owner, invoices=[invoice_for(project, owner, second)])
    assert waiting.amount == D("15000.00")
    project.state = ProjectState.BREACHED
    project.save()
    back = subsidies_claw_back(project, officer)
    assert [c.pk for c in back] == [paid.pk] and back[0].state == ClaimState.CLAWED_BACK
    assert Journal.objects.get(idempotency_key=f"subsidy-claim:{paid.pk}:clawback").kind == "clawback"
    assert _balance("subsidy:paid") == D("0.00")
    assert _balance("subsidy:province:2024:available") == D("10000000.00")
    assert subsidies_claw_back(project, officer) == [], "nothing left to claw back"
    with pytest.raises(Conflict):
        claim_move(by=officer, claim=waiting, move="approve")  # a breached project's claims are not approved


def test_the_queue_and_figures_are_the_officers_region(people: dict[str, Any]) -> None:
    fund(people["province"])
    claim = robot_claim(project_make(people["small"], [("domestic", 1, "100000.00")]), people["owner"])
    assert list(selectors.claim_queue(user=people["hangzhou"])) == [claim]
    assert list(selectors.claim_queue(user=people["ningbo"])) == []
    claim_move(by=people["province"], claim=claim, move="approve")
    figures = selectors.subsidy_figures(user=people["province"], year=2024)
    assert figures["by_city"][0]["key"][0] == "330100" and figures["by_city"][0]["approved"] == D("20000.00")
    assert selectors.subsidy_figures(user=people["ningbo"])["by_city"] == []
    with pytest.raises(PermissionDenied):
        selectors.subsidy_figures(user=people["owner"])
