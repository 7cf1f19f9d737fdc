"""The special fund's payments (SPEC §5, issue 13): asked for once per idempotency key, approved by an officer
of the project's city and then by the finance office — two different people —, each able to send it back,
then made (booked in the ledger: the application's allocation → paid) or failed (nothing booked, nothing to
reverse). The states move only through core.workflow."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from zhigai.base.models import MoneySum
from zhigai.core.audit import audit_record
from zhigai.core.errors import Conflict, InvalidInput, PermissionDenied
from zhigai.core.inbox import inbox_notify
from zhigai.core.models import Role, User
from zhigai.core.policy import require
from zhigai.core.text import clean_text
from zhigai.core.workflow import Transition, Workflow, transition_apply
from zhigai.ledger.models import JournalKind
from zhigai.ledger.services import journal_post

from .errors_fund import FundError
from .fund import allocated_account, fund_accounts, money_in
from .fund_models import PENDING, FundApplication, Payment, PaymentEvent, PaymentState
from .fund_selectors import city_of
from .policy_fund import CANCEL, DISBURSE, FINANCE_APPROVE, PAYMENT_REQUEST, REGION_APPROVE

S = PaymentState


def _reserved(application: FundApplication, *, besides: Payment | None = None) -> Decimal:
    """What the application's payments waiting or made hold of its allocation."""
    qs = Payment.objects.filter(application=application, state__in=[*PENDING, S.PAID])
    if besides is not None:
        qs = qs.exclude(pk=besides.pk)
    return qs.aggregate(s=MoneySum("amount"))["s"] or Decimal("0.00")


def _within_allocation(application: FundApplication, amount: Decimal, besides: Payment | None = None) -> None:
    if not application.funded:
        raise Conflict(_("这项申请未获分配，不能拨付。"), code=FundError.NOT_FUNDED)
    if application.clawed_back is not None:
        raise Conflict(_("这项申请的专项资金已经追回，不再拨付。"), code=FundError.CLAWED_BACK)
    held = _reserved(application, besides=besides)
    if held + amount > application.amount:
        raise Conflict(_("拨付总额不能超过分配金额：已分配 %(a)s 元，已拨付或在途 %(h)s 元，本次 %(n)s 元。")
                       % {"a": application.amount, "h": held, "n": amount}, code=FundError.OVER_ALLOCATED,
                       details=[{"field": "amount", "message": str(application.amount - held)}])


def _not_clawed_back(payment: Payment) -> None:
    if payment.application.clawed_back is not None:
        raise Conflict(_("这项申请的专项资金已经追回，不再拨付。"), code=FundError.CLAWED_BACK)


def _resubmittable(payment: Payment) -> None:
    _within_allocation(FundApplication.objects.select_for_update().get(pk=payment.application_id), payment.amount,
                       besides=payment)


def _region_approved(payment: Payment, by: Any) -> None:
    payment.region_approved_by = by


def _finance_approved(payment: Payment, by: Any) -> None:
    """The two-person rule: the finance approval is never by whoever gave the region's."""
    if payment.region_approved_by_id == by.pk:
        raise PermissionDenied(_("同一人不能两次审核同一笔拨付：地市审核与财政审核须由两人分别作出。"),
                               code=FundError.SAME_APPROVER)
    payment.finance_approved_by = by


def _sent_back(payment: Payment, by: Any) -> None:
    payment.region_approved_by = None
    payment.finance_approved_by = None


def _booked(payment: Payment, by: Any) -> None:
    """Made: the application's allocation → paid, once (the key is the payment's)."""
    application = payment.application
    paid = fund_accounts(application.round.year)["paid"]
    payment.journal = journal_post(
        by=by, kind=JournalKind.PAYMENT,
        legs=[(paid, payment.amount), (allocated_account(application), -payment.amount)],
        memo=_("专项资金拨付：申请 %(a)s，第 %(p)s 笔") % {"a": application.pk, "p": payment.pk},
        source=f"projects.payment:{payment.pk}", idempotency_key=f"fund.payment:{payment.pk}")


def city_officers(payment: Payment) -> list[Any]:
    city = city_of(payment.application.project.enterprise.region)
    return list(User.objects.filter(role=Role.CITY, region=city, is_active=True)) if city else []


def finance_officers(payment: Payment) -> list[Any]:
    return list(User.objects.filter(role=Role.FINANCE, is_active=True))


def requester(payment: Payment) -> list[Any]:
    return [payment.requested_by]


def _move(name: str, source: str, target: str, permission: str, label: Any, notice: str = "", notify: Any = None,
          guards: tuple[Any, ...] = (), effects: tuple[Any, ...] = ()) -> Transition:
    return Transition(name=name, source=source, target=target, permission=permission, label=label, notice=notice,
                      notify=notify, guards=guards, effects=effects, refusal_code=FundError.FORBIDDEN)


_CANCEL = [_move(f"cancel_{state}", state, S.CANCELLED, CANCEL, gettext_lazy("撤销"))
           for state in (S.REQUESTED, S.RETURNED, S.REGION_APPROVED, S.FINANCE_APPROVED)]

PAYMENT_WORKFLOW = Workflow(
    name="fund_payment",
    model=Payment,
    event_model=PaymentEvent,
    state_field="state",
    url=lambda p: reverse("fund:payment", args=[p.pk]),
    describe=lambda p: {"payment": p.pk, "amount": str(p.amount), "project": p.application.project.title},
    transitions=[
        _move("region_approve", S.REQUESTED, S.REGION_APPROVED, REGION_APPROVE, gettext_lazy("地市审核通过"),
              gettext_noop("拨付 %(payment)s（%(project)s，%(amount)s 元）已通过地市审核，请财政部门审核。"),
              finance_officers, guards=(_not_clawed_back,), effects=(_region_approved,)),
        _move("region_return", S.REQUESTED, S.RETURNED, REGION_APPROVE, gettext_lazy("退回"),
              gettext_noop("拨付 %(payment)s（%(project)s）被地市退回，请查看意见。"), requester,
              effects=(_sent_back,)),
        _move("finance_approve", S.REGION_APPROVED, S.FINANCE_APPROVED, FINANCE_APPROVE, gettext_lazy("财政审核通过"),
              guards=(_not_clawed_back,), effects=(_finance_approved,)),
        _move("finance_return", S.REGION_APPROVED, S.RETURNED, FINANCE_APPROVE, gettext_lazy("退回"),
              gettext_noop("拨付 %(payment)s（%(project)s）被财政部门退回，请查看意见。"), requester,
              effects=(_sent_back,)),
        _move("resubmit", S.RETURNED, S.REQUESTED, PAYMENT_REQUEST, gettext_lazy("重新提交"),
              gettext_noop("拨付 %(payment)s（%(project)s，%(amount)s 元）重新提交，请审核。"), city_officers,
              guards=(_resubmittable,)),
        _move("pay", S.FINANCE_APPROVED, S.PAID, DISBURSE, gettext_lazy("确认已拨付"),
              gettext_noop("拨付 %(payment)s（%(project)s，%(amount)s 元）已拨付。"), requester,
              guards=(_not_clawed_back,), effects=(_booked,)),
        _move("fail", S.FINANCE_APPROVED, S.FAILED, DISBURSE, gettext_lazy("拨付失败"),
              gettext_noop("拨付 %(payment)s（%(project)s）未能拨付，请查看原因。"), requester),
        *_CANCEL,
    ],
)

# The moves whose note is their reason: a sending back, a failure.
NOTE_REQUIRED = frozenset({"region_return", "finance_return", "fail"})


def _key(value: Any) -> str:
    key = clean_text(str(value or ""), field="idempotency_key", max_length=100)
    if not key:
        raise InvalidInput(_("请给出幂等键（每笔拨付唯一，1到100个字符）"),
                           details=[{"field": "idempotency_key", "message": _("必填")}])
    return key


def _same(payment: Payment, application: FundApplication, amount: Decimal) -> Payment:
    """The payment a repeated key names, if it is the same request; Conflict when it is not."""
    if payment.application_id != application.pk or payment.amount != amount:
        key = payment.idempotency_key
        raise Conflict(_("幂等键“%(k)s”已用于另一笔拨付（%(id)s）。") % {"k": key, "id": payment.pk},
                       code=FundError.KEY_REUSED, details=[{"field": "idempotency_key", "message": key}])
    return payment


def payment_request(*, by: User, application: FundApplication, amount: Any,
                    idempotency_key: Any) -> tuple[Payment, bool]:
    """Ask for a payment of part of an application's allocation; returns (payment, created). The same key
    again, with the same application and amount, is the first payment (created False), however many
    requests arrive at once; with anything else it is refused."""
    key = _key(idempotency_key)
    value = money_in(amount, "amount")
    found = Payment.objects.filter(idempotency_key=key).first()
    if found is not None:
        return _same(found, application, value), False
    require(by, PAYMENT_REQUEST, application, message=_("只有项目所属企业或其所在地区的主管部门可以申请拨付。"),
            code=FundError.FORBIDDEN)
    try:
        with transaction.atomic():
            # One request of an application at a time: the sum of what its payments hold is then exact.
            locked = FundApplication.objects.select_for_update().select_related("round", "project").get(
                pk=application.pk)
            found = Payment.objects.filter(idempotency_key=key).first()  # booked while we waited for the lock
            if found is not None:
                return _same(found, application, value), False
            _within_allocation(locked, value)
            payment = Payment.objects.create(application=locked, amount=value, idempotency_key=key, requested_by=by)
            PaymentEvent.objects.create(subject=payment, transition="request", source="", target=S.REQUESTED, by=by)
            audit_record(actor=by, action="request", entity="fund_payment", entity_id=payment.pk,
                         summary=f"application {locked.pk}: {value}", after={"amount": str(value), "key": key})
            inbox_notify(recipients=[u for u in city_officers(payment) if u.pk != by.pk],
                         text=gettext_noop("拨付 %(payment)s（%(project)s，%(amount)s 元）待地市审核。"),
                         params=PAYMENT_WORKFLOW.describe(payment), url=PAYMENT_WORKFLOW.url(payment))
    except IntegrityError:
        # The same key from a request that committed between our two looks: its payment is the answer.
        found = Payment.objects.filter(idempotency_key=key).first()
        if found is None:
            raise
        return _same(found, application, value), False
    return payment, True


@transaction.atomic
def payment_move(*, by: User, payment: Payment, move: str, note: str = "") -> Payment:
    """A move of the payment workflow; sending back and a failure need their reason in `note`."""
    transition = PAYMENT_WORKFLOW.transition(move)
    note = clean_text(note, field="note", max_length=2000, multiline=True)
    if move in NOTE_REQUIRED and not note and payment.state == transition.source:
        require(by, transition.permission, payment, message=_("您不能对这笔拨付进行此操作。"), code=FundError.FORBIDDEN)
        raise InvalidInput(_("请写明退回或拨付失败的理由。"), details=[{"field": "note", "message": _("必填")}])
    return cast(Payment, transition_apply(workflow=PAYMENT_WORKFLOW, obj=payment, name=move, by=by, note=note))
