"""What other parts of the projects module plug into the lifecycle (issue 13), without the lifecycle
importing them:

- `breach_handler_register(fn)`: fn(project, by) runs when an inspection finds the commitment broken
  (the `breach` move), in the same transaction — the subsidies' and the fund's clawbacks register theirs.
- `invoice_reconciler_register(fn)`: fn(project) -> dict | None, the invoices' side of the acceptance
  (the subsidies' invoice model): {"invoiced": Decimal, "count": int, "label": str} for the project's
  invoices, or None when it has none to say. The acceptance compares the total with the declared
  investment; without a reconciler it compares the equipment lines only, and says so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

BreachHandler = Callable[[Any, Any], object]  # what it returns (what it clawed back) is not used
InvoiceReconciler = Callable[[Any], "dict[str, Any] | None"]

_BREACH: list[BreachHandler] = []
_INVOICES: list[InvoiceReconciler] = []


def breach_handler_register(fn: BreachHandler) -> None:
    """Add fn(project, by), called on a breach after the project is saved; registering twice adds once."""
    if fn not in _BREACH:
        _BREACH.append(fn)


def breach_handlers() -> list[BreachHandler]:
    return list(_BREACH)


def invoice_reconciler_register(fn: InvoiceReconciler) -> None:
    if fn not in _INVOICES:
        _INVOICES.append(fn)


def invoice_reconcilers() -> list[InvoiceReconciler]:
    return list(_INVOICES)
