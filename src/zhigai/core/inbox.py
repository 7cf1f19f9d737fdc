"""The inbox: what the platform tells a user about their work (a workflow move, an assignment)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

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
