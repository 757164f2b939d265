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
import secrets
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from labkit.errors import BadArgument, ControlError, LabkitError, check_number
from labkit.http.messages import Request, Response
from labkit.http.server import HTTPServer
from labkit.recorder import Recorder

if TYPE_CHECKING:
    from labkit.lab import Lab


def runtime_dir() -> Path:
    """Where running labs register themselves (override with LABKIT_RUNTIME_DIR)."""
    base = os.environ.get("LABKIT_RUNTIME_DIR")
    path = Path(base) if base else Path(tempfile.gettempdir()) / f"labkit-{os.getuid()}"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


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

    async def start(self) -> None:
        await super().start()
        self.registry_file = runtime_dir() / f"lab-{self.port}.json"
        record = {"pid": os.getpid(), "control": self.url, "token": self.token, **self.lab.urls()}
        fd = os.open(self.registry_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(record, f)

    async def stop(self) -> None:
        if self.registry_file is not None:
            with contextlib.suppress(FileNotFoundError):
                self.registry_file.unlink()
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


def live_labs() -> list[dict[str, Any]]:
    """Registry records of labs whose process is still alive (stale files are removed)."""
    labs = []
    for path in sorted(runtime_dir().glob("lab-*.json")):
        try:
            record = json.loads(path.read_text())
            os.kill(int(record["pid"]), 0)
        except (ValueError, KeyError, TypeError, ProcessLookupError):
            with contextlib.suppress(OSError):
                path.unlink()
            continue
        except OSError:
            continue
        labs.append(record)
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
