"""The technology list is reference data: loaded from its file, the file winning on `load-reference`, an
officer's edits kept by the start-up `ensure`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from zhigai.core.reference import reference_loaders
from zhigai.market import loader
from zhigai.market.models import Technology

pytestmark = pytest.mark.django_db


def test_the_file_is_loaded_at_start() -> None:
    codes = {t["code"] for t in yaml.safe_load(loader.DATA_FILE.read_text(encoding="utf-8"))["technologies"]}
    assert set(Technology.objects.values_list("code", flat=True)) == codes
    assert {"robot", "mes", "erp", "plm", "twin", "energy", "agv", "vision", "cnc"} <= codes
    assert "market" in {entry.name for entry in reference_loaders()}


def test_ensure_keeps_edits_and_load_restores_the_file() -> None:
    Technology.objects.filter(code="robot").update(name_en="Robots (edited)")
    Technology.objects.filter(code="twin").delete()
    assert loader.technologies_ensure()["technologies"] >= 12
    assert Technology.objects.get(code="robot").name_en == "Robots (edited)" and Technology.objects.filter(
        code="twin").exists()
    loader.technologies_load()
    assert Technology.objects.get(code="robot").name_en == "Industrial robots"


@pytest.mark.parametrize("text", ["technologies: {}", "technologies:\n  - {code: a, name_zh: 甲, name_en: A}\n"
                                  "  - {code: a, name_zh: 乙, name_en: B}\n"])
def test_a_bad_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    bad = tmp_path / "technologies.yaml"
    bad.write_text(text, encoding="utf-8")
    monkeypatch.setattr(loader, "DATA_FILE", bad)
    with pytest.raises(ValueError):
        loader.technologies_load()
