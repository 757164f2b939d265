"""environment.yml (conda, Binder) and pyproject.toml must name the same dependencies."""

from __future__ import annotations

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


def test_environment_and_pyproject_agree() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    wanted |= {_name(r) for r in project["optional-dependencies"]["test"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert conda == wanted, (
        f"only in environment.yml: {conda - wanted}; only in pyproject: {wanted - conda}"
    )
    assert "-e ." in pip, "Binder must install the package itself"


def test_binder_link_opens_the_start_here_notebook() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "mybinder.org/v2/" in readme
    assert "urlpath=lab/tree/notebooks/00-start-here.ipynb" in readme
    assert (ROOT / "notebooks" / "00-start-here.ipynb").exists()
