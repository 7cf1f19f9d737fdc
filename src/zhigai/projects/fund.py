"""The special fund's writes (SPEC §5, issue 13): rounds, applications, the certified allocation and the
clawback, each posting what it moves to the ledger.

The accounts of a year's fund (ledger codes):
- fund:<year>:appropriation  (equity) the budget as appropriated: credited when a round is opened;
- fund:<year>:available      (asset, never below zero) what is not yet allocated;
- fund:<year>:allocated:<id> (asset, never below zero) what application <id> was allocated and not yet paid —
  one account per application, so the ledger itself refuses to pay an application more than it was given;
- fund:<year>:paid           (expense, never below zero) what was paid out.
A round's opening books the budget (available ← appropriation); an applied allocation books available →
allocated per funded application (a later run reverses it first); a payment allocated → paid
(projects.payments); a clawback paid and the unpaid allocation → available.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhigai.base.models import MoneySum
from zhigai.core.audit import audit_record, jsonable
from zhigai.core.errors import Conflict, InvalidInput
from zhigai.core.models import User
from zhigai.core.policy import require
from zhigai.ledger.models import Account, AccountKind, Journal, JournalKind
from zhigai.ledger.names import account_stored_name
from zhigai.ledger.services import account_ensure, balances, journal_post, journal_reverse

from . import allocation
from .errors_fund import FundError
from .fund_benefit import formula_benefit
from .fund_models import (
    PENDING,
    AllocationRun,
    BenefitSource,
    FundApplication,
    FundRound,
    Payment,
    PaymentState,
    RoundState,
)
from .fund_selectors import city_of
from .ledger_names import fund_account_name
from .models import Project, ProjectState
from .policy_fund import ALLOCATE, APPLY, CLAWBACK, REVIEW, ROUND_CREATE

FEN = Decimal("0.01")
# A project refused, waiting, sent back or in breach of its commitment does not apply for the fund.
APPLYING_STATES = frozenset({ProjectState.FILED, ProjectState.IN_PROGRESS, ProjectState.COMPLETION_DECLARED,
                             ProjectState.INSPECTION, ProjectState.RECTIFICATION, ProjectState.ACCEPTED})


def _bad(field: str, message: str, value: Any = "") -> InvalidInput:
    return InvalidInput(message, details=[{"field": field, "message": str(value)}])


def decimal_in(value: Any, field: str, message: str) -> Decimal:
    """A decimal written in ASCII (Python would read "１００" as 100); InvalidInput naming the field otherwise."""
    text = str(value).strip()
    try:
        if not text.isascii() or isinstance(value, bool):
            raise InvalidOperation
        found = Decimal(text)
    except (InvalidOperation, ValueError):
        raise _bad(field, message, value) from None
    if not found.is_finite():
        raise _bad(field, message, value)
    return found


def money_in(value: Any, field: str, *, positive: bool = True) -> Decimal:
    """Yuan to the fen from a decimal string or number; InvalidInput naming the field otherwise."""
    amount = decimal_in(value, field, _("金额应为数字（元，精确到分）"))
    if amount != amount.quantize(FEN) or amount.copy_abs() >= Decimal("1e15"):
        raise _bad(field, _("金额应为数字（元，精确到分）"), value)
    if amount < 0 or (positive and amount == 0):
        raise _bad(field, _("金额应大于零"), value)
    return amount.quantize(FEN)


def fund_accounts(year: int) -> dict[str, Account]:
    return {
        "appropriation": _account(f"fund:{year}:appropriation", AccountKind.EQUITY),
        "available": _account(f"fund:{year}:available", AccountKind.ASSET, never_negative=True),
        "paid": _account(f"fund:{year}:paid", AccountKind.EXPENSE, never_negative=True),
    }


def _account(code: str, kind: str, *, never_negative: bool = False) -> Account:
    return account_ensure(code=code, name=account_stored_name(code, fund_account_name), kind=kind,
                          never_negative=never_negative)


def allocated_account(application: FundApplication) -> Account:
    year = application.round.year
    return _account(f"fund:{year}:allocated:{application.pk}", AccountKind.ASSET, never_negative=True)


# --- rounds -----------------------------------------------------------------------------------------------------

@transaction.atomic
def fund_round_create(*, by: User, year: int, budget: Any = None, enterprise_cap: Any = None,
                      city_min_share: Any = "0") -> FundRound:
    """Open a year's round and book its budget into the fund's available account."""
    require(by, ROUND_CREATE, message=_("只有省级主管部门可以设立专项资金年度批次。"), code=FundError.FORBIDDEN)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise _bad("year", _("年份应在2000至2100之间"), year)
    amount = money_in(budget if budget not in (None, "") else "200000000.00", "budget")
    cap = None if enterprise_cap in (None, "") else money_in(enterprise_cap, "enterprise_cap")
    share = decimal_in(city_min_share if city_min_share not in (None, "") else "0", "city_min_share",
                       _("各市最低份额应为0到1之间的小数，至多四位小数"))
    if not 0 <= share <= 1 or share != share.quantize(Decimal("0.0001")):
        raise _bad("city_min_share", _("各市最低份额应为0到1之间的小数，至多四位小数"), city_min_share)
    if FundRound.objects.filter(year=year).exists():
        raise Conflict(_("%(y)s年度的专项资金批次已经设立。") % {"y": year}, code=FundError.ROUND_EXISTS,
                       details=[{"field": "year", "message": str(year)}])
    try:
        with transaction.atomic():
            fund_round = FundRound.objects.create(year=year, budget=amount, enterprise_cap=cap, city_min_share=share,
                                                  created_by=by)
    except IntegrityError:
        raise Conflict(_("%(y)s年度的专项资金批次已经设立。") % {"y": year}, code=FundError.ROUND_EXISTS) from None
    accounts = fund_accounts(year)
    journal_post(by=by, kind=JournalKind.BUDGET, legs=[(accounts["available"], amount),
                                                       (accounts["appropriation"], -amount)],
                 memo=_("%(y)s年专项资金预算拨入") % {"y": year}, source=f"projects.round:{fund_round.pk}",
                 idempotency_key=f"fund.round:{fund_round.pk}:budget")
    audit_record(actor=by, action="create", entity="fund_round", entity_id=fund_round.pk,
                 summary=f"{year} budget {amount}",
                 after={"year": year, "budget": str(amount), "enterprise_cap": jsonable(cap),
                        "city_min_share": str(share)})
    return fund_round


def _rules(fund_round: FundRound) -> allocation.Rules:
    return allocation.Rules(budget=fund_round.budget, enterprise_cap=fund_round.enterprise_cap,
                            city_min_share=fund_round.city_min_share)


# --- applications -----------------------------------------------------------------------------------------------

@transaction.atomic
def fund_application_create(*, by: User, fund_round: FundRound, project: Project, amount: Any,
                            benefit: Any = None, note: str = "") -> FundApplication:
    """A project applies to a round for `amount`; its benefit is the published formula's, or an officer's
    review score when one is given."""
    require(by, APPLY, project, message=_("只有项目所属企业或其所在地区的主管部门可以申请专项资金。"),
            code=FundError.FORBIDDEN)
    fund_round = FundRound.objects.select_for_update().get(pk=fund_round.pk)
    if fund_round.state != RoundState.OPEN:
        raise Conflict(_("这一轮专项资金已经分配，不再受理申请。"), code=FundError.ROUND_CLOSED)
    asked = money_in(amount, "amount")
    if benefit not in (None, ""):
        require(by, REVIEW, project, message=_("评审评分只能由项目所在地区的主管部门给出。"), code=FundError.FORBIDDEN)
        score = decimal_in(benefit, "benefit", _("评审评分应为不小于零的数字，至多两位小数"))
        if score < 0 or score != score.quantize(FEN) or score >= Decimal("1e12"):
            raise _bad("benefit", _("评审评分应为不小于零的数字，至多两位小数"), benefit)
        value, source = score.quantize(FEN), BenefitSource.REVIEW
        working: dict[str, Any] = {"reviewer": by.get_full_name() or by.username, "note": note[:500],
                                   "formula": jsonable(formula_benefit(project.expected)[0])}
    else:
        value, working = formula_benefit(project.expected)
        source = BenefitSource.FORMULA
    if project.state not in APPLYING_STATES:
        raise Conflict(_("项目当前状态为“%(s)s”，不能申请专项资金。") % {"s": project.get_state_display()},
                       code=FundError.PROJECT_STATE)
    if FundApplication.objects.filter(round=fund_round, project=project).exists():
        raise Conflict(_("该项目已申请过本轮专项资金。"), code=FundError.APPLIED)
    found = FundApplication.objects.create(round=fund_round, project=project, amount=asked, benefit=value,
                                           benefit_source=source, benefit_working=working, created_by=by)
    audit_record(actor=by, action="create", entity="fund_application", entity_id=found.pk,
                 summary=f"round {fund_round.year} project {project.pk} {asked} benefit {value} ({source})",
                 after={"amount": str(asked), "benefit": str(value), "benefit_source": source})
    return found


# --- the allocation ---------------------------------------------------------------------------------------------

def _code(region: Any) -> str:
    return str(region.code) if region is not None else ""


def _reason(code_values: allocation.Reason) -> dict[str, Any]:
    code, values = code_values
    return {"code": code, "values": jsonable({k: str(v) if isinstance(v, Decimal) else v for k, v in values.items()})}


@transaction.atomic
def fund_allocate(*, by: User, fund_round: FundRound) -> AllocationRun:
    """Run the certified allocation (projects.allocation) and store it; a proven optimum is applied: the
    applications it funds are marked and their allocations booked (a previous run's reversed first). A run
    that is infeasible, unsolved or not proven is stored and shown, and changes nothing else."""
    require(by, ALLOCATE, fund_round, message=_("只有省级主管部门可以分配专项资金。"), code=FundError.FORBIDDEN)
    fund_round = FundRound.objects.select_for_update().get(pk=fund_round.pk)
    if Payment.objects.filter(application__round=fund_round).exists():
        raise Conflict(_("已有拨付申请，本轮分配结果不能再改变。"), code=FundError.ROUND_CLOSED)
    applications = list(FundApplication.objects.filter(round=fund_round)
                        .select_related("project__enterprise__region__parent").order_by("id"))
    city = {a.pk: city_of(a.project.enterprise.region) for a in applications}
    inputs = [allocation.Application(id=a.pk, enterprise=a.project.enterprise_id, city=_code(city[a.pk]),
                                     amount=a.amount, benefit=a.benefit) for a in applications]
    result = allocation.allocate(inputs, _rules(fund_round))
    run = AllocationRun.objects.create(
        round=fund_round, by=by, status=result.status, funded=result.funded, total_amount=result.total_amount,
        total_benefit=result.total_benefit, objective=result.objective, bound=result.bound, gap=result.gap,
        proven_optimal=result.proven_optimal, ranking_funded=result.ranking_funded,
        ranking_total_benefit=result.ranking_total_benefit, ranking_feasible=result.ranking_feasible,
        reasons={str(k): _reason(v) for k, v in result.reasons.items()},
        problems=[_reason(p) for p in result.problems],
        city_minimums={str(k): str(v) for k, v in result.city_minimums.items()})
    if result.proven_optimal:
        _apply(by, fund_round, run, applications, set(result.funded))
    audit_record(actor=by, action="allocate", entity="fund_round", entity_id=fund_round.pk,
                 summary=f"run {run.pk}: {result.status}, {len(result.funded)} funded, benefit {result.total_benefit}",
                 after={"run": run.pk, "status": result.status, "funded": result.funded, "gap": result.gap})
    return run


def _apply(by: User, fund_round: FundRound, run: AllocationRun, applications: Sequence[FundApplication],
           funded: set[int]) -> None:
    previous = AllocationRun.objects.filter(round=fund_round, applied=True, journal__isnull=False).exclude(pk=run.pk)
    for earlier in previous:
        journal = earlier.journal
        if journal is not None and not Journal.objects.filter(reverses=journal).exists():
            journal_reverse(by=by, journal=journal, memo=_("重新分配：冲正第 %(id)s 次分配") % {"id": earlier.pk})
    AllocationRun.objects.filter(round=fund_round, applied=True).exclude(pk=run.pk).update(applied=False)
    accounts = fund_accounts(fund_round.year)
    chosen = [a for a in applications if a.pk in funded]
    total = sum((a.amount for a in chosen), Decimal(0))
    if chosen:
        legs = [(allocated_account(a), a.amount) for a in chosen] + [(accounts["available"], -total)]
        memo = _("%(y)s年专项资金分配（第 %(id)s 次计算）") % {"y": fund_round.year, "id": run.pk}
        run.journal = journal_post(by=by, kind=JournalKind.ALLOCATION, legs=legs, memo=memo,
                                   source=f"projects.run:{run.pk}", idempotency_key=f"fund.run:{run.pk}")
    run.applied = True
    run.save(update_fields=["applied", "journal"])
    for a in applications:
        a.funded = a.pk in funded
        a.reason = run.reasons.get(str(a.pk), {})
    FundApplication.objects.bulk_update(applications, ["funded", "reason"])
    fund_round.state = RoundState.ALLOCATED
    fund_round.save(update_fields=["state"])


# --- the clawback -----------------------------------------------------------------------------------------------

def paid_total(application: FundApplication) -> Decimal:
    found = Payment.objects.filter(application=application, state=PaymentState.PAID).aggregate(s=MoneySum("amount"))
    return found["s"] or Decimal("0.00")


@transaction.atomic
def fund_claw_back(project: Project, by: User) -> Decimal:
    """On a commitment breach: every fund payment of the project comes back to the fund, with what was
    allocated and not yet paid, and what was waiting is withdrawn. Returns the yuan clawed back (paid); a
    second call books nothing. Registered with the filing's breach hook."""
    from .payments import payment_move

    require(by, CLAWBACK, project, message=_("只有项目所在地区的主管部门可以追回专项资金。"), code=FundError.FORBIDDEN)
    clawed = Decimal("0.00")
    for application in (FundApplication.objects.select_for_update().select_related("round")
                        .filter(project=project, funded=True, clawed_back__isnull=True).order_by("id")):
        for payment in Payment.objects.filter(application=application,
                                              state__in=[*PENDING, PaymentState.RETURNED]).order_by("id"):
            payment_move(by=by, payment=payment, move=f"cancel_{payment.state}",
                         note=_("违反承诺，专项资金追回"))
        paid = paid_total(application)
        accounts = fund_accounts(application.round.year)
        allocated = allocated_account(application)
        unpaid = balances([allocated])[allocated.pk]
        legs = [(accounts["available"], paid + unpaid), (accounts["paid"], -paid), (allocated, -unpaid)]
        legs = [(account, amount) for account, amount in legs if amount != 0]
        if legs:
            journal_post(by=by, kind=JournalKind.CLAWBACK, legs=legs, source=f"projects.application:{application.pk}",
                         memo=_("违反承诺追回：申请 %(id)s") % {"id": application.pk},
                         idempotency_key=f"fund.clawback:{application.pk}")
        application.clawed_back = timezone.now()
        application.save(update_fields=["clawed_back"])
        audit_record(actor=by, action="claw_back", entity="fund_application", entity_id=application.pk,
                     summary=f"paid {paid} and unpaid {unpaid} back to the fund",
                     after={"paid": str(paid), "unpaid": str(unpaid)})
        clawed += paid
    return clawed
