"""Languages: which one a request or a learner asked for, and the text in it.

The lab's own pages negotiate the HTTP way: the client's ``Accept-Language`` (RFC 9110
12.5.4) chooses, the response says what it chose in ``Content-Language`` and that it
chose by ``Vary: Accept-Language`` (RFC 9110 12.5.5), so that a cache keeps one copy per
language. The learner's language (``labkit.start(lang=...)`` or ``LABKIT_LANG``) is what
the lab's own client asks for and what the CLI speaks; English by default.

The text comes from one gettext catalogue per language, ``labkit/locale/LANG/LC_MESSAGES/
messages.po``; English is the source (the msgids). The .po files are read as they are, by the
small reader below, rather than compiled to .mo: one file to review and diff, no build step
and no binary in git that could drift from its source. ``tools/messages.py`` extracts the
msgids into ``labkit/locale/messages.pot``; tests/test_i18n.py fails on a msgid without a
translation and on a translation whose placeholders differ. See docs/i18n.md.
"""

from __future__ import annotations

import errno
import functools
import os
import re
import string
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from labkit.record import FrozenRecord

ENGLISH = "en"
CHINESE = "zh-CN"
LANGUAGES = (ENGLISH, CHINESE)  # the first is the default
# The tags each language is offered under: a language range matches one when equal to it
# or a prefix of it ending at a "-" (RFC 4647 3.3.1, which RFC 9110 12.5.4 cites), or when
# the range, cut back at a "-", is the tag (RFC 4647 3.4's lookup). So "zh" and "zh-Hans"
# choose Simplified Chinese, "en-US" English, and "zh-Hans-TW" (simplified characters read
# in Taiwan) is cut back to "zh-Hans", which is offered; "zh-TW" and "zh-Hant" do not choose
# Chinese (no "zh" is offered to cut them back to). The catalogue's Chinese is Mandarin's
# written standard in simplified characters, which RFC 5646 also tags "cmn-Hans-CN"
# (Mandarin, a language of the macrolanguage "zh"): offered under those tags too, so
# "cmn-Hans" and "zh-cmn-Hans-CN" (read as "cmn-Hans-CN": ``_canonical``) choose it, and
# "cmn-TW" and "cmn-Hant", like "zh-TW", do not.
TAGS: Mapping[str, tuple[str, ...]] = {
    ENGLISH: ("en",),
    CHINESE: (
        "zh-CN",
        "zh-Hans",
        "zh-Hans-CN",
        "zh-SG",
        "zh-Hans-SG",
        "cmn-Hans",
        "cmn-CN",
        "cmn-Hans-CN",
        "cmn-SG",
        "cmn-Hans-SG",
    ),
}
# Where each language's notebooks live, beside the English ones (tools/translations.py)
NOTEBOOK_DIRS: Mapping[str, str] = {CHINESE: "zh"}
LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "messages"  # gettext domain: the files are messages.pot and LANG/LC_MESSAGES/messages.po
REASON = "reason"  # the msgctxt of status reason phrases (the pages' titles)


def check_language(lang: str, what: str = "lang") -> str:
    """``lang`` as one of LANGUAGES (case and _ or - as written), or BadArgument."""
    if isinstance(lang, str):
        wanted = _canonical(lang.strip().replace("_", "-").lower())
        for name in LANGUAGES:
            for tag in (t.lower() for t in TAGS[name]):
                if wanted in (tag, *_prefixes(tag)) or wanted.startswith(tag + "-"):
                    return name
    from labkit.errors import unknown  # errors words its messages from this module

    raise unknown(what, lang, LANGUAGES, lang=ENGLISH)  # the language is what is unknown


# an extended language subtag: three letters right after a primary language of two or three
# (RFC 5646 2.2.2); a script is four letters, a region two or three digits
_EXTLANG = r"^[a-z]{2,3}-([a-z]{3})(?=-|$)"


def _canonical(tag: str) -> str:
    """A lower-case tag or range with its extended language subtag as the primary language,
    as RFC 5646 4.5 canonicalizes it (every extlang's Preferred-Value is itself, 2.2.2):
    "zh-cmn-hans-cn" -> "cmn-hans-cn", "zh-yue-hk" -> "yue-hk". A range in the extlang form
    got English until December 2026: RFC 4647 lookup cut "zh-cmn-Hans-CN" back to "zh",
    which is not offered."""
    return re.sub(_EXTLANG, r"\1", tag)


def _prefixes(tag: str) -> list[str]:
    """ "zh-hans-cn" -> ["zh", "zh-hans"]: the ranges that match it."""
    parts = tag.split("-")
    return ["-".join(parts[:i]) for i in range(1, len(parts))]


def environment_language() -> str:
    """LABKIT_LANG if set (checked), else English."""
    value = os.environ.get("LABKIT_LANG", "").strip()
    return check_language(value, "LABKIT_LANG") if value else ENGLISH


def learner_language() -> str:
    """The language to speak to the learner in now: the lab running in this process (the
    one started most recently, ``labkit.start(lang=...)``), else the lab started last in
    this process though stopped since (``lab.learner_language``: the language the notebook
    chose), else LABKIT_LANG, else English.

    Read each time text is shown (an exercise's question, feedback, hint, solution), so a
    lab started in another language switches what is shown next. Without ``labkit.lab``
    imported no lab was started, and it is not imported for the question.
    """
    lab_module = sys.modules.get("labkit.lab")
    lang = lab_module.learner_language() if lab_module is not None else None
    return str(lang) if lang is not None else environment_language()


# compiled by re when a language is first negotiated: not at import (0.14 ms of it)
# a weight as RFC 9110 12.4.2 writes it: 0 to 1 with at most three decimals ("q=.5", "q=0.0001"
# and "q=1.5" are malformed: the member is skipped, as one with "q=abc" is); "Q=" is "q=" (an
# ABNF string is case-insensitive, RFC 5234 2.3), as the gateway cache compares it. Its
# syntax, OWS ";" OWS "q=" qvalue, has whitespace around the ";" (OWS: spaces and tabs) and
# none around the "=": "q = 0.5" is malformed too, as the gateway cache takes it (a value of
# its own, gateway.selecting_value); it weighed 0.5 until December 2026
_RANGE = r"^[ \t]*([A-Za-z0-9*-]+)[ \t]*(?:;[ \t]*[qQ]=(0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)[ \t]*)?$"


def _ranges(accept_language: str) -> list[tuple[str, float]]:
    """The language ranges and their weights, in order; malformed members are skipped."""
    ranges = []
    for member in accept_language.split(","):
        m = re.match(_RANGE, member)
        if not m:
            continue
        try:
            q = float(m.group(2)) if m.group(2) is not None else 1.0
        except ValueError:
            continue
        if 0.0 <= q <= 1.0:
            ranges.append((_canonical(m.group(1).lower()), q))
    return ranges


def negotiate(accept_language: str | None) -> str:
    """The language to answer in (RFC 9110 12.5.4); see ``_negotiate``. A class's browsers
    send a few values, each with every request: the answer is kept for short ones."""
    if accept_language is None or len(accept_language) <= 256:
        return _negotiated(accept_language)
    return _negotiate(accept_language)


def _negotiate(accept_language: str | None) -> str:
    """The language to answer in (RFC 9110 12.5.4): the offered one with the highest
    weight, a tie going to the range listed first; English when nothing offered is
    acceptable (the server may then disregard the field, as 12.5.4 allows)."""
    ranges = _ranges(accept_language or "")
    best, best_key = ENGLISH, (0.0, 0)
    for lang in LANGUAGES:
        tags = [t.lower() for t in TAGS[lang]]
        # the most specific range that matches decides this language's weight
        matching = [
            (len(r), -i, q)
            for i, (r, q) in enumerate(ranges)
            if any(t == r or t.startswith(r + "-") or r.startswith(t + "-") for t in tags)
        ]
        if matching:
            _, neg_index, q = max(matching)
            key = (q, neg_index)
        else:
            star = [(-i, q) for i, (r, q) in enumerate(ranges) if r == "*"]
            if not star:
                continue
            neg_index, q = star[0]
            key = (q, neg_index - len(ranges))  # an explicit range outranks *
        if key[0] > 0 and key > best_key:
            best, best_key = lang, key
    return best


_negotiated = functools.lru_cache(maxsize=64)(_negotiate)


# -- the catalogue --


class Catalogue:
    """One language's translations: (context, msgid) -> msgstr forms."""

    def __init__(self, entries: Mapping[tuple[str | None, str], list[str]], nplurals: int = 2):
        self.entries = dict(entries)
        self.nplurals = nplurals

    def get(self, msgid: str, context: str | None = None, n: int | None = None) -> str | None:
        forms = self.entries.get((context, msgid))
        if not forms or not all(forms):
            return None
        if n is None or self.nplurals == 1:
            return forms[0]
        return forms[0] if n == 1 else forms[min(1, len(forms) - 1)]


class PoEntry:
    """One entry of a .po file as read: what tests and tools check."""

    def __init__(self) -> None:
        self.context: str | None = None
        self.msgid = ""
        self.msgid_plural: str | None = None
        self.msgstr: dict[int, str] = {}
        self.flags: set[str] = set()
        self.line = 0

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values()) and "fuzzy" not in self.flags


_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unquote(text: str, where: str) -> str:
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"{where}: expected a quoted string, not {text!r}")
    body = text[1:-1]
    if "\\" not in body:  # most strings: nothing to unescape
        return body
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), body)


def read_po(path: Path) -> list[PoEntry]:
    """The entries of a .po file (header included: its msgid is ""). A small reader for
    the subset labkit writes: msgctxt, msgid, msgid_plural, msgstr[N], continued strings,
    comments and flags; anything else is a ValueError naming the line."""
    entries: list[PoEntry] = []
    entry: PoEntry | None = None
    field: tuple[str, int] | None = None  # which string a continuation line extends
    name = path.name
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        where = f"{name}:{number}"
        if line.startswith("#,"):  # flags open the next entry, or belong to the open one
            entry = _open_entry(entry, entries, number)
            entry.flags |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith('"'):
            if entry is None or field is None:
                raise ValueError(f"{where}: a continued string with nothing to continue")
            _write(entry, field, _read(entry, field) + _unquote(line, where))
        elif line and not line.startswith("#"):  # blank lines and comments say nothing
            entry, field = _keyword(line, where, entry, entries, number)
    return entries


def _open_entry(entry: PoEntry | None, entries: list[PoEntry], number: int) -> PoEntry:
    """The entry a msgctxt, a msgid or flags at line ``number`` belong to: the one being
    read while it has no msgstr yet, else a new one."""
    if entry is not None and not entry.msgstr:
        return entry
    entry = PoEntry()
    entry.line = number
    entries.append(entry)
    return entry


def _keyword(
    line: str, where: str, entry: PoEntry | None, entries: list[PoEntry], number: int
) -> tuple[PoEntry, tuple[str, int]]:
    """Read a line that starts with a keyword (msgid "..."); the entry and the field it set."""
    keyword, _, rest = line.partition(" ")
    if keyword in ("msgctxt", "msgid"):
        entry = _open_entry(entry, entries, number)
    if entry is None:
        raise ValueError(f"{where}: {keyword} before any msgid")
    text = _unquote(rest, where)
    m = re.fullmatch(r"msgstr\[(\d+)\]", keyword) if keyword.startswith("msgstr[") else None
    if keyword == "msgstr" or m:
        field = ("msgstr", int(m.group(1)) if m else 0)
    elif keyword in _PO_FIELDS:
        field = (keyword, 0)
    else:
        raise ValueError(f"{where}: unknown keyword {keyword!r}")
    _write(entry, field, text)
    return entry, field


_PO_FIELDS = {"msgctxt": "context", "msgid": "msgid", "msgid_plural": "msgid_plural"}


def _read(entry: PoEntry, field: tuple[str, int]) -> str:
    name, index = field
    if name == "msgstr":
        return entry.msgstr[index]
    text: str | None = getattr(entry, _PO_FIELDS[name])
    return text or ""


def _write(entry: PoEntry, field: tuple[str, int], text: str) -> None:
    name, index = field
    if name == "msgstr":
        entry.msgstr[index] = text
    else:
        setattr(entry, _PO_FIELDS[name], text)


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang.replace("-", "_") / "LC_MESSAGES" / f"{DOMAIN}.po"


def catalogue(lang: str) -> Catalogue:
    """The language's catalogue (English: empty, the msgids are the English text).

    A process with no file descriptor left cannot open the .po: what it says then (most
    likely that it ran out of files, ``ports.OutOfFiles``) is said in English this once,
    not as read_po's OSError traceback; the next call reads the catalogue again."""
    try:
        return _catalogue(lang)
    except OSError as exc:
        if exc.errno not in (errno.EMFILE, errno.ENFILE):
            raise
        return Catalogue({})


@functools.cache
def _catalogue(lang: str) -> Catalogue:
    if lang == ENGLISH:
        return Catalogue({})
    entries = read_po(po_path(lang))
    nplurals = 2
    for e in entries:
        if e.msgid == "" and e.context is None:
            m = re.search(r"nplurals\s*=\s*(\d+)", e.msgstr.get(0, ""))
            nplurals = int(m.group(1)) if m else 2
    table = {
        (e.context, e.msgid): [e.msgstr[i] for i in sorted(e.msgstr)]
        for e in entries
        if e.msgid and e.translated
    }
    return Catalogue(table, nplurals)


def translate(
    lang: str,
    text: str,
    /,
    *,
    plural: str | None = None,
    n: int | None = None,
    context: str | None = None,
    **params: object,
) -> str:
    """``text`` in ``lang`` (English when it has no translation), its {placeholders} filled."""
    found = catalogue(lang).get(text, context, n) if lang != ENGLISH else None
    if found is None:
        found = plural if plural is not None and n is not None and n != 1 else text
    if n is not None:
        params = {"n": n, **params}
    if not params:
        return found
    return found.format(**params) if lang == ENGLISH else _fill(found, params)


# Chinese writing puts no space between two Chinese characters, nor beside full-width
# punctuation, which carries its own (GB/T 15834); a space sets a Latin word or a number apart.
# A template cannot know how the value it puts beside a space begins or ends: "{title} 返回
# {status}" is right for "HAProxy 2.6.12" and wrong for "nginx 1.22.1（proxy_pass）"
# (GatewaysCompared's table read "（proxy_pass） 返回 502"), "{summary} 的时间线" right for
# "200 OK" and wrong for a summary ending "随后才到" (a chart's title read "随后才到 的时间线").
FULL_WIDTH = frozenset("，。、；：？！（）《》〈〉「」『』【】“”‘’—")
# The CJK ideographs (Extension A and the Unified block), U+3400 to U+9FFF: compared, not
# matched by a regex, whose class of 27,000 characters took 2-5 ms of `import labkit` to compile
_HAN_FIRST, _HAN_LAST = "\u3400", "\u9fff"


def written_in_chinese(text: str) -> bool:
    """Whether ``text`` has a Chinese character: a message rendered in Chinese always has,
    an English one never (a learner's Chinese answer quoted aside)."""
    return any(_HAN_FIRST <= c <= _HAN_LAST for c in text)


def error_line(name: str, message: object) -> str:
    """``Name: message``, as Python shows an exception; a Chinese message after the
    full-width colon, as the catalogue's NameError lines write it (``NameError：名称 ...``),
    where a refused call in a Chinese lab read ``DrillError: 还没有...`` beside them."""
    text = str(message)
    return f"{name}：{text}" if written_in_chinese(text) else f"{name}: {text}"


_FORMATTER = string.Formatter()


def _apart(value_edge: str, word_edge: str) -> bool:
    """Whether a template's space between a value's edge character and the template's next
    character stays: not beside full-width punctuation, nor between two Chinese characters."""
    if value_edge in FULL_WIDTH or word_edge in FULL_WIDTH:
        return False
    return not (
        _HAN_FIRST <= value_edge[:1] <= _HAN_LAST and _HAN_FIRST <= word_edge[:1] <= _HAN_LAST
    )


def _fill(template: str, params: Mapping[str, object]) -> str:
    """``template.format(**params)``, except that a space the template writes next to a
    placeholder is left out where the value meets it with full-width punctuation or a
    Chinese character next to another (``_apart``). Only the template's own spaces: a value
    (a quoted answer, a log line) is kept as it is."""
    out: list[str] = []
    last = ""  # the last character of the value just written
    for literal, field, spec, conversion in _FORMATTER.parse(template):
        if last and literal.startswith(" ") and not _apart(last, literal[1:2]):
            literal = literal[1:]
        last = ""
        if field is None:
            out.append(literal)
            continue
        value = _FORMATTER.convert_field(_FORMATTER.get_field(field, (), params)[0], conversion)
        text = _FORMATTER.format_field(value, _FORMATTER.vformat(spec or "", (), params))
        if text and literal.endswith(" ") and not _apart(text[0], literal[-2:-1]):
            literal = literal[:-1]
        out += (literal, text)
        last = text[-1:]
    return "".join(out)


def reason(lang: str, english: str) -> str:
    """A status's reason phrase for a page's title; the status line itself stays English."""
    return translate(lang, english, context=REASON) if english else english


class Msg:
    """A message to translate later, when the language is known (a page's paragraph is
    written before the request it answers has been negotiated).

    ``Msg("There is no order {order_id}.", order_id=7)``; a plural form with ``plural=``
    and ``n=`` (then ``{n}`` is the number). tools/messages.py finds every ``Msg("...")``.
    """

    __slots__ = ("_english", "context", "n", "params", "plural", "text")

    def __init__(
        self,
        text: str,
        /,
        *,
        plural: str | None = None,
        n: int | None = None,
        context: str | None = None,
        **params: object,
    ) -> None:
        self.text, self.plural, self.n, self.context = text, plural, n, context
        self.params = params
        self._english: str | None = None

    def bind(self, **params: object) -> Msg:
        """The same message with more placeholders filled."""
        return Msg(
            self.text,
            plural=self.plural,
            n=self.n,
            context=self.context,
            **{**self.params, **params},
        )

    def render(self, lang: str) -> str:
        if lang == ENGLISH:  # made once: a gateway's failure is told in English four times
            english = self._english
            if english is None:
                self._english = english = self._render(lang)
            return english
        return self._render(lang)

    def _render(self, lang: str) -> str:
        # a Msg or a Said (a recorded why that kept its message) is said in lang too
        params = {
            k: render(v, lang) if isinstance(v, (Msg, Said, Listed)) else v
            for k, v in self.params.items()
        }
        return translate(
            lang, self.text, plural=self.plural, n=self.n, context=self.context, **params
        )

    def __str__(self) -> str:
        return self.render(ENGLISH)

    def __repr__(self) -> str:
        return f"Msg({self.text!r})"


Text = str | Msg


class Said(str):
    """A message's English that keeps the message: what the recorder keeps of a why or of
    what a gateway observed (``ex.why``, ``Attempt.detail``). Everything that reads text
    (the recordings, ``in``, ``==``, the English lessons) reads the English; a renderer
    says it in its language with ``render`` (the Msg itself), never by reading the English
    back."""

    __slots__ = ("_msg", "_params", "_text")
    _msg: Msg | None
    _text: str
    _params: dict[str, object]

    def __new__(cls, msg: Msg | str) -> Said:
        if isinstance(msg, str):  # unpickled: the English; the message comes with the state
            said = super().__new__(cls, msg)
            said._msg, said._text, said._params = None, msg, {}
            return said
        said = super().__new__(cls, msg.render(ENGLISH))
        said._msg = msg
        return said

    @classmethod
    def now(cls, text: str, /, **params: object) -> Said:
        """``Msg(text, **params)`` said in English now (plain values in its placeholders, none
        called ``n``, ``plural`` or ``context``, which Msg keeps for itself),
        its Msg made only when a renderer asks: a note the gateway records on every
        request costs 2 us so (the f-string it was: 0.3 us), not a Msg rendered (6 us)."""
        said = super().__new__(cls, text.format(**params))
        said._msg, said._text, said._params = None, text, params
        return said

    @classmethod
    def told(cls, english: str, text: str, params: dict[str, object]) -> Said:
        """``now`` for a caller that said ``text`` with ``params`` in English itself (its
        English must be ``text.format(**params)``): the gateway's note of each request it
        forwards, put together from parts made once per upstream connection (0.4 us where
        the formatting took 1.2)."""
        said = super().__new__(cls, english)
        said._msg, said._text, said._params = None, text, params
        return said

    @property
    def msg(self) -> Msg:
        if self._msg is None:
            self._msg = msg = Msg(self._text)
            msg.params = self._params
        return self._msg

    def __reduce__(self) -> tuple[type[Said], tuple[str], tuple[None, dict[str, Msg]]]:
        """A pickle keeps the message, and reading it runs no formatting: the English
        and the Msg's fields as they were (the exercise runner reads what a learner's
        process sends, and refuses any class that would run code as it is read)."""
        return Said, (str(self),), (None, {"_msg": self.msg})


def said(text: Text) -> str:
    """``text`` as a str that keeps its message (a Said), to record."""
    return Said(text) if isinstance(text, Msg) else text


class Listed(FrozenRecord):
    """Items (names, numbers, short phrases) said one after another in a message, joined when
    it is rendered, in its language: ', ' in English, the enumeration comma 、 in Chinese. The
    one rule for a list in a line: ``Msg("unknown {kind}; choose one of: {names}",
    names=Listed(names))``. With ``sentences=True`` the items are clauses of one sentence
    ("maintenance: off; the cache: on"), joined with '; ' in English and the full-width
    semicolon ； in Chinese. An item may be a Msg, said in the same language. A value class
    (a record: labkit/record.py), so a message that holds it still crosses from the learner's
    process."""

    __slots__ = ("items", "sentences")
    items: tuple[Text, ...]
    sentences: bool

    def __init__(self, items: Iterable[Text], sentences: bool = False) -> None:
        object.__setattr__(self, "items", tuple(items))
        object.__setattr__(self, "sentences", sentences)

    def render(self, lang: str) -> str:
        english = lang == ENGLISH
        if self.sentences:
            separator = "; " if english else "；"
        else:
            separator = ", " if english else "、"
        return separator.join(render(item, lang) for item in self.items)

    def __str__(self) -> str:
        return self.render(ENGLISH)


def sentences(texts: Iterable[Text], lang: str, *, gap: str = " ") -> str:
    """Whole sentences one after another, in ``lang``: ``gap`` apart in English, nothing in
    Chinese, where each ends with its full-width 。 or ） (which carries its own space): the
    inspector's FIN and RST notes read "。 RST：" when both appeared, and a wrong answer's
    verdict "。  （卡住了？", until December 2026."""
    return (gap if lang == ENGLISH else "").join(render(t, lang) for t in texts)


def render(text: Text | Listed, lang: str) -> str:
    """``text`` in ``lang``: a Msg, a Said (its message) or a Listed, rendered; other text as
    it is."""
    if isinstance(text, Said):
        return text.msg.render(lang)
    return text.render(lang) if isinstance(text, (Msg, Listed)) else text
