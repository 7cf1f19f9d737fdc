"""Every write of the market's providers: register, edit, attach qualification files, submit, review,
members of a steering group. Validated, access-checked, audited, all or nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from zhigai.base.models import Industry, Region
from zhigai.core.audit import audit_record
from zhigai.core.errors import InvalidInput
from zhigai.core.models import Role, User
from zhigai.core.policy import require
from zhigai.core.text import clean_text
from zhigai.core.uploads import document_checked, document_delete
from zhigai.core.workflow import transition_apply

from .errors import MarketError
from .models import Membership, PriceLevel, Provider, ProviderStatus, ProviderType, QualificationFile, Technology
from .policy import PROVIDER_ROLES
from .workflow import NOTE_REQUIRED, PROVIDER_WORKFLOW

CAPACITY_MAX = 100
CERTIFICATIONS_MAX = 20
PROFILE_FIELDS = ("type", "name", "home_region", "description", "industries", "technologies", "regions",
                  "capacity", "price_level", "certifications", "industry_focus")


def _codes(model: type[Any], field: str, values: Any, problems: list[dict[str, str]], **extra: Any) -> list[Any]:
    """The rows of `model` with these codes; each unknown code is a problem of `field`."""
    if isinstance(values, str) or not isinstance(values, Sequence):
        problems.append({"field": field, "message": _("应为代码列表")})
        return []
    codes = [str(v).strip() for v in values if str(v).strip()]
    found = {row.code: row for row in model.objects.filter(code__in=codes, **extra)}
    for code in codes:
        if code not in found:
            problems.append({"field": field, "message": _("没有这个代码：%(code)s") % {"code": code}})
    return [found[c] for c in dict.fromkeys(codes) if c in found]


def _whole(value: Any, field: str, low: int, high: int, problems: list[dict[str, str]]) -> int:
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
        problems.append({"field": field, "message": _("应为 %(low)d 到 %(high)d 的整数") % {"low": low, "high": high}})
        return low
    return int(text)


def _text(value: Any, field: str, problems: list[dict[str, str]], **rules: Any) -> str:
    try:
        return clean_text(value if value is not None else "", field=field, **rules)
    except InvalidInput as exc:
        problems.extend(exc.details or [{"field": field, "message": exc.message}])
        return ""


def _profile(data: Mapping[str, Any], current: Provider | None) -> dict[str, Any]:
    """The profile as it will be stored, every field checked; InvalidInput naming each bad field."""
    def given(name: str, default: Any) -> Any:
        return data.get(name, default)

    unknown = sorted(set(data) - set(PROFILE_FIELDS))
    problems = [{"field": name, "message": _("没有这个字段")} for name in unknown]
    kind = str(given("type", current.type if current else ""))
    if kind not in ProviderType.values:
        problems.append({"field": "type", "message": _("应为：%(types)s") % {"types": ", ".join(ProviderType.values)}})
    out: dict[str, Any] = {
        "type": kind,
        "name": _text(given("name", current.name if current else ""), "name", problems, max_length=200,
                      required=True),
        "description": _text(given("description", current.description if current else ""), "description",
                             problems, max_length=4000, multiline=True),
        "capacity": _whole(given("capacity", current.capacity if current else 3), "capacity", 1, CAPACITY_MAX,
                           problems),
        "price_level": _whole(given("price_level", current.price_level if current else PriceLevel.MODERATE),
                              "price_level", PriceLevel.ECONOMY, PriceLevel.PREMIUM, problems),
    }
    region = given("home_region", current.home_region.code if current else "")
    out["home_region"] = Region.objects.filter(code=str(region)).first()
    if out["home_region"] is None:
        problems.append({"field": "home_region", "message": _("没有这个地区：%(code)s") % {"code": region}})
    now = {"industries": [], "technologies": [], "regions": []} if current is None else {
        "industries": [i.code for i in current.industries.all()],
        "technologies": [t.code for t in current.technologies.all()],
        "regions": [r.code for r in current.regions.all()]}
    # Divisions only: a provider names the GB/T 4754 divisions it works in.
    out["industries"] = _codes(Industry, "industries", given("industries", now["industries"]), problems,
                               parent__isnull=True)
    out["technologies"] = _codes(Technology, "technologies", given("technologies", now["technologies"]), problems)
    out["regions"] = _codes(Region, "regions", given("regions", now["regions"]), problems)
    certifications = given("certifications", current.certifications if current else [])
    if isinstance(certifications, str) or not isinstance(certifications, Sequence) \
            or len(certifications) > CERTIFICATIONS_MAX:
        problems.append({"field": "certifications",
                         "message": _("应为不超过 %(n)d 项的列表") % {"n": CERTIFICATIONS_MAX}})
        certifications = []
    out["certifications"] = [c for c in (_text(c, "certifications", problems, max_length=100)
                                         for c in certifications) if c]
    focus = given("industry_focus", current.industry_focus.code if current and current.industry_focus else "")
    out["industry_focus"] = Industry.objects.filter(code=str(focus), parent__isnull=True).first() if focus else None
    if focus and out["industry_focus"] is None:
        problems.append({"field": "industry_focus", "message": _("没有这个行业门类：%(code)s") % {"code": focus}})
    elif kind == ProviderType.STEERING and out["industry_focus"] is None:
        problems.append({"field": "industry_focus", "message": _("专家服务指导组须注明所面向的行业")})
    if problems:
        raise InvalidInput(_("服务商信息有误，未保存：") + "；".join(p["message"] for p in problems),
                           details=problems)
    return out


def _snapshot(provider: Provider) -> dict[str, Any]:
    return {
        "type": provider.type, "name": provider.name, "home_region": provider.home_region.code,
        "description": provider.description, "capacity": provider.capacity, "price_level": provider.price_level,
        "certifications": list(provider.certifications),
        "industry_focus": provider.industry_focus.code if provider.industry_focus else None,
        "industries": sorted(i.code for i in provider.industries.all()),
        "technologies": sorted(t.code for t in provider.technologies.all()),
        "regions": sorted(r.code for r in provider.regions.all()),
    }


def _store(provider: Provider, profile: Mapping[str, Any]) -> None:
    for name in ("type", "name", "home_region", "description", "capacity", "price_level", "certifications",
                 "industry_focus"):
        setattr(provider, name, profile[name])
    provider.save()
    provider.industries.set(profile["industries"])
    provider.technologies.set(profile["technologies"])
    provider.regions.set(profile["regions"])


@transaction.atomic
def provider_register(*, by: User, profile: Mapping[str, Any]) -> Provider:
    """A new provider in draft, registered by a provider user (or expert) who then acts for it."""
    require(by, "market.provider.create", message=_("您已代表一家服务商，或您的角色不能登记服务商。"),
            code=MarketError.REGISTERED)
    cleaned = _profile(profile, None)
    provider = Provider(created_by=by)
    _store(provider, cleaned)
    Membership.objects.create(user=by, provider=provider)
    if provider.type == ProviderType.STEERING:
        provider.leader = by
        provider.save(update_fields=["leader"])
    audit_record(actor=by, action="create", entity="provider", entity_id=provider.pk,
                 summary=f"{provider.get_type_display()} {provider.name}"[:255], after=_snapshot(provider))
    return provider


def _locked(provider: Provider) -> Provider:
    # The row alone is locked: PostgreSQL locks no nullable side of an outer join (industry_focus).
    return Provider.objects.select_for_update(of=("self",)).select_related("home_region", "industry_focus").get(
        pk=provider.pk)


@transaction.atomic
def provider_update(*, by: User, provider: Provider, profile: Mapping[str, Any]) -> Provider:
    """Change a draft's or a returned registration's profile (the fields given; the rest stay)."""
    provider = _locked(provider)
    require(by, "market.provider.change", provider, message=_("只有服务商本方用户可以修改，且仅在填写中或退回修改时。"),
            code=MarketError.LOCKED)
    cleaned = _profile(profile, provider)
    before = _snapshot(provider)
    _store(provider, cleaned)
    after = _snapshot(provider)
    if before != after:
        changed = [k for k in after if before[k] != after[k]]
        audit_record(actor=by, action="update", entity="provider", entity_id=provider.pk,
                     summary=", ".join(changed)[:255], before={k: before[k] for k in changed},
                     after={k: after[k] for k in changed})
    return provider


def provider_submit(*, by: User, provider: Provider, note: str = "") -> Provider:
    """Submit a draft, or a returned registration again, for review."""
    move = "resubmit" if provider.status == ProviderStatus.RETURNED else "submit"
    return provider_move(by=by, provider=provider, move=move, note=note)


@transaction.atomic
def provider_move(*, by: User, provider: Provider, move: str, note: str = "") -> Provider:
    """A move of the registration workflow (market.workflow); a return, refusal or suspension needs its
    reason in `note`."""
    transition = PROVIDER_WORKFLOW.transition(move)  # an unknown move is bad input before anything else
    note = clean_text(note, field="note", max_length=2000, multiline=True)
    # From any other state transition_apply answers 409: the missing reason matters only where it may move.
    if move in NOTE_REQUIRED and not note and provider.status == transition.source:
        # The policy first, as transition_apply would: a refused user learns nothing from the note rule.
        require(by, transition.permission, provider,
                message=_("您不能对这家服务商进行此操作。"), code=MarketError.FORBIDDEN)
        raise InvalidInput(_("请写明退回、不予入库或暂停的理由。"), code=MarketError.NOTE_REQUIRED,
                           details=[{"field": "note", "message": _("必填")}])
    return cast(Provider, transition_apply(workflow=PROVIDER_WORKFLOW, obj=provider, name=move, by=by, note=note))


@transaction.atomic
def qualification_add(*, by: User, provider: Provider, upload: UploadedFile) -> QualificationFile:
    """Attach a qualification file (checked by content and size, as every document is: core.uploads)."""
    provider = _locked(provider)
    require(by, "market.provider.change", provider, message=_("只有服务商本方用户可以上传，且仅在填写中或退回修改时。"),
            code=MarketError.LOCKED)
    name, content_type, size = document_checked(upload)
    found = QualificationFile.objects.create(provider=provider, file=upload, filename=name[:255], size=size,
                                             content_type=content_type, uploaded_by=by)
    audit_record(actor=by, action="create", entity="qualification", entity_id=found.pk, subject=str(provider.pk),
                 summary=f"{provider.pk} {name}"[:255])
    return found


@transaction.atomic
def qualification_delete(*, by: User, qualification: QualificationFile) -> None:
    require(by, "market.provider.change", _locked(qualification.provider),
            message=_("只有服务商本方用户可以删除，且仅在填写中或退回修改时。"), code=MarketError.LOCKED)
    audit_record(actor=by, action="delete", entity="qualification", entity_id=qualification.pk,
                 subject=str(qualification.provider_id),
                 summary=f"{qualification.provider_id} {qualification.filename}"[:255])
    document_delete(qualification)


def _member_problem(message: str, field: str, value: str, code: str = "invalid") -> InvalidInput:
    return InvalidInput(message, code=code, details=[{"field": field, "message": value}])


@transaction.atomic
def provider_member_add(*, by: User, provider: Provider, username: str) -> Membership:
    """A provider's own user adds a member by username: an active user who acts for no provider yet — an
    expert for a steering group; a provider user, an expert or a bank's user for the others."""
    provider = _locked(provider)  # membership changes of one provider queue behind each other
    require(by, "market.member.change", provider, message=_("只有服务商本方用户可以调整成员。"),
            code=MarketError.FORBIDDEN)
    name = clean_text(username, field="username", max_length=150)
    if not name:
        raise _member_problem(_("请填写要添加的用户名。"), "username", _("必填"))
    user = User.objects.filter(username=name, is_active=True).first()
    if user is None:
        raise _member_problem(_("没有这个用户：%(name)s") % {"name": name}, "username", name)
    if provider.type == ProviderType.STEERING and user.role != Role.EXPERT:
        raise _member_problem(_("专家服务指导组的成员须为专家。"), "username", user.get_role_display())
    if user.role not in PROVIDER_ROLES:
        raise _member_problem(_("只能添加服务商用户或专家。"), "username", user.get_role_display())
    current = Membership.objects.filter(user=user).first()
    if current is not None:
        message = (_("该用户已是本单位成员。") if current.provider_id == provider.pk
                   else _("该用户已代表另一家服务商。"))
        raise _member_problem(message, "username", name, code=MarketError.REGISTERED)
    membership = Membership.objects.create(user=user, provider=provider)
    audit_record(actor=by, action="create", entity="provider_member", entity_id=membership.pk,
                 subject=str(provider.pk), summary=f"{user.username} → {provider.pk}", after={"user": user.username})
    return membership


def _membership(provider: Provider, user_id: int) -> Membership:
    found = Membership.objects.select_related("user").filter(provider=provider, user_id=user_id).first()
    if found is None:
        raise _member_problem(_("该用户不是本单位成员。"), "user", str(user_id))
    return found


@transaction.atomic
def provider_member_remove(*, by: User, provider: Provider, user_id: int) -> None:
    """Remove a member; never the last one (a provider without users could not act), nor a steering
    group's leader before another is named."""
    provider = _locked(provider)
    require(by, "market.member.change", provider, message=_("只有服务商本方用户可以调整成员。"),
            code=MarketError.FORBIDDEN)
    membership = _membership(provider, user_id)
    if Membership.objects.filter(provider=provider).count() <= 1:
        raise _member_problem(_("不能移除最后一位成员。"), "user", membership.user.username)
    if provider.leader_id == user_id:
        raise _member_problem(_("该成员是组长：请先指定另一位组长。"), "user", membership.user.username)
    audit_record(actor=by, action="delete", entity="provider_member", entity_id=membership.pk,
                 subject=str(provider.pk), summary=f"{membership.user.username} ← {provider.pk}",
                 before={"user": membership.user.username})
    membership.delete()


@transaction.atomic
def provider_leader_set(*, by: User, provider: Provider, user_id: int) -> Provider:
    """Name a steering group's leader, one of its members."""
    provider = _locked(provider)
    require(by, "market.member.change", provider, message=_("只有服务商本方用户可以调整成员。"),
            code=MarketError.FORBIDDEN)
    if provider.type != ProviderType.STEERING:
        raise _member_problem(_("只有专家服务指导组设组长。"), "user", provider.get_type_display())
    membership = _membership(provider, user_id)
    if provider.leader_id != user_id:
        before = provider.leader.username if provider.leader else None
        provider.leader = membership.user
        provider.save(update_fields=["leader"])
        audit_record(actor=by, action="update", entity="provider", entity_id=provider.pk, summary="leader",
                     before={"leader": before}, after={"leader": membership.user.username})
    return provider
