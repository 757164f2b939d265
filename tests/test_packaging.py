"""environment.yml (conda, Binder) and pyproject.toml must name the same dependencies."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
tomllib = pytest.importorskip(
    "tomllib", reason="tomllib needs Python 3.11 (3.10: pip install tomli)"
)


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _conda_names(path: Path) -> tuple[set[str], list]:
    env = yaml.safe_load(path.read_text())
    names = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    pip = [d["pip"] for d in env["dependencies"] if isinstance(d, dict)]
    return names, pip


@pytest.mark.parametrize("where", ["environment.yml", "binder/environment.yml"])
def test_environments_hold_the_runtime_dependencies_only(where: str) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    conda, pip = _conda_names(ROOT / where)
    assert conda == wanted, (
        f"only in {where}: {conda - wanted}; only in pyproject: {wanted - conda}"
    )
    tools = {_name(r) for r in project["optional-dependencies"]["test"]}
    assert not conda & tools, "test tools come from the test extra, not the learner's image"
    assert pip == [], "the package is installed after the dependency layer (binder/postBuild)"


def test_binder_installs_the_package_in_a_later_step() -> None:
    post = ROOT / "binder" / "postBuild"
    assert post.stat().st_mode & 0o111, "repo2docker runs postBuild only when it is executable"
    commands = [line for line in post.read_text().splitlines() if line and line[0] != "#"]
    assert "python -m pip install --no-deps --quiet ." in commands
    assert not (ROOT / "binder" / "requirements.txt").exists()


def test_binder_image_has_the_tools_of_the_terminal_path() -> None:
    """What a Binder learner types in JupyterLab's terminal uses curl (README, lesson 00), nc -N
    (the scenarios' raw-byte shell forms) and jq (the README's "running one by hand"); Binder's
    base image is not promised to have them, so binder/apt.txt names their Debian packages."""
    from labkit import scenarios

    listed = {
        line.split("#")[0].strip()
        for line in (ROOT / "binder" / "apt.txt").read_text().splitlines()
        if line.split("#")[0].strip()
    }
    commands = json.dumps([s.as_dict() for s in scenarios.SCENARIOS.values()])
    readme = (ROOT / "README.md").read_text()
    used = {
        "curl": "curl " in commands and "curl -i" in readme,
        "netcat-openbsd": "| nc -N " in commands,
        "jq": "| jq " in readme,
    }
    assert all(used.values()), used  # each is used, so each belongs in the image
    assert listed == set(used)


def test_binder_link_opens_the_start_here_notebook() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "mybinder.org/v2/" in readme
    assert "urlpath=lab/tree/notebooks/00-start-here.ipynb" in readme
    assert (ROOT / "notebooks" / "00-start-here.ipynb").exists()


SETTINGS = "jupyter-config/lab/settings/overrides.d/labkit-defaults.json"
NO_NEWS = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}
}
# every widget message to the kernel's main shell, in the order sent (tests/test_browser_busy.py)
IN_ORDER = {"@jupyterlab/apputils-extension:kernels-settings": {"commsOverSubshells": "disabled"}}


@pytest.mark.slow  # imports jupyterlab.commands: 3-5 s
def test_jupyterlab_asks_no_news_question_where_labkit_is_installed() -> None:
    """JupyterLab's "official Jupyter news?" prompt popped up over a new learner's first lesson
    (on the hub, on Binder): labkit's JupyterLab defaults turn it off. pip installs them beside
    JupyterLab (pyproject's data-files), and `make` copies them into .venv too, since an editable
    install leaves data-files out; the browser test checks that no prompt shows."""
    import json

    from jupyterlab.commands import get_app_dir

    assert json.loads((ROOT / SETTINGS).read_text()) == {**NO_NEWS, **IN_ORDER}
    files = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["data-files"]
    assert files["share/jupyter/lab/settings/overrides.d"] == [SETTINGS]
    assert "LAB_SETTINGS = " + SETTINGS in (ROOT / "Makefile").read_text()
    installed = Path(get_app_dir()) / "settings" / "overrides.d" / "labkit-defaults.json"
    assert installed.exists(), f"not installed: {installed} (make .venv/.installed)"
    # the news part: a venv made before labkit's defaults put widget messages in order has
    # them from `make` (its stamp depends on them); the browser test reads the checkout's
    # a venv made before a change of the defaults gets them from `make` (its stamp depends on
    # the file): a copy that differs is a venv `make` has not brought up to date
    assert json.loads(installed.read_text()) == {**NO_NEWS, **IN_ORDER}, (
        f"{installed} differs from {SETTINGS}: run make to bring the venv up to date"
    )


KERNEL_CONFIG = "jupyter-config/ipython/ipython_kernel_config.py"


def test_kernels_load_labkit_kernel_where_labkit_is_installed() -> None:
    """A lesson cell run before its start cell said only NameError's traceback: labkit's
    kernel set-up (IPython reads the environment's etc/ipython/ at each kernel start) loads
    labkit.kernel, which says to run the start cell. pip installs it (data-files), `make`
    copies it into .venv; the browser test runs a cell before the start cell."""
    import sys

    from traitlets.config import PyFileConfigLoader

    files = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["data-files"]
    assert files["etc/ipython"] == [KERNEL_CONFIG]
    assert "KERNEL_CONFIG = " + KERNEL_CONFIG in (ROOT / "Makefile").read_text()
    installed = Path(sys.prefix) / "etc" / "ipython" / "ipython_kernel_config.py"
    assert installed.exists(), f"not installed: {installed} (make quick copies it)"
    assert installed.read_text() == (ROOT / KERNEL_CONFIG).read_text()
    config = PyFileConfigLoader(installed.name, str(installed.parent)).load_config()
    assert "labkit.kernel" in config.InteractiveShellApp.extensions.get_value([])


def _make_lab_plan(venv: Path, *given: str) -> list[str]:
    """The commands `make lab` would run to set up ``venv``, with the make variables ``given``
    (make -n: none is run)."""
    import shutil
    import subprocess

    make = shutil.which("make")
    if make is None:
        pytest.skip("no make")
    return subprocess.run(
        [make, "-n", "lab", f"VENV={venv}", *given],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout.splitlines()


def test_make_says_what_it_sets_up_before_the_quiet_install(tmp_path) -> None:
    """`make lab`'s first run in a fresh clone printed the venv and pip commands, then
    nothing for 95 s (pip --quiet; measured at load 7): a learner reads that as a hang."""
    plan = _make_lab_plan(tmp_path / "venv")
    install = next(k for k, line in enumerate(plan) if "pip install" in line)
    said = [line for line in plan[:install] if line.startswith("echo ")]
    assert said and "first time" in said[0] and "few minutes" in said[0], plan[: install + 1]


@pytest.mark.parametrize("lesson", [None, "zh/00-start-here.ipynb"])
def test_make_lab_prints_a_url_that_opens_lesson_00(tmp_path, lesson) -> None:
    """`make lab` gave JupyterLab lesson 00 as a file to open: only a browser JupyterLab opened
    itself went there, and the URL it printed, the one a learner copies (in a container, on a
    remote machine), opened the Launcher. The printed URL is the default URL:
    lesson 00's, under the notebooks/ root; LESSON=zh/00-start-here.ipynb, the Chinese one."""
    import re

    given = [f"LESSON={lesson}"] if lesson else []
    plan = _make_lab_plan(tmp_path / "venv", *given)
    (jupyter,) = [line for line in plan if "jupyter lab" in line]
    root = re.search(r"--ServerApp\.root_dir=(\S+)", jupyter)
    url = re.search(r"--LabApp\.default_url=/lab/tree/(\S+)", jupyter)
    assert root and url, jupyter
    assert url[1] == (lesson or "00-start-here.ipynb")
    assert (ROOT / root[1] / url[1]).is_file()


@pytest.mark.slow  # a venv, pip upgraded, an editable install of labkit: about 25 s
def test_make_installs_without_a_build_warning(tmp_path) -> None:
    """A fresh `make lab` printed setuptools' 12-line BuildBackendWarning ("Editable
    installation. Please be careful with folders in your working directory with the same name
    as your package"), relayed by pip --quiet, before JupyterLab's first line. The Makefile's
    own install line, run as make runs it (without the dependencies, which are installed
    here already), prints no warning now."""
    import subprocess
    import sys

    venv = tmp_path / "venv"
    plan = _make_lab_plan(venv)
    upgrade, install = (line for line in plan if "pip install" in line)  # pip's, then labkit's
    assert " -e " in install, plan
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    subprocess.run(upgrade, shell=True, check=True, capture_output=True, timeout=300)
    done = subprocess.run(
        f"{install} --no-deps",
        shell=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # this host's pip configuration may name index folders it lacks: pip's, not the project's
    said = [line for line in done.stderr.splitlines() if line.strip() and "is ignored" not in line]
    assert not said, "\n".join(said)
