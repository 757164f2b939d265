"""docs/architecture.md's recipes, followed at run time: each new thing is added in one place.

"Add a switch": one ``Switch`` in ``switches.SWITCHES``; ``labkit ctl`` then parses it and
lists it in its help, the control API applies it (on the lab's loop thread) or refuses it in
one line, ``lab.reset()`` puts it back, its lesson's Playground shows a control for it, and
a judge saves it and puts it back when code it ran changed it.
"Add a kind of fault": one class and one entry in ``faults.FAULTS``; the lab then serves
it on a real socket, routes ``/up/NAME/`` to it, lists it with its knobs (``labkit
scenarios``, the README's table) and puts its knobs back on ``lab.reset()``.
"Add a scenario": one entry in ``scenarios.SCENARIOS``; ``labkit scenarios``, ``labkit
run``, ``labkit.scenarios.run`` and the lesson's Playground then offer it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import threading
import time
from pathlib import Path

import pytest
from helpers import load_tool

import labkit
from labkit import cli, control, faults, scenarios, switches
from labkit.conditions import Condition
from labkit.exercises.checks import CheckedTask, Run, lab_param
from labkit.exercises.core import REGISTRY
from labkit.lab import UPSTREAM_TIMEOUTS
from labkit.switches import Param, Setting, Switch
from labkit.widgets import GatewaysCompared, Playground

ROOT = Path(__file__).resolve().parent.parent
REPLY = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n"


# -- "Add a switch" --

APPLIED_ON: list[str] = []  # the thread each application of the new switch ran on


def _store(lab: labkit.Lab, args: switches.Args) -> str:
    APPLIED_ON.append(threading.current_thread().name)
    lab.gateway.cache_enabled = args["on"]
    return f"store: {'on' if lab.gateway.cache_enabled else 'off'}"


STORE = Switch(
    "store",
    "whether the gateway stores fresh responses (a second name for the cache, for this test)",
    params=(Param("on", bool, "store: the gateway keeps fresh responses", default=True),),
    apply=_store,
    state="store",  # `labkit ctl state` shows its one parameter, as current reads it
    playgrounds=("500",),
    current=lambda lab, _: {"on": lab.gateway.cache_enabled},
)


@pytest.fixture
def store_switch(monkeypatch: pytest.MonkeyPatch):
    """The recipe's one step: one entry in the table (removed again after the test)."""
    monkeypatch.setitem(switches.SWITCHES, STORE.name, STORE)
    APPLIED_ON.clear()
    assert "store" in _ctl_help()
    yield STORE
    monkeypatch.undo()
    assert "store" not in _ctl_help()  # nothing else kept it


def _ctl_help() -> str:
    parser = cli.build_parser()
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return str(sub.choices["ctl"].format_help())


def _cached_twice(lab: labkit.Lab) -> bool:
    """Whether the second of two GETs during cacheable maintenance is served from the cache."""
    lab.origin.maintenance(retry_after=5, cache_max_age=60)
    lab.get("/orders/7")
    second = lab.get("/orders/7")
    lab.origin.maintenance(False)
    lab.gateway.purge()
    return second.header("x-cache") == "HIT"


def test_add_a_switch(lab: labkit.Lab, store_switch: Switch, capsys) -> None:
    # `labkit ctl --help`, the CLI run in-process: a subcommand with its help and choices
    with pytest.raises(SystemExit):
        cli.main(["ctl", "--help"])
    assert "store" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(["ctl", "store", "--help"])
    assert "store: the gateway keeps fresh responses" in capsys.readouterr().out
    assert Setting("store", {"on": False}).cli == "store off"  # a scenario's shell words
    with pytest.raises(SystemExit):
        cli.main(["ctl", "store", "maybe"])
    assert "invalid choice: 'maybe'" in capsys.readouterr().err

    # `labkit ctl store off` against this real lab: over its control API (an HTTP socket),
    # applied on the loop thread, confirmed in one line; `labkit ctl state` shows it
    assert _cached_twice(lab)
    at = ["ctl", "--lab", lab.gateway.url]
    assert cli.main([*at, "store", "off"]) == 0
    assert capsys.readouterr().out == "store: off\n"
    assert APPLIED_ON == ["labkit-lab"]
    assert lab.gateway.cache_enabled is False and not _cached_twice(lab)
    assert cli.main([*at, "state"]) == 0
    assert '"store": false' in capsys.readouterr().out
    # the control API refuses a wrong argument in one line and changes nothing
    record, _ = control.find_lab(lab.gateway.url)
    with pytest.raises(labkit.LabkitError, match=r"^on must be true or false .*'yes'$"):
        control.send(record, "store", {"on": "yes"})
    assert lab.gateway.cache_enabled is False
    with pytest.raises(labkit.BadArgument, match="store"):
        control.apply(lab, "no-such-switch", {})  # the list of commands names it

    # reset (`labkit ctl reset`, lab.reset()): back to its declared default
    assert cli.main([*at, "reset"]) == 0
    capsys.readouterr()
    assert lab.gateway.cache_enabled is True and _cached_twice(lab)
    control.apply(lab, "store", {"on": False})
    lab.reset()
    assert lab.gateway.cache_enabled is True

    # the playground of its lesson: a control labelled from the table, making the same call,
    # its state in words (no `show`: the control is its one parameter, showing its value)
    p = Playground(lab, "500")
    box = p.switch_controls["store"].inputs["on"]
    assert box.description == "store: the gateway keeps fresh responses" and box.value is True
    box.value = False
    assert p.message.value == "" and p.status.value == "store: off."
    assert lab.gateway.cache_enabled is False and not _cached_twice(lab)
    lab.reset()
    assert lab.gateway.cache_enabled is True
    p.buttons["GET /orders/abc"].click()  # any action shows the controls as the lab is
    assert box.value is True
    assert "store" not in Playground(lab, "501").switch_controls

    # a judge saves it with every other setting (its `current`) and puts it back, on the
    # loop thread, when code run during the judging turned it
    def turns_it_off(run: Run) -> str:
        switches.apply(run.lab, "store", {"on": False})
        return ""

    task = CheckedTask(
        "test.store",
        "test",
        "Leave the store as it is.",
        usage="q.check(lab)",
        takes=(lab_param(),),
        checks=(turns_it_off,),
        success="kept.",
        hints=(),
        solution="q.check(lab)",
    )
    try:
        APPLIED_ON.clear()
        assert task.check(lab).correct and lab.gateway.cache_enabled is True
        # turned off, then put back by its own entry (not only by the cache switch's)
        assert APPLIED_ON == ["labkit-lab", "labkit-lab"]
    finally:
        del REGISTRY["test.store"]


def test_add_a_per_playground_switch(lab: labkit.Lab, store_switch: Switch, monkeypatch) -> None:
    """The same switch marked per_playground: its playground value applies to that
    playground's requests only, and the lab keeps its own."""
    from dataclasses import replace

    monkeypatch.setitem(switches.SWITCHES, "store", replace(STORE, per_playground=True))
    p = Playground(lab, "500")
    controls = p.switch_controls["store"]
    assert not controls.chosen and controls.inputs["on"].value is True
    controls.inputs["on"].value = False
    assert controls.chosen and p.status.value.startswith("On this playground only: store")
    assert lab.gateway.cache_enabled is True  # the lab's own: untouched
    with p.as_chosen():
        assert lab.gateway.cache_enabled is False and not _cached_twice(lab)
    assert lab.gateway.cache_enabled is True and _cached_twice(lab)


# -- "Add a kind of fault" --


class Drip(faults.Fault):
    """Sends its reply one byte at a time, ``interval`` seconds apart."""

    INTERVAL = faults.Knob("interval", "seconds", 0, 1, 0.5, "the pause between two bytes")
    knobs = (INTERVAL,)
    interval: float

    async def serve(self, conn: faults.Connection) -> None:
        rid = await conn.request()
        conn.sent(rid, f"{len(self.reply)} bytes, one at a time", self.description, data=self.reply)
        for i in range(len(self.reply)):
            await conn.write(self.reply[i : i + 1])
            await asyncio.sleep(self.interval)


# its default pause is longer than the gateway's read timeout: the gateway observes that
DRIP = Drip("drip", Condition.READ_TIMEOUT, "sends 200 OK one byte at a time", REPLY)


def _direct(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=3) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: lab\r\n\r\n")
        data = bytearray()
        while chunk := sock.recv(65536):
            data += chunk
    return bytes(data)


@pytest.mark.slow
def test_add_a_kind_of_fault(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    with monkeypatch.context() as patch:
        patch.setitem(faults.FAULTS, "drip", DRIP)  # the recipe's one registry entry
        with labkit.start() as lab:
            # served on a real socket, byte by byte
            up = lab.upstreams["drip"]
            up.interval = 0.01
            began = time.monotonic()
            assert _direct(up.port) == REPLY
            assert time.monotonic() - began >= (len(REPLY) - 1) * 0.01
            # routed by the gateway: the whole head must come within the route's read timeout,
            # as at nginx, HAProxy and Caddy (docs/gateways.md); at 0.01 s a byte it takes longer
            ex = lab.get("/up/drip/")
            assert (ex.status, ex.generated_by) == (504, "gateway")
            up.interval = 0  # a byte each turn of the loop
            ex = lab.get("/up/drip/")
            assert (ex.status, ex.text) == (200, "ok\n")
            assert ex.hop("drip").sent.summary == f"{len(REPLY)} bytes, one at a time"
            # its knob is checked against its declared range, with one clear line
            with pytest.raises(labkit.BadArgument, match="interval must be between 0 and 1 sec"):
                up.interval = 5
            # reset: the default pause again, longer than the read timeout: the gateway gives up
            lab.reset()
            assert up.interval == Drip.INTERVAL.default > lab.gateway.route("drip").read_timeout
            assert lab.get("/up/drip/").status == 504
            # lesson 09's widget offers it, and runs it through every gateway
            compared = GatewaysCompared(lab)
            assert ("drip (condition: read-timeout)", "drip") in compared.fault.options
            compared.fault.value = "drip"
            compared.run_button.click()
            assert compared.message.value == ""
            assert "504" in compared.table.value
            # other faults do not have its knob
            with pytest.raises(
                labkit.BadArgument, match="'ok' has no attribute or knob 'interval'"
            ):
                lab.upstreams["ok"].interval = 0.1
        # listed with its knob: the registry, `labkit scenarios`, the README's table
        knob = "interval: the pause between two bytes, 0 to 1 seconds, default 0.5"
        lines = faults.listing().splitlines()  # its knob on the line below its row
        drip = lines.index(next(line for line in lines if line.startswith("drip ")))
        assert lines[drip + 1] == f"    {knob}"
        assert cli.main(["scenarios"]) == 0
        assert faults.listing() in capsys.readouterr().out
        read = UPSTREAM_TIMEOUTS.read
        row = f"| `drip` | sends 200 OK one byte at a time; the route's read timeout {read:g} s | {knob} | 504 |"
        assert row in load_tool("gateways_doc").readme_faults()
    assert "drip" not in faults.FAULTS  # removed after: the registry is as it was


# -- "Add a scenario" --

NEW = scenarios.Scenario(
    id="502-post-reset",
    lesson="502",
    status=502,
    made_by="gateway",
    title="A POST meets a reset",
    cause="the upstream resets the connection before answering a POST: 502",
    request=scenarios.Call("POST", "/up/reset/", body="order=7"),
    upstream="reset",
    # a switch it turns on, and off again afterwards: its words, Python's and the shell's,
    # come from the switch table
    switches=(scenarios.read_timeout("reset", 0.2, UPSTREAM_TIMEOUTS.read),),
)


def _read_timeouts(ex: labkit.Exchange) -> set[float]:
    """The read timeouts the gateway's attempts to reach the upstream were made with."""
    return {e.attempt.read_timeout for e in ex.hop("gateway").events if e.attempt is not None}


def test_add_a_scenario(lab: labkit.Lab, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setitem(scenarios.SCENARIOS, NEW.id, NEW)  # the recipe's one entry
    assert cli.main(["scenarios", "--lesson", "502"]) == 0
    out = capsys.readouterr().out.splitlines()  # its row, and its title below it
    row = next(i for i, line in enumerate(out) if line.startswith(f"{NEW.id} "))
    assert (out[row].split(), out[row + 1]) == (
        [NEW.id, "502", "502", "gateway"],
        "    A POST meets a reset",
    )
    assert cli.main(["scenarios", "--json"]) == 0
    listed = {s["id"]: s for s in json.loads(capsys.readouterr().out)}
    assert listed[NEW.id]["reproduce"].startswith("curl -sS")
    assert "-X POST --data-binary order=7" in listed[NEW.id]["reproduce"]
    read = UPSTREAM_TIMEOUTS.read
    assert listed[NEW.id]["setup"] == ['labkit ctl --lab "$GATEWAY" timeout reset --read 0.2']
    assert listed[NEW.id]["teardown"] == [
        f'labkit ctl --lab "$GATEWAY" timeout reset --read {read:g}'
    ]
    ex = labkit.scenarios.run(NEW.id, lab)
    assert (ex.status, ex.generated_by) == (502, "gateway")
    # on while it ran, put back after (what `lab.reset()` would restore, untouched)
    assert _read_timeouts(ex) == {0.2} and lab.gateway.route("reset").read_timeout == read
    assert cli.main(["run", NEW.id]) == 0  # `labkit run ID`: on a fresh lab of its own
    assert capsys.readouterr().out.startswith(f"{NEW.id}: {NEW.cause}\n")
    playground = Playground(lab, "502")
    assert NEW.id in [value for _, value in playground.scenario.options]
    playground.scenario.value = NEW.id
    playground.run_button.click()
    assert playground.message.value == ""
    assert playground.inspector.exchange.status == 502
    assert _read_timeouts(playground.inspector.exchange) == {0.2}
    assert lab.gateway.route("reset").read_timeout == read
