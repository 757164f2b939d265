"""The instructor's live board: who is stuck right now, and how a drill goes (issue 19).

Two halves that meet only in the course exchange (``labkit/classroom.py``):

- **The learner's side** (``live()``, called where progress is saved): when
  ``LABKIT_EXCHANGE`` is set, every check, hint and solution view replaces this learner's
  own live entry in the exchange's inbox: the same submission ``labkit submit`` writes,
  plus the learner's drill tries. The entry keeps one unguessable name (remembered in a
  private file beside the progress file) and is replaced by writing a new file and
  renaming it over the old one, which the inbox's sticky bit allows only to the entry's
  owner. No network between students: each writes a file, only the instructor reads.
- **The instructor's side** (``labkit board``): a small HTTP server on 127.0.0.1 that
  reads only the exchange (through ``classroom.collect``, so the CSV is ``labkit
  collect``'s) and shows one row per learner, one cell per exercise, who is stuck, totals
  and the current drill. It answers only its owner: a token, as ``jupyter lab`` prints
  one, and the lab's owner check (``labkit/http/peers.py``), so no other user of the host
  can open it even with the token. Links are relative, so it works behind
  jupyter-server-proxy (``/user/NAME/proxy/PORT/``). The page asks for fresh rows every
  ``REFRESH_SECONDS`` by itself (a pause switch stops it).

What the board shows is self-reported, like everything in the exchange: the learner's own
kernel wrote it. ``labkit grade`` is the way to a grade.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hmac
import html
import json
import os
import secrets
import signal
import stat
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labkit import classroom
from labkit.atomic import private_dirs, replace_file
from labkit.drill import parse_time
from labkit.errors import LabkitError, language, os_reason, say
from labkit.exercises import STATES, store
from labkit.http import connections
from labkit.http.messages import Request, Response
from labkit.http.server import HTTPServer
from labkit.i18n import ENGLISH, Msg
from labkit.recorder import Role
from labkit.render import palette
from labkit.render.text import minutes_seconds

REFRESH_SECONDS = 2  # the page asks again this often: new events show within 5 s
TOKEN_BYTES = 24
LIVE = Msg("live progress: each learner's own kernel sends it (self-reported)")
LIVE_NOTE = str(LIVE)


# -- the learner's side: a live entry in the inbox --


def state_path() -> Path:
    """The learner's private memo: their live entries' names and their drill tries."""
    progress = store.path()
    return progress.with_name(progress.name + ".live")


def learner_state() -> dict[str, Any]:
    """The memo: ``entries`` (exchange -> the live entry's name), ``drills`` (drill id ->
    joined and tries) and ``submissions`` (exchange -> the names `labkit submit` made)."""
    try:
        data = json.loads(state_path().read_text())
    except (OSError, ValueError):
        data = None
    if not isinstance(data, dict):
        data = {}
    for key in ("entries", "drills", "submissions"):
        if not isinstance(data.get(key), dict):
            data[key] = {}
    return data


def save_learner_state(data: dict[str, Any]) -> None:
    """Replace the memo atomically (mode 0600: it names the learner's inbox entry)."""
    file = state_path()
    private_dirs(file.parent)
    replace_file(file, lambda f: json.dump(data, f, indent=1, sort_keys=True), mode=0o600)


def publish(exchange: Path) -> Path:
    """Replace this learner's live entry in ``exchange``'s inbox with their progress now:
    only in an inbox that only root or its owner could have put there (``classroom.unvouched``).
    Each check sends it without a word, so an inbox a classmate made first, in a directory
    anyone may write, received every learner's progress and code answers unseen."""
    exchange = Path(os.path.realpath(exchange))  # the place that was checked is the one written
    why = classroom.unvouched(exchange)
    if why is not None:
        raise classroom.ExchangeError(
            say(
                Msg(
                    "the inbox {inbox} may be a classmate's, not your instructor's: {why}; "
                    "labkit sends your live progress only to an inbox that only root or its "
                    "owner could have put there: tell your instructor",
                    inbox=exchange / "inbox",
                    why=why,
                )
            )
        )
    entry = classroom.submission()
    state = learner_state()
    entry["live"] = True
    entry["drills"] = state["drills"]
    key = str(exchange.resolve())
    name = state["entries"].get(key)
    user = entry["user"]
    if not (isinstance(name, str) and name.startswith(f"{user}.") and "/" not in name):
        name = f"{user}.{secrets.token_hex(16)}.json"
        state["entries"][key] = name
        save_learner_state(state)
    return classroom.write_entry(exchange, name, entry)  # replaces this learner's own


_warned: set[str] = set()


def live() -> None:
    """The hook where progress is saved: publish when an exchange is set; never raise."""
    where = os.environ.get("LABKIT_EXCHANGE", "").strip()
    if not where:
        return
    try:
        publish(Path(where).expanduser())
    except (LabkitError, OSError, ValueError) as exc:
        if where not in _warned:
            _warned.add(where)
            why = os_reason(exc) if isinstance(exc, OSError) else exc
            blind = Msg("your instructor's board does not see your progress: {why}", why=why)
            print(f"labkit: {say(blind)}", file=sys.stderr)


# -- the instructor's side: what the board shows --


@dataclass
class Stuck:
    user: str
    exercise: str
    attempts: int
    since: str  # the first attempt's time


@dataclass
class Total:
    exercise: str
    tried: int = 0
    solved: int = 0
    hints: int = 0
    solutions: int = 0


@dataclass
class Class:
    """The class as the exchange holds it now."""

    exercises: list[str]
    found: classroom.Collection
    cells: dict[str, dict[str, dict[str, Any]]]  # user -> exercise -> record
    stuck: list[Stuck]
    totals: list[Total]
    drill: dict[str, Any] | None  # the outbox's current drill, if any
    drill_rows: list[dict[str, Any]] = field(default_factory=list)
    read_at: str = ""


def learners(exchange: Path, cache: classroom.Cache | None = None) -> classroom.Collection:
    """Each learner's entry as ``labkit collect`` picks it (``classroom.collect``): an entry
    another learner wrote in someone's name counts as its writer's (it is listed as a
    problem), so a student can neither hide another learner's row nor make one."""
    return classroom.collect([exchange / "inbox"], cache)


def read_class(exchange: Path, cache: classroom.Cache | None = None) -> Class:
    """Everything the board shows, read from the exchange only (inbox and outbox);
    ``cache``: the board's, so that a refresh reads only the entries that changed."""
    from labkit import drill
    from labkit.exercises import all_exercises

    found = learners(exchange, cache)
    ids = [ex.id for ex in all_exercises()]
    cells = {u: one.snapshot.records for u, one in found.learners.items()}
    stuck, totals = [], {i: Total(i) for i in ids}
    for user, records in cells.items():
        for ex_id, rec in records.items():
            total = totals.get(ex_id)
            if total is None:
                continue
            state = store.status(rec)
            total.tried += state != store.NOT_TRIED
            total.solved += state == store.SOLVED
            total.hints += rec["hints"] > 0
            total.solutions += bool(rec["solution_viewed"])
            if state == store.TRIED:
                first = next((e["t"] for e in rec["events"] if e["kind"] == store.ATTEMPT), "")
                stuck.append(Stuck(user, ex_id, rec["attempts"], first))
    stuck.sort(key=lambda s: (-s.attempts, s.since, s.user))
    current = drill.current(exchange)
    rows = drill.class_rows(found, current) if current else []
    now = dt.datetime.now(dt.timezone.utc).strftime("%H:%M:%S UTC")
    return Class(ids, found, cells, stuck, list(totals.values()), current, rows, now)


def csv_export(exchange: Path) -> str:
    """The same CSV as ``labkit collect EXCHANGE``."""
    return classroom.to_csv(classroom.rows(classroom.collect([exchange])))


# -- the page (in the board's language: the instructor's, when `labkit board` started) --

_STATE_MARK = {store.SOLVED: "✓", store.TRIED: "…", store.NOT_TRIED: "·"}


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _cell(rec: dict[str, Any] | None, lang: str = ENGLISH) -> str:
    state = store.status(rec)
    parts = [f"{_STATE_MARK[state]} {STATES[state].render(lang)}"]
    if rec and state != store.NOT_TRIED:
        parts.append(Msg("{n} tr.", n=rec["attempts"]).render(lang))
    if rec and rec["hints"]:
        parts.append(Msg("{n} hint", plural="{n} hints", n=rec["hints"]).render(lang))
    if rec and rec["solution_viewed"]:
        parts.append(Msg("solution viewed").render(lang))
    css = state.replace(" ", "-")
    return f"<td class='{css}'>{'<br>'.join(_e(p) for p in parts)}</td>"


def fragment(room: Class, token_query: str, lang: str = ENGLISH) -> str:
    """The live part of the page (also what the page fetches every REFRESH_SECONDS)."""

    def t(text: Msg) -> str:  # a message as the page writes it: in its language, escaped
        return _e(text.render(lang))

    updated = Msg(
        "Read from the exchange at {time}: {n} learner(s). {note}.",
        time=room.read_at,
        n=len(room.found.learners),
        note=LIVE,
    )
    learner = t(Msg("Learner"))
    out = [f"<p id='updated'>{t(updated)}</p>"]
    out.append(_drill_section(room, lang))
    out.append(
        f"<section aria-labelledby='stuck-h'><h2 id='stuck-h'>{t(Msg('Stuck longest'))}</h2>"
    )
    if room.stuck:
        out.append(
            f"<table id='stuck'><caption>"
            f"{t(Msg('Exercises tried and not solved, most attempts first'))}"
            f"</caption><thead><tr><th scope='col'>{learner}</th>"
            f"<th scope='col'>{t(Msg('Exercise'))}</th>"
            f"<th scope='col'>{t(Msg('Attempts without a solve'))}</th>"
            f"<th scope='col'>{t(Msg('Since'))}</th></tr></thead><tbody>"
        )
        for s in room.stuck:
            since = parse_time(s.since)
            out.append(
                f"<tr><th scope='row'>{_e(s.user)}</th><td>{_e(s.exercise)}</td>"
                f"<td>{s.attempts}</td>"
                f"<td>{_e(since.strftime('%H:%M:%S') if since else '')}</td></tr>"
            )
        out.append("</tbody></table>")
    else:
        out.append(f"<p>{t(Msg('Nobody is stuck: no exercise is tried and unsolved.'))}</p>")
    out.append("</section>")
    download = t(Msg("Download the CSV (the same as {command})", command="labkit collect"))
    download = download.replace("labkit collect", "<code>labkit collect</code>")
    out.append(
        f"<section aria-labelledby='class-h'><h2 id='class-h'>{t(Msg('The class'))}</h2>"
        f"<p><a href='class.csv?{token_query}' download='class.csv'>{download}</a></p>"
        "<div class='scroll' tabindex='0' role='region' aria-labelledby='class-h'>"
        "<table id='class'><caption>"
        + t(
            Msg(
                "One row per learner, one column per exercise: ✓ solved, … tried, · not "
                "tried; attempts (tr.), hints and whether the solution was viewed"
            )
        )
        + f"</caption><thead><tr><th scope='col'>{learner}</th>"
    )
    out += [f"<th scope='col'>{_e(ex)}</th>" for ex in room.exercises]
    out.append("</tr></thead><tbody>")
    for user in sorted(room.cells):
        records = room.cells[user]
        out.append(f"<tr><th scope='row'>{_e(user)}</th>")
        out += [_cell(records.get(ex), lang) for ex in room.exercises]
        out.append("</tr>")
    out.append(f"</tbody><tfoot><tr><th scope='row'>{t(Msg('Totals'))}</th>")
    for total in room.totals:
        lines = (
            Msg("{n} solved", n=total.solved),
            Msg("{n} tried", n=total.tried),
            Msg("{n} with hints", n=total.hints),
            Msg("{n} solution", n=total.solutions),
        )
        out.append(f"<td>{'<br>'.join(t(line) for line in lines)}</td>")
    out.append("</tr></tfoot></table></div></section>")
    if room.found.errors:  # last: the class comes first, what could not be used after it
        out.append(
            "<section aria-labelledby='problems-h'>"
            f"<h2 id='problems-h'>{t(Msg('Problems'))}</h2><ul>"
        )
        out += [f"<li>{_e(line)}</li>" for line in room.found.errors]
        out.append("</ul></section>")
    return "".join(out)


def _drill_section(room: Class, lang: str = ENGLISH) -> str:
    from labkit import drill

    d = room.drill
    if not d:
        return ""

    def t(text: Msg) -> str:
        return _e(text.render(lang))

    state = Msg("stopped") if d.get("stopped") else Msg("running")
    heading = Msg("Drill {name} ({state})", name=d["name"], state=state)
    out = [
        f"<section aria-labelledby='drill-h'><h2 id='drill-h'>{t(heading)}</h2>"
        f"<p>{_e(drill.report_text(d, lang))}</p>"
    ]
    if not room.drill_rows:
        out.append(f"<p>{t(Msg('Nobody has joined yet.'))}</p></section>")
        return "".join(out)
    caption = Msg("Who found what, in what time since the drill started, with how many tries")
    out.append(
        f"<table id='drill'><caption>{t(caption)}</caption><thead><tr>"
        f"<th scope='col'>{t(Msg('Learner'))}</th>"
        f"<th scope='col'>{t(Msg('Failing hop'))}</th><th scope='col'>{t(Msg('Cause'))}</th>"
        f"<th scope='col'>{t(Msg('Tries'))}</th>"
        f"<th scope='col'>{t(Msg('Last answer'))}</th></tr></thead><tbody>"
    )
    not_yet = Msg("not yet").render(lang)
    for r in room.drill_rows:
        hop, cause = (
            Msg("found after {time}", time=minutes_seconds(after, lang)).render(lang)
            if after is not None
            else not_yet
            for after in (r["hop_after"], r["cause_after"])
        )
        last = r["last"] or "—"
        out.append(
            f"<tr><th scope='row'>{_e(r['user'])}</th><td>{_e(hop)}</td>"
            f"<td>{_e(cause)}</td><td>{r['tries']}</td><td>{_e(last)}</td></tr>"
        )
    out.append("</tbody></table></section>")
    return "".join(out)


_LIGHT, _DARK = palette.BOARD_LIGHT, palette.BOARD_DARK
_STYLE = f"""
body{{font:15px/1.4 system-ui,sans-serif;margin:1em;color:{_LIGHT.text};background:{_LIGHT.background}}}
table{{border-collapse:collapse;margin:.5em 0}}
th,td{{border:1px solid {palette.BOARD_RULE};padding:2px 6px;vertical-align:top;text-align:left}}
thead th{{position:sticky;top:0;background:{_LIGHT.head}}}
td.solved{{background:{_LIGHT.solved}}}td.tried{{background:{_LIGHT.tried}}}td.not-tried{{color:{_LIGHT.not_tried}}}
.scroll{{overflow:auto;max-width:100%}}caption{{text-align:left;font-style:italic}}
@media (prefers-color-scheme:dark){{body{{color:{_DARK.text};background:{_DARK.background}}}thead th{{background:{_DARK.head}}}
td.solved{{background:{_DARK.solved}}}td.tried{{background:{_DARK.tried}}}td.not-tried{{color:{_DARK.not_tried}}}}}
"""

_SCRIPT = """
(function(){
  var query = location.search, box = document.getElementById('live');
  var pause = document.getElementById('pause'), status = document.getElementById('status');
  var failed = status.getAttribute('data-failed');
  function later(){ setTimeout(again, INTERVAL); }
  function again(){  // the next question only after the answer: never a pile of them
    if (pause.checked) { later(); return; }
    fetch('live' + query, {cache: 'no-store'}).then(function(r){
      if (!r.ok) { throw new Error('HTTP ' + r.status); }
      return r.text();
    }).then(function(text){ box.innerHTML = text; status.textContent = ''; })
      .catch(function(e){ status.textContent = failed + e.message; })
      .then(later);
  }
  later();
})();
"""


def page(room: Class, token_query: str, lang: str = ENGLISH) -> str:
    """The whole page, in ``lang`` (its ``lang`` attribute too: a screen reader's voice)."""
    title = _e(Msg("labkit board").render(lang))
    pause = _e(Msg("Pause the refresh (every {n} s)", n=REFRESH_SECONDS).render(lang))
    failed = _e(Msg("Could not refresh: {why}").render(lang).replace("{why}", ""))
    return (
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        "<meta name='referrer' content='no-referrer'>"
        f"<title>{title}</title><link rel='stylesheet' href='board.css'></head><body>"
        f"<main><h1>{title}</h1>"
        f"<p><label><input type='checkbox' id='pause'> {pause}</label> "
        f"<span id='status' role='status' data-failed='{failed}'></span></p>"
        f"<div id='live'>{fragment(room, token_query, lang)}</div></main>"
        "<script src='board.js'></script></body></html>"
    )


# -- the server --


class BoardServer(HTTPServer):
    """The board over HTTP: the token and the lab's owner check, or a 403."""

    role = Role.BOARD
    server_header = "labkit-board"

    def __init__(self, exchange: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        from labkit.http import peers
        from labkit.recorder import Recorder

        super().__init__("board", Recorder("board"), host)
        self.exchange = exchange
        self.fixed_port = port  # `labkit board --port`: that port or an error, never another
        self.token = secrets.token_hex(TOKEN_BYTES)
        self.peers, self.warning = peers.policy(host)
        self.lang = language()  # the instructor's LABKIT_LANG: the page and its refusals
        self._reading = asyncio.Lock()  # one read of the exchange at a time
        self._next: asyncio.Future[Class] | None = None  # the read that waits its turn
        self._cache: classroom.Cache = {}  # what the last read read (used by one read at a time)

    async def read(self) -> Class:
        """The class, read after this request came: one read of the exchange runs at a
        time, and every request that comes meanwhile shares the next one. A read per request
        piled up: with one learner's 11 entries of 4 MB a read took 4.8 s, and six requests
        0.3 s apart (the page asks every REFRESH_SECONDS) took 23 to 32 s each, every core
        busy for as long as the page stayed open."""
        if self._next is None:
            self._next = asyncio.ensure_future(self._read_in_turn())
        return await asyncio.shield(self._next)

    async def _read_in_turn(self) -> Class:
        async with self._reading:
            self._next = None  # begun: a request from now on waits for the read after it
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(None, read_class, self.exchange, self._cache)

    def link(self, path: str = "") -> str:
        """A page of the board with its token, for the instructor's terminal (``url``, the
        listener's, is the bare address)."""
        return f"http://{self.host}:{self.port}/{path}?token={self.token}"

    def _authorised(self, request: Request) -> bool:
        given = request.query.get("token") or ""
        header = request.header("authorization") or ""
        if header.lower().startswith(("token ", "bearer ")):
            given = header.split(" ", 1)[1].strip()
        return hmac.compare_digest(given.encode("utf-8", "replace"), self.token.encode())

    async def handle(self, request: Request) -> Response:
        path = request.path.rsplit("/", 1)[-1]  # relative links: the proxy's prefix is ignored
        lang = self.lang
        if request.method not in ("GET", "HEAD"):
            only = Msg("the board only reads: use GET").render(lang)
            return _text(405, only + "\n", [("Allow", "GET, HEAD")], lang=lang)
        if path == "board.js":
            script = _SCRIPT.replace("INTERVAL", str(REFRESH_SECONDS * 1000))
            return _text(200, script, content_type="text/javascript")
        if path == "board.css":
            return _text(200, _STYLE, content_type="text/css")
        if path not in ("", "live", "class.csv"):
            missing = Msg("not found: the board has /, live and class.csv").render(lang)
            return _text(404, missing + "\n", lang=lang)
        if not self._authorised(request):
            refused = Msg("missing or wrong token; open the URL that `labkit board` printed")
            # the status as the wire says it, then the words: "403 Forbidden：缺少令牌…" in
            # Chinese (an ASCII ': ' stood before the Chinese until December 2026)
            line = Msg("{label}: {text}", label="403 Forbidden", text=refused).render(lang)
            return _text(403, line + "\n", lang=lang)
        query = f"token={self.token}"
        loop = asyncio.get_running_loop()
        if path == "class.csv":
            text = await loop.run_in_executor(None, csv_export, self.exchange)
            return _text(
                200,
                text,
                [("Content-Disposition", "attachment; filename=class.csv")],
                content_type="text/csv",
            )
        room = await self.read()
        body = fragment(room, query, lang) if path == "live" else page(room, query, lang)
        return _text(200, body, content_type="text/html", lang=lang)


_SECURITY = [
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
    (
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; "
        "connect-src 'self'; frame-ancestors 'self'",
    ),
]


def _text(
    status: int,
    text: str,
    extra: Iterable[tuple[str, str]] = (),
    *,
    content_type: str = "text/plain",
    lang: str | None = None,
) -> Response:
    headers = [("Content-Type", f"{content_type}; charset=utf-8"), *_SECURITY, *extra]
    if lang is not None:  # words for a person: say which language (RFC 9110 8.5)
        headers.append(("Content-Language", lang))
    return Response(status, headers, text.encode())


def _check_exchange(exchange: Path) -> None:
    """The instructor's exchange must exist and be theirs (it is read, never written)."""
    try:
        st = (exchange / "inbox").lstat()
    except OSError:
        raise classroom.ExchangeError(
            say(
                Msg(
                    "there is no exchange at {exchange}: create it with "
                    "`labkit exchange init {exchange}`",
                    exchange=exchange,
                )
            )
        ) from None
    if not stat.S_ISDIR(st.st_mode):
        raise classroom.ExchangeError(
            say(Msg("{path} is not a directory", path=exchange / "inbox"))
        )


def serve(exchange: Path, port: int = 0, *, as_json: bool = False) -> int:
    """Run the board until Ctrl-C or SIGTERM; prints its URL with the token first."""
    _check_exchange(exchange)

    async def run() -> None:
        connections.prepare(asyncio.get_running_loop())  # one line, not a traceback each
        server = BoardServer(exchange, port=port)
        await server.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        if server.warning:
            print(f"labkit: warning: {server.warning}", file=sys.stderr)
        if as_json:
            print(
                json.dumps(
                    {
                        "url": server.link(),
                        "port": server.port,
                        "token": server.token,
                        "pid": os.getpid(),
                    }
                ),
                flush=True,
            )
        else:
            banner = Msg(
                "labkit board for {exchange} (only you can open it). Press Ctrl-C to stop.",
                exchange=exchange,
            )
            print(say(banner, server.lang))
            print(f"    {server.link()}")
            prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX")
            if prefix:
                url = f"{prefix.rstrip('/')}/proxy/{server.port}/?token={server.token}"
                print(" " + say(Msg("or through Jupyter: {url}", url=url), server.lang))
            print(f"CSV: {server.link('class.csv')}", flush=True)
        try:
            await stop.wait()
        finally:
            await server.stop()

    asyncio.run(run())
    return 0


# -- the command (`labkit board`) --


def add_parsers(sub: Any) -> dict[str, Any]:
    from labkit.switches import Param, ParamType  # the CLI's parser imports it for `labkit ctl`

    port = Param("port", int, Msg("the board's port"), maximum=65535)
    p = sub.add_parser("board", help="instructor: the class's live board (only you can open it)")
    p.add_argument("--exchange", help="the course exchange (default: $LABKIT_EXCHANGE)")
    # parsed as every number option is (cli._get_value): `--port eighty` and `--port 70000`
    # are one line naming the range, where argparse said "invalid int value: 'eighty'"
    p.add_argument(
        "--port",
        type=ParamType(port, argparse.ArgumentTypeError, "--port", lang=language),
        default=0,
        help="port on 127.0.0.1, 0 to 65535 (default 0: any free)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON line with the URL")
    return {"board": _board_cmd}


def _board_cmd(args: Any) -> int:
    return serve(classroom.exchange_dir(args.exchange), args.port, as_json=args.json)


def benchmark(learners: int = 200) -> float:
    """Seconds to read and render ``learners`` learners' entries as each refresh does."""
    import tempfile

    from labkit.exercises import all_exercises

    with tempfile.TemporaryDirectory() as tmp:
        exchange = Path(tmp) / "exchange"
        classroom.init_exchange(exchange)
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")
        records = {
            ex.id: {
                **store.empty_record(),
                "attempts": 2,
                "solved": True,
                "first_success": now,
                "last_attempt": now,
                "hints": 1,
                "events": [
                    {"t": now, "kind": store.HINT},
                    {"t": now, "kind": store.ATTEMPT, "correct": False},
                    {"t": now, "kind": store.ATTEMPT, "correct": True},
                ],
            }
            for ex in all_exercises()
        }
        for n in range(learners):
            user = f"learner{n:03d}"  # not the files' owner: the board reports that too
            entry = {
                "kind": classroom.SUBMISSION_KIND,
                "version": 1,
                "user": user,
                "submitted": now,
                "progress": {"version": store.VERSION, "user": user, "exercises": records},
            }
            name = exchange / "inbox" / f"{user}.{secrets.token_hex(16)}.json"
            name.write_text(json.dumps(entry))
        started = time.perf_counter()
        fragment(read_class(exchange), "token=x")  # read and render, as each refresh does
        return time.perf_counter() - started
