"""Switching a running lab from a terminal: `labkit ctl ...` talks to this.

Every lab runs a small control server on 127.0.0.1 (never wider, whatever host the
lab serves on) and writes a registry file, readable only by its user, with that
server's address and a random token. `labkit ctl --lab URL` finds the lab whose
origin, gateway or portal is at URL and sends it one command.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import stat
import time
import warnings
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

from labkit.atomic import private_dirs, replace_file
from labkit.errors import (
    ControlError,
    LabkitError,
    LabkitWarning,
    UnsafeRuntimeDir,
    check_number,
    language,
    os_error,
    os_reason,
    refuse,
    say,
    shown,
    unknown,
)
from labkit.http import peers, ports
from labkit.http.messages import Request, Response
from labkit.http.server import HTTPServer
from labkit.i18n import Listed, Msg, negotiate
from labkit.recorder import Recorder, Role

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from labkit.lab import Lab


def runtime_dir() -> Path:
    """The directory where running labs register, after checking nobody else can touch it.

    ``$LABKIT_RUNTIME_DIR`` if set; else ``$XDG_RUNTIME_DIR/labkit`` when that directory
    is ours and mode 0700 (one inherited through ``su`` or ``sudo`` is not: a warning
    says so); else ``labkit-UID`` in the temporary directory, or, when another user made
    that name first, ``home_fallback()`` with a warning. On a shared host another user
    can create ``/tmp/labkit-UID`` first, with loose modes, planted files or symlinks, to
    read the control token or feed ``labkit env`` a record; so a directory that is a
    symlink, not ours or not mode 0700 is never used: refused with the fix in the message.
    """
    path, fd = _claimed(_warn)
    os.close(fd)
    return path


def _claimed(tell: Callable[[str], None]) -> tuple[Path, int]:
    """The registry's path and its checked descriptor (``_open_checked``); ``tell`` gets the
    note of a path passed over (``_runtime_path``).

    ``_unclaimed`` looks at labkit-UID in the temporary directory before ``_open_checked``
    makes it: another user who made that name in between (a loop of mkdir beside the
    learner's start) had the registry refused, "ask an administrator to remove it", where
    one made a moment earlier moves it to the home. The path is chosen once more after a
    refusal; a path chosen again is refused as it was."""
    path, note = _runtime_path()
    if note:
        tell(note)
    try:
        return path, _open_checked(path)
    except UnsafeRuntimeDir:
        again, note = _runtime_path()
        if again == path:
            raise
    if note:
        tell(note)
    return again, _open_checked(again)


def _runtime_path() -> tuple[Path, str | None]:
    """The registry's path, and why ``$XDG_RUNTIME_DIR`` was passed over (for a warning)."""
    override = os.environ.get("LABKIT_RUNTIME_DIR")
    if override:
        return Path(override), None
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if not xdg:
        return _unclaimed(_fallback())
    try:
        problem = _problem(os.lstat(xdg)) if os.path.isabs(xdg) else NOT_ABSOLUTE
    except OSError as exc:
        problem = Msg("cannot be used ({why})", why=os_reason(exc))
    if problem is None:
        return Path(xdg) / "labkit", None
    fallback, taken = _unclaimed(_fallback())
    note = Msg(
        "XDG_RUNTIME_DIR={xdg} {problem}; labkit uses {fallback} instead",
        xdg=xdg,
        problem=problem,
        fallback=str(fallback),
    )
    return fallback, say(note) + (f"\n{taken}" if taken else "")


def _unclaimed(temp: Path) -> tuple[Path, str | None]:
    """``temp`` (labkit-UID in the temporary directory), unless another user holds that
    name: then ``home_fallback()``, and a line saying so.

    On a shared host any learner can create /tmp/labkit-UID for every uid in /etc/passwd
    before their classmates' first lab (a directory, a symlink): refusing it (as tmux does
    /tmp/tmux-UID) left each of them without `labkit serve`, `labkit env` and `labkit ctl`
    until an administrator removed it. Nobody else can create anything in our home. A name
    that is ours stays ours: ``_open_checked`` takes it, or refuses it with the fix (a
    loose mode, a symlink we made)."""
    try:
        owner = os.lstat(temp).st_uid
    except OSError:
        return temp, None
    if owner == os.getuid():
        return temp, None
    home = home_fallback()
    unsafe = _unsafe_on_the_way(home)
    if unsafe is not None:
        part, problem = unsafe
        raise UnsafeRuntimeDir(
            Msg(
                "{temp} belongs to {owner}, not to you, and the lab registry cannot move to "
                "{home} either: {part} {problem}, so another user could read the control token "
                "or plant records there (is HOME another user's? `sudo -H` sets your own); "
                "set LABKIT_RUNTIME_DIR to a directory of your own with mode 0700 "
                "(mkdir -m 700 DIR)",
                temp=str(temp),
                owner=_user(owner),
                home=str(home),
                part=str(part),
                problem=problem,
            )
        )
    note = Msg(
        "{temp} belongs to {owner}, not to you (someone made it before your first lab); "
        "labkit uses {home} instead",
        temp=str(temp),
        owner=_user(owner),
        home=str(home),
    )
    return home, say(note)


def home_fallback() -> Path:
    """The registry in our own home, named after the host (a home shared by several hosts
    must not mix their labs: a record's PID means something on its own host only)."""
    import socket  # loaded already by the lab's servers

    return Path(os.path.expanduser("~")) / ".cache" / "labkit" / f"run-{socket.gethostname()}"


def _unsafe_on_the_way(path: Path) -> tuple[Path, Msg] | None:
    """The first directory on the way to ``path`` (from /, as given and with its links
    resolved) that a user other than root and us could change, and how; None when none.

    ``_open_checked`` checks the registry directory itself only: with HOME another user's
    (``sudo`` keeps the caller's HOME; root can write anywhere), root's registry went under
    a directory that user owns, who could then swap ``.cache`` for a directory of their own
    between the check and the next lab, and read the control token. A directory that does
    not exist yet is created by us, 0700."""
    me = os.getuid()
    for way in (path, Path(os.path.realpath(path))):
        for part in [*reversed(way.parents), way]:
            try:
                st = os.lstat(part)
            except OSError:
                break  # missing: what we create below is ours
            if st.st_uid not in (0, me):
                return part, Msg("belongs to {owner}", owner=_user(st.st_uid))
            mode = stat.S_IMODE(st.st_mode)
            # group root's members are root's; a sticky directory lets nobody rename ours
            loose = mode & 0o002 or (mode & 0o020 and st.st_gid != 0)
            if stat.S_ISDIR(st.st_mode) and loose and not mode & stat.S_ISVTX:
                return part, Msg("is writable by others (mode {mode})", mode=f"{mode:04o}")
    return None


NOT_ABSOLUTE = Msg("is not an absolute path")


# Where the fallback looks, in tempfile.gettempdir()'s order: the environment's choice first
_TEMP_VARIABLES = ("TMPDIR", "TEMP", "TMP")
_TEMP_DIRS = ("/tmp", "/var/tmp", "/usr/tmp")


def _fallback() -> Path:
    """``labkit-UID`` in the temporary directory: the first of tempfile.gettempdir()'s
    candidates that is a directory we may write to (os.access; tempfile imports shutil and
    random and writes a test file in each candidate, 5-10 ms at every start on a hub
    without XDG_RUNTIME_DIR). Nothing found there is trusted: ``_open_checked`` creates the
    directory 0700 or refuses one that is a symlink, not ours or not 0700."""
    named = [os.environ.get(name, "") for name in _TEMP_VARIABLES]
    for candidate in [*filter(None, named), *_TEMP_DIRS, os.curdir]:
        try:
            where = os.path.abspath(candidate)  # the current directory may be gone
        except OSError:
            continue
        if os.path.isdir(where) and os.access(where, os.W_OK | os.X_OK):
            return Path(where) / f"labkit-{os.getuid()}"
    import tempfile  # nowhere to write: tempfile's own error says so

    return Path(tempfile.gettempdir()) / f"labkit-{os.getuid()}"


# What makes a directory unsafe for the registry (the refusal's fix depends on which)
SYMLINK = Msg("is a symbolic link")
NOT_A_DIRECTORY = Msg("is not a directory")
NOT_YOURS = "belongs to {owner}, not to you ({you})"
LOOSE_MODE = "has mode {mode}, not 0700"


def _problem(st: os.stat_result) -> Msg | None:
    """What makes a directory unsafe for the registry, or None."""
    if stat.S_ISLNK(st.st_mode):
        return SYMLINK
    if not stat.S_ISDIR(st.st_mode):
        return NOT_A_DIRECTORY
    if st.st_uid != os.getuid():
        return Msg(
            "belongs to {owner}, not to you ({you})",
            owner=_user(st.st_uid),
            you=_user(os.getuid()),
        )
    if stat.S_IMODE(st.st_mode) != 0o700:
        return Msg("has mode {mode}, not 0700", mode=f"{stat.S_IMODE(st.st_mode):04o}")
    return None


def _user(uid: int) -> Msg:
    import pwd  # only for this message

    try:
        return Msg("user {name}", name=pwd.getpwuid(uid).pw_name)
    except KeyError:
        return Msg("uid {uid}", uid=uid)


def _open_checked(path: Path, *, create: bool = True) -> int:
    """Open the runtime directory (creating it 0700 if missing) and check it; returns its fd.

    Every later file operation goes through this descriptor, so swapping the path for
    a symlink after the check changes nothing.
    """
    created = False
    if create:
        try:
            private_dirs(path.parent)  # a parent made by mkdir(parents=True) took the umask
            path.mkdir(mode=0o700)
            created = True
        except FileExistsError:
            pass
        except OSError as exc:  # "/home/ann/.cache: Permission denied" said no fix
            if exc.errno in ports.OUT_OF_FILES:
                raise ports.out_of_files(exc) from None
            why = os_reason(exc) if exc.filename == str(path) else os_error(exc)
            raise UnsafeRuntimeDir(
                Msg(
                    "cannot make the lab registry {path} ({why}); set LABKIT_RUNTIME_DIR to a "
                    "directory of your own with mode 0700 (mkdir -m 700 DIR)",
                    path=str(path),
                    why=why,
                )
            ) from None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno in ports.OUT_OF_FILES:  # nothing wrong with the directory: say that
            raise ports.out_of_files(exc) from None
        try:
            unsafe = _problem(os.lstat(path))
        except OSError:
            unsafe = None
        # else the operating system's reason, in the user's language (errors.os_reason)
        raise UnsafeRuntimeDir(_refusal(path, unsafe or os_reason(exc))) from None
    st = os.fstat(fd)
    if created and st.st_uid == os.getuid() and stat.S_IMODE(st.st_mode) != 0o700:
        os.fchmod(fd, 0o700)  # our umask narrowed the mode; the directory is new and ours
        st = os.fstat(fd)
    unsafe = _problem(st)
    if unsafe is not None:
        os.close(fd)
        raise UnsafeRuntimeDir(_refusal(path, unsafe))
    return fd


def _refusal(path: Path, problem: Msg | str) -> Msg:
    """Why the registry directory is refused, and the fix (UnsafeRuntimeDir says it in the
    language of the moment, a lab that cannot register in its own)."""
    import shlex  # only for this message

    where = shlex.quote(str(path))
    own = Msg("set LABKIT_RUNTIME_DIR to a directory of your own with mode 0700 (mkdir -m 700 DIR)")
    kind = problem.text if isinstance(problem, Msg) else ""
    named = os.environ.get("LABKIT_RUNTIME_DIR")
    if kind == LOOSE_MODE:
        fix = Msg("run `chmod 700 {where}` if you made it, or {own}", where=where, own=own)
    elif kind == NOT_YOURS and named and Path(named) == path:
        # another user's registry that the variable names (a classmate's export copied): it
        # is theirs, in use, and never to be removed for this user
        fix = Msg(
            "LABKIT_RUNTIME_DIR names it: set it to a directory of your own with mode 0700 "
            "(mkdir -m 700 DIR)"
        )
    elif kind == NOT_YOURS:
        fix = Msg("someone else made it (ask an administrator to remove it), or {own}", own=own)
    else:
        fix = Msg("remove it (`rm {where}`) if you made it, or {own}", where=where, own=own)
    return Msg(
        "the lab registry {path} {problem}, so another user could read the control token "
        "or plant records there; {fix}",
        path=str(path),
        problem=problem,
        fix=fix,
    )


def _warn(message: str) -> None:
    warnings.warn(message, LabkitWarning, stacklevel=3)


# Besides one command per switch (labkit/switches.py): these, which take no arguments.
OTHER_COMMANDS = {
    "reset": "put every switch back as a fresh lab has it",
    "state": "print the lab's switches as JSON",
    "wait-busy": "wait until the origin has COUNT requests in flight (a script started them)",
}
WAIT_BUSY_MAX = 30.0  # seconds `labkit ctl wait-busy` may wait, at most
# seconds it waits unless told: a request started just before (`curl ... &`) reaches the origin
# in milliseconds, well before the CLI's own start-up is over; a learner who asked with nothing
# on its way is answered at once, not after seconds of silence
WAIT_BUSY_DEFAULT = 0.5
# seconds `labkit ctl` waits for the lab's answer, besides what the command itself may take
# (wait-busy's timeout): a switch is applied in one turn of the lab's loop, milliseconds even
# with both cores busy; a lab that has not answered by then is stopped or stuck (its kernel
# suspended), and the terminal says it could not reach it instead of hanging
ANSWER_WITHIN = 5.0


def commands() -> list[str]:
    from labkit.switches import SWITCHES

    return [*SWITCHES, *OTHER_COMMANDS]


def apply(lab: Lab, command: str, args: dict[str, Any], lang: str | None = None) -> dict[str, Any]:
    """Carry out one control command on a lab; returns its switches and what changed.

    Each argument is checked before anything changes, so a refused command changes nothing.
    A refusal of the command itself is said in ``lang``, the terminal's (the control
    server reads it from the request's Accept-Language; default: the lab's).
    """
    lang = lang or lab.lang
    from labkit import switches

    if command in switches.SWITCHES:
        done = switches.apply(lab, command, args, lang, terminal=True)
    elif command == "wait-busy":
        done = wait_busy(lab, args, lang)
    elif command in OTHER_COMMANDS:
        if args:
            raise refuse(
                Msg(
                    "{command} takes no arguments; not {given}",
                    command=command,
                    given=Listed(sorted(args)),
                ),
                lang=lang,
            )
        done = ""
        if command == "reset":
            lab.reset()
            done = say(Msg("every switch is back as in a fresh lab"), lang)
        # "state" changes nothing: the caller reads the switches
    else:
        raise unknown("command", command, commands(), lang=lang)
    return {**state(lab), "done": done} if done else state(lab)


def wait_busy(lab: Lab, args: dict[str, Any], lang: str | None = None) -> str:
    """Wait until the origin has ``count`` requests in flight, at most ``timeout`` seconds.

    Woken by the recorder each time the origin takes a request (``Recorder.wait_for``), not
    polled. It blocks its thread: the control server runs it off the lab's loop.
    """
    from labkit.origin import BUSY_PATH
    from labkit.switches import WAIT_COUNT

    lang = lang or lab.lang
    extra = sorted(set(args) - {"count", "timeout"})
    if extra or "count" not in args:
        wrong = Msg("not {given}", given=Listed(extra)) if extra else Msg("missing count")
        raise refuse(Msg("wait-busy takes count, [timeout]; {wrong}", wrong=wrong), lang=lang)
    count = WAIT_COUNT.check(args["count"], lang=lang)  # as `labkit ctl wait-busy` parses it
    timeout = check_number(
        "timeout",
        args.get("timeout", WAIT_BUSY_DEFAULT),
        minimum=0,
        maximum=WAIT_BUSY_MAX,
        lang=lang,
    )
    if not lab.recorder.wait_for(lambda: lab.origin.in_flight >= count, timeout):
        raise LabkitError(
            say(
                Msg(
                    "the origin had {n} requests in flight, not {count}, after {timeout} s: "
                    "start them first (labkit ctl hold on, then curl {url} &), or wait longer "
                    "with --timeout",
                    n=lab.origin.in_flight,
                    count=count,
                    timeout=f"{timeout:g}",
                    url=f"{lab.origin.url}{BUSY_PATH}",
                ),
                lang,
            )
        )
    n = lab.origin.in_flight
    return say(
        Msg(
            "the origin has {n} request in flight",
            plural="the origin has {n} requests in flight",
            n=n,
        ),
        lang,
    )


def state(lab: Lab) -> dict[str, Any]:
    from labkit import switches

    return {**switches.state(lab), "in_flight": lab.origin.in_flight}


class ControlServer(HTTPServer):
    role = Role.CONTROL
    server_header = "labkit-control"

    def __init__(self, lab: Lab) -> None:
        super().__init__("control", Recorder("ctl"), "127.0.0.1")
        self.lab = lab
        # secrets.token_urlsafe(24), without the 3 ms that `import secrets` costs each lab
        self.token = base64.urlsafe_b64encode(os.urandom(24)).decode("ascii")
        self.registry_file: Path | None = None
        self.notes: list[str] = []  # warnings for Lab.start to show in the caller's thread
        self.started_by = "python"  # `labkit serve` sets SERVE: terminal commands prefer it

    async def start(self) -> None:
        await super().start()
        self._say_if_out_of_range()
        record = {
            "pid": os.getpid(),
            "by": self.started_by,
            # the notebook whose kernel runs the lab (jupyter-server names it), for the line
            # that says which of several labs a terminal command chose
            "notebook": Path(os.environ.get("JPY_SESSION_NAME", "")).name,
            "started": time.time(),
            "control": self.url,
            "token": self.token,
            **self.lab.urls(),
        }
        try:
            self.registry_file = _register(record, self.port, self.notes)
        except (UnsafeRuntimeDir, OSError) as exc:
            if isinstance(exc, OSError) and exc.errno in ports.OUT_OF_FILES:
                # not the registry's fault, and a lab with no descriptor left serves nothing
                raise ports.out_of_files(exc) from None
            # the lab still serves the notebook; only the terminal cannot find it
            why = exc.message if isinstance(exc, UnsafeRuntimeDir) else os_error(exc)
            lost = Msg("`labkit env` and `labkit ctl` will not find this lab: {why}", why=why)
            self.notes.append(say(lost, self.lab.lang))

    def _say_if_out_of_range(self) -> None:
        """A note when the lab's servers took ports outside its range (``ports.bind``: every
        port there was taken, on a shared host most likely by another user): the lab works,
        and the learner learns why a kernel started beside it may fail, and whom to tell."""
        span = ports.configured()
        if span is None:
            return
        urls = self.lab.urls()
        used = [
            self.port,
            *(
                urlsplit(u).port
                for u in (
                    *urls["upstreams"].values(),
                    urls["origin"],
                    urls["gateway"],
                    urls["portal"],
                )
                if u
            ),
        ]
        if any(p is not None and not span[0] <= p <= span[1] for p in used):
            self.notes.append(say(ports.range_full(span), self.lab.lang))

    async def stop(self) -> None:
        if self.registry_file is not None:
            _unregister(self.registry_file)
            self.registry_file = None
        await super().stop()

    async def handle(self, request: Request) -> Response:
        import hmac  # here, not at import: a lab that is never switched from a terminal

        given = (request.header("authorization") or "").encode("utf-8", "surrogateescape")
        # the terminal's language, asked for the HTTP way (send()); a client that names
        # none gets the lab's
        wanted = request.field("accept-language")
        lang = negotiate(wanted) if wanted else self.lab.lang
        if not hmac.compare_digest(given, f"Bearer {self.token}".encode()):  # constant time
            return _json(403, {"error": say(Msg("missing or wrong token"), lang)})
        command = request.path.strip("/")
        try:
            args = _arguments(request.body, lang)
            if not isinstance(args, dict):
                raise refuse(Msg("the body must be a JSON object"), lang=lang)
            if command == "wait-busy":  # it blocks until the loop's requests arrive: off the loop
                return _json(200, await asyncio.to_thread(apply, self.lab, command, args, lang))
            return _json(200, apply(self.lab, command, args, lang))
        except (LabkitError, ValueError, TypeError, OverflowError) as exc:
            return _json(400, {"error": str(exc)})


def _arguments(body: bytes, lang: str) -> object:
    """A command's body read as JSON, or a refusal naming what was wrong with it. Python's
    reader raised RecursionError on a body nested some thousand levels deep, which the
    server answered with a 500 ("labkit itself failed ... Please report it"), and its
    other errors said what Python calls them ("'utf-8' codec can't decode byte 0xff in
    position 8", "use sys.set_int_max_str_digits()")."""
    why: Msg | str
    try:
        return json.loads(body or b"{}")
    except json.JSONDecodeError as exc:  # where it went wrong: the most useful part
        why = _json_error(exc)
    except UnicodeDecodeError:
        why = Msg("it is not UTF-8")
    except ValueError:  # an integer longer than Python converts (4300 digits)
        why = Msg("a number in it has too many digits")
    except RecursionError:
        why = Msg("it is nested too deeply")
    raise refuse(
        Msg("the body is not JSON that labkit reads ({why}); it must be a JSON object", why=why),
        lang=lang,
    )


# What Python's JSON reader did not expect (``JSONDecodeError.msg``, its C scanner's words in
# Python 3.10 to 3.13), each said with the place it names in the reader's language. Its own
# text ("Expecting value: line 1 column 2 (char 1)") put English words and an English
# position inside the Chinese refusal.
_JSON_ERRORS = {
    "Expecting value": Msg("a value was expected at line {line}, column {column}", context="json"),
    "Expecting property name enclosed in double quotes": Msg(
        "a property name in double quotes was expected at line {line}, column {column}",
        context="json",
    ),
    "Expecting ':' delimiter": Msg(
        "a ':' was expected at line {line}, column {column}", context="json"
    ),
    "Expecting ',' delimiter": Msg(
        "a ',' was expected at line {line}, column {column}", context="json"
    ),
    "Unterminated string starting at": Msg(
        "the string that starts at line {line}, column {column} never ends", context="json"
    ),
    "Invalid control character at": Msg(
        "a string holds an unescaped control character at line {line}, column {column}",
        context="json",
    ),
    "Invalid \\escape": Msg(
        "an escape that JSON does not have at line {line}, column {column}", context="json"
    ),
    "Invalid \\uXXXX escape": Msg(
        "a \\u escape without four hexadecimal digits at line {line}, column {column}",
        context="json",
    ),
    "Extra data": Msg(
        "something follows the JSON value at line {line}, column {column}", context="json"
    ),
    "Illegal trailing comma before end of object": Msg(
        "a comma ends the object at line {line}, column {column}", context="json"
    ),
    "Illegal trailing comma before end of array": Msg(
        "a comma ends the array at line {line}, column {column}", context="json"
    ),
}


def _json_error(exc: json.JSONDecodeError) -> Msg:
    """What ``exc`` found and where, in words a catalogue translates; a message this table
    does not know (a later Python's) keeps its English words, its place still translated."""
    said = _JSON_ERRORS.get(exc.msg)
    if said is None:
        said = Msg("{what} at line {line}, column {column}", what=exc.msg, context="json")
    return said.bind(line=exc.lineno, column=exc.colno)


def _unreached(exc: Exception, seconds: float) -> Msg | str:
    """Why the control server was not reached, in the terminal's language: httpx's own words
    ("timed out", "[Errno 111] Connection refused") stood in English in the Chinese line."""
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return Msg("it did not answer within {seconds} s", seconds=f"{seconds:g}")
    cause: BaseException | None = exc
    while cause is not None:  # httpx's error wraps httpcore's, which wraps the OSError
        if isinstance(cause, ConnectionRefusedError):  # (errors.OS_REASONS leaves it out)
            return Msg("Connection refused", context="errno")
        if isinstance(cause, OSError) and cause.errno is not None:
            return os_reason(cause)
        cause = cause.__cause__ or cause.__context__
    return str(exc)


def _json(status: int, data: object) -> Response:
    return Response(status, [("Content-Type", "application/json")], json.dumps(data).encode())


# -- the terminal side --


RECORD_URLS = ("control", "origin", "gateway", "portal")


def _register(record: dict[str, Any], port: int, notes: list[str]) -> Path:
    """Write a lab's record (0600) under a fresh name; never opens a file that exists."""
    path, fd = _claimed(notes.append)
    try:
        name = f"lab-{port}-{os.urandom(4).hex()}.json"
        text = json.dumps(record)  # the C encoder: json.dump runs the pure-Python one

        def write(f: IO[str]) -> None:
            f.write(text)

        # written beside under a dot name, then renamed: readers never see half a record
        replace_file(Path(name), write, mode=0o600, dir_fd=fd)
    finally:
        os.close(fd)
    return path / name


def _unregister(file: Path) -> None:
    try:
        fd = _open_checked(file.parent, create=False)
    except UnsafeRuntimeDir:
        return  # gone or tampered with since: nothing of ours to remove
    except ports.OutOfFiles:
        return  # the record stays; live_labs() passes over a lab that no longer listens
    try:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(file.name, dir_fd=fd)
    finally:
        os.close(fd)


def _read_record(dir_fd: int, name: str) -> tuple[dict[str, Any] | None, Msg | None]:
    """A registry record, or None and why it was ignored."""
    try:
        fd = os.open(
            name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd
        )
    except OSError as exc:
        return None, Msg("cannot be opened without following a link ({why})", why=os_reason(exc))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None, Msg("is not a regular file")
        if st.st_uid != os.getuid():
            return None, Msg("belongs to {owner}", owner=_user(st.st_uid))
        data = os.read(fd, 65536)
    finally:
        os.close(fd)
    try:
        record = json.loads(data)
    except ValueError:
        return None, Msg("is not a lab record (no JSON)")
    ok = (
        isinstance(record, dict)
        and type(record.get("pid")) is int
        and record["pid"] > 0
        and isinstance(record.get("token"), str)
        and isinstance(record.get("by", ""), str)
        and type(record.get("started", 0.0)) in (int, float)
        and all(_is_lab_url(record.get(key)) for key in RECORD_URLS)
    )
    return (record, None) if ok else (None, Msg("is not a lab record (wrong fields)"))


def _is_lab_url(value: object) -> bool:
    if not isinstance(value, str) or not value.startswith("http://"):
        return False
    try:
        return urlsplit(value).port is not None
    except ValueError:
        return False


def live_labs() -> list[dict[str, Any]]:
    """Records of this user's labs whose process is still alive (stale records are removed),
    from every registry they may be in (``_registries``: the home's too, after a fallback).

    Files that are not regular, not ours or not lab records are ignored with a warning
    and left as they are.
    """
    return _live_labs()[0]


def _live_labs() -> tuple[list[dict[str, Any]], list[Path]]:
    """``live_labs()``, and the registries it looked in."""
    walked = _walk(_registries())
    return [lab for _, labs in walked for lab in labs], [path for path, _ in walked]


def _walk(
    places: Iterable[tuple[Path, int]], *, quiet: bool = False
) -> list[tuple[Path, list[dict[str, Any]]]]:
    """Each registry of ``places`` (a path and its open descriptor) with its live labs
    (``_live_in``), asking one kernel socket about them all. Every descriptor taken and
    the socket are closed however the walk ends: an error while reading one registry
    (out of descriptors) left the socket open in the process that asked. ``quiet`` keeps
    the warnings about odd files to itself (a registry this command does not use)."""
    walked = []
    diag = _sock_diag()
    try:
        with warnings.catch_warnings() if quiet else contextlib.nullcontext():
            if quiet:
                warnings.simplefilter("ignore", LabkitWarning)
            for path, fd in places:
                try:
                    walked.append((path, _live_in(fd, diag)))
                finally:
                    os.close(fd)
    finally:
        if diag is not None:
            diag.close()
    return walked


def _sock_diag() -> peers.SockDiag | None:
    """One socket to ask the kernel about every record's control port (``stranger_at``):
    one per record was 200 sockets opened and closed for a registry of 200 records."""
    try:
        return peers.SockDiag()
    except (OSError, AttributeError):  # no NETLINK_SOCK_DIAG here: the system cannot tell
        return None


def _registries() -> Iterator[tuple[Path, int]]:
    """Every registry this user's labs may be in, each with its descriptor: ``runtime_dir()``
    and, unless LABKIT_RUNTIME_DIR names one, ``home_fallback()`` when it is there and safe.

    A lab started while a classmate held /tmp/labkit-UID registered in the home; once the
    classmate removed theirs, the next lab registered in /tmp again, and `labkit env` and
    `labkit ctl` looked in /tmp only: the first lab, still running, was never found."""
    primary = runtime_dir()
    yield primary, _open_checked(primary)  # each opened when the walk comes to it
    home = home_fallback()
    if os.environ.get("LABKIT_RUNTIME_DIR") or home == primary or not os.path.lexists(home):
        return
    if _unsafe_on_the_way(home) is None:  # else not ours (another's HOME): never read
        try:
            fd = _open_checked(home, create=False)
        except UnsafeRuntimeDir as exc:
            _warn(str(exc))
        else:
            yield home, fd


def _other_registries(looked: list[Path]) -> list[Path]:
    """The registries outside ``looked`` where a lab of ours would register were
    XDG_RUNTIME_DIR set otherwise (or a classmate's /tmp/labkit-UID gone), and a live one is
    registered now: ours and safe only (``_open_checked``), never created; its odd files are
    not this command's business (quiet)."""
    return [path for path, labs in _walk(_elsewhere(looked), quiet=True) if labs]


def _elsewhere(looked: list[Path]) -> Iterator[tuple[Path, int]]:
    """``_other_registries``' places, each opened when the walk comes to it."""
    uid = os.getuid()
    xdg = [Path(f"/run/user/{uid}/labkit")]
    if os.environ.get("XDG_RUNTIME_DIR"):
        xdg.insert(0, Path(os.environ["XDG_RUNTIME_DIR"]) / "labkit")
    for path in dict.fromkeys([*xdg, _fallback(), home_fallback()]):
        if path in looked or not os.path.lexists(path) or _unsafe_on_the_way(path) is not None:
            continue
        try:
            fd = _open_checked(path, create=False)
        except (UnsafeRuntimeDir, OSError):
            continue
        yield path, fd


def _none_found(looked: list[Path]) -> Msg:
    """Why `labkit env` and `labkit ctl` found no lab: where they looked, and where labs of
    ours are registered instead. A lab started where XDG_RUNTIME_DIR was set (a notebook's
    kernel under systemd, a hub's single-user server) registers in /run/user/UID, a terminal
    without it looks in /tmp: the answer was "no running lab found" beside a running lab."""
    import shlex  # only for this message

    where = Listed(str(path) for path in looked)
    if os.environ.get("LABKIT_RUNTIME_DIR"):  # chosen on purpose: the one place to look
        return Msg(
            "no running lab found in {where} (LABKIT_RUNTIME_DIR); start one with "
            "`labkit serve` or labkit.start()",
            where=where,
        )
    elsewhere = _other_registries(looked)
    if elsewhere:
        return Msg(
            "no running lab found in {where}; a lab of yours is registered in {there} "
            "(it was started with another XDG_RUNTIME_DIR): run "
            "`export LABKIT_RUNTIME_DIR={there}` and try again",
            where=where,
            there=shlex.quote(str(elsewhere[0])),
        )
    return Msg(
        "no running lab found in {where}; start one with `labkit serve` or labkit.start()",
        where=where,
    )


def _live_in(fd: int, diag: peers.SockDiag | None) -> list[dict[str, Any]]:
    """``live_labs`` in the registry open at ``fd``, asking ``diag`` who listens where."""
    labs = []
    for name in sorted(os.listdir(fd)):
        if not (name.startswith("lab-") and name.endswith(".json")):
            continue
        record, why = _read_record(fd, name)
        if record is None:
            _warn(say(Msg("ignoring {name} in the lab registry: it {why}", name=name, why=why)))
            continue
        try:
            os.kill(record["pid"], 0)
        except ProcessLookupError:  # that lab's process died without unregistering
            gone = True
        except OSError:
            continue
        else:  # alive, but the lab's? A process started after the record is not
            born = _started_at(record["pid"])
            gone = born is not None and born > record.get("started", born) + BORN_SLACK
            # nor is one whose control port another user listens on: a running lab holds
            # it, so that lab stopped (without its record) and the port is anyone's now
            gone = gone or (diag is not None and stranger_at(record["control"], diag) is not None)
        if gone:
            with contextlib.suppress(OSError):
                os.unlink(name, dir_fd=fd)
            continue
        labs.append(record)
    return labs


# Seconds by which a record's process may seem to have started after the record was written:
# /proc gives the boot time in whole seconds and a start in clock ticks
BORN_SLACK = 2.0


def _started_at(pid: int) -> float | None:
    """When process ``pid`` started (seconds since the epoch, as ``time.time()``), from
    /proc; None where there is no /proc (the record is then judged by its PID alone).

    A lab's process that was killed (SIGKILL, a kernel restarted) leaves its record behind,
    and on a busy host its PID comes back as another process within minutes (pid_max is
    32768 here; a benchmark spawns hundreds): ``os.kill(pid, 0)`` alone took such a record
    for a running lab, and `labkit env` could choose it. A process born after the record
    was written cannot be the lab that wrote it.
    """
    boot = _booted_at()
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat_line = f.read()
        ticks = int(stat_line[stat_line.rindex(b")") + 2 :].split()[19])  # field 22, starttime
    except (OSError, ValueError, IndexError):
        return None
    return None if boot is None else boot + ticks / os.sysconf("SC_CLK_TCK")


_BOOTED_AT: list[float | None] = []


def _booted_at() -> float | None:
    """The machine's boot time (/proc/stat's btime), read once per process: it was read
    again for every record, a third of the time a registry of 200 records took."""
    if not _BOOTED_AT:
        try:
            with open("/proc/stat", "rb") as f:
                _BOOTED_AT.append(
                    next(float(line.split()[1]) for line in f if line.startswith(b"btime "))
                )
        except (OSError, ValueError, IndexError, StopIteration):
            return None  # asked again next time: /proc may be mounted by then
    return _BOOTED_AT[0]


def stranger_at(url: str, diag: peers.SockDiag | None = None) -> int | None:
    """The uid of another user whose program listens on ``url``'s port; None when the
    listener is ours, nothing listens there, or the system cannot tell (peers.py).

    A lab's ports are anyone's once it stops. The shell that ran `eval "$(labkit env)"`
    keeps $GATEWAY and $LABKIT_LAB, and a record can outlive its lab: a classmate who
    listens on such a port would be sent the control token by `labkit ctl`, or taken for
    the learner's lab."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host or port is None:
        return None
    owner = peers.listener_owner(host, port, diag)
    return owner if owner is not None and owner != os.geteuid() else None


def stranger_note(url: str) -> Msg | None:
    """What to say of ``url`` when another user listens on its port (``stranger_at``)."""
    owner = stranger_at(url)
    if owner is None:
        return None
    return Msg(
        "{owner}'s program listens on that port now: what you send there (curl too) "
        "reaches it, not a lab of yours",
        owner=_user(owner),
    )


SERVE = "labkit serve"  # a record's "by": the lab a terminal user started on purpose


def find_lab(url: str | None) -> tuple[dict[str, Any], str | None]:
    """The lab a terminal command means, and (when several run) a line saying which was chosen.

    ``url`` (``--lab``): the running lab with a server at that URL. None: a lab started by
    `labkit serve` (the newest, if several), else the most recently started one. That is the
    common case after lesson 00: a notebook's lab and a served one side by side.

    It never reads the environment: `labkit env` chooses afresh with it each time, while
    `labkit ctl` first follows $LABKIT_LAB (the lab `labkit env` chose for that shell, passed
    here as ``url``; ``cli._lab_for_ctl``) and comes to this rule only in a shell without it.
    """
    labs, looked = _live_labs()
    if url is not None and not isinstance(url, str):
        raise refuse(
            Msg("--lab must be a URL such as http://127.0.0.1:8080, not {given}", given=shown(url))
        )
    found = None if url is None else _at(labs, url)
    stranger = None if url is None or found else stranger_note(url.rstrip("/"))
    if stranger is not None:  # the shell's $GATEWAY, a lab of ours once: say whose it is now
        running = Listed(lab["gateway"] for lab in labs)
        fix = (
            Msg("running: {running}", running=running)
            if labs
            else Msg("start one with `labkit serve` or labkit.start()")
        )
        raise ControlError(
            say(
                Msg(
                    "no running lab of yours is at {url}: {stranger}; {fix}",
                    url=url,
                    stranger=stranger,
                    fix=fix,
                )
            )
        )
    if not labs:
        raise ControlError(say(_none_found(looked)))
    if url is None:
        chosen = max(labs, key=lambda lab: (lab.get("by") == SERVE, lab.get("started", 0.0)))
        if len(labs) == 1:
            return chosen, None
        notebook = chosen.get("notebook")
        how = (
            Msg("started by `labkit serve`")
            if chosen.get("by") == SERVE
            else Msg(
                "started most recently (none by `labkit serve`), by the notebook {notebook}",
                notebook=notebook,
            )
            if isinstance(notebook, str) and notebook
            else Msg("started most recently (none by `labkit serve`)")
        )
        note = Msg(
            "{n} labs are running; using the one {how}, gateway {gateway} "
            "(choose another with --lab URL)",
            n=len(labs),
            how=how,
            gateway=chosen["gateway"],
        )
        return chosen, say(note)
    if found is not None:
        return found, None
    running = Listed(lab["gateway"] for lab in labs)
    raise ControlError(
        say(
            Msg(
                "no running lab has a server at {url}; running: {running}", url=url, running=running
            )
        )
    )


def _at(labs: list[dict[str, Any]], url: str) -> dict[str, Any] | None:
    """The lab of ``labs`` with a server at ``url``, if any."""
    wanted = url.rstrip("/")
    for lab in labs:
        if wanted in (lab.get("origin"), lab.get("gateway"), lab.get("portal"), lab.get("control")):
            return lab
    return None


def send(
    lab: dict[str, Any], command: str, args: dict[str, Any] | None = None, *, wait: float = 0
) -> dict[str, Any]:
    """Send one command to a lab (a record from find_lab); returns its switches afterwards.

    ``wait``: seconds the command itself may take (wait-busy), on top of ANSWER_WITHIN."""
    import httpx  # the CLI's client only: a lab in a kernel never needs it here

    stranger = stranger_note(lab["control"])
    if stranger is not None:  # the lab stopped since it was found: its token stays ours
        raise ControlError(
            say(
                Msg(
                    "the lab at {url} has stopped: {stranger}; run the command again",
                    url=lab["gateway"],
                    stranger=stranger,
                )
            )
        )
    try:
        resp = httpx.post(
            f"{lab['control']}/{command}",
            json=args or {},
            # the terminal's language: the lab words its refusals in it
            headers={"Authorization": f"Bearer {lab['token']}", "Accept-Language": language()},
            timeout=ANSWER_WITHIN + wait,
            trust_env=False,
        )
    except httpx.HTTPError as exc:
        why = _unreached(exc, ANSWER_WITHIN + wait)
        raise ControlError(
            say(Msg("could not reach the lab's control server: {why}", why=why))
        ) from None
    try:
        data: dict[str, Any] = resp.json()  # a dict whenever the status is 200
    except ValueError:
        raise ControlError(
            say(
                Msg(
                    "the lab's control server answered {status}: {text}",
                    status=resp.status_code,
                    text=resp.text[:200],
                )
            )
        ) from None
    if resp.status_code != 200:
        error = data.get("error") if isinstance(data, dict) else None
        if not error:
            error = say(Msg("the lab's control server answered {status}", status=resp.status_code))
        raise ControlError(error)
    return data


def benchmark(records: int = 200) -> float:
    """Seconds ``find_lab`` takes to choose among ``records`` live records of this user (a
    registry of its own, LABKIT_RUNTIME_DIR): every record is read, its process checked, and
    the kernel asked who listens on its control port, as `labkit env` and `ctl` do."""
    import tempfile

    saved = os.environ.get("LABKIT_RUNTIME_DIR")
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o700)
        os.environ["LABKIT_RUNTIME_DIR"] = tmp
        try:
            now = time.time()  # this process is the records' "lab": alive, started before
            for n in range(records):
                urls = {
                    key: f"http://127.0.0.1:{40000 + 4 * n + i}"
                    for i, key in enumerate(RECORD_URLS)
                }
                record = {"pid": os.getpid(), "started": now, "token": "x", **urls}
                with open(os.path.join(tmp, f"lab-{n}.json"), "w") as f:
                    json.dump(record, f)
            started = time.perf_counter()
            find_lab(None)
            return time.perf_counter() - started
        finally:
            if saved is None:
                os.environ.pop("LABKIT_RUNTIME_DIR", None)
            else:
                os.environ["LABKIT_RUNTIME_DIR"] = saved
