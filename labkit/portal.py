"""The captive portal: the network itself asks you to log in (RFC 6585 6, lesson 07).

Until the learner logs in, every request gets 511 with ``Cache-Control: no-store``
and a page that links to the login form (it must not contain the form). The
connectivity check ``/generate_204`` shows how devices notice a portal: 511
before login, 204 after. After login, requests pass through to the gateway.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from labkit.http import pages
from labkit.http.messages import Request, Response
from labkit.proxy import Proxy, Route, Target

LOGIN = "/_portal/login"
LOGOUT = "/_portal/logout"
CHECK = "/generate_204"


class Portal(Proxy):
    role = "portal"
    server_header = "labkit-portal"
    via_name = "labkit-portal"

    def __init__(self, recorder, gateway: Target, host: str = "127.0.0.1") -> None:  # type: ignore[no-untyped-def]
        super().__init__("portal", recorder, host)
        self.logged_in = False
        self._route = Route("/", "gateway", [gateway], connect_timeout=1.0, read_timeout=30.0)

    def login(self) -> None:
        """Accept the network's terms, as the login form would."""
        self.logged_in = True

    def logout(self) -> None:
        self.logged_in = False

    async def handle(self, request: Request) -> Response:
        path = request.path
        if path == LOGIN:
            return self._login(request)
        if path == LOGOUT:
            if request.method != "POST":
                return self._page(request, 405, "Log out with POST.", allow="POST")
            self.logout()
            return self._page(request, 200, "You are logged out of the network.")
        if not self.logged_in:
            return self._network_auth_required(request)
        if path == CHECK:
            return Response(204, [], why="online: the connectivity check passes")
        return await self.forward(request, self._route, self._route.targets)

    def _network_auth_required(self, request: Request) -> Response:
        headers, body = pages.page(
            request,
            511,
            made_by="portal",
            paragraphs=[
                "You need to log in to this network before you can reach anything.",
                "This answer comes from the network's captive portal, not from the site you "
                "asked for; that site never saw your request.",
            ],
            links=[("Log in to the network", LOGIN)],
        )
        headers.append(("Cache-Control", "no-store"))
        return Response(511, headers, body, why="not logged in to the network (RFC 6585 6)")

    def _login(self, request: Request) -> Response:
        if request.method == "POST":
            form = parse_qs(request.body.decode("utf-8", "replace"))
            if form.get("accept") != ["yes"]:
                return self._page(request, 400, "Tick 'I accept the terms' to log in.")
            self.login()
            headers, body = pages.page(
                request,
                200,
                made_by="portal",
                title="You are online",
                paragraphs=["You are logged in; requests now pass through to the gateway."],
            )
            return Response(200, [*headers, ("Cache-Control", "no-store")], body, why="logged in")
        if request.method not in ("GET", "HEAD"):
            return self._page(
                request, 405, "Use GET to see the form, POST to log in.", allow="GET, HEAD, POST"
            )
        form = (
            "<!doctype html><html><head><meta charset='utf-8'><title>Log in to the network</title>"
            "</head><body><h1>Log in to the network</h1>"
            "<form method='post' action='login'>"
            "<label><input type='checkbox' name='accept' value='yes'> I accept the terms</label> "
            "<button type='submit'>Log in</button></form>"
            "<hr><p><small>This page was made by the labkit portal.</small></p></body></html>\n"
        )
        return Response(
            200,
            [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")],
            form.encode(),
            why="the login form",
        )

    def _page(self, request: Request, status: int, text: str, allow: str = "") -> Response:
        headers, body = pages.page(request, status, made_by="portal", paragraphs=[text])
        if allow:
            headers.append(("Allow", allow))
        return Response(status, [*headers, ("Cache-Control", "no-store")], body, why=text)
