"""The inbox: what the platform tells a user about their work (a workflow move, an assignment)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from .models import Notification
from .types import Actor


def inbox_notify(*, recipients: Iterable[Any], text: str, url: str = "") -> int:
    """One line in each recipient's inbox (each user once); returns how many were written."""
    unique = {user.pk: user for user in recipients if user is not None}
    Notification.objects.bulk_create(
        [Notification(recipient_id=pk, text=text[:255], url=url[:255]) for pk in sorted(unique)])
    return len(unique)


def inbox_list(*, user: Actor) -> QuerySet[Notification]:
    """The user's own lines, newest first (nobody reads another's inbox)."""
    return Notification.objects.filter(recipient_id=user.pk)


def inbox_mark_read(*, user: Actor) -> int:
    return Notification.objects.filter(recipient_id=user.pk, read=False).update(read=True)
