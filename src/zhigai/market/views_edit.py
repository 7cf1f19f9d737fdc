"""The provider user's pages that write: register, edit, attach qualification files, submit; the reviewer's
moves (list, return, refuse, suspend, relist) from the provider's page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhigai.base.models import RegionLevel
from zhigai.base.selectors import industry_list, region_list
from zhigai.core.crumbs import Crumb, crumbs
from zhigai.core.errors import InvalidInput
from zhigai.core.pages import errors_as_messages
from zhigai.core.policy import require
from zhigai.core.types import AuthenticatedRequest

from . import selectors, services
from .errors import MarketError
from .models import PriceLevel, Provider, ProviderType
from .views import directory_trail


def _form_data(request: HttpRequest) -> dict[str, Any]:
    post = request.POST
    return {
        **{name: post.get(name, "") for name in ("type", "name", "home_region", "description", "capacity",
                                                  "price_level", "industry_focus")},
        **{name: post.getlist(name) for name in ("industries", "technologies", "regions")},
        "certifications": [line for line in post.get("certifications", "").splitlines() if line.strip()],
    }


def _values(provider: Provider | None) -> dict[str, Any]:
    if provider is None:
        return {"type": ProviderType.ENGINEERING, "capacity": 3, "price_level": PriceLevel.MODERATE,
                "industries": [], "technologies": [], "regions": [], "certifications": ""}
    return {
        "type": provider.type, "name": provider.name, "home_region": provider.home_region.code,
        "description": provider.description, "capacity": provider.capacity, "price_level": provider.price_level,
        "industry_focus": provider.industry_focus.code if provider.industry_focus else "",
        "industries": [i.code for i in provider.industries.all()],
        "technologies": [t.code for t in provider.technologies.all()],
        "regions": [r.code for r in provider.regions.all()],
        "certifications": "\n".join(provider.certifications),
    }


def _form(request: AuthenticatedRequest, provider: Provider | None) -> HttpResponse:
    values, errors = _values(provider), {}
    if request.method == "POST":
        data = _form_data(request)
        try:
            if provider is None:
                provider = services.provider_register(by=request.user, profile=data)
            else:
                services.provider_update(by=request.user, provider=provider, profile=data)
        except InvalidInput as exc:
            errors = {d.get("field", ""): d.get("message", "") for d in exc.details}
            values = {**data, "certifications": request.POST.get("certifications", "")}
        else:
            messages.success(request, _("服务商信息已保存。提交审核前可随时修改。"))
            return redirect("market:provider", provider_id=provider.pk)
    title = _("登记服务商") if provider is None else _("修改服务商信息")
    trail = directory_trail() if provider is None else [
        *directory_trail(), Crumb(provider.name, reverse("market:provider", args=[provider.pk]))]
    return render(request, "market/provider_form.html", {
        "p": provider, "title": title, "crumbs": crumbs(*trail, current=title), "values": values, "errors": errors,
        "types": ProviderType.choices, "price_levels": PriceLevel.choices,
        "industries": industry_list().filter(parent__isnull=True),
        "technologies": selectors.technology_list(),
        "regions": region_list().filter(level__in=[RegionLevel.PROVINCE, RegionLevel.CITY]),
        "counties": region_list(),
    }, status=422 if errors else 200)


@login_required
def provider_new(request: AuthenticatedRequest) -> HttpResponse:
    require(request.user, "market.provider.create", message=_("您已代表一家服务商，或您的角色不能登记服务商。"),
            code=MarketError.REGISTERED)
    return _form(request, None)


@login_required
def provider_edit(request: AuthenticatedRequest, provider_id: int) -> HttpResponse:
    return _form(request, selectors.access_provider(user=request.user, provider_id=provider_id, action="change"))


@login_required
@require_POST
def provider_move(request: AuthenticatedRequest, provider_id: int) -> HttpResponse:
    """Submit, or a reviewer's decision; the note is the return's comments or the reason."""
    provider = selectors.access_provider(user=request.user, provider_id=provider_id)
    move, note = request.POST.get("move", ""), request.POST.get("note", "")
    with errors_as_messages(request):
        if move == "submit":
            provider = services.provider_submit(by=request.user, provider=provider, note=note)
        else:
            provider = services.provider_move(by=request.user, provider=provider, move=move, note=note)
        messages.success(request, _("已处理：%(state)s") % {"state": provider.get_status_display()})
    return redirect("market:provider", provider_id=provider_id)


@login_required
@require_POST
def qualification_upload(request: AuthenticatedRequest, provider_id: int) -> HttpResponse:
    provider = selectors.access_provider(user=request.user, provider_id=provider_id)
    with errors_as_messages(request):
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput(_("请选择文件。"), details=[{"field": "file", "message": "missing"}])
        services.qualification_add(by=request.user, provider=provider, upload=upload)
        messages.success(request, _("资质文件已上传。"))
    return redirect("market:provider", provider_id=provider_id)


@login_required
def qualification_download(request: AuthenticatedRequest, file_id: int) -> FileResponse:
    found = selectors.qualification_get(user=request.user, file_id=file_id)
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.filename,
                        content_type=found.content_type)


@login_required
@require_POST
def qualification_delete(request: AuthenticatedRequest, file_id: int) -> HttpResponse:
    found = selectors.qualification_get(user=request.user, file_id=file_id)
    with errors_as_messages(request):
        services.qualification_delete(by=request.user, qualification=found)
        messages.success(request, _("资质文件已删除。"))
    return redirect("market:provider", provider_id=found.provider_id)
