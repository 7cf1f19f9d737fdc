"""The market's part of the home page (base.sections.dashboard_section_register): for a user who acts for a
provider, where its registration stands and what to do next."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from zhigai.core.policy import permitted

from .models import ProviderStatus
from .selectors import provider_of

NEXT_STEP = {
    ProviderStatus.DRAFT: _("登记尚未提交：补全信息后提交省级主管部门审核。"),
    ProviderStatus.SUBMITTED: _("已提交，等待省级主管部门审核。"),
    ProviderStatus.RETURNED: _("审核退回：请按审核意见修改后重新提交（意见见服务商页面的审核记录）。"),
    ProviderStatus.LISTED: _("已列入服务商名录，企业可以在名录中找到您。"),
    ProviderStatus.REFUSED: _("登记未通过审核（原因见服务商页面的审核记录）。"),
    ProviderStatus.SUSPENDED: _("已被暂停列入名录（原因见服务商页面的审核记录）。"),
}


def home_section(request: HttpRequest, region_code: str | None) -> SafeString | None:
    if region_code is not None:  # a region's page: not about the user's own provider
        return None
    provider = provider_of(request.user)
    if provider is None:
        return None
    html = render_to_string("market/partials/home_section.html", {
        "p": provider, "status": provider.get_status_display(), "next_step": NEXT_STEP[ProviderStatus(provider.status)],
        "may_change": permitted(request.user, "market.provider.change", provider),
    }, request=request)
    return mark_safe(html)  # rendered by the template engine, which escaped every value
