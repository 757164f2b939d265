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

from collections.abc import Sequence

from labkit import i18n
from labkit.http.messages import Headers, Request, reason_for
from labkit.i18n import Msg, Text

# The statuses of the lab's own pages: their reason phrases are in the catalogue (context
# "reason") for the pages' titles. A learner's handler may choose any other; its page's
# title then keeps the English phrase.
PAGE_STATUSES = (
    200,
    400,
    404,
    405,
    408,
    413,
    414,
    422,
    426,
    429,
    431,
    500,
    501,
    502,
    503,
    504,
    505,
    511,
)

# the page's form follows the request's Accept and its language Accept-Language (RFC 9110
# 12.5.5): a cache must key on both
VARY = "Accept, Accept-Language"


class Reason:
    """A reason as the logs and ``ex.why`` say it, a clause ("the request line says HTTP/2.0,
    a major version this server does not support"), shown on a page as a sentence: its first
    letter a capital, a full stop at its end. The 505 and 400 pages showed the clause bare."""

    __slots__ = ("text",)

    def __init__(self, text: Text) -> None:
        self.text = text

    def render(self, lang: str) -> str:
        said = i18n.render(self.text, lang).strip()
        if not said:
            return said
        if lang == i18n.ENGLISH:
            said = said[0].upper() + said[1:] if said[0].islower() else said
            return said if said.endswith((".", "!", "?")) else said + "."
        return said if said.endswith(("。", "！", "？")) else said + "。"


# characters of a requested path that a page quotes: a request line may be 16 KB long, and a
# 404 page quoted the whole path, 9,000 characters for a 9,000-character path
PATH_SHOWN = 80


def quoted_path(path: str) -> Text:
    """A requested path as a page quotes it, in quotes (``repr``), cut as ``cut`` cuts."""
    return cut(repr(path), len(path))


def cut(text: str, size: int | None = None) -> Text:
    """``text`` (a path or a part of one, as a page shows it) as it is, or, when it is longer
    than PATH_SHOWN characters, its start and an ellipsis (inside the quotes it opened
    with), then how long it is (``size``, else its length) and that it was cut, in the
    page's language. The page escapes it as any text."""
    if len(text) <= PATH_SHOWN:
        return text
    quote = text[0] if text[0] in "'\"" else ""
    start = text[: PATH_SHOWN - 1 - len(quote)] + "…" + quote
    size = len(text) if size is None else size
    return Msg("{start} (cut; {size} characters in all)", start=start, size=size)


def relative(request_path: str, target: str) -> str:
    """A link from ``request_path`` to the absolute lab path ``target``, made relative."""
    depth = max(request_path.count("/") - 1, 0)
    return ("../" * depth or "./") + target.lstrip("/")


def page(
    request: Request | None,
    status: int,
    *,
    made_by: str,
    paragraphs: Sequence[Text | Reason],
    links: Sequence[tuple[Text, str]] = (),
    title: Text = "",
) -> tuple[Headers, bytes]:
    """Build a page; returns (content headers, body).

    Without a request (one that could not be parsed) nothing was negotiated: English,
    plain text, no Vary.
    """
    lang = i18n.negotiate(request.field("accept-language")) if request else i18n.ENGLISH
    english_reason = reason_for(status)
    title = i18n.render(title, lang) or f"{status} {i18n.reason(lang, english_reason)}".strip()
    texts = [p.render(lang) if isinstance(p, Reason) else i18n.render(p, lang) for p in paragraphs]
    path = request.path if request else "/"
    rel_links = [(i18n.render(text, lang), relative(path, target)) for text, target in links]
    negotiated = [("Content-Language", lang)]
    if request is not None:
        negotiated.append(("Vary", VARY))
    made = i18n.render(MADE_BY.get(str(made_by), str(made_by)), lang)
    if request is not None and request.wants_html():
        from html import escape  # here: its entity table costs a lab that serves curl 1.5 ms

        parts = [
            "<!doctype html>",
            f"<html lang='{lang}'><head><meta charset='utf-8'>"
            f"<title>{escape(title)}</title></head>",
            f"<body><h1>{escape(title)}</h1>",
        ]
        parts += [f"<p>{escape(p)}</p>" for p in texts]
        if rel_links:
            items = "".join(
                f"<li><a href='{escape(href)}'>{escape(text)}</a></li>" for text, href in rel_links
            )
            parts.append(f"<ul>{items}</ul>")
        footer = Msg("This page was made by the labkit {who}.", who=made).render(lang)
        parts.append(f"<hr><p><small>{escape(footer)}</small></p>")
        parts.append("</body></html>\n")
        content_type = ("Content-Type", "text/html; charset=utf-8")
        return [content_type, *negotiated], "\n".join(parts).encode()
    lines = [title, "", *texts]
    if rel_links:
        # the separator is the language's own: Chinese text takes a full-width colon
        lines += [""] + [Msg("{label}: {link}", label=t, link=h).render(lang) for t, h in rel_links]
    lines += ["", Msg("-- made by the labkit {who}", who=made).render(lang), ""]
    return [("Content-Type", "text/plain; charset=utf-8"), *negotiated], "\n".join(lines).encode()


# who makes pages: the servers' roles, as a page's footer names them
MADE_BY = {
    "origin": Msg("origin", context="role"),
    "gateway": Msg("gateway", context="role"),
    "portal": Msg("portal", context="role"),
    "upstream": Msg("upstream", context="role"),
}
CLIENT = Msg("client", context="role")
UPSTREAM_PREFIX = "upstream "  # recorder.Hop.label of an upstream: "upstream 'slow'"


def hop_words(label: str) -> Text:
    """A hop as a sentence names it: the role's word in the reader's language (a Chinese
    summary says 由网关生成, as exercise feedback and the lab's pages do), an upstream with its
    name as code spells it (上游 'slow'). It read "由 gateway 生成" beside feedback's
    "由网关生成" until December 2026. ``label`` is ``Hop.label`` (or a role's word); where a
    hop is named as code takes it (``ex.hop(...)``, the story's and the hop table's first
    column, the picture's lanes) the label itself is shown, not this (docs/i18n.md)."""
    if label in MADE_BY:
        return MADE_BY[label]
    if label == "client":
        return CLIENT
    if label.startswith(UPSTREAM_PREFIX):
        return Msg("upstream {name}", name=label.removeprefix(UPSTREAM_PREFIX))
    return label
