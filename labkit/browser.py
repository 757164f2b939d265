"""Links that open the lab's pages in the browser tab, through the Jupyter server.

The lab listens on 127.0.0.1 inside the kernel's machine, which a browser on a
classroom hub or on Binder cannot reach directly. jupyter-server-proxy forwards
``{prefix}proxy/PORT/path`` to ``127.0.0.1:PORT/path`` (stripping its prefix, which is
why every lab page uses relative links). Under JupyterHub and Binder the prefix is
``$JUPYTERHUB_SERVICE_PREFIX``; on a plain ``jupyter lab`` it is ``/``.
"""

from __future__ import annotations

import html
import importlib.util
import os
import re
from dataclasses import dataclass

from labkit.errors import refuse, shown
from labkit.i18n import ENGLISH, Msg, catalogue, translate

LINK = "link"  # the msgctxt of a lesson's link words (lab.browser_link, tools/messages.py)
_FIELD = re.compile(r"\{(\w+)(?::[^{}]*)?\}")  # a placeholder of an f-string's template


def link_words(text: str, lang: str) -> str:
    """A lesson's link words in ``lang``: they are a literal, or an f-string, in a code cell
    both languages share (tools/messages.py takes each from the English lessons, msgctxt
    link). A literal as the catalogue has it; words an f-string made
    (``f"... {read_timeout:g} s ..."``) by its template, the values put into the
    translation; a learner's own words as given."""
    said = translate(lang, text, context=LINK)
    if said != text or lang == ENGLISH:
        return said
    for (context, template), forms in catalogue(lang).entries.items():
        if context != LINK or "{" not in template or not all(forms):
            continue
        parts = _FIELD.split(template)  # text, name, text, name, ..., text
        found = re.fullmatch(
            "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts)),
            text,
        )
        if found:
            values = found.groupdict()
            break
    else:
        return text
    return _FIELD.sub(lambda m: str(values[m.group(1)]), forms[0])


def proxy_prefix() -> str:
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")
    return prefix if prefix.endswith("/") else prefix + "/"


def has_server_proxy() -> bool:
    return importlib.util.find_spec("jupyter_server_proxy") is not None


@dataclass
class Link:
    """Shows as a clickable link in Jupyter, and as its words, its path and where its address
    comes from elsewhere.

    No form a learner reads holds the port (only the link's target does): a lab's ports
    differ each run, and the plain-text form, the URL itself until December 2026, made a
    stored output or nbval's comparison differ too. ``direct`` is the address, for code."""

    proxied: str
    direct: str
    text: str
    lang: str = ENGLISH  # the language its own words are in: its lab's
    server: str = "gateway"  # the lab server it opens (lab.url's name) and its path there
    path: str = "/"

    def _address(self) -> str:
        """Where the address comes from, as Python writes it: the same in every run."""
        return f"lab.url({self.server!r}) + {self.path!r}"

    def _repr_html_(self) -> str:
        if not has_server_proxy():
            said = Msg(
                "{text}: install jupyter-server-proxy to open it from the browser; from a "
                "terminal on the same machine, its address is what {call} gives.",
                text=html.escape(self.text),
                call=f"<code>{html.escape(self._address())}</code>",
            )
            return f"<span>{said.render(self.lang)}</span>"
        anchor = (
            f"<a href='{html.escape(self.proxied)}' target='_blank' rel='noopener' "
            "style='text-decoration:underline'>"  # told apart by more than its colour
            f"{html.escape(self.text)}</a>"
        )
        # one message with the link in it: Chinese sets its （...） with no space before it
        return Msg("{link} (opens in a new tab, through the Jupyter server)", link=anchor).render(
            self.lang
        )

    def __repr__(self) -> str:
        return Msg(
            "{text}: {path} on the {server}, a link that opens through the Jupyter server (its "
            "address on this machine: {call})",
            text=self.text,
            path=self.path,
            server=self.server,
            call=self._address(),
        ).render(self.lang)


def link(
    port: int, path: str, text: str, direct_base: str, lang: str = ENGLISH, server: str = "gateway"
) -> Link:
    if not isinstance(path, str) or not path.startswith("/"):
        raise refuse(
            Msg("path must start with '/', like '/orders/7', not {given}", given=shown(path)),
            lang=lang,
        )
    if not path.isprintable() or " " in path:
        raise refuse(
            Msg("path must hold no spaces or control characters, not {given}", given=shown(path)),
            lang=lang,
        )
    return Link(f"{proxy_prefix()}proxy/{port}{path}", direct_base + path, text, lang, server, path)
