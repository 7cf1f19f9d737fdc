"""Authentication backend: Django's ModelBackend, taking the user the session read brought along."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from .cache import user_prefetched


class UserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        user = user_prefetched(user_id)
        if user is None:
            return super().get_user(user_id)
        return user if self.user_can_authenticate(user) else None
