"""The standard commitment an enterprise signs when it files (commitment acceptance, SPEC §5): its texts
by version in data/projects/commitment.yaml; the latest is signed, a project keeps the version signed."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from django.utils.translation import get_language

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "projects" / "commitment.yaml"


@dataclass(frozen=True)
class Commitment:
    version: str
    zh: str
    en: str

    @property
    def text(self) -> str:
        return self.en if (get_language() or "").startswith("en") else self.zh


@cache
def commitments() -> dict[str, Commitment]:
    with open(DATA_FILE, encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle)
    versions = [Commitment(str(v["version"]), str(v["zh"]), str(v["en"])) for v in loaded["versions"]]
    if not versions or len({v.version for v in versions}) != len(versions):
        raise ValueError(f"{DATA_FILE}: every version needs a name of its own")
    return {v.version: v for v in versions}


def commitment_current() -> Commitment:
    return list(commitments().values())[-1]


def commitment_of(version: str) -> Commitment | None:
    return commitments().get(version)
