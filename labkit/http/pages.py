"""Error and information pages: HTML for browsers, plain text for curl and httpx.

Links are relative to the request's path, so the pages still work behind
jupyter-server-proxy (``/user/NAME/proxy/PORT/...``), which strips its prefix. That
is a choice for the lab, where every server is reached at its own address. A real
captive portal answers requests meant for other sites, where a relative link would
resolve under the site that was asked for; RFC 6585 6's example links to the
portal's own host with an absolute URL (``https://login.example.net/``). Lesson 07
teaches the difference.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from labkit.http.messages import Headers, Request, reason_for


def relative(request_path: str, target: str) -> str:
    """A link from ``request_path`` to the absolute lab path ``target``, made relative."""
    depth = max(request_path.count("/") - 1, 0)
    return ("../" * depth or "./") + target.lstrip("/")


def page(
    request: Request | None,
    status: int,
    *,
    made_by: str,
    paragraphs: list[str],
    links: Sequence[tuple[str, str]] = (),
    title: str = "",
) -> tuple[Headers, bytes]:
    """Build a page; returns (content headers, body)."""
    title = title or f"{status} {reason_for(status)}"
    path = request.path if request else "/"
    rel_links = [(text, relative(path, target)) for text, target in links]
    # the page's form follows the request's Accept: a cache must know (RFC 9110 12.5.5)
    vary = [("Vary", "Accept")] if request is not None else []
    if request is not None and request.wants_html():
        parts = [
            "<!doctype html>",
            f"<html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>",
            f"<body><h1>{html.escape(title)}</h1>",
        ]
        parts += [f"<p>{html.escape(p)}</p>" for p in paragraphs]
        if rel_links:
            items = "".join(
                f"<li><a href='{html.escape(href)}'>{html.escape(text)}</a></li>"
                for text, href in rel_links
            )
            parts.append(f"<ul>{items}</ul>")
        parts.append(f"<hr><p><small>This page was made by the labkit {made_by}.</small></p>")
        parts.append("</body></html>\n")
        return [("Content-Type", "text/html; charset=utf-8"), *vary], "\n".join(parts).encode()
    lines = [title, "", *paragraphs]
    if rel_links:
        lines += [""] + [f"{text}: {href}" for text, href in rel_links]
    lines += ["", f"-- made by the labkit {made_by}", ""]
    return [("Content-Type", "text/plain; charset=utf-8"), *vary], "\n".join(lines).encode()
