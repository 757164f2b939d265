"""The captive portal: the network itself asks you to log in (RFC 6585 6, lesson 07).

Until the learner logs in, every request gets 511 with ``Cache-Control: no-store``,
a ``Proxy-Status`` naming the portal, and a page that links to the login form (it
must not contain the form). Devices notice a portal by probing a known URL and
comparing the answer: Android/Chrome expect 204 from ``/generate_204``, Apple 200
``Success`` from ``/hotspot-detect.html``, Windows 200 ``Microsoft Connect Test``
from ``/connecttest.txt``; anything else means "not simply online" (which answers count
as a portal differs: personalities.NOTES, lesson 07). Those answers come from
the vendors' servers on the internet; after login the lab's portal plays them, so
the probes pass. ``/_portal/api`` is the Captive Portal API (RFC 8908) that RFC 8910
discovery (DHCP or Router Advertisement option) points devices to. After login,
other requests pass through to the gateway.

The 511 page's link to the login form carries the path that was asked for (``?next=``), the
form carries it on, and the "You are online" page links back to it. Only a path on the lab's
own gateway is carried (``return_path``): a portal that linked anywhere a URL told it to would
be an open redirect, a trusted login page that sends people on to a look-alike site.
"""

from __future__ import annotations

import json
import re
import string
import time
from urllib.parse import parse_qs, quote, unquote

from labkit import i18n
from labkit.http import pages, proxystatus
from labkit.http.messages import Request, Response
from labkit.i18n import Listed, Msg, Said
from labkit.proxy import Proxy, Route, Target, Timeouts
from labkit.recorder import Recorder, Role

LOGIN = "/_portal/login"
# a path prefix a proxy names (X-Forwarded-Context): absolute, plain URL path characters
_PREFIX = r"(/[A-Za-z0-9._~%!$&'()*+,;=:@-]*)*"  # compiled by re on first use, not at import
LOGOUT = "/_portal/logout"
API = "/_portal/api"
CHECK = "/generate_204"
SESSION_SECONDS = 3600  # a login lasts this long; the Captive Portal API counts it down
NEXT_MAX = 2048  # characters of a path to go back to after login
# why the portal intercepts a request (a Said: a Chinese panel says it in Chinese)
NOT_LOGGED_IN = Said(Msg("not logged in to the network (RFC 6585 6)"))
# what a path and query may hold as sent (RFC 3986 3.3 pchar, "/", "?"): no space, CR, LF,
# backslash, quote, "#" or anything outside ASCII
_PATH_CHARS = frozenset(string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@%/?")

# path -> (status, content type, body) the device's vendor serves when you are online
PROBES: dict[str, tuple[int, str, bytes]] = {
    CHECK: (204, "", b""),  # Android, Chrome OS, Chrome
    "/hotspot-detect.html": (  # Apple
        200,
        "text/html",
        b"<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>\n",
    ),
    "/connecttest.txt": (200, "text/plain", b"Microsoft Connect Test"),  # Windows
}


def return_path(value: str | None) -> str | None:
    """``value`` if it is a path on the lab's own gateway to link back to after login, else None.

    One leading ``/`` (``//host`` is a reference to another host, and so is ``/\\host`` to a
    browser), only the characters a path and query may hold, no dot segments and no ``//``
    (percent-encoded ones included: a browser decodes ``%2e%2e``), nothing under the portal's
    own ``/_portal/``. The link is made relative, like every link of the lab's pages, so that it
    stays under jupyter-server-proxy's prefix."""
    if not value or len(value) > NEXT_MAX or not value.startswith("/"):
        return None
    if not set(value) <= _PATH_CHARS:
        return None
    path = unquote(value.partition("?")[0])
    segments = path.split("/")[1:]
    if "//" in path or "\\" in path or not path.isprintable():
        return None
    if segments[0] == "_portal" or any(seg in (".", "..") for seg in segments):
        return None
    return value


class Portal(Proxy):
    role = Role.PORTAL
    server_header = "labkit-portal"
    via_name = "labkit-portal"

    def __init__(self, recorder: Recorder, gateway: Target, host: str = "127.0.0.1") -> None:
        super().__init__("portal", recorder, host)
        self._logged_in_at: float | None = None
        self.login_request_id = ""
        """The request id of the form POST that began this session; empty after ``login()``
        or a logout. How a judge tells a login through the form from the shortcut."""
        self._route = Route("/", "gateway", [gateway], Timeouts(connect=1.0, read=30.0))

    @property
    def logged_in(self) -> bool:
        """Logged in, and the session of ``SESSION_SECONDS`` has not run out."""
        at = self._logged_in_at
        return at is not None and time.monotonic() - at < SESSION_SECONDS

    @logged_in.setter
    def logged_in(self, on: bool) -> None:
        self.refuse_if_stopped()

        def change() -> None:
            self._logged_in_at = time.monotonic() if on else None
            self.login_request_id = ""

        self.switch(change)

    def login(self) -> None:
        """Accept the network's terms, as the login form would."""
        self.refuse_if_stopped()
        self.logged_in = True

    def logout(self) -> None:
        self.refuse_if_stopped()
        self.logged_in = False

    async def handle(self, request: Request) -> Response:
        refused = self.not_proxied(request)
        if refused is not None:
            return refused
        path = request.path
        if path in (LOGIN, LOGOUT, API):
            from labkit.origin import KNOWN_METHODS  # here: the portal starts without the origin

            if request.method not in KNOWN_METHODS:  # BREW was 405, as if it were a known one
                return self._page(
                    request,
                    501,
                    Msg(
                        "The portal does not recognise the method {method}. Methods it knows: "
                        "{methods}.",
                        method=repr(request.method),
                        methods=Listed(KNOWN_METHODS),
                    ),
                )
        if path == LOGIN:
            return self._login(request)
        if path == LOGOUT:
            if request.method != "POST":
                return self._page(request, 405, Msg("Log out with POST."), allow="POST")
            self.logout()
            return self._page(request, 200, Msg("You are logged out of the network."))
        if path == API:
            if request.method not in ("GET", "HEAD"):  # it answered DELETE and BREW with 200
                return self._page(
                    request, 405, Msg("Read the Captive Portal API with GET."), allow="GET, HEAD"
                )
            return self._captive_api(request)
        if not self.logged_in:
            return self._network_auth_required(request)
        if path in PROBES:
            status, content_type, body = PROBES[path]
            headers = [("Content-Type", content_type)] if content_type else []
            why = Said.now("online: the connectivity check {path} passes", path=path)
            return Response(status, headers, body, why=why)
        answered = self.final_recipient(request)  # Max-Forwards: 0 (RFC 9110 7.6.2)
        if answered is not None:
            return answered
        return await self.forward(request, self._route, self._route.targets)

    def route_of(self, request: Request) -> Route | None:
        return self._route  # everything it relays went through its one route

    def _network_auth_required(self, request: Request) -> Response:
        headers, body = pages.page(
            request,
            511,
            made_by="portal",
            paragraphs=[
                Msg("You need to log in to this network before you can reach anything."),
                Msg(
                    "This answer comes from the network's captive portal, not from the site "
                    "you asked for; that site never saw your request."
                ),
                Msg(
                    "(This lab links to the login page with a relative link, so that it "
                    "survives the Jupyter proxy's path prefix. A real portal links to its own "
                    "login host with an absolute https URL, as RFC 6585's example does: on an "
                    "intercepted request a relative link would resolve under the site you "
                    "asked for.)"
                ),
            ],
            links=[(Msg("Log in to the network"), self._login_link(request))],
        )
        headers.append(("Cache-Control", "no-store"))
        headers.append(
            (
                "Proxy-Status",
                proxystatus.member(
                    self.via_name,
                    error="http_request_denied",
                    details="not logged in to the network",
                ),
            )
        )
        return Response(511, headers, body, why=NOT_LOGGED_IN)

    @staticmethod
    def _login_link(request: Request) -> str:
        """The login form's path, carrying the requested one when a GET can come back to it."""
        back = return_path(request.target) if request.method in ("GET", "HEAD") else None
        return f"{LOGIN}?next={quote(back, safe='/')}" if back else LOGIN

    def _captive_api(self, request: Request) -> Response:
        """RFC 8908 Captive Portal API state. RFC 8908 requires https for this URL and the
        portal's; the lab serves plain HTTP on 127.0.0.1."""
        state: dict[str, object] = {"captive": not self.logged_in}
        if self.logged_in and self._logged_in_at is not None:
            left = SESSION_SECONDS - (time.monotonic() - self._logged_in_at)
            state["seconds-remaining"] = max(int(left), 0)
        else:
            state["user-portal-url"] = self._portal_url(request)
        return Response(
            200,
            [("Content-Type", "application/captive+json"), ("Cache-Control", "private")],
            (json.dumps(state) + "\n").encode(),
            why=Said(Msg("the Captive Portal API state (RFC 8908)")),
        )

    def _portal_url(self, request: Request) -> str:
        """The login page as an absolute URL (RFC 8908 5, API State Structure: ``user-portal-url``
        is a URL, not a path).

        Through jupyter-server-proxy (a hub, Binder) the browser reaches the portal under a
        prefix the proxy names in ``X-Forwarded-Context`` (``{base_url}/proxy/{port}``) and
        ``Host`` is the Jupyter server's, so ``http://{Host}/_portal/login`` led nowhere: the
        prefix goes in, and ``X-Forwarded-Proto`` (set by a hub's proxy) gives the scheme."""
        host = request.header("host") or f"{self.host}:{self.port}"
        prefix = request.header("x-forwarded-context") or ""
        if not re.fullmatch(_PREFIX, prefix):
            prefix = ""
        scheme = request.header("x-forwarded-proto") or "http"
        if scheme not in ("http", "https"):
            scheme = "http"
        return f"{scheme}://{host}{prefix.rstrip('/')}{LOGIN}"

    def _login(self, request: Request) -> Response:
        if request.method == "POST":
            form = parse_qs(request.body.decode("utf-8", "replace"))
            if form.get("accept") != ["yes"]:
                return self._page(request, 400, Msg("Tick 'I accept the terms' to log in."))
            self.login()
            self.login_request_id = request.request_id
            asked = form.get("next", [""])[-1]
            back = return_path(asked)
            paragraphs = [Msg("You are logged in; requests now pass through to the gateway.")]
            if asked and back is None:
                paragraphs.append(
                    Msg(
                        "There is no link back: the page to return to must be a path on this "
                        "lab's gateway, such as /orders/7."
                    )
                )
            headers, body = pages.page(
                request,
                200,
                made_by="portal",
                title=Msg("You are online"),
                paragraphs=paragraphs,
                links=[(Msg("Back to {path}", path=back), back)] if back else [],
            )
            return Response(
                200, [*headers, ("Cache-Control", "no-store")], body, why=Said(Msg("logged in"))
            )
        if request.method not in ("GET", "HEAD"):
            return self._page(
                request,
                405,
                Msg("Use GET to see the form, POST to log in."),
                allow="GET, HEAD, POST",
            )
        # here: html's entity table costs every lab 1.5 ms, and only this page needs it
        from html import escape

        back = return_path(request.query.get("next"))
        carried = f"  <input type='hidden' name='next' value='{escape(back)}'>\n" if back else ""
        lang = i18n.negotiate(request.field("accept-language"))

        def say(text: Msg) -> str:
            return escape(text.render(lang))

        title = say(Msg("Log in to the network"))
        made = Msg("This page was made by the labkit {who}.", who=pages.MADE_BY["portal"])
        login_page = (  # one element a line: it is read as text in the inspector and with curl
            f"<!doctype html>\n<html lang='{lang}'>\n<head><meta charset='utf-8'>"
            f"<title>{title}</title></head>\n<body>\n"
            f"<h1>{title}</h1>\n"
            "<form method='post' action='login'>\n"
            "  <label><input type='checkbox' name='accept' value='yes'> "
            f"{say(Msg('I accept the terms'))}</label>\n"
            f"{carried}"
            f"  <button type='submit'>{say(Msg('Log in'))}</button>\n"
            "</form>\n"
            f"<hr><p><small>{say(made)}</small></p>\n"
            "</body>\n</html>\n"
        )
        headers = [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Language", lang),
            ("Vary", "Accept-Language"),
            ("Cache-Control", "no-store"),
        ]
        return Response(200, headers, login_page.encode(), why=Said(Msg("the login form")))

    def _page(self, request: Request, status: int, text: Msg, allow: str = "") -> Response:
        headers, body = pages.page(request, status, made_by="portal", paragraphs=[text])
        if allow:
            headers.append(("Allow", allow))
        headers.append(("Cache-Control", "no-store"))
        return Response(status, headers, body, why=i18n.said(text))
