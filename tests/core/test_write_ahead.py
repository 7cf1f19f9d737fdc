"""core.write_ahead is used only where it can be right: PostgreSQL in autocommit (tests/base/test_import_write_ahead.py
checks the write itself)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction

from zhigai.core.write_ahead import possible


@pytest.mark.django_db
def test_never_inside_a_transaction_nor_on_sqlite() -> None:
    assert not possible()  # a test's transaction is open
    with transaction.atomic():
        assert not possible()


def test_in_autocommit_only_on_postgresql(django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        assert transaction.get_autocommit()
        assert possible() is (connection.vendor == "postgresql")
