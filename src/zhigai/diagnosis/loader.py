"""Load the maturity model files into the database: a new file or version adds a row, nothing is lost."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from django.db import transaction

from .definition import SCHEMA_FILE, ModelDef, ModelFileError, read_model_file
from .models import MaturityModel

BUILT_IN = SCHEMA_FILE.parent


def model_dirs() -> list[Path]:
    """The built-in models, then the folder named by ZHIGAI_MATURITY_MODELS (a region's own models)."""
    extra = os.environ.get("ZHIGAI_MATURITY_MODELS", "")
    return [BUILT_IN] + [Path(p) for p in extra.split(os.pathsep) if p]


def model_files(dirs: list[Path]) -> list[Path]:
    files = []
    for folder in dirs:
        if not folder.is_dir():
            raise ModelFileError(str(folder), ["is not a folder"])
        files += sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml", ".json") and p != SCHEMA_FILE)
    return files


def _version_key(version: str) -> tuple[Any, ...]:
    """Natural order: "1.10" after "1.9", "2020" after "1.0"."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"[.\-_]", version))


def _digest(model: ModelDef) -> str:
    return hashlib.sha256(json.dumps(model.raw, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@transaction.atomic
def maturity_models_load(dirs: list[Path] | None = None) -> dict[str, int]:
    """Read every model file (all are validated before anything is written) and store new versions.

    A version already stored with different content is refused when assessments use it: a changed
    model needs a new version, so that old assessments keep the questions they answered."""
    files = model_files(dirs if dirs is not None else model_dirs())
    models = [read_model_file(p) for p in files]
    seen: dict[tuple[str, str], str] = {}
    for path, m in zip(files, models, strict=True):
        if (m.code, m.version) in seen:
            other = seen[m.code, m.version]
            raise ModelFileError(path.name, [f"model {m.code} version {m.version} is also in {other}"])
        seen[m.code, m.version] = path.name
    counts = {"added": 0, "unchanged": 0, "updated": 0}
    for path, m in zip(files, models, strict=True):
        digest = _digest(m)
        row = MaturityModel.objects.filter(code=m.code, version=m.version).first()
        if row is None:
            MaturityModel.objects.create(
                code=m.code, version=m.version, name_zh=m.name.zh, name_en=m.name.en, definition=m.raw, digest=digest
            )
            counts["added"] += 1
        elif row.digest == digest:
            counts["unchanged"] += 1
        elif row.assessments.exists():
            raise ModelFileError(
                path.name,
                [f"version {m.version} of model {m.code} has changed but assessments use it: "
                 "give the file a new version"],
            )
        else:
            row.definition, row.digest, row.name_zh, row.name_en = m.raw, digest, m.name.zh, m.name.en
            row.save(update_fields=["definition", "digest", "name_zh", "name_en"])
            counts["updated"] += 1
    latest: dict[str, str] = {}
    for m in models:
        if m.code not in latest or _version_key(m.version) > _version_key(latest[m.code]):
            latest[m.code] = m.version
    for row in MaturityModel.objects.filter(code__in=latest):
        current = latest.get(row.code) == row.version
        if row.current != current:
            row.current = current
            row.save(update_fields=["current"])
    return counts


