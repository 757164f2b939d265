"""Lesson 08's incident headings and the capstone's table say each report in the same words,
in each language (docs/i18n.md, How drift is caught)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Lesson 08 heads each incident with what was reported; `labkit drill start`, a drill's repr
# and the board say the same report from the capstone's table (`capstone.INCIDENTS`). They
# said it in other words, in Chinese (今天上午 beside 今天早上) and in English ("via the
# portal" beside "through the portal"), until December 2026.
INCIDENT_HEADINGS = {
    "en": ("notebooks/08-diagnose-the-incident.ipynb", "## Incident {n}\n\n*Reported:* "),
    "zh-CN": ("notebooks/zh/08-diagnose-the-incident.ipynb", "## 故障 {n}\n\n*报告*："),
}


@pytest.mark.parametrize("lang", sorted(INCIDENT_HEADINGS))
def test_lesson_08_reports_each_incident_as_the_drill_does(lang: str) -> None:
    from labkit.exercises.capstone import INCIDENTS

    path, heading = INCIDENT_HEADINGS[lang]
    cells = ["".join(c["source"]) for c in json.loads((ROOT / path).read_text())["cells"]]
    differ = []
    for incident in INCIDENTS:
        start = heading.format(n=incident.number)
        said = [c.removeprefix(start) for c in cells if c.startswith(start)]
        assert len(said) == 1, f"{path}: no single cell starts {start!r}"
        lesson = said[0].replace("`", "").rstrip("。.")
        first = lesson.split()[0]
        if not (len(first) > 1 and first.isupper()):  # a sentence's capital, not GET's
            lesson = lesson[0].lower() + lesson[1:]
        table = incident.report_text.render(lang)
        if lesson != table:
            differ.append(
                f"incident {incident.number}: {path} says {lesson!r}, the drill {table!r}"
            )
    assert not differ, "\n".join(differ)


def test_an_incident_shows_itself_in_the_learners_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``repr`` of an incident (what a notebook shows for ``incident1``) names it as lesson 08
    heads it, in the learner's language: it was "<Incident 1: the reports page ...>" in a
    Chinese lab too."""
    from labkit import i18n
    from labkit.exercises.capstone import incident1

    monkeypatch.setattr(i18n, "learner_language", lambda: "zh-CN")
    report = incident1.report_text.render("zh-CN")
    assert repr(incident1) == f"<故障 1：{report}>"
    monkeypatch.setattr(i18n, "learner_language", lambda: "en")
    assert repr(incident1) == "<Incident 1: the reports page GET /pool/ fails for everyone>"
