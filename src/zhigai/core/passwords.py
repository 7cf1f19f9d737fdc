"""A user's new password revokes their API tokens.

Django calls `password_changed(password, user)` of every entry of AUTH_PASSWORD_VALIDATORS when a user's new
password has been saved (`AbstractBaseUser.save` after `set_password`): the admin's password form,
`manage changepassword`, any code. This entry checks nothing; it only uses that hook. Sessions need nothing
here: Django ends a user's other sessions by itself when the password changes (the session auth hash).
"""

from __future__ import annotations

from typing import Any


class RevokeApiTokensOnPasswordChange:
    def validate(self, password: str, user: Any = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is not None and user.pk is not None:
            from .services import api_tokens_revoke

            api_tokens_revoke(user=user)

    def get_help_text(self) -> str:
        return ""
