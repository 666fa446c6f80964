"""Industrial chains, chain leaders and skill-master studios (seed 一(七)) through pages, API and actions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jixing.accounts.models import Role
from jixing.core.models import AuditEvent
from jixing.core.testing import make_organisation, make_person, make_user
from jixing.plan import chain_actions
from jixing.plan.management.commands.load_reference import load_reference
from jixing.plan.models import ChainLeader, IndustrialChain, MasterStudio, Programme, StudioMember, StudioRole
from jixing.registry.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def jinan_enterprise(personas):
    return make_organisation("济南链主装备集团", "370102", "enterprise", seed=71)


def test_the_reference_holds_18_signature_and_66_key_chains_marked_as_placeholders(reference):
    assert IndustrialChain.objects.filter(tier="signature").count() == 18
    assert IndustrialChain.objects.filter(tier="key").count() == 66
    assert all(c.is_placeholder and "一(七)" in c.source for c in IndustrialChain.objects.all())
    assert Programme.objects.filter(code__in=["jinguo_housekeeping", "shuangqian", "hongzhi", "short_quick"]).count() == 4


def test_a_verified_chain_is_not_overwritten_by_a_reload(reference):
    chain = IndustrialChain.objects.get(code="signature-01")
    chain.name, chain.is_placeholder, chain.source = "某产业链", False, "省政府文件（测试）"
    chain.save()
    summary = load_reference()
    chain.refresh_from_db()
    assert chain.name == "某产业链" and not chain.is_placeholder
    assert summary["industrial_chains"]["created"] == 0


def test_it_lists_chains_with_the_placeholder_notice(client, personas):
    client.force_login(personas.bob)
    response = client.get(reverse("plan:chain_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "标志性产业链第18条（名单待核实）" in html and "重点产业链第66条（名单待核实）" in html
    assert "84" in html


def test_it_recognises_a_chain_leader_and_sets_the_registry_flag(client, personas, jinan_enterprise):
    client.force_login(personas.bob)
    url = reverse("plan:chain_detail", args=["signature-03"])
    response = client.post(url, {"organisation": jinan_enterprise.pk, "recognised_on": "2026-03-01",
                                 "basis": "济人社字〔2026〕1号"})
    assert response.status_code == 302
    leader = ChainLeader.objects.get()
    assert leader.chain.code == "signature-03"
    jinan_enterprise.refresh_from_db()
    assert jinan_enterprise.is_chain_leader
    assert AuditEvent.objects.filter(event="plan.chain_leader.recognise").count() == 1
    assert "济南链主装备集团" in client.get(url).content.decode()
    # a second recognition for the same chain is refused with the enterprise's name
    again = client.post(url, {"organisation": jinan_enterprise.pk, "recognised_on": "2026-03-02", "basis": "x"})
    assert again.status_code == 400 and "已是" in again.content.decode()


def test_withdrawing_the_last_recognition_clears_the_flag(personas, jinan_enterprise):
    chain = IndustrialChain.objects.get(code="key-01")
    leader = chain_actions.recognise_chain_leader(by=personas.bob, chain=chain, organisation=jinan_enterprise,
                                                  recognised_on=dt.date(2026, 1, 5), basis="文件")
    chain_actions.withdraw_chain_leader(leader, by=personas.bob, reason="企业不再符合条件")
    jinan_enterprise.refresh_from_db()
    assert not jinan_enterprise.is_chain_leader and ChainLeader.objects.get().is_archived


def test_another_city_cannot_recognise_and_an_institution_cannot_post(client, personas, jinan_enterprise):
    chain = IndustrialChain.objects.get(code="key-02")
    with pytest.raises(PermissionDenied):
        chain_actions.recognise_chain_leader(by=personas.carol, chain=chain, organisation=jinan_enterprise,
                                             recognised_on=dt.date(2026, 1, 5), basis="文件")
    with pytest.raises(ValidationError):
        chain_actions.recognise_chain_leader(by=personas.bob, chain=chain, organisation=personas.institution,
                                             recognised_on=dt.date(2026, 1, 5), basis="文件")
    client.force_login(personas.ivan)
    response = client.post(reverse("plan:chain_detail", args=["key-02"]),
                           {"organisation": jinan_enterprise.pk, "recognised_on": "2026-03-01", "basis": "x"})
    assert response.status_code == 403
    assert not ChainLeader.objects.exists()


@pytest.fixture
def studio(personas, jinan_enterprise):
    return chain_actions.register_studio(by=personas.bob, name="王师傅焊接技能大师工作室", host=jinan_enterprise,
                                         level="provincial", recognised_on=dt.date(2025, 9, 1),
                                         chain=IndustrialChain.objects.get(code="signature-01"))


def test_it_registers_a_studio_through_the_page(client, personas, jinan_enterprise):
    client.force_login(personas.dave)
    response = client.post(reverse("plan:studio_list"), {
        "name": "数控技能大师工作室", "host": jinan_enterprise.pk, "level": "city", "recognised_on": "2026-02-01",
        "chain": IndustrialChain.objects.get(code="key-05").pk})
    assert response.status_code == 302
    studio = MasterStudio.objects.get()
    assert studio.county_id == "370102" and studio.chain.code == "key-05"
    assert AuditEvent.objects.filter(event="plan.studio.register").count() == 1


def test_the_host_enterprise_keeps_the_roll_of_masters_and_apprentices(client, personas, jinan_enterprise, studio):
    staff = make_user("hostie", Role.INSTITUTION, organisation=jinan_enterprise)
    master = make_person("王大师", "370102", seq=61, birth=dt.date(1970, 3, 3))
    apprentice = make_person("李徒弟", "370102", seq=62, birth=dt.date(2001, 4, 4))
    client.force_login(staff)
    url = reverse("plan:studio_detail", args=[studio.pk])
    assert client.post(url, {"id_number": master.id_number, "role": "master", "joined_on": "2025-09-01"}).status_code == 302
    # an apprentice without a master is refused, naming the field
    response = client.post(url, {"id_number": apprentice.id_number, "role": "apprentice", "joined_on": "2025-10-01"})
    assert response.status_code == 400 and "师傅" in response.content.decode()
    the_master = StudioMember.objects.get(role=StudioRole.MASTER)
    assert client.post(url, {"id_number": apprentice.id_number, "role": "apprentice", "joined_on": "2025-10-01",
                             "master": the_master.pk}).status_code == 302
    member = StudioMember.objects.get(role=StudioRole.APPRENTICE)
    assert member.master == the_master
    html = client.get(url).content.decode()
    assert "李徒弟" in html and apprentice.id_number not in html  # masked
    unknown = client.post(url, {"id_number": "110101199001011237", "role": "master", "joined_on": "2025-09-01"})
    assert unknown.status_code == 400


def test_another_region_gets_404_for_a_studio(client, personas, studio):
    client.force_login(personas.carol)
    assert client.get(reverse("plan:studio_detail", args=[studio.pk])).status_code == 404
    assert client.get(f"/api/v1/plan/studios/{studio.pk}").status_code == 404
    client.force_login(personas.ivan)  # another organisation
    assert client.get(reverse("plan:studio_detail", args=[studio.pk])).status_code == 404
    assert client.post(reverse("plan:studio_detail", args=[studio.pk]),
                       {"id_number": "x", "role": "master", "joined_on": "2025-09-01"}).status_code == 404


def test_the_api_lists_chains_leaders_studios_and_programmes(client, personas, studio, jinan_enterprise):
    chain_actions.recognise_chain_leader(by=personas.bob, chain=studio.chain, organisation=jinan_enterprise,
                                         recognised_on=dt.date(2026, 1, 5), basis="文件")
    client.force_login(personas.bob)
    chains = client.get("/api/v1/plan/chains?tier=signature").json()
    assert len(chains) == 18 and chains[0]["is_placeholder"] is True
    leaders = client.get("/api/v1/plan/chain-leaders").json()
    assert [row["organisation"] for row in leaders] == ["济南链主装备集团"]
    detail = client.get(f"/api/v1/plan/studios/{studio.pk}").json()
    assert detail["chain"] == "signature-01" and detail["members"] == []
    programmes = client.get("/api/v1/plan/programmes").json()
    assert {"shuangqian", "jinguo_housekeeping"} <= {p["code"] for p in programmes}
    client.force_login(personas.carol)
    assert client.get("/api/v1/plan/chain-leaders").json() == []
    assert client.get("/api/v1/plan/studios").json() == []


def test_the_programme_page_lists_sources(client, personas):
    client.force_login(personas.frank)
    html = client.get(reverse("plan:programme_list")).content.decode()
    assert "巾帼家政培训项目" in html and "一(四)" in html
    assert Organisation.objects.filter(is_chain_leader=True).count() == 0
