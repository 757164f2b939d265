"""Trusted grading: re-run each learner's kept answers against a fresh lab.

A progress file says what the learner's kernel saw, which the learner can edit. So
``check()`` keeps the answer itself with the record (``keep``): a code answer as its
source, with the imports, helper functions and constants it uses; a plain value as
JSON; a lab as "a fresh lab here". ``labkit grade PATH...`` reads those records the way
``labkit collect`` does and, for each learner, starts one process that re-runs every
kept answer through ``labkit.exercises.get(id).check(...)`` (the same judges and time
limits the learner had) against a fresh lab, without the instructor's rights:

- as root, the process runs as the learner (the owner of the learner's file);
- otherwise it confines itself with Linux Landlock before it reads a kept answer: it can
  read the system, Python and labkit, and write only a directory of its own, so it can
  neither read nor change the instructor's files, nor signal the instructor's processes.

Where neither is possible, grading refuses rather than run learner code as the instructor.
An answer that was only the lab's state at the time (``q.check(lab)``) or an object of
the learner's session (an Exchange) cannot be re-run: the gradebook says so.
"""

from __future__ import annotations
import __future__

import ast
import contextlib
import ctypes
import functools
import inspect
import json
import os
import pwd
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import textwrap
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from labkit.errors import LabkitError, errno_reason, language, say
from labkit.i18n import Msg

GRADE_TIME_PER_EXERCISE = 20.0  # seconds, on top of each exercise's own time limit
_PLAIN = (str, int, float, bool, type(None))


class GradingError(LabkitError):
    """Grading cannot run safely here; the message says what is needed."""


# Why a kept answer cannot be re-run. The learner's kernel stores the English (the progress
# file is read by programs too); the gradebook says it in the instructor's language.
LAMBDA = Msg("a lambda: write it with def to have it re-run")
NO_SOURCE = Msg("its source could not be found")
INSIDE = Msg("a function defined inside a class or a function: define it at the top of a cell")
EDITED = Msg("its file was edited after it was imported: reload it and check again")
# a callable that is not a function of its own: what runs is not in one source to keep
PARTIAL = Msg(
    "a functools.partial: give a function written with def at the top of a cell, which calls "
    "yours with those arguments, to have it re-run"
)
METHOD = Msg(
    "a method of an object: give a function written with def at the top of a cell to have it re-run"
)
CALLABLE_OBJECT = Msg(
    "a class or an object with __call__: give a function written with def at the top of a "
    "cell to have it re-run"
)
LAB_STATE = Msg("the answer was the lab's state at the time")
NOTHING_KEPT = Msg("no answer kept")
CANNOT = Msg("cannot be re-run")
FROM_SESSION = Msg("a {kind} from the session")
_FIXED_WHYS = {
    str(m): m
    for m in (
        LAMBDA,
        NO_SOURCE,
        INSIDE,
        EDITED,
        PARTIAL,
        METHOD,
        CALLABLE_OBJECT,
        LAB_STATE,
        NOTHING_KEPT,
        CANNOT,
    )
}


def why_said(why: str, lang: str | None = None) -> str:
    """A stored reason in ``lang`` (default: ``errors.language()``); one labkit did not
    write is shown as it is."""
    if why in _FIXED_WHYS:
        return say(_FIXED_WHYS[why], lang)
    found = re.fullmatch(r"a (\w+) from the session", why)
    return say(FROM_SESSION.bind(kind=found.group(1)), lang) if found else why


# -- keeping answers (called by Exercise.check) --


def _names_in(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names_in(const)
    return names


def _is_plain(value: Any, depth: int = 0) -> bool:
    if isinstance(value, _PLAIN):
        return True
    if depth > 6:
        return False
    if isinstance(value, (list, tuple)):
        return all(_is_plain(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_plain(v, depth + 1) for k, v in value.items())
    return False


def _function(fn: types.FunctionType) -> dict[str, Any]:
    if fn.__name__ == "<lambda>":
        return {"kind": "none", "why": str(LAMBDA)}
    if "." in fn.__qualname__:  # a method, a staticmethod, a function inside a function
        return {"kind": "none", "why": str(INSIDE)}
    try:
        source = textwrap.dedent(inspect.getsource(fn))
    except (OSError, TypeError):
        return {"kind": "none", "why": str(NO_SOURCE)}
    if not _runs_as_written(fn):
        return {"kind": "none", "why": str(EDITED)}
    context: list[str] = []
    labs: list[str] = []
    # the names the function uses, and those its own helpers (defined beside it, in the
    # notebook or its module) use, helper by helper: a helper's own imports were left out
    # ("import httpx" in an earlier cell), so a check that passed in the kernel failed its
    # re-run with "NameError: name 'httpx' is not defined"
    todo, kept, bound = [fn], {id(fn)}, set[str]()
    while todo:
        current = todo.pop(0)
        for name in sorted(_names_in(current.__code__)):
            if name in bound or name not in current.__globals__:
                continue  # kept already, a builtin or an attribute name
            bound.add(name)
            value = current.__globals__[name]
            if inspect.isfunction(value) and id(value) not in kept:
                kept.add(id(value))
                own = value.__module__ == fn.__module__ or _learners_own(value)
                if not own and _importable(value):  # os.path.join: imported, not inlined
                    context.append(f"from {value.__module__} import {value.__qualname__} as {name}")
                    continue
                try:
                    context.append(textwrap.dedent(inspect.getsource(value)))
                except (OSError, TypeError):
                    continue
                if own and not _runs_as_written(value):
                    # a helpers.py edited after it was imported: its new text is not the
                    # helper the kernel ran (Correct there, another verdict in the re-run)
                    return {"kind": "none", "why": str(EDITED)}
                if name != value.__name__:  # from helpers import parse as p
                    context.append(f"{name} = {value.__name__}")
                if own:
                    todo.append(value)
            else:
                _keep_value(name, value, context, labs)
    return {
        "kind": "code",
        "source": source,
        "name": fn.__name__,
        "context": "\n".join(context),
        "labs": labs,
    }


def _same_code(a: types.CodeType, b: types.CodeType) -> bool:
    """Whether two code objects do the same: their instructions, names and constants (a
    constant edited, "origin" for "gateway", leaves the instructions as they were)."""
    if (a.co_code, a.co_names, a.co_varnames) != (b.co_code, b.co_names, b.co_varnames):
        return False
    if len(a.co_consts) != len(b.co_consts):
        return False
    for x, y in zip(a.co_consts, b.co_consts, strict=True):
        if isinstance(x, types.CodeType) and isinstance(y, types.CodeType):
            if not _same_code(x, y):
                return False
        elif type(x) is not type(y) or x != y:
            return False
    return True


def _runs_as_written(fn: types.FunctionType) -> bool:
    """Whether the text inspect finds for ``fn`` now is the code ``fn`` runs. A module's file
    edited after it was imported, and not reloaded, gives its new text: the kernel judged
    the old code and `labkit grade` re-ran the new, each with its own verdict (Correct in
    the kernel, 0 points; or the other way round). The whole file (or cell) is compiled,
    as it was, since a function alone compiles otherwise (a name its module imported is
    called with another instruction). True where it cannot tell."""
    import linecache

    where = fn.__code__.co_filename
    text = "".join(linecache.getlines(where, fn.__globals__))
    try:
        module = compile(text, where, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return True
    found, todo = [], [module]
    while todo:
        for const in todo.pop().co_consts:
            if isinstance(const, types.CodeType):
                if const.co_qualname == fn.__code__.co_qualname:
                    found.append(const)
                todo.append(const)
    return not found or any(_same_code(c, fn.__code__) for c in found)


def _learners_own(fn: types.FunctionType) -> bool:
    """Whether ``fn`` is the learner's code (a notebook cell's, or a module of theirs such
    as a helpers.py beside the notebook), not Python's, an installed package's or labkit's.
    A helper the answer imported from a module of its own was inlined without what it uses
    in turn ("NameError: name 'codec' is not defined" in the re-run, Correct in the kernel);
    a library's is imported by name instead, its source never copied."""
    import site

    import labkit

    module = sys.modules.get(fn.__module__ or "")
    where = getattr(module, "__file__", None)
    if fn.__module__ in (None, "__main__") or not where:
        return True
    libraries = [sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(labkit.__file__)]
    with contextlib.suppress(AttributeError):  # a virtualenv's site has no getsitepackages
        libraries += site.getsitepackages()
    found = os.path.realpath(where)
    return not any(
        found.startswith(os.path.realpath(place) + os.sep) for place in libraries if place
    )


def _importable(fn: types.FunctionType) -> bool:
    """Whether ``fn`` can be imported by its module and name (a module's own function)."""
    module = sys.modules.get(fn.__module__ or "")
    return (
        module is not None
        and fn.__module__ != "__main__"
        and "<" not in fn.__qualname__
        and "." not in fn.__qualname__
        and getattr(module, fn.__qualname__, None) is fn
    )


def _keep_value(name: str, value: Any, context: list[str], labs: list[str]) -> None:
    """How the re-run gets ``name`` (not a function): imported, the lab, or a constant."""
    from labkit.lab import Lab

    if isinstance(value, types.ModuleType):
        context.append(f"import {value.__name__} as {name}")
    elif isinstance(value, Lab):
        labs.append(name)
    elif inspect.isfunction(value):
        pass  # the function itself, used by name (recursion)
    elif _is_plain(value):
        context.append(f"{name} = {value!r}")
    elif getattr(value, "__module__", "__main__") not in ("__main__", None) and "." not in (
        getattr(value, "__qualname__", ".")
    ):
        context.append(f"from {value.__module__} import {value.__qualname__} as {name}")


def keep(answer: tuple[Any, ...]) -> dict[str, Any]:
    """The answer in a form that can be stored and re-run later (``{"args": [...]}``)."""
    from labkit.lab import Lab

    args = []
    for value in answer:
        if isinstance(value, Lab):
            args.append({"kind": "lab"})
        elif inspect.isfunction(value):
            args.append(_function(value))
        elif isinstance(value, bytes):
            args.append({"kind": "bytes", "value": value.decode("latin-1")})
        elif _is_plain(value):
            args.append({"kind": "value", "value": value})
        elif isinstance(value, functools.partial):
            args.append({"kind": "none", "why": str(PARTIAL)})
        elif inspect.ismethod(value):
            args.append({"kind": "none", "why": str(METHOD)})
        elif callable(value):  # a class, an object with __call__, a builtin
            args.append({"kind": "none", "why": str(CALLABLE_OBJECT)})
        else:
            why = FROM_SESSION.bind(kind=type(value).__name__)
            args.append({"kind": "none", "why": str(why)})
    if all(a["kind"] == "lab" for a in args):
        return {"args": [{"kind": "none", "why": str(LAB_STATE)}]}
    return {"args": args}


def replayable(kept: dict[str, Any] | None) -> str:
    """'' when the kept answer can be re-run, else why not (in English, as stored)."""
    if not kept:
        return str(NOTHING_KEPT)
    for arg in kept["args"]:
        if arg.get("kind") == "none":
            return str(arg.get("why", str(CANNOT)))
    return ""


# -- the sandbox (non-root) --

_LANDLOCK_CREATE_RULESET, _LANDLOCK_ADD_RULE, _LANDLOCK_RESTRICT_SELF = 444, 445, 446
_READ = (1 << 0) | (1 << 2) | (1 << 3)  # execute, read file, read dir
_FILE_RIGHTS = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 14) | (1 << 15)  # what a file rule may hold
_PR_SET_NO_NEW_PRIVS = 38


def landlock_abi() -> int:
    """Landlock's ABI version here (0: not available)."""
    if not sys.platform.startswith("linux"):
        return 0
    libc = ctypes.CDLL(None, use_errno=True)
    version = libc.syscall(_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    return max(int(version), 0)


def confine(readable: list[str], writable: list[str], *, as_you: bool = True) -> None:
    """Allow this process to read only ``readable`` and write only ``writable`` (Landlock),
    and (ABI >= 6) not to signal processes outside; irreversible for the process.
    ``as_you``: it runs with your rights (not as root's learner), so no Unix socket either
    (``_no_unix_sockets``), or grading is refused."""
    abi = landlock_abi()
    if abi < 1:
        raise GradingError(say(Msg("Linux Landlock is not available")))
    libc = ctypes.CDLL(None, use_errno=True)
    handled = (1 << {1: 13, 2: 14, 3: 15, 4: 15}.get(abi, 16)) - 1
    # scoped (ABI >= 6): 0x1 abstract Unix sockets made outside (the session bus, X11),
    # 0x2 signals to processes outside
    attr = (ctypes.c_uint64 * 3)(handled, 0, 0x3 if abi >= 6 else 0)
    size = 24 if abi >= 6 else 16
    fd = libc.syscall(_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0)
    if fd < 0:
        why = errno_reason(ctypes.get_errno())
        raise GradingError(say(Msg("Landlock refused a ruleset: {why}", why=why)))

    class PathBeneath(ctypes.Structure):
        _pack_ = 1
        _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]

    try:
        for paths, access in ((readable, _READ), (writable, handled)):
            for path in paths:
                try:
                    pfd = os.open(path, os.O_PATH | os.O_CLOEXEC)
                except OSError:
                    continue
                # a file's rights for a file, this rule's only (a directory after a file
                # in the list was given only a file's: nothing could be made in it)
                rights = access if os.path.isdir(path) else access & _FILE_RIGHTS
                rule = PathBeneath(rights & handled, pfd)
                res = libc.syscall(_LANDLOCK_ADD_RULE, fd, 1, ctypes.byref(rule), 0)
                os.close(pfd)
                if res != 0:
                    why = errno_reason(ctypes.get_errno())
                    raise GradingError(
                        say(Msg("Landlock refused a rule for {path}: {why}", path=path, why=why))
                    )
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise GradingError(say(Msg("cannot set no_new_privs")))
        if libc.syscall(_LANDLOCK_RESTRICT_SELF, fd, 0) != 0:
            why = errno_reason(ctypes.get_errno())
            raise GradingError(say(Msg("Landlock refused: {why}", why=why)))
    finally:
        os.close(fd)
    if not _no_unix_sockets(libc) and as_you:
        raise GradingError(
            say(
                Msg(
                    "cannot keep learner code from your Unix sockets (seccomp) on this machine; "
                    "run `labkit grade` as root"
                )
            )
        )


# seccomp: each architecture's AUDIT_ARCH and its numbers of socket() and io_uring_setup()
_SECCOMP_ARCHES = {"x86_64": (0xC000003E, 41, 425), "aarch64": (0xC00000B7, 198, 425)}
_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 22, 2


def _no_unix_sockets(libc: Any) -> bool:
    """Forbid this process (and what it forks) to create a Unix socket: a seccomp filter
    that fails socket(AF_UNIX, ...) with EPERM, and io_uring (which can make sockets too).

    Landlock governs files, not connect() to a Unix socket: a kept answer, running as you,
    talked to your ssh-agent's socket and your session bus's (where systemd starts any
    command as you, unconfined). socketpair() stays: asyncio's loop needs it, and its two
    ends reach nothing outside. False where this cannot be done (another architecture)."""
    import platform
    import struct

    arch = _SECCOMP_ARCHES.get(platform.machine())
    if arch is None:
        return False
    audit, socket_nr, io_uring_nr = arch
    load, equal, at_least, ret = 0x20, 0x15, 0x35, 0x06  # BPF_LD|W|ABS, JMP JEQ|K, JGE|K, RET|K
    allow, deny = 0x7FFF0000, 0x00050000 | 1  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO | EPERM
    program = [
        (load, 0, 0, 4),  # the architecture
        (equal, 1, 0, audit),
        (ret, 0, 0, deny),  # another ABI's numbers (i386's socketcall): nothing
        (load, 0, 0, 0),  # the system call's number
        (at_least, 6, 0, 0x40000000),  # x32's numbers: nothing
        (equal, 5, 0, io_uring_nr),
        (equal, 0, 3, socket_nr),
        (load, 0, 0, 16),  # socket()'s first argument, the family
        (equal, 0, 1, 1),  # AF_UNIX
        (ret, 0, 0, deny),
        (ret, 0, 0, allow),
        (ret, 0, 0, deny),
    ]
    code = ctypes.create_string_buffer(b"".join(struct.pack("=HBBI", *i) for i in program))

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = Program(len(program), ctypes.addressof(code))
    # no_new_privs is set (``confine``): an unprivileged process may install a filter
    return int(libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0)) == 0


def _readable_for_child() -> list[str]:
    import labkit

    paths = {
        "/usr",
        "/lib",
        "/lib64",
        "/lib32",
        "/bin",
        "/sbin",
        "/etc",
        "/proc",
        "/sys",
        "/dev",
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        str(Path(labkit.__file__).resolve().parent.parent),
    }
    paths |= {p for p in sys.path if p and os.path.isdir(p)}
    return sorted(p for p in paths if os.path.exists(p) and os.path.abspath(p) != "/")


# -- the child: one learner's answers, in a process of its own --


def _literal(node: ast.expr) -> bool:
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        return False
    return True


KEPT_CONTEXT = Msg("the kept context")
KEPT_ANSWER = Msg("the kept answer")


def _dotted(node: ast.expr) -> bool:
    """A default a learner writes as a name (``known=GATEWAYS``, ``sep=os.sep``): looking it
    up runs nothing of theirs, since the context it names holds only definitions."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


# Standard modules whose import acts: it opens a browser or a window, prints, or runs
# CPython's test suite. What a kept answer imports is imported in the verdict process
# (below no keeper, before the verdicts are printed), so only imports that act on nothing
# pass there (``_import_refused``); a package's ``__main__`` runs its command when imported.
ACTING_ON_IMPORT = frozenset(
    {
        "antigravity",
        "this",
        "__hello__",
        "__phello__",
        "idlelib",
        "tkinter",
        "turtle",
        "turtledemo",
        "test",
    }
)


# What the lessons have learners import beside the standard library and labkit: labkit's own
# HTTP client, which labkit imports only when a request needs it. 511 q4's reference answer
# ("request lab.portal.url + '/generate_204' with httpx", the lessons' `import httpx`) got 0
# points in `labkit grade`: "line 1 of the kept context imports httpx, which grading does
# not import", the verdict process having sent no request yet.
LESSON_IMPORTS = frozenset({"httpx"})


def _import_refused(node: ast.Import | ast.ImportFrom) -> str | None:
    """The module an import of a kept answer may not import in the verdict process, or
    None: a standard module (not one of ACTING_ON_IMPORT, nor a ``__main__``), or a module
    this process already imported (labkit and what it uses: importing it again runs
    nothing). Any other installed module's import would run code the instructor never
    chose, with the learner's rights (as root) or the instructor's confined ones, outside
    the keeper that ends what a check leaves running; the learner's kernel imported it,
    the gradebook says which line to change."""
    if isinstance(node, ast.ImportFrom):
        if node.level or not node.module:
            return "." * node.level + (node.module or "")
        names = [node.module]
        loaded = sys.modules.get(node.module)
        for alias in node.names:  # a submodule not yet imported is an import too
            if loaded is None or not hasattr(loaded, alias.name):
                names.append(f"{node.module}.{alias.name}")
    else:
        names = [alias.name for alias in node.names]
    for name in names:
        parts = name.split(".")
        if "__main__" in parts or parts[0] in ACTING_ON_IMPORT:
            return name
        if parts[0] in LESSON_IMPORTS:
            continue
        if parts[0] not in sys.stdlib_module_names and name not in sys.modules:
            return name
    return None


def _only_definitions(code: str, part: Msg) -> types.CodeType:
    """``code`` compiled, if it only imports, defines functions and binds constants (what
    ``_function`` keeps); else ValueError saying which line does more.

    The kept context and source run in the process that reports the verdicts, not below
    the check's keeper: a submission whose context called ``atexit.register`` printed full
    points for every exercise after the real verdicts. So nothing of the learner's may run
    when it is defined: no call at top level, no decorator, no computed default, and
    annotations are not evaluated. The function's body still runs, in the check's fork."""
    flags = __future__.annotations.compiler_flag
    where = f"<{part}>"
    tree = ast.parse(code, where)
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            refused = _import_refused(node)
            if refused is None:
                continue
            raise ValueError(
                say(
                    Msg(
                        "line {line} of {part} imports {module}, which grading does not "
                        "import (only the standard library, labkit and what labkit uses)",
                        line=node.lineno,
                        part=part,
                        module=refused,
                    )
                )
            )
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defaults = [*node.args.defaults, *(d for d in node.args.kw_defaults if d)]
            if not node.decorator_list and all(_literal(d) or _dotted(d) for d in defaults):
                continue
        if (
            isinstance(node, ast.Assign)
            and all(isinstance(t, ast.Name) for t in node.targets)
            and (_literal(node.value) or isinstance(node.value, ast.Name))
        ):
            continue  # a constant, or another name for a function kept above it
        raise ValueError(
            say(
                Msg(
                    "line {line} of {part} runs code when it is defined (only imports, "
                    "functions without decorators or computed defaults, and constants are kept)",
                    line=min(d.lineno for d in [node, *getattr(node, "decorator_list", [])]),
                    part=part,
                )
            )
        )
    compiled: types.CodeType = compile(tree, where, "exec", flags=flags, dont_inherit=True)
    return compiled


def _rebuild(arg: dict[str, Any], lab: Any) -> Any:
    kind = arg["kind"]
    if kind == "lab":
        return lab
    if kind == "bytes":
        return str(arg["value"]).encode("latin-1")
    if kind == "value":
        return arg["value"]
    # a module that can be found by its name, as the kernel's __main__ can: a function the
    # answer hands to multiprocessing (Pool.map) is pickled by reference, which failed
    # with "import of module '__learner__' failed" (Correct in the kernel)
    module = types.ModuleType("__learner__")
    sys.modules[module.__name__] = module
    namespace: dict[str, Any] = module.__dict__
    for name in arg.get("labs", []):
        namespace[name] = lab
    context = _only_definitions(str(arg.get("context", "")), KEPT_CONTEXT)
    source = _only_definitions(str(arg["source"]), KEPT_ANSWER)
    exec(context, namespace)
    exec(source, namespace)
    if not callable(namespace.get(arg["name"])):  # a file edited by hand ("KeyError: 'f'")
        raise ValueError(
            say(Msg("{part} defines no function {name}", part=KEPT_ANSWER, name=arg["name"]))
        )
    return namespace[arg["name"]]


def _become(uid: int, gid: int) -> None:
    """Run on as the learner, from root: the re-run starts as root and drops here, before
    anything of the learner's is read. Started as the learner (subprocess's ``user=``), it
    was a process of theirs the kernel let them open from their own session while it ran
    (/proc/PID/fd/1, ptrace): they wrote their own verdicts after the real ones. A process
    that changes its uid is not dumpable: /proc/PID is root's, no ptrace."""
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)


_PR_SET_DUMPABLE = 4


def _undumpable() -> None:
    """Keep the learner's other processes out of this one, whatever the host's
    fs.suid_dumpable says (and so its forks, which run the learner's code)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)


_CLONE_NEWUSER, _CLONE_NEWNET = 0x10000000, 0x40000000
_SIOCGIFFLAGS, _SIOCSIFFLAGS, _IFF_UP = 0x8913, 0x8914, 0x1


def _own_loopback() -> bool:
    """Move this process into a network of its own (a new network namespace, owned by a new
    user namespace that maps only our uid) and bring its loopback up; False, and nothing
    changed, where the system does not allow it.

    A re-run with your rights (a non-root instructor's) is kept from your files (Landlock)
    and your Unix sockets (seccomp), but TCP to 127.0.0.1 is not a file: a kept answer
    reached every local service that trusts your uid, your own lab first (its owner check
    admits you). In a network of its own its 127.0.0.1 is its own: the re-run's lab is
    there, nothing else is. Tried first in a fork, since a namespace whose loopback cannot
    be brought up (a user namespace without its capabilities: AppArmor's
    restrict_unprivileged_userns) cannot be left again."""
    pid = os.fork()
    if pid == 0:  # the trial: one thread, nothing but system calls
        os._exit(0 if _enter_own_network() else 1)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0 and _enter_own_network()


def _enter_own_network() -> bool:
    import fcntl
    import socket
    import struct

    uid, gid = os.getuid(), os.getgid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
        return False
    try:
        for name, text in (
            ("setgroups", "deny"),
            ("uid_map", f"{uid} {uid} 1"),
            ("gid_map", f"{gid} {gid} 1"),
        ):
            with open(f"/proc/self/{name}", "w") as f:
                f.write(text)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            flags = struct.unpack_from(
                "16sH", fcntl.ioctl(sock, _SIOCGIFFLAGS, struct.pack("16sH14x", b"lo", 0))
            )[1]
            fcntl.ioctl(sock, _SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | _IFF_UP))
    except OSError:
        return False
    return True


_CLONE_NEWNS, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 0x20000, 2, 4, 8
_MS_REC, _MS_PRIVATE = 0x4000, 1 << 18


def _own_shm() -> bool:
    """In the re-run's own user namespace (``_own_loopback``), or as root before it becomes
    the learner, a /dev/shm of its own: an
    empty tmpfs in a mount namespace of its own, mounted over the host's where only this
    process sees it. multiprocessing's Pool and Lock make POSIX semaphores there
    (sem_open); the host's could not be written (Landlock), so an answer that used a Pool
    got "PermissionError: [Errno 13] Permission denied" in the re-run, Correct in the
    kernel. False, and the host's left alone, where this cannot be done."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(_CLONE_NEWNS) != 0:
        return False
    # nothing mounted here reaches the namespace it came from
    if libc.mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None) != 0:
        return False
    flags = _MS_NOSUID | _MS_NODEV | _MS_NOEXEC
    return int(libc.mount(b"tmpfs", b"/dev/shm", b"tmpfs", flags, b"size=64m,mode=1777")) == 0


# a re-run whose answer met PermissionError where it could not have a /dev/shm of its own
NO_SHM = Msg(
    "{message} (in this re-run, with your rights, /dev/shm cannot be written: "
    "multiprocessing's Pool and Lock need it; run `labkit grade` as root to re-run it as "
    "its learner)"
)


# the same, re-run as its learner (root) where the machine refuses a /dev/shm of the re-run's
# own (no mount namespace: a container without CAP_SYS_ADMIN): the host's is never lent
NO_SHM_AS_LEARNER = Msg(
    "{message} (this machine does not let the re-run have a /dev/shm of its own, and the "
    "host's is not lent to learner code: multiprocessing's Pool and Lock need one)"
)


# `labkit grade`'s note where a re-run with your rights cannot have a network of its own
SHARED_LOOPBACK = Msg(
    "this machine does not let a re-run have a network of its own (no unprivileged user "
    "namespaces), so the kept answers can reach the TCP services on 127.0.0.1 that trust "
    "your user, your own running labs among them: stop those while grading, or run `labkit "
    "grade` as root (each answer then runs as its learner)"
)


def own_network_possible() -> bool:
    """Whether a re-run with your rights gets a network of its own here (``_own_loopback``),
    tried in a fresh process: a user namespace is refused to a process with threads."""
    trial = "from labkit.grading import _enter_own_network as e; raise SystemExit(not e())"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    try:
        done = subprocess.run(
            [sys.executable, "-c", trial], env=env, cwd="/", capture_output=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def _child() -> int:
    """Read {"answers": {id: kept}} on stdin; print {id: {points, message}} on stdout."""
    job = json.load(sys.stdin)
    # where multiprocessing keeps its locks (sem_open): a /dev/shm of the re-run's own, as
    # root re-running as the learner and with your rights alike, never the host's
    shm: list[str] = []
    if job.get("user"):
        # root's re-run as the learner: a /dev/shm of its own too, mounted while still root.
        # The host's was lent to it: what the learner's code left there (a file, a semaphore
        # of a Pool it never closed) stayed in the machine's memory after grading ended
        if _own_shm():
            shm = ["/dev/shm"]
        _become(*job["user"])
    else:  # with your rights: TCP to your local services too (``_own_loopback``); before
        if _own_loopback() and _own_shm():  # _undumpable, which makes /proc/self/uid_map root's
            shm = ["/dev/shm"]
    _undumpable()
    private = job["home"]
    os.environ["LABKIT_PROGRESS"] = os.path.join(private, "progress.json")
    os.environ["LABKIT_RUNTIME_DIR"] = os.path.join(private, "run")
    os.environ["HOME"] = private
    if job.get("confine"):
        # run as the learner (root's re-run), their own sockets are theirs to use
        confine(_readable_for_child(), [private, "/dev/null", *shm], as_you=not job.get("user"))
    import labkit
    from labkit import exercises

    exercises.all_exercises()
    out: dict[str, Any] = {}
    for ex_id, kept in sorted(job["answers"].items()):
        try:
            exercise = exercises.get(ex_id)
        except LabkitError:
            out[ex_id] = {"points": 0, "message": say(Msg("not an exercise of this course"))}
            continue
        with labkit.start() as lab:
            try:
                args = [_rebuild(a, lab) for a in kept["args"]]
            except Exception as exc:  # the kept source does not run on its own
                error = f"{type(exc).__name__}: {exc}"
                out[ex_id] = {
                    "points": 0,
                    "message": say(Msg("the kept answer does not run: {error}", error=error)),
                }
                continue
            result = exercise.check(*args)
            message = result.message
            if not result and not shm and "PermissionError" in message:
                message = say(
                    (NO_SHM_AS_LEARNER if job.get("user") else NO_SHM).bind(message=message)
                )
            out[ex_id] = {"points": 1 if result else 0, "message": message}
    # the verdicts are the last line, on a line of their own: learner code that ran in a
    # check's fork may have written to this stdout (half a line, or a forged line before
    # this one); nothing runs after it (no atexit handler, no thread)
    sys.stdout.write("\n" + json.dumps(out) + "\n")
    sys.stdout.flush()
    os._exit(0)


# -- the instructor's side --


@contextlib.contextmanager
def _scratch(uid: int | None, gid: int | None) -> Iterator[str]:
    """The re-run's home, progress file and runtime directory, removed after it.

    The child made its own in /tmp and nothing removed it: one directory per learner per
    `labkit grade` stayed behind (57 after one test run). The instructor's side makes it now:
    a directory of its own (search-only for others) holding the learner's, so the learner's
    code can fill its home but not rename it or put a link in its place, and removing the
    whole never follows a link the learner's code left inside (shutil.rmtree on Linux).

    The home's name is random: named "home", the learner found it before the re-run
    started (the outer directory is in a listable /tmp and they may pass through it) and
    filled it first, from a process of theirs that no Landlock confines (a FIFO or a
    directory at its progress path, a runtime directory of their making). The outer
    directory cannot be listed, so only the re-run, told on its stdin, knows the name."""
    outer = tempfile.mkdtemp(prefix="labkit-grade-")
    try:
        os.chmod(outer, 0o711)
        home = os.path.join(outer, secrets.token_hex(16))
        os.mkdir(home, 0o700)
        if uid is not None:
            os.chown(home, uid, -1 if gid is None else gid)
        yield home
    finally:
        shutil.rmtree(outer, ignore_errors=True)


def _run_for(found: Any, answers: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """Re-run one learner's answers; (verdicts, '') or (None, what went wrong)."""
    root = os.geteuid() == 0
    job: dict[str, Any] = {"answers": answers, "confine": landlock_abi() >= 1}
    owner: tuple[int | None, int | None] = (None, None)  # the learner root re-runs as
    if root:
        try:
            entry = pwd.getpwuid(found.uid)
        except KeyError:
            return None, say(Msg("the file's owner (uid {uid}) is not a user here", uid=found.uid))
        if entry.pw_uid == 0:
            return None, say(
                Msg("the file belongs to root: grading never runs learner code as root")
            )
        job["user"] = [entry.pw_uid, entry.pw_gid]  # the child drops to it (``_become``)
        owner = (entry.pw_uid, entry.pw_gid)
    elif not job["confine"]:
        raise GradingError(
            say(
                Msg(
                    "grading runs learner code, never with your rights: run `labkit grade` as "
                    "root (each learner's code then runs as that learner) or on Linux with "
                    "Landlock"
                )
            )
        )
    env = {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        "LABKIT_LANG": language(),  # the verdicts in the gradebook in the instructor's words
    }
    limit = 30 + GRADE_TIME_PER_EXERCISE * len(answers)
    try:
        with _scratch(*owner) as job["home"]:
            proc = subprocess.run(
                [sys.executable, "-m", "labkit.grading"],
                input=json.dumps(job),
                capture_output=True,
                text=True,
                env=env,
                cwd="/",
                timeout=limit,
            )
    except subprocess.TimeoutExpired:
        return None, say(
            Msg("the re-run took longer than {limit} s and was stopped", limit=f"{limit:g}")
        )
    if proc.returncode != 0:
        last = proc.stderr.strip().splitlines()[-1:] or [say(Msg("no message"))]
        return None, say(Msg("the re-run failed: {last}", last=_shown(last[0])))
    try:
        verdicts = json.loads(proc.stdout.strip().splitlines()[-1])
        if not isinstance(verdicts, dict):
            raise ValueError(verdicts)
    except (ValueError, IndexError, RecursionError):
        return None, say(Msg("the re-run gave no verdicts that could be read"))
    return {i: _verdict(verdicts.get(i)) for i in answers if i in verdicts}, ""


def _verdict(given: object) -> dict[str, Any]:
    """One exercise's verdict as the gradebook prints it. Its message may quote the
    learner's code (an exception it raised): control characters are shown escaped, so an
    escape sequence never reaches the instructor's terminal."""
    if not isinstance(given, dict) or given.get("points") not in (0, 1):
        return {"points": 0, "message": say(Msg("the re-run gave no verdicts that could be read"))}
    message = _shown(str(given.get("message", "")))
    return {"points": int(given["points"]), "message": message}


def _shown(text: str) -> str:
    """``text`` with its control characters shown escaped (newlines kept): what the re-run
    says may quote the learner's code, and an escape sequence must never reach your
    terminal."""
    return "".join(c if c.isprintable() or c == "\n" else repr(c)[1:-1] for c in text)


def default_jobs() -> int:
    """How many learners ``labkit grade`` re-runs at once: one per CPU it may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def grade(
    paths: list[Path], jobs: int | None = None
) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """The gradebook rows (one per learner and exercise), errors and notes. ``jobs``
    learners are re-run at once (default: one per CPU): each is a process of its own, and
    one after the other 200 learners took over a minute of CPU on one core."""
    from concurrent.futures import ThreadPoolExecutor

    from labkit import classroom
    from labkit.exercises import all_exercises

    found = classroom.collect(paths)
    errors, notes = list(found.errors), list(found.notes)
    course = all_exercises()
    plans = []
    for user in sorted(found.learners):
        one = found.learners[user]
        answers, why_not = {}, {}
        for ex in course:
            kept = one.snapshot.records.get(ex.id, {}).get("answer")
            reason = replayable(kept)
            if reason:
                why_not[ex.id] = reason
            else:
                answers[ex.id] = kept
        plans.append((user, one, answers, why_not))

    if os.geteuid() != 0 and any(plan[2] for plan in plans) and not own_network_possible():
        notes.append(say(SHARED_LOOPBACK))

    def run(plan: tuple[str, Any, dict[str, Any], dict[str, str]]) -> tuple[Any, str]:
        return _run_for(plan[1], plan[2]) if plan[2] else ({}, "")

    with ThreadPoolExecutor(max_workers=jobs or default_jobs()) as pool:
        results = list(pool.map(run, plans))  # in the learners' order, whichever ends first
    rows = []
    for (user, _one, answers, why_not), (verdicts, problem) in zip(plans, results, strict=True):
        if problem:
            # "alice：文件属于 root：…" in Chinese (an ASCII ': ' stood before it until 12/2026)
            errors.append(say(Msg("{label}: {text}", label=user, text=problem)))
        for ex in course:
            verdict = (verdicts or {}).get(ex.id)
            if verdict is not None:
                points, result = verdict["points"], "passed" if verdict["points"] else "failed"
                message = verdict["message"]
            elif ex.id in answers:
                points, result, message = 0, "error", problem
            else:
                points, result, message = 0, "not re-run", why_said(why_not[ex.id])
            rows.append(
                {
                    "user": user,
                    "exercise": ex.id,
                    "points": points,
                    "result": result,
                    "message": message,
                }
            )
    return rows, errors, notes


def gradebook_csv(rows: list[dict[str, Any]]) -> str:
    """One line per learner: total, each exercise's points, and what failed."""
    import csv
    import io

    from labkit.classroom import spreadsheet_cell
    from labkit.exercises import all_exercises

    ids = [ex.id for ex in all_exercises()]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["user", "total", "out_of", *ids, "failed"])
    for user in sorted({r["user"] for r in rows}):
        mine = {r["exercise"]: r for r in rows if r["user"] == user}
        failed = "; ".join(
            f"{i}: {mine[i]['message']}" for i in ids if mine[i]["result"] in ("failed", "error")
        )
        writer.writerow(
            [
                spreadsheet_cell(user),  # a learner's name: never a formula
                sum(mine[i]["points"] for i in ids),
                len(ids),
                *(mine[i]["points"] if mine[i]["result"] != "not re-run" else "-" for i in ids),
                spreadsheet_cell(failed),
            ]
        )
    return out.getvalue()


JOBS_MAX = 256  # learners `labkit grade --jobs` re-runs at once, at most


def add_parsers(sub: Any) -> dict[str, Any]:
    from labkit.cli import typed_as
    from labkit.switches import Param

    gr = sub.add_parser("grade", help="instructor: re-run the class's kept answers; a gradebook")
    gr.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="an exchange or its inbox, home directories, progress files",
    )
    gr.add_argument("--format", choices=["csv", "json"], default="csv")
    # a switch's kind of number: refused in its words, in the terminal's language (it said
    # "invalid int value: 'eighty'", and "--jobs is 1 to 256 learners at once" of 0)
    jobs = Param("jobs", int, "learners re-run at once", minimum=1, maximum=JOBS_MAX)
    gr.add_argument(
        "--jobs",
        type=typed_as(jobs, "--jobs"),
        metavar="JOBS",
        help=f"learners re-run at once, 1 to {JOBS_MAX} (default: one per CPU, here "
        f"{default_jobs()})",
    )
    return {"grade": _grade_cmd}


def _grade_cmd(args: Any) -> int:
    from labkit.classroom import given_paths

    rows, errors, notes = grade(given_paths(args.paths), args.jobs)
    if args.format == "json":
        print(json.dumps(rows, indent=1))
    else:
        print(gradebook_csv(rows), end="")
    for line in notes:
        print(f"labkit: note: {line}", file=sys.stderr)
    for line in errors:
        print(f"labkit: error: {line}", file=sys.stderr)
    note = Msg(
        "points come from re-running each kept answer against a fresh lab; '-' marks an "
        "exercise whose answer cannot be re-run (see --format json)"
    )
    print(f"labkit: {say(note)}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(_child())
