"""In a real browser: JupyterLab opens every lesson and runs it all, as a learner would.

After Run All, every playground control is clicked: each click must be announced in the
panel's live region, a region that stays in place while its words change, in the DOM and in
Chromium's accessibility tree (``live: polite``, an error ``assertive``), and the inspector
must show that action's result (or be cleared). In the light and the dark theme, axe-core
checks the words and a bar beside a status or verdict must keep 3:1.
Pictures and charts are screenshotted; a picture label or button text wider than its
box fails, as does an input squeezed too narrow to read, and so does any serious or
critical axe-core violation inside the output areas. Headless Chromium (Debian's ``chromium``) driven by Playwright, axe-core from npm
(``npm install --no-save axe-core``, as ``.ci/run`` does); skipped, with the reason, when
any is missing. Screenshots land in ``screenshots/`` for a person to look at.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from matplotlib.colors import to_rgb
from procguard import Bound

from labkit import scenarios
from labkit.render.palette import PICTURE_DARK
from labkit.render.svg import SHRINK

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TOKEN = "labkit-browser-test"

try:
    from playwright.sync_api import Locator, Page, Playwright, sync_playwright
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # pragma: no cover - depends on the environment
    sync_playwright = None  # type: ignore[assignment]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium: apt-get install chromium"),
    pytest.mark.skipif(sync_playwright is None, reason="no playwright: pip install playwright"),
]

NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
# and their translations (notebooks/zh/, docs/i18n.md): walked the same way, by
# tests/test_browser_zh.py (a module of its own: `make test JOBS=2` gives each module to one
# worker, and this one alone was the parallel phase's longest path, ~1,300 s at load 10)
TRANSLATED = sorted(
    p.relative_to(ROOT / "notebooks").as_posix()
    for p in (ROOT / "notebooks").glob("*/[0-9][0-9]-*.ipynb")
)


# labkit's JupyterLab defaults (pyproject's data-files install them beside JupyterLab)
LAB_DEFAULTS = "jupyter-config/lab/settings/overrides.d/labkit-defaults.json"

# JupyterLab's first-open prompt (its announcements), which labkit's defaults turn off
NEWS_PROMPT = "official Jupyter news"


def _lesson_of(name: str) -> str | None:
    m = re.match(r"\d\d-(\d{3})-", name)
    return m.group(1) if m else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_jupyter(
    work: Path, env: dict[str, str], log: Path
) -> tuple[subprocess.Popen[bytes], int]:
    """JupyterLab on a free port, and that port: the one it says it serves on.

    A port found free can be taken before JupyterLab binds it (another browser module on the
    other worker, any test's server): JupyterLab then tried the next ports (port_retries) and
    served on one the test did not know, while the test's wait for the port it chose could
    connect to whatever held it. With --ServerApp.port_retries=0 it binds the port it is given
    or exits; the test waits for its own line naming that port, and on a port lost to another
    process starts again on a new one."""
    for _ in range(5):
        port = _free_port()
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "jupyter",
                    "lab",
                    "--no-browser",
                    "--ServerApp.ip=127.0.0.1",
                    f"--ServerApp.port={port}",
                    "--ServerApp.port_retries=0",
                    f"--ServerApp.token={TOKEN}",
                    f"--ServerApp.root_dir={work}",
                    "--LabApp.expose_app_in_browser=True",
                    "--ServerApp.disable_check_xsrf=True",
                    *(["--allow-root"] if os.geteuid() == 0 else []),
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                # a file, not a pipe nobody reads: JupyterLab logs every kernel it starts
                stderr=out,
            )
        serving = f"http://127.0.0.1:{port}/".encode()
        # 60 s of its own time: beside busy cores its start waited for a CPU far longer
        # than it ran (procguard)
        bound = Bound(proc.pid, 60)
        while proc.poll() is None and not bound.reached():
            if serving in log.read_bytes():
                return proc, port
            time.sleep(0.2)
        said = log.read_text(errors="replace")
        if proc.poll() is None:
            proc.kill()
            proc.wait()
            pytest.fail(f"JupyterLab did not start: it {bound.said()}; its log: {said}")
        if f"port {port} is not available" not in said:
            pytest.fail(f"JupyterLab exited with {proc.returncode}: {said}")
    pytest.fail("JupyterLab found no free port in 5 tries: " + said)


@pytest.fixture(scope="module")
def jupyter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("jupyter")
    work = home / "notebooks"
    shutil.copytree(ROOT / "notebooks", work)
    # no "fetchNews" setting here: labkit's own JupyterLab defaults must keep the news prompt
    # away (jupyter-config/, installed beside JupyterLab; the lesson test checks)
    # every cell laid out, so the checks below see every output, not only those on screen
    tracker = home / "settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    # labkit's JupyterLab defaults as this checkout has them (JupyterLab layers a config
    # directory's default_setting_overrides.json over those installed beside it): the copy
    # `make` put in .venv is the one of the checkout that made the venv, and a change to them
    # went untested here
    labconfig = home / "config" / "labconfig"
    labconfig.mkdir(parents=True)
    shutil.copy(ROOT / LAB_DEFAULTS, labconfig / "default_setting_overrides.json")
    config_path = os.environ.get("JUPYTER_CONFIG_PATH")
    env = dict(
        os.environ,
        JUPYTER_CONFIG_PATH=os.pathsep.join([str(home / "config"), *filter(None, [config_path])]),
        JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
        LABKIT_PROGRESS=str(home / "progress.json"),
        LABKIT_RUNTIME_DIR=str(home / "run"),
    )
    proc, port = _start_jupyter(work, env, home / "jupyter.log")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    try:
        proc.wait(30)  # under load JupyterLab took more than 10 s to stop its kernels
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextlib.contextmanager
def playwright_in(temp: Path) -> Iterator[Playwright]:
    """Playwright whose driver, and every Chromium it launches, keep their temporary files in
    ``temp``: the driver's profile (``playwright_chromiumdev_profile-*``) and Chromium's own
    directory for its single-instance socket (``org.chromium.Chromium.*``), which a browser
    that did not close cleanly (a run stopped, a timeout) left in the machine's /tmp, one
    each time. Both read TMPDIR; the browser inherits the driver's environment, so TMPDIR is
    set only while the driver starts, and tests/test_leftovers.py checks where they go.
    ``temp``'s path must stay short: Chromium's socket path in it is at most 107 bytes (a
    test's own ``tmp_path``, named after the test, made Chromium abort)."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TMPDIR", str(temp))
        playwright = sync_playwright().start()
    try:
        yield playwright
    finally:
        playwright.stop()


@pytest.fixture(scope="module")
def browser(jupyter: str, tmp_path_factory: pytest.TempPathFactory):
    with playwright_in(tmp_path_factory.mktemp("chromium")) as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
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
    # Run All: the lessons leave their lab running, so the playgrounds work afterwards.
    # page.evaluate awaits the command's promise, which JupyterLab resolves once every cell
    # has run (NotebookActions.runAll): the check below finds them done, with no fixed pause
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " const prompts = [...document.querySelectorAll('.jp-InputArea-prompt')].map(p => p.textContent);"
        " return w.sessionContext.session.kernel.status === 'idle'"
        " && prompts.length > 0 && !prompts.some(t => t.includes('*')); }",
        timeout=90000,
    )


# Before a click: the panel's live regions (the elements), and from now on every line
# they are given, heard as a screen reader hears it: a change inside a region that stays.
_LISTEN = """(panel) => {
  const regions = [...panel.querySelectorAll('[aria-live]')];
  if (panel.__listener) panel.__listener.disconnect();
  panel.__heard = [];
  panel.__listener = new MutationObserver((changes) => {
    for (const change of changes) {
      const region = regions.find(r => r === change.target || r.contains(change.target));
      if (region && region.textContent.trim())
        panel.__heard.push(region.getAttribute('role') + ': ' + region.textContent.trim());
    }
  });
  for (const r of regions)
    panel.__listener.observe(r, {childList: true, characterData: true, subtree: true});
  return regions;
}"""

# What a click must lead to: words given to one of the regions that were already there.
_HEARD = "(panel) => panel.__heard.length > 0"

# '' when the panel's live regions are the very elements they were before the click
_SAME_REGIONS = """([panel, before]) => {
  const now = [...panel.querySelectorAll('[aria-live]')];
  return now.length === before.length && now.every((r, k) => r === before[k]) ? ''
    : `the live regions were replaced (${before.length} before, ${now.length} now)`;
}"""

# The region that speaks after an action, and its words
_SPEAKING = """(panel) => {
  const said = [...panel.querySelectorAll('[aria-live]')].filter(r => r.textContent.trim());
  return said.map(r => [r.getAttribute('role'), r.textContent.trim()]);
}"""

# After a click: exactly one of the panel's live regions has words, as the checks below want
_SETTLED = """(panel) => [...panel.querySelectorAll('[aria-live]')].filter(
  r => r.textContent.trim()).length === 1"""

_KERNEL_IDLE = (
    "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'"
)

# The inspector tells the same story as the announcement, or is cleared.
_INSPECTOR_AGREES = """(panel, shows) => {
  const said = [...panel.querySelectorAll('[aria-live]')].find(r => r.textContent.trim());
  if (!said) return 'no live region has words';
  if (said.getAttribute('role') === 'alert') return 'error: ' + said.textContent;
  const tab = panel.querySelector('.widget-tab');
  if (!tab) return '';
  const h3 = tab.querySelector('h3');
  const text = said.textContent;
  if (text.includes(shows)) {
    if (!h3) return 'inspector empty after: ' + text;
    return text.includes(h3.textContent.trim()) ? '' : `inspector shows ${h3.textContent} after: ${text}`;
  }
  return h3 ? `inspector still shows ${h3.textContent} after: ${text}` : '';
}"""

# The colour arithmetic both contrast checks below use: a CSS colour's channels, relative
# luminance and contrast ratio (WCAG 2.x), the first opaque background up the tree.
_CONTRAST = """
  const rgb = (css) => (css.match(/[\\d.]+/g) || []).map(Number);
  const channel = (c) => { c /= 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const lum = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const contrast = (x, y) => {
    const [a, b] = [lum(x), lum(y)];
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  };
  const under = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
"""


def _with_contrast(body: str) -> str:
    """A page script ``() => {...}`` whose body can use the colour arithmetic above."""
    return "() => {" + _CONTRAST + body + "}"


# Every bar drawn beside an output's words (a border-left of 3 px or more) against what it
# is drawn on, the first opaque background up the tree: WCAG 1.4.11 asks 3:1.
_BARS = _with_contrast("""
  const weak = [];
  let measured = 0;
  for (const el of document.querySelectorAll('.jp-OutputArea-output *')) {
    const s = getComputedStyle(el);
    if (s.borderLeftStyle === 'none' || parseFloat(s.borderLeftWidth) < 3) continue;
    if (!el.getClientRects().length) continue;
    measured += 1;
    const ratio = contrast(rgb(s.borderLeftColor).slice(0, 3), under(el));
    if (ratio < 3)
      weak.push(`${s.borderLeftColor} on rgb(${under(el)}) is ${ratio.toFixed(2)}:1 beside `
                + JSON.stringify(el.textContent.trim().slice(0, 50)));
  }
  return [measured, weak];
""")

_OVERFLOWS = """() => {
  const bad = [];
  for (const svg of document.querySelectorAll('.jp-OutputArea-output svg[role=img]')) {
    const width = svg.viewBox.baseVal.width;
    for (const t of svg.querySelectorAll('text')) {
      const b = t.getBBox();
      if (b.width > 0 && (b.x < -1 || b.x + b.width > width + 1))
        bad.push('picture label outside the picture: ' + t.textContent);
    }
    for (const r of svg.querySelectorAll('rect[rx]')) {
      const t = r.nextElementSibling;
      if (t && t.tagName === 'text' && t.getBBox().width > r.getBBox().width + 1)
        bad.push('lane name wider than its box: ' + t.textContent);
    }
  }
  for (const input of document.querySelectorAll('.jp-OutputArea-output input:not([type=checkbox]):not([type=radio])')) {
    if (input.offsetParent !== null && input.clientWidth < 40)
      bad.push(`an input ${input.clientWidth} px wide, too narrow to read: `
               + (input.closest('.widget-inline-hbox') || input).textContent.trim());
  }
  const boxes = '.jp-OutputArea-output button, .jp-OutputArea-output .widget-label, '
    + '.jp-OutputArea-output .widget-label-basic, .jp-OutputArea-output .lm-TabBar-tabLabel';
  for (const b of document.querySelectorAll(boxes)) {
    if (!b.getClientRects().length || !b.textContent.trim()) continue;
    if (b.scrollWidth > b.clientWidth + 1)
      bad.push(`${b.tagName.toLowerCase()} text wider than its box: ${b.textContent.trim()}`);
  }
  return bad;
}"""

# Every control of every panel, focused: its ring (outline) at least 2 px and 3:1 against what
# it is drawn on (WCAG 1.4.11, 2.4.7). ipywidgets' own rule takes the outline off its text and
# number boxes (`outline: none !important`), leaving a 1 px border near 2:1.
_FOCUS_RINGS = _with_contrast("""
  const weak = [];
  const controls = '.labkit-panel input, .labkit-panel select, .labkit-panel button, .labkit-panel textarea';
  for (const el of document.querySelectorAll(controls)) {
    if (!el.getClientRects().length || el.disabled) continue;
    el.focus();
    const s = getComputedStyle(el);
    const name = el.getAttribute('aria-label') || el.textContent.trim() || el.type;
    if (s.outlineStyle === 'none' || parseFloat(s.outlineWidth) < 2) {
      weak.push(`no focus ring on ${el.tagName.toLowerCase()} ${JSON.stringify(name.slice(0, 40))}`);
      continue;
    }
    const ratio = contrast(rgb(s.outlineColor).slice(0, 3), under(el.parentElement));
    if (ratio < 3)
      weak.push(`focus ring ${ratio.toFixed(2)}:1 on ${el.tagName.toLowerCase()} ${JSON.stringify(name.slice(0, 40))}`);
  }
  document.activeElement && document.activeElement.blur();
  return weak;
""")

# In the dark theme, every button of every panel: its edge (its border, else its fill where it
# has none) at least 3:1 against what it is drawn on (WCAG 1.4.11's non-text contrast), a
# colour with alpha laid over that background first. ipywidgets' plain buttons there were
# #424242 fills on #111, 1.88:1, with no border: found by their words alone. The light theme's
# (#eee on white) are left as ipywidgets draws them: told by their words (4.5:1), which 1.4.11's
# understanding accepts for a text button.
_BUTTON_EDGES = _with_contrast("""
  const over = (c, bg) => c.length > 3 ? c.slice(0, 3).map((v, k) => v * c[3] + bg[k] * (1 - c[3])) : c;
  const weak = [];
  let measured = 0;
  for (const el of document.querySelectorAll('.labkit-panel button')) {
    if (!el.getClientRects().length) continue;
    const s = getComputedStyle(el);
    const bg = under(el.parentElement);
    const bordered = s.borderTopStyle !== 'none' && parseFloat(s.borderTopWidth) >= 1;
    const edge = over(rgb(bordered ? s.borderTopColor : s.backgroundColor), bg);
    measured += 1;
    const ratio = contrast(edge, bg);
    if (ratio < 3)
      weak.push(`a button's edge ${ratio.toFixed(2)}:1 (${bordered ? 'border' : 'fill, no border'}): `
                + JSON.stringify(el.textContent.trim().slice(0, 40)));
  }
  return [measured, weak];
""")

_AXE_RUN = """async () => {
  const outputs = document.querySelectorAll('.jp-OutputArea-output');
  if (!outputs.length) return [];
  const result = await axe.run(outputs, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.impact} ${v.id}: ${v.help} -- ` +
      v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + n.failureSummary).join(' | '));
}"""


# One output (the one holding ``panel``) with moderate violations too: the inspector's tabs are
# checked one by one, each shown in turn (its Raw bytes tab once skipped a heading level)
_AXE_OUTPUT = """async (panel) => {
  const result = await axe.run(panel.closest('.jp-OutputArea-output'), {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact !== 'minor')
    .map(v => `${v.impact} ${v.id}: ${v.help} -- ` +
      v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + n.failureSummary).join(' | '));
}"""

# In the dark theme: every picture shown is drawn on the dark paper, and each chart shows its
# dark image only
_DARK_PICTURES = """(paper) => {
  const bad = [];
  for (const svg of document.querySelectorAll('.jp-OutputArea-output svg[role=img]')) {
    if (!svg.getClientRects().length) continue;
    const fill = getComputedStyle(svg.querySelector('rect')).fill;
    if (fill !== paper)
      bad.push(`a picture on ${fill}, not ${paper}: ` + svg.getAttribute('aria-label').slice(0, 60));
  }
  for (const img of document.querySelectorAll('.jp-OutputArea-output .labkit-chart img')) {
    const shown = img.getClientRects().length > 0;
    if (shown !== img.classList.contains('labkit-on-dark'))
      bad.push(`the chart image ${img.className} is ${shown ? 'shown' : 'hidden'}: ` + img.alt.slice(0, 60));
  }
  return bad;
}"""


_TAB_SELECTED = """([panel, title]) => [...panel.querySelectorAll('[role=tab]')].some(
  t => t.textContent.trim() === title && t.getAttribute('aria-selected') === 'true')"""


def _inspector_tabs(page: Page, button, lang: str) -> list[str]:
    """Each tab of the inspector next to ``button``, shown in turn and checked by axe-core."""
    from labkit.widgets import Inspector

    panel = page.locator(".labkit-panel").filter(has=button).first
    found = []
    titles = [title.render(lang) for title in Inspector.TITLES]
    for title in titles:
        panel.get_by_role("tab", name=title, exact=True).click()
        # shown: Lumino marks the tab selected when it draws it (a frame after the click)
        page.wait_for_function(_TAB_SELECTED, arg=[panel.element_handle(), title], timeout=15000)
        # what it shows is a tab panel named by it, as a screen reader gets it
        if not panel.get_by_role("tabpanel", name=title, exact=True).is_visible():
            found.append(f"the inspector's {title} tab shows no tab panel named {title!r}")
        found += [f"the inspector's {title} tab: {v}" for v in panel.evaluate(_AXE_OUTPUT)]
    panel.get_by_role("tab", name=titles[0], exact=True).click()
    return found


def _language_of(name: str) -> str:
    """A lesson's language: a translation's folder names it (notebooks/zh/: zh-CN)."""
    from labkit import i18n

    folder = Path(name).parent.as_posix()
    return next((lang for lang, d in i18n.NOTEBOOK_DIRS.items() if d == folder), i18n.ENGLISH)


def _mean_luminance(png: Path) -> float:
    from matplotlib.image import imread

    img = imread(str(png))[..., :3]
    return float((0.2126 * img[..., 0] + 0.7152 * img[..., 1] + 0.0722 * img[..., 2]).mean())


# A live region's politeness as a screen reader gets it: what ARIA's role implies
LIVE = {"status": "polite", "alert": "assertive"}


def _ax_panel(cdp, i: int) -> str:
    """Panel i, as CDP names it (a remote object's id, valid until the session ends)."""
    return cdp.send(
        "Runtime.evaluate", {"expression": f"document.querySelectorAll('.labkit-panel')[{i}]"}
    )["result"]["objectId"]


def _ax_live_regions(cdp, panel: str) -> list[tuple[str, str, str, int]]:
    """A panel's live regions in Chromium's accessibility tree, as a screen reader gets them:
    (role, its ``live`` property, its text, the DOM node it stands for: backendDOMNodeId)."""

    def text(node_id: str) -> str:
        parts = []
        for child in cdp.send("Accessibility.getChildAXNodes", {"id": node_id})["nodes"]:
            if child.get("role", {}).get("value") == "StaticText":
                parts.append(child.get("name", {}).get("value", ""))
            else:
                parts.append(text(child["nodeId"]))
        return "".join(parts)

    found = []
    for role in LIVE:
        for node in cdp.send("Accessibility.queryAXTree", {"objectId": panel, "role": role})[
            "nodes"
        ]:
            props = {p["name"]: p["value"].get("value") for p in node.get("properties", [])}
            found.append(
                (role, str(props.get("live")), text(node["nodeId"]), node["backendDOMNodeId"])
            )
    return found


def _ax_announced(cdp, panel: str, before: list[tuple[str, str, str, int]], said: str) -> str:
    """'' when the panel's live regions are, in the accessibility tree, the same nodes as before
    the click (backendDOMNodeId), each with the politeness its role calls for, and the one
    that speaks holds the words the page shows (``said``; white space collapsed, as the tree
    collapses it)."""
    regions = _ax_live_regions(cdp, panel)
    if sorted(r[0] for r in regions) != sorted(LIVE):
        return f"live regions in the accessibility tree: {regions}, not one status and one alert"
    if [r[3] for r in regions] != [r[3] for r in before]:
        return f"the live regions are new nodes: {before} became {regions}"
    for role, live, _, _ in regions:
        if live != LIVE[role]:
            return f"the {role} region is exposed with live: {live}, not {LIVE[role]}"
    speaking = [r for r in regions if r[2].strip()]
    if [" ".join(r[2].split()) for r in speaking] != [" ".join(said.split())]:
        return f"the accessibility tree says {[r[2] for r in speaking]}, the page {said!r}"
    return ""


# The three checks after a click in one call to the page (each call is a round trip to
# Chromium, 20-90 ms on a loaded host, and lesson 08 clicks 144 times)
_AFTER_CLICK = f"""([panel, before, shows]) => [
  ({_SAME_REGIONS})([panel, before]), ({_INSPECTOR_AGREES})(panel, shows), ({_SPEAKING})(panel)]"""


def _shows_it(lang: str) -> str:
    """The words a playground's status line ends with when the inspector shows its result
    ("The inspector below shows it"), in ``lang``."""
    from labkit import i18n

    line = i18n.translate(
        lang,
        "{action}: {status}{made}. The inspector below shows it.",
        action="",
        status="",
        made="",
    )
    return line.lstrip(":：.。 ").rstrip(".。")


def _click_every_control(page: Page, lang: str) -> tuple[list[str], int]:
    """Click each playground's buttons and boxes; return what went wrong, and how many.

    Each click must be announced: new words in one of the panel's two live regions (status,
    or alert for an error), given to the very elements that were there before the click (a
    region that arrives with its words is not announced); and in Chromium's accessibility
    tree (CDP ``Accessibility``) the same nodes (backendDOMNodeId), ``live: polite`` or
    ``assertive``, holding the new words."""
    problems: list[str] = []
    clicked = 0
    cdp = page.context.new_cdp_session(page)
    cdp.send("Accessibility.enable")
    shows = _shows_it(lang)
    panels = page.locator(".labkit-panel")
    for i in range(panels.count()):
        panel = panels.nth(i)
        panel.scroll_into_view_if_needed()
        element = panel.element_handle()
        ax_panel = _ax_panel(cdp, i)
        for select in panel.locator("select").all():
            options = select.locator("option").all()
            if len(options) > 1:
                select.select_option(index=len(options) - 1)
                page.wait_for_timeout(200)
        controls = [
            *panel.locator("input[type=checkbox]").all(),
            # a quiz's options: the first two of each radio group, one chosen after the other
            *(
                radio
                for group in panel.locator("[role=radiogroup]").all()
                for radio in group.locator("input[type=radio]").all()[:2]
            ),
            *panel.locator("button.jupyter-button").all(),
        ]
        for control in controls:
            name = control.evaluate(
                "(c) => c.getAttribute('title') || c.innerText || (c.labels[0] || {}).innerText"
                " || c.type"
            )
            before = element.evaluate_handle(_LISTEN)
            ax_before = _ax_live_regions(cdp, ax_panel)
            control.click()  # scrolls it into view first, as a learner would
            clicked += 1
            try:
                page.wait_for_function(_HEARD, arg=element, timeout=15000)
            except Exception:
                problems.append(f"panel {i}: clicking {name!r} announced nothing")
                continue
            # the rest of the action's messages: an action that waits (half a request) says
            # so at once, then its result when the kernel is done
            page.wait_for_function(_KERNEL_IDLE, timeout=15000)
            # idle comes after the action's last message, and JupyterLab handles a kernel's
            # messages in order, each widget update before the next: the panel has its final
            # words, or will a frame later (a fixed 0.1 s pause here was 14 s of lesson 08)
            try:
                page.wait_for_function(_SETTLED, arg=element, timeout=2000)
            except PlaywrightTimeout:
                pass  # the checks below say what is wrong
            same, agrees, speaking = page.evaluate(_AFTER_CLICK, [element, before, shows])
            wrong = same or agrees
            if len(speaking) != 1:
                wrong = wrong or f"{len(speaking)} live regions speak: {speaking}"
            said = speaking[0][1] if speaking else ""
            for _ in range(40):  # the accessibility tree follows the DOM a moment later
                unheard = _ax_announced(cdp, ax_panel, ax_before, said)
                if not unheard:
                    break
                page.wait_for_timeout(50)
            wrong = wrong or unheard
            if wrong:
                problems.append(f"panel {i}: {name!r}: {wrong}")
    cdp.detach()
    return problems, clicked


def _changes(page: Page, locator, changed: str, before: object) -> None:
    """Wait, up to 5 s, for a key's effect on an element (``changed`` of it and its value
    before), instead of a fixed pause; the caller's check then says whether it came."""
    try:
        page.wait_for_function(changed, arg=[locator.element_handle(), before], timeout=5000)
    except PlaywrightTimeout:
        pass


def _keyboard_works(page: Page) -> list[str]:
    """The keys the panels' hint promises: Down and Up choose in a list, Alt+Down opens it,
    Space ticks a box."""
    problems = []
    cell = "() => window.jupyterapp.shell.currentWidget.content.activeCellIndex"
    select = page.locator(".labkit-panel select").first
    if select.count():
        select.scroll_into_view_if_needed()
        select.focus()
        # Down without opening the list: the next choice, the focus kept in the list (JupyterLab
        # took the key: the list kept its choice and the next cell became the active one)
        before, at = select.input_value(), page.evaluate(cell)
        page.keyboard.press("ArrowDown")
        _changes(page, select, "([el, before]) => el.value !== before", before)
        kept = page.evaluate("(s) => document.activeElement === s", select.element_handle())
        if select.input_value() == before or page.evaluate(cell) != at or not kept:
            problems.append(
                f"Down on the first drop-down list: {select.input_value()!r} (was {before!r}),"
                f" active cell {page.evaluate(cell)} (was {at}), focus kept: {kept}"
            )
        page.wait_for_function(_KERNEL_IDLE, timeout=15000)
        page.keyboard.press("ArrowUp")
        _changes(page, select, "([el, before]) => el.value === before", before)
        if select.input_value() != before:
            problems.append(f"Up did not choose {before!r} again: {select.input_value()!r}")
        page.wait_for_function(_KERNEL_IDLE, timeout=15000)
        before, at = select.input_value(), page.evaluate(cell)
        page.keyboard.press("Alt+ArrowDown")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        _changes(page, select, "([el, before]) => el.value !== before", before)
        if select.input_value() == before or page.evaluate(cell) != at:
            problems.append("Alt+Down, Down, Enter did not change the first drop-down list")
    box = page.locator(".labkit-panel input[type=checkbox]").first
    if box.count():
        box.scroll_into_view_if_needed()
        box.focus()
        before = box.is_checked()
        page.keyboard.press("Space")
        _changes(page, box, "([el, before]) => el.checked !== before", before)
        if box.is_checked() == before:
            problems.append("Space did not tick the first checkbox")
        page.keyboard.press("Space")  # and back, so the clicks below start from the same state
    # a number box: words it cannot take, typed and Enter, are refused aloud (FloatText put
    # the last number back without a word), and the box shows again what applies
    number = page.locator(".labkit-panel .labkit-number input:enabled").first
    if number.count():
        number.scroll_into_view_if_needed()
        panel = number.locator("xpath=ancestor::*[contains(@class, 'labkit-panel')][1]")
        before = number.input_value()
        number.fill("abc")
        number.press("Enter")
        try:  # the alert quotes what was typed, in either language
            page.wait_for_function(
                "(p) => [...p.querySelectorAll('[role=alert]')].some("
                "r => r.textContent.includes(\"'abc'\"))",
                arg=panel.element_handle(),
                timeout=15000,
            )
        except Exception:
            problems.append("'abc' typed into a number box and Enter: no alert said why")
        page.wait_for_function(_KERNEL_IDLE, timeout=15000)
        if number.input_value() != before:
            problems.append(
                f"the refused number box shows {number.input_value()!r}, not {before!r}"
            )
        # the value that applies, typed again: taken and said, the alert gone (they were the
        # box's own words, so nothing reached Python and the refusal stayed on screen)
        number.fill(before)
        number.press("Enter")
        try:
            page.wait_for_function(
                "(p) => ![...p.querySelectorAll('[role=alert]')].some(r => r.textContent.trim())"
                " && [...p.querySelectorAll('[role=status]')].some(r => r.textContent.trim())",
                arg=panel.element_handle(),
                timeout=15000,
            )
        except Exception:
            problems.append(f"{before!r} typed again after the refusal: the alert stayed")
        page.wait_for_function(_KERNEL_IDLE, timeout=15000)
    return problems


# Every progress bar in an output is one a screen reader knows: a progressbar (a native
# <progress>), named by its label, its value said in words (ipywidgets' IntProgress was two
# divs: no role, no name, no value)
_PROGRESS = """() => [...document.querySelectorAll('.jp-OutputArea-output .progress, '
  + '.jp-OutputArea-output progress')].map(bar => {
  if (bar.tagName !== 'PROGRESS') return 'a progress bar that is not a <progress>';
  if (!bar.labels.length || !bar.labels[0].textContent.trim()) return 'a progress bar without a name';
  return bar.getAttribute('aria-valuetext') ? '' : 'a progress bar without its value in words';
}).filter(Boolean)"""


# The colour the theme gives JupyterLab's page, a variable every output's colours come from
_LAYOUT_COLOUR = (
    "() => getComputedStyle(document.documentElement).getPropertyValue('--jp-layout-color0').trim()"
)


def _screenshot_pictures(page: Page, stem: str, shots: Path) -> list[Path]:
    pictures = page.locator(
        ".jp-OutputArea-output .labkit-picture svg, .jp-OutputArea-output figure img"
    )
    shown = []
    for k in range(pictures.count()):
        picture = pictures.nth(k)
        if not picture.is_visible():
            continue
        picture.scroll_into_view_if_needed()
        shown.append(shots / f"{stem}-picture-{k + 1}.png")
        picture.screenshot(path=str(shown[-1]))
    return shown


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_lesson_runs_in_the_browser(axe: Path, browser, jupyter: str, name: str) -> None:
    walk_lesson(axe, browser, jupyter, name)


def walk_lesson(axe: Path, browser, jupyter: str, name: str) -> None:
    """Lesson ``name`` (a path under notebooks/) opened, run all, and walked as above."""
    shots = ROOT / "screenshots"
    shots.mkdir(exist_ok=True)
    stem = Path(name).with_suffix("").as_posix().replace("/", "-")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{jupyter}/lab/tree/{name}?token={TOKEN}&reset")
        _run_all(page)
        errors = page.locator(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        )
        tracebacks = [t for t in errors.all_inner_texts() if "Traceback" in t or "Error" in t]
        assert not tracebacks, tracebacks
        assert not page.get_by_text(NEWS_PROMPT).count(), "JupyterLab asked about Jupyter news"
        lesson = _lesson_of(Path(name).name)
        if lesson is not None:
            expected = scenarios.for_lesson(lesson)[0].status
            from labkit.widgets import Playground

            lang = _language_of(name)
            run = Playground.RUN.render(lang)
            button = page.get_by_role("button", name=run).first
            button.scroll_into_view_if_needed()
            button.click()
            page.wait_for_function(
                "(s) => [...document.querySelectorAll('.widget-tab h3')].some(h => h.textContent.startsWith(s))",
                arg=str(expected),
                timeout=15000,
            )
            page.screenshot(path=str(shots / f"{stem}.png"))
            page.add_script_tag(path=str(axe))
            tall = page.add_style_tag(content="html, body { height: 100% !important; }")
            tabs = _inspector_tabs(page, button, lang)
            tall.evaluate("(style) => style.remove()")
            assert not tabs, "\n".join(tabs)
        keyboard = _keyboard_works(page)
        assert not keyboard, keyboard
        problems, clicked = _click_every_control(page, _language_of(name))
        assert not problems, problems
        if lesson is not None:
            assert clicked >= 3, f"only {clicked} controls clicked"
        _screenshot_pictures(page, stem, shots)
        overflows = page.evaluate(_OVERFLOWS)
        assert not overflows, overflows
        unnamed = page.evaluate(_PROGRESS)
        assert not unnamed, unnamed
        page.add_style_tag(content="html, body { height: 100% !important; }")
        page.add_script_tag(path=str(axe))
        violations = [f"light theme: {v}" for v in page.evaluate(_AXE_RUN)]
        violations += [f"light theme: a bar {w}" for w in page.evaluate(_BARS)[1]]
        violations += [f"light theme: {w}" for w in page.evaluate(_FOCUS_RINGS)]
        light = page.evaluate(_LAYOUT_COLOUR)
        page.evaluate(
            "() => window.jupyterapp.commands.execute('apputils:change-theme',"
            " {theme: 'JupyterLab Dark'})"
        )
        # the theme's variables applied to every output: its colours in place of the light
        # one's (a fixed 0.5 s pause here before)
        page.wait_for_function(
            f"(light) => document.body.dataset.jpThemeLight === 'false' && ({_LAYOUT_COLOUR})()"
            " !== light",
            arg=light,
            timeout=15000,
        )
        violations += [f"dark theme: {v}" for v in page.evaluate(_AXE_RUN)]
        paper = "rgb({}, {}, {})".format(*(round(c * 255) for c in to_rgb(PICTURE_DARK.paper)))
        violations += [f"dark theme: {w}" for w in page.evaluate(_DARK_PICTURES, paper)]
        for shot in _screenshot_pictures(page, f"{stem}-dark", shots):
            if _mean_luminance(shot) > 0.35:  # mostly light: a picture that kept its white paper
                violations.append(f"dark theme: {shot.name} is light ({_mean_luminance(shot):.2f})")
        measured, weak = page.evaluate(_BARS)  # axe checks words, not bars (WCAG 1.4.11)
        violations += [f"dark theme: a bar {w}" for w in weak]
        violations += [f"dark theme: {w}" for w in page.evaluate(_FOCUS_RINGS)]
        buttons, weak = page.evaluate(_BUTTON_EDGES)
        violations += [f"dark theme: {w}" for w in weak]
        if lesson is not None:
            assert measured > 0, "no bar beside a status or a verdict was measured"
            assert buttons > 0, "no button's edge was measured"
        page.evaluate(
            "() => window.jupyterapp.commands.execute('apputils:change-theme',"
            " {theme: 'JupyterLab Light'})"
        )
        assert not violations, "\n".join(violations)
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
            lab.origin.maintenance(False)
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
            with page.expect_navigation() as back:  # the page asked for, under the prefix
                page.get_by_role("link", name="Back to /orders/7").click()
            resp = back.value
            assert resp is not None and resp.status == 200
            assert page.url.endswith(f"/proxy/{lab.portal.port}/orders/7")
            assert '"id": 7' in page.content()
        finally:
            page.close()


def test_a_browser_set_to_chinese_gets_chinese_pages_through_the_proxy(
    browser, jupyter: str
) -> None:
    """Chromium with its language set to zh-CN sends Accept-Language: zh-CN; through
    jupyter-server-proxy the lab's pages answer in Chinese and say so (docs/i18n.md)."""
    import labkit

    with labkit.start() as lab:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1000, "height": 700})
        page = context.new_page()
        try:
            page.goto(f"{jupyter}/lab?token={TOKEN}")  # sets the auth cookie
            resp = page.goto(f"{jupyter}/proxy/{lab.gateway.port}/up/garbage/")
            assert resp is not None and resp.status == 502
            assert resp.headers.get("content-language") == "zh-CN"
            assert "Accept-Language" in (resp.headers.get("vary") or "")
            assert page.title() == "502 错误的网关"
            assert "本页面由 labkit 的网关生成。" in page.content()
            resp = page.goto(f"{jupyter}/proxy/{lab.portal.port}/orders/7")
            assert resp is not None and resp.status == 511
            page.get_by_role("link", name="登录网络").click()
            page.wait_for_selector("form")
            page.get_by_role("checkbox").check()
            page.get_by_role("button", name="登录").click()
            page.wait_for_selector("text=你已联网")
            assert lab.portal.logged_in
        finally:
            context.close()


# A lesson's glossary link opens the glossary with the term's heading in view. For a heading
# with Chinese characters it opened at the top: JupyterLab looked the anchor up as the browser
# gave it, percent-encoded (notebooks/zh/glossary.md carries the encoded anchor; docs/i18n.md).
GLOSSARY_LINKS = [
    ("00-start-here.ipynb", "FIN", "FIN"),
    ("05-504-gateway-timeout.ipynb", "HAProxy-termination-states", "HAProxy termination states"),
    ("zh/05-504-gateway-timeout.ipynb", "HAProxy-终止状态", "HAProxy 终止状态"),
    ("zh/00-start-here.ipynb", "如何读-RFC-引用", "如何读 RFC 引用"),
]

# the lesson's link to that anchor, once JupyterLab has resolved it (and so handles its click)
_GLOSSARY_LINK = """(anchor) => [...document.querySelectorAll('.jp-RenderedMarkdown a[href]')].find(a => {
  const href = decodeURIComponent(a.getAttribute('href'));
  return href.includes('/files/') && href.includes('glossary.md') && href.endsWith('#' + anchor);
})"""

# the glossary is the current tab and the term's heading is on screen
_TERM_IN_VIEW = """(heading) => {
  const w = window.jupyterapp.shell.currentWidget;
  if (!w || !w.context || !w.context.path.endsWith('glossary.md')) return false;
  const h = [...w.node.querySelectorAll('h2')].find(h => h.textContent.replace('¶', '') === heading);
  if (!h) return false;
  const r = h.getBoundingClientRect();
  return r.top >= 0 && r.bottom <= window.innerHeight;
}"""


@pytest.mark.parametrize(
    ("name", "anchor", "heading"), GLOSSARY_LINKS, ids=[f"{n}#{a}" for n, a, _ in GLOSSARY_LINKS]
)
def test_a_glossary_link_opens_the_glossary_at_its_term(
    browser, jupyter: str, name: str, anchor: str, heading: str
) -> None:
    shots = ROOT / "screenshots"
    shots.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{jupyter}/lab/tree/{name}?token={TOKEN}&reset")
        page.wait_for_function(
            "window.jupyterapp && window.jupyterapp.shell.currentWidget", timeout=60000
        )
        link = page.wait_for_function(_GLOSSARY_LINK, arg=anchor, timeout=60000).as_element()
        assert link is not None
        link.scroll_into_view_if_needed()
        link.click()
        try:
            page.wait_for_function(_TERM_IN_VIEW, arg=heading, timeout=15000)
        finally:
            stem = Path(name).with_suffix("").as_posix().replace("/", "-")
            page.screenshot(path=str(shots / f"glossary-from-{stem}.png"))
    finally:
        page.close()


# A lesson's playground cell, run before the lesson's start cell (here: after a kernel restart)
BEFORE_START = [
    (
        "05-504-gateway-timeout.ipynb",
        "NameError: name 'labkit' is not defined: this lesson's first code cell (the one that "
        "begins “# Run this cell first”) has not run in this kernel, or the kernel restarted. "
        "Run it, then this cell again.",
    ),
    (
        "zh/01-500-internal-server-error.ipynb",
        "NameError：名称 'labkit' 未定义：本课的第一个代码单元格（以“# 先运行这个单元格”开头的那个）"
        "还没有在这个内核里运行过，或者内核重启过。先运行它，再运行这个单元格。",
    ),
]

_KERNEL_READY = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const kernel = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle';
}"""

# runs cell i and resolves once it has run
_RUN_CELL = """async (i) => {
  const w = window.jupyterapp.shell.currentWidget;
  w.content.activeCellIndex = i;
  await window.jupyterapp.commands.execute('notebook:run-cell');
}"""

_CELL_OUTPUT = """(i) => {
  const w = window.jupyterapp.shell.currentWidget;
  const cell = w.content.widgets[i];
  if (w.sessionContext.session.kernel.status !== 'idle' || !cell.model.outputs.length) return null;
  const out = cell.node.querySelector('.jp-OutputArea-output');
  return out ? [out.innerText.trim(), !!cell.node.querySelector('.labkit-panel')] : null;
}"""


def _shut_down_kernels_of(jupyter: str, name: str) -> None:
    """Shut down the kernel of each session the server has for notebook ``name``, through
    Jupyter's REST API (DELETE /api/sessions/ID), so that it opens with a new kernel."""
    from urllib.request import Request, urlopen

    with urlopen(f"{jupyter}/api/sessions?token={TOKEN}", timeout=30) as answer:
        sessions = json.load(answer)
    for session in sessions:
        if session.get("path", "").endswith(name):
            url = f"{jupyter}/api/sessions/{session['id']}?token={TOKEN}"
            urlopen(Request(url, method="DELETE"), timeout=30).close()


@pytest.mark.parametrize(("name", "line"), BEFORE_START, ids=[n for n, _ in BEFORE_START])
def test_a_cell_run_before_the_start_cell_says_to_run_it(
    browser, jupyter: str, name: str, line: str
) -> None:
    """What a learner reads who runs a lesson's playground cell first, or after a kernel
    restart: one line saying to run the start cell, in the lesson's language, not
    NameError's traceback (labkit.kernel, which IPython loads before any cell runs); and
    after the start cell, the same cell shows its playground."""
    # the lesson test may have run it in a kernel already: the notebook opens with a new
    # one, as after a learner's restart (a restart through the page, awaited, once left
    # the kernel not idle for 60 s on a loaded CI host: its status is now in the message)
    _shut_down_kernels_of(jupyter, name)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{jupyter}/lab/tree/{name}?token={TOKEN}&reset")
        try:
            page.wait_for_function(_KERNEL_READY, timeout=60000)
        except Exception as error:
            status = page.evaluate(
                "() => String(window.jupyterapp.shell.currentWidget.sessionContext"
                ".session?.kernel?.status)"
            )
            raise AssertionError(f"kernel not idle after 60 s: {status}") from error
        cells = json.loads((ROOT / "notebooks" / name).read_text())["cells"]
        code = [i for i, c in enumerate(cells) if c["cell_type"] == "code"]
        playground = next(i for i in code if "Playground(" in "".join(cells[i]["source"]))
        page.evaluate(_RUN_CELL, playground)
        shown = page.wait_for_function(_CELL_OUTPUT, arg=playground, timeout=30000).json_value()
        stem = Path(name).with_suffix("").as_posix().replace("/", "-")
        shots = ROOT / "screenshots"
        shots.mkdir(exist_ok=True)
        page.screenshot(path=str(shots / f"{stem}-before-start.png"))
        assert shown == [line, False]
        page.evaluate(_RUN_CELL, code[0])
        page.wait_for_function(_KERNEL_READY, timeout=30000)
        page.evaluate(_RUN_CELL, playground)
        page.wait_for_function(
            "(i) => window.jupyterapp.shell.currentWidget.content.widgets[i]"
            ".node.querySelector('.labkit-panel')",
            arg=playground,
            timeout=30000,
        )
    finally:
        page.close()


def test_the_generic_500_link_after_debug_was_left_on(browser, jupyter: str) -> None:
    """Lesson 01: a learner ticks the playground's debug box, then runs the link cell below
    it, whose words promise the generic page. The link showed the traceback; the cell now
    turns debug off, the box above follows (unticked, 'debug: off'), and the page the link
    opens, through jupyter-server-proxy, has no traceback."""
    name = "01-500-internal-server-error.ipynb"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{jupyter}/lab/tree/{name}?token={TOKEN}&reset")
        _run_all(page)
        box = page.locator(".labkit-panel input[type=checkbox]").first
        box.scroll_into_view_if_needed()
        box.check()
        page.wait_for_function(_KERNEL_READY, timeout=30000)
        page.wait_for_function(
            "() => [...document.querySelectorAll('.labkit-panel .labkit-hint')]"
            ".some(h => h.textContent.startsWith('debug: on'))",
            timeout=15000,
        )
        cells = json.loads((ROOT / "notebooks" / name).read_text())["cells"]
        link_cell = next(i for i, c in enumerate(cells) if "browser_link(" in "".join(c["source"]))
        page.evaluate(_RUN_CELL, link_cell)
        page.wait_for_function(_KERNEL_READY, timeout=30000)
        page.wait_for_function(
            "() => [...document.querySelectorAll('.labkit-panel .labkit-hint')]"
            ".some(h => h.textContent.startsWith('debug: off'))",
            timeout=15000,
        )
        assert not box.is_checked()
        link = page.locator(".jp-OutputArea-output a[href*='/proxy/']").first
        with context.expect_page() as opened:
            link.click()
        tab = opened.value
        tab.wait_for_load_state()
        text = tab.inner_text("body")
        assert text.startswith("500 Internal Server Error") and "Traceback" not in text, text
    finally:
        context.close()


# Each lane's name against its box, measured where the browser draws them
_LANES_FIT = """() => {
  const bad = [];
  for (const svg of document.querySelectorAll('svg[role=img]')) {
    for (const r of svg.querySelectorAll('rect[rx]')) {
      const t = r.nextElementSibling, box = r.getBBox(), words = t.getBBox();
      if (words.x < box.x || words.x + words.width > box.x + box.width
          || words.y < box.y || words.y + words.height > box.y + box.height)
        bad.push(`${t.textContent} (${Math.round(words.width)} px) outside its box`);
    }
  }
  return bad;
}"""


def test_every_lane_name_fits_its_box(browser) -> None:
    """Every upstream's lane, marked failed where it failed (the longest names a picture
    draws), in English and Chinese, measured in Chromium: 'upstream 'bad-transfer-encoding'
    ✗ failed' on one line ran over both edges of its box (a learner picks that scenario on
    the 502 playground; no lesson's Run All draws it, so the lesson test never saw it)."""
    import labkit
    from labkit import i18n
    from labkit.picture import sequence_svg

    with labkit.start() as lab:
        exchanges = [lab.get(f"/up/{name}/") for name in lab.upstreams]
        svgs = [sequence_svg(ex, lang) for ex in exchanges for lang in (i18n.ENGLISH, i18n.CHINESE)]
    page = browser.new_page(viewport={"width": 1000, "height": 700})
    try:
        page.set_content("<html><body>" + "".join(svgs) + "</body></html>")
        assert page.locator("svg[role=img]").count() == len(svgs)
        bad = page.evaluate(_LANES_FIT)
    finally:
        page.close()
    assert not bad, bad


# the panel's status line has new words (not the last press's) and the kernel is idle
_NEW_STATUS = """([panel, before]) => {
  const said = [...panel.querySelectorAll('[role=status]')].map(r => r.textContent.trim()).join(' ');
  const w = window.jupyterapp.shell.currentWidget;
  return said !== '' && said !== before && w.sessionContext.session.kernel.status === 'idle';
}"""


def _type_tab_enter(page: Page, panel, box, typed: str) -> str:
    """Type into a box as fast as a keyboard does, Tab to the next button, Enter; return the
    status line once it has new words and the kernel is idle (or, after 15 s, the words it
    kept). Waiting for the line to have words and then for an idle kernel read the last
    press's line after the second press (the 02 test below, 1 run in 5: the kernel was idle
    before the click arrived)."""
    status = panel.get_by_role("status")
    before = status.inner_text().strip()
    box.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(typed)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    try:
        page.wait_for_function(_NEW_STATUS, arg=[panel.element_handle(), before], timeout=15000)
    except PlaywrightTimeout:
        pass  # the caller's assertion names the line it kept
    return status.inner_text()


def _open_lesson_02_playground(page: Page, jupyter: str):
    """Open lesson 02 in ``page``, run its start cell and its playground cell, and return the
    playground's panel once it shows."""
    name = "02-501-not-implemented.ipynb"
    page.goto(f"{jupyter}/lab/tree/{name}?token={TOKEN}&reset")
    page.wait_for_function(_KERNEL_READY, timeout=60000)
    cells = json.loads((ROOT / "notebooks" / name).read_text())["cells"]
    code = [i for i, c in enumerate(cells) if c["cell_type"] == "code"]
    playground = next(i for i in code if "Playground(" in "".join(cells[i]["source"]))
    for i in (code[0], playground):
        page.evaluate(_RUN_CELL, i)
        page.wait_for_function(_KERNEL_READY, timeout=30000)
    panel = page.locator(".labkit-panel").first
    panel.wait_for(timeout=30000)
    return panel


def test_a_path_typed_fast_then_send_sends_that_path(browser, jupyter: str) -> None:
    """Lesson 02's playground, keyboard only: a path typed, Tab to Send, Enter. Its box synced
    every keystroke, and ipywidgets holds a sync back while an earlier one is unanswered but
    sends a click at once (jupyter-widgets/ipywidgets#1382): the request went out with the
    path's first keystroke, '/'. The boxes now send their words once, when left."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        panel = _open_lesson_02_playground(page, jupyter)
        path = panel.get_by_role("textbox", name="Path")
        for typed in ("/orders/42", "/orders/7?x=1"):
            said = _type_tab_enter(page, panel, path, typed)  # Tab to Send
            assert said.startswith(f"Sent 'BREW {typed} HTTP/1.1' to the gateway"), said
    finally:
        page.close()


# a cell's worth of work in the panel's kernel, not awaited: the kernel is busy until it ends
_KERNEL_BUSY = """(seconds) => {
  const w = window.jupyterapp.shell.currentWidget;
  w.sessionContext.session.kernel.requestExecute({code: `import time; time.sleep(${seconds})`});
}"""

_KERNEL_BUSY_NOW = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  return w.sessionContext.session.kernel.status === 'busy';
}"""

# Python code run in the panel's kernel as a request of its own (no cell shows it): what it
# printed
_EXECUTE = """async (code) => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const future = kernel.requestExecute({code, store_history: false});
  let printed = '';
  future.onIOPub = (msg) => {
    if (msg.header.msg_type === 'stream') printed += msg.content.text;
    if (msg.header.msg_type === 'error') printed += msg.content.evalue;
  };
  await future.done;
  return printed;
}"""


def _kernel_value(page: Page, value: str, until: str = "True", seconds: float = 20) -> Any:
    """The value of the Python expression ``value`` (JSON) in the page's kernel, once
    ``until`` (Python) holds there, or after ``seconds``: asked again and again, each time as
    a request of its own, so that the widget messages waiting for the kernel are handled in
    between. A cell that waited in a loop for them held them back: with labkit's JupyterLab
    defaults (jupyter-config/) every widget message waits behind a running cell, in order."""
    code = f"import json as _json\nprint(_json.dumps([bool({until}), {value}]))"
    deadline = time.monotonic() + seconds
    while True:
        printed = page.evaluate(_EXECUTE, code)
        try:
            held, shown = json.loads(printed)
        except ValueError:
            pytest.fail(f"the kernel printed {printed!r} for {value!r} until {until!r}")
        if held or time.monotonic() > deadline:
            return shown
        time.sleep(0.1)


def test_both_boxes_edited_twice_while_the_kernel_is_busy_then_send_sends_the_last_words(
    browser, jupyter: str
) -> None:
    """Lesson 02's playground, keyboard only, while the kernel is busy (a slow cell, a
    request still being answered): the method and the path each typed, left, typed again,
    then Tab to Send and Enter. ipywidgets sends a box's first words at once, holds its second
    until the first is answered, and sent the click at once (jupyter-widgets/ipywidgets#1382):
    the kernel got the click before the last words, and Send sent 'PUT /orders/1' (fails
    before, every run: the kernel stays busy for the whole edit). Send now carries the words
    the boxes showed when it was pressed (labkit.widgets.press)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        panel = _open_lesson_02_playground(page, jupyter)
        method = panel.get_by_role("combobox", name="Method")
        path = panel.get_by_role("textbox", name="Path")
        status = panel.get_by_role("status")
        before = status.inner_text().strip()
        page.evaluate(_KERNEL_BUSY, 4)
        page.wait_for_function(_KERNEL_BUSY_NOW, timeout=15000)
        for box, first, last in ((method, "PUT", "GET"), (path, "/orders/1", "/orders/42")):
            for typed in (first, last):
                box.click()
                page.keyboard.press("Control+A")
                page.keyboard.type(typed)
                page.keyboard.press("Tab")  # left: its words go to the kernel (or wait)
        page.keyboard.press("Enter")  # on Send, after the path
        page.wait_for_function(_NEW_STATUS, arg=[panel.element_handle(), before], timeout=60000)
        said = status.inner_text()
        assert said.startswith("Sent 'GET /orders/42 HTTP/1.1' to the gateway"), said
    finally:
        page.close()


def test_a_refusal_quotes_what_was_typed_spaces_and_all(browser, jupyter: str) -> None:
    """Lesson 02's playground: a path typed with two spaces, '/a  b', Tab to Send, Enter. The
    alert quoted it as '/a b': a run of spaces in HTML text shows as one, so the refusal
    quoted what the learner had not typed (three spaces typed as a method read ' '). The
    live regions keep white space as it is. Fails before ('/a b')."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        panel = _open_lesson_02_playground(page, jupyter)
        path = panel.get_by_role("textbox", name="Path")
        path.click()
        page.keyboard.press("Control+A")
        page.keyboard.type("/a  b")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        alert = panel.get_by_role("alert")
        page.wait_for_function(
            "(a) => a.textContent.includes('/a')", arg=alert.element_handle(), timeout=15000
        )
        shown = alert.inner_text()
        assert "not '/a  b'" in shown, shown
    finally:
        page.close()


def test_a_short_answer_typed_fast_then_check_checks_that_answer(browser, jupyter: str) -> None:
    """A Quiz of a short-answer exercise (lesson 04's q1 in a learner's own cell), keyboard
    only: the answer typed, Tab to Check, Enter. Its box synced every keystroke, and ipywidgets
    holds a sync back while an earlier one is unanswered but sends a click at once
    (jupyter-widgets/ipywidgets#1382): Check judged the first keystrokes. The box now sends
    its words once, when left, as lesson 02's boxes do. Then the second answer was judged on
    the first's words 1 run in 9 beside two busy loops (and in an official CI run): the box's
    words and the click ran on two kernel threads (the next test says why). Check now carries
    the words (labkit.widgets.press)."""
    name = "quiz-short-answer.ipynb"
    source = "from labkit.exercises.lesson_503 import q1\nfrom labkit.widgets import Quiz\nQuiz(q1)"
    with _open_panel(browser, jupyter, name, source) as (page, panel):
        box = panel.get_by_role("textbox", name="Answer")
        for typed, verdict in (("Retry-After", "Correct"), ("Content-Length", "Not yet")):
            said = _type_tab_enter(page, panel, box, typed)  # Tab to Check
            assert said == f"Checked: {verdict}. Why: shown below.", (typed, said)


def test_a_short_answer_typed_twice_while_the_kernel_is_busy_then_check_checks_the_last(
    browser, jupyter: str
) -> None:
    """A Quiz of a short-answer exercise while the kernel is busy (a slow cell): an answer
    typed and left, another typed over it, then Tab to Check and Enter. ipywidgets sends the
    box's first words at once, holds its second until the first is answered, and sent the
    click at once (jupyter-widgets/ipywidgets#1382): Check judged the first answer, "Checked:
    Correct" for Content-Length (fails before, every run). Check now carries the words the box
    showed when it was pressed (labkit.widgets.press), as lesson 02's Send does. The same race
    without a slow cell failed an official CI run: after its first answer the box's words and
    the click ran on two kernel threads (JupyterLab's comms over subshells; ipykernel 7)."""
    name = "quiz-short-answer-busy.ipynb"
    source = "from labkit.exercises.lesson_503 import q1\nfrom labkit.widgets import Quiz\nQuiz(q1)"
    with _open_panel(browser, jupyter, name, source) as (page, panel):
        box = panel.get_by_role("textbox", name="Answer")
        status = panel.get_by_role("status")
        before = status.inner_text().strip()
        page.evaluate(_KERNEL_BUSY, 4)
        page.wait_for_function(_KERNEL_BUSY_NOW, timeout=15000)
        for typed in ("Retry-After", "Content-Length"):
            box.click()
            page.keyboard.press("Control+A")
            page.keyboard.type(typed)
            page.keyboard.press("Tab")  # left, to Check: its words go to the kernel (or wait)
        page.keyboard.press("Enter")
        page.wait_for_function(_NEW_STATUS, arg=[panel.element_handle(), before], timeout=60000)
        assert status.inner_text() == "Checked: Not yet. Why: shown below."


# the choice quiz's cell: the quiz, and what its answer held in Python, in order, recorded
# after the quiz's own observer has run (observers run in the order they were added)
_CHOICE_QUIZ = """from labkit.exercises.lesson_511 import q1
from labkit.widgets import Quiz
quiz, held = Quiz(q1), []
quiz.answer.observe(lambda change: held.append(change["new"]), names="value")
quiz"""


def test_a_choice_changed_while_the_kernel_is_busy_then_check_checks_the_last(
    browser, jupyter: str
) -> None:
    """A one-answer Quiz while the kernel is busy (a slow cell): "portal" chosen, then
    "gateway", then Check. The radio group sends its first choice at once and holds the second
    until the first is answered, and a plain button's click went at once
    (jupyter-widgets/ipywidgets#1382): Check judged the choice Python held then. Check now
    carries the choice the browser showed (labkit.widgets.press), and judged "gateway"; but
    the radio group's own update of "gateway" came after it and said "Your answer: gateway.
    Press Check to check it." over the verdict (fails before, every run, with that line; the
    choice is now said from Check's copy of it, in order with the press)."""
    name = "quiz-choice-busy.ipynb"
    with _open_panel(browser, jupyter, name, _CHOICE_QUIZ) as (page, panel):
        radios = panel.get_by_role("radiogroup").get_by_role("radio")
        status = panel.get_by_role("status")
        page.evaluate(_KERNEL_BUSY, 4)
        page.wait_for_function(_KERNEL_BUSY_NOW, timeout=15000)
        for option in ("portal", "gateway"):
            radios.nth(["client", "portal", "gateway", "origin"].index(option)).click()
        panel.get_by_role("button", name="Check").click()
        page.wait_for_function(_KERNEL_READY, timeout=60000)
        # once the answer has held "gateway" in Python (its radio group's own update, which
        # can come after Check's): the panel's line is final then
        held = _kernel_value(page, "held", "'gateway' in held", seconds=10)
        assert held[-1] == "gateway", held
        assert status.inner_text() == "Checked: Not yet. Why: shown below."


def test_check_pressed_twice_while_the_kernel_is_busy_checks_twice(browser, jupyter: str) -> None:
    """A short-answer Quiz while the kernel is busy (a slow cell): an answer typed, Tab to
    Check, Enter, Enter. The box's words went to the kernel first and waited for their
    answer, and both presses were merged behind them into one update; the press was a
    ToggleButton's value, flipped twice, and Python got one press: one "Checked:" line, where
    the learner pressed twice (fails before). The press is now a count, which two merged
    presses raise by two."""
    name = "quiz-short-answer-twice.ipynb"
    source = (
        "from labkit.exercises.lesson_503 import q1\nfrom labkit.widgets import Quiz\n"
        "quiz, said = Quiz(q1), []\n"
        "quiz.status.observe(lambda change: said.append(change['new']), names='value')\nquiz"
    )
    with _open_panel(browser, jupyter, name, source) as (page, panel):
        box = panel.get_by_role("textbox", name="Answer")
        page.evaluate(_KERNEL_BUSY, 4)
        page.wait_for_function(_KERNEL_BUSY_NOW, timeout=15000)
        box.click()
        page.keyboard.type("Content-Length")
        page.keyboard.press("Tab")  # to Check: the words go to the kernel, and wait
        page.keyboard.press("Enter")
        page.keyboard.press("Enter")
        page.wait_for_function(_KERNEL_READY, timeout=60000)
        # the count once two checks were said, or after 5 s
        checks = "sum(line.startswith('Checked:') for line in said)"
        assert _kernel_value(page, checks, f"{checks} >= 2", seconds=5) == 2


def _chosen_twice_while_busy_then_pressed(
    browser,
    jupyter: str,
    lesson: str,
    list_name: str,
    choose: Callable[[Locator, str], None],
    choices: tuple[str, str],
    button: str,
) -> str:
    """Lesson ``lesson``'s playground while the kernel is busy (a slow cell): each of
    ``choices`` chosen in the list ``list_name`` (``choose`` picks one), then ``button``
    clicked. The list sends its first choice at once and holds the second until the first
    is answered, and the button's click went at once (jupyter-widgets/ipywidgets#1382).
    Returns the panel's status line once it says something new."""
    name = f"playground-{lesson}-busy.ipynb"
    source = (
        "import labkit\nimport labkit.widgets\nlab = labkit.start()\n"
        f'labkit.widgets.Playground(lab, "{lesson}")'
    )
    with _open_panel(browser, jupyter, name, source) as (page, panel):
        chosen_list = panel.get_by_role("combobox", name=list_name)
        status = panel.get_by_role("status")
        before = status.inner_text().strip()
        page.evaluate(_KERNEL_BUSY, 4)
        page.wait_for_function(_KERNEL_BUSY_NOW, timeout=15000)
        for chosen in choices:
            choose(chosen_list, chosen)
        panel.get_by_role("button", name=button).click()
        page.wait_for_function(_NEW_STATUS, arg=[panel.element_handle(), before], timeout=60000)
        return status.inner_text()


def test_a_version_chosen_twice_while_the_kernel_is_busy_then_send_sends_the_last(
    browser, jupyter: str
) -> None:
    """Lesson 06's playground while the kernel is busy (a slow cell): HTTP/1.0 chosen in the
    version list, then HTTP/1.1, then "Send the request line". The list sends its first choice
    at once and holds the second until the first is answered, and the button's click went at
    once (jupyter-widgets/ipywidgets#1382): the request line went with HTTP/1.0 (fails before).
    Send now carries the version the list showed when it was pressed (labkit.widgets.press)."""
    said = _chosen_twice_while_busy_then_pressed(
        browser,
        jupyter,
        "505",
        "Version",
        lambda version_list, version: version_list.select_option(version),
        ("HTTP/1.0", "HTTP/1.1"),
        "Send the request line",
    )
    assert said.startswith("Sent 'GET /orders/7 HTTP/1.1' to the origin"), said


def test_a_scenario_chosen_twice_while_the_kernel_is_busy_then_run_runs_the_last(
    browser, jupyter: str
) -> None:
    """Lesson 03's playground while the kernel is busy (a slow cell): 502-close chosen in the
    scenario list, then 502-reset, then Run scenario. The list sends its first choice at once
    and holds the second until the first is answered, and the button's click went at once
    (jupyter-widgets/ipywidgets#1382): Run ran 502-close (fails before). Run now carries the
    scenario the list showed when it was pressed (labkit.widgets.press)."""
    said = _chosen_twice_while_busy_then_pressed(
        browser,
        jupyter,
        "502",
        "Scenario",
        lambda scenario_list, scenario: scenario_list.select_option(
            index=_scenario_index(scenario_list, scenario)
        ),
        ("502-close", "502-reset"),
        "Run scenario",
    )
    assert said.startswith("Ran 502-reset"), said


def _scenario_index(select: Locator, scenario_id: str) -> int:
    """The index of the option whose words begin with the scenario's id."""
    labels = select.evaluate("(s) => [...s.options].map(o => o.textContent)")
    return next(i for i, words in enumerate(labels) if words.startswith(f"{scenario_id}:"))


def test_a_fault_chosen_twice_while_the_kernel_is_busy_then_run_runs_the_last_and_keeps_it(
    browser, jupyter: str
) -> None:
    """Lesson 09's comparison while the kernel is busy (a slow cell): "refused" chosen in the
    fault list, then "close", then Run. The list sends its first choice at once and holds the
    second until the first is answered, and the button's click went at once
    (jupyter-widgets/ipywidgets#1382): Run ran "refused" under a list showing "close" (fails
    before: "refused through every gateway: ..."), and the list's late update could empty the
    table Run filled, saying "Fault changed". Run now carries the fault the list showed when
    it was pressed, and a fault chosen in the browser is said from Run's copy of it, in order
    with the press."""
    name = "compared-busy.ipynb"
    source = (
        "import labkit\nimport labkit.widgets\nlab = labkit.start()\n"
        "g = labkit.widgets.GatewaysCompared(lab)\ng"
    )
    with _open_panel(browser, jupyter, name, source) as (page, panel):
        fault = panel.get_by_role("combobox", name="Upstream fault")
        status = panel.get_by_role("status")
        page.evaluate(_KERNEL_BUSY, 4)
        page.wait_for_function(_KERNEL_BUSY_NOW, timeout=15000)
        for chosen in ("refused", "close"):
            fault.select_option(index=_option_index(fault, f"{chosen} ("))
        panel.get_by_role("button", name="Run through every gateway").click()
        page.wait_for_function(_KERNEL_READY, timeout=60000)
        # once the list's own update of "close" reached Python and a run was said (or 20 s
        # passed): the panel's line is final
        ran = "g.fault.value == 'close' and 'through every gateway:' in g.status.value"
        assert _kernel_value(page, "g.fault.value", ran) == "close"
        said = status.inner_text()
        assert said.startswith("close through every gateway: "), said


def _typed_twice_while_busy_then_pressed(
    browser, jupyter: str, lesson: str, box_name: str, words: tuple[str, str], button: str
) -> tuple[str, str]:
    """Lesson ``lesson``'s playground while the kernel is busy (a slow cell): ``box_name``
    typed twice (each left with Tab, so its words go to the kernel), then ``button``
    clicked. A number box's words go as its own messages, which ipywidgets does not hold
    back. The page asks for one subshell per comm and an observer of the box takes 3 s, to
    give the click a chance to be handled before the box's last words; with JupyterLab 4.6
    and ipykernel 7.4 it was not, in any run (these tests pass before Burst and GET /slow
    carried the words too). They check what the press sends, that no "set to" line comes
    after its result, and that a late answer to earlier words does not put them back.
    Returns the box's words as Python holds them once both were handled and a press was said
    (or 20 s passed), and the status line then."""
    name = f"playground-{lesson}-typed-busy.ipynb"
    box = "p.burst_size" if lesson == "503" else "p.delay"
    source = (
        "import time\nimport labkit\nimport labkit.widgets\nlab = labkit.start()\n"
        f'p = labkit.widgets.Playground(lab, "{lesson}")\n'
        "done = []\n"
        f'{box}.observe(lambda c: (time.sleep(3), done.append(c["new"])), names="value")\np'
    )
    with _open_panel(browser, jupyter, name, source, comms="perComm") as (page, panel):
        typed_box = panel.get_by_role("textbox", name=box_name)
        status = panel.get_by_role("status")
        page.evaluate(_KERNEL_BUSY, 4)
        page.wait_for_function(_KERNEL_BUSY_NOW, timeout=15000)
        for typed in words:
            typed_box.click()
            page.keyboard.press("Control+A")
            page.keyboard.type(typed)
            page.keyboard.press("Tab")
        panel.get_by_role("button", name=button, exact=True).click()
        page.wait_for_function(_KERNEL_READY, timeout=60000)
        said = "len(done) == 2 and p.status.value and ' set to ' not in p.status.value"
        shown = _kernel_value(page, f"{box}.text", said)
        return shown, status.inner_text()


# the notebook's kernel connection: where it sends a comm's messages from now on (JupyterLab's
# commsOverSubshells setting): 'perComm', a subshell for each comm opened from now on
_COMMS = """(how) => {
  window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.commsOverSubshells = how;
}"""

_COMMS_NOW = """() =>
  window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.commsOverSubshells"""


def test_a_burst_size_typed_twice_while_the_kernel_is_busy_then_burst_sends_the_last(
    browser, jupyter: str
) -> None:
    """Lesson 04's 503 playground while the kernel is busy: 4 then 6 typed as the burst size,
    then Burst. The box's words go to Python as its own messages, and the click could be
    handled first (jupyter-widgets/ipywidgets#1382): Burst sent the earlier size, or the
    box's late "Burst size set to 6" replaced the burst's result. Burst now
    carries the words the box showed when pressed (labkit.widgets.press), and a size typed
    is said from its copy, in order with the press."""
    shown, said = _typed_twice_while_busy_then_pressed(
        browser, jupyter, "503", "Burst size (requests)", ("4", "6"), "Burst"
    )
    assert shown == "6"
    assert said == "Burst at capacity 3, 6 requests: 3 served (200), 3 shed (503).", said


def test_an_origin_delay_typed_twice_while_the_kernel_is_busy_then_get_slow_sends_the_last(
    browser, jupyter: str
) -> None:
    """Lesson 05's 504 playground while the kernel is busy: 0.2 then 0.3 typed as the origin
    delay, then GET /slow. The box's words go to Python as its own messages, and the click
    could be handled first (jupyter-widgets/ipywidgets#1382): GET /slow sent an earlier
    delay, or the box's late "Origin delay set to 0.3 s" replaced its result.
    GET /slow now carries the words the box showed when pressed (labkit.widgets.press)."""
    shown, said = _typed_twice_while_busy_then_pressed(
        browser, jupyter, "504", "Origin delay (s)", ("0.2", "0.3"), "GET /slow"
    )
    assert shown == "0.3"
    assert said.startswith("GET /slow?delay=0.3 via the gateway: 200 OK"), said


def _option_index(select: Locator, words: str) -> int:
    """The index of the list's option whose words begin with ``words`` (ipywidgets writes an
    option's spaces as no-break spaces)."""
    labels = select.evaluate(
        "(s) => [...s.options].map(o => o.textContent.replace(/\\u00a0/g, ' '))"
    )
    return next(i for i, label in enumerate(labels) if label.startswith(words))


# A panel's radio groups and radio buttons in Chromium's accessibility tree, as a screen
# reader gets them: (role, name, checked)
def _ax_radios(cdp, panel: str) -> list[tuple[str, str, str]]:
    found = []
    for role in ("radiogroup", "radio"):
        for node in cdp.send("Accessibility.queryAXTree", {"objectId": panel, "role": role})[
            "nodes"
        ]:
            props = {p["name"]: p["value"].get("value") for p in node.get("properties", [])}
            name = node.get("name", {}).get("value", "")
            found.append((role, name, str(props.get("checked", ""))))
    return found


_ACTIVE_CELL = "() => window.jupyterapp.shell.currentWidget.content.activeCellIndex"

_STATUS_SAYS = """([panel, words]) => [...panel.querySelectorAll('[role=status]')].some(
  r => r.textContent.includes(words))"""


def test_a_one_answer_quiz_is_a_radio_group_that_keeps_its_arrow_keys(
    axe: Path, browser, jupyter: str
) -> None:
    """A one-answer question was drawn as checkboxes under "(choose one)" (JupyterLab took the
    arrow keys a radio group needs), which screen readers read as "tick any". It is one radio
    group now, named by its question: in Chromium's accessibility tree a radiogroup of radio
    buttons with their checked state; ArrowDown and ArrowUp move the choice and stay in the
    group (they moved to the next cell), Space chooses the focused option; each choice is said
    in the panel's live region; axe-core finds nothing. Fails before (no radiogroup)."""
    from labkit.exercises.lesson_511 import q1

    name = "quiz-one-answer.ipynb"
    source = "from labkit.exercises.lesson_511 import q1\nfrom labkit.widgets import Quiz\nQuiz(q1)"
    # a cell after it, where ArrowDown went
    with _open_panel(browser, jupyter, name, source, "1 + 1") as (page, panel):
        group = panel.get_by_role("radiogroup")
        assert group.count() == 1, "no radio group in the quiz panel"
        assert (group.get_attribute("aria-label") or "").endswith("(choose one)")
        radios = group.get_by_role("radio")
        assert radios.count() == len(q1.options)
        element = panel.element_handle()

        def chosen(k: int) -> None:
            page.wait_for_function(
                "([radio, panel, words]) => radio.checked && ("
                + _STATUS_SAYS
                + ")([panel, words])",
                arg=[radios.nth(k).element_handle(), element, f"Your answer: {q1.options[k]}."],
                timeout=15000,
            )
            assert [radios.nth(j).is_checked() for j in range(radios.count())] == [
                j == k for j in range(radios.count())
            ]

        radios.nth(0).focus()
        page.keyboard.press("Space")
        chosen(0)
        at = page.evaluate(_ACTIVE_CELL)
        page.keyboard.press("ArrowDown")
        chosen(1)
        page.keyboard.press("ArrowUp")
        chosen(0)
        page.keyboard.press("ArrowRight")
        chosen(1)
        assert page.evaluate(_ACTIVE_CELL) == at, "an arrow key moved to another cell"
        assert page.evaluate("() => document.activeElement.type") == "radio"
        radios.nth(3).focus()
        page.keyboard.press("Space")
        chosen(3)
        cdp = page.context.new_cdp_session(page)
        cdp.send("Accessibility.enable")
        tree = _ax_radios(cdp, _ax_panel(cdp, 0))
        cdp.detach()
        assert tree[0][0] == "radiogroup" and tree[0][1].endswith("(choose one)"), tree
        assert [(role, checked) for role, _, checked in tree[1:]] == [
            ("radio", "true" if k == 3 else "false") for k in range(len(q1.options))
        ], tree
        assert [n for _, n, _ in tree[1:]] == [q1.label(o, "en") for o in q1.options], tree
        page.screenshot(path=str(ROOT / "screenshots" / "quiz-radio-group.png"))
        page.add_style_tag(content="html, body { height: 100% !important; }")
        page.add_script_tag(path=str(axe))
        violations = panel.evaluate(_AXE_OUTPUT)
        assert not violations, violations


def test_a_number_box_that_does_not_apply_is_dimmed(browser, jupyter: str) -> None:
    """Lesson 04's playground, "unlimited" ticked: the capacity box beside it is disabled and
    was drawn as any other box, its 3 looking in force (both themes: opacity 1, the same
    colours as the burst size box). It is dimmed now as ipywidgets dims a disabled control;
    the boxes that apply are not. Fails before (opacity 1)."""
    name = "dimmed-capacity.ipynb"
    source = "import labkit\nfrom labkit.widgets import Playground\nlab = labkit.start()\n"
    cell = source + 'Playground(lab, "503")'
    with _open_panel(browser, jupyter, name, cell) as (page, panel):
        panel.get_by_role("checkbox", name="unlimited").check()
        capacity = panel.get_by_role("textbox", name="capacity (requests at once)")
        page.wait_for_function("(box) => box.disabled", arg=capacity.element_handle())
        burst = panel.get_by_role("textbox", name="burst size (requests)")
        dimmed = "(box) => getComputedStyle(box).opacity"
        assert float(capacity.evaluate(dimmed)) <= 0.6, capacity.evaluate(dimmed)
        assert burst.evaluate(dimmed) == "1"
        capacity.scroll_into_view_if_needed()
        page.screenshot(path=str(ROOT / "screenshots" / "capacity-unlimited-dimmed.png"))


def test_a_button_clicked_as_its_box_refuses_what_was_typed_does_nothing_yet(
    browser, jupyter: str
) -> None:
    """Lesson 05's playground: a delay past the box's most (SLOW_MAX) typed into the origin
    delay, then a click on GET /slow. The click hands the box's words over first (it loses
    focus), which refused them and showed 0.5 again; then GET /slow sent delay=0.5 and its
    200 replaced the refusal: a learner who typed it to see a 504 saw a 200 and no word why.
    The press now does nothing yet, the alert says so beside the refusal, and a second press
    sends 0.5. Fails before (the status said GET /slow?delay=0.5)."""
    from labkit.widgets import SLOW_MAX

    name = "refused-then-pressed.ipynb"
    source = "import labkit\nfrom labkit.widgets import Playground\nlab = labkit.start()\n"
    cell = source + 'Playground(lab, "504")'
    with _open_panel(browser, jupyter, name, cell) as (page, panel):
        delay = panel.get_by_role("textbox", name="origin delay (s)")
        get_slow = panel.get_by_role("button", name="GET /slow", exact=True)
        delay.fill(f"{SLOW_MAX + 0.5:g}")
        get_slow.click()  # the box's words go first, as it loses focus
        alert, status = panel.get_by_role("alert"), panel.get_by_role("status")
        page.wait_for_function(
            "(a) => a.textContent.includes('GET /slow was not done')",
            arg=alert.element_handle(),
            timeout=15000,
        )
        page.wait_for_function(_KERNEL_READY, timeout=30000)
        must = f"Origin delay (s) must be between 0 and {SLOW_MAX:g} seconds"
        assert alert.inner_text().startswith(must), alert.inner_text()
        assert status.inner_text().strip() == "" and delay.input_value() == "0.5"
        get_slow.click()
        page.wait_for_function(
            "(s) => s.textContent.includes('GET /slow?delay=0.5')",
            arg=status.element_handle(),
            timeout=15000,
        )
        assert alert.inner_text().strip() == ""


def _put_notebook(jupyter: str, name: str, *sources: str) -> None:
    """A learner's own notebook of these code cells, through Jupyter's REST API."""
    from urllib.request import Request, urlopen

    cells = [{"cell_type": "code", "metadata": {}, "source": s, "outputs": []} for s in sources]
    notebook = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    body = json.dumps({"type": "notebook", "format": "json", "content": notebook}).encode()
    put = Request(f"{jupyter}/api/contents/{name}?token={TOKEN}", data=body, method="PUT")
    urlopen(put, timeout=30).close()


@contextlib.contextmanager
def _open_panel(
    browser, jupyter: str, name: str, *sources: str, comms: str | None = None
) -> Iterator[tuple[Page, Locator]]:
    """A learner's own notebook ``name`` of these code cells, opened in a new page, its
    first cell run once the kernel is ready (a cell after it stays as typed): the page and
    the first labkit panel once it shows. The page is closed after. ``comms``: how the
    page sends widget messages to the kernel from then on (JupyterLab's commsOverSubshells:
    "disabled", labkit's default; "perCommTarget", JupyterLab's own)."""
    _put_notebook(jupyter, name, *sources)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{jupyter}/lab/tree/{name}?token={TOKEN}&reset")
        page.wait_for_function(_KERNEL_READY, timeout=60000)
        if comms is not None:
            page.evaluate(_COMMS, comms)
        page.evaluate(_RUN_CELL, 0)
        page.wait_for_function(_KERNEL_READY, timeout=60000)
        panel = page.locator(".labkit-panel").first
        panel.wait_for(timeout=30000)
        yield page, panel
    finally:
        page.close()


# Each panel's controls and words within its width, and no panel scrolling sideways (a
# picture, a chart, a table or a raw dump may: they are laid out in two dimensions)
_REFLOWS = """() => {
  const bad = [];
  for (const panel of document.querySelectorAll('.labkit-panel')) {
    if (!panel.getClientRects().length) continue;
    const box = panel.getBoundingClientRect();
    const title = panel.innerText.trim().split('\\n')[0].slice(0, 40);
    if (panel.scrollWidth > panel.clientWidth + 1)
      bad.push(`a panel scrolls sideways (${panel.scrollWidth} > ${panel.clientWidth} px): ${title}`);
    for (const el of panel.querySelectorAll('input, select, button, label, .labkit-status, p')) {
      if (!el.getClientRects().length || el.closest('figure, table, pre')) continue;
      const r = el.getBoundingClientRect();
      if (r.left < box.left - 1 || r.right > box.right + 1)
        bad.push(`${el.tagName.toLowerCase()} ${JSON.stringify((el.textContent || el.value || '').trim().slice(0, 30))}`
                 + ` at ${Math.round(r.left)}-${Math.round(r.right)} px, its panel ${Math.round(box.left)}-${Math.round(box.right)}: ${title}`);
    }
  }
  return bad;
}"""


# Each drop-down list whose chosen words are wider than its box (a <select> cuts them, with no
# way to read the rest but to open it) and whose words the panel does not say whole elsewhere
_CUT_CHOICES = """() => {
  const measure = document.createElement('canvas').getContext('2d');
  const cut = [];
  for (const select of document.querySelectorAll('.labkit-panel select')) {
    if (!select.getClientRects().length || select.selectedIndex < 0) continue;
    const s = getComputedStyle(select);
    measure.font = s.font;
    const chosen = select.options[select.selectedIndex].text.trim();
    const room = select.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
    if (measure.measureText(chosen).width <= room + 1) continue;
    const panel = select.closest('.labkit-panel');
    const words = [];
    const walk = document.createTreeWalker(panel, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode())
      if (!n.parentElement.closest('select') && n.parentElement.getClientRects().length)
        words.push(n.textContent);
    const said = words.join('').replace(/\\s+/g, ' ');
    if (!said.includes(chosen.replace(/\\s+/g, ' ')))
      cut.push(`${JSON.stringify(chosen)} cut to ${Math.round(room)} px, and said nowhere else in its panel`);
  }
  return cut;
}"""


# The first sequence picture shown: its drawn width, its own (its viewBox's), and how far its
# figure scrolls sideways
_PICTURE_SIZE = """() => { const svg = document.querySelector('figure.labkit-picture svg');
  const figure = svg.closest('figure');
  return [svg.getBoundingClientRect().width, svg.viewBox.baseVal.width,
          figure.scrollWidth - figure.clientWidth]; }"""


def test_a_picture_fits_a_column_a_little_narrower_than_itself(browser, jupyter: str) -> None:
    """A 1000 x 700 window, the file browser open: a 568 px output area, where a three-lane
    picture (570 px) scrolled 2 px sideways. It is drawn to fit, no smaller than 11/12 of its
    own size; its height follows its width (nothing cut or stretched)."""
    name = "narrow-column.ipynb"
    _put_notebook(
        jupyter, name, "import labkit\nlab = labkit.start()", 'lab.get("/up/garbage/").picture()'
    )
    page = browser.new_page(viewport={"width": 1000, "height": 700})
    try:
        page.goto(f"{jupyter}/lab/tree/{name}?token={TOKEN}&reset")
        page.wait_for_function(_KERNEL_READY, timeout=60000)
        for i in (0, 1):
            page.evaluate(_RUN_CELL, i)
            page.wait_for_function(_KERNEL_READY, timeout=60000)
        page.wait_for_selector("figure.labkit-picture svg", timeout=30000)
        column = page.evaluate(
            "() => document.querySelector('figure.labkit-picture').closest('.jp-OutputArea-output').clientWidth"
        )
        drawn, own, scrolls = page.evaluate(_PICTURE_SIZE)
        assert own * SHRINK <= column < own, f"the column is {column} px, the picture {own} px"
        assert scrolls == 0 and own * SHRINK - 1 <= drawn <= column, (drawn, own, scrolls)
        ratio = page.evaluate(
            """() => { const svg = document.querySelector('figure.labkit-picture svg');
              const box = svg.getBoundingClientRect();
              return box.height / box.width * svg.viewBox.baseVal.width / svg.viewBox.baseVal.height; }"""
        )
        assert abs(ratio - 1) < 0.01, f"drawn {ratio:.3f} times as tall as its width makes it"
        page.screenshot(path=str(ROOT / "screenshots" / "narrow-column-picture.png"))
    finally:
        page.close()


def test_every_panel_reads_whole_at_200_percent_zoom(browser, jupyter: str) -> None:
    """A 1280 x 800 window at 200% zoom (a 640 x 400 CSS viewport, the file browser open),
    then 320 CSS px wide (WCAG 1.4.10):
    every lesson's playground, the gateways' comparison and a quiz, and no label, tab or
    button cut, every number box named by its label, and a picture and a chart drawn at their own size. A checkbox's words were cut with '...' and its box clipped (04's "maintenance:
    the origin answers ..."), and the inspector's tabs read "Sumn", "Head", "Raw b"."""
    from labkit import scenarios

    name = "zoomed-panels.ipynb"
    playgrounds = "\n".join(f'display(Playground(lab, "{n}"))' for n in scenarios.LESSONS)
    _put_notebook(
        jupyter,
        name,
        "import labkit\nfrom labkit.widgets import GatewaysCompared, Playground, Quiz\n"
        "from labkit.exercises.lesson_503 import q1, q4\nlab = labkit.start()\n" + playgrounds,
        "display(GatewaysCompared(lab), Quiz(q1), Quiz(q4))",
        'lab.get("/up/garbage/").picture()',
        'labkit.charts.timeline(lab.get("/slow?delay=0.1"))',
    )
    context = browser.new_context(viewport={"width": 640, "height": 400}, device_scale_factor=2)
    page = context.new_page()
    try:
        page.goto(f"{jupyter}/lab/tree/{name}?token={TOKEN}&reset")
        page.wait_for_function(_KERNEL_READY, timeout=60000)
        for i in (0, 1, 2, 3):
            page.evaluate(_RUN_CELL, i)
            page.wait_for_function(_KERNEL_READY, timeout=60000)
        page.wait_for_function(
            f"() => document.querySelectorAll('.labkit-panel').length >= {len(scenarios.LESSONS) + 3}",
            timeout=30000,
        )
        page.wait_for_timeout(500)
        cut = page.evaluate(_OVERFLOWS)
        assert not cut, "\n".join(cut)
        # every number box named by its own label: boxes drawn in the same millisecond took
        # the same id, and a label names only the first element with its id (04's and 05's
        # second and third boxes had no name; axe passes a label whose id is found at all)
        unnamed = page.evaluate(
            """() => [...document.querySelectorAll('.labkit-number input')]
              .filter(i => !(i.labels.length && i.labels[0].textContent.trim()))
              .map(i => i.id + ' beside ' + i.previousElementSibling.textContent)"""
        )
        assert not unnamed, unnamed
        # a picture at (nearly) its own size, its figure scrolling sideways: shrunk to the
        # column, its labels were drawn no larger than unzoomed (252 px wide for a 570 px one)
        drawn, own, _ = page.evaluate(_PICTURE_SIZE)
        assert drawn >= own * SHRINK - 1, (
            f"the picture drawn {drawn:.0f} px wide, its own {own:.0f}"
        )
        # and a chart (the 504 timeline, 720 px): JupyterLab's img {max-width: 100%} drew it
        # 272 px wide, its 10-point words 4 px; its PNG has 2 pixels for each of them
        drawn, own, pixels = page.evaluate(
            """() => { const img = [...document.querySelectorAll('figure.labkit-chart img')]
                .find(i => i.offsetParent !== null);
              return [img.getBoundingClientRect().width, +img.getAttribute('width') || img.naturalWidth, img.naturalWidth]; }"""
        )
        assert drawn >= own * SHRINK - 1 and pixels == 2 * own, (drawn, own, pixels)
        # 320 CSS px wide (WCAG 1.4.10 reflow), the file browser closed as a learner would
        # (at 200% with it open the notebook is 312 px wide): every control within its panel.
        # 501's Send and 505's "Send the request line" sat out of sight, beside a row the
        # panel scrolled sideways; the quiz's answer box and 09's drop-down list were cut
        page.set_viewport_size({"width": 320, "height": 640})
        page.evaluate("() => window.jupyterapp.shell.collapseLeft()")
        page.wait_for_timeout(500)
        wide = page.evaluate(_REFLOWS)
        assert not wide, "\n".join(wide)
        # a drop-down list's chosen words, cut by its box, said whole under it: 03's scenario
        # read "502-garbage: Upstream ans" and nothing on the page said the rest
        cut = page.evaluate(_CUT_CHOICES)
        assert not cut, "\n".join(cut)
        page.locator(".labkit-panel select").first.scroll_into_view_if_needed()
        page.screenshot(path=str(ROOT / "screenshots" / "zoomed-320-scenario.png"))
        # a checkbox's words that take two lines go on beside its box, not under it at the
        # panel's edge, where the second line read as a line of its own (zh 08's causes)
        wrapped, under = page.evaluate(
            """() => { const rows = [...document.querySelectorAll('.labkit-panel .widget-checkbox')]
                .filter(c => c.getClientRects().length).map(c => [
                  c.querySelector('input').getBoundingClientRect(),
                  c.querySelector('.widget-label-basic span').getBoundingClientRect(),
                  c.textContent.trim()])
                .filter(([box, words]) => words.height > 1.5 * box.height);
              return [rows.length, rows.filter(([box, words]) => words.left < box.right - 1)
                .map(([, , text]) => text)]; }"""
        )
        assert wrapped and not under, (wrapped, under)
        page.locator(".labkit-panel .widget-checkbox").first.scroll_into_view_if_needed()
        page.screenshot(path=str(ROOT / "screenshots" / "zoomed-320-checkbox.png"))
        # lesson 09's comparison, run: its table (361 px here) moved the whole panel sideways,
        # its list and spoken line with it; it scrolls in a box of its own, a named Tab stop
        page.get_by_role("button", name="Run through every gateway").click()
        box = page.locator(".labkit-panel .labkit-table-box")
        box.locator("td").first.wait_for(timeout=30000)
        page.wait_for_function(_KERNEL_READY, timeout=60000)
        wide = page.evaluate(_REFLOWS)
        assert not wide, "\n".join(wide)
        scrolls, tab, name = box.evaluate(
            "(b) => [b.scrollWidth > b.clientWidth, b.tabIndex, b.getAttribute('aria-label')]"
        )
        assert (scrolls, tab, name) == (True, 0, "garbage through every gateway")
        # what a screen reader reads after the run: one line, who disagrees on what (the
        # live region read the whole table out, titles and statuses, about 400 characters)
        spoken = box.locator("xpath=ancestor::*[contains(@class, 'labkit-panel')][1]")
        assert spoken.get_by_role("status").inner_text() == (
            "garbage through every gateway: they disagree: rfc, haproxy, envoy, caddy: "
            "502 Bad Gateway; nginx: no status line (HTTP/0.9 passthrough)."
        )
        # and a playground's inspector, its Summary and its Headers (a three-column table)
        run = page.get_by_role("button", name="Run scenario").first
        run.click()
        panel = page.locator(".labkit-panel").filter(has=run).first
        panel.locator(".widget-tab h3").first.wait_for(timeout=30000)
        for title in ("Summary", "Headers"):
            panel.get_by_role("tab", name=title).click()
            panel.get_by_role("tabpanel", name=title).locator("table").wait_for(timeout=15000)
            wide = page.evaluate(_REFLOWS)
            assert not wide, (title, wide)
    finally:
        context.close()
