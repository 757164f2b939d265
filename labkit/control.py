"""Switching a running lab from a terminal: `labkit ctl ...` talks to this.

Every lab runs a small control server on 127.0.0.1 (never wider, whatever host the
lab serves on) and writes a registry file, readable only by its user, with that
server's address and a random token. `labkit ctl --lab URL` finds the lab whose
origin, gateway or portal is at URL and sends it one command.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import pwd
import secrets
import shlex
import stat
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from labkit.errors import (
    BadArgument,
    ControlError,
    LabkitError,
    LabkitWarning,
    UnsafeRuntimeDir,
    check_number,
)
from labkit.http.messages import Request, Response
from labkit.http.server import HTTPServer
from labkit.recorder import Recorder

if TYPE_CHECKING:
    from labkit.lab import Lab


def runtime_dir() -> Path:
    """The directory where running labs register, after checking nobody else can touch it.

    ``$LABKIT_RUNTIME_DIR`` if set; else ``$XDG_RUNTIME_DIR/labkit`` when that directory
    is ours and mode 0700 (one inherited through ``su`` or ``sudo`` is not: a warning
    says so); else ``labkit-UID`` in the temporary directory. On a shared host another
    user can create ``/tmp/labkit-UID`` first, with loose modes, planted files or
    symlinks, to read the control token or feed ``labkit env`` a record; so a directory
    that is a symlink, not ours or not mode 0700 is refused with the fix in the message.
    """
    path, note = _runtime_path()
    if note:
        _warn(note)
    os.close(_open_checked(path))
    return path


def _runtime_path() -> tuple[Path, str | None]:
    """The registry's path, and why ``$XDG_RUNTIME_DIR`` was passed over (for a warning)."""
    override = os.environ.get("LABKIT_RUNTIME_DIR")
    if override:
        return Path(override), None
    fallback = Path(tempfile.gettempdir()) / f"labkit-{os.getuid()}"
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if not xdg:
        return fallback, None
    try:
        problem = _problem(os.lstat(xdg)) if os.path.isabs(xdg) else "is not an absolute path"
    except OSError as exc:
        problem = f"cannot be used ({exc.strerror})"
    if problem is None:
        return Path(xdg) / "labkit", None
    return fallback, f"XDG_RUNTIME_DIR={xdg} {problem}; labkit uses {fallback} instead"


def _problem(st: os.stat_result) -> str | None:
    """What makes a directory unsafe for the registry, or None."""
    if stat.S_ISLNK(st.st_mode):
        return "is a symbolic link"
    if not stat.S_ISDIR(st.st_mode):
        return "is not a directory"
    if st.st_uid != os.getuid():
        return f"belongs to {_user(st.st_uid)}, not to you ({_user(os.getuid())})"
    if stat.S_IMODE(st.st_mode) != 0o700:
        return f"has mode {stat.S_IMODE(st.st_mode):04o}, not 0700"
    return None


def _user(uid: int) -> str:
    try:
        return f"user {pwd.getpwuid(uid).pw_name}"
    except KeyError:
        return f"uid {uid}"


def _open_checked(path: Path, *, create: bool = True) -> int:
    """Open the runtime directory (creating it 0700 if missing) and check it; returns its fd.

    Every later file operation goes through this descriptor, so swapping the path for
    a symlink after the check changes nothing.
    """
    created = False
    if create:
        try:
            path.mkdir(mode=0o700, parents=True)
            created = True
        except FileExistsError:
            pass
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        try:
            problem = _problem(os.lstat(path)) or exc.strerror
        except OSError:
            problem = exc.strerror
        raise UnsafeRuntimeDir(_refusal(path, problem)) from None
    st = os.fstat(fd)
    if created and st.st_uid == os.getuid() and stat.S_IMODE(st.st_mode) != 0o700:
        os.fchmod(fd, 0o700)  # our umask narrowed the mode; the directory is new and ours
        st = os.fstat(fd)
    problem = _problem(st)
    if problem is not None:
        os.close(fd)
        raise UnsafeRuntimeDir(_refusal(path, problem))
    return fd


def _refusal(path: Path, problem: str | None) -> str:
    where = shlex.quote(str(path))
    own = "set LABKIT_RUNTIME_DIR to a directory of your own with mode 0700 (mkdir -m 700 DIR)"
    if problem and problem.startswith("has mode"):
        fix = f"run `chmod 700 {where}` if you made it, or {own}"
    elif problem and problem.startswith("belongs to"):
        fix = f"someone else made it (ask an administrator to remove it), or {own}"
    else:
        fix = f"remove it (`rm {where}`) if you made it, or {own}"
    return (
        f"the lab registry {path} {problem}, so another user could read the control token "
        f"or plant records there; {fix}"
    )


def _warn(message: str) -> None:
    warnings.warn(message, LabkitWarning, stacklevel=3)


def apply(lab: Lab, command: str, args: dict[str, Any]) -> dict[str, Any]:
    """Carry out one control command on a lab; returns the lab's switches afterwards."""
    if command == "maintenance":
        on = bool(args.get("on", True))
        retry: Any = args.get("retry_after", 120)
        if args.get("retry_in") is not None:
            seconds = int(check_number("retry_in", args["retry_in"], minimum=0, maximum=31_536_000))  # type: ignore[arg-type]
            retry = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=seconds)
        lab.origin.maintenance(on, retry_after=retry, cache_max_age=args.get("cache_max_age"))
    elif command == "capacity":
        lab.origin.capacity = args.get("value")
    elif command == "debug":
        lab.origin.debug = bool(args.get("on", True))
    elif command == "portal":
        assert lab.portal is not None
        lab.portal.login() if args.get("action") == "login" else lab.portal.logout()
    elif command == "timeout":
        route = lab.gateway.route(str(args.get("route", "/")))
        connect, read = args.get("connect"), args.get("read")
        # check both before changing either, so a refused command changes nothing
        for name, value in (("connect_timeout", connect), ("read_timeout", read)):
            check_number(name, value, minimum=0.01, maximum=60, allow_none=True)
        if connect is not None:
            route.connect_timeout = connect
        if read is not None:
            route.read_timeout = read
    elif command == "delay":
        lab.upstreams["slow"].delay = args.get("seconds")
    elif command == "personality":
        lab.gateway.personality = args.get("name")
    elif command == "purge":
        lab.gateway.purge()
    elif command == "reset":
        lab.reset()
    elif command == "wait-busy":
        pass  # answered by state(): the caller polls until in_flight is high enough
    elif command != "state":
        raise BadArgument(f"unknown command {command!r}")
    return state(lab)


def state(lab: Lab) -> dict[str, Any]:
    assert lab.portal is not None
    return {
        "maintenance": lab.origin.in_maintenance,
        "capacity": lab.origin.capacity,
        "in_flight": lab.origin.in_flight,
        "debug": lab.origin.debug,
        "portal_logged_in": lab.portal.logged_in,
        "slow_delay": lab.upstreams["slow"].delay,
        "gateway_personality": lab.gateway.personality,
        "routes": {
            r.prefix: {"connect": r.connect_timeout, "read": r.read_timeout}
            for r in lab.gateway.routes
        },
    }


class ControlServer(HTTPServer):
    role = "control"
    server_header = "labkit-control"

    def __init__(self, lab: Lab) -> None:
        super().__init__("control", Recorder("ctl"), "127.0.0.1")
        self.lab = lab
        self.token = secrets.token_urlsafe(24)
        self.registry_file: Path | None = None
        self.notes: list[str] = []  # warnings for Lab.start to show in the caller's thread

    async def start(self) -> None:
        await super().start()
        record = {"pid": os.getpid(), "control": self.url, "token": self.token, **self.lab.urls()}
        try:
            self.registry_file = _register(record, self.port, self.notes)
        except (UnsafeRuntimeDir, OSError) as exc:
            # the lab still serves the notebook; only the terminal cannot find it
            self.notes.append(f"`labkit env` and `labkit ctl` will not find this lab: {exc}")

    async def stop(self) -> None:
        if self.registry_file is not None:
            _unregister(self.registry_file)
            self.registry_file = None
        await super().stop()

    async def handle(self, request: Request) -> Response:
        if request.header("authorization") != f"Bearer {self.token}":
            return _json(403, {"error": "missing or wrong token"})
        command = request.path.strip("/")
        try:
            args = json.loads(request.body or b"{}")
            if not isinstance(args, dict):
                raise BadArgument("the body must be a JSON object")
            return _json(200, apply(self.lab, command, args))
        except (LabkitError, ValueError, TypeError, OverflowError) as exc:
            return _json(400, {"error": str(exc)})


def _json(status: int, data: object) -> Response:
    return Response(status, [("Content-Type", "application/json")], json.dumps(data).encode())


# -- the terminal side --


RECORD_URLS = ("control", "origin", "gateway", "portal")


def _register(record: dict[str, Any], port: int, notes: list[str]) -> Path:
    """Write a lab's record (0600) under a fresh name; never opens a file that exists."""
    path, note = _runtime_path()
    if note:
        notes.append(note)
    fd = _open_checked(path)
    try:
        name = f"lab-{port}-{secrets.token_hex(4)}.json"
        partial = f".{name}.partial"  # readers never see a half-written record
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        out = os.open(partial, flags, 0o600, dir_fd=fd)
        try:
            with os.fdopen(out, "w") as f:
                json.dump(record, f)
            os.rename(partial, name, src_dir_fd=fd, dst_dir_fd=fd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(partial, dir_fd=fd)
            raise
    finally:
        os.close(fd)
    return path / name


def _unregister(file: Path) -> None:
    try:
        fd = _open_checked(file.parent, create=False)
    except UnsafeRuntimeDir:
        return  # gone or tampered with since: nothing of ours to remove
    try:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(file.name, dir_fd=fd)
    finally:
        os.close(fd)


def _read_record(dir_fd: int, name: str) -> tuple[dict[str, Any] | None, str]:
    """A registry record, or None and why it was ignored."""
    try:
        fd = os.open(
            name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd
        )
    except OSError as exc:
        return None, f"cannot be opened without following a link ({exc.strerror})"
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None, "is not a regular file"
        if st.st_uid != os.getuid():
            return None, f"belongs to {_user(st.st_uid)}"
        data = os.read(fd, 65536)
    finally:
        os.close(fd)
    try:
        record = json.loads(data)
    except ValueError:
        return None, "is not a lab record (no JSON)"
    ok = (
        isinstance(record, dict)
        and type(record.get("pid")) is int
        and record["pid"] > 0
        and isinstance(record.get("token"), str)
        and all(_is_lab_url(record.get(key)) for key in RECORD_URLS)
    )
    return (record, "") if ok else (None, "is not a lab record (wrong fields)")


def _is_lab_url(value: object) -> bool:
    if not isinstance(value, str) or not value.startswith("http://"):
        return False
    try:
        return urlsplit(value).port is not None
    except ValueError:
        return False


def live_labs() -> list[dict[str, Any]]:
    """Records of this user's labs whose process is still alive (stale records are removed).

    Files that are not regular, not ours or not lab records are ignored with a warning
    and left as they are.
    """
    labs = []
    fd = _open_checked(runtime_dir())
    try:
        for name in sorted(os.listdir(fd)):
            if not (name.startswith("lab-") and name.endswith(".json")):
                continue
            record, why = _read_record(fd, name)
            if record is None:
                _warn(f"ignoring {name} in the lab registry: it {why}")
                continue
            try:
                os.kill(record["pid"], 0)
            except ProcessLookupError:  # that lab's process died without unregistering
                with contextlib.suppress(OSError):
                    os.unlink(name, dir_fd=fd)
                continue
            except OSError:
                continue
            labs.append(record)
    finally:
        os.close(fd)
    return labs


def find_lab(url: str | None) -> dict[str, Any]:
    labs = live_labs()
    if not labs:
        raise ControlError("no running lab found; start one with `labkit serve` or labkit.start()")
    if url is None:
        if len(labs) == 1:
            return labs[0]
        listed = ", ".join(lab["gateway"] for lab in labs)
        raise ControlError(f"{len(labs)} labs are running ({listed}); choose one with --lab URL")
    wanted = url.rstrip("/")
    for lab in labs:
        if wanted in (lab.get("origin"), lab.get("gateway"), lab.get("portal"), lab.get("control")):
            return lab
    raise ControlError(f"no running lab has a server at {url}; running: " + ", ".join(
        lab["gateway"] for lab in labs))  # fmt: skip


def send(url: str | None, command: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
    """Send one command to a running lab; returns its switches afterwards."""
    lab = find_lab(url)
    try:
        resp = httpx.post(
            f"{lab['control']}/{command}",
            json=args or {},
            headers={"Authorization": f"Bearer {lab['token']}"},
            timeout=5.0,
            trust_env=False,
        )
    except httpx.HTTPError as exc:
        raise ControlError(f"could not reach the lab's control server: {exc}") from None
    try:
        data = resp.json()
    except ValueError:
        raise ControlError(
            f"the lab's control server answered {resp.status_code}: {resp.text[:200]}"
        ) from None
    if resp.status_code != 200:
        raise ControlError(data.get("error", f"control server answered {resp.status_code}"))
    return data  # type: ignore[no-any-return]
