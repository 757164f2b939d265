"""Real system users for the classroom tests: created for a test, removed after it.

Names start with ``cls`` and carry a random part, so parallel runs never share one. Only
root can create users; without root the tests that need them skip and say why (on CI,
LABKIT_REQUIRE_ALL=1 turns that skip into a failure).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class User:
    name: str
    uid: int
    gid: int
    home: Path

    def run(self, argv: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
        """Run a command as this user (a clean environment, their home as cwd)."""
        env = {"HOME": str(self.home), "USER": self.name, "LOGNAME": self.name,
               "PATH": "/usr/local/bin:/usr/bin:/bin", **kwargs.pop("env", {})}  # fmt: skip
        return subprocess.run(argv, user=self.uid, group=self.gid, extra_groups=[], env=env,
                              cwd=self.home, capture_output=True, text=True,
                              timeout=kwargs.pop("timeout", 30), **kwargs)  # fmt: skip

    def popen(self, argv: list[str], **kwargs) -> subprocess.Popen:
        env = {"HOME": str(self.home), "USER": self.name, "LOGNAME": self.name,
               "PATH": "/usr/local/bin:/usr/bin:/bin", **kwargs.pop("env", {})}  # fmt: skip
        return subprocess.Popen(argv, user=self.uid, group=self.gid, extra_groups=[], env=env,
                                cwd=self.home, **kwargs)  # fmt: skip


def need_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to create real system users (cls...) for the test")
    if shutil.which("useradd") is None:
        pytest.skip("needs useradd to create real system users")


@contextlib.contextmanager
def system_users(*roles: str) -> Iterator[list[User]]:
    """One real user per role, with a home of mode 0700; removed (with their homes) after."""
    need_root()
    tag = secrets.token_hex(3)
    made: list[User] = []
    try:
        for role in roles:
            name = f"cls{role[:12]}{tag}"
            subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", "--user-group", name],
                           check=True, capture_output=True)  # fmt: skip
            entry = pwd.getpwnam(name)
            home = Path(entry.pw_dir)
            home.chmod(0o700)
            made.append(User(name, entry.pw_uid, entry.pw_gid, home))
        yield made
    finally:
        for user in made:
            subprocess.run(["userdel", "--remove", user.name], capture_output=True)
