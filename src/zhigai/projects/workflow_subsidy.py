"""A subsidy claim's moves (core.workflow): submitted → approved (an officer of the project's region; the
working is computed again, under a lock on the enterprise, since its allowance may have been used since) →
paid (posted to the ledger, once: an idempotency key per claim) | rejected (its invoices are free again);
paid → clawed_back when the project breached its commitment (a clawback entry, once)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from zhigai.base.models import Enterprise
from zhigai.core.errors import Conflict
from zhigai.core.models import Role, User
from zhigai.core.workflow import Transition, Workflow
from zhigai.ledger.models import AccountKind, JournalKind
from zhigai.ledger.names import account_stored_name
from zhigai.ledger.services import account_ensure, journal_post

from .errors_subsidy import SubsidyError
from .ledger_names import subsidy_account_name
from .models import ProjectState
from .models_subsidy import ClaimState as S
from .models_subsidy import Invoice, SubsidyClaim, SubsidyClaimEvent, SubsidyClaimInvoice
from .policy_subsidy import APPROVE, CLAW_BACK, PAY
from .working_subsidy import claim_working

PAID_ACCOUNT = "subsidy:paid"


def available_account_code(program: str, year: int) -> str:
    return f"subsidy:{program}:{year}:available"


def available_account(program: str, year: int) -> Any:
    code = available_account_code(program, year)
    return account_ensure(code=code, kind=AccountKind.ASSET, never_negative=True,
                          name=account_stored_name(code, subsidy_account_name))


def paid_account() -> Any:
    return account_ensure(code=PAID_ACCOUNT, kind=AccountKind.EXPENSE,
                          name=account_stored_name(PAID_ACCOUNT, subsidy_account_name))


def _not_breached(claim: SubsidyClaim) -> None:
    if claim.project.state == ProjectState.BREACHED:
        raise Conflict(_("项目已被认定违反承诺，不能再核准或拨付补贴。"), code=SubsidyError.FORBIDDEN,
                       details=[{"field": "project", "message": claim.project.state}])


def _recompute(claim: SubsidyClaim, by: Any) -> None:
    # The enterprise's row is the lock every approval of its claims takes: two officers approving two claims
    # at once cannot both spend the same allowance.
    Enterprise.objects.select_for_update().filter(pk=claim.project.enterprise_id).first()
    invoices = list(Invoice.objects.filter(claim_links__claim=claim, claim_links__live=True)
                    .select_related("equipment_line"))
    working, amount = claim_working(project=claim.project, kind=claim.kind, rule=claim.rule, year=claim.year,
                                    invoices=invoices, exclude=[claim.pk])
    claim.working, claim.amount = working, amount


def _free_invoices(claim: SubsidyClaim, by: Any) -> None:
    SubsidyClaimInvoice.objects.filter(claim=claim).update(live=False)


def _pay(claim: SubsidyClaim, by: Any) -> None:
    amount = Decimal(claim.amount)
    journal_post(by=by, kind=JournalKind.PAYMENT, legs=[(paid_account(), amount),
                                                       (available_account(claim.program, claim.year), -amount)],
                 memo=f"补贴拨付 申领#{claim.pk}", source=f"projects.subsidy_claim:{claim.pk}",
                 idempotency_key=f"subsidy-claim:{claim.pk}:pay")


def _claw_back(claim: SubsidyClaim, by: Any) -> None:
    amount = Decimal(claim.amount)
    journal_post(by=by, kind=JournalKind.CLAWBACK, legs=[(available_account(claim.program, claim.year), amount),
                                                        (paid_account(), -amount)],
                 memo=f"补贴追回 申领#{claim.pk}", source=f"projects.subsidy_claim:{claim.pk}",
                 idempotency_key=f"subsidy-claim:{claim.pk}:clawback")


def claimants(claim: SubsidyClaim) -> list[Any]:
    return list(User.objects.filter(role=Role.ENTERPRISE, enterprise_id=claim.project.enterprise_id, is_active=True))


def _move(name: str, source: str, target: str, permission: str, label: Any, notice: str, **extra: Any) -> Transition:
    return Transition(name=name, source=source, target=target, permission=permission, label=label,
                      notify=claimants, notice=notice, refusal_code=SubsidyError.FORBIDDEN, **extra)


CLAIM_WORKFLOW = Workflow(
    name="subsidy_claim",
    model=SubsidyClaim,
    event_model=SubsidyClaimEvent,
    state_field="state",
    url=lambda c: reverse("subsidies:claim", args=[c.pk]),
    describe=lambda c: {"claim": c.pk, "project": c.project.title, "amount": str(c.amount)},
    transitions=[
        _move("approve", S.SUBMITTED, S.APPROVED, APPROVE, gettext_lazy("核准"),
              gettext_noop("补贴申领 #%(claim)s（%(project)s）已核准：%(amount)s 元。"),
              guards=[_not_breached], effects=[_recompute]),
        _move("reject", S.SUBMITTED, S.REJECTED, APPROVE, gettext_lazy("不予核准"),
              gettext_noop("补贴申领 #%(claim)s（%(project)s）未获核准，请查看原因。"), after_save=[_free_invoices]),
        _move("pay", S.APPROVED, S.PAID, PAY, gettext_lazy("拨付"),
              gettext_noop("补贴申领 #%(claim)s（%(project)s）已拨付：%(amount)s 元。"),
              guards=[_not_breached], after_save=[_pay]),
        _move("claw_back", S.PAID, S.CLAWED_BACK, CLAW_BACK, gettext_lazy("追回"),
              gettext_noop("项目 %(project)s 违反承诺，补贴申领 #%(claim)s 的 %(amount)s 元已追回。"),
              after_save=[_claw_back]),
    ],
)

NOTE_REQUIRED = frozenset({"reject", "claw_back"})
