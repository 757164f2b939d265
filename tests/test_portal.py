"""The captive portal: 511 until login, never cached, a link to the login page (not the form)."""

from __future__ import annotations

import re
import socket
from urllib.parse import urljoin

import httpx
import pytest

import labkit


def test_511_before_login(lab: labkit.Lab) -> None:
    ex = lab.get("/orders/7", via="portal", headers={"Accept": "text/html"})
    assert ex.status == 511 and ex.generated_by == "portal"
    assert ex.header("cache-control") == "no-store"
    assert "<form" not in ex.text
    links = re.findall(r"href='([^']+)'", ex.text)
    # relative, so it works behind a proxy prefix; it carries the page that was asked for
    assert links == ["../_portal/login?next=/orders/7"]
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


def _links(text: str) -> list[str]:
    return re.findall(r"href='([^']+)'", text)


def test_login_links_back_to_the_page_asked_for(lab: labkit.Lab) -> None:
    """511 page -> login form -> "You are online" -> the page asked for, by following the links
    the portal serves, resolved as a browser resolves them (under a jupyter-server-proxy prefix
    too: every link is relative, so it stays under it)."""
    html = {"Accept": "text/html"}
    with httpx.Client(base_url=lab.portal.url, trust_env=False, headers=html) as client:
        asked = "/orders/7?fields=id"
        captive = client.get(asked)
        assert captive.status_code == 511
        [to_login] = _links(captive.text)
        assert to_login == "../_portal/login?next=/orders/7%3Ffields%3Did"
        login_url = urljoin(f"{lab.portal.url}{asked}", to_login)
        form = client.get(login_url)
        assert "<input type='hidden' name='next' value='/orders/7?fields=id'>" in form.text
        online = client.post(login_url, data={"accept": "yes", "next": "/orders/7?fields=id"})
        assert online.status_code == 200 and "You are online" in online.text
        [back] = _links(online.text)
        assert back == "../orders/7?fields=id"
        assert urljoin(login_url, back) == f"{lab.portal.url}{asked}"
        order = client.get(urljoin(login_url, back))
    assert order.status_code == 200 and order.json()["id"] == 7
    prefix = "https://hub.example/user/ana/proxy/8123"
    login_behind = urljoin(f"{prefix}{asked}", to_login)
    assert login_behind == f"{prefix}/_portal/login?next=/orders/7%3Ffields%3Did"
    assert urljoin(login_behind, back) == f"{prefix}{asked}"


def test_a_post_is_not_carried_back_to(lab: labkit.Lab) -> None:
    ex = lab.request("POST", "/orders", via="portal", headers={"Accept": "text/html"})
    assert ex.status == 511
    assert _links(ex.text) == ["./_portal/login"]


HOSTILE = [
    "http://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "/%2F%2Fevil.example/",
    "/%2e%2e/%2e%2e/evil.example",
    "/orders/7\r\nSet-Cookie: evil=1",
    "/orders/7%0d%0aSet-Cookie: evil=1",
    "javascript:alert('evil')",
    "/_portal/logout",
]


@pytest.mark.parametrize("next_value", HOSTILE)
def test_a_hostile_next_logs_in_without_a_link(lab: labkit.Lab, next_value: str) -> None:
    with httpx.Client(base_url=lab.portal.url, trust_env=False) as client:
        form = client.get("/_portal/login", params={"next": next_value})
        assert form.status_code == 200 and "name='next'" not in form.text
        assert "evil" not in form.text
        online = client.post(
            "/_portal/login",
            data={"accept": "yes", "next": next_value},
            headers={"Accept": "text/html"},
        )
    assert online.status_code == 200 and lab.portal.logged_in
    assert _links(online.text) == []
    assert "There is no link back: the page to return to must be a path on this lab" in online.text
    assert "evil" not in online.text
    assert "set-cookie" not in online.headers


def test_crlf_in_next_never_reaches_the_head(lab: labkit.Lab) -> None:
    """On the wire: a percent-encoded CR LF in the form stays out of the response head."""
    body = b"accept=yes&next=%2Forders%2F7%0D%0ASet-Cookie%3A+evil%3D1"
    head = (
        b"POST /_portal/login HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", lab.portal.port), timeout=5) as s:
        s.sendall(head + body)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    status_line, _, rest = data.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 200 OK"
    response_head = rest.partition(b"\r\n\r\n")[0].lower()
    assert b"set-cookie" not in response_head and b"evil" not in data


def test_the_login_page_names_the_methods_it_takes(lab: labkit.Lab) -> None:
    ex = lab.request("PUT", "/_portal/login", via="portal")
    assert (ex.status, ex.generated_by) == (405, "portal")
    assert ex.header("allow") == "GET, HEAD, POST"
    assert "Use GET to see the form, POST to log in." in ex.text
    assert not lab.portal.logged_in
