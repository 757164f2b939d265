"""One rendering package with one palette: colours are defined once and stay readable."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import labkit
from labkit.render import charts, html, notes, palette, svg, text

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "labkit"

# A colour written as a literal: #rgb, #rrggbb or #rrggbbaa (not an HTML entity such as &#39;),
# rgb()/hsl(), one of JupyterLab's colour variables, or a quoted colour keyword.
COLOUR = re.compile(
    r"(?<![&\w])#(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b"
    r"|\b(?:rgba?|hsla?)\("
    r"|var\(--jp-[\w-]*colou?r[\w-]*\)"
    r"""|(?<=['"=:])(?:white|black|red|green|blue|orange|grey|gray)\b(?=['";}])"""
)

# labkit/exercises/ was another helper's while the palette landed (issue 12 item 4): its two
# HTML views still write their own colours. Remove an entry once that file uses the palette.
NOT_YET = {"exercises/__init__.py", "exercises/core.py"}


def _colours_outside_the_palette() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE).as_posix()
        if where == "render/palette.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("  # ", 1)[0] if not line.lstrip().startswith("#") else ""
            if COLOUR.search(code):
                found.setdefault(where, []).append(f"{n}: {line.strip()}")
    return found


def test_every_colour_is_written_once_in_the_palette() -> None:
    found = _colours_outside_the_palette()
    outside = {where: lines for where, lines in found.items() if where not in NOT_YET}
    assert not outside, "colours written outside labkit/render/palette.py:\n" + "\n".join(
        f"labkit/{where}:{line}" for where, lines in outside.items() for line in lines
    )
    assert set(found) == NOT_YET, (
        f"these now use the palette: drop them from NOT_YET: {NOT_YET - set(found)}"
    )


def test_the_check_finds_a_colour_written_in_each_way() -> None:
    for written in [
        "fill='#b00020'",
        'color="#222"',
        "background:#fff}",
        "rgb(1, 2, 3)",
        "var(--jp-error-color1)",
        "fill='white'",
        'edgecolor="white"',
    ]:
        assert COLOUR.search(written), written
    for prose in ["&#39;", "url(#a)", "# a comment", "issue #12", "a white page", "<h3 id='bad'>"]:
        assert not COLOUR.search(prose), prose


def _luminance(colour: str) -> float:
    """Relative luminance (WCAG 2.2, definition), of #rgb, #rrggbb or 'white'."""
    hexa = {"white": "ffffff"}.get(colour, colour.lstrip("#"))
    if len(hexa) == 3:
        hexa = "".join(c * 2 for c in hexa)
    channels = [int(hexa[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_contrast_measure_is_wcags() -> None:
    assert round(contrast("#000", "white"), 1) == 21.0
    assert round(contrast("#777", "#fff"), 2) == 4.48  # the classic just-fails-AA grey


def test_every_pair_drawn_together_is_readable() -> None:
    weak = [
        f"{where}: {fg} on {bg} is {contrast(fg, bg):.2f}:1, needs {minimum}:1"
        for fg, bg, minimum, where in palette.CONTRAST
        if contrast(fg, bg) < minimum
    ]
    assert not weak, "\n".join(weak)


# What a renderer may import from labkit at run time: its own package and the data it draws.
DATA = {"labkit.recorder", "labkit.http.messages", "labkit.errors", "labkit.conditions"}


def _runtime_imports(path: Path) -> set[str]:
    """The labkit modules a file imports, leaving out ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING")
        for stmt in node.body
        for inner in ast.walk(stmt)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name == "labkit" or name.startswith("labkit.")}


def test_the_renderers_do_not_import_the_exchange_back() -> None:
    for path in sorted((PACKAGE / "render").glob("*.py")):
        reached = {
            name
            for name in _runtime_imports(path)
            if not name.startswith("labkit.render")
            and not any(name == d or name.startswith(d + ".") for d in DATA)
        }
        assert not reached, f"labkit/render/{path.name} imports {sorted(reached)}"
    assert "labkit.render.html" in _runtime_imports(PACKAGE / "exchange.py")


@dataclasses.dataclass(frozen=True)
class Copied:
    """Not a labkit.Exchange: the same fields, copied, as a notebook or test could build them."""

    id: str
    method: str
    target: str
    status: int | None
    reason: str
    headers: list[tuple[str, str]]
    hops: list
    client_error: str | None
    elapsed: float
    generated_by: str | None
    why: str
    ok: bool


def test_any_object_with_an_exchanges_fields_draws_the_same(lab: labkit.Lab) -> None:
    for ex in (lab.get("/up/body-cut/"), lab.get("/orders/7"), lab.get("/slow?delay=0.3")):
        copy = Copied(**{f.name: getattr(ex, f.name) for f in dataclasses.fields(Copied)})
        assert not isinstance(copy, labkit.Exchange)
        assert text.story(copy) == repr(ex)
        assert html.exchange_html(copy) == ex._repr_html_()
        assert svg.sequence_svg(copy) == ex.picture()._repr_svg_()
        assert notes.summary(copy) == notes.summary(ex)
        assert charts.timeline(copy).alt == charts.timeline(ex).alt
