"""The subsidies' error codes (the API's `code`)."""

from __future__ import annotations

from enum import StrEnum


class SubsidyError(StrEnum):
    FORBIDDEN = "subsidy_forbidden"  # not the project's enterprise, nor an officer of its region
    BAD_YEAR = "subsidy_bad_year"  # a year that is not a number within the rules' range
    NO_RULE = "subsidy_no_rule"  # no rule version applies to the enterprise's region in that year
    BAD_RULE = "subsidy_bad_rule"  # a rule version's parameters are not valid
    INVOICE_TAKEN = "subsidy_invoice_taken"  # the invoice already backs another claim (it is named)
    INVOICE_DUPLICATE = "subsidy_invoice_duplicate"  # the same invoice registered twice on the project
    BAD_INVOICE = "subsidy_bad_invoice"  # an invoice of the claim does not fit it (project, line, kind)
    NOT_ACCEPTED = "subsidy_not_accepted"  # a post-project grant before the project's acceptance
    NOTHING_TO_CLAIM = "subsidy_nothing_to_claim"  # the claim's invoices give no subsidy (caps used up)
    NOTE_REQUIRED = "subsidy_note_required"  # a rejection without its reason
