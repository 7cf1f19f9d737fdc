"""Sessions in the database, read together with their user and the data version in one statement.

Every signed-in page needs all three; read one by one they cost three round trips to PostgreSQL before
the page reads anything of its own. The user read here is handed to the authentication backend
(core.backends.UserBackend) for this request only, so it is exactly as fresh as Django's own read.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.db import connection
from django.utils import timezone

from .cache import data_version_seen, user_seen
from .models import DataVersion, Session, User
from .rawsql import RawModel, fetch_rows, quote

_SESSION = RawModel(Session)
_USER = RawModel(User)
# Plain SQL (core.rawsql): this statement runs on every signed-in request, and building it with the ORM
# cost more than running it.
_SESSION_SQL = (
    f"SELECT {_SESSION.columns('s')}, {_USER.columns('u')}, "
    f"(SELECT v.{quote('value')} FROM {quote(DataVersion._meta.db_table)} v WHERE v.{quote('name')} = 'data') "
    f"FROM {_SESSION.table} s LEFT JOIN {_USER.table} u ON u.{quote('id')} = s.{quote('user_id')} "
    f"WHERE s.{quote('session_key')} = %s AND s.{quote('expire_date')} > %s"
)


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
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        rows = fetch_rows(_SESSION_SQL, [self.session_key, now])
        if not rows:  # unknown or expired
            self._session_key = None
            return None
        row = rows[0]
        session: Session = _SESSION.build(row)
        data_version_seen(row[-1] or 0)
        if session.user_id is not None and row[_SESSION.width] is not None:
            user = _USER.build(row, _SESSION.width)
            Session.user.field.set_cached_value(session, user)
            user_seen(user)
        return session
