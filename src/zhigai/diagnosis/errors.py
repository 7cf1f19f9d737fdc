"""The diagnosis module's error codes (the API's `code`)."""

from __future__ import annotations

from enum import StrEnum


class DiagnosisError(StrEnum):
    FORBIDDEN = "diagnosis_forbidden"  # not this enterprise's user, nor an expert assigned to it
    LOCKED = "assessment_locked"  # submitted, or not the user's to fill in
    INCOMPLETE = "assessment_incomplete"  # questions left unanswered at submit
    DRAFT = "assessment_draft"  # a result asked of a draft
    MODEL_NOT_CURRENT = "model_not_current"  # a retired model version
