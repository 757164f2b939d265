"""The portal as phones see it: the vendors' probes, the Captive Portal API, Proxy-Status on 511."""

from __future__ import annotations

import json

import pytest

import labkit
from labkit.portal import PROBES, SESSION_SECONDS


def test_every_probe_is_captive_before_login_and_passes_after(lab: labkit.Lab) -> None:
    for path in PROBES:
        before = lab.get(path, via="portal")
        assert before.status == 511, path
        assert before.header("Proxy-Status") == (
            'labkit-portal; error=http_request_denied; details="not logged in to the network"'
        )
    lab.portal.login()
    android = lab.get("/generate_204", via="portal")
    assert android.status == 204 and android.body == b""
    apple = lab.get("/hotspot-detect.html", via="portal")
    assert apple.status == 200 and b"<TITLE>Success</TITLE>" in apple.body
    windows = lab.get("/connecttest.txt", via="portal")
    assert windows.status == 200 and windows.body == b"Microsoft Connect Test"


def test_captive_portal_api_says_captive_then_counts_down(lab: labkit.Lab) -> None:
    before = lab.get("/_portal/api", via="portal")
    assert before.header("Content-Type") == "application/captive+json"
    state = json.loads(before.body)
    assert state["captive"] is True
    assert state["user-portal-url"].endswith("/_portal/login")
    lab.portal.login()
    after = json.loads(lab.get("/_portal/api", via="portal").body)
    assert after["captive"] is False
    assert 0 < after["seconds-remaining"] <= SESSION_SECONDS


def test_captive_portal_api_gives_the_login_page_through_jupyter_server_proxy(
    lab: labkit.Lab,
) -> None:
    # what jupyter-server-proxy sends: the browser's Host and the prefix it serves the portal at
    proxied = lab.raw(
        b"GET /_portal/api HTTP/1.1\r\nHost: hub.example:8000\r\n"
        b"X-Forwarded-Context: /user/alice/proxy/9999\r\nX-Forwarded-Proto: https\r\n"
        b"Connection: close\r\n\r\n",
        to="portal",
    )
    state = json.loads(proxied.body)
    assert (
        state["user-portal-url"] == "https://hub.example:8000/user/alice/proxy/9999/_portal/login"
    )
    # a prefix that is not a plain path, or a scheme that is not http(s), is not used
    odd = lab.raw(
        b"GET /_portal/api HTTP/1.1\r\nHost: hub.example\r\n"
        b"X-Forwarded-Context: javascript:alert(1)\r\nX-Forwarded-Proto: gopher\r\n"
        b"Connection: close\r\n\r\n",
        to="portal",
    )
    assert json.loads(odd.body)["user-portal-url"] == "http://hub.example/_portal/login"


def test_what_the_portal_relays_names_both_hops(lab: labkit.Lab) -> None:
    lab.portal.login()
    through = lab.get("/orders/7", via="portal")
    assert through.header("Proxy-Status") == (
        'labkit-gateway; received-status=200; next-hop="origin", '
        'labkit-portal; received-status=200; next-hop="gateway"'
    )
    assert through.header("Via") == "1.1 labkit-gateway, 1.1 labkit-portal"


def test_the_captive_portal_api_refuses_a_method_it_does_not_take(lab: labkit.Lab) -> None:
    """The Captive Portal API (RFC 8908) answered DELETE, PUT, POST and BREW with 200 and its
    JSON state, as if each were a GET; the portal's other resources answer a method they do
    not take 405 with Allow (RFC 9110 15.5.6), and so does the API now. GET and HEAD still
    read the state."""
    for method in ("POST", "DELETE", "PUT"):
        refused = lab.request(method, "/_portal/api", via="portal")
        assert (refused.status, refused.header("allow")) == (405, "GET, HEAD"), method
        assert "captive" not in refused.text
    assert lab.request("HEAD", "/_portal/api", via="portal").status == 200
    assert json.loads(lab.get("/_portal/api", via="portal").body)["captive"] is True


@pytest.mark.parametrize("path", ["/_portal/login", "/_portal/logout", "/_portal/api"])
def test_the_portals_own_pages_answer_a_method_no_server_knows_501(
    lab: labkit.Lab, path: str
) -> None:
    """A method the portal does not recognise (BREW, or `get` in lower case: methods are
    case-sensitive) is 501 on its own pages, as on the origin's (RFC 9110 9.1, lesson 02), not
    405 with Allow, which says the method is known and refused here."""
    for method in ("BREW", "get"):
        refused = lab.raw(
            f"{method} {path} HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n", to="portal"
        )
        assert refused.status == 501, (method, path, refused.status)
        assert refused.header("allow") is None
        assert f"'{method}'" in refused.text and "PATCH" in refused.text
    zh = lab.request("BREW", path, via="portal", headers={"Accept-Language": "zh-CN"})
    assert zh.status == 501 and zh.header("Content-Language") == "zh-CN", zh.text
