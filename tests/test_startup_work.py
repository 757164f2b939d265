"""What a lab's process does at start that its first answers do not need.

Each lab on a shared host pays its start in instructions (benchmarks/README.md, "One lab's
process beside the bare server"): a pattern only a CONNECT or a short upstream body reads is
compiled by the first of those, not by every lab's import; the lab's record is written by
json's C encoder; a route is inserted in order instead of every route being sorted again."""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
from pathlib import Path

from labkit.gateway import Gateway
from labkit.http import complaints, requestcheck
from labkit.lab import UPSTREAM_TIMEOUTS
from labkit.proxy import Route
from labkit.recorder import Recorder

# a fresh process notes every pattern re compiles, starts a lab, gets a 200 through its
# gateway, then sends the gateway a malformed CONNECT and reads its status line
_COMPILED = """
import re, socket
CONNECT_TARGET, SHORT_BODY = %r, r"received (\\d+) bytes, expected (\\d+)"
compiled = []
_compile = re.compile
def noted(pattern, flags=0):
    compiled.append(pattern)
    return _compile(pattern, flags)
re.compile = noted
import labkit
lab = labkit.start()
def status(request):
    with socket.create_connection(("127.0.0.1", lab.gateway.port), timeout=5) as s:
        s.sendall(request)
        return s.makefile("rb").readline().decode().strip()
print(status(b"GET /orders/7 HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n"))
print(compiled.count(CONNECT_TARGET), compiled.count(SHORT_BODY))
print(status(b"CONNECT /nowhere HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n"))
from labkit.http import complaints
complaints.body_complaint("peer closed connection (received 3 bytes, expected 10)", 64)
print(compiled.count(CONNECT_TARGET), compiled.count(SHORT_BODY))
lab.stop()
"""


def _run(code: str, tmp_path: Path) -> list[str]:
    env = {**os.environ, "LABKIT_RUNTIME_DIR": str(tmp_path / "run")}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return out.stdout.splitlines()


def test_a_lab_compiles_the_connect_and_short_body_patterns_only_when_read(
    tmp_path: Path,
) -> None:
    code = _COMPILED % requestcheck.AUTHORITY_FORM.pattern
    ok, before, refused, after = _run(code, tmp_path)
    assert ok == "HTTP/1.1 200 OK"
    assert before == "0 0"
    # the first CONNECT and the first short body compile theirs, once; the CONNECT is judged
    # by it as before
    assert refused == "HTTP/1.1 400 Bad Request"
    assert after == "1 1"


def test_the_patterns_compiled_later_match_as_before() -> None:
    assert requestcheck.check_connect("CONNECT", "example.com:443") is None
    assert requestcheck.check_connect("CONNECT", "[::1]:8080") is None
    refused = requestcheck.check_connect("CONNECT", "/nowhere")
    assert refused is not None and refused.status == 400
    text = complaints.body_complaint("peer closed connection (received 3 bytes, expected 10)", 64)
    assert "3 of the 10 bytes" in str(text)


# a fresh process starts a lab and says how often json's pure-Python encoder ran (json.dump
# runs it; json.dumps, the C one) and the bytes of the lab's record
_RECORD = """
import json, json.encoder, sys
from pathlib import Path
ran = []
_iterencode = json.encoder._make_iterencode
def noted(*args, **kwargs):
    ran.append(1)
    return _iterencode(*args, **kwargs)
json.encoder._make_iterencode = noted
import labkit
lab = labkit.start()
print(len(ran))
print(Path(sys.argv[1]).glob("lab-*.json").__next__().read_text())
lab.stop()
"""


def test_the_lab_record_is_written_by_the_c_encoder_with_the_same_bytes(tmp_path: Path) -> None:
    env = {**os.environ, "LABKIT_RUNTIME_DIR": str(tmp_path / "run")}
    out = subprocess.run(
        [sys.executable, "-c", _RECORD, str(tmp_path / "run")],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    ran, written = out.stdout.splitlines()
    assert ran == "0"
    record = json.loads(written)
    assert {"pid", "token", "control", "gateway"} <= set(record)
    shown = io.StringIO()
    json.dump(record, shown)  # what the record was written with until December 2026
    assert written == shown.getvalue()


def test_routes_are_kept_longest_prefix_first_in_the_order_a_stable_sort_gives() -> None:
    """No change of behaviour: ``add_route`` inserts in order instead of sorting every route
    again; in any order of adding, the routes and each path's route are the sort's."""
    prefixes = ["/", "/up/a/", "/up/bb/", "/up/cc/", "/pool/", "/up/a/x/", "/b/", "/up/dd/"]
    paths = ["/", "/up/a/1", "/up/a/x/2", "/up/bb", "/up/cc/3", "/pool/4", "/b/5", "/nothing"]
    for seed in range(40):
        order = prefixes[:]
        random.Random(seed).shuffle(order)
        gateway = Gateway(Recorder())
        added = [Route(p, p, [], UPSTREAM_TIMEOUTS) for p in order]
        for route in added:
            gateway.add_route(route)
        expected = sorted(added, key=lambda r: len(r.prefix), reverse=True)
        assert gateway.routes == expected
        for path in paths:
            fits = [
                r for r in expected if path == r.prefix.rstrip("/") or path.startswith(r.prefix)
            ]
            assert gateway.match(path) is (fits[0] if fits else None)


# a fresh process starts a lab, gets a 200 through its gateway from a raw socket (as curl,
# a browser and each lab of the scale row ask), and says whether dataclasses was imported;
# then assigns to a frozen record and to an event, and names what each raised
_DATACLASSES = """
import socket, sys
import labkit
lab = labkit.start()
with socket.create_connection(("127.0.0.1", lab.gateway.port), timeout=5) as s:
    s.sendall(b"GET /orders/7 HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n")
    print(s.makefile("rb").readline().decode().strip())
print("dataclasses" in sys.modules)
rid = lab.recorder.ids()[-1]
event = lab.recorder.events(rid)[0]
for frozen in (lab.gateway.routes[0].timeouts, event):
    try:
        frozen.hop = "x"
    except Exception as error:
        print(type(error).__module__, type(error).__name__, error)
lab.stop()
"""


def test_a_lab_that_serves_imports_no_dataclasses(tmp_path: Path) -> None:
    """``dataclasses`` (1.85 M instructions to import) is loaded by the first assignment to a
    frozen record or event, which it names, not by a lab's import or its answers."""
    ok, loaded, record, event = _run(_DATACLASSES, tmp_path)
    assert ok == "HTTP/1.1 200 OK"
    assert loaded == "False"
    assert record == "dataclasses FrozenInstanceError cannot assign to field 'hop'"
    assert event == "dataclasses FrozenInstanceError cannot assign to field 'hop'"


# a fresh process starts a lab and says whether personalities built CHUNK_LINES, then reads it
_CHUNK_LINES = """
import labkit
from labkit import personalities
lab = labkit.start()
print("CHUNK_LINES" in vars(personalities))
print([len(row[1]) for row in personalities.CHUNK_LINES])
from labkit.personalities import CHUNK_LINES
print(CHUNK_LINES is personalities.CHUNK_LINES)
lab.stop()
"""


def test_the_long_chunk_lines_are_built_when_first_read(tmp_path: Path) -> None:
    """``personalities.CHUNK_LINES`` holds two 200,000-byte requests (0.4 MB of every lab
    process) that only the real gateways' test and the gateways document read: a lab does not
    build them, its first reader does, the same rows by either way of naming them."""
    built, sizes, same = _run(_CHUNK_LINES, tmp_path)
    assert built == "False"
    assert sizes == "[5100, 5108, 200100, 200108]"
    assert same == "True"
