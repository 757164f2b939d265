"""In a real browser: JupyterLab opens every lesson, runs it, and its playground shows the status.

Headless Chromium (Debian's ``chromium``) driven by Playwright; skipped, with the reason, when
either is missing. Screenshots land in ``screenshots/`` for a person to look at.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from labkit import scenarios

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TOKEN = "labkit-browser-test"

try:
    from playwright.sync_api import Page, sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    sync_playwright = None  # type: ignore[assignment]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium: apt-get install chromium"),
    pytest.mark.skipif(sync_playwright is None, reason="no playwright: pip install playwright"),
]

NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def _lesson_of(name: str) -> str | None:
    m = re.match(r"\d\d-(\d{3})-", name)
    return m.group(1) if m else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def jupyter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("jupyter")
    work = home / "notebooks"
    shutil.copytree(ROOT / "notebooks", work)
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    port = _free_port()
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               LABKIT_PROGRESS=str(home / "progress.json"), LABKIT_RUNTIME_DIR=str(home / "run"))  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", f"--ServerApp.token={TOKEN}", f"--ServerApp.root_dir={work}",
         "--LabApp.expose_app_in_browser=True", "--ServerApp.disable_check_xsrf=True",
         *(["--allow-root"] if os.geteuid() == 0 else [])],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail(
            "JupyterLab did not start within 60 s: " + (proc.stderr.read() if proc.stderr else "")
        )
    yield base
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def browser(jupyter: str):
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield b
        b.close()


def _run_all(page: Page) -> None:
    page.wait_for_function(
        "window.jupyterapp && window.jupyterapp.shell.currentWidget", timeout=60000
    )
    page.wait_for_selector(".jp-Notebook-cell", timeout=60000)
    page.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " return w && w.sessionContext && w.sessionContext.session"
        " && w.sessionContext.session.kernel && w.sessionContext.session.kernel.status === 'idle'; }",
        timeout=60000,
    )
    # Run All: the lessons leave their lab running, so the playgrounds work afterwards
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_timeout(500)
    page.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " const prompts = [...document.querySelectorAll('.jp-InputArea-prompt')].map(p => p.textContent);"
        " return w.sessionContext.session.kernel.status === 'idle'"
        " && prompts.length > 0 && !prompts.some(t => t.includes('*')); }",
        timeout=90000,
    )


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_lesson_runs_in_the_browser(browser, jupyter: str, name: str) -> None:
    shots = ROOT / "screenshots"
    shots.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{jupyter}/lab/tree/{name}?token={TOKEN}&reset")
        _run_all(page)
        errors = page.locator(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        )
        tracebacks = [t for t in errors.all_inner_texts() if "Traceback" in t or "Error" in t]
        assert not tracebacks, tracebacks
        lesson = _lesson_of(name)
        if lesson is not None:
            expected = scenarios.for_lesson(lesson)[0].status
            button = page.get_by_role("button", name="Run scenario").first
            button.scroll_into_view_if_needed()
            button.click()
            summary = page.locator(".widget-tab h3").first
            summary.wait_for(timeout=15000)
            page.wait_for_function(
                "(s) => [...document.querySelectorAll('.widget-tab h3')].some(h => h.textContent.startsWith(s))",
                arg=str(expected),
                timeout=15000,
            )
            summary.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / f"{Path(name).stem}.png"))
    finally:
        page.close()


def test_error_pages_through_jupyter_server_proxy(browser, jupyter: str) -> None:
    """The lab's pages in a browser tab, behind /proxy/PORT/: relative links keep working."""
    import labkit

    shots = ROOT / "screenshots"
    shots.mkdir(exist_ok=True)
    with labkit.start() as lab:
        page = browser.new_page(viewport={"width": 1000, "height": 700})
        try:
            page.goto(f"{jupyter}/lab?token={TOKEN}")  # sets the auth cookie
            gw = lab.gateway.port
            resp = page.goto(f"{jupyter}/proxy/{gw}/up/garbage/", wait_until="load")
            assert resp is not None and resp.status == 502
            assert "made by the labkit gateway" in page.content()
            lab.origin.maintenance(retry_after=30)
            resp = page.goto(f"{jupyter}/proxy/{gw}/orders/7")
            assert resp is not None and resp.status == 503
            assert resp.headers.get("retry-after") == "30"
            page.screenshot(path=str(shots / "proxy-503.png"))
            resp = page.goto(f"{jupyter}/proxy/{lab.portal.port}/orders/7")
            assert resp is not None and resp.status == 511
            page.get_by_role("link", name="Log in to the network").click()
            page.wait_for_selector("form")
            assert f"/proxy/{lab.portal.port}/_portal/login" in page.url
            page.get_by_role("checkbox").check()
            page.get_by_role("button", name="Log in").click()
            page.wait_for_selector("text=You are online")
            assert lab.portal.logged_in
            page.screenshot(path=str(shots / "proxy-511-login.png"))
        finally:
            page.close()
