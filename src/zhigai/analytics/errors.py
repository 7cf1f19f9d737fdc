"""The analytics module's error codes (the API's `code`). Bad filters answer the platform's `invalid`."""

from __future__ import annotations

from enum import StrEnum


class AnalyticsError(StrEnum):
    SERIES_UNKNOWN = "series_unknown"  # an edit of a series whose code is not loaded
