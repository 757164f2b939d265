"""A classroom on one host: learners submit, an instructor who is not root collects.

The course exchange is a directory the instructor creates (``labkit exchange init``),
laid out as nbgrader's is:

    EXCHANGE/          0755  the instructor's
      inbox/           1733  everyone may create entries; nobody but the instructor may list
                             them, and the sticky bit stops learners removing each other's
      outbox/          0755  what the instructor hands out; everyone reads

``labkit submit`` writes the learner's progress (with the code answers it keeps) into the
inbox as a new file, created exclusively under a name nobody can guess, so one learner
can neither find, read, replace nor remove another's submission. ``labkit collect PATH...``
reads submissions, home directories or progress files, never writes to or renames
anything there, takes each learner's identity from the record and checks it against the
file's owner (an entry another learner wrote in someone's name counts as its writer's),
and reports every file it cannot read on stderr (with a non-zero exit).

Progress is self-reported: the learner's own kernel wrote it. Every export says so;
``labkit grade`` re-runs the code answers for a grade that does not rest on it.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import errno
import grp
import hashlib
import io
import json
import os
import pwd
import queue
import secrets
import stat
import struct
import sys
import threading
import time
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labkit.atomic import replace_file
from labkit.errors import LabkitError, LabkitWarning, os_reason, say
from labkit.exercises import store
from labkit.i18n import ENGLISH, Listed, Msg

SUBMISSION_KIND = "labkit-submission"
SELF_REPORTED = Msg(
    "progress is self-reported: each learner's own kernel wrote it (`labkit grade` re-runs "
    "the code answers)"
)
SELF_REPORTED_NOTE = str(SELF_REPORTED)  # in English where a program reads it (collect's JSON)
INBOX_MODE = 0o1733
OUTBOX_MODE = 0o755
COLUMNS = [
    "user",
    "owner",
    "exercise",
    "lesson",
    "status",
    "attempts",
    "hints_used",
    "first_success",
    "last_attempt",
    "solution_viewed",
    "source",
    "evidence",
]
_PROGRESS_IN_HOME = Path(".local") / "share" / "labkit" / "progress.json"
NOT_FOLLOWED = Msg("{path} is a symbolic link; it was not followed")
# `labkit submit` keeps at most this many submissions of one learner in an exchange (the
# next replaces their oldest); with the live entry (labkit/board.py) a learner has at most
# MAX_SUBMISSIONS + 1 files in the inbox, and collect reads no more than that of anyone's
MAX_SUBMISSIONS = 10
MAX_FILES_PER_OWNER = MAX_SUBMISSIONS + 1
# a spreadsheet reads a cell that starts with one of these as a formula (OWASP, "CSV
# Injection"): `=HYPERLINK(...)` in a learner's name would run when the CSV is opened
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TOO_DEEP = Msg("{path} is nested too deeply to be a labkit submission")
# what collect says of a file it cannot use: the learner's kernel says the same of its own
# file with its advice (store.DAMAGED, store.NOT_PROGRESS), which is no advice for you
DAMAGED = Msg("{path} is damaged ({why}); it was not read")
NOT_AN_ENTRY = Msg("{path} is not a labkit progress file or submission ({why}); it was not read")
HARD_LINKED = Msg(
    "{path} has {links} names (hard links): it may be a file of someone else's that a "
    "learner linked here; it was not read (labkit writes each entry under one name)"
)
CHANGED = Msg("{path} changed while it was read (its owner is writing it); it was not read")
# seconds collect waits for one learner's file (or folder) to answer a look or a read
ANSWER_TIME = 10
NO_ANSWER = Msg(
    "{path} did not answer within {seconds} s (a file system that never answers, such as a "
    "learner's FUSE mount); it was not read"
)
# looks at learners' files run on up to LOOKERS threads at once: a look that has taken SLOW
# seconds gets another thread beside it (``_Waiter``); at most MAX_WAITING threads of a
# process are left waiting on looks that never answered
LOOKERS = 8
SLOW = 0.05
MAX_WAITING = 64
NOT_LOOKED = Msg(
    "{path} was not looked at: {count} earlier looks at file systems that never answered "
    "still hold a thread each (the most labkit leaves waiting)"
)
ON_THEIR_MOUNT = Msg(
    "{path} is on a file system that {mounter} mounted (FUSE): its program, not the kernel, "
    "says who owns each file there and what it holds, and may never answer; it was not read"
)
# The Littlest JupyterHub runs hub user NAME as the system user "jupyter-NAME", cut to
# TLJH_CUT characters plus "-" and 5 hex digits of its SHA-256 when it has TLJH_CUT or more
# (tljh/user_creating_spawner.py, generate_system_username in tljh/normalize.py); JupyterHub's
# own LocalProcessSpawner and SudoSpawner, and SystemdSpawner's default username_template
# ("{USERNAME}"), run it as the system user NAME itself
TLJH_PREFIX = "jupyter-"
TLJH_CUT = 26


# how collect opens what it reads (``_walk``): a directory on the way only to pass through
# it (O_PATH needs no read permission on it), and no name as a link
_O_PATH = getattr(os, "O_PATH", os.O_RDONLY)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
MAX_LINKS = 40  # links of root's or yours followed in one path, as Linux's own path walk


class ExchangeError(LabkitError):
    """The course exchange is missing or not set up safely; the message says how to fix it."""


def exchange_dir(option: str | None = None) -> Path:
    where = option or os.environ.get("LABKIT_EXCHANGE")
    if not where:
        raise ExchangeError(
            say(
                Msg(
                    "no course exchange: set LABKIT_EXCHANGE to the directory your instructor "
                    "gave you, or pass --exchange PATH"
                )
            )
        )
    return Path(where).expanduser()


def init_exchange(root: Path) -> list[str]:
    """Create (or tighten) an exchange owned by the caller; returns what was done. Each
    refusal is one line naming what was wrong and what to do (``_cannot_create``)."""
    done = []
    for path, mode in ((root, 0o755), (root / "inbox", INBOX_MODE), (root / "outbox", OUTBOX_MODE)):
        try:
            st: os.stat_result | None = path.lstat()
        except FileNotFoundError:
            st = None
        except OSError as exc:
            raise _cannot_create(path, exc) from None
        if st is not None and stat.S_ISLNK(st.st_mode):
            raise ExchangeError(
                say(Msg("{path} is a symbolic link; choose a directory of your own", path=path))
            )
        if st is None:
            try:
                path.mkdir(mode=0o700)
            except OSError as exc:
                raise _cannot_create(path, exc) from None
            done.append(say(Msg("created {path}", path=path)))
            st = path.lstat()
        if not stat.S_ISDIR(st.st_mode):
            raise ExchangeError(
                say(
                    Msg(
                        "{path} is not a directory: move it away, or choose another place for "
                        "the exchange",
                        path=path,
                    )
                )
            )
        if st.st_uid != os.geteuid():
            raise ExchangeError(
                say(
                    Msg(
                        "{path} belongs to {owner}, not to you: the exchange must be yours "
                        "(only its owner can read the submissions); choose a directory of "
                        "your own, or a path to create",
                        path=path,
                        owner=repr(owner_name(st.st_uid)),
                    )
                )
            )
        if stat.S_IMODE(st.st_mode) != mode:
            os.chmod(path, mode)
            done.append(say(Msg("{path}: mode {mode}", path=path, mode=f"{mode:04o}")))
    return done


def _blocked(path: Path) -> tuple[str, Path] | None:
    """Where the way to ``path`` stops short of it: ("missing", the first directory on it
    that does not exist) or ("file", the first that is not a directory); None when every
    directory above ``path`` is there (or cannot be looked at)."""
    for up in reversed(path.parents):
        try:
            st = up.stat()  # links followed: the host's /home -> /data/home is a way too
        except FileNotFoundError:
            return "missing", up
        except OSError:
            return None
        if not stat.S_ISDIR(st.st_mode):
            return "file", up
    return None


def _cannot_create(path: Path, exc: OSError) -> ExchangeError:
    """`labkit exchange init`'s one line for a directory it could not make or look at: which
    directory on the way is missing or a file, or that you may not write there. Python's own
    "[Errno 2] No such file or directory: '/no/such/dir'" was all it said, in both languages."""
    blocked = _blocked(path)
    why = os_reason(exc)
    if blocked is not None and blocked[0] == "missing":
        msg = Msg(
            "cannot create {path}: {missing} does not exist; create {parent} first (mkdir -p "
            "{parent}), or give a path in a directory that exists",
            path=path,
            missing=blocked[1],
            parent=path.parent,
        )
    elif blocked is not None:
        msg = Msg(
            "cannot create {path}: {file} is a file, not a directory; give a path in a directory",
            path=path,
            file=blocked[1],
        )
    elif exc.errno in (errno.EACCES, errno.EPERM):
        msg = Msg(
            "cannot create {path}: you may not create it in {parent} ({why}); choose a "
            "directory of your own (such as ~/course/exchange), or have an administrator "
            "create {path} and make it yours (chown)",
            path=path,
            parent=path.parent,
            why=why,
        )
    else:
        msg = Msg("cannot create {path}: {why}", path=path, why=why)
    return ExchangeError(say(msg))


def _check_inbox(inbox: Path) -> int:
    """An fd of the inbox after checking that submissions there stay private."""
    try:
        # O_PATH: a learner may enter the inbox but not read (list) it
        how = getattr(os, "O_PATH", os.O_RDONLY) | os.O_DIRECTORY | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(inbox, how)
    except FileNotFoundError:
        raise ExchangeError(
            say(
                Msg(
                    "there is no inbox at {inbox}: ask your instructor for the exchange's path "
                    "(they create it with `labkit exchange init PATH`)",
                    inbox=inbox,
                )
            )
        ) from None
    except OSError as exc:
        raise _inbox_refused(inbox, exc) from None
    st = os.fstat(fd)
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o004 or not mode & stat.S_ISVTX:
        os.close(fd)
        raise ExchangeError(
            say(
                Msg(
                    "the inbox {inbox} has mode {mode}: others could list or remove "
                    "submissions; its owner must run `labkit exchange init {exchange}` "
                    "(mode 1733)",
                    inbox=inbox,
                    mode=f"{mode:04o}",
                    exchange=inbox.parent,
                )
            )
        )
    who = _who_hands_in(st)
    if who is not None and not _may_create_in(st):
        # a mode-1730 (or 1700) inbox: the learner learnt of it only from the write's
        # "Permission denied", after their progress was read, with no word of the mode
        os.close(fd)
        raise ExchangeError(
            say(
                Msg(
                    "you cannot hand in to the inbox {inbox}: it has mode {mode}, so {who}; "
                    "ask your instructor to run `labkit exchange init {exchange}` (mode 1733)",
                    inbox=inbox,
                    mode=f"{mode:04o}",
                    who=who,
                    exchange=inbox.parent,
                )
            )
        )
    return fd


def _who_hands_in(st: os.stat_result) -> Msg | None:
    """Who may create entries in an inbox of this mode when not every learner may (its
    group's members, or nobody but its owner); None when others may (mode 1733)."""
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o003 == 0o003:
        return None
    if mode & 0o030 == 0o030:
        try:
            group = grp.getgrgid(st.st_gid).gr_name
        except KeyError:
            group = str(st.st_gid)
        return Msg("only members of its group {group} can hand in there", group=group)
    return Msg("no learner can hand in there")


def _may_create_in(st: os.stat_result) -> bool:
    """Whether the caller may create a file in the directory ``st``, by its mode bits as
    the kernel reads them (owner, else group, else others; root always)."""
    uid = os.geteuid()
    if uid == 0:
        return True
    if st.st_uid == uid:
        bits = 0o300
    elif st.st_gid == os.getegid() or st.st_gid in os.getgroups():
        bits = 0o030
    else:
        bits = 0o003
    return stat.S_IMODE(st.st_mode) & bits == bits


def _inbox_refused(inbox: Path, exc: OSError) -> ExchangeError:
    """Why the inbox cannot be entered, and what to ask for: "cannot open the inbox X:
    Permission denied" said neither which way in was shut nor who could open it."""
    blocked = _blocked(inbox)
    try:
        link = stat.S_ISLNK(inbox.lstat().st_mode)
    except OSError:
        link = False
    if link:  # opened with O_NOFOLLOW: ENOTDIR (O_PATH) or ELOOP
        msg = Msg(
            "the inbox {inbox} is a symbolic link, which labkit does not follow; its owner "
            "must make it a directory (`labkit exchange init {exchange}`)",
            inbox=inbox,
            exchange=inbox.parent,
        )
    elif exc.errno == errno.ENOTDIR and blocked is not None and blocked[0] == "file":
        msg = Msg(
            "there is no inbox at {inbox}: {file} is a file, not a directory; ask your "
            "instructor for the exchange's path",
            inbox=inbox,
            file=blocked[1],
        )
    elif exc.errno == errno.ENOTDIR:  # the inbox itself
        msg = Msg(
            "the inbox {inbox} is not a directory; its owner must run `labkit exchange init "
            "{exchange}`",
            inbox=inbox,
            exchange=inbox.parent,
        )
    elif exc.errno in (errno.EACCES, errno.EPERM):
        msg = Msg(
            "you may not enter the inbox {inbox} ({why}): the exchange and every directory "
            "above it must let learners through (mode 0711 or 0755); ask your instructor",
            inbox=inbox,
            why=os_reason(exc),
        )
    else:
        msg = Msg("cannot open the inbox {inbox}: {why}", inbox=inbox, why=os_reason(exc))
    return ExchangeError(say(msg))


def _others_may_write(st: os.stat_result) -> bool:
    """Whether users besides a directory's owner (and root) may create names in it by its
    mode: it is writable by all, or by a group that is not its owner's own (a user-private
    group, with no other member, as umask 002 leaves a home's directories, is the owner's
    alone). An access ACL can grant more: ``_acl_writers``."""
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o002:
        return True
    if not mode & 0o020:
        return False
    return _shared_group(st.st_gid, st.st_uid)


def _shared_group(gid: int, uid: int) -> bool:
    """Whether group ``gid`` may hold someone besides user ``uid``: it is not that user's
    private group (their primary group, with no other member), or the host cannot say."""
    try:
        owner = pwd.getpwuid(uid)
        members = grp.getgrgid(gid).gr_mem
    except KeyError:
        return True
    return owner.pw_gid != gid or any(m != owner.pw_name for m in members)


# A POSIX access ACL as Linux keeps it in a file's system.posix_acl_access attribute (acl(5);
# include/uapi/linux/posix_acl_xattr.h): a version, then entries of a tag, permissions and id
_ACL_ACCESS = "system.posix_acl_access"
_ACL_HEADER = struct.Struct("<I")
_ACL_ENTRY = struct.Struct("<HHI")
_ACL_USER, _ACL_GROUP_OBJ, _ACL_GROUP, _ACL_MASK = 0x02, 0x04, 0x08, 0x10
_ACL_WRITE = 0x02


def _acl_writers(path: Path, st: os.stat_result, vouched: int) -> list[str] | None:
    """The entries of the access ACL of directory ``path`` that let someone besides its
    owner, root and user ``vouched`` create names in it, as getfacl writes them
    (``user:bob:rwx``); None when it has no ACL (or the system or filesystem keeps none).
    Where it has one, its mode's group bits are the ACL's mask, not the group's rights.

    ``setfacl -m u:bob:rwx DIR`` lets bob write in a directory of mode 0755 whose group
    bits then show the ACL's mask (0775), which the mode alone reads as its owner's
    private group: bob could make the exchange's directories there first, unseen."""
    try:
        raw = os.getxattr(path, _ACL_ACCESS, follow_symlinks=False)
    except (OSError, AttributeError):  # ENODATA: no ACL; EOPNOTSUPP: none on this filesystem
        return None
    if len(raw) < _ACL_HEADER.size or (len(raw) - _ACL_HEADER.size) % _ACL_ENTRY.size:
        return None
    entries = [
        _ACL_ENTRY.unpack_from(raw, at) for at in range(_ACL_HEADER.size, len(raw), _ACL_ENTRY.size)
    ]
    mask = next((perm for tag, perm, _ in entries if tag == _ACL_MASK), 0o7)
    writers = []
    for tag, perm, ident in entries:
        if not perm & mask & _ACL_WRITE:
            continue
        rwx = "".join(c if perm & bit else "-" for c, bit in (("r", 4), ("w", 2), ("x", 1)))
        if tag == _ACL_USER and ident not in (0, st.st_uid, vouched):
            writers.append(f"user:{owner_name(ident)}:{rwx}")
        elif tag == _ACL_GROUP_OBJ and _shared_group(st.st_gid, st.st_uid):
            writers.append(f"group::{rwx}")
        elif tag == _ACL_GROUP and _shared_group(ident, st.st_uid):
            writers.append(f"group:{_group_name(ident)}:{rwx}")
    return writers


def _group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def unvouched(exchange: Path) -> Msg | None:
    """Why the inbox of ``exchange`` may be a classmate's rather than the instructor's, or
    None when only root or the inbox's owner could have put it where it is.

    Whoever makes a name first in a directory anyone may write (/tmp) owns it: a learner who
    made EXCHANGE/ and inbox/ there before the instructor owns the inbox, lists it and reads
    every entry, code answers too. So each directory from / to the inbox (links resolved)
    must belong to root or the inbox's owner, and one of the owner's may not sit in a
    directory of someone else's that others may write, by its mode or its access ACL. A
    directory labkit cannot look at is left to the write, which says why it fails."""
    where = Path(os.path.realpath(exchange))
    chain = [*reversed(where.parents), where, where / "inbox"]
    try:
        stats = [path.lstat() for path in chain]
    except OSError:
        return None
    owner = stats[-1].st_uid
    for i in range(1, len(chain)):
        up, st = stats[i - 1], stats[i]
        if st.st_uid not in (0, owner):
            return Msg(
                "{path} belongs to {who}, who is neither root nor the inbox's owner {owner}",
                path=chain[i],
                who=repr(owner_name(st.st_uid)),
                owner=repr(owner_name(owner)),
            )
        if st.st_uid == 0 or up.st_uid == owner:
            continue
        acl = _acl_writers(chain[i - 1], up, owner)
        if up.st_mode & 0o002 if acl is not None else _others_may_write(up):
            return Msg(
                "{path} is in {parent}, where others may create names too (mode {mode}), so "
                "it belongs to whoever made it first, here {owner}",
                path=chain[i],
                parent=chain[i - 1],
                mode=f"{stat.S_IMODE(up.st_mode):04o}",
                owner=repr(owner_name(owner)),
            )
        if acl:
            return Msg(
                "{path} is in {parent}, whose access control list lets others create names "
                "too ({entries}; see getfacl), so it belongs to whoever made it first, here "
                "{owner}",
                path=chain[i],
                parent=chain[i - 1],
                entries=Listed(acl),
                owner=repr(owner_name(owner)),
            )
    return None


def submission(user: str | None = None) -> dict[str, Any]:
    """What ``labkit submit`` hands in: the learner's progress, whole, and who and when."""
    snap = store.read()
    if snap.problems:
        problems = Listed(snap.problems, sentences=True)
        raise store.ProgressError(
            say(Msg("{problems} (fix it before submitting)", problems=problems))
        )
    name = user or store.identity()  # who hands it in now
    if not (_short_name(name) and "/" not in name and not name.startswith(".")):
        # it names the inbox entry: collect never reads a name with a right-to-left mark
        # (U+202E turned "ann" around in every terminal), nor a file that is not there ("a/b"
        # failed with ENOENT), so `labkit submit` said "submitted" for nothing
        raise ExchangeError(
            say(
                Msg(
                    "your name {name} cannot name a submission: it takes 1 to 100 printable "
                    "characters, no '/' and no leading '.' (it comes from JUPYTERHUB_USER, "
                    "else your login name)",
                    name=ascii(name),
                )
            )
        )
    return {
        "kind": SUBMISSION_KIND,
        "version": 1,
        "user": name,
        "uid": os.getuid(),
        "submitted": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "progress": {
            "version": store.VERSION,
            "user": user or snap.user or store.identity(),
            "exercises": snap.records,
        },
    }


def submit(exchange: Path) -> tuple[Path, int, bool, str]:
    """Hand in this learner's progress; returns the entry's path, how many exercises,
    whether it replaced the learner's oldest submission, and who owns the inbox (the one
    reader of what is handed in: the instructor, unless someone else made the exchange
    before them, whom the learner is told of by name).

    Nothing checked yet is refused: collect keeps each learner's newest entry, so an empty
    one (a new kernel's empty progress file, a LABKIT_PROGRESS set elsewhere) would hide
    the learner's earlier submission. A learner keeps at most MAX_SUBMISSIONS entries: each
    new one was a new file of up to 4 MB, so a cell running `!labkit submit` in a loop
    filled the instructor's disk; past the limit the newest replaces the oldest (its name is
    in the learner's private memo, and the sticky inbox lets a rename replace only one's own
    file). Collect reads only the newest, so nothing it uses is lost."""
    from labkit import board

    inbox = _check_inbox(exchange / "inbox")  # a wrong exchange is said first
    owner = owner_name(os.fstat(inbox).st_uid)
    os.close(inbox)
    entry = submission()
    if not entry["progress"]["exercises"]:
        raise ExchangeError(
            say(
                Msg(
                    "nothing to submit: {file} has no checked exercise yet (run an exercise's "
                    "check first); what you submitted before stays as it was",
                    file=store.path(),
                )
            )
        )
    state = board.learner_state()
    key = str(exchange.resolve())
    kept = state["submissions"].get(key)
    mine = [n for n in kept if _entry_name(n, entry["user"])] if isinstance(kept, list) else []
    mine = mine[-MAX_SUBMISSIONS:]
    replaced = len(mine) >= MAX_SUBMISSIONS
    name = mine.pop(0) if replaced else f"{entry['user']}.{secrets.token_hex(16)}.json"
    # the drills the learner joined, as the board's live entry has them: collect (and so the
    # drill's table and debrief) reads the newest entry, and a submission without them made
    # a learner who submitted during a drill vanish from both
    entry["drills"] = state["drills"]
    path = write_entry(exchange, name, entry)
    state["submissions"][key] = [*mine, name]
    try:
        board.save_learner_state(state)
    except OSError as exc:
        # a full home (a quota, a small tmpfs): the submission is in the inbox already, and
        # "labkit: error: No space left on device" (exit 1) said neither that nor which file.
        # A read-only home was told to free some space too
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            advice = Msg("free some space in your home")
        else:
            advice = Msg("set LABKIT_PROGRESS to a path you can write (the note is kept beside it)")
        warnings.warn(
            say(
                Msg(
                    "your submission is handed in, but labkit could not note its name in "
                    "{file} ({why}), so a later submit will not replace it: {advice}",
                    file=board.state_path(),
                    why=os_reason(exc),
                    advice=advice,
                )
            ),
            LabkitWarning,
            stacklevel=2,
        )
    return path, len(entry["progress"]["exercises"]), replaced, owner


def _entry_name(name: object, user: str) -> bool:
    """A name ``submit`` or the board made for ``user``'s entry (from the learner's memo,
    which they can edit: never a path)."""
    return (
        isinstance(name, str)
        and name.startswith(f"{user}.")
        and name.endswith(".json")
        and "/" not in name
        and name.isprintable()
    )


def write_entry(exchange: Path, name: str, entry: dict[str, Any]) -> Path:
    """Write a learner's ``entry`` (a submission, the board's live entry) into the inbox as
    ``name``: readable by whoever knows the name (the instructor lists the inbox, nobody
    else can), written beside under a dot name (collect reads *.json only) and renamed, so
    collect never reads half of one; in the sticky inbox, a rename over a file succeeds
    only when it is the learner's own."""
    inbox = exchange / "inbox"
    dir_fd = _check_inbox(inbox)
    try:
        replace_file(
            Path(name),
            lambda f: json.dump(entry, f, indent=1, sort_keys=True),
            mode=0o644,
            prefix=f".{entry['user']}.",
            dir_fd=dir_fd,
        )
    except OSError as exc:  # "[Errno 13] Permission denied: '.ann.5bdab70741c9a1b5'" until Dec 2026
        if exc.errno in (errno.EACCES, errno.EPERM):
            msg = Msg(
                "you may not create files in the inbox {inbox} ({why}): it must let learners "
                "write (mode 1733); ask your instructor to run `labkit exchange init {exchange}`",
                inbox=inbox,
                why=os_reason(exc),
                exchange=exchange,
            )
        else:
            msg = Msg("cannot write into the inbox {inbox}: {why}", inbox=inbox, why=os_reason(exc))
        raise ExchangeError(say(msg)) from None
    finally:
        os.close(dir_fd)
    return inbox / name


# -- collect --


@dataclass
class Found:
    """One learner's progress as read from one file."""

    path: Path
    owner: str
    uid: int
    snapshot: store.Snapshot
    when: str  # the submission's time or the file's last change: the newest own entry wins
    written: int = 0  # the file's last change (ns): among entries of the same second, the newest
    drills: object = None  # a submission's drill tries as read (labkit/drill.py): never read again
    own: bool = False  # the learner's own file (not a copy of yours): set by ``collect``
    salvaged: bool = False  # damaged: only its whole records before the damage were read


@dataclass
class Collection:
    learners: dict[str, Found] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # every file that could not be used
    notes: list[str] = field(default_factory=list)  # worth knowing, not wrong


def owner_name(uid: int) -> str:
    """The account ``uid`` names, for a message that says who owns a file (who can read an
    inbox, who planted a link); the number when the host has no name for it."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def tljh_account(hub_name: str) -> str:
    """The system user The Littlest JupyterHub runs hub user ``hub_name`` as."""
    name = TLJH_PREFIX + hub_name
    if len(name) < TLJH_CUT:
        return name
    return f"{name[:TLJH_CUT]}-{hashlib.sha256(name.encode()).hexdigest()[:5]}"


class _Accounts:
    """Which system user a learner's name stands for, as the host's hub runs them (looked
    up once per collect: the board collects every refresh, and users come and go)."""

    def __init__(self) -> None:
        self._exists: dict[str, bool] = {}

    def exists(self, name: str) -> bool:
        if name not in self._exists:
            try:
                pwd.getpwnam(name)
                self._exists[name] = True
            except (KeyError, ValueError):  # ValueError: a name with a NUL
                self._exists[name] = False
        return self._exists[name]

    def owns(self, owner: str, user: str) -> bool:
        """Whether the system user ``owner`` is learner ``user``: the same name, or on The
        Littlest JupyterHub the account it makes for hub user ``user`` ("jupyter-alice" for
        "alice"), only while no system user is named ``user`` itself: a name belongs to one
        account, so another account's file never counts as that user's."""
        if owner == user:
            return True
        return owner == tljh_account(user) and not self.exists(user)


def _link_refused(link: Path, owner: int, path: Path) -> store.ProgressError:
    return store.ProgressError(
        say(
            Msg(
                "{path} was not read: {link} is a symbolic link owned by {owner} (collect "
                "follows only links owned by root or you: a learner's may lead to someone "
                "else's files)",
                path=path,
                link=link,
                owner=repr(owner_name(owner)),
            )
        )
    )


def _walk(path: Path, mounts: _Mounts | None = None) -> tuple[int, str]:
    """An fd of the directory ``path`` names a file in (the caller closes it) and that
    file's name, reached one name at a time from ``/`` (or the working directory), each
    opened with O_NOFOLLOW from the directory before it: a symbolic link on the way is
    followed only when root or you own it (the host's /home -> /data/home, your own
    ~/course -> /srv/course), never a learner's. Root collecting home directories followed
    a learner's ~/.local -> /root (or -> another learner's ~/.local): root's file counted
    for the learner it named, another learner's for its owner under the first one's home;
    and a link swapped in between a look and a read is opened the same way, so it is
    refused too. The last name is not looked at: the caller opens it with O_NOFOLLOW.
    A directory on a learner's FUSE mount (``mounts``) is refused before anything on it is
    asked. Raises OSError (as opening ``path`` would) or ProgressError (a link not
    followed, a learner's mount: OnTheirMount)."""
    parts = list(path.parts)
    absolute = path.is_absolute()
    if absolute:
        parts.pop(0)
    last = parts.pop() if parts else "."
    fd = os.open("/" if absolute else ".", _O_PATH | os.O_DIRECTORY)
    here, links = Path("/" if absolute else "."), 0
    try:
        while parts:
            name = parts.pop(0)
            try:
                step = os.open(name, _O_PATH | os.O_DIRECTORY | _NOFOLLOW, dir_fd=fd)
            except NotADirectoryError:
                st = os.stat(name, dir_fd=fd, follow_symlinks=False)
                links += 1
                if links > MAX_LINKS:  # a loop of links (Linux stops at 40 too)
                    raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path)) from None
                if stat.S_ISDIR(st.st_mode):  # a directory again (its owner renames): again
                    parts.insert(0, name)
                    continue
                if not stat.S_ISLNK(st.st_mode):
                    raise
                if st.st_uid not in (0, os.geteuid()):
                    raise _link_refused(here / name, st.st_uid, path) from None
                target = Path(os.readlink(name, dir_fd=fd))
                if target.is_absolute():
                    os.close(fd)
                    fd = os.open("/", _O_PATH | os.O_DIRECTORY)
                    parts[:0] = target.parts[1:]
                else:
                    parts[:0] = target.parts
                here = here / name
                continue
            os.close(fd)
            fd, here = step, here / name
            if mounts is not None:
                mounts.check(fd, here)
    except BaseException:
        os.close(fd)
        raise
    return fd, last


# ``dirs``: the directories one collect walked to; ``waiter``: its _Waiter; ``mounts``: its
# _Mounts (``_walking``)
_walked = threading.local()


class NoAnswer(store.ProgressError):
    """A learner's file or folder that did not answer within ANSWER_TIME (``_Waiter``)."""

    def __init__(self, path: Path) -> None:
        super().__init__(say(NO_ANSWER.bind(path=path, seconds=ANSWER_TIME)))


class NotLookedAt(store.ProgressError):
    """A path not looked at: MAX_WAITING looks already wait on file systems that never
    answered, each holding a thread of this process (``_Waiter``)."""

    def __init__(self, path: Path) -> None:
        super().__init__(say(NOT_LOOKED.bind(path=path, count=MAX_WAITING)))


class OnTheirMount(store.ProgressError):
    """A path on a file system a learner mounted (``_Mounts``), refused before anything on it
    is asked."""

    def __init__(self, path: Path, mounter: int) -> None:
        self.path, self.mounter = path, mounter
        super().__init__(say(ON_THEIR_MOUNT.bind(path=path, mounter=repr(owner_name(mounter)))))


def _mount_id(fd: int) -> int | None:
    """The mount ``fd`` is on, from /proc/self/fdinfo (Linux 3.15 and later), which asks
    nothing of the file system: a FUSE daemon is not asked, so this never waits."""
    try:
        info = os.open(f"/proc/self/fdinfo/{fd}", os.O_RDONLY)
    except OSError:
        return None
    try:
        for line in os.read(info, 4096).splitlines():
            if line.startswith(b"mnt_id:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    finally:
        os.close(info)
    return None


class _Mounts:
    """The FUSE file systems of this host that a learner mounted, from /proc/self/mountinfo.

    A learner with fusermount3 mounts a FUSE file system over their ~/.local, their home
    or their entry in the inbox; where /etc/fuse.conf has user_allow_other, the instructor
    (root too) reads it. Its program answers every question about it: a look that it never
    answers blocks until the process is killed (a learner with 1,000 such entries, as
    fusermount3's mount_max allows, held `labkit collect` for 1,000 waits of ANSWER_TIME,
    serially), and one that it does answer says what the program likes, the file's owner
    too. A learner's FUSE file said it was another learner's (st_uid) and counted for that
    learner, and `labkit grade` as root re-ran its kept answers as them. The kernel
    records who mounted each FUSE file system (user_id=, which fusermount3 sets to the
    caller's uid): a path on one that neither root nor you mounted is refused before
    anything on it is asked (the mount point is reached without asking the file system:
    the mount ids come from fdinfo). A mount made after the list was read has a mount id
    not in it, and the list is read again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: set[int] = set()
        self._theirs: dict[int, int] = {}  # mount id -> the uid that mounted it
        self._devices: set[int] = set()
        self._their_devices: dict[int, int] = {}  # st_dev -> the uid that mounted it
        self._asked: set[tuple[str, int]] = set()  # not in the list when it was read again
        self.read()

    def read(self) -> None:
        try:
            with open("/proc/self/mountinfo", "rb") as info:
                lines = info.read().splitlines()
        except OSError:  # not Linux: no FUSE mounts known
            return
        known, theirs, devices, their_devices = set(), {}, set(), {}
        for line in lines:
            fields = line.split()
            try:
                dash = fields.index(b"-")
                mount, kind, options = int(fields[0]), fields[dash + 1], fields[dash + 3]
                device = os.makedev(*(int(n) for n in fields[2].split(b":")))
            except (ValueError, IndexError, TypeError):
                continue
            known.add(mount)
            devices.add(device)
            if kind in (b"fuse", b"fuseblk") or kind.startswith(b"fuse."):
                said = dict(o.split(b"=", 1) for o in options.split(b",") if b"=" in o)
                try:
                    mounter = int(said.get(b"user_id", b"0"))
                except ValueError:
                    continue
                if mounter not in (0, os.geteuid()):
                    theirs[mount] = their_devices[device] = mounter
        with self._lock:
            self._known, self._theirs = known, theirs
            self._devices, self._their_devices = devices, their_devices

    def _read_again(self, what: str, number: int) -> None:
        """Read the list again for a mount id or device not in it (mounted since), once for
        each: a device of an overlay's lower layer is in no list, and was read for each file."""
        if (what, number) not in self._asked:
            self._asked.add((what, number))
            self.read()

    @property
    def any(self) -> bool:
        """Whether a learner's FUSE mount was there when the list was last read."""
        return bool(self._theirs)

    def check(self, fd: int, path: Path) -> None:
        """Raise OnTheirMount when ``fd`` (``path``, opened O_PATH) is on a learner's FUSE
        file system; asked only while one is mounted (a mount made since is found by
        ``check_device`` when a file on it is read)."""
        if not self.any:
            return
        mount = _mount_id(fd)
        if mount is None:
            return
        if mount not in self._known:
            self._read_again("mount", mount)
        mounter = self._theirs.get(mount)
        if mounter is not None:
            raise OnTheirMount(path, mounter)

    def check_device(self, device: int, path: Path) -> None:
        """Raise OnTheirMount when the device ``device`` (st_dev: the kernel's, whatever a
        FUSE program says of the file) is a learner's FUSE file system."""
        if device not in self._devices:
            self._read_again("device", device)
        mounter = self._their_devices.get(device)
        if mounter is not None:
            raise OnTheirMount(path, mounter)


def _mounts() -> _Mounts:
    """The running collect's _Mounts (``_walking``), or a new one."""
    mounts: _Mounts | None = getattr(_walked, "mounts", None)
    return mounts if mounts is not None else _Mounts()


_hung: set[Path] = set()  # what did not answer (``_Waiter``), for the life of the process
_hung_lock = threading.Lock()
_waiting = 0  # threads still waiting on a look that did not answer, in this process


class _Batch:
    """One ``_Waiter.each``: the paths, what each gave, and when each look began."""

    def __init__(self, paths: list[Path], call: Any) -> None:
        self.paths, self.call = paths, call
        self.results: list[tuple[bool, Any] | None] = [None] * len(paths)
        self.next = 0  # the first path no thread has taken
        self.running: dict[int, float] = {}  # path index -> when its look began
        self.left = len(paths)
        self.cond = threading.Condition()

    def take(self) -> int | None:
        with self.cond:
            while self.next < len(self.paths) and self.results[self.next] is not None:
                self.next += 1  # a path that hung before: said without a look
            if self.next >= len(self.paths):
                return None
            self.next += 1
            self.running[self.next - 1] = time.monotonic()
            return self.next - 1

    def done(self, index: int, result: tuple[bool, Any]) -> bool:
        """Keep ``result``; False when it came too late (the look was given up)."""
        with self.cond:
            if self.results[index] is not None:
                return False
            self.results[index] = result
            del self.running[index]
            self.left -= 1
            if not self.left:
                self.cond.notify()
            return True


class _Waiter:
    """Runs collect's looks at and reads of learners' files on threads of its own and waits
    for each at most ANSWER_TIME seconds. A file system that never answers (a learner's
    FUSE mount made after _Mounts read the list, a network file system whose server is
    gone) blocks a look until the process is killed (no signal but SIGKILL ends the wait),
    and the instructor's `labkit collect`, `labkit grade` and the board hung for the whole
    class. The thread of such a look is left where it hangs (a daemon: it ends with the
    process); a path that hung, and all below it, is not looked at again by this process
    (``_hung``: the board's, while it runs), and _Mounts reads the list of mounts again.

    One thread looks at a whole list of paths while each look is quick (a hand-off per look
    made the board's refresh of 400 entries take 45 ms instead of 15); a look that has taken
    SLOW seconds gets another thread beside it, up to LOOKERS, so that paths that do not
    answer are waited for side by side: one wait of ANSWER_TIME for a batch of them, not
    one each. At most MAX_WAITING threads are left waiting in the process (a board that
    runs all day); past that, a path is not looked at (one line)."""

    def __init__(self, dirs: dict[Path, int] | None, mounts: _Mounts | None) -> None:
        self.dirs, self.mounts = dirs, mounts
        self._lookers = 0  # threads of this waiter not given up
        self._jobs: queue.SimpleQueue[_Batch | None] = queue.SimpleQueue()

    def _work(self) -> None:
        global _waiting
        _walked.dirs, _walked.mounts = self.dirs, self.mounts  # the collect's
        while (batch := self._jobs.get()) is not None:
            while (index := batch.take()) is not None:
                result: tuple[bool, Any]
                try:
                    result = (True, batch.call(batch.paths[index]))
                except BaseException as exc:  # handed to the waiting collect
                    result = (False, exc)
                if not batch.done(index, result):  # it hung, and came back: given up
                    with _hung_lock:
                        _waiting -= 1
                    return

    def _add_looker(self, batch: _Batch) -> bool:
        if self._lookers >= LOOKERS:
            return False
        with _hung_lock:
            if _waiting + self._lookers >= MAX_WAITING:
                return False
        self._lookers += 1
        threading.Thread(target=self._work, name="labkit-collect-look", daemon=True).start()
        self._jobs.put(batch)
        return True

    def each(self, paths: list[Path], call: Any) -> list[tuple[bool, Any]]:
        """(True, ``call(path)``) or (False, the exception it raised) for each of
        ``paths``, in order: NoAnswer for one that took longer than ANSWER_TIME, NotLookedAt
        for one no thread was left for. The waiting collect is woken when the list is done,
        or when a look has had SLOW or ANSWER_TIME seconds."""
        global _waiting
        if not paths:
            return []
        batch = _Batch(paths, call)
        for index, path in enumerate(paths):
            if _has_hung(path):  # not looked at again, and needs no thread to say so
                batch.results[index] = (False, NoAnswer(path))
                batch.left -= 1
        for _ in range(self._lookers):  # each free thread of this waiter takes the list
            self._jobs.put(batch)
        with batch.cond:
            while batch.left:
                now = time.monotonic()
                for index, began in list(batch.running.items()):
                    if now - began >= ANSWER_TIME:  # given up: its thread waits on
                        batch.results[index] = (False, NoAnswer(batch.paths[index]))
                        del batch.running[index]
                        batch.left -= 1
                        self._lookers -= 1
                        with _hung_lock:
                            _hung.add(batch.paths[index])
                            _waiting += 1
                        if self.mounts is not None:
                            self.mounts.read()  # a learner's mount made since?
                slow = sum(now - began >= SLOW for began in batch.running.values())
                if batch.next < len(paths):  # paths no thread has taken yet
                    while self._lookers < min(LOOKERS, 1 + slow) and self._add_looker(batch):
                        pass
                    if not self._lookers:  # no thread left to look (MAX_WAITING)
                        for index in range(batch.next, len(paths)):
                            if batch.results[index] is None:
                                batch.results[index] = (False, NotLookedAt(paths[index]))
                                batch.left -= 1
                        batch.next = len(paths)
                if not batch.left:
                    break
                due = [began + ANSWER_TIME for began in batch.running.values()]
                if batch.next < len(paths) and self._lookers < LOOKERS:
                    due.append(now + SLOW)  # to see whether the looks are slow
                batch.cond.wait(max(0.0, min(due, default=now + SLOW) - now))
        return [result for result in batch.results if result is not None]

    def close(self) -> None:
        for _ in range(self._lookers):
            self._jobs.put(None)
        self._lookers = 0


def waiting_looks() -> int:
    """How many threads of this process still wait on a look that did not answer (at most
    MAX_WAITING): each ends when its file system answers or goes."""
    with _hung_lock:
        return _waiting


def _has_hung(path: Path) -> bool:
    with _hung_lock:
        return any(hung == path or hung in path.parents for hung in _hung)


def _bounded(path: Path, call: Any) -> Any:
    """``call()`` through the running collect's _Waiter (``_walking``), or one of its own."""
    ((ok, value),) = _bounded_each([path], lambda _path: call())
    if not ok:
        raise value
    return value


def _bounded_each(paths: list[Path], call: Any) -> list[tuple[bool, Any]]:
    """``_Waiter.each`` of the running collect, or of one of its own."""
    waiter: _Waiter | None = getattr(_walked, "waiter", None)
    if waiter is not None:
        return waiter.each(paths, call)
    waiter = _Waiter(getattr(_walked, "dirs", None), getattr(_walked, "mounts", None))
    try:
        return waiter.each(paths, call)
    finally:
        waiter.close()


@contextlib.contextmanager
def _walking() -> Iterator[None]:
    """Within one collect, each directory is walked to once (``_at``) and its entries
    opened from that fd: a walk per file made the board's refresh of 400 unchanged entries
    take 44-55 ms instead of 5-13. The directory is then the one first walked to, even if
    it is renamed or replaced meanwhile. Each look and read is bounded in time
    (``_bounded``), and none is made on a learner's FUSE mount (``_Mounts``)."""
    _walked.dirs = {}
    _walked.mounts = _Mounts()
    _walked.waiter = waiter = _Waiter(_walked.dirs, _walked.mounts)
    try:
        yield
    finally:
        waiter.close()
        for fd in list(_walked.dirs.values()):
            os.close(fd)
        _walked.dirs = None
        _walked.waiter = None
        _walked.mounts = None


_dirs_lock = threading.Lock()


@contextlib.contextmanager
def _at(path: Path) -> Iterator[tuple[int, str]]:
    """``_walk(path)``: the fd of its directory (closed after, unless ``_walking`` keeps
    it for the rest of the collect) and its last name, checked not to be a learner's FUSE
    mount (``_Mounts``) before the caller asks anything of it."""
    dirs: dict[Path, int] | None = getattr(_walked, "dirs", None)
    mounts = _mounts()
    if dirs is not None and path.parts and path.parent in dirs:
        at, name = dirs[path.parent], path.parts[-1]
        _check_last(at, name, path, mounts)
        yield at, name
        return
    fd, name = _walk(path, mounts)
    if dirs is not None and path.parts:
        with _dirs_lock:  # another thread of the collect may have walked there meanwhile
            kept = dirs.setdefault(path.parent, fd)
        if kept != fd:
            os.close(fd)
        _check_last(kept, name, path, mounts)
        yield kept, name
        return
    try:
        _check_last(fd, name, path, mounts)
        yield fd, name
    finally:
        os.close(fd)


def _check_last(at: int, name: str, path: Path, mounts: _Mounts) -> None:
    """OnTheirMount when ``name`` in ``at`` is (the mount point of) a learner's FUSE file
    system: opened O_PATH, which asks nothing of it, then its mount looked up."""
    if not mounts.any:
        return
    try:
        fd = os.open(name, _O_PATH | _NOFOLLOW, dir_fd=at)
    except OSError:
        return  # not there (or cannot be): the caller's own look says why
    try:
        mounts.check(fd, path)
    finally:
        os.close(fd)


def _lstat(path: Path) -> os.stat_result:
    """``path.lstat()`` through ``_walk``: no learner's link on the way is followed."""
    with _at(path) as (fd, name):
        return os.stat(name, dir_fd=fd, follow_symlinks=False)


def read_no_follow(path: Path) -> tuple[bytes, os.stat_result]:
    """A file a learner wrote, read as collect reads one: never through a link planted at
    its name, a regular file of one name only (``fstat`` of what was opened), at most
    store.MAX_BYTES, and as it was when it was opened.

    One name: where fs.protected_hardlinks is 0, a learner can hard-link into the inbox any
    file whose path they can reach, even one they cannot read (yours, root's: a file of
    yours counts for the learner it names, and ``labkit grade`` as root runs code as the
    file's owner); a file labkit writes for a learner has one name (it is renamed into
    place). As it was: the owner can write into their file while it is read (growing it
    past any limit, or half a record at a time)."""
    try:
        with _at(path) as (at, name):
            try:
                fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | _NOFOLLOW, dir_fd=at)
            except OSError as exc:
                if exc.errno == errno.ELOOP:  # the file is a symbolic link
                    raise store.ProgressError(say(NOT_FOLLOWED.bind(path=path))) from None
                raise
    except OSError as exc:
        raise store.ProgressError(
            say(Msg("cannot read {path}: {why}", path=path, why=os_reason(exc)))
        ) from None
    try:
        st = os.fstat(fd)
        # the owner fstat gives is the kernel's, unless the file is on a learner's FUSE mount
        # (made since the collect began: ``_at`` refused those there before)
        _mounts().check_device(st.st_dev, path)
        if not stat.S_ISREG(st.st_mode):
            raise store.ProgressError(say(Msg("{path} is not a regular file", path=path)))
        if st.st_nlink > 1:
            raise store.ProgressError(say(HARD_LINKED.bind(path=path, links=st.st_nlink)))
        too_large = Msg(
            "{path} is larger than {size} bytes", path=path, size=f"{store.MAX_BYTES:,}"
        )
        if st.st_size > store.MAX_BYTES:
            raise store.ProgressError(say(too_large))
        chunks, left = [], store.MAX_BYTES + 1
        while left > 0 and (chunk := os.read(fd, min(1 << 16, left))):
            chunks.append(chunk)
            left -= len(chunk)
        if left <= 0:  # it grew while it was read
            raise store.ProgressError(say(too_large))
        after = os.fstat(fd)
        # not its links, nor its ctime: a learner's live entry replaced (renamed over) as it
        # is read loses its one name, and what was read is still the whole of that entry
        if (after.st_size, after.st_mtime_ns) != (st.st_size, st.st_mtime_ns):
            raise store.ProgressError(say(CHANGED.bind(path=path)))
        return b"".join(chunks), st
    finally:
        os.close(fd)


def _short_name(name: object) -> bool:
    """A learner's name as the progress file allows it (``store.decode``): printable, short."""
    return isinstance(name, str) and name.isprintable() and 0 < len(name) <= 100


# a submission's 'submitted' that is no time: the entry is read, ranked by its file's last change
BAD_SUBMITTED = Msg(
    "{path}: 'submitted' must be a time such as 2026-12-06T08:00:00+00:00 (ISO 8601, with its "
    "offset), not {given}; the file's last change is used instead"
)


def _submitted_at(value: object) -> str | None:
    """A submission's 'submitted' as ``labkit submit`` writes it (UTC, to the second), or None
    when it is not an ISO 8601 time with an offset: the form the file's own time has, so the
    two compare as times when they rank a learner's entries."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        return None
    try:
        return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds")
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before the first UTC year
        return None


def _salvaged(path: Path, raw: bytes, why: Msg, owner: str, st: os.stat_result) -> Found:
    """A damaged file read as the learner's kernel reads its own (``store.decode``): its
    whole exercise records before the damage, nothing after, and no learner's name (that
    is the owner's). collect read nothing of a file the kernel went on with, so a learner
    whose editor cut their file kept their progress and the class table showed none; a
    file with no whole record is still not read."""
    snap = store.decode(path, raw)
    if not snap.records:
        raise store.ProgressError(say(DAMAGED.bind(path=path, why=why)))
    snap.user = None  # what named a learner may be past the damage: the owner is the learner
    # the learner's kernel keeps those records too (store.decode), and grade re-runs their
    # kept answers: one rule for all three (docs/instructor.md)
    salvaged = Msg(
        "{path} is damaged ({why}); its {n} whole record before the damage was read, the "
        "rest was not",
        plural="{path} is damaged ({why}); its {n} whole records before the damage were "
        "read, the rest was not",
        n=len(snap.records),
        path=path,
        why=why,
    )
    snap.problems[0] = say(salvaged)
    when = dt.datetime.fromtimestamp(st.st_mtime, dt.timezone.utc).isoformat(timespec="seconds")
    return Found(path, owner, st.st_uid, snap, when, st.st_mtime_ns, salvaged=True)


def read_one(path: Path) -> Found:
    """A progress file or a submission, read without following links or changing anything."""
    try:
        raw, st = read_no_follow(path)
    except OSError as exc:  # reading failed (EIO)
        raise store.ProgressError(
            say(Msg("cannot read {path}: {why}", path=path, why=os_reason(exc)))
        ) from None
    owner = owner_name(st.st_uid)
    when = dt.datetime.fromtimestamp(st.st_mtime, dt.timezone.utc).isoformat(timespec="seconds")
    data = store.parse(raw)  # the learner's kernel's own parse: what it reads, collect reads
    if data == {}:
        # the kernel reads an empty file (or "{}") as no records yet and writes over it; labkit
        # never writes one (store._write always has 'exercises'), so collect, handed one as a
        # learner's, read 45 "not tried" rows for nobody: it is no progress file
        empty = not raw.decode("utf-8", errors="replace").removeprefix("\ufeff").strip()
        why = Msg("it is empty") if empty else Msg("JSON without '{key}'", key="exercises")
        data = store.Unparsed(why, damaged=False)
    try:
        if isinstance(data, store.Unparsed):
            if data.damaged:
                return _salvaged(path, raw, data.why, owner, st)
            raise store.NotProgressFile(path, data.why)
        if data.get("kind") != SUBMISSION_KIND:
            snap, drills = store.snapshot(path, data), None
            return Found(path, owner, st.st_uid, snap, when, st.st_mtime_ns, drills)
        progress = data.get("progress")
        if not isinstance(progress, dict):
            raise store.NotProgressFile(path, Msg("its '{key}' is not an object", key="progress"))
        if not progress:  # `labkit submit` always writes 'exercises'; {} passed for no records
            raise store.NotProgressFile(path, Msg("its '{key}' is empty", key="progress"))
        snap = store.snapshot(path, progress)
    except store.NotProgressFile as exc:  # the kernel's line says to set LABKIT_PROGRESS
        raise store.ProgressError(say(NOT_AN_ENTRY.bind(path=path, why=exc.why))) from None
    except RecursionError:  # an answer nested deeper than json.dumps goes (store._valid_answer)
        raise store.ProgressError(say(TOO_DEEP.bind(path=path))) from None
    submitter = data.get("user")
    if submitter is not None and not _short_name(submitter):
        # the name goes into the CSV, the gradebook and the instructor's terminal: an
        # escape sequence there would rewrite what the instructor sees
        snap.problems.append(
            say(
                Msg(
                    "{path}: user must be a short printable name, not {user}",
                    path=path,
                    user=f"{submitter!r:.40}",
                )
            )
        )
        submitter = None
    if isinstance(submitter, str) and submitter != snap.user:
        if snap.user is not None:
            snap.problems.append(
                say(
                    Msg(
                        "{path}: submitted as {submitter}, but its records name {user}",
                        path=path,
                        submitter=repr(submitter),
                        user=repr(snap.user),
                    )
                )
            )
        snap.user = submitter
    if "submitted" in data:
        claimed = _submitted_at(data["submitted"])
        if claimed is None:
            # it ranks the learner's own entries (``_rank``): "9999" or "z" beat every real
            # submission of theirs as a string, and an offset (+08:00) put a later hand-in
            # before an earlier one
            snap.problems.append(
                say(BAD_SUBMITTED.bind(path=path, given=ascii(data["submitted"])[:60]))
            )
        else:
            when = claimed
    drills = data.get("drills")
    return Found(path, owner, st.st_uid, snap, when, st.st_mtime_ns, drills)


def _kind(path: Path) -> str | None:
    """'link', 'dir', 'file' or None (absent); raises OSError when it cannot even look,
    ProgressError when a learner's link is on the way (``_walk``)."""
    return _looked_at(path)[0]


def _looked_at(path: Path) -> tuple[str | None, os.stat_result | None]:
    """``_kind(path)`` and what ``_lstat`` said of it (None when absent), for the callers
    that ask more of the same look (whose home it is, the inbox's mode)."""
    try:
        st = _lstat(path)
    except FileNotFoundError:
        return None, None
    if stat.S_ISLNK(st.st_mode):
        return "link", st
    return ("dir" if stat.S_ISDIR(st.st_mode) else "file"), st


def _listdir(path: Path) -> list[str]:
    """``os.listdir(path)`` through ``_walk``, ``path`` itself not followed either."""
    with _at(path) as (at, name):
        fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | _NOFOLLOW, dir_fd=at)
    try:
        return os.listdir(fd)
    finally:
        os.close(fd)


def _is_owners_home(path: Path, st: os.stat_result) -> bool:
    """Whether the directory ``path`` is its owner's home in the user database: a learner
    who never started a lab has no ~/.local, and their home was read as an inbox, each of
    their JSON files (package.json, tsconfig.json) a submission: an error line for one, 45
    "not tried" rows from another's ``{}``. Only the owner's own entry counts, which root
    keeps: a learner cannot make a folder of submissions pass for someone's home. ``st``:
    ``path`` as ``_looked_at`` saw it."""
    try:
        return os.path.samefile(pwd.getpwuid(st.st_uid).pw_dir, path)
    except (OSError, KeyError):
        return False


def _note_shut_inbox(inbox: Path, st: os.stat_result, collection: Collection) -> None:
    """A note when learners cannot hand in to the exchange's ``inbox``: a submission's own
    check (``_check_inbox``) asks only that nobody but its owner can list it, so an inbox of
    mode 1730 or 1700 passed it, and the instructor saw a class that never submitted.
    ``st``: the inbox as ``_looked_at`` saw it."""
    who = _who_hands_in(st)
    if who is None:  # others may create entries: every learner can
        return
    collection.notes.append(
        say(
            Msg(
                "the inbox {inbox} has mode {mode}: {who}; run `labkit exchange init "
                "{exchange}` to let every learner hand in (mode 1733)",
                inbox=inbox,
                mode=f"{stat.S_IMODE(st.st_mode):04o}",
                who=who,
                exchange=inbox.parent,
            )
        )
    )


def _files(
    target: Path, collection: Collection, listed: set[tuple[int, int]] | None = None
) -> Iterator[Path]:
    """The files one PATH argument stands for: an exchange, an inbox, a home or a file.
    ``listed``: the folders (device, inode) earlier PATHs stood for, which give nothing
    again: `labkit collect EX EX/inbox` (or a home in /home/* named again) read each file
    twice and said each of its error lines twice."""
    try:
        try:
            kind, st = _bounded(target, lambda: _looked_at(target))
        except OSError as exc:  # the way to it is shut: it is not known to be a directory
            collection.errors.append(
                say(Msg("cannot reach {path}: {why}", path=target, why=os_reason(exc)))
            )
            return
        if kind == "dir":
            inbox, inbox_st = _bounded(target / "inbox", lambda: _looked_at(target / "inbox"))
            exchange = inbox == "dir" and inbox_st is not None
            if exchange:
                target, st = target / "inbox", inbox_st
            if listed is not None and st is not None:
                if (st.st_dev, st.st_ino) in listed:
                    return  # given before (its lines said once)
                listed.add((st.st_dev, st.st_ino))
            if exchange and st is not None:
                _note_shut_inbox(target, st, collection)
        names = sorted(_bounded(target, lambda: _listdir(target))) if kind == "dir" else []
    except OSError as exc:
        collection.errors.append(
            say(Msg("cannot read the directory {path}: {why}", path=target, why=os_reason(exc)))
        )
        return
    except store.ProgressError as exc:  # a learner's link on the way (``_walk``)
        collection.errors.append(str(exc))
        return
    if kind is None:
        collection.errors.append(say(Msg("{path} does not exist", path=target)))
        return
    if kind == "link":
        collection.errors.append(say(NOT_FOLLOWED.bind(path=target)))
        return
    if kind == "file":
        yield target
        return
    if ".local" in names or (st is not None and _is_owners_home(target, st)):
        home_file = target / _PROGRESS_IN_HOME
        try:
            present = _bounded(home_file, lambda: _kind(home_file)) is not None
        except (OSError, store.ProgressError):
            present = True  # cannot even look: reading it says why
        if present:
            yield home_file
        else:
            collection.notes.append(
                say(Msg("{path}: no progress file (nothing tried yet)", path=target))
            )
        return
    entries, unprintable = [], []
    for name in names:
        if not name.endswith(".json"):
            continue
        if not name.isprintable():  # a learner chose it: ESC ] 0; ... retitled the terminal
            unprintable.append(target / name)
            continue
        entries.append(target / name)
    _report_unprintable(target, unprintable, collection)
    if not entries:
        collection.notes.append(say(Msg("{path}: no submissions or progress files", path=target)))
    yield from _newest_of_each_owner(target, entries, collection)


def _report_unprintable(folder: Path, paths: list[Path], collection: Collection) -> None:
    """One line per owner of files whose names have control characters (none is read): a
    line per file let one learner who made 10,000 of them in 3 s put 10,000 lines (1.3 MB)
    on your terminal at each collect, and into each refresh of the board's page."""
    owners: dict[int, list[Path]] = {}
    for path, (ok, st) in zip(paths, _bounded_each(paths, _lstat), strict=True):
        if ok:  # else gone since the listing, or no answer
            owners.setdefault(st.st_uid, []).append(path)
    for uid, files in sorted(owners.items()):
        collection.errors.append(
            say(
                Msg(
                    "{path}: {n} file name with control characters, of {owner}: {name}; it "
                    "was not read",
                    plural="{path}: {n} file names with control characters, of {owner}, such "
                    "as {name}; none was read",
                    n=len(files),
                    path=folder,
                    name=ascii(files[0].name),
                    owner=repr(owner_name(uid)),
                )
            )
        )


def _newest_of_each_owner(folder: Path, entries: list[Path], collection: Collection) -> list[Path]:
    """At most MAX_FILES_PER_OWNER files of each owner, their newest (by the file's time,
    which only its owner can set; yours are all read): more than `labkit submit` and the
    board leave is a learner writing files by hand, and reading thousands of 4 MB files
    would make collect, grade and every refresh of the board take minutes. The rest are
    reported, not read. So are files with more than one name, in one line (``read_no_follow``
    says why they are never read): where fs.protected_hardlinks is 0, a learner could link
    one file of yours into the inbox under 100,000 names, each a line of its own, and each
    counted as yours, of which all are read."""
    owners: dict[int, list[tuple[float, Path]]] = {}
    linked = []
    mounted: dict[int, list[Path]] = {}  # a learner's FUSE mounts: one line per mounter
    for path, (ok, looked) in zip(entries, _bounded_each(entries, _lstat), strict=True):
        if not ok and isinstance(looked, OnTheirMount):
            mounted.setdefault(looked.mounter, []).append(path)
            continue
        st = looked if ok else None  # gone, or cannot look: reading it says why
        if st and stat.S_ISREG(st.st_mode) and st.st_nlink > 1:  # a directory has 2 or more
            linked.append(path)
            continue
        uid, when = (st.st_uid, st.st_mtime) if st else (-1, 0.0)
        owners.setdefault(uid, []).append((when, path))
    for mounter, paths in sorted(mounted.items()):
        collection.errors.append(
            say(
                Msg(
                    "{path}: {n} entry on a file system that {mounter} mounted (FUSE), {name}; "
                    "it was not read",
                    plural="{path}: {n} entries on file systems that {mounter} mounted (FUSE), "
                    "such as {name}; none was read",
                    n=len(paths),
                    path=folder,
                    mounter=repr(owner_name(mounter)),
                    name=ascii(paths[0].name),
                )
            )
        )
    if linked:
        collection.errors.append(
            say(
                Msg(
                    "{path}: {n} file with more than one name (a hard link: a learner may "
                    "have linked someone else's file here), {name}; it was not read",
                    plural="{path}: {n} files with more than one name (hard links: a learner "
                    "may have linked someone else's files here), such as {name}; none was read",
                    n=len(linked),
                    path=folder,
                    name=ascii(linked[0].name),
                )
            )
        )
    keep = set()
    for uid, files in owners.items():
        files.sort(reverse=True)
        # your own files (copies you put there) are each a learner's: all are read
        if uid not in (-1, os.geteuid()) and len(files) > MAX_FILES_PER_OWNER:
            collection.errors.append(
                say(
                    Msg(
                        "{path}: {owner} has {count} files here, more than labkit submit "
                        "and the board leave ({most}); only their newest {most} were read",
                        path=folder,
                        owner=repr(owner_name(uid)),
                        count=len(files),
                        most=MAX_FILES_PER_OWNER,
                    )
                )
            )
            files = files[:MAX_FILES_PER_OWNER]
        keep |= {path for _, path in files}
    return [path for path in entries if path in keep]


Cache = dict[Path, tuple[tuple[int, ...], "Found | str"]]


def _read_cached(path: Path, cache: Cache | None) -> Found | str:
    """``read_one(path)``, or what it gave before while the file's device, inode, size,
    mtime and ctime are the same (any write, rename or utime changes the ctime): the board
    reads the exchange at each refresh, and one learner's 11 entries of 4 MB took 4.8 s of
    CPU each time. A string is the error the file gave."""
    stamp: tuple[int, ...] = ()
    if cache is not None:
        with contextlib.suppress(OSError, store.ProgressError):  # reading it says why
            st = _lstat(path)
            stamp = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        kept = cache.get(path)
        if stamp and kept is not None and kept[0] == stamp:
            return kept[1]
    try:
        outcome: Found | str = read_one(path)
    except store.ProgressError as exc:
        outcome = str(exc)
    if cache is not None and stamp:
        cache[path] = (stamp, outcome)
    return outcome


def collect(paths: Iterable[Path], cache: Cache | None = None) -> Collection:
    """Every learner's newest own progress from the given places (``_rank``): an entry that
    names a learner but belongs to someone else is reported and never replaces one of
    theirs. Nothing is written anywhere. ``cache``: what an earlier collect read (the
    board's), kept for the files that are still there."""
    found = Collection()
    read: list[Found] = []
    seen: set[Path] = set()
    listed: set[tuple[int, int]] = set()
    with _walking():
        for target in paths:
            files = [path for path in _files(Path(target), found, listed) if path not in seen]
            seen.update(files)
            read_each = _bounded_each(files, lambda path: _read_cached(path, cache))
            for ok, one in read_each:
                if not ok:  # did not answer (NoAnswer, NotLookedAt); else what it raised
                    if not isinstance(one, (NoAnswer, NotLookedAt)):
                        raise one
                    found.errors.append(str(one))
                    continue
                if isinstance(one, str):
                    found.errors.append(one)
                    continue
                found.errors += one.snapshot.problems
                read.append(one)
    if cache is not None:
        for gone in set(cache) - seen:  # removed, or no longer read: not kept
            del cache[gone]
    accounts = _Accounts()
    me = os.geteuid()
    # the learner each owner is: on The Littlest JupyterHub the hub name their own entries
    # give (alice for jupyter-alice), so that all their entries make one row of that name
    learner = {
        one.uid: one.snapshot.user
        for one in sorted(read, key=lambda one: one.snapshot.user or "", reverse=True)
        if one.uid != me
        and one.snapshot.user not in (None, one.owner)
        and accounts.owns(one.owner, one.snapshot.user)
    }
    shared = _one_account_for_all(read, accounts)
    if shared:
        found.errors.append(say(shared))
    for one in read:
        # a copy of yours counts for the learner it names; so does every entry where one
        # account owns them all
        mine = one.uid == me or bool(shared)
        user = one.snapshot.user or learner.get(one.uid, one.owner)
        one.own = one.uid != me
        if one.snapshot.user is None:
            found.notes.append(
                say(
                    Msg(
                        "{path}: no learner named in it; using its owner {owner}",
                        path=one.path,
                        owner=one.owner,
                    )
                )
            )
        elif not mine and not accounts.owns(one.owner, user):
            # the owner is the one identity a learner cannot forge: the entry counts as
            # theirs. As the named learner's row it gave one with no entry of their own
            # the writer's work (and `labkit grade` the writer's points under that name),
            # with one line on stderr that is easily missed among 200 learners'
            found.errors.append(
                say(
                    Msg(
                        "{path}: the record says {user} but the file belongs to {owner}; "
                        "it counts for {writer}",
                        path=one.path,
                        user=repr(user),
                        owner=repr(one.owner),
                        writer=repr(learner.get(one.uid, one.owner)),
                    )
                )
            )
            user = learner.get(one.uid, one.owner)
        elif not mine:
            user = learner.get(one.uid, user)  # jupyter-alice's entries named so: alice's
        previous = found.learners.get(user)
        if previous is None or _rank(one) > _rank(previous):
            found.learners[user] = one
    return found


def _one_account_for_all(read: list[Found], accounts: _Accounts) -> Msg | None:
    """What to say when one account that is not root owns every entry read while they name
    several learners, none of them an account of this host: a container spawner
    (DockerSpawner, KubeSpawner) runs each learner's server as the image's one user
    (``jovyan``, uid 1000), and with an exchange they share every file is that user's, yours
    too when your own server runs in such a container. The owner then tells no learner from
    another: each entry counts for the learner it names, unchecked, and this says so (an
    error: collect's exit status must not say the names were checked). Where the names are
    accounts here (a shared host), an entry in another's name is what the owner check
    catches, and it does."""
    uids = {one.uid for one in read}
    names = {one.snapshot.user for one in read if one.snapshot.user is not None}
    if len(uids) != 1 or 0 in uids or len(names) < 2:
        return None
    owner = read[0].owner
    if owner in names or any(
        accounts.exists(name) or accounts.exists(tljh_account(name)) for name in names
    ):
        return None
    return Msg(
        "all {entries} entries read belong to one account, {owner}, and name {learners} "
        "learners: the owner cannot tell learners apart (a container spawner such as "
        "DockerSpawner or KubeSpawner with a shared exchange runs every learner as one "
        "user), so each entry counts for the learner it names, unchecked",
        entries=len(read),
        owner=repr(owner),
        learners=len(names),
    )


def _rank(one: Found) -> tuple[bool, bool, str, int]:
    """Which of a learner's entries counts: one of their own file beats one of yours that
    names them (a file you copied); among equals, the newest. An entry that another learner
    wrote in their name counts as its writer's (``collect``). A whole entry beats a damaged
    one, whose records past the damage are lost (``_salvaged``). A submission's time is in
    seconds: two in one second (a submit right after a check) are told apart by when their
    files were written."""
    return (one.own, not one.salvaged, one.when, one.written)


def rows(found: Collection) -> list[dict[str, Any]]:
    """One row per learner and exercise of the course, learners in name order."""
    from labkit.exercises import all_exercises

    course = all_exercises()
    out = []
    for user in sorted(found.learners):
        one = found.learners[user]
        for ex in course:
            rec = one.snapshot.records.get(ex.id, {})
            out.append(
                {
                    "user": user,
                    "owner": one.owner,
                    "exercise": ex.id,
                    "lesson": ex.lesson,
                    "status": store.status(rec),
                    "attempts": rec.get("attempts", 0),
                    "hints_used": rec.get("hints", 0),
                    "first_success": rec.get("first_success") or "",
                    "last_attempt": rec.get("last_attempt") or "",
                    "solution_viewed": bool(rec.get("solution_viewed", False)),
                    "source": str(one.path),
                    "evidence": _evidence(one),
                }
            )
    return out


def _evidence(one: Found) -> str:
    """What a row rests on: the learner's own kernel's word, and whether their file was
    damaged (its records past the damage, and so this exercise's, may be missing)."""
    if one.salvaged:
        return f"self-reported; damaged: {len(one.snapshot.records)} records salvaged"
    return "self-reported"


def spreadsheet_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as the text it is: a leading ``'`` before text that
    starts like a formula (OWASP's advice against CSV injection). A learner names
    themselves (a hub name, a record), and useradd accepts ``=cls`` and ``@cls`` as login
    names; numbers are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(table: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: spreadsheet_cell(v) for k, v in row.items()} for row in table)
    return out.getvalue()


# -- the commands (`labkit submit`, `labkit collect`, `labkit exchange init`) --


def add_parsers(sub: Any) -> dict[str, Any]:
    """The classroom's subcommands on the `labkit` parser; returns name -> handler."""
    ex = sub.add_parser("exchange", help="instructor: create a course exchange (inbox, outbox)")
    ex.add_argument("action", choices=["init"])
    ex.add_argument("path", help="the exchange directory (yours; learners get its path)")
    sm = sub.add_parser("submit", help="hand in your progress and code answers")
    sm.add_argument("--exchange", help="the course exchange (default: $LABKIT_EXCHANGE)")
    co = sub.add_parser("collect", help="instructor: one table of the class's progress")
    co.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="an exchange or its inbox, home directories, progress files",
    )
    co.add_argument("--format", choices=["csv", "json"], default="csv")
    return {"exchange": _exchange_cmd, "submit": _submit_cmd, "collect": _collect_cmd}


def _say(line: str) -> None:
    print(f"labkit: {line}", file=sys.stderr)


def _exchange_cmd(args: Any) -> int:
    if not args.path.strip():
        # Path("") is ".": `labkit exchange init ""` made the working directory the exchange
        raise ExchangeError(
            say(Msg("the exchange's path is empty: give a directory, such as ~/course/exchange"))
        )
    root = Path(args.path).expanduser()
    for line in init_exchange(root) or [say(Msg("{path} is ready", path=root))]:
        print(line)
    why = unvouched(root)
    if why is not None:  # learners' kernels will not send their live entries here
        print(
            say(
                Msg(
                    "note: learners' live progress (`labkit board`, drills) will not be sent "
                    "here: {why}; make the exchange in a directory that only you or root may "
                    "write, such as /srv/course/exchange",
                    why=why,
                )
            )
        )
    print(say(Msg("learners: export LABKIT_EXCHANGE={path} and run `labkit submit`", path=root)))
    return 0


def _submit_cmd(args: Any) -> int:
    path, count, replaced, owner = submit(exchange_dir(args.exchange))
    # the inbox's owner by name: "only your instructor can read it" was said as well when a
    # classmate had made the exchange's directories at its path before the instructor did
    # (in a directory anyone may write), who then listed and read every submission
    if replaced:
        done = Msg(
            "submitted {count} exercise record(s) as {name} in place of your oldest "
            "submission (labkit keeps your newest {most}; only the inbox's owner {owner} "
            "can read them: if that is not your instructor, tell your instructor)",
            count=count,
            name=path.name,
            most=MAX_SUBMISSIONS,
            owner=repr(owner),
        )
    else:
        done = Msg(
            "submitted {count} exercise record(s) as {name} (only the inbox's owner {owner} "
            "can read it: if that is not your instructor, tell your instructor)",
            count=count,
            name=path.name,
            owner=repr(owner),
        )
    print(say(done))
    return 0


def given_paths(words: Iterable[str]) -> list[Path]:
    """The PATH arguments of ``collect`` and ``grade``, or one line naming those that do not
    exist before anything is read or printed: `labkit collect /no/such` printed the CSV's
    header (an empty gradebook a script would take as the class's), then the error. A
    path that exists but cannot be reached is said while collecting, beside what was read."""
    paths, missing = [], []
    for word in words:
        if not word.strip():  # Path("") is ".": the working directory, collected unasked
            raise LabkitError(
                say(
                    Msg(
                        "a PATH is empty: give an exchange or its inbox, home directories or "
                        "progress files"
                    )
                )
            )
        paths.append(Path(word).expanduser())
    # _lstat: not a look on a learner's FUSE mount (a home given as /home/*), which may
    # never answer (``_Mounts``): that is said while collecting, at once
    for path, (ok, why) in zip(paths, _bounded_each(paths, _lstat), strict=True):
        if not ok and isinstance(why, (FileNotFoundError, NotADirectoryError)):
            missing.append(path)
        # else it is there, or cannot be looked at: collect says why, as for a file it
        # cannot read (a look that did not answer among them)
    if missing:
        raise LabkitError(
            say(
                Msg(
                    "{paths} does not exist; nothing was read: give an exchange or its inbox, "
                    "home directories or progress files",
                    plural="{paths} do not exist; nothing was read: give an exchange or its "
                    "inbox, home directories or progress files",
                    n=len(missing),
                    paths=Listed(str(path) for path in missing),
                )
            )
        )
    return paths


def _collect_cmd(args: Any) -> int:
    found = collect(given_paths(args.paths))
    table = rows(found)
    if args.format == "json":  # read by programs: the note in English, as the columns
        print(json.dumps({"note": SELF_REPORTED.render(ENGLISH), "rows": table}, indent=1))
    else:
        print(to_csv(table), end="")
    for line in found.notes:
        _say(f"note: {line}")
    for line in found.errors:
        _say(f"error: {line}")
    summary = Msg(
        "{learners} learner(s), {rows} row(s); {note}",
        learners=len(found.learners),
        rows=len(table),
        note=SELF_REPORTED,
    )
    _say(say(summary))
    return 1 if found.errors else 0
