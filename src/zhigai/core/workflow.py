"""The one workflow mechanism: a module declares its transitions as data and applies them here.

A `Workflow` is a table of `Transition`s — name, from, to, the policy permission the acting user needs on
the object, guards that may stop it, effects it has — over one model's state field, with a typed event
model (a subclass of core.models.WorkflowEvent) that keeps every move. `transition_apply` is the only
code that changes such a state: it locks the row, checks the table and the policy, runs the guards, sets
the state, runs the effects, writes the event (who, when, note, files), audits and tells the inbox — all
in one transaction, so a refused or failed move leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from .audit import audit_record
from .errors import Conflict, ErrorCode, InvalidInput
from .inbox import inbox_notify
from .models import User
from .policy import permitted, require
from .types import Actor

Guard = Callable[[Any], None]  # raises a ZhigaiError (InvalidInput, Conflict) to stop the move
Effect = Callable[[Any, Any], None]  # (object, acting user), after the state is set, before the save
Recipients = Callable[[Any], Iterable[Any]]  # the users the inbox tells of the move


@dataclass(frozen=True)
class Transition:
    name: str
    source: str
    target: str
    permission: str
    label: Any = ""  # what the move is called on pages and in the inbox (lazy translation)
    guards: Sequence[Guard] = ()
    effects: Sequence[Effect] = ()
    notify: Recipients | None = None
    # The inbox line: a message id marked with gettext_noop, with %(name)s placeholders filled from the
    # workflow's describe(object) and %(by)s; translated when its reader opens the inbox, in their language.
    notice: str = ""
    refusal: Any = ""  # what a user the policy refuses is told (default: "you may not <label> this")
    refusal_code: str = ErrorCode.TRANSITION_FORBIDDEN
    audit_action: str = ""  # the audit trail's verb for the move (default: its name)
    after_save: Sequence[Effect] = field(default=())  # effects that write other rows and need the saved object


class Workflow:
    def __init__(self, *, name: str, model: type[models.Model], event_model: type[models.Model],
                 transitions: Sequence[Transition], state_field: str = "status", url: Callable[[Any], str],
                 describe: Callable[[Any], dict[str, Any]] = lambda obj: {"subject": str(obj)},
                 event_fields: Callable[[Any], dict[str, Any]] | None = None):
        self.name = name
        self.model = model
        self.event_model = event_model
        self.state_field = state_field
        self.url = url
        self.describe = describe
        # More fields of the event, read from the object before it moves (an engagement's deadline of the
        # step it leaves).
        self.event_fields = event_fields
        # A move may leave from several states (an engagement is cancelled from any open state): one row of
        # the table per source, all with the same target and permission. `transitions` names each move once.
        self.moves = list(transitions)
        self.transitions: dict[str, Transition] = {}
        for t in self.moves:
            first = self.transitions.setdefault(t.name, t)
            if first is not t and (first.target, first.permission) != (t.target, t.permission):
                raise ValueError(f"workflow {name}: the rows of {t.name} differ in target or permission")
        if len({(t.name, t.source) for t in self.moves}) != len(self.moves):
            raise ValueError(f"workflow {name}: two transitions share a name and a source")

    def transition(self, name: str) -> Transition:
        found = self.transitions.get(name)
        if found is None:
            raise InvalidInput(_("没有这个操作：%(name)s") % {"name": name},
                               details=[{"field": "transition", "message": name}], code=ErrorCode.UNKNOWN_TRANSITION)
        return found

    def available(self, obj: Any, user: Actor) -> list[Transition]:
        """The moves `user` may make from the object's present state (for the buttons on a page)."""
        state = getattr(obj, self.state_field)
        return [t for t in self.moves if t.source == state and permitted(user, t.permission, obj)]

    def from_state(self, name: str, state: str) -> Transition | None:
        """The row of move `name` that leaves `state`, if the table has one."""
        return next((t for t in self.moves if t.name == name and t.source == state), None)

    def states(self) -> set[str]:
        return {t.source for t in self.moves} | {t.target for t in self.moves}


def transition_apply(*, workflow: Workflow, obj: Any, name: str, by: User, note: str = "",
                     files: Sequence[str] = ()) -> Any:
    """Make the move `name` on `obj` as `by`; returns the object as saved (the locked, fresh row).

    Conflict (409) when the object is not in the move's source state (also when another request moved
    it first), PermissionDenied (403) when the policy refuses, the guard's error when a guard does. The
    policy is asked before the state, so a move its permission ties to a state (only a draft is submitted)
    is refused as not allowed to this user."""
    move = workflow.transition(name)
    with transaction.atomic():
        locked = workflow.model._default_manager.select_for_update().get(pk=obj.pk)
        # The policy first: whoever may not make the move learns nothing of the object's state from it.
        require(by, move.permission, locked,
                message=str(move.refusal) or _("您不能对此执行“%(move)s”。") % {"move": move.label},
                code=move.refusal_code)
        state = getattr(locked, workflow.state_field)
        move = workflow.from_state(name, state) or move
        if state != move.source:
            labels = {"state": _state_label(locked, workflow), "move": move.label}
            raise Conflict(
                _("当前状态为“%(state)s”，不能“%(move)s”。") % labels,
                code=ErrorCode.TRANSITION_NOT_ALLOWED, details=[{"field": workflow.state_field, "message": state}])
        for guard in move.guards:
            guard(locked)
        extra = workflow.event_fields(locked) if workflow.event_fields else {}
        setattr(locked, workflow.state_field, move.target)
        for effect in move.effects:
            effect(locked, by)
        locked.save()
        for effect in move.after_save:
            effect(locked, by)
        workflow.event_model._default_manager.create(
            subject=locked, transition=move.name, source=move.source, target=move.target, by=by,
            note=note.strip()[:2000], files=list(files), **extra)
        audit_record(actor=by, action=move.audit_action or move.name, entity=workflow.name, entity_id=locked.pk,
                     summary=f"{move.name}: {move.source} → {move.target}"[:255],
                     before={workflow.state_field: move.source}, after={workflow.state_field: move.target})
        if move.notify is not None and move.notice:
            inbox_notify(recipients=[u for u in move.notify(locked) if u is not None and u.pk != by.pk],
                         text=move.notice, params={**workflow.describe(locked), "by": _name(by)},
                         url=workflow.url(locked))
    return locked


def _name(user: User) -> str:
    return str(user.get_full_name() or user.username)


def _state_label(obj: Any, workflow: Workflow) -> str:
    display = getattr(obj, f"get_{workflow.state_field}_display", None)
    return str(display()) if display else str(getattr(obj, workflow.state_field))
