"""The projects' accounts named from their codes, in the reader's language (zhigai.ledger.names):
`fund:{year}:appropriation|available|paid|allocated:{application}` and
`subsidy:{program}:{year}:budget|available`, `subsidy:paid`."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .models_subsidy import ProgramLevel

PROGRAMS = dict(ProgramLevel.choices)


def _year(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) == 4 else None


def fund_account_name(code: str) -> str | None:
    parts = code.split(":")
    year = _year(parts[1]) if len(parts) >= 3 else None
    if year is None:
        return None
    if len(parts) == 3:
        names = {"appropriation": _("%(y)s年专项资金预算"), "available": _("%(y)s年专项资金可分配"),
                 "paid": _("%(y)s年专项资金已拨付")}
        found = names.get(parts[2])
        return found % {"y": year} if found else None
    if len(parts) == 4 and parts[2] == "allocated" and parts[3].isascii() and parts[3].isdigit():
        return _("%(y)s年专项资金已分配待拨付（申请 %(id)s）") % {"y": year, "id": parts[3]}
    return None


def subsidy_account_name(code: str) -> str | None:
    if code == "subsidy:paid":
        return _("补贴支出")
    parts = code.split(":")
    if len(parts) != 4 or parts[1] not in PROGRAMS or _year(parts[2]) is None:
        return None
    names = {"budget": _("%(y)s年%(p)s补贴预算"), "available": _("%(y)s年%(p)s补贴资金可用")}
    found = names.get(parts[3])
    return found % {"y": parts[2], "p": PROGRAMS[parts[1]]} if found else None
