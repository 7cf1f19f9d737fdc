"""Maturity models as data: read a model file, validate it, and hand out a typed definition.

No Django here: the scoring, the loader, the pages and the API all work from `ModelDef`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "data" / "maturity" / "model.schema.json"


class ModelFileError(ValueError):
    """A model file that cannot be used; `problems` lists each thing wrong as "where: what"."""

    def __init__(self, source: str, problems: list[str]):
        super().__init__(f"{source}: " + "; ".join(problems))
        self.source = source
        self.problems = problems


@dataclass(frozen=True)
class Text:
    zh: str
    en: str

    def get(self, language: str | None) -> str:
        return self.en if (language or "").startswith("en") else self.zh


@dataclass(frozen=True)
class Level:
    number: int
    code: str
    name: Text
    description: Text | None
    stage: str | None


@dataclass(frozen=True)
class Dimension:
    id: str
    name: Text
    group: str | None


@dataclass(frozen=True)
class Option:
    id: str
    name: Text
    value: float


@dataclass(frozen=True)
class Measure:
    id: str
    name: Text
    description: Text | None
    technologies: tuple[Text, ...]
    investment_min: float
    investment_max: float
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Check:
    indicator: str
    per: str | None
    scale: float
    at_least: float | None
    at_most: float | None
    partial_from: float | None
    unit: Text | None

    @property
    def indicators(self) -> tuple[str, ...]:
        return (self.indicator, self.per) if self.per else (self.indicator,)


@dataclass(frozen=True)
class Requirement:
    id: str
    dimension: str
    level: int
    weight: float
    question: Text
    guidance: Text
    measures: tuple[str, ...]
    check: Check | None


@dataclass(frozen=True)
class ModelDef:
    code: str
    version: str
    name: Text
    description: Text | None
    source: str
    threshold: float
    disagreement: float
    levels: tuple[Level, ...]
    groups: dict[str, Text]
    dimensions: tuple[Dimension, ...]
    options: tuple[Option, ...]
    measures: dict[str, Measure]
    requirements: tuple[Requirement, ...]
    raw: dict[str, Any] = field(repr=False, compare=False, hash=False)

    @property
    def top_level(self) -> int:
        return self.levels[-1].number

    def level(self, number: int) -> Level | None:
        return next((lv for lv in self.levels if lv.number == number), None)

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)

    def requirement(self, requirement_id: str) -> Requirement | None:
        return self.requirements_by_id.get(requirement_id)

    @cached_property  # a frozen dataclass still has a __dict__, where cached_property keeps the value
    def requirements_by_id(self) -> dict[str, Requirement]:
        return {r.id: r for r in self.requirements}

    def dimension_requirements(self, dimension_id: str) -> list[Requirement]:
        return sorted((r for r in self.requirements if r.dimension == dimension_id), key=lambda r: (r.level, r.id))


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def read_model_file(path: Path) -> ModelDef:
    """Parse and validate a YAML or JSON model file; raise ModelFileError listing every problem."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ModelFileError(path.name, [f"cannot be read as YAML/JSON ({exc})"]) from exc
    return parse_model(data, source=path.name)


def parse_model(data: Any, *, source: str = "model") -> ModelDef:
    schema_errors = sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if schema_errors:
        raise ModelFileError(source, [f"{_where(e.absolute_path)}: {e.message}" for e in schema_errors])
    problems = _semantic_problems(data)
    if problems:
        raise ModelFileError(source, problems)
    return _build(data)


_STORED: dict[str, ModelDef] = {}


def stored_model(digest: str, data: dict[str, Any]) -> ModelDef:
    """A definition from the database: validated when the loader stored it, so only built, and built once
    per process for its digest (pages read it on every request; validating it again costs milliseconds)."""
    found = _STORED.get(digest)
    if found is None:
        found = _STORED[digest] = _build(data)
    return found


def _where(path: Any) -> str:
    parts = [f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(path)]
    return "".join(parts) or "(top)"


def _duplicates(items: list[Any]) -> list[Any]:
    seen: set[Any] = set()
    return [x for x in items if x in seen or seen.add(x)]  # type: ignore[func-returns-value]


def _semantic_problems(data: dict[str, Any]) -> list[str]:
    """What the schema cannot say: uniqueness, references, order, coverage."""
    problems: list[str] = []
    levels, dims, reqs = data["levels"], data["dimensions"], data["requirements"]
    options, measures, groups = data["options"], data.get("measures", []), data.get("groups", [])
    numbers = [lv["number"] for lv in levels]
    if numbers != list(range(1, len(levels) + 1)):
        problems.append(f"levels: numbers must be 1..{len(levels)} in order, found {numbers}")
    for name, items, key in (
        ("levels", levels, "code"),
        ("groups", groups, "id"),
        ("dimensions", dims, "id"),
        ("options", options, "id"),
        ("measures", measures, "id"),
        ("requirements", reqs, "id"),
    ):
        for dup in _duplicates([item[key] for item in items]):
            problems.append(f"{name}: {key} '{dup}' is used more than once")
    values = [o["value"] for o in options]
    if values != sorted(values) or values[0] != 0 or values[-1] != 1:
        problems.append(f"options: values must ascend from 0 to 1, found {values}")
    group_ids, dim_ids, measure_ids = {g["id"] for g in groups}, {d["id"] for d in dims}, {m["id"] for m in measures}
    for i, d in enumerate(dims):
        if "group" in d and d["group"] not in group_ids:
            problems.append(f"dimensions[{i}].group: unknown group '{d['group']}'")
    for i, m in enumerate(measures):
        if m["investment"]["min"] > m["investment"]["max"]:
            problems.append(f"measures[{i}].investment: min is above max")
    for i, r in enumerate(reqs):
        where = f"requirements[{i}] ({r['id']})"
        if r["dimension"] not in dim_ids:
            problems.append(f"{where}.dimension: unknown dimension '{r['dimension']}'")
        if r["level"] not in numbers:
            problems.append(f"{where}.level: no level {r['level']}")
        for m in r.get("measures", []):
            if m not in measure_ids:
                problems.append(f"{where}.measures: unknown measure '{m}'")
        problems.extend(f"{where}.check: {p}" for p in _check_problems(r.get("check")))
    for lv in numbers:
        if not any(r["level"] == lv for r in reqs):
            problems.append(f"levels: level {lv} has no requirement")
    for d in dim_ids:
        if not any(r["dimension"] == d for r in reqs):
            problems.append(f"dimensions: '{d}' has no requirement")
    return problems


def _check_problems(check: dict[str, Any] | None) -> list[str]:
    if not check or "partial_from" not in check:
        return []
    if "at_least" in check and check["partial_from"] >= check["at_least"]:
        return ["partial_from must be below at_least"]
    if "at_most" in check and check["partial_from"] <= check["at_most"]:
        return ["partial_from must be above at_most"]
    return []


def _text(value: dict[str, str] | None) -> Text | None:
    return Text(zh=value["zh"], en=value["en"]) if value else None


def _req_text(value: dict[str, str]) -> Text:
    return Text(zh=value["zh"], en=value["en"])


def _build(data: dict[str, Any]) -> ModelDef:
    def check(c: dict[str, Any] | None) -> Check | None:
        if not c:
            return None
        return Check(
            indicator=c["indicator"],
            per=c.get("per"),
            scale=float(c.get("scale", 1)),
            at_least=c.get("at_least"),
            at_most=c.get("at_most"),
            partial_from=c.get("partial_from"),
            unit=_text(c.get("unit")),
        )

    return ModelDef(
        code=data["code"],
        version=str(data["version"]),
        name=_req_text(data["name"]),
        description=_text(data.get("description")),
        source=data.get("source", ""),
        threshold=float(data["threshold"]),
        disagreement=float(data.get("disagreement", 0.25)),
        levels=tuple(
            Level(lv["number"], lv["code"], _req_text(lv["name"]), _text(lv.get("description")), lv.get("stage"))
            for lv in data["levels"]
        ),
        groups={g["id"]: _req_text(g["name"]) for g in data.get("groups", [])},
        dimensions=tuple(Dimension(d["id"], _req_text(d["name"]), d.get("group")) for d in data["dimensions"]),
        options=tuple(Option(o["id"], _req_text(o["name"]), float(o["value"])) for o in data["options"]),
        measures={
            m["id"]: Measure(
                id=m["id"],
                name=_req_text(m["name"]),
                description=_text(m.get("description")),
                technologies=tuple(_req_text(t) for t in m["technologies"]),
                investment_min=float(m["investment"]["min"]),
                investment_max=float(m["investment"]["max"]),
                tags=tuple(m.get("tags", [])),
            )
            for m in data.get("measures", [])
        },
        requirements=tuple(
            Requirement(
                id=r["id"],
                dimension=r["dimension"],
                level=r["level"],
                weight=float(r["weight"]),
                question=_req_text(r["question"]),
                guidance=_req_text(r["guidance"]),
                measures=tuple(r.get("measures", [])),
                check=check(r.get("check")),
            )
            for r in data["requirements"]
        ),
        raw=data,
    )
