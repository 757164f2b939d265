"""The story an incident is reported with agrees with the evidence it shows.

Capstone incident 3 (lesson 08) and the practice drill (lesson 10) hand a learner a cached
maintenance 503. The copy is stored during the maintenance that ends just before the request,
so its ``Age`` (RFC 9111 5.1: the seconds since the origin made it) reads 0. The report said
the shop "has been back up for a minute" (08) or "is up again" (the drill): a learner who reads
Age, as the lesson asks, found a copy made 0 s ago by an origin said to be up for a minute.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import labkit
from labkit.errors import say
from labkit.exercises import capstone

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
# how each language says that the recovery was just now, as a copy with Age: 0 shows it
JUST_NOW = {"en": "a moment ago", "zh-CN": "刚刚"}
LONGER = {"en": ("minute", "second", "hour"), "zh-CN": ("分钟", "秒", "小时")}


def _reported(notebook: Path, number: int) -> str:
    """The *Reported:* line under the heading of incident ``number`` in lesson 08."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        text = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and re.match(rf"## (Incident|故障) {number}\b", text):
            return text.splitlines()[-1]
    raise AssertionError(f"{notebook.name} has no heading for incident {number}")


def _plain(text: str) -> str:
    """The words alone: no Markdown, no capital at the start, no final stop."""
    text = re.sub(r"^\*[^*]+\*[:：]?\s*", "", text.replace("`", ""))
    return text.rstrip("。.").lower()


def test_the_cached_503_is_a_copy_made_a_moment_ago(lab: labkit.Lab) -> None:
    ex = capstone.incident3.start(lab)
    try:
        age = int(ex.header("Age") or "-1")
    finally:
        capstone.incident3.stop(lab)
    assert 0 <= age < 5, f"Age: {age}"  # stored during the maintenance, which just ended
    for lang, words in JUST_NOW.items():
        report = say(capstone.incident3.report_text, lang)
        assert words in report, report
        assert not any(longer in report for longer in LONGER[lang]), report


def test_lesson_08_reports_incident_3_in_the_incidents_own_words() -> None:
    """The lesson's prose and the report the drill and the board show are one story."""
    for lang, notebook in (("en", NOTEBOOKS), ("zh-CN", NOTEBOOKS / "zh")):
        shown = _plain(_reported(notebook / "08-diagnose-the-incident.ipynb", 3))
        report = _plain(say(capstone.incident3.report_text, lang))
        assert shown == report, f"{lang}: the lesson says {shown!r}, the report {report!r}"
