"""A real JupyterHub on 127.0.0.1 with three real students and an instructor who is not root.

Each student's server is spawned by LocalProcessSpawner as that student; kernels run
lesson 00 and a code exercise through the hub (the Jupyter REST API and kernel
websocket behind the hub's proxy); each opens a lab page from ``lab.browser_link()``
through the hub; nobody reaches another student's lab, directly from their kernel or
through their own ``/proxy/PORT/``; the instructor collects the class (and grades it).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import httpx
import pytest
from helpers import NEVER_ANSWER
from sharedhost import shared_dir, shared_python, system_users

from labkit import scenarios
from labkit.exercises.lesson_502 import q4
from labkit.http import peers

# serial (make test JOBS=2 runs it alone, after the others): the class's whole run has a time
# budget (150 s, test_a_class_on_a_real_hub) and the hub, its proxy and each learner's server
# start under deadlines: measured beside another worker, they would measure its load
pytestmark = [pytest.mark.slow, pytest.mark.serial]

CHP = shutil.which("configurable-http-proxy")
WRONG_ANSWER = "def who_made_it(status, headers):\n    return 'origin'\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


HUB_CONFIG = """
c = get_config()  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.ConfigurableHTTPProxy.pid_file = "{tmp}/proxy.pid"
c.JupyterHub.db_url = "sqlite:///{tmp}/hub.sqlite"
c.JupyterHub.cookie_secret_file = "{tmp}/cookie_secret"
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allowed_users = set({students!r})
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [{singleuser!r}]
# window.jupyterapp, so that the browser test below can run all cells as the lab's menu does
c.Spawner.args = ["--LabApp.expose_app_in_browser=True"]
c.Spawner.environment = {environment!r}
c.Spawner.start_timeout = 90
c.Spawner.http_timeout = 90
c.JupyterHub.cleanup_servers = True
c.JupyterHub.services = [{{"name": "labkit-test", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{"name": "labkit-test", "services": ["labkit-test"],
    "scopes": ["admin:users", "admin:servers", "tokens", "access:servers"]}}]
"""


class Kernel:
    """A kernel in a student's single-user server, driven over its websocket through the hub."""

    def __init__(self, hub: str, user: str, token: str) -> None:
        self.base = f"{hub}/user/{user}"
        self.headers = {"Authorization": f"token {token}"}
        r = httpx.post(f"{self.base}/api/kernels", headers=self.headers, json={}, timeout=60)
        r.raise_for_status()
        self.id = r.json()["id"]
        self.session = uuid.uuid4().hex
        self.loop = asyncio.new_event_loop()
        self.ws = self.loop.run_until_complete(self._connect())

    async def _connect(self):
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        url = self.base.replace("http://", "ws://") + f"/api/kernels/{self.id}/channels"
        return await websocket_connect(
            HTTPRequest(url, headers=self.headers), max_message_size=64 << 20
        )

    def run(self, code: str, timeout: float = 60) -> str:
        """Run one cell; its stdout and results as text. A cell that raises fails the test."""
        return self.loop.run_until_complete(asyncio.wait_for(self._run(code), timeout))

    async def _run(self, code: str) -> str:
        msg_id = uuid.uuid4().hex
        await self.ws.write_message(
            json.dumps(
                {
                    "header": {
                        "msg_id": msg_id,
                        "msg_type": "execute_request",
                        "session": self.session,
                        "username": "test",
                        "version": "5.3",
                    },
                    "parent_header": {},
                    "metadata": {},
                    "channel": "shell",
                    "buffers": [],
                    "content": {
                        "code": code,
                        "silent": False,
                        "store_history": True,
                        "user_expressions": {},
                        "allow_stdin": False,
                        "stop_on_error": True,
                    },
                }
            )
        )
        out: list[str] = []
        replied = idle = False
        while not (replied and idle):
            raw = await self.ws.read_message()
            assert raw is not None, "the kernel's websocket closed"
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["header"]["msg_type"], msg["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind in ("execute_result", "display_data"):
                out.append(content["data"].get("text/plain", "") + "\n")
            elif kind == "error":
                raise AssertionError(
                    f"cell failed: {content['ename']}: {content['evalue']}\n{code}"
                )
            elif kind == "execute_reply":
                replied = True
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
        return "".join(out)

    def close(self) -> None:
        """Close the websocket on its own loop (tornado needs it running), then the kernel."""
        try:
            self.loop.run_until_complete(asyncio.wait_for(self._close(), 10))
        finally:
            self.loop.close()
            httpx.delete(f"{self.base}/api/kernels/{self.id}", headers=self.headers, timeout=30)

    async def _close(self) -> None:
        self.ws.close()
        while await self.ws.read_message() is not None:  # until the server's close frame
            pass


def _close_all(kernels: list[Kernel], failing: bool) -> None:
    """Close every kernel; when the test is already failing, a cleanup error never hides it."""
    errors = []
    for k in kernels:
        try:
            k.close()
        except Exception as exc:  # raised below, once every kernel is closed
            errors.append(exc)
    if errors and not failing:
        raise errors[0]


def _lesson_00_cells() -> list[str]:
    nb = json.loads(
        (Path(__file__).parent.parent / "notebooks" / "00-start-here.ipynb").read_text()
    )
    cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]

    def stops(cell: str) -> bool:
        return any(line.split("#")[0].strip() == "lab.stop()" for line in cell.splitlines())

    return [c for c in cells if not stops(c)]  # the lab stays up: the others try to reach it


@pytest.fixture(scope="module")
def hub():
    if CHP is None:
        pytest.skip("needs configurable-http-proxy (npm install -g configurable-http-proxy)")
    if not peers.available():
        pytest.skip("needs NETLINK_SOCK_DIAG: without it labs cannot refuse other users")
    python = shared_python()
    # labkit's JupyterLab defaults (no Jupyter news prompt), where `pip install labkit` in a
    # user image puts them: the shared venv holds labkit's dependencies but not labkit itself
    lab_settings = python.parent.parent / "share" / "jupyter" / "lab" / "settings" / "overrides.d"
    lab_settings.mkdir(parents=True, exist_ok=True)
    settings = Path(__file__).resolve().parent.parent / "jupyter-config/lab/settings/overrides.d"
    shutil.copy(settings / "labkit-defaults.json", lab_settings)
    with shared_dir() as shared, system_users("ann", "bo", "cy", "teach") as users:
        *students, teacher = users
        exchange = shared / "course" / "exchange"
        exchange.parent.mkdir()
        os.chown(exchange.parent, teacher.uid, teacher.gid)
        assert (
            teacher.run(
                [str(python), "-m", "labkit", "exchange", "init", str(exchange)],
                env={"PYTHONPATH": str(shared / "pythonpath")},
            ).returncode
            == 0
        )
        tmp = shared / "hub"
        tmp.mkdir(mode=0o700)
        port, token = _free_port(), secrets.token_hex(16)
        env = {"PYTHONPATH": str(shared / "pythonpath"), "LABKIT_EXCHANGE": str(exchange)}
        (tmp / "config.py").write_text(
            HUB_CONFIG.format(
                port=port,
                hub_port=_free_port(),
                api_port=_free_port(),
                chp=CHP,
                tmp=tmp,
                students=[s.name for s in students],
                singleuser=str(python.parent / "jupyterhub-singleuser"),
                environment=env,
                token=token,
            )
        )
        log = open(tmp / "hub.log", "wb")
        proc = subprocess.Popen(
            [str(python.parent / "jupyterhub"), "-f", str(tmp / "config.py")],
            cwd=tmp,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={"PATH": os.environ["PATH"]},
        )
        url = f"http://127.0.0.1:{port}"
        api = {"Authorization": f"token {token}"}
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{url}/hub/api/", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert proc.poll() is None and time.monotonic() < deadline, (
                    tmp / "hub.log"
                ).read_text()[-3000:]
                time.sleep(0.2)
            tokens = {}
            for s in students:  # every server spawns at once, as at a class start
                httpx.post(f"{url}/hub/api/users/{s.name}/server", headers=api, timeout=60)
                r = httpx.post(
                    f"{url}/hub/api/users/{s.name}/tokens", headers=api, json={}, timeout=30
                )
                tokens[s.name] = r.json()["token"]
            for s in students:
                deadline = time.monotonic() + 90
                while (
                    not httpx.get(f"{url}/hub/api/users/{s.name}", headers=api, timeout=30)
                    .json()["servers"]
                    .get("", {})
                    .get("ready")
                ):
                    assert time.monotonic() < deadline, (tmp / "hub.log").read_text()[-3000:]
                    time.sleep(0.3)
            yield {
                "url": url,
                "students": students,
                "teacher": teacher,
                "tokens": tokens,
                "python": python,
                "shared": shared,
                "exchange": exchange,
                "log": tmp / "hub.log",
            }
        finally:
            proc.send_signal(signal.SIGTERM)  # the hub stops its servers and its proxy
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()


def test_a_class_on_a_real_hub(hub) -> None:
    began = time.monotonic()
    url, students, tokens = hub["url"], hub["students"], hub["tokens"]
    kernels, labs = {}, {}
    try:
        for i, s in enumerate(students):
            k = kernels[s.name] = Kernel(url, s.name, tokens[s.name])
            for cell in _lesson_00_cells():
                k.run(cell)
            answer = WRONG_ANSWER if i == 2 else q4.solution_text.split("q4.check(")[0]
            k.run(answer)
            verdict = k.run(
                "from labkit.exercises.lesson_502 import q4\n"
                "print(bool(q4.check(who_made_it, lab)))"
            )
            assert verdict.strip().splitlines()[-1] == ("False" if i == 2 else "True")
            labs[s.name] = json.loads(
                k.run(
                    "import json\nprint(json.dumps({**lab.urls(), 'gateway_port': lab.gateway.port,"
                    " 'control': lab.control.url,"
                    " 'link': lab.browser_link('gateway', '/up/garbage/').proxied}))"
                )
            )
        for s in students:
            mine, headers = labs[s.name], {"Authorization": f"token {tokens[s.name]}"}
            # the lab page a learner opens from browser_link(), through the hub
            assert mine["link"] == f"/user/{s.name}/proxy/{mine['gateway_port']}/up/garbage/"
            page = httpx.get(url + mine["link"], headers=headers, timeout=30)
            assert page.status_code == 502 and "gateway" in page.text.lower()
            for other in students:
                if other is s:
                    continue
                theirs = labs[other.name]
                # through their own jupyter-server-proxy: the other lab refuses
                r = httpx.get(
                    f"{url}/user/{s.name}/proxy/{theirs['gateway_port']}/orders/7",
                    headers=headers,
                    timeout=30,
                )
                assert (r.status_code, r.text) == (403, peers.REFUSAL_TEXT)
                portal_port = theirs["portal"].rsplit(":", 1)[1]
                r = httpx.post(
                    f"{url}/user/{s.name}/proxy/{portal_port}/_portal/login",
                    headers=headers,
                    data={"accept": "yes"},
                    timeout=30,
                )
                assert r.status_code == 403
                # every other server of theirs, through the proxy: the origin (the gateway's
                # way around), the control server (its token is theirs alone) and each
                # upstream that answers at all
                others = {
                    "origin": theirs["origin"],
                    "control": theirs["control"],
                    **{
                        name: u
                        for name, u in theirs["upstreams"].items()
                        if name not in NEVER_ANSWER
                    },
                }
                for name, server in others.items():
                    port = server.rsplit(":", 1)[1]
                    r = httpx.get(f"{url}/user/{s.name}/proxy/{port}/", headers=headers, timeout=30)
                    assert (name, r.status_code, r.text) == (name, 403, peers.REFUSAL_TEXT)
                # directly from their kernel
                seen = kernels[s.name].run(
                    f"import httpx\nprint(httpx.get('{theirs['gateway']}/orders/7').status_code)"
                )
                assert seen.strip() == "403"
                # nor their progress, their inbox entries or their lab's registry: files of
                # theirs, from this learner's kernel (a home of 0700; the inbox lists for
                # the instructor alone), and `labkit ctl` at their lab says whose it is
                seen = kernels[s.name].run(
                    "import os, subprocess, sys\n"
                    "for path in (os.path.expanduser('~"
                    + other.name
                    + "'), "
                    + repr(str(hub["exchange"] / "inbox"))
                    + "):\n"
                    "    try:\n        print(len(os.listdir(path)))\n"
                    "    except OSError as exc:\n        print(type(exc).__name__)\n"
                    "p = subprocess.run([sys.executable, '-m', 'labkit', 'ctl', '--lab', "
                    + repr(theirs["gateway"])
                    + ", 'state'], capture_output=True, text=True)\n"
                    "print(p.returncode, p.stdout.strip() or '-', p.stderr.strip())"
                )
                homes, inbox, ctl = seen.strip().splitlines()[-3:]
                assert (homes, inbox) == ("PermissionError", "PermissionError"), seen
                assert ctl.startswith(
                    f"1 - labkit: error: no running lab of yours is at {theirs['gateway']}: "
                    f"user {other.name}'s program listens on that port now"
                ), ctl
        for s in students:  # each hands in from their kernel
            out = kernels[s.name].run(
                "import subprocess, sys\np = subprocess.run([sys.executable, '-m', 'labkit', "
                "'submit'], capture_output=True, text=True)\nprint(p.stdout, p.stderr)"
            )
            assert "submitted" in out, out
    except BaseException:
        _close_all(list(kernels.values()), failing=True)
        raise
    _close_all(list(kernels.values()), failing=False)
    teacher, python = hub["teacher"], hub["python"]
    env = {"PYTHONPATH": str(hub["shared"] / "pythonpath")}
    collected = teacher.run([str(python), "-m", "labkit", "collect", str(hub["exchange"])], env=env)
    assert collected.returncode == 0, collected.stderr
    rows = [r for r in csv.DictReader(io.StringIO(collected.stdout))]
    status = {(r["user"], r["exercise"]): r["status"] for r in rows}
    names = [s.name for s in students]
    assert {r["user"] for r in rows} == set(names)
    assert [status[n, "502.who-made-it"] for n in names] == ["solved", "solved", "tried"]
    assert all(r["user"] == r["owner"] for r in rows)
    # the instructor re-runs each student's kept code answer, as the student cannot
    graded = teacher.run(
        [str(python), "-m", "labkit", "grade", str(hub["exchange"])], env=env, timeout=120
    )
    assert graded.returncode == 0, graded.stderr
    book = {r["user"]: r for r in csv.DictReader(io.StringIO(graded.stdout))}
    assert [book[n]["502.who-made-it"] for n in names] == ["1", "1", "0"]
    assert "502.who-made-it: " in book[names[2]]["failed"]
    assert time.monotonic() - began < 150


HUB_LESSON = "01-500-internal-server-error.ipynb"


@pytest.mark.browser
def test_a_learner_logs_in_to_the_hub_and_a_playground_answers_in_the_browser(hub) -> None:
    """In Chromium, as a student: log in on the hub's page, open a lesson in JupyterLab behind
    the hub's proxy, Run All, press the playground's "Run scenario": the widgets render (the
    anywidget live region included, from the server's environment), the status region says
    the result in words and the inspector shows the scenario's status."""
    from test_browser import (
        _HEARD,
        _KERNEL_IDLE,
        _LISTEN,
        _SETTLED,
        _SPEAKING,
        CHROMIUM,
        NEWS_PROMPT,
        ROOT,
        _run_all,
    )

    playwright = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    if CHROMIUM is None:
        pytest.skip("no Chromium: apt-get install chromium")
    student = hub["students"][0]
    shutil.copy(ROOT / "notebooks" / HUB_LESSON, student.home / HUB_LESSON)
    # every cell laid out (the test looks for the playground's output wherever it is)
    settings = student.home / ".jupyter/lab/user-settings/@jupyterlab/notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    subprocess.run(["chown", "-R", f"{student.uid}:{student.gid}", str(student.home)], check=True)
    expected = scenarios.for_lesson("500")[0].status
    shots = ROOT / "screenshots"
    shots.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{hub['url']}/hub/login")
            page.fill("input[name=username]", student.name)
            page.fill("input[name=password]", "any password: the hub's dummy authenticator")
            page.click("[type=submit]")
            page.wait_for_url(f"**/user/{student.name}/**", timeout=60000)
            page.goto(f"{hub['url']}/user/{student.name}/lab/tree/{HUB_LESSON}?reset")
            _run_all(page)
            errors = page.locator(
                ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
            ).all_inner_texts()
            assert not [t for t in errors if "Traceback" in t or "Error" in t], errors
            body = page.inner_text("body")
            assert "Error displaying widget" not in body and "Loading widget" not in body
            assert NEWS_PROMPT not in body, "JupyterLab asked the student about Jupyter news"
            button = page.get_by_role("button", name="Run scenario").first
            panel = page.locator(".labkit-panel").filter(has=button).first
            panel.scroll_into_view_if_needed()
            element = panel.element_handle()
            regions = panel.locator("[aria-live]")
            assert regions.count() == 2, "the playground's live regions did not render"
            panel.evaluate_handle(_LISTEN)
            button.click()
            page.wait_for_function(_HEARD, arg=element, timeout=30000)
            page.wait_for_function(
                "(s) => [...document.querySelectorAll('.widget-tab h3')]"
                ".some(h => h.textContent.startsWith(s))",
                arg=str(expected),
                timeout=30000,
            )
            # the action's last message has come once the kernel is idle, and the panel has
            # its final words then, or a frame later (test_browser's _click_every_control);
            # a fixed 0.2 s pause here read them whenever it ended
            page.wait_for_function(_KERNEL_IDLE, timeout=30000)
            try:
                page.wait_for_function(_SETTLED, arg=element, timeout=5000)
            except playwright.TimeoutError:
                pass  # the assertions below say which regions speak
            said = panel.evaluate(_SPEAKING)
            assert [role for role, _ in said] == ["status"], said
            assert str(expected) in said[0][1], said
            page.screenshot(path=str(shots / "hub-01-500-playground.png"))
        finally:
            browser.close()
