from enum import StrEnum


class LedgerError(StrEnum):
    UNBALANCED = "ledger_unbalanced"  # the legs of an entry do not sum to zero
    APPEND_ONLY = "ledger_append_only"  # a posted entry changed or deleted
    KEY_REUSED = "ledger_key_reused"  # an idempotency key already booked a different entry
    OVERDRAWN = "ledger_overdrawn"  # an account that may not go below zero would
    REVERSED = "ledger_reversed"  # an entry is reversed once
