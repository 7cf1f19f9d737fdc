"""The inbox: what the platform tells a user about their work (a workflow move, an assignment), and what waits
for them (requests to answer, plans to approve: each module's `waiting_register`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from django.db.models import QuerySet
from django.utils.translation import gettext

from .models import Notification
from .types import Actor


def inbox_notify(*, recipients: Iterable[Any], text: str, params: dict[str, Any] | None = None, url: str = "") -> int:
    """One line in each recipient's inbox (each user once); returns how many were written.

    `text` is a message id (marked with gettext_noop) with %(name)s placeholders for `params`: the line is
    translated when it is read, so that each recipient reads it in their own language."""
    unique = {user.pk: user for user in recipients if user is not None}
    Notification.objects.bulk_create([
        Notification(recipient_id=pk, text=text[:255], params=params or {}, url=url[:255]) for pk in sorted(unique)
    ])
    return len(unique)


def inbox_line(line: Notification) -> str:
    """The line in the reader's language; as stored when its placeholders no longer fit (a changed catalog)."""
    try:
        return gettext(line.text) % line.params if line.params else gettext(line.text)
    except (KeyError, ValueError, TypeError):
        return line.text


def inbox_list(*, user: Actor) -> QuerySet[Notification]:
    """The user's own lines, newest first (nobody reads another's inbox)."""
    return Notification.objects.filter(recipient_id=user.pk)


def inbox_mark_read(*, user: Actor) -> int:
    return Notification.objects.filter(recipient_id=user.pk, read=False).update(read=True)


# --- what waits for a user: computed from the modules' records, not from notifications ---------------------------

class WaitingItem(Protocol):
    @property
    def label(self) -> str: ...  # what waits ("plans to approve"), in the reader's language

    @property
    def url(self) -> str: ...  # where the user deals with them

    @property
    def count(self) -> int: ...


_WAITING: dict[str, Callable[[Any], Sequence[WaitingItem]]] = {}


def waiting_register(name: str, fn: Callable[[Any], Sequence[WaitingItem]]) -> None:
    """Add (or replace, by name) a module's "what waits for this user": fn(user) returns items with a label,
    a url and a count (only those with a count), in one or two queries."""
    _WAITING[name] = fn


def waiting_list(*, user: Actor) -> list[WaitingItem]:
    """Everything that waits for the user, module by module (in the order of their names)."""
    if not user.is_authenticated:
        return []
    return [item for name in sorted(_WAITING) for item in _WAITING[name](user) if item.count]


class WaitingCount:
    """The header's count, worked out only when a header renders it (and once a request)."""

    def __init__(self, user: Any):
        self.user = user
        self._count: int | None = None

    def __int__(self) -> int:
        if self._count is None:
            self._count = sum(item.count for item in waiting_list(user=self.user)) if self.user is not None else 0
        return self._count

    def __str__(self) -> str:
        return str(int(self))

    def __bool__(self) -> bool:
        return int(self) > 0
