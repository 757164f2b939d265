"""Incident drills: one unlabelled outage in every learner's own lab at once (issue 19).

A drill is a game of "Wheel of Misfortune": the instructor (the game master) starts one,
every learner meets the same outage in their own lab, reads the evidence and diagnoses
it; afterwards the class debriefs.

- ``labkit drill start NAME`` (the instructor) picks an incident from the capstone's
  catalogue (``labkit/exercises/capstone.py``) seeded by NAME, so every lab gets the same
  one, and publishes the drill in the exchange's outbox (the instructor writes, learners
  read). The outbox names the drill and the symptom, not the incident: the drill is
  unlabelled (not secret: a learner's kernel must know what to set up, so a determined
  learner could work it out, as they could read the capstone's solutions).
- ``labkit.drill.join(lab)`` (the learner, in a notebook) sets that incident up in the
  learner's own lab and returns a Drill: its failing exchange, the report, and
  ``check({"made_by": ..., "cause": ...})``, the capstone's own diagnosis check. Each try
  goes into the learner's live entry (``labkit/board.py``), so the board shows who found
  the failing hop, who found the cause, in what time and with how many tries.
- ``labkit drill stop`` ends it and prints the debrief: the class's timeline, the most
  frequent wrong diagnoses and the evidence that settled it.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import functools
import hashlib
import json
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labkit.atomic import replace_file
from labkit.errors import LabkitError, language, say
from labkit.i18n import Msg

if TYPE_CHECKING:  # the capstone (and the lab it imports) loads only when a drill needs it
    from labkit.exercises.capstone import Incident

DRILL_FILE = "drill.json"  # in the exchange's outbox
KIND = "labkit-drill"
MAX_TRIES = 200  # per learner and drill: more are not kept
# the drill's name (and seed) without a course exchange: incident 3; the id stays "solo" in
# the code and the files, and a learner reads the name in the learner's language (单人)
PRACTICE_NAME = Msg("solo", context="drill")
PRACTICE = PRACTICE_NAME.text
# a join or try dated more than this before the drill's start or after its end (its stop,
# or now) is not counted: learners write these times, and one in the year 2999 put
# "+38125043:32 joined" in the debrief's timeline (the clocks are one host's, or NTP's)
SKEW_SECONDS = 5.0
NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


class DrillError(LabkitError):
    """No drill to join, or a drill that cannot be started or stopped; the message says why."""


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


def parse_time(value: object) -> dt.datetime | None:
    """An ISO time from a learner's or instructor's file, or None (always aware, UTC if unsaid)."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        t = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)


def _capstone() -> Any:
    from labkit.exercises import capstone

    return capstone


def incident_number(seed: str) -> int:
    """The capstone incident a drill's name chooses: the same on every machine."""
    incidents: list[Incident] = _capstone().INCIDENTS
    index = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:4], "big") % len(incidents)
    return incidents[index].number


def report_text(info: dict[str, Any], lang: str | None = None) -> str:
    """A drill's report in ``lang`` (default: ``errors.language()``): its incident's own
    words. The outbox keeps the English, which programs and older labkits read."""
    number = incident_number(info["seed"])
    incident = next(i for i in _capstone().INCIDENTS if i.number == number)
    return say(incident.report_text, lang)


def _exercise(number: int) -> Any:
    """The capstone's diagnosis exercise for incident ``number`` (its checker, not a copy)."""
    return next(q for q in _capstone().EXERCISES if q.incident.number == number)


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not 0 < len(name) <= 40 or not set(name) <= NAME_CHARS:
        raise DrillError(
            say(
                Msg(
                    "a drill's name is 1 to {most} letters, digits, '-', '_' or '.', not {name}",
                    most=40,
                    name=f"{name!r:.50}",
                )
            )
        )
    return name


# -- the instructor's side: the outbox --


def _outbox_file(exchange: Path) -> Path:
    return exchange / "outbox" / DRILL_FILE


def current(exchange: Path) -> dict[str, Any] | None:
    """The drill in the exchange's outbox (running or stopped), or None; never raises for a
    missing or damaged file (the board shows no drill then)."""
    try:
        raw = _outbox_file(exchange).read_bytes()
        data = json.loads(raw)
    except (OSError, ValueError):
        return None
    ok = (
        isinstance(data, dict)
        and data.get("kind") == KIND
        and all(isinstance(data.get(k), str) for k in ("id", "name", "seed", "report"))
        and parse_time(data.get("started")) is not None
        and (data.get("stopped") is None or parse_time(data.get("stopped")) is not None)
    )
    return data if ok else None


def _no_exchange(exchange: Path) -> DrillError | None:
    """Why ``exchange`` is no exchange at all, or None: `labkit drill stop --exchange FILE`
    said "no drill in FILE/outbox", a directory under a file, as if an exchange were there."""
    try:
        st = os.stat(exchange)
    except FileNotFoundError:
        msg = Msg("there is no exchange at {exchange}: {fix}", exchange=exchange, fix=_GIVE_ONE)
    except OSError:  # it cannot even be looked at: what follows says why
        return None
    else:
        if stat.S_ISDIR(st.st_mode):
            return None
        msg = Msg("{exchange} is a file, not an exchange: {fix}", exchange=exchange, fix=_GIVE_ONE)
    return DrillError(say(msg))


_GIVE_ONE = Msg("give the exchange's directory (`labkit exchange init DIR` makes one)")


def _write_outbox(exchange: Path, data: dict[str, Any]) -> None:
    if (nowhere := _no_exchange(exchange)) is not None:
        raise nowhere
    outbox = exchange / "outbox"
    try:
        st = outbox.lstat()
    except OSError:
        raise DrillError(
            say(
                Msg(
                    "there is no outbox at {outbox}: create the exchange with "
                    "`labkit exchange init {exchange}`",
                    outbox=outbox,
                    exchange=exchange,
                )
            )
        ) from None
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
        raise DrillError(
            say(
                Msg(
                    "{outbox} is not a directory of yours: only the instructor starts drills",
                    outbox=outbox,
                )
            )
        )
    replace_file(outbox / DRILL_FILE, lambda f: json.dump(data, f, indent=1), mode=0o644)


def start(exchange: Path, name: str) -> dict[str, Any]:
    """Publish a new drill (it replaces any earlier one); returns what was published."""
    _check_name(name)
    running = current(exchange)
    if running and not running.get("stopped"):
        raise DrillError(
            say(
                Msg(
                    "the drill {name} is still running: `labkit drill stop` ends it first",
                    name=repr(running["name"]),
                )
            )
        )
    number = incident_number(name)
    incident = next(i for i in _capstone().INCIDENTS if i.number == number)
    data = {
        "kind": KIND,
        "version": 1,
        "id": secrets.token_hex(8),
        "name": name,
        "seed": name,
        "report": incident.report,
        "started": _now(),
        "stopped": None,
    }
    _write_outbox(exchange, data)
    return data


def stop(exchange: Path) -> str:
    """End the running drill and return its debrief."""
    running = current(exchange)
    if running is None:
        if (nowhere := _no_exchange(exchange)) is not None:
            raise nowhere
        raise DrillError(
            say(
                Msg(
                    "no drill in {outbox}: `labkit drill start NAME` starts one",
                    outbox=exchange / "outbox",
                )
            )
        )
    if not running.get("stopped"):
        running["stopped"] = _now()
        _write_outbox(exchange, running)
    return debrief(exchange)


# -- what the learners did (read from their live entries) --


@functools.cache
def right_answer(number: int) -> tuple[str, str]:
    """(made_by, cause) for incident ``number``, found by asking the capstone's own checker."""
    from labkit.exercises import answers

    q = _exercise(number)
    for made_by in _capstone().MAKERS:
        for cause in _capstone().CAUSES:
            with contextlib.suppress(answers.WrongKind):
                if q.judge({"made_by": made_by, "cause": cause})[0]:
                    return made_by, cause
    raise DrillError(
        say(Msg("the capstone's incident {number} accepts no diagnosis", number=number))
    )


def _window(drill: dict[str, Any]) -> tuple[dt.datetime, dt.datetime]:
    """The drill's start and end (its stop, or now while it runs)."""
    started = parse_time(drill["started"])
    assert started is not None
    ended = parse_time(drill.get("stopped")) or dt.datetime.now(dt.timezone.utc)
    return started, max(started, ended)


def _within(drill: dict[str, Any], when: object) -> bool | None:
    """Whether a learner's time falls in the drill (None: not a time at all)."""
    t = parse_time(when)
    if t is None:
        return None
    started, ended = _window(drill)
    skew = dt.timedelta(seconds=SKEW_SECONDS)
    return started - skew <= t <= ended + skew


def _tries(entry: object, drill: dict[str, Any]) -> tuple[str | None, list[dict[str, Any]], int]:
    """(joined, tries, outside) of one learner's entry for this drill, each try judged
    here; a damaged record counts as nothing (learners write these files), and a join or
    try dated outside the drill is not counted but counted in ``outside``."""
    if not isinstance(entry, dict) or not isinstance(entry.get("drills"), dict):
        return None, [], 0
    mine = entry["drills"].get(drill["id"])
    if not isinstance(mine, dict):
        return None, [], 0
    made_by, cause = right_answer(incident_number(drill["seed"]))
    inside = _within(drill, mine.get("joined"))
    joined = mine.get("joined") if inside else None
    outside = int(inside is False)
    tries = []
    for t in mine.get("tries", [])[:MAX_TRIES] if isinstance(mine.get("tries"), list) else []:
        if not isinstance(t, dict):
            continue
        inside = _within(drill, t.get("t"))
        if inside is False:
            outside += 1
            continue
        if inside and all(
            # printable: the debrief prints them in the instructor's terminal as given
            isinstance(t.get(k), str) and len(t[k]) <= 40 and t[k].isprintable()
            for k in ("made_by", "cause")
        ):
            tries.append(
                {
                    "t": t["t"],
                    "made_by": t["made_by"],
                    "cause": t["cause"],
                    "maker_ok": t["made_by"] == made_by,
                    "cause_ok": t["cause"] == cause,
                }
            )
    return joined, tries, outside


def _entries(
    found: Any, drill: dict[str, Any]
) -> dict[str, tuple[str | None, list[dict[str, Any]], int]]:
    out = {}
    for user, one in sorted(found.learners.items()):
        # the tries as collect read them: read again, the file could be another by now
        entry = {"drills": one.drills}
        joined, tries, outside = _tries(entry, drill)
        if joined or tries or outside:
            out[user] = (joined, tries, outside)
    return out


def _after(drill: dict[str, Any], when: object) -> float | None:
    """Seconds from the drill's start to ``when``, within the drill (``_tries`` kept only
    times at most SKEW_SECONDS outside it)."""
    t = parse_time(when)
    if t is None:
        return None
    started, ended = _window(drill)
    return min(max(0.0, (t - started).total_seconds()), (ended - started).total_seconds())


def class_rows(found: Any, drill: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per learner who joined: when each found the hop and the cause, how many tries."""
    rows = []
    for user, (joined, tries, _outside) in _entries(found, drill).items():
        if not (joined or tries):
            continue
        hop = next((t["t"] for t in tries if t["maker_ok"]), None)
        cause = next((t["t"] for t in tries if t["cause_ok"]), None)
        solved = next((n for n, t in enumerate(tries, 1) if t["maker_ok"] and t["cause_ok"]), 0)
        last = tries[-1] if tries else None
        rows.append(
            {
                "user": user,
                "joined": joined,
                "tries": solved or len(tries),
                "solved": bool(solved),
                "hop_after": _after(drill, hop),
                "cause_after": _after(drill, cause),
                "last": f"{last['made_by']} / {last['cause']}" if last else "",
            }
        )
    rows.sort(key=lambda r: (not r["solved"], r["cause_after"] or 0, r["user"]))
    return rows


def _clock(seconds: float) -> str:
    return f"+{int(seconds) // 60}:{int(seconds) % 60:02d}"


def debrief(exchange: Path) -> str:
    """The debrief: answer, class timeline, most frequent wrong diagnoses, deciding evidence,
    in ``errors.language()`` (the instructor's LABKIT_LANG); names and answers as given."""
    from labkit import classroom

    lang = language()
    drill = current(exchange)
    if drill is None:
        if (nowhere := _no_exchange(exchange)) is not None:
            raise nowhere
        raise DrillError(say(Msg("no drill in {outbox}", outbox=exchange / "outbox"), lang))
    started = parse_time(drill["started"])
    assert started is not None
    q = _exercise(incident_number(drill["seed"]))
    answer_line, _, evidence = q.solution_text.partition("\n")
    from labkit.board import learners

    found = learners(exchange)  # as the board reads them: a forged entry hides nobody
    entries = _entries(found, drill)
    lines: list[Msg | str] = [
        Msg(
            "Drill {name}: capstone incident {number} ({report})",
            name=drill["name"],
            number=q.incident.number,
            report=report_text(drill, lang),
        ),
        Msg("Answer: {answer}", answer=answer_line),
        "",
        Msg("Timeline (since the start at {time} UTC):", time=f"{started:%H:%M:%S}"),
    ]
    events: list[tuple[float, Msg]] = []
    wrong: collections.Counter[tuple[str, str]] = collections.Counter()
    outside: list[Msg] = []
    for user, (joined, tries, dated_outside) in entries.items():
        if dated_outside:
            outside.append(
                Msg(
                    "{user}: {n} join or try dated outside the drill (before its start or "
                    "after its end) was not counted",
                    plural="{user}: {n} joins or tries dated outside the drill (before its "
                    "start or after its end) were not counted",
                    user=user,
                    n=dated_outside,
                )
            )
        if joined:
            events.append((_after(drill, joined) or 0.0, Msg("{user} joined", user=user)))
        hop_seen = False
        for n, t in enumerate(tries, 1):
            at = _after(drill, t["t"]) or 0.0
            if t["maker_ok"] and t["cause_ok"]:
                events.append((at, Msg("{user} solved it (try {n})", user=user, n=n)))
                break
            wrong[(t["made_by"], t["cause"])] += 1
            if t["maker_ok"] and not hop_seen:
                events.append(
                    (
                        at,
                        Msg(
                            "{user} found the failing hop ({made_by}), not the cause",
                            user=user,
                            made_by=t["made_by"],
                        ),
                    )
                )
            else:
                events.append(
                    (
                        at,
                        Msg(
                            "{user} tried {made_by} / {cause}",
                            user=user,
                            made_by=t["made_by"],
                            cause=t["cause"],
                        ),
                    )
                )
            hop_seen = hop_seen or t["maker_ok"]
    events.sort(key=lambda e: (e[0], str(e[1])))  # by time, then as the English words sort
    lines += [f"  {_clock(at)}  {say(what, lang)}" for at, what in events] or [
        "  " + say(Msg("nobody joined"), lang)
    ]
    lines += [f"  {say(line, lang)}" for line in outside]
    solved = [r for r in class_rows(found, drill) if r["solved"]]
    joined_count = sum(1 for joined, tries, _ in entries.values() if joined or tries)
    lines += [
        "",
        Msg(
            "{solved} of {joined} learner(s) who joined solved it.",
            solved=len(solved),
            joined=joined_count,
        ),
    ]
    lines += ["", Msg("Most frequent wrong diagnoses (made_by / cause):")]
    lines += [f"  {n} x  {m} / {c}" for (m, c), n in wrong.most_common(5)] or [
        "  " + say(Msg("none"), lang)
    ]
    lines += [
        "",
        Msg("The evidence that settled it:"),
        f"  {evidence.strip()}",
        "",
        Msg("({note})", note=classroom.SELF_REPORTED),
    ]
    return "\n".join(say(line, lang) if isinstance(line, Msg) else line for line in lines)


# -- the learner's side --


def _canonical(kind: str, value: object) -> str:
    from labkit.exercises import answers

    try:
        return answers.hop(value) if kind == "made_by" else answers.cause(value)
    except answers.WrongKind:
        return answers.clean(value)[:40]


LEFT_NOTE = Msg(
    "You left this drill (drill.leave()): your lab is a fresh lab again, so a new request "
    "no longer fails. drill.exchange is the failing exchange as it happened; drill.check(...) "
    "no longer counts a diagnosis: `drill = labkit.drill.join(lab)` joins again."
)
LEFT_CHECK = Msg(
    "You left drill {name}, so this diagnosis is not counted: "
    "`drill = labkit.drill.join(lab)` joins it again."
)
LEFT_HINT = Msg(
    "You left drill {name}, so it gives no more hints: "
    "`drill = labkit.drill.join(lab)` joins it again."
)
READER_NOTE = Msg(
    "Your tries go to the exchange's inbox, which only its owner {owner} reads: if that is "
    "not your instructor, tell your instructor."
)
PRACTICE_NOTE = Msg(
    "A practice drill on your own (no course exchange: your instructor's drills need "
    "LABKIT_EXCHANGE)."
)


def _asker() -> Any:
    """A drill's learner, who calls drill.hint() (lesson 08's q4.hint() counts lesson 08's)."""
    from labkit.exercises.core import Asker

    return Asker.calling("drill.hint()")


class _Counts:
    """A drill's own counts of its hints shown and its wrong tries (a ``HintCount`` for the
    capstone's exercise): the learner's memo's for a drill of the class (they survive a
    restart, and go into the live entry), this kernel's for practice, where nothing is kept.
    The memo is read once per call (``call``); what this kernel counted is never less."""

    def __init__(self, drill: Drill) -> None:
        self.drill = drill
        self.hints = 0
        self.wrong = 0
        self.again = 0  # hints asked for after the last one: they come round again
        self.memo: dict[str, Any] | None = None  # as this call read it (the drill updates it)

    @contextlib.contextmanager
    def call(self) -> Iterator[None]:
        """One call (a check, a hint): the memo read once, for the counts and for the update
        the call makes (a check read the file three times until December 2026)."""
        if self.drill.practice:
            yield
            return
        from labkit import board

        self.memo = board.learner_state()
        mine = self.memo["drills"].get(self.drill._id)
        for key in ("hints", "wrong"):
            kept = mine.get(key) if isinstance(mine, dict) else None
            if not isinstance(kept, int) or isinstance(kept, bool) or kept < 0:
                kept = 0  # none yet, or a memo the learner edited
            setattr(self, key, max(getattr(self, key), kept))
        try:
            yield
        finally:
            self.memo = None

    def shown(self) -> int:
        return self.hints

    def add(self, before: int) -> None:
        self.hints = before + 1
        if not self.drill.practice:
            self.drill._record({}, hints=self.hints)


class Drill:
    """The drill as a learner meets it: the failing exchange, the report, and the check."""

    def __init__(self, lab: Any, info: dict[str, Any], *, practice: bool = False) -> None:
        self.lab = lab
        self.practice = practice  # no exchange: nothing is sent
        self.name: str = info["name"]
        # what the learner reads: the practice drill's name in the learner's words
        self._shown: str | Msg = PRACTICE_NAME if practice else self.name
        self.report: str = info["report"]
        self._id: str = info["id"]
        self._exercise = _exercise(incident_number(info["seed"]))
        self._report = self._exercise.incident.report_text  # a Msg: said in the learner's words
        self.exchange = self._exercise.incident.start(lab)  # the failing request, as it happened
        self._counts = _Counts(self)  # its hints and wrong tries: the drill's own
        self._left = False  # drill.leave() ran: the lab is a fresh lab again
        # who reads the tries: the inbox's owner, named (a classmate who made the exchange's
        # directories before the instructor did reads every live entry: `labkit submit` says it)
        self.reader: str | None = None

    def __repr__(self) -> str:
        lang = language()  # the learner's: the lab running in this kernel
        lines = [PRACTICE_NOTE] if self.practice else []
        lines += [
            Msg("Drill {name}: {report}.", name=self._shown, report=self._report),
            Msg(
                "The failing exchange is drill.exchange ({status} {reason}). Diagnose it: {call}",
                status=self.exchange.status,
                reason=self.exchange.reason,
                call="drill.check({'made_by': ..., 'cause': ...})",
            ),
        ]
        if self.reader is not None:
            lines.append(READER_NOTE.bind(owner=repr(self.reader)))
        if self._left:
            lines.append(LEFT_NOTE)
        return "\n".join(say(line, lang) for line in lines)

    def _record(
        self, entry: dict[str, Any], *, hints: int | None = None, wrong: int | None = None
    ) -> None:
        from labkit import board

        # the memo as this call read it for the counts (_Counts.read), else read now
        state = self._counts.memo if self._counts.memo is not None else board.learner_state()
        mine = state["drills"].setdefault(
            self._id, {"name": self.name, "joined": _now(), "tries": []}
        )
        if entry and len(mine["tries"]) < MAX_TRIES:
            mine["tries"].append(entry)
        if hints is not None:
            mine["hints"] = hints
        if wrong is not None:
            mine["wrong"] = wrong
        with contextlib.suppress(OSError):
            board.save_learner_state(state)
        board.live()

    def check(self, answer: Any = ...) -> Any:
        """The capstone's diagnosis check on this drill's incident (feedback, never an error)."""
        from labkit.exercises.capstone import judged_for_a_drill
        from labkit.exercises.core import Result

        if self._left:  # a diagnosis of an incident no longer in the lab: not an attempt
            lang = language()
            return Result(
                Msg("drill {name}", name=self._shown).render(lang),
                None,
                LEFT_CHECK.bind(name=self._shown).render(lang),
                refused=True,
                lang=lang,
            )
        counts = self._counts
        with counts.call():
            wrong = counts.wrong  # before this try
            with judged_for_a_drill(wrong):
                # the drill's own hint count decides the offer, in the drill's words
                result = self._exercise.check(answer, count=counts, asker=_asker())
            if result.correct is False:
                wrong += 1
                counts.wrong = wrong
            if (
                result.correct is not None and not self.practice
            ):  # an attempt (not a blank or a wrong kind of answer)
                # only what was said: which parts were right is worked out on the instructor's
                # side (the capstone stops saying so after a few wrong tries)
                given = answer if isinstance(answer, dict) else {}
                self._record(
                    {
                        "t": _now(),
                        "made_by": _canonical("made_by", given.get("made_by")),
                        "cause": _canonical("cause", given.get("cause")),
                    },
                    wrong=wrong,
                )
        return Result(
            Msg("drill {name}", name=self._shown).render(result.lang),
            result.correct,
            result.message,
            result.detail,
            refused=result.refused,
            lang=result.lang,
        )

    def hints_shown(self) -> int:
        """How many of the incident's hints this drill has shown (never lesson 08's count:
        the same incident there is another exercise, with its own hints)."""
        with self._counts.call():
            shown: int = self._exercise.hints_shown(self._counts)
            return shown

    def hint(self) -> Any:
        """The capstone's next hint for this incident, counted for this drill alone; after
        the last, they come round again from the first (as an exercise's do). Once the drill
        is left, one line that says so and how to join again, and nothing counted: a hint
        there was counted, and sent to the instructor's inbox, for an incident the lab no
        longer has (as a check was, until it was refused the same way)."""
        if self._left:
            from labkit.exercises.core import Note

            lang = language()
            return Note(
                Msg("drill {name}", name=self._shown).render(lang),
                LEFT_HINT.bind(name=self._shown).render(lang),
                lang,
            )
        with self._counts.call():
            return self._exercise.hint(count=self._counts, asker=_asker())

    def leave(self) -> None:
        """End the incident in this lab: every switch back as a fresh lab has it. It says in
        one line what it changed, or that there was nothing left to leave: a silent call left
        the learner guessing whether the lab was back. Afterwards the drill says it was left,
        and ``check`` counts no diagnosis (the lab no longer shows the incident)."""
        if self._left:
            print(say(Msg("Nothing to leave: you left drill {name} already.", name=self._shown)))
            return
        self._exercise.incident.stop(self.lab)
        self._left = True
        print(
            say(
                Msg(
                    "You left drill {name}: your lab is a fresh lab again (a new request no "
                    "longer fails), and drill.check(...) no longer counts a diagnosis.",
                    name=self._shown,
                )
            )
        )


def join(lab: Any, exchange: str | os.PathLike[str] | None = None) -> Drill:
    """Join the drill your instructor started: set its incident up in ``lab``.

    Without a course exchange (no ``exchange`` and no ``LABKIT_EXCHANGE``) this is a
    practice drill on your own: always the same incident, nothing sent anywhere.
    """
    from labkit import classroom
    from labkit.lab import Lab

    if not isinstance(lab, Lab):
        raise DrillError(
            say(
                Msg(
                    "join(lab) takes the lab that labkit.start() returned, not {lab}",
                    lab=f"{lab!r:.60}",
                )
            )
        )
    if exchange is None and not os.environ.get("LABKIT_EXCHANGE", "").strip():
        number = incident_number(PRACTICE)
        report = next(i for i in _capstone().INCIDENTS if i.number == number).report
        info = {"name": PRACTICE, "seed": PRACTICE, "id": PRACTICE, "report": report}
        return Drill(lab, info, practice=True)
    where = classroom.exchange_dir(str(exchange) if exchange is not None else None)
    running = current(where)
    if running is None:
        raise DrillError(
            say(
                Msg(
                    "no drill to join in {outbox}: wait until your instructor starts one "
                    "(`labkit drill start NAME`), then run this cell again",
                    outbox=where / "outbox",
                )
            )
        )
    if running.get("stopped"):
        raise DrillError(
            say(
                Msg(
                    "the drill {name} has ended; wait for the next one",
                    name=repr(running["name"]),
                )
            )
        )
    drill = Drill(lab, running)
    # the inbox's owner reads the tries; none go to an inbox a classmate may have made first
    # (classroom.unvouched), and the live entry's one line says so: no owner to name then
    with contextlib.suppress(OSError):  # no inbox to read: the live entry's warning says why
        if classroom.unvouched(where) is None:
            drill.reader = classroom.owner_name(os.lstat(where / "inbox").st_uid)
    drill._record({})
    return drill


# -- the commands (`labkit drill start NAME`, `labkit drill stop`) --


def add_parsers(sub: Any) -> dict[str, Any]:
    p = sub.add_parser("drill", help="instructor: start or stop an incident drill for the class")
    p.add_argument("action", choices=["start", "stop", "debrief"])
    p.add_argument("name", nargs="?", help="the drill's name (start): it chooses the incident")
    p.add_argument("--exchange", help="the course exchange (default: $LABKIT_EXCHANGE)")
    return {"drill": _drill_cmd}


def _drill_cmd(args: Any) -> int:
    from labkit import classroom

    exchange = classroom.exchange_dir(args.exchange)
    if args.action == "start":
        if args.name is None:
            raise DrillError(
                say(Msg("name the drill: `labkit drill start NAME` (the name picks the incident)"))
            )
        data = start(exchange, args.name)
        q = _exercise(incident_number(data["seed"]))
        print(
            say(Msg("drill {name} started: {report}", name=data["name"], report=report_text(data)))
        )
        print(
            say(
                Msg(
                    "For you only: this is capstone incident {number}. Learners join it with "
                    "`drill = labkit.drill.join(lab)` in notebooks/10-incident-drill.ipynb.",
                    number=q.incident.number,
                )
            )
        )
        return 0
    print(stop(exchange) if args.action == "stop" else debrief(exchange))
    return 0
