"""The enterprise page shows the enterprise's diagnoses over time."""

from __future__ import annotations

from typing import Any

from django.test import Client

from zhigai.diagnosis.selectors import model_get
from zhigai.diagnosis.services import assessment_record


def _answers(level: int) -> dict[str, str]:
    spec = model_get(ref="ladder").spec
    return {r.id: ("full" if r.level <= level else "none") for r in spec.requirements}


def test_enterprise_page_shows_current_result_and_progress(client: Client, make_enterprise: Any,
                                                           make_user: Any, hangzhou_user: Any,
                                                           django_capture_on_commit_callbacks: Any) -> None:
    enterprise = make_enterprise()
    owner = make_user("enterprise", enterprise=enterprise)
    client.force_login(hangzhou_user)
    page = client.get(f"/enterprises/{enterprise.uscc}/").content.decode()
    assert 'data-testid="diagnosis-progress"' in page and "该企业尚未评估" in page

    with django_capture_on_commit_callbacks(execute=True):  # the test's own transaction never commits
        assessment_record(by=owner, enterprise=enterprise, model_ref="ladder", answers=_answers(1), submit=True)
        latest = assessment_record(by=owner, enterprise=enterprise, model_ref="ladder", answers=_answers(3),
                                   submit=True)
    page = client.get(f"/enterprises/{enterprise.uscc}/").content.decode()
    assert f"/assessments/{latest.pk}/" in page and "L3" in page
    assert 'data-chart="chart-diagnosis-progress"' in page  # two results: the score over time


def test_starting_with_an_unknown_model_says_so_and_starts_nothing(client: Client, make_enterprise: Any,
                                                                    make_user: Any) -> None:
    from zhigai.diagnosis.models import Assessment

    enterprise = make_enterprise()
    client.force_login(make_user("enterprise", enterprise=enterprise))
    response = client.post(f"/enterprises/{enterprise.uscc}/diagnosis/start/", {"model": "no-such-model"}, follow=True)
    assert "没有这个诊断模型" in response.content.decode()
    assert not Assessment.objects.exists()
