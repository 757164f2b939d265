"""The captive portal: 511 until login, never cached, a link to the login page (not the form)."""

from __future__ import annotations

import re

import httpx

import labkit


def test_511_before_login(lab: labkit.Lab) -> None:
    ex = lab.get("/orders/7", via="portal", headers={"Accept": "text/html"})
    assert ex.status == 511 and ex.generated_by == "portal"
    assert ex.header("cache-control") == "no-store"
    assert "<form" not in ex.text
    links = re.findall(r"href='([^']+)'", ex.text)
    assert links == ["../_portal/login"]  # relative, so it works behind a proxy prefix
    assert [h.name for h in ex.hops if h.role != "client"] == ["portal"]


def test_connectivity_check(lab: labkit.Lab) -> None:
    assert lab.get("/generate_204", via="portal").status == 511
    lab.portal.login()
    ex = lab.get("/generate_204", via="portal")
    assert ex.status == 204 and ex.body == b""


def test_login_through_the_form_then_pass_through(lab: labkit.Lab) -> None:
    with httpx.Client(base_url=lab.portal.url, trust_env=False) as client:
        form = client.get("/_portal/login")
        assert form.status_code == 200 and "<form" in form.text
        assert client.post("/_portal/login", data={"accept": "no"}).status_code == 400
        assert client.get("/orders/7").status_code == 511
        assert client.post("/_portal/login", data={"accept": "yes"}).status_code == 200
        passed = client.get("/orders/7")
    assert passed.status_code == 200
    assert passed.headers["via"] == "1.1 labkit-gateway, 1.1 labkit-portal"
    ex = lab.exchange(passed.headers["x-request-id"])
    assert [h.name for h in ex.hops] == ["portal", "gateway", "origin"]
    assert ex.generated_by == "origin"


def test_logout(lab: labkit.Lab) -> None:
    lab.portal.login()
    assert lab.get("/orders/7", via="portal").status == 200
    with httpx.Client(base_url=lab.portal.url, trust_env=False) as client:
        assert client.get("/_portal/logout").status_code == 405
        assert client.post("/_portal/logout").status_code == 200
    assert lab.get("/orders/7", via="portal").status == 511
