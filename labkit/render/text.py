"""Plain-text views: durations, bytes made visible, and an exchange's story as lines.

The story (``repr`` of an exchange) is what notebooks print and tests compare, so it
reads the same every run on any machine, however loaded: what it says about time comes
from configuration, never from a clock (``configured_time``). The HTML table, the
picture and the timeline show each hop's MEASURED milliseconds (and say so), where a
lesson's story (3 ms against 300 ms) is told; no checked output depends on them.
Neither shows a port number.
"""

from __future__ import annotations

import math
import re
import textwrap
import unicodedata

import labkit.i18n as i18n
from labkit.conditions import Condition
from labkit.http.pages import hop_words
from labkit.i18n import Msg
from labkit.recorder import Event, Hop, Kind, Role, Step
from labkit.recorder import waited as recorder_waited
from labkit.render.view import ExchangeView

__all__ = [
    "ARROWS",
    "TIMEOUT_WORDS",
    "attempts",
    "client_gave_up",
    "columns",
    "configured_time",
    "exchange_lines",
    "gave_up",
    "milliseconds",
    "minutes_seconds",
    "no_status_line",
    "part",
    "raw_dump",
    "says_why",
    "story",
    "summary_line",
    "took",
    "visible_bytes",
    "waited",
    "why_is_what_the_client_saw",
    "wrap",
]

# How the story marks each kind of event (log lines are not part of the story)
ARROWS = {Kind.RECEIVED: "<-", Kind.SENT: "->", Kind.UPSTREAM: "..", Kind.CACHE: ".."}


def _width(char: str) -> int:
    """Columns a character takes: a Chinese character (East Asian wide or full-width) two."""
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


# a label's breakable pieces: a run of spaces, one wide character, or a run of narrow ones
_WIDE = "\u1100-\u11ff\u2e80-\ua4cf\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_PIECES = re.compile(rf"\s+|[{_WIDE}]|[^\s{_WIDE}]+")
# full-width punctuation that never begins a line (the line before keeps it)
_NO_START = set("，。、；：！？）》」』”’")
# full-width marks that never end a line (the line after takes them)
_NO_END = set("（《「『“‘")
# the last piece of a line and the closing marks after it
_MARKS = "".join(sorted(_NO_START))
_CARRIED = re.compile(rf"(?P<piece>(?![{_MARKS}])[{_WIDE}]|[^\s{_WIDE}{_MARKS}]+)[{_MARKS}]+$")


def _good_break(line: str, width: int) -> int:
    """Where a full ``line`` of Chinese breaks: at its last pause in its second half (after
    a full-width comma, colon or closing mark, or at a space beside a Chinese character),
    else at its last space there (one inside an English phrase, "504 Gateway Timeout"),
    else at its end, never just after an opening mark. Breaking at the width alone split
    words in the pictures' labels ("连接保持打" above "开", "FIN（关" above "闭）")."""
    weak = 0
    for k in range(len(line), 0, -1):
        if columns(line[:k]) < width // 2:
            break
        before, after = line[k - 1], line[k : k + 1]
        if after in _NO_START or after.isspace():
            continue
        if before in _NO_START:
            return k
        if before.isspace():
            beside = line[k - 2 : k - 1] + after
            if any(_width(c) == 2 for c in beside):
                return k
            weak = weak or k
    if weak:
        return weak
    end = len(line)
    while end > 1 and line[end - 1] in _NO_END:  # an opening mark goes down with its words
        end -= 1
    return end if line[:end].strip() else len(line)


def _wrap_wide(text: str, width: int) -> list[str]:
    """Wrap text holding Chinese: a line may break between any two wide characters or at a
    space, and is at most ``width`` columns (a wide character is two)."""
    lines: list[str] = []
    line, used = "", 0
    for piece in _PIECES.findall(text):
        if piece.isspace():
            if line:
                line, used = line + " ", used + 1
            continue
        size = sum(_width(c) for c in piece)
        if used + size > width and line.strip() and piece[0] not in _NO_START:
            cut = _good_break(line, width)
            lines.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
            used = columns(line)
        elif used > width and piece[0] in _NO_START:
            # a second closing mark past the width ("…连接））"): the piece before the marks
            # comes down with them, so no line is more than one mark past the width, however
            # many marks follow. A narrow run that is the whole line ("Content-Length））" at
            # the edge) is cut before its last character, as textwrap cuts a long word.
            carried = _CARRIED.search(line)
            if carried:
                start = carried.start()
                if not line[:start].strip():
                    start = carried.end("piece") - 1
                if start > 0:
                    lines.append(line[:start].rstrip())
                    line = line[start:]
                    used = columns(line)
        while size > width:  # a narrow run longer than a line: cut it, as textwrap does
            room = width - used
            lines.append(line + piece[:room])
            piece, line, used = piece[room:], "", 0
            size = len(piece)
        line, used = line + piece, used + size
    if line.strip():
        lines.append(line.rstrip())
    return lines


def columns(text: str) -> int:
    """How many columns ``text`` takes (a Chinese character two)."""
    return sum(_width(c) for c in text)


class Columns(str):
    """Text that a format spec pads by the columns it takes, not by its characters: lesson
    08's ``path()`` writes ``f"{ex.sent(hop):<45}"``, and a Chinese line (（什么都没有），然后
    FIN（关闭）, a character two columns wide) pushed the column after it further right than
    an English one until December 2026. Only a width with ``<``, ``>`` or ``^`` (and a fill)
    is read by columns; any other spec is str's."""

    __slots__ = ()

    def __reduce__(self) -> tuple[type[str], tuple[str]]:
        return (str, (str(self),))  # a plain str in a pickle (the exercise runner's pipe)

    def __format__(self, spec: str) -> str:
        m = re.fullmatch(r"(.?)([<>^])(\d+)", spec)
        if m is None:
            return str.__format__(self, spec)
        fill, align, width = m[1] or " ", m[2], int(m[3])
        room = max(0, width - columns(self))
        before = {"<": 0, ">": room, "^": room // 2}[align]
        return fill * before + str(self) + fill * (room - before)


class TextTable:
    """Rows under their heads, each column as wide as its widest cell (a Chinese character
    takes two, so a Chinese table lines up too): a lesson's table as a cell's value, its
    words already said in the lesson's language."""

    def __init__(self, heads: list[str], rows: list[list[str]]) -> None:
        self.heads = heads
        self.rows = rows

    def __repr__(self) -> str:
        every = [self.heads, *self.rows]
        widths = [max(columns(cell) for cell in column) for column in zip(*every, strict=True)]
        return "\n".join(
            "  ".join(c + " " * (w - columns(c)) for c, w in zip(row, widths, strict=True)).rstrip()
            for row in every
        )


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns: as textwrap does for text without
    wide characters (the English pictures unchanged), else breaking between them too."""
    if columns(text) == len(text):
        return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False)
    return _wrap_wide(text, width)


def milliseconds(value: float) -> str:
    """A duration for the HTML views and pictures: milliseconds below 10 s."""
    if value < 0.0005:
        return "<1 ms"
    return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"


# The upstream conditions that are a timeout running out, and the timeout's name in words.
TIMEOUT_WORDS = {
    Condition.CONNECT_TIMEOUT: Msg("connect timeout"),
    Condition.READ_TIMEOUT: Msg("read timeout"),
}


def configured_time(hop: Hop, lang: str = i18n.ENGLISH) -> str:
    """What the story says about a hop's time: configured values only, never measured.

    A hop that made its answer because an upstream's timeout ran out names that timeout
    and its value; a hop that answered after a delay set on purpose gives the delay;
    any other hop says nothing (its measured time is noise on a loaded machine).
    """
    if hop.sent is not None and hop.sent.delay is not None:
        return Msg("answered after its set delay, {delay} s", delay=f"{hop.sent.delay:g}").render(
            lang
        )
    if not hop.generated:
        return ""
    failed = [
        ev.attempt for ev in hop.events if ev.attempt is not None and ev.attempt.step is Step.FAILED
    ]
    last = failed[-1] if failed else None
    if last is None or last.condition not in TIMEOUT_WORDS:
        return ""
    value = (
        last.connect_timeout if last.condition is Condition.CONNECT_TIMEOUT else last.read_timeout
    )
    return Msg(
        "gave up after the {timeout}, {value} s",
        timeout=TIMEOUT_WORDS[last.condition],
        value=f"{value:g}",
    ).render(lang)


def minutes_seconds(value: float | None, lang: str = i18n.ENGLISH) -> str:
    """A duration on the instructor's board (a drill takes minutes): '2 min 05 s'."""
    if value is None:
        return "—"
    minutes, seconds = int(value) // 60, f"{int(value) % 60:02d}"
    return Msg("{minutes} min {seconds} s", minutes=minutes, seconds=seconds).render(lang)


# what a hop that sent or received no byte shows, in the panel's or the dump's language
NOTHING = Msg("(nothing)", context="sent")


def _utf8_char(data: bytes, at: int) -> str:
    """The printable character of UTF-8 whose bytes begin at ``at`` (two to four of them),
    or '' where they are none (a stray or cut byte, a control or invisible character)."""
    for size in (2, 3, 4):
        try:
            char = data[at : at + size].decode("utf-8")
        except UnicodeDecodeError:
            continue
        return char if len(char) == 1 and char.isprintable() and not char.isspace() else ""
    return ""


def visible_bytes(data: bytes, lang: str = i18n.ENGLISH) -> str:
    """Show every byte: CR and LF as escapes (a line break follows LF), a printable
    character of UTF-8 as itself, any other byte as \\xNN.

    A character of UTF-8 is exactly its bytes, shown whole: a Chinese lab's own pages
    (Content-Language: zh-CN) filled the raw bytes with \\xe9\\x94\\x99... where the body
    said 错误的网关. A byte that is no such character (0xff, a character cut short, a
    control or invisible one) stays \\xNN."""
    if not data:
        return NOTHING.render(lang)
    out = []
    at = 0
    while at < len(data):
        b = data[at]
        char = _utf8_char(data, at) if b >= 0x80 else ""
        if char:
            out.append(char)
            at += len(char.encode())
            continue
        if b == 13:
            out.append("\\r")
        elif b == 10:
            out.append("\\n\n")
        elif 32 <= b < 127 or b == 9:
            out.append(chr(b))
        else:
            out.append(f"\\x{b:02x}")
        at += 1
    return "".join(out).rstrip("\n")


def raw_dump(hop: Hop, lang: str | None = None) -> str:
    """The bytes a hop received and sent, every byte visible, saying what was not kept; its
    own words in ``lang`` (default: the learner's language), the bytes as they were."""
    lang = lang or i18n.learner_language()
    cut_in, cut_out = (
        "\n" + Msg("... {count} bytes not kept", count=n).render(lang) if n else ""
        for n in hop.not_kept
    )
    received = Msg("--- {hop} received ---", hop=hop_words(hop.label)).render(lang)
    sent = Msg("--- {hop} sent ---", hop=hop_words(hop.label)).render(lang)
    return (
        f"{received}\n{visible_bytes(hop.bytes_in, lang)}{cut_in}\n"
        f"{sent}\n{visible_bytes(hop.bytes_out, lang)}{cut_out}"
    )


def summary_line(ex: ExchangeView, lang: str | None = None) -> str:
    """``GET /x -> 502 Bad Gateway, made by the gateway``: the request and status lines stay
    as sent, the words around them are in ``lang`` (default: the learner's language)."""
    lang = lang or i18n.learner_language()
    status = (
        f"{ex.status} {ex.reason}".strip()
        if ex.status is not None
        else Msg("no status").render(lang)
    )
    made = (
        Msg(", made by the {hop}", hop=hop_words(ex.generated_by)).render(lang)
        if ex.generated_by
        else ""
    )
    if client_gave_up(ex) is None:
        return f"{ex.method} {ex.target} -> {status}{made}"
    # what the client saw first: a recorded story (lab.exchange) has the status the entry
    # sent into a connection the client had already closed (lesson 05's timeout budget)
    saw = Msg("no status: the client gave up (its own timeout ran out)").render(lang)
    if ex.status is not None:
        saw += Msg("; the answer, {status}{made}, came later", status=status, made=made).render(
            lang
        )
    return f"{ex.method} {ex.target} -> {saw}"


def no_status_line(ex: ExchangeView) -> Msg:
    """What the client saw when no status line came: the gateway's bytes without one (nginx's
    HTTP/0.9 passthrough of an upstream's garbage), or nothing at all before the client gave
    up after the wait it was given (a server slower than the client: it is not passthrough),
    which the client's part of the story keeps. One line for the playground's spoken result
    and the inspector's heading, so that both tell one story."""
    hops = {hop.name: hop for hop in ex.hops}
    client = hops.get("client")
    got = client.received if client is not None else None
    gave_up = got is not None and got.timed_out and got.waited is not None
    gateway = hops["gateway"].sent if "gateway" in hops else None
    # the gateway's bytes count only if they came before the client's deadline: a story read
    # later (lab.exchange) has the gateway's late 504, sent into a closed connection
    if gateway is not None and gateway.data and not (gave_up and got and gateway.at >= got.at):
        return Msg("no status line (HTTP/0.9 passthrough)")
    if gave_up and got is not None and got.waited is not None:
        return Msg("no answer (the client gave up after {seconds} s)", seconds=f"{got.waited:g}")
    return Msg("no status line")


def client_gave_up(ex: ExchangeView) -> float | None:
    """When the client's own timeout ran out, on the recorder's clock, if it did (its
    request then got no status, whatever a hop sent later)."""
    for hop in ex.hops:
        got = hop.received
        if hop.role is Role.CLIENT and got is not None and got.status is None and got.timed_out:
            return got.at
    return None


def attempts(hop: Hop) -> list[tuple[Event | None, Event | None]]:
    """The hop's requests and answers as pairs, in order: one pair for most hops. A GET that
    met a kept connection closing as it arrived is sent again on a new one (RFC 9110 9.2.2),
    so the upstream received it twice: a pair for each time, the close the first's answer.
    (A hop's ``received`` is its first request and ``sent`` its last answer: one table row
    put the two attempts' halves side by side.)"""
    pairs: list[tuple[Event | None, Event | None]] = []
    received: Event | None = None
    sent: Event | None = None
    for ev in hop.events:
        if ev.kind is Kind.RECEIVED:
            if sent is not None:  # a request after an answer: the next attempt
                pairs.append((received, sent))
                received, sent = None, None
            received = received or ev
        elif ev.kind is Kind.SENT:
            sent = ev
    if received is not None or sent is not None or not pairs:
        pairs.append((received, sent))
    return pairs


SENT_AGAIN = Msg("no answer; sent again")  # an attempt's close, before the request went again


def part(ex: ExchangeView, hop: Hop, lang: str = i18n.ENGLISH) -> str:
    """One hop's part in the response: only one hop "made here" (the final response)."""
    if hop.label == ex.generated_by:
        return Msg("made here").render(lang)
    if hop.generated:  # e.g. an upstream reply the gateway rejected
        return Msg("answered, not relayed").render(lang)
    return Msg("relayed").render(lang) if hop.sent else Msg("no answer").render(lang)


def why_is_what_the_client_saw(ex: ExchangeView) -> bool:
    """No hop made an answer, so the exchange's why is the client's own error (lab.raw's
    half request that got nothing back): said once, as what the client saw, where the
    summary, the story and the heading said one sentence twice."""
    return bool(ex.client_error) and ex.why == ex.client_error


def says_why(ex: ExchangeView) -> bool:
    """Whether the story and the inspector's heading say "why:": only for a failure. A
    success's why is a hop's description (the index page, or a faulty upstream's fault over
    the 200 its retry got), which beside a 200 reads as if it had failed; the events say how
    a success came about."""
    return bool(ex.why) and not ex.ok and not why_is_what_the_client_saw(ex)


def why_in(ex: ExchangeView, lang: str) -> str:
    """``ex.why`` in ``lang``: the recorder keeps the message a hop said it from (an
    ``i18n.Said``: the lab's gateway explaining a failed upstream, a misbehaving upstream's
    description), which is said in ``lang``; any other why (a real gateway's log line, a
    cache's note) is as recorded, in English."""
    return i18n.render(ex.why, lang)


def exchange_lines(ex: ExchangeView, lang: str | None = None) -> list[str]:
    """The story: the outcome, why, then each hop's events in the order they happened; its
    words in ``lang`` (default: the learner's language), what the hops sent and the
    recorder's explanations as they are."""
    lang = lang or i18n.learner_language()
    out = [Msg("Exchange {id}: {summary}", id=ex.id, summary=summary_line(ex, lang)).render(lang)]
    if says_why(ex):
        out.append("  " + Msg("why: {why}", why=why_in(ex, lang)).render(lang))
    if ex.client_error:
        out.append("  " + Msg("client saw: {error}", error=ex.client_error).render(lang))
    by_name = {hop.name: hop for hop in ex.hops}
    events = sorted(
        (
            ev
            for hop in ex.hops
            if hop.role is not Role.CLIENT
            for ev in hop.events
            if ev.kind is not Kind.LOG
        ),
        key=lambda ev: ev.at,
    )
    for ev in events:
        hop = by_name[ev.hop]
        arrow = ARROWS[ev.kind]
        mark = ""
        if ev.kind is Kind.SENT:
            earlier = any(ev is gave for _, gave in attempts(hop)[:-1])  # then sent again
            mark = "  [" + (SENT_AGAIN.render(lang) if earlier else part(ex, hop, lang)) + "]"
            if timing := configured_time(hop, lang):
                mark += f"  {timing}"
        out.append(f"  {hop.label:<10} {arrow} {i18n.render(ev.summary, lang)}{mark}")
    return out


def story(ex: ExchangeView, lang: str | None = None) -> str:
    """The story as one text (what ``repr`` of an exchange prints)."""
    return "\n".join(exchange_lines(ex, lang))


# -- how long an answer took, by the lab's record (ex.observed().took, the inspector's Summary) --

# Under this many seconds a measured time is the machine's noise, not evidence (a first answer
# takes 35 ms on a quiet machine), so the view does not print it (only where the lab's record of
# what the request waited for is more than the client's clock measured).
AT_ONCE = 0.1


def waited(ex: ExchangeView) -> float | None:
    """The time this request waited on purpose, by the lab's own record, never measured
    (``recorder.waited``, which the lab's client reads too)."""
    return recorder_waited(ex.hops)


def gave_up(ex: ExchangeView) -> float | None:
    """The client's own timeout, when it ran out before any answer came."""
    for hop in ex.hops:
        got = hop.received
        if hop.role is Role.CLIENT and got is not None and got.timed_out:
            return got.waited
    return None


def took(status: int | None, elapsed: float, waited: float | None, gave_up: float | None) -> Msg:
    """How long an answer took, the same words every run where the record speaks.

    Told from the lab's record of what the request waited for (``waited``), not from the
    client's clock (``elapsed``): a loaded machine adds to every measured time, without bound
    (incident 5's 504 after its 0.2 s connect timeout read "after 0.3 s", the read timeout's
    number, and an answer made at once "after 0.1 s"). The record is a time the client waited
    at least; where it says nothing, or the clock is below it, the clock's tenths at least."""
    if gave_up is not None and status is None:
        return Msg("no answer (the client gave up after {seconds} s)", seconds=f"{gave_up:g}")
    if waited == 0:
        return Msg("answered before any timeout ran out")
    if waited is not None and elapsed >= waited:
        return Msg("answered after {seconds} s", seconds=f"{waited:g}")
    if elapsed < AT_ONCE:
        return Msg("answered within {seconds} s", seconds=f"{AT_ONCE:g}")
    tenths = math.floor(round(elapsed * 10, 6)) / 10  # 0.3 s is 2.9999999999999996
    return Msg("answered after {seconds} s", seconds=f"{tenths:.1f}")
