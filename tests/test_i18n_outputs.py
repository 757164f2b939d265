"""A Chinese lesson shows no English words of its own code.

A code cell is the same in both languages (docs/i18n.md), so a string literal it shows as
its value or prints is English in the Chinese lesson too: lesson 01's hop table showed
``('origin', 500, 'made it')`` and ``'relayed'`` in Chinese until December 2026, where
``ex.part(hop)`` says 在此生成 and 转发 in the learner's language. What a cell shows comes from
labkit, which speaks the lab's language; this test reads what the Chinese lessons' checked
cells showed (tests/notebook_outputs/zh) for any English words that are a literal of the
cell's own code.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUTS = ROOT / "tests" / "notebook_outputs" / "zh"

# words of English prose: lower-case words, one of at least three letters ("made it",
# "relayed"), not a header name, a path, an id or a placeholder such as "-"
_WORDS = re.compile(r"[a-z]+(?: [a-z]+)*")

# literals a Chinese lesson still shows, each with why it may: none now (lesson 08's
# evidence() showed "present" for an Age, whose seconds change from run to run, until
# December 2026; it shows "✓")
ON_PURPOSE: set[tuple[str, str]] = set()


def english_literals(source: str) -> set[str]:
    """The string literals of a cell's code that are English words and that the cell shows:
    a conditional's value, a value given to a variable or returned, an argument of
    ``print``. A literal the code passes as a name (``to="gateway"``, ``("rfc", "nginx")``
    looped over, a dict's key, ``lab.gateway.personality = "rfc"``) is code, shown as code
    is."""
    tree = ast.parse(re.sub(r"(?m)^[ \t]*[%!].*$", "", source))  # IPython's magics left out
    shown: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.IfExp):
            shown += [node.body, node.orelse]
        elif isinstance(node, ast.Return) and node.value:
            shown.append(node.value)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if all(isinstance(target, ast.Name) for target in targets):  # not a switch set
                shown.append(node.value)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
            shown += node.args
    return {
        node.value
        for node in shown
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and _WORDS.fullmatch(node.value)
        and any(len(word) >= 3 for word in node.value.split())
    }


def test_a_chinese_lesson_shows_no_english_literal_of_its_own_code() -> None:
    """Any code cell's literal in any checked output of its lesson: a helper defined in one
    cell (lesson 08's ``evidence``) shows its literals in the cells that call it."""
    found = []
    checked = 0
    for path in sorted(OUTPUTS.glob("*.json")):
        notebook = json.loads((ROOT / "notebooks" / "zh" / f"{path.stem}.ipynb").read_text())
        literals = set().union(
            *(
                english_literals("".join(cell["source"]))
                for cell in notebook["cells"]
                if cell["cell_type"] == "code"
            )
        )
        for cell_id, cell in json.loads(path.read_text()).items():
            shown = "\n".join(text for item in cell["shows"] for text in item.values())
            checked += 1
            found += [
                f"{path.stem} {cell_id}: {literal!r} in {shown[:80]!r}"
                for literal in sorted(literals)
                if re.search(rf"(?<![\w-]){re.escape(literal)}(?![\w-])", shown)
                and (path.stem, literal) not in ON_PURPOSE
            ]
    assert not found, "\n".join(found)
    assert checked > 50  # every Chinese lesson's checked cells were read


def test_the_literals_are_the_words_a_learner_would_read() -> None:
    source = '[(h, "made it" if x else "relayed", "X-Cache", "/orders/7", "-", "OK")]'
    assert english_literals(source) == {"made it", "relayed"}
    assert english_literals('value = "present"\nprint("made by", x)') == {"present", "made by"}
    assert english_literals('lab.raw(b"", to="gateway")\n{p: 1 for p in ("rfc", "nginx")}') == set()
    assert english_literals('lab.gateway.personality = "rfc"') == set()
