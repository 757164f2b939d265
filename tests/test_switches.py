"""The switch table (labkit/switches.py): one declaration per switch, everything else derived.

"Add a switch" (docs/architecture.md) is followed at run time in tests/test_recipes.py.
Every switch is applied on the lab's loop thread, so emptying the gateway's cache while
cached GETs stream through it never errors.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import threading
from functools import partial
from pathlib import Path

import pytest

import labkit
from labkit import cli, control, scenarios, switches
from labkit.errors import number
from labkit.lab import on_lab_loop

ROOT = Path(__file__).resolve().parent.parent

# -- every switch, derived --


def test_ctl_help_lists_every_switch_from_the_table(capsys) -> None:
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["ctl", "--help"])
    out = capsys.readouterr().out
    for switch in switches.SWITCHES.values():
        assert switch.name in out and switch.help in out


def test_a_state_key_is_for_a_switch_with_one_parameter() -> None:
    """A key shows the one parameter's value; a switch of several says its state itself."""
    import dataclasses

    with pytest.raises(TypeError, match="timeout: a state key names the value of its one"):
        dataclasses.replace(switches.SWITCHES["timeout"], state="routes")


def test_reset_puts_every_switch_back_to_its_declared_default(lab: labkit.Lab) -> None:
    fresh = control.state(lab)
    lab.get("/orders/7")  # something in flight counts nothing afterwards
    control.apply(lab, "rate-limit", {"requests": 2})
    lab.get("/api/quote")  # a key counted by the rate limit: reset forgets it
    for name, args in [
        ("maintenance", {"on": True, "retry_after": 7}),
        ("capacity", {"value": 3}),
        ("debug", {"on": True}),
        ("portal", {"action": "login"}),
        ("timeout", {"route": "/up/slow/", "connect": 1.5, "read": 2.5}),
        ("delay", {"seconds": 0.25}),
        ("personality", {"name": "haproxy"}),
        ("cache", {"action": "off"}),
        ("head-timeout", {"server": "gateway", "seconds": 0.5}),
        ("hold", {"on": True}),
    ]:
        control.apply(lab, name, args)
    lab.origin.maintenance(retry_after=dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1))
    lab.origin.capacity = switches.CAPACITY_MAX  # from Python: past the playground's box
    lab.origin.order_handler = _teapot  # not switches: the learner's handler, a fault's knob
    changed = control.state(lab)
    assert {k for k in fresh if fresh[k] != changed[k]} == set(fresh) - {"in_flight"}
    # the keys scripts read, each switch's value as current reads it where the table says so
    assert (changed["capacity"], changed["hold"], changed["debug"]) == (
        switches.CAPACITY_MAX,
        True,
        True,
    )
    assert (changed["slow_delay"], changed["gateway_personality"]) == (0.25, "haproxy")
    # what a judge saves, reads back exactly every switch and every other setting
    saved, maintenance = switches.save(lab), lab.origin.maintenance_settings
    lab.reset()
    assert control.state(lab) == fresh and lab.origin.order_handler is None
    put_back = switches.restore(lab, saved)
    assert put_back == [*switches.SWITCHES, *switches.others(lab)]
    assert lab.origin.maintenance_settings == maintenance  # the same HTTP-date, to the second
    assert control.state(lab) == {**changed, "rate_limited_keys": 0}  # setting it forgets them
    assert switches.restore(lab, saved) == []  # nothing differs: nothing applied again
    lab.reset()
    assert control.state(lab) == fresh


def _teapot(order_id: str) -> tuple[int, str]:
    return 418, "teapot"


def test_a_lab_started_as_another_gateway_resets_to_it() -> None:
    with labkit.start(gateway="nginx") as lab:
        switches.apply(lab, "personality", {"name": "caddy"})
        lab.reset()
        assert lab.gateway.personality == "nginx"


def test_cache_off_sends_every_get_to_the_origin(lab: labkit.Lab) -> None:
    assert switches.apply(lab, "cache", {"action": "off"}) == (
        "gateway cache: off (every request goes to the upstream)"
    )
    lab.origin.maintenance(retry_after=5, cache_max_age=60)
    lab.get("/orders/7")
    lab.origin.maintenance(False)
    ex = lab.get("/orders/7")
    assert ex.status == 200 and ex.generated_by == "origin"
    assert switches.apply(lab, "cache", {"action": "on"}).startswith("gateway cache: on")


@pytest.mark.parametrize(
    ("switch", "args", "python"),
    [
        (
            "timeout",
            "connect",
            lambda lab, v: setattr(lab.gateway.route("/"), "connect_timeout", v),
        ),
        ("timeout", "read", lambda lab, v: setattr(lab.gateway.route("/"), "read_timeout", v)),
        ("delay", "seconds", lambda lab, v: setattr(lab.upstreams["slow"], "delay", v)),
        ("maintenance", "cache_max_age", lambda lab, v: lab.origin.maintenance(cache_max_age=v)),
        ("head-timeout", "seconds", lambda lab, v: setattr(lab.portal, "head_timeout", v)),
        ("capacity", "value", lambda lab, v: setattr(lab.origin, "capacity", v)),
        ("rate-limit", "requests", lambda lab, v: setattr(lab.origin, "rate_limit", v)),
        ("maintenance", "retry_after", lambda lab, v: lab.origin.maintenance(retry_after=v)),
    ],
    ids=[
        "connect",
        "read",
        "delay",
        "cache_max_age",
        "head_timeout",
        "capacity",
        "rate_limit",
        "retry_after",
    ],
)
def test_declared_ranges_are_what_the_python_api_takes(lab, switch, args, python) -> None:
    """The table's ranges (the CLI's, the widgets') and the Python setters' cannot drift apart
    (capacity, rate_limit and retry_after had their own checks, without a maximum, until
    December 2026); a whole number's range is said one way, from MIN to MAX."""
    param = switches.get(switch).param(args)
    for inside in (param.minimum, param.maximum):
        python(lab, inside)
    said = (
        f"from {number(param.minimum)} to {number(param.maximum)}"
        if param.kind is int
        else "between"
    )
    for outside in (param.minimum - 1, param.maximum + 1):
        with pytest.raises(labkit.BadArgument, match=said):
            python(lab, outside)
        with pytest.raises(labkit.BadArgument, match=said):
            param.check(outside)


def test_a_refused_value_shows_its_bounds_as_the_cli_and_the_boxes_write_them() -> None:
    """One wording of numbers (errors.number): a value refused through the control API
    (check), `labkit ctl` or a playground's number box (parse) names the bounds as `labkit
    ctl --help` and the boxes write them: 1000000, never the 1e+06 of ``:g``."""
    made_up = switches.Param(
        "window", int, "requests counted", unit="requests", minimum=1_000_000, maximum=9_000_000
    )
    params = [
        param
        for switch in switches.SWITCHES.values()
        for param in switch.params
        if param.kind in (int, float)
    ]
    assert len(params) >= 5
    for param in [*params, made_up]:
        low, high = number(param.minimum), number(param.maximum)
        assert f"{low} to {high}" in switches._help(param), param
        between = f"between {low} and {high}"
        wrong = f"from {low} to {high}" if param.kind is int else between
        for refused, says in [
            (partial(param.check, "many"), wrong),
            (partial(param.parse, "many"), wrong),
            (partial(param.parse, "many", named=param.title), wrong),  # a playground's box
            # out of range, a whole number is refused in the same words as one not whole
            (partial(param.check, param.maximum + 1), wrong),
            (partial(param.parse, number(param.maximum + 1)), wrong),
        ]:
            with pytest.raises(labkit.BadArgument) as exc:
                refused()
            assert says in str(exc.value), (param.name, str(exc.value))
    assert "1e+06" not in switches._help(made_up)


def test_scenario_switches_say_the_same_in_python_and_the_shell() -> None:
    seen = [s for sc in scenarios.SCENARIOS.values() for s in (*sc.switches, *sc.after_prime)]
    assert seen
    for setting in seen:
        words = setting.cli.split()
        parsed = cli.build_parser().parse_args(["ctl", *words])
        assert switches.from_cli(parsed.ctl_command, parsed) == setting.args, setting


# -- the loop thread --


def test_purge_during_a_stream_of_cached_gets_never_errors(lab: labkit.Lab) -> None:
    """purge() from the kernel's thread runs on the lab's loop, between two requests' reads."""
    lab.origin.maintenance(retry_after=5, cache_max_age=60)  # every 503 is stored
    statuses: list[int | None] = []
    errors: list[BaseException] = []

    def stream(worker: int) -> None:
        try:
            for i in range(40):
                statuses.append(lab.get(f"/orders/7?w={worker}&i={i % 5}").status)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=stream, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    emptied = 0
    while any(t.is_alive() for t in threads):
        emptied += lab.gateway.purge()  # raised "dictionary changed size" on the kernel thread
    for t in threads:
        t.join()
    assert errors == []
    assert statuses == [503] * 120  # stored or not, never a gateway error
    assert emptied > 0  # the purges did meet stored responses


def test_a_switch_from_another_thread_runs_on_the_loop(lab: labkit.Lab) -> None:
    seen: list[str] = []
    on_lab_loop(lab, lambda: seen.append(threading.current_thread().name))
    assert seen == ["labkit-lab"]


def _spy_on_switches(lab: labkit.Lab, monkeypatch) -> list[tuple[str, str]]:
    """Record (server, thread) for each change a server applies through its ``switch``."""
    seen: list[tuple[str, str]] = []
    for server in (lab.origin, lab.gateway, lab.portal, *lab.upstreams.values()):
        original = server.switch

        def spy(change, original=original, name=server.name):
            def recorded():
                seen.append((name, threading.current_thread().name))
                return change()

            return original(recorded)

        monkeypatch.setattr(server, "switch", spy)
    return seen


def test_every_python_setter_applies_its_switch_on_the_loop(lab: labkit.Lab, monkeypatch) -> None:
    """What notebooks write (``lab.origin.capacity = 3``, a route's timeout, the slow
    upstream's delay...) is applied on the lab's loop thread too, not only the table's calls."""
    seen = _spy_on_switches(lab, monkeypatch)
    lab.origin.capacity = 3
    lab.origin.debug = True
    lab.origin.maintenance(retry_after=5)
    lab.origin.head_timeout = 0.5
    lab.gateway.personality = "nginx"
    lab.gateway.cache_enabled = False
    lab.gateway.purge()
    lab.gateway.route("/").read_timeout = 1.0
    lab.gateway.route("slow").connect_timeout = 0.4
    lab.gateway.head_timeout = 0.5
    lab.portal.login()
    lab.upstreams["slow"].delay = 0.5
    assert [name for name, _ in seen] == ["origin"] * 4 + ["gateway"] * 6 + ["portal", "slow"]
    assert {thread for _, thread in seen} == {"labkit-lab"}
    assert lab.gateway.route("/").read_timeout == 1.0 and lab.upstreams["slow"].delay == 0.5


# Where a lab's servers are reached from code that is not theirs: lab.origin, self.lab.gateway,
# run.lab.upstreams["slow"], lab.gateway.route("/")...
_SERVERS = {"origin", "gateway", "portal", "upstreams"}


def _server_written(node: ast.expr) -> str | None:
    """'origin', 'gateway', 'portal', 'upstream' or 'route' if ``node`` is one of the lab's
    servers (or a gateway route) reached through a lab, else None."""
    chain: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            chain.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            chain.append("[]")
            node = node.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            chain.append(node.func.attr + "()")
            node = node.func.value
        else:
            break
    if not (isinstance(node, ast.Name) and node.id == "lab") and "lab" not in chain:
        return None
    chain.reverse()  # from the root: lab, gateway, route(), ...
    after = chain[chain.index("lab") + 1 :] if "lab" in chain else chain
    if not after or after[0] not in _SERVERS:
        return None
    if after == ["upstreams", "[]"]:
        return "upstream"
    if after == ["gateway", "route()"]:
        return "route"
    return after[0] if len(after) == 1 else None


def _shipped_code() -> list[tuple[str, str]]:
    """(where, source) of every labkit module and every code cell of a shipped notebook."""
    out = [
        (str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"))
        for path in sorted((ROOT / "labkit").rglob("*.py"))
    ]
    for path in sorted((ROOT / "notebooks").rglob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for i, cell in enumerate(cells):
            if cell["cell_type"] == "code":
                lines = "".join(cell["source"]).splitlines()
                code = "\n".join(line for line in lines if not line.lstrip().startswith(("%", "!")))
                out.append((f"{path.relative_to(ROOT)} cell {i}", code))
    return out


def _writes_to_lab_state() -> dict[tuple[str, str], list[str]]:
    """(server, attribute) -> where shipped code assigns it (``x.attr = v``, ``x.attr += v``,
    ``setattr(x, "attr", v)``) with x one of a lab's servers or routes."""
    found: dict[tuple[str, str], list[str]] = {}
    for where, source in _shipped_code():
        for node in ast.walk(ast.parse(source)):
            targets: list[tuple[ast.expr, str]] = []
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    if isinstance(target, ast.Attribute):
                        targets.append((target.value, target.attr))
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "setattr"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
            ):
                targets.append((node.args[0], node.args[1].value))
            for owner, attr in targets:
                server = _server_written(owner)
                if server is not None:
                    found.setdefault((server, attr), []).append(f"{where} line {node.lineno}")
    return found


def test_shipped_code_changes_a_lab_only_through_switches_applied_on_the_loop(
    lab: labkit.Lab, monkeypatch
) -> None:
    """Every attribute of a lab's servers that a notebook (English or Chinese), a judge, a
    widget or any other labkit module assigns is a switch: assigned, it is applied on the
    lab's loop thread, where requests read it. A plain attribute written from the kernel's
    thread (as lesson 01's judge once installed the learner's order handler) fails here."""
    writes = _writes_to_lab_state()
    # the scan finds what the lessons and judges are known to write
    for known in [("upstream", "delay"), ("route", "read_timeout"), ("origin", "order_handler")]:
        assert known in writes, f"the scan no longer finds {known}: {sorted(writes)}"
    objects = {
        "origin": lab.origin,
        "gateway": lab.gateway,
        "portal": lab.portal,
        "route": lab.gateway.route("/"),
    }
    seen = _spy_on_switches(lab, monkeypatch)
    direct = []
    for (server, attr), where in sorted(writes.items()):
        targets = list(lab.upstreams.values()) if server == "upstream" else [objects[server]]
        for target in targets:
            if server == "upstream" and not hasattr(target, attr):
                continue  # a knob of another fault (each fault server refuses others' knobs)
            seen.clear()
            setattr(target, attr, getattr(target, attr))  # the value it has: nothing changes
            if [thread for _, thread in seen] != ["labkit-lab"]:
                direct.append(f"{server}.{attr} (written at {', '.join(where)})")
    assert not direct, "written without a switch on the loop thread: " + "; ".join(direct)


def test_wait_busy_is_woken_by_the_origin_and_bounded(lab: labkit.Lab) -> None:
    """`labkit ctl wait-busy` waits on the recorder (no polling) and says when it gives up."""
    with pytest.raises(labkit.LabkitError, match=r"had 0 requests in flight, not 1, after 0.1 s"):
        control.apply(lab, "wait-busy", {"count": 1, "timeout": 0.1})
    threads = scenarios.hold_busy(lab, 1)
    try:
        done = control.apply(lab, "wait-busy", {"count": 1, "timeout": 5})["done"]
        assert done == "the origin has 1 request in flight"
        # over the control API (`labkit ctl wait-busy 1`): waited for off the lab's loop
        record, _ = control.find_lab(lab.gateway.url)
        sent = control.send(record, "wait-busy", {"count": 1, "timeout": 5}, wait=5)
        assert sent["done"] == "the origin has 1 request in flight"
    finally:
        lab.reset()  # releases the held request
        for t in threads:
            t.join(timeout=5)
    assert not lab.origin.hold and lab.origin.in_flight == 0
    with pytest.raises(labkit.BadArgument, match="timeout must be between 0 and 30 seconds"):
        control.apply(lab, "wait-busy", {"count": 1, "timeout": 99})
    with pytest.raises(labkit.BadArgument, match="count must be a whole number"):
        control.apply(lab, "wait-busy", {"count": "many"})


# -- one range for each value, from the table, in Python as on the command line --

ONE_RANGE = [
    # (python setter, the same value on `labkit ctl`, the line both say)
    (
        lambda lab: setattr(lab.origin, "capacity", switches.CAPACITY_MAX + 1),
        ["capacity", str(switches.CAPACITY_MAX + 1)],
        f"capacity must be a whole number from 0 to {switches.CAPACITY_MAX}, or {{none}} "
        f"(unlimited), not {switches.CAPACITY_MAX + 1}",
    ),
    (
        lambda lab: setattr(lab.origin, "rate_limit", 1001),
        ["rate-limit", "1001"],
        "{name} must be a whole number from 1 to 1000, not 1001",
    ),
    (
        lambda lab: lab.origin.maintenance(True, cache_max_age=86401),
        ["maintenance", "on", "--cache-max-age", "86401"],
        "{name} must be a whole number from 1 to 86400, or {none} (no-store, not cached), "
        "not 86401",
    ),
]


@pytest.mark.parametrize(("setter", "words", "said"), ONE_RANGE)
def test_python_takes_the_range_labkit_ctl_takes_in_its_words(lab, setter, words, said) -> None:
    """The origin's setters checked their own numbers: ``lab.origin.capacity = 100001`` and
    ``rate_limit = 1001`` were taken (no maximum, ">= 0"), ``cache_max_age=86401`` said
    "between 1 and 86400 seconds", where `labkit ctl` refused each with the switch's range
    (fails before). Both now read the table: the same range, the same line (named as
    each asker writes it: the attribute in Python, the argument typed in a shell)."""
    from tests.helpers import labkit_in_process

    with pytest.raises(labkit.BadArgument) as refused:
        setter(lab)
    python_name = {"capacity": "capacity", "rate-limit": "rate_limit"}.get(
        words[0], "cache_max_age"
    )
    assert str(refused.value) == said.format(name=python_name, none="None")
    result = labkit_in_process("ctl", *words)
    assert result.returncode == 2
    typed = {"capacity": "capacity", "rate-limit": "rate-limit"}.get(words[0], "--cache-max-age")
    assert said.format(name=typed, none="none") in result.stderr
    assert lab.origin.capacity is None and lab.origin.rate_limit == 3  # nothing stuck
    assert not lab.origin.in_maintenance


def test_a_sweep_and_its_chart_take_the_capacity_switchs_range(lab) -> None:
    """load.sweep() and charts.load_curve() said "capacity must be a whole number >= 0", and a
    sweep set 10**9 (fails before): the capacity switch's range, without None."""
    for refused in (
        lambda: labkit.load.sweep(lab, [1], capacity=10**9),
        lambda: labkit.charts.load_curve([], 10**9),
    ):
        with pytest.raises(labkit.BadArgument) as bad:
            refused()
        assert str(bad.value) == (
            f"capacity must be a whole number from 0 to {switches.CAPACITY_MAX}, not 1000000000"
        )
