"""Fixtures shared by the diagnosis tests (each test file names its own enterprise)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from zhigai.base.models import Enterprise
from zhigai.core.models import Role, User
from zhigai.diagnosis.models import MaturityModel


@pytest.fixture
def ladder() -> MaturityModel:
    return MaturityModel.objects.get(code="ladder", current=True)


@pytest.fixture
def gbt() -> MaturityModel:
    return MaturityModel.objects.get(code="gbt39116", current=True)


@pytest.fixture
def owner(make_user: Callable[..., User], enterprise: Enterprise) -> User:
    """The user of the test file's `enterprise`."""
    return make_user(Role.ENTERPRISE, enterprise=enterprise)
