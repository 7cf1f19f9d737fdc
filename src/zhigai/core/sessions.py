"""Sessions in the database, read together with their user and the data version in one statement.

Every signed-in page needs all three; read one by one they cost three round trips to PostgreSQL before
the page reads anything of its own. The user read here is handed to the authentication backend
(core.backends.UserBackend) for this request only, so it is exactly as fresh as Django's own read.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.core.exceptions import SuspiciousOperation
from django.db.models import Subquery
from django.utils import timezone

from .cache import data_version_seen, user_seen
from .models import DataVersion, Session


class SessionStore(DbSessionStore):
    @classmethod
    def get_model_class(cls) -> type[Session]:
        return Session

    def create_model_instance(self, data: dict[str, Any]) -> Session:
        session = cast(Session, super().create_model_instance(data))
        user_id = data.get("_auth_user_id")
        session.user_id = int(user_id) if user_id is not None and str(user_id).isdigit() else None
        return session

    def _get_session_from_db(self) -> Session | None:
        version = DataVersion.objects.filter(name="data").values("value")[:1]
        try:
            session = (
                Session.objects.select_related("user")
                .annotate(data_version=Subquery(version))
                .get(session_key=self.session_key, expire_date__gt=timezone.now())
            )
        except (Session.DoesNotExist, SuspiciousOperation) as exc:
            if isinstance(exc, SuspiciousOperation):
                logging.getLogger(f"django.security.{exc.__class__.__name__}").warning(str(exc))
            self._session_key = None
            return None
        data_version_seen(session.data_version or 0)  # type: ignore[attr-defined]
        if session.user is not None:
            user_seen(session.user)
        return session
