"""The projects module's filing and lifecycle error codes (the API's `code`)."""

from __future__ import annotations

from enum import StrEnum


class ProjectError(StrEnum):
    FORBIDDEN = "project_forbidden"  # the role may not file, or not act on this project
    PROHIBITED = "project_prohibited"  # the negative list prohibits it: filing refused, nothing stored
    NOTE_REQUIRED = "project_note_required"  # a return, refusal, rectification or breach without its reason
    NO_LAND = "project_no_land"  # the land quota has no room for it (yet)
    NEGATIVE_LIST_INVALID = "negative_list_invalid"  # a version to publish that does not hold
    LAND_QUOTA_INVALID = "land_quota_invalid"  # a quota below what is already held, or not a number
