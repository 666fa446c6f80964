"""自主参训 (seed 一(五)): a trainee records a self-arranged training with evidence; an officer of
their region reviews it; the claim decision follows the city's dated rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jixing.core.models import AuditEvent, StatusChange
from jixing.plan.models import Programme, SelfArrangedTraining, SelfTrainingCityRule

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def form(**overrides):
    data = {"provider": "济南某职业培训学校", "course": "Python 数据分析", "starts_on": "2026-03-02",
            "ends_on": "2026-03-20", "hours": "48", "fee": "1800", "certificate_number": "",
            "programme": Programme.objects.get(code="youth_self_arranged").pk,
            "evidence": SimpleUploadedFile("发票.png", PNG, content_type="image/png")}
    data.update(overrides)
    return data


@pytest.fixture
def jinan_rule(reference):
    return SelfTrainingCityRule.objects.create(city_id="370100", valid_from=dt.date(2026, 1, 1), claimable=True,
                                               max_amount=Decimal("1000"), max_age=40, source="assumption (test)")


def submit(client, trent, **overrides):
    client.force_login(trent)
    return client.post(reverse("plan:self_training_list"), form(**overrides))


def test_it_records_a_self_arranged_training_with_its_evidence(client, personas):
    response = submit(client, personas.trent)
    assert response.status_code == 302
    record = SelfArrangedTraining.objects.get()
    assert record.person == personas.lixia_person and record.county_id == "370102"
    assert record.evidence_name == "发票.png" and len(record.evidence_sha256) == 64
    assert AuditEvent.objects.filter(event="plan.self_training.submit").count() == 1
    download = client.get(reverse("plan:self_training_evidence", args=[record.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"\x89PNG")


def test_a_renamed_file_and_bad_dates_are_refused_naming_the_field(client, personas):
    response = submit(client, personas.trent, evidence=SimpleUploadedFile("x.pdf", b"MZ\x90\x00binary", content_type="application/pdf"))
    assert response.status_code == 400 and "文件内容不是 PDF 格式" in response.content.decode()
    response = submit(client, personas.trent, starts_on="2026-03-20", ends_on="2026-03-02")
    assert response.status_code == 400 and "培训结束日期不能早于开始日期" in response.content.decode()
    assert not SelfArrangedTraining.objects.exists()


def test_an_officer_of_the_region_approves_and_the_city_rule_caps_the_claim(client, personas, jinan_rule):
    submit(client, personas.trent)
    record = SelfArrangedTraining.objects.get()
    client.force_login(personas.erin)  # Shizhong: another county
    assert client.get(reverse("plan:self_training_detail", args=[record.pk])).status_code == 404
    assert client.post(reverse("plan:self_training_detail", args=[record.pk]), {"decision": "approve"}).status_code == 404
    client.force_login(personas.dave)  # Lixia
    assert record in client.get(reverse("plan:self_training_list")).context["records"]
    response = client.post(reverse("plan:self_training_detail", args=[record.pk]), {"decision": "approve", "reason": ""})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == "approved" and record.claimable is True and record.claimable_amount == Decimal("1000.00")
    assert [r["code"] for r in record.claim_reasons] == ["claimable", "capped"] and record.city_rule == jinan_rule
    assert StatusChange.objects.filter(to_status="approved", object_id=str(record.pk)).exists()
    html = client.get(reverse("plan:self_training_detail", args=[record.pk])).content.decode()
    assert "按所在市上限 1000.00 元封顶" in html
    again = client.post(reverse("plan:self_training_detail", args=[record.pk]), {"decision": "reject", "reason": "重复审核测试"})
    assert again.status_code == 403


def test_without_a_city_rule_an_approved_record_is_not_claimable(client, personas):
    submit(client, personas.trent)
    record = SelfArrangedTraining.objects.get()
    client.force_login(personas.bob)
    response = client.post(f"/api/v1/plan/self-trainings/{record.pk}/review", {"approve": True, "reason": ""},
                           content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["claimable"] is False and body["claim_reasons"] == ["培训结束日所在市未制定有效的自主参训补贴规则。"]


def test_a_rejection_needs_a_reason_and_the_trainee_sees_only_their_own(client, personas):
    submit(client, personas.trent)
    record = SelfArrangedTraining.objects.get()
    client.force_login(personas.dave)
    response = client.post(reverse("plan:self_training_detail", args=[record.pk]), {"decision": "reject", "reason": ""})
    assert response.status_code == 400 and "请填写不通过的理由" in response.content.decode()
    client.post(reverse("plan:self_training_detail", args=[record.pk]), {"decision": "reject", "reason": "发票与课程不符"})
    record.refresh_from_db()
    assert record.status == "rejected" and record.claimable is None
    client.force_login(personas.trent)
    assert [r["id"] for r in client.get("/api/v1/plan/self-trainings").json()] == [record.pk]
    client.force_login(personas.carol)
    assert client.get(f"/api/v1/plan/self-trainings/{record.pk}").status_code == 404
    client.force_login(personas.ivan)
    assert client.get(reverse("plan:self_training_list")).status_code == 403
