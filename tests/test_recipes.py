"""docs/architecture.md's recipes, followed at run time: each new thing is added in one place.

"Add a kind of fault": one class and one entry in ``faults.FAULTS``; the lab then serves
it on a real socket, routes ``/up/NAME/`` to it, lists it with its knobs (``labkit
scenarios``, the README's table) and puts its knobs back on ``lab.reset()``.
"Add a scenario": one entry in ``scenarios.SCENARIOS``; ``labkit scenarios``,
``labkit.scenarios.run`` and the lesson's Playground then offer it.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import socket
import time
from pathlib import Path

import pytest

import labkit
from labkit import cli, faults, scenarios
from labkit.conditions import Condition
from labkit.lab import UPSTREAM_TIMEOUTS
from labkit.widgets import GatewaysCompared, Playground

ROOT = Path(__file__).resolve().parent.parent
REPLY = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n"


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


def _gateways_doc():
    spec = importlib.util.spec_from_file_location("gateways_doc", ROOT / "tools/gateways_doc.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _direct(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=3) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: lab\r\n\r\n")
        data = bytearray()
        while chunk := sock.recv(65536):
            data += chunk
    return bytes(data)


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
            # routed by the gateway: each byte comes within the route's read timeout
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
        lines = faults.listing().splitlines()
        assert any(line.startswith("drip ") and line.endswith(knob) for line in lines)
        assert cli.main(["scenarios"]) == 0
        assert faults.listing() in capsys.readouterr().out
        read = UPSTREAM_TIMEOUTS.read
        row = f"| `drip` | sends 200 OK one byte at a time; the route's read timeout {read:g} s | {knob} | 504 |"
        assert row in _gateways_doc().readme_faults()
    assert "drip" not in faults.FAULTS  # removed after: the registry is as it was


NEW = scenarios.Scenario(
    id="502-post-reset",
    lesson="502",
    status=502,
    made_by="gateway",
    title="A POST meets a reset",
    cause="the upstream resets the connection before answering a POST: 502",
    request=scenarios.Call("POST", "/up/reset/", body="order=7"),
    upstream="reset",
)


def test_add_a_scenario(lab: labkit.Lab, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setitem(scenarios.SCENARIOS, NEW.id, NEW)  # the recipe's one entry
    assert cli.main(["scenarios", "--lesson", "502"]) == 0
    assert f"{NEW.id:<36} 502    502    gateway              A POST meets a reset" in (
        capsys.readouterr().out
    )
    assert cli.main(["scenarios", "--json"]) == 0
    listed = {s["id"]: s for s in json.loads(capsys.readouterr().out)}
    assert listed[NEW.id]["reproduce"].startswith("curl -sS")
    assert "-X POST --data-binary order=7" in listed[NEW.id]["reproduce"]
    ex = labkit.scenarios.run(NEW.id, lab)
    assert (ex.status, ex.generated_by) == (502, "gateway")
    playground = Playground(lab, "502")
    assert NEW.id in [value for _, value in playground.scenario.options]
    playground.scenario.value = NEW.id
    playground.run_button.click()
    assert playground.message.value == ""
    assert playground.inspector.exchange.status == 502
