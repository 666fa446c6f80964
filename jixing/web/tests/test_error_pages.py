"""Our own 403, 404, 500 and CSRF-failure pages, with DEBUG off as in production and the demo:
Chinese, in the site's style, no stack trace, no URL patterns, the request id when given."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
DEBUG_PAGE_MARKS = ("Traceback", "Using the URLconf", "URL patterns", "Django tried these URL patterns",
                    "You're seeing this error because you have", "RuntimeError", "CSRF verification failed")


def _page(response) -> str:
    body = response.content.decode()
    for mark in DEBUG_PAGE_MARKS:
        assert mark not in body, mark
    assert "web/site.css" in body  # the site's style
    return body


@pytest.fixture(autouse=True)
def debug_off(settings) -> None:
    settings.DEBUG = False


def test_it_answers_a_missing_page_with_our_404_in_chinese(client) -> None:
    response = client.get("/no/such/page/", **ZH)
    assert response.status_code == 404
    body = _page(response)
    assert 'data-error="404"' in body and "未找到该页面或记录" in body
    assert "/accounts/login/" in body and "/evaluation/verify/" in body  # a visitor's ways on


def test_it_answers_an_object_out_of_scope_like_a_missing_one(client, personas) -> None:
    client.force_login(personas.carol)  # Qingdao's officer; the person lives in Lixia
    response = client.get(f"/registry/persons/{personas.lixia_person.pk}/", **ZH)
    missing = client.get("/registry/persons/987654321/", **ZH)
    assert response.status_code == missing.status_code == 404
    assert "未找到该页面或记录" in _page(response) and "返回工作台" in _page(response)


def test_it_answers_a_page_of_another_role_with_our_403(client, personas) -> None:
    client.force_login(personas.trent)  # a trainee on the person register
    response = client.get("/registry/persons/", HTTP_X_REQUEST_ID="req-7f3a9c", **ZH)
    assert response.status_code == 403
    body = _page(response)
    assert 'data-error="403"' in body and "您没有执行此操作的权限" in body
    assert "req-7f3a9c" in body  # the proxy's request id, for the help desk


def test_it_shows_no_request_id_that_is_not_a_plain_token(client, personas) -> None:
    client.force_login(personas.trent)
    response = client.get("/registry/persons/", HTTP_X_REQUEST_ID="<script>alert(1)</script>", **ZH)
    assert response.status_code == 403 and "alert(1)" not in response.content.decode()


@pytest.mark.urls("tests.urls")
def test_it_answers_a_failing_view_with_our_500(client) -> None:
    client.raise_request_exception = False
    response = client.get("/__test__/explode/", HTTP_X_REQUEST_ID="abc123", **ZH)
    assert response.status_code == 500
    body = _page(response)
    assert 'data-error="500"' in body and "系统出错" in body and "abc123" in body
    assert "secret-internal-detail" not in body and "370102199005170133" not in body


def test_it_answers_a_refused_form_with_our_csrf_page(personas) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.dave)
    response = client.post("/accounts/password/", {}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 403
    body = _page(response)
    assert 'data-error="403"' in body and "表单已过期" in body
