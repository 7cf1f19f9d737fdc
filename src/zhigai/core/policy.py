"""Access policies: the one place per module that says who may do what to which of its objects.

Each app declares a `Policy` in its own `policy.py` — for each object and action the predicate (a `rules`
predicate taking the user and the object) that allows it — and registers it when Django starts. A
permission is named `<app>.<object>.<action>`, e.g. `base.enterprise.change`, `diagnosis.assessment.verify`.

Roles that reach enterprises through another module's records (an expert through a diagnosis assignment, a
bank through a contract) do so by a `Grant`: the module that owns the record says which enterprises a user
is granted and exactly which permissions the grant opens. A grant opens nothing else: a bank's contract
never shows it a draft diagnosis, because the diagnosis policy only honours grants that name its own
permissions.

Getters (`access_enterprise`, `access_assessment`, …) live in the apps' selectors and apply these
policies: they answer 404 for what the user may not see (as for what does not exist) and 403 for what it
sees but may not do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404
from rules.predicates import Predicate as Predicate  # re-exported: the type of every rule
from rules.predicates import predicate as _predicate
from rules.rulesets import RuleSet

from .errors import PermissionDenied
from .types import Actor


def predicate(fn: Callable[..., bool], name: str | None = None) -> Predicate:
    """rules' @predicate, typed: a test on (user) or (user, object) that combines with |, & and ~."""
    made: Predicate = _predicate(fn, name=name)  # type: ignore[no-untyped-call]  # rules ships no annotations here
    return made


class Policy:
    """One app's rules: `allow(object, action, predicate)` for each thing its users may do."""

    def __init__(self, app: str):
        self.app = app
        self.rules = RuleSet()
        self.descriptions: dict[str, str] = {}

    def allow(self, obj: str, action: str, rule: Predicate, description: str = "") -> None:
        self.rules.add_rule(f"{obj}.{action}", rule)  # type: ignore[no-untyped-call]
        self.descriptions[f"{self.app}.{obj}.{action}"] = description

    def permissions(self) -> list[str]:
        return sorted(f"{self.app}.{name}" for name in self.rules)


_POLICIES: dict[str, Policy] = {}


def policy_register(policy: Policy) -> None:
    _POLICIES[policy.app] = policy


def policies() -> list[Policy]:
    return [_POLICIES[app] for app in sorted(_POLICIES)]


def permitted(user: Actor | None, permission: str, obj: Any = None) -> bool:
    """Whether `user` may do `permission` (`<app>.<object>.<action>`) to `obj`.

    An unknown permission is a programming error, not a refusal: a misspelt name must not silently
    deny (or, worse, be mistaken for a rule that exists)."""
    app, _, name = permission.partition(".")
    policy = _POLICIES.get(app)
    if policy is None or name not in policy.rules:
        raise LookupError(f"no access rule {permission!r}: declare it in {app}/policy.py")
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(policy.rules.test_rule(name, user, obj))  # type: ignore[no-untyped-call]


DB_ID_MAX = 2**31 - 1  # the largest id a table holds (and a larger number in a URL a database refuses)
M = TypeVar("M", bound=Model)


def seen_or_404(queryset: QuerySet[M], pk: int, user: Actor | None, permission: str, *,
                of: Callable[[M], Any] | None = None) -> M:
    """The row `pk` of `queryset` if `user` has `permission` on it (or on `of(row)`, the record it belongs to:
    a file's assessment); Http404 otherwise, alike for a row that does not exist and one the user may not see,
    so that ids cannot be probed. The getters' one lookup."""
    found = queryset.filter(pk=pk).first() if 0 < pk <= DB_ID_MAX else None
    if found is None or not permitted(user, permission, found if of is None else of(found)):
        raise Http404
    return found


def require(user: Actor | None, permission: str, obj: Any = None, *, message: str, code: str = "forbidden") -> None:
    """PermissionDenied (403) unless permitted: for an object the caller has already shown to be visible."""
    if not permitted(user, permission, obj):
        raise PermissionDenied(message, code=code)


@dataclass(frozen=True)
class Grant:
    """Enterprises a module's records open to users of some roles, and the permissions they open there."""

    name: str
    roles: frozenset[str]
    enterprise_ids: Callable[[Any], Iterable[int]]  # the granted user -> the enterprises granted
    opens: frozenset[str]
    # The models enterprise_ids reads. Scopes are cached under the "access" area, so each must be
    # registered with it (core.cache.cache_areas_register): a test holds every grant to that.
    models: tuple[type, ...] = ()


_GRANTS: dict[str, Grant] = {}


def grant_register(grant: Grant) -> None:
    _GRANTS[grant.name] = grant


def grants_opening(role: str, permission: str) -> Iterator[Grant]:
    """The registered grants that give users of `role` `permission` on their granted enterprises."""
    for name in sorted(_GRANTS):
        grant = _GRANTS[name]
        if role in grant.roles and permission in grant.opens:
            yield grant


def grants() -> list[Grant]:
    return [_GRANTS[name] for name in sorted(_GRANTS)]


def _is_superuser(user: Any) -> bool:
    return bool(user.is_superuser)


def _signed_in(user: Any) -> bool:
    return bool(user.is_authenticated)


is_superuser = predicate(_is_superuser, name="is_superuser")
signed_in = predicate(_signed_in, name="signed_in")


def has_role(*roles: str) -> Predicate:
    """A predicate: the user has one of these roles."""
    return predicate(lambda user: user.role in roles, name=f"has_role({', '.join(roles)})")
