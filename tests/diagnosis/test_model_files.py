"""Maturity models are data: every built-in file validates, and a broken file is refused with clear errors."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from zhigai.diagnosis.definition import ModelFileError, parse_model, read_model_file
from zhigai.diagnosis.loader import BUILT_IN, maturity_models_load, model_files
from zhigai.diagnosis.models import MaturityModel

BUILT_IN_FILES = model_files([BUILT_IN])


def tiny() -> dict[str, Any]:
    """A smallest valid model: two levels, one dimension, two options."""
    text = {"zh": "文", "en": "text"}
    return {
        "schema": "zhigai.maturity-model/1",
        "code": "tiny",
        "version": "1",
        "name": text,
        "threshold": 0.8,
        "levels": [{"number": 1, "code": "one", "name": text}, {"number": 2, "code": "two", "name": text}],
        "dimensions": [{"id": "d", "name": text}],
        "options": [{"id": "no", "name": text, "value": 0}, {"id": "yes", "name": text, "value": 1}],
        "requirements": [
            {"id": "r1", "dimension": "d", "level": 1, "weight": 1, "question": text, "guidance": text},
            {"id": "r2", "dimension": "d", "level": 2, "weight": 1, "question": text, "guidance": text},
        ],
    }


def test_built_in_models_are_there() -> None:
    codes = {read_model_file(p).code for p in BUILT_IN_FILES}
    assert {"ladder", "gbt39116"} <= codes


@pytest.mark.parametrize("path", BUILT_IN_FILES, ids=lambda p: p.name)
def test_every_built_in_model_validates(path: Path) -> None:
    model = read_model_file(path)
    assert model.threshold == 0.8
    assert [lv.number for lv in model.levels] == [1, 2, 3, 4, 5]
    for req in model.requirements:
        assert req.question.zh and req.question.en and req.guidance.zh and req.guidance.en
        assert all(m in model.measures for m in req.measures)


def test_the_ladder_is_the_five_stages_and_gbt_scores_its_answers_as_the_standard() -> None:
    ladder = read_model_file(BUILT_IN / "ladder.yaml")
    assert [lv.stage for lv in ladder.levels] == [
        "mechanization", "automation", "digitization", "networking", "intelligentization"]
    assert any(r.check for r in ladder.requirements)
    gbt = read_model_file(BUILT_IN / "gbt39116.yaml")
    assert [o.value for o in gbt.options] == [0, 0.5, 0.8, 1]
    assert set(gbt.groups) == {"people", "technology", "resources", "manufacturing"}


def test_a_valid_tiny_model_parses() -> None:
    model = parse_model(tiny())
    assert model.code == "tiny" and model.top_level == 2 and model.disagreement == 0.25


@pytest.mark.parametrize(
    ("break_it", "expected"),
    [
        (lambda m: m.pop("threshold"), "'threshold' is a required property"),
        (lambda m: m.update(threshold=1.5), "threshold: 1.5 is greater than the maximum of 1"),
        (lambda m: m["options"][1].update(value=2), "options[1].value"),
        (lambda m: m["requirements"][0]["question"].pop("en"), "requirements[0].question: 'en' is a required"),
        (lambda m: m["requirements"][0].update(dimension="nope"), "unknown dimension 'nope'"),
        (lambda m: m["requirements"][0].update(level=7), "no level 7"),
        (lambda m: m["requirements"][1].update(id="r1"), "id 'r1' is used more than once"),
        (lambda m: m["requirements"][1].update(level=1), "level 2 has no requirement"),
        (lambda m: m["levels"][1].update(number=3), "numbers must be 1..2 in order"),
        (lambda m: m["options"].reverse(), "values must ascend from 0 to 1"),
        (lambda m: m["requirements"][0].update(measures=["ghost"]), "unknown measure 'ghost'"),
        (lambda m: m["requirements"][0].update(check={"indicator": "robots"}), "requirements[0].check"),
        (lambda m: m["requirements"][0].update(check={"indicator": "robots", "at_least": 1, "partial_from": 2}),
         "partial_from must be below at_least"),
        (lambda m: m["requirements"][0].update(check={"indicator": "horses", "at_least": 1}), "horses"),
        (lambda m: m.update(surprise=1), "Additional properties are not allowed ('surprise'"),
    ],
)
def test_a_broken_model_is_refused_saying_where_and_what(break_it: Any, expected: str) -> None:
    data = tiny()
    break_it(data)
    with pytest.raises(ModelFileError) as err:
        parse_model(data, source="broken.yaml")
    assert any(expected in p for p in err.value.problems), err.value.problems
    assert str(err.value).startswith("broken.yaml: ")


def test_a_file_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("levels: [unclosed", encoding="utf-8")
    with pytest.raises(ModelFileError, match="cannot be read"):
        read_model_file(bad)


def _write(folder: Path, data: dict[str, Any], name: str = "tiny.yaml") -> None:
    (folder / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.mark.django_db
def test_a_model_is_added_and_versioned_without_code(tmp_path: Path, make_enterprise: Any, make_user: Any) -> None:
    from zhigai.diagnosis.services import assessment_record

    _write(tmp_path, tiny())
    assert maturity_models_load([tmp_path]) == {"added": 1, "unchanged": 0, "updated": 0}
    assert maturity_models_load([tmp_path])["unchanged"] == 1
    v1 = MaturityModel.objects.get(code="tiny", version="1")
    enterprise = make_enterprise()
    user = make_user("enterprise", enterprise=enterprise)
    old = assessment_record(by=user, enterprise=enterprise, model_ref="tiny", answers={"r1": "yes", "r2": "no"},
                            submit=True)

    changed = tiny()
    changed["requirements"][0]["weight"] = 3
    _write(tmp_path, changed)
    with pytest.raises(ModelFileError, match="give the file a new version"):
        maturity_models_load([tmp_path])  # version 1 is used: it may not change under its assessment

    changed["version"] = "2"
    _write(tmp_path, changed)
    assert maturity_models_load([tmp_path])["added"] == 1
    v1.refresh_from_db()
    v2 = MaturityModel.objects.get(code="tiny", version="2")
    assert v2.current and not v1.current
    old.refresh_from_db()
    assert old.model_id == v1.pk and old.model.spec.requirement("r1").weight == 1  # type: ignore[union-attr]


@pytest.mark.django_db
def test_two_files_with_the_same_version_are_refused_and_nothing_is_loaded(tmp_path: Path) -> None:
    _write(tmp_path, tiny(), "a.yaml")
    other = copy.deepcopy(tiny())
    other["name"]["en"] = "other"
    _write(tmp_path, other, "b.yaml")
    with pytest.raises(ModelFileError, match=r"also in a\.yaml"):
        maturity_models_load([tmp_path])
    assert not MaturityModel.objects.filter(code="tiny").exists()
