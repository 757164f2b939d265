"""What the translated notebooks lack: new or changed English cells, by notebook and cell.

    python tools/translations.py                  # drift in the translated notebooks (exit 1)
    python tools/translations.py --all            # also the notebooks not translated yet
    python tools/translations.py --stamp notebooks/zh/00-start-here.ipynb 3 7
        # after translating cells 3 and 7 anew: record the English text they now translate
    python tools/translations.py --stamp notebooks/zh/glossary.md
        # after bringing the translated glossary up to date with the English one
    python tools/translations.py --stamp docs/instructor.zh-CN.md 4 7
        # after translating sections 4 and 7 of the instructor guide anew (none: every section)

A translation lives beside its source in a folder per language (``notebooks/zh/`` for
zh-CN, ``i18n.NOTEBOOK_DIRS``), under the same file name. Its cells are the English
cells, in the same order and with the same cell ids:

* a markdown cell is translated prose; its metadata ``{"labkit": {"translates": HASH}}`` holds the
  hash of the English cell's text it translates, so a changed English cell shows;
* a code cell is the English cell, byte for byte, or the English cell with its comments and
  docstrings said in the translation's language (the same tokens once those are left out,
  the test markers ``# NBVAL_...`` kept), stamped like a markdown cell with the hash of the
  English cell it translates; the one cell that chooses the language (metadata
  ``{"labkit": {"language": true}}``) is the English cell with ``lang="zh-CN"`` added to its
  ``labkit.start(...)`` call, its comments translated.

A guide in ``docs/`` (``GUIDES``: the instructor guide) is translated section by section,
beside its source with the language in its name (``docs/instructor.zh-CN.md``): a section is
what lies between two headings of level 2 or 3 (the first: everything before the first), and
each translated section starts with ``<!-- translates instructor.md section N sha256:... -->``
(the hash of the English section), so that a changed English section, a section added, removed
or moved, or a heading of another level shows, by section and heading.

tests/test_translations.py fails on any drift this tool reports, naming the cells and sections.
See docs/i18n.md.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labkit import i18n

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
DOCS = ROOT / "docs"
START = re.compile(r"labkit\.start\(([^()]*)\)")
PAGE_STAMP = re.compile(r"<!-- translates \S+ (sha256:[0-9a-f]+) -->\n")
# guides in docs/ translated section by section: the English file, and its translation's
# name in each language (beside it)
GUIDES = {"instructor.md": {i18n.CHINESE: "instructor.zh-CN.md"}}
SECTION_STAMP = re.compile(r"<!-- translates (\S+) section (\d+) (sha256:[0-9a-f]+) -->\n")
HEADING = re.compile(r"(#{1,3}) \S")


def digest(text: str) -> str:
    """The hash a translated cell records of the English text it translates."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def choose_language(code: str, lang: str) -> str | None:
    """The English language cell's code as its translation has it: its ``labkit.start(...)``
    call also passes ``lang`` (``labkit.start(gateway="nginx")`` becomes
    ``labkit.start(gateway="nginx", lang="zh-CN")``); None if the cell starts no lab."""
    found = START.search(code)
    if found is None:
        return None
    given = found.group(1).strip()
    call = f'labkit.start({given + ", " if given else ""}lang="{lang}")'
    return code[: found.start()] + call + code[found.end() :]


def _source(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _code(text: str) -> list[tuple[int, str]] | str:
    """What a code cell and its translation share: its tokens without its comments and its
    docstrings (``tokenize``: a ``#`` inside a string is not a comment), keeping the test
    markers (``# NBVAL_...``), which change what a test checks. Code that does not tokenize
    (a cell cut inside a string) is compared as it is."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return text
    kept = []
    for n, tok in enumerate(tokens):
        if tok.type == tokenize.COMMENT and tok.string.lstrip("# ").startswith("NBVAL"):
            kept.append((tok.type, tok.string))
        elif tok.type not in {tokenize.COMMENT, tokenize.NL} and not _docstring(tokens, n):
            kept.append((tok.type, tok.string))
    return kept


def _docstring(tokens: list[tokenize.TokenInfo], n: int) -> bool:
    """Whether token ``n`` is a string that is the first statement of an indented block (a
    function's or a class's docstring). A string alone at a cell's top level is not: on the
    cell's last line it is what the cell shows."""
    if tokens[n].type != tokenize.STRING:
        return False
    quiet = {tokenize.COMMENT, tokenize.NL}
    before = next((t for t in reversed(tokens[:n]) if t.type not in quiet), None)
    after = next((t for t in tokens[n + 1 :] if t.type not in quiet), None)
    return (
        before is not None
        and before.type == tokenize.INDENT
        and (after is None or after.type in {tokenize.NEWLINE, tokenize.ENDMARKER})
    )


def read(path: Path) -> dict[str, Any]:
    """A notebook as its JSON (nbformat is not needed to read or stamp one: tests/
    test_translations.py loads this module at collection)."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def write(nb: dict[str, Any], path: Path) -> None:
    """A notebook written back as nbformat writes one (sorted keys, one space of indent, text
    as it is, a final newline), so that stamping changes only the lines it means to."""
    text = json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")


@dataclass
class Gap:
    """One thing a translation lacks."""

    notebook: str  # the translation's path, from the repository root
    index: int | None  # the English cell's (or a guide's section's) index
    kind: str  # new, changed, unmarked, code differs, extra, order, missing notebook
    english: str  # the English text now
    unit: str = "cell"  # what index counts: a notebook's cells, a guide's sections

    def line(self) -> str:
        where = self.notebook if self.index is None else f"{self.notebook} {self.unit} {self.index}"
        return f"{where}: {self.kind}"


def translation_of(english: Path, lang: str) -> Path:
    return english.parent / i18n.NOTEBOOK_DIRS[lang] / english.name


def gaps(english_path: Path, lang: str) -> list[Gap]:
    """What the ``lang`` translation of one English notebook lacks (it must exist)."""
    path = translation_of(english_path, lang)
    name = path.relative_to(ROOT).as_posix()
    english = read(english_path)["cells"]
    translated = read(path)["cells"]
    by_id = {c.get("id"): (i, c) for i, c in enumerate(translated)}
    found: list[Gap] = []
    order = []
    for index, cell in enumerate(english):
        text = _source(cell)
        hit = by_id.get(cell.get("id"))
        if hit is None or hit[1].get("cell_type") != cell.get("cell_type"):
            found.append(Gap(name, index, f"new {cell.get('cell_type')} cell", text))
            continue
        order.append(hit[0])
        mine = hit[1]
        meta = mine.get("metadata", {}).get("labkit", {})
        if cell["cell_type"] == "markdown":
            if "translates" not in meta:
                found.append(Gap(name, index, "not marked as translated", text))
            elif meta["translates"] != digest(text):
                found.append(Gap(name, index, "English text changed since translated", text))
        elif meta.get("language"):
            chosen = choose_language(text, lang)
            if chosen is None or _code(_source(mine)) != _code(chosen):
                found.append(Gap(name, index, "the language cell differs in its code", text))
            elif meta.get("translates") != digest(text):
                found.append(Gap(name, index, "English text changed since translated", text))
        elif _source(mine) != text:
            if _code(_source(mine)) != _code(text):
                found.append(Gap(name, index, "code differs from the English cell", text))
            elif "translates" not in meta:
                found.append(
                    Gap(name, index, "comments translated, not marked as translated", text)
                )
            elif meta["translates"] != digest(text):
                found.append(Gap(name, index, "English text changed since translated", text))
        elif cell.get("metadata", {}).get("tags", []) != mine.get("metadata", {}).get("tags", []):
            found.append(Gap(name, index, "tags differ from the English cell's", text))
    ids = {c.get("id") for c in english}
    for i, c in enumerate(translated):
        if c.get("id") not in ids:
            found.append(Gap(name, None, f"cell {i} translates no English cell (removed?)", ""))
    if order != sorted(order):
        found.append(Gap(name, None, "cells are not in the English order", ""))
    return found


def page_gaps(english_path: Path, lang: str) -> list[Gap]:
    """What the ``lang`` translation of a Markdown page (the glossary) lacks: the page is
    translated as a whole, so its first line records the hash of the whole English page, in
    an HTML comment that neither JupyterLab nor GitHub shows."""
    path = translation_of(english_path, lang)
    name = path.relative_to(ROOT).as_posix()
    text = english_path.read_text(encoding="utf-8")
    found = PAGE_STAMP.match(path.read_text(encoding="utf-8"))
    if found is None:
        return [Gap(name, None, "not marked as translated", text)]
    if found.group(1) != digest(text):
        return [Gap(name, None, "English text changed since translated", text)]
    return []


def sections(text: str) -> list[str]:
    """A guide's sections: split before each heading of level 2 or 3 outside code blocks
    (the first section is everything before the first; it holds the title)."""
    found: list[list[str]] = [[]]
    fenced = False
    for line in text.splitlines(keepends=True):
        if line.startswith("```"):
            fenced = not fenced
        heading = HEADING.match(line)
        if not fenced and heading and len(heading.group(1)) > 1 and any(found[-1]):
            found.append([])
        found[-1].append(line)
    return ["".join(lines) for lines in found]


def _level(section: str) -> int:
    """The level of a section's first heading (0: none)."""
    fenced = False
    for line in section.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        heading = None if fenced else HEADING.match(line)
        if heading:
            return len(heading.group(1))
    return 0


def _heading(section: str) -> str:
    return next((line for line in section.splitlines() if HEADING.match(line)), "(no heading)")


def guide_gaps(english_path: Path, translated_path: Path) -> list[Gap]:
    """What a translated guide lacks, section by section (see the module's docstring)."""
    name = translated_path.relative_to(ROOT).as_posix()
    english = sections(english_path.read_text(encoding="utf-8"))
    text = translated_path.read_text(encoding="utf-8")
    stamps = list(SECTION_STAMP.finditer(text))
    if not stamps or stamps[0].start() != 0:
        return [Gap(name, None, "does not start with a section's stamp", "")]
    found: list[Gap] = []
    translated = {}
    for i, stamp in enumerate(stamps):
        end = stamps[i + 1].start() if i + 1 < len(stamps) else len(text)
        index = int(stamp.group(2))
        if stamp.group(1) != english_path.name or (translated and index <= max(translated)):
            found.append(Gap(name, None, f"the {i}th stamp is out of order: {stamp.group(0)}", ""))
            continue
        translated[index] = (stamp.group(3), text[stamp.end() : end])
    for index, section in enumerate(english):
        where = _heading(section)
        if index not in translated:
            found.append(
                Gap(name, index, f"new section, not translated ({where})", section, "section")
            )
            continue
        recorded, mine = translated[index]
        if recorded != digest(section):
            kind = f"English text changed since translated ({where})"
            found.append(Gap(name, index, kind, section, "section"))
        elif _level(mine) != _level(section):
            kind = f"its heading is not of level {_level(section)}, as the English one ({where})"
            found.append(Gap(name, index, kind, section, "section"))
    for index in sorted(set(translated) - set(range(len(english)))):
        kind = "translates no English section (removed?)"
        found.append(Gap(name, index, kind, "", "section"))
    return found


def stamp_guide(path: Path, indices: list[int]) -> None:
    """Record, for the given sections of a translated guide (none: every section), the
    English text they now translate."""
    text = path.read_text(encoding="utf-8")
    stamps = list(SECTION_STAMP.finditer(text))
    english = sections((path.parent / stamps[0].group(1)).read_text(encoding="utf-8"))
    wanted = set(indices) if indices else set(range(len(english)))

    def restamp(m: re.Match[str]) -> str:
        index = int(m.group(2))
        if index not in wanted or index >= len(english):
            return m.group(0)
        return f"<!-- translates {m.group(1)} section {index} {digest(english[index])} -->\n"

    path.write_text(SECTION_STAMP.sub(restamp, text), encoding="utf-8")
    print(f"stamped {len(wanted)} section(s) of {path.name}")


def report(include_untranslated: bool = False) -> tuple[list[Gap], list[str]]:
    """(gaps in existing translations, notebooks, pages and guides with no translation yet)."""
    all_gaps: list[Gap] = []
    untranslated = []
    for source, names in GUIDES.items():
        if not (DOCS / source).exists():  # a scratch tree without docs/ (the tests')
            continue
        for translation in names.values():
            if (DOCS / translation).exists():
                all_gaps += guide_gaps(DOCS / source, DOCS / translation)
            elif include_untranslated:
                untranslated.append((DOCS / translation).relative_to(ROOT).as_posix())
    for english in sorted([*NOTEBOOKS.glob("*.ipynb"), *NOTEBOOKS.glob("*.md")]):
        for lang in i18n.NOTEBOOK_DIRS:
            if translation_of(english, lang).exists():
                find = page_gaps if english.suffix == ".md" else gaps
                all_gaps += find(english, lang)
            elif include_untranslated:
                untranslated.append(translation_of(english, lang).relative_to(ROOT).as_posix())
    return all_gaps, untranslated


def stamp(path: Path, indices: list[int]) -> None:
    """Record, for the given cells of a translation, the English text they now translate
    (for a Markdown page: the whole English page; for a guide: its sections)."""
    if path.resolve().parent == DOCS.resolve():
        stamp_guide(path, indices)
        return
    rel = path.resolve().relative_to(NOTEBOOKS.resolve())
    if path.suffix == ".md":
        text = path.read_text(encoding="utf-8")
        english = (NOTEBOOKS / rel.name).read_text(encoding="utf-8")
        line = f"<!-- translates {rel.name} {digest(english)} -->\n"
        path.write_text(line + PAGE_STAMP.sub("", text, count=1), encoding="utf-8")
        print(f"stamped {rel}")
        return
    lang = next(k for k, v in i18n.NOTEBOOK_DIRS.items() if v == rel.parts[0])
    english = read(NOTEBOOKS / rel.name)["cells"]
    nb = read(path)
    by_id = {c.get("id"): c for c in nb["cells"]}
    for index in indices:
        source = english[index]
        cell = by_id[source.get("id")]
        meta = cell.setdefault("metadata", {}).setdefault("labkit", {})
        meta["translates"] = digest(_source(source))
    write(nb, path)
    print(f"stamped {len(indices)} cell(s) of {rel} ({lang})")


def main(argv: list[str]) -> int:
    if argv[:1] == ["--stamp"]:
        stamp(Path(argv[1]), [int(a) for a in argv[2:]])
        return 0
    found, untranslated = report("--all" in argv)
    for gap in found:
        print(gap.line())
        for line in gap.english.splitlines() or [""]:
            print(f"    | {line}")
    for name in untranslated:
        print(f"{name}: not translated yet")
    return 1 if found else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:  # `| head` closed the pipe: what was asked for is shown
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
