from __future__ import annotations

from typing import Any

from ninja import Query, Router

from zhigai.core.types import ApiRequest

from . import selectors
from .models import Provider
from .schemas import ProviderDetail, ProviderOut, ProviderQuery
from .track_record import track_record

router = Router(tags=["market"])


def _code_name(obj: Any) -> dict[str, str]:
    return {"code": obj.code, "name": obj.name}


def provider_out(p: Provider) -> dict[str, Any]:
    return {
        "id": p.pk, "type": p.type, "type_name": p.get_type_display(), "name": p.name, "status": p.status,
        "home_region": _code_name(p.home_region),
        "industries": [_code_name(i) for i in p.industries.all()],
        "technologies": [_code_name(t) for t in p.technologies.all()],
        "regions": [_code_name(r) for r in p.regions.all()],
        "capacity": p.capacity, "price_level": p.price_level,
    }


@router.get("/providers", response=list[ProviderOut],
            description="Listed providers matching every filter given: `industry` (a GB/T 4754 code; a class "
            "matches its division), `technology` (a code of the technology list), `region` (served there, above "
            "or inside it), `type`. Provincial officers may ask for another `status`, or `all`. An unknown code "
            "is 422.")
def providers(request: ApiRequest, filters: Query[ProviderQuery]) -> list[dict[str, Any]]:
    found = selectors.provider_list(user=request.auth, filters=selectors.ProviderFilters(**filters.dict()))
    return [provider_out(p) for p in found]


@router.get("/providers/{provider_id}", response=ProviderDetail,
            description="A provider the caller may see, with its track record, computed from its engagements.")
def provider_detail(request: ApiRequest, provider_id: int) -> dict[str, Any]:
    p = selectors.access_provider(user=request.auth, provider_id=provider_id)
    return {
        **provider_out(p),
        "description": p.description,
        "certifications": list(p.certifications),
        "industry_focus": _code_name(p.industry_focus) if p.industry_focus else None,
        # Names, not usernames: a provider's page tells no one its users' sign-in names.
        "members": [{"name": m.user.get_full_name() or m.user.username,
                     "role": m.user.role, "leader": m.user_id == p.leader_id}
                    for m in p.members.select_related("user")],
        "qualification_files": [f.filename for f in p.files.all()],
        "track_record": track_record(provider=p),
    }
