"""ipywidgets panels for the lessons: thin layout over plain functions.

Every button calls a function from labkit (scenarios, lab switches, load, inspect)
that works and is tested without a browser; results are shown by setting widget
values (no prints), and an error in a callback is shown in the panel, never lost.
Tests drive these with ``button.click()`` and by setting ``.value``.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from labkit import inspect, load, scenarios
from labkit.errors import unknown
from labkit.exchange import Exchange, visible_bytes
from labkit.exercises.core import HINT_OFFER, MORE_HINTS
from labkit.lab import Lab

__all__ = ["GatewaysCompared", "Inspector", "Playground", "Quiz"]


def _table(rows: list[tuple[str, ...]], head: tuple[str, ...]) -> str:
    cells = "".join(
        "<tr>"
        + "".join(
            f"<td style='text-align:left;vertical-align:top'>{html.escape(str(c))}</td>" for c in r
        )
        + "</tr>"
        for r in rows
    )
    th = "".join(f"<th style='text-align:left'>{html.escape(h)}</th>" for h in head)
    return f"<table><tr>{th}</tr>{cells}</table>"


class Inspector(w.VBox):
    """Tabs for one exchange: summary, headers (explained), body, raw bytes per hop, picture."""

    TITLES = ("Summary", "Headers", "Body", "Raw bytes", "Picture")

    def __init__(self) -> None:
        self.summary = w.HTML("<i>Nothing sent yet: run a scenario.</i>")
        self.headers = w.HTML()
        self.body = w.HTML()
        self.raw = w.HTML()
        self.picture = w.HTML()
        self.tabs = w.Tab(children=[self.summary, self.headers, self.body, self.raw, self.picture])
        for i, title in enumerate(self.TITLES):
            self.tabs.set_title(i, title)
        self.exchange: Exchange | None = None
        super().__init__([self.tabs])

    def show(self, ex: Exchange) -> None:
        self.exchange = ex
        info = inspect.summary(ex)
        status = f"{ex.status} {ex.reason}" if ex.status is not None else "no status line"
        self.summary.value = f"<h3 style='margin:4px 0'>{html.escape(status)}</h3>" + _table(
            [(k, str(v)) for k, v in info.items() if k not in ("status", "reason")], ("", "")
        )
        self.headers.value = _table(
            inspect.explained_headers(ex), ("header", "value", "what it means")
        )
        body = ex.text if ex.body else "(empty body)"
        self.body.value = f"<pre style='white-space:pre-wrap'>{html.escape(body[:20000])}</pre>"
        parts = []
        for hop in ex.hops:
            if hop.role == "client":
                continue
            parts.append(
                f"<b>{html.escape(hop.label)} received</b><pre>{html.escape(visible_bytes(hop.bytes_in)[:6000])}</pre>"
                f"<b>{html.escape(hop.label)} sent</b><pre>{html.escape(visible_bytes(hop.bytes_out)[:6000])}</pre>"
            )
        self.raw.value = "".join(parts)
        self.picture.value = ex.picture()._repr_svg_()


class _Panel(w.VBox):
    """A panel whose callbacks report errors in ``self.message`` instead of raising."""

    def _init_panel(self) -> None:
        self.message = w.HTML()

    def _safe(self, fn: Callable[..., Any]) -> Callable[..., None]:
        def handler(*args: Any) -> None:
            self.message.value = ""
            try:
                fn(*args)
            except Exception as exc:  # shown to the learner, not lost in a log
                self.message.value = (
                    f"<span style='color:#b00020'>{html.escape(type(exc).__name__)}: "
                    f"{html.escape(str(exc))}</span>"
                )

        return handler


class Playground(_Panel):
    """A lesson's scenarios, a button to run one, the lesson's switches, and the inspector."""

    def __init__(self, lab: Lab, lesson: str) -> None:
        self._init_panel()
        self.lab = lab
        self.lesson = lesson
        choices = scenarios.for_lesson(lesson)
        self.scenario = w.Dropdown(
            options=[(f"{s.id}: {s.title}", s.id) for s in choices],
            description="Scenario",
            layout=w.Layout(width="95%"),
            style={"description_width": "initial"},
        )
        self.cause = w.HTML()
        self.run_button = w.Button(description="Run scenario", button_style="primary", icon="play")
        self.inspector = Inspector()
        self.scenario.observe(lambda _: self._describe(), names="value")
        self.run_button.on_click(self._safe(lambda _: self.run()))
        self._describe()
        self.buttons: dict[str, w.Button] = {}
        self.controls = _CONTROLS.get(lesson, lambda p: [])(self)
        box = [self.scenario, self.cause, self.run_button]
        if self.controls:
            box.append(
                w.VBox(self.controls, layout=w.Layout(border="1px solid #ddd", padding="4px"))
            )
        super().__init__([*box, self.message, self.inspector])

    def _describe(self) -> None:
        s = scenarios.get(self.scenario.value)
        personality = self.lab.gateway.personality
        expected = s.expected(personality)
        shown = "no status line at all" if expected is None else str(expected)
        maker = (
            f", made by the {html.escape(s.made_by)}"
            if personality == "rfc"
            else (f" with the {html.escape(personality)} gateway")
        )
        self.cause.value = (
            f"<b>Cause:</b> {html.escape(s.cause)}.<br><b>Expected:</b> {shown}{maker}."
        )

    def run(self) -> Exchange:
        ex = scenarios.get(self.scenario.value).run(self.lab)
        self.inspector.show(ex)
        return ex

    def send(self, method: str, path: str, via: str = "gateway", **kw: Any) -> Exchange:
        ex = self.lab.request(method, path, via=via, **kw)
        self.inspector.show(ex)
        return ex

    def send_raw(self, data: bytes, to: str = "origin") -> Exchange:
        ex = self.lab.raw(data, to=to)
        self.inspector.show(ex)
        return ex

    def button(self, description: str, action: Callable[[], Any]) -> w.Button:
        """A lesson button; also kept in ``self.buttons[description]`` for tests and scripts."""
        b = w.Button(description=description, layout=w.Layout(width="auto"))
        b.on_click(self._safe(lambda _: action()))
        self.buttons[description] = b
        return b


# -- the switches each lesson needs --


def _controls_500(p: Playground) -> list[w.Widget]:
    p.debug = w.Checkbox(value=p.lab.origin.debug, description="debug: show tracebacks in 500 pages",
                         indent=False, layout=w.Layout(width="auto"))  # fmt: skip
    p.debug.observe(p._safe(lambda ch: setattr(p.lab.origin, "debug", ch["new"])), names="value")
    return [p.debug, p.button("GET /orders/abc", lambda: p.send("GET", "/orders/abc"))]


def _controls_501(p: Playground) -> list[w.Widget]:
    p.method = w.Combobox(value="BREW", options=["GET", "HEAD", "OPTIONS", "DELETE", "PUT", "PATCH", "BREW"],
                          description="Method")  # fmt: skip
    p.path = w.Text(value="/orders/7", description="Path")
    return [
        w.HBox([p.method, p.path, p.button("Send", lambda: p.send(p.method.value, p.path.value))])
    ]


def _controls_502(p: Playground) -> list[w.Widget]:
    from labkit import personalities

    p.personality = w.Dropdown(
        options=[(f"{x.name}: {x.title}", x.name) for x in personalities.PERSONALITIES.values()],
        value=p.lab.gateway.personality, description="Gateway like",
        layout=w.Layout(width="60%"), style={"description_width": "initial"},
    )  # fmt: skip

    def switch(change: dict[str, Any]) -> None:
        p.lab.gateway.personality = change["new"]
        p._describe()

    p.personality.observe(p._safe(switch), names="value")
    return [p.personality]


def _controls_503(p: Playground) -> list[w.Widget]:
    st = {"description_width": "initial"}
    p.maintenance = w.ToggleButton(value=p.lab.origin.in_maintenance, description="maintenance")
    p.retry_after = w.BoundedIntText(
        value=120, min=0, max=86400, description="Retry-After (s)", style=st
    )
    p.cache_mistake = w.Checkbox(
        value=False, description="send max-age=60 instead of no-store (the mistake)",
        indent=False, layout=w.Layout(width="auto"),
    )  # fmt: skip

    def apply_maintenance(*_: Any) -> None:
        p.lab.origin.maintenance(
            p.maintenance.value, retry_after=p.retry_after.value,
            cache_max_age=60 if p.cache_mistake.value else None,
        )  # fmt: skip

    for control in (p.maintenance, p.retry_after, p.cache_mistake):
        control.observe(p._safe(apply_maintenance), names="value")
    p.capacity = w.IntSlider(value=3, min=1, max=10, description="capacity", style=st)
    p.burst_size = w.IntSlider(value=10, min=1, max=40, description="burst size", style=st)
    p.progress = w.IntProgress(value=0, min=0, max=10, description="burst")
    p.burst_result = w.HTML()

    def do_burst() -> None:
        p.progress.max, p.progress.value = p.burst_size.value, 0
        before = p.lab.origin.capacity
        p.lab.origin.capacity = p.capacity.value
        try:
            result = load.burst(p.lab, p.burst_size.value,
                                on_progress=lambda done, total: setattr(p.progress, "value", done))  # fmt: skip
        finally:
            p.lab.origin.capacity = before
        p.burst_result.value = html.escape(repr(result))

    return [
        w.HBox([p.maintenance, p.retry_after]), p.cache_mistake,
        w.HBox([p.button("GET /orders/7", lambda: p.send("GET", "/orders/7")),
                p.button("purge the gateway cache", p.lab.gateway.purge)]),
        w.HBox([p.capacity, p.burst_size, p.button("Burst", do_burst)]), p.progress, p.burst_result,
    ]  # fmt: skip


def _controls_504(p: Playground) -> list[w.Widget]:
    st = {"description_width": "initial"}
    route = p.lab.gateway.route("/")
    p.read_timeout = w.FloatSlider(value=route.read_timeout, min=0.1, max=2.0, step=0.1,
                                   description="gateway read timeout (s)", style=st)  # fmt: skip
    p.delay = w.FloatSlider(value=0.5, min=0.0, max=2.0, step=0.1,
                            description="origin delay (s)", style=st)  # fmt: skip
    p.read_timeout.observe(
        p._safe(lambda ch: setattr(route, "read_timeout", ch["new"])), names="value"
    )
    p.timeline = w.Image(format="png", layout=w.Layout(display="none"))  # shown once drawn

    def send_slow() -> None:
        ex = p.send("GET", f"/slow?delay={p.delay.value:g}")
        from labkit.charts import timeline

        buf = io.BytesIO()
        timeline(ex).savefig(buf, format="png", dpi=80)
        p.timeline.value = buf.getvalue()
        p.timeline.layout.display = ""

    return [p.read_timeout, p.delay, p.button("GET /slow", send_slow), p.timeline]


def _controls_505(p: Playground) -> list[w.Widget]:
    p.version = w.Dropdown(options=["HTTP/1.0", "HTTP/1.1", "HTTP/1.2", "HTTP/2.0", "HTTP/3.0",
                                    "http/1.1", "HTTPS/1.1"], value="HTTP/2.0", description="Version")  # fmt: skip

    def send() -> None:
        p.send_raw(
            f"GET /orders/7 {p.version.value}\r\nHost: lab\r\nConnection: close\r\n\r\n".encode()
        )

    return [w.HBox([p.version, p.button("Send the request line", send)])]


def _controls_511(p: Playground) -> list[w.Widget]:
    assert p.lab.portal is not None
    portal = p.lab.portal
    return [w.HBox([
        p.button("log in", portal.login), p.button("log out", portal.logout),
        p.button("GET /orders/7 via the portal", lambda: p.send("GET", "/orders/7", via="portal")),
        p.button("GET /generate_204", lambda: p.send("GET", "/generate_204", via="portal")),
    ])]  # fmt: skip


_CONTROLS: dict[str, Callable[[Playground], list[w.Widget]]] = {
    "500": _controls_500,
    "501": _controls_501,
    "502": _controls_502,
    "503": _controls_503,
    "504": _controls_504,
    "505": _controls_505,
    "511": _controls_511,
}


class GatewaysCompared(_Panel):
    """One upstream fault through every gateway personality, side by side (lesson 09)."""

    def __init__(self, lab: Lab) -> None:
        from labkit import personalities
        from labkit.faults import FAULTS

        self._init_panel()
        self.lab = lab
        self.personalities = list(personalities.PERSONALITIES)
        faults = [name for name, f in FAULTS.items() if f.condition is not None]
        self.fault = w.Dropdown(options=[*faults, "pool"], value="garbage", description="Fault")
        self.run_button = w.Button(description="Run through every gateway", button_style="primary")
        self.table = w.HTML()
        self.rows: list[tuple[str, str, str]] = []
        self.run_button.on_click(self._safe(lambda _: self.run()))
        super().__init__([w.HBox([self.fault, self.run_button]), self.message, self.table])

    def run(self) -> list[tuple[str, str, str]]:
        from labkit import personalities

        path = "/pool/" if self.fault.value == "pool" else f"/up/{self.fault.value}/"
        before = self.lab.gateway.personality
        rows = []
        try:
            for name in self.personalities:
                self.lab.gateway.personality = name
                ex = self.lab.get(path)
                status = (
                    f"{ex.status} {ex.reason}"
                    if ex.status is not None
                    else "no status line (HTTP/0.9 passthrough)"
                )
                gw = ex.hop("gateway").sent
                rows.append((personalities.get(name).title, status, gw.why if gw else ""))
        finally:
            self.lab.gateway.personality = before
        self.rows = rows
        self.table.value = _table(rows, ("gateway", "client sees", "why (the gateway's words)"))
        return rows


class Quiz(_Panel):
    """A multiple-choice or short-answer exercise as a widget: answer, check, hint, solution."""

    def __init__(self, exercise: Any) -> None:
        from labkit.exercises import Choice

        self._init_panel()
        self.exercise = exercise
        self.prompt = w.HTML(f"<b>{html.escape(exercise.id)}</b>: {html.escape(exercise.prompt)}")
        if isinstance(exercise, Choice):
            self.answer: w.ValueWidget = w.RadioButtons(options=exercise.options, value=None)
        else:
            self.answer = w.Text(placeholder="your answer")
        self.feedback = w.HTML()
        self.check_button = w.Button(description="Check", button_style="primary")
        self.hint_button = w.Button(description="Hint")
        self.solution_button = w.Button(description="Solution")
        self.check_button.on_click(self._safe(lambda _: self.check()))
        self.hint_button.on_click(self._safe(lambda _: self._note(exercise.hint())))
        self.solution_button.on_click(self._safe(lambda _: self._note(exercise.solution())))
        buttons = w.HBox([self.check_button, self.hint_button, self.solution_button])
        super().__init__([self.prompt, self.answer, buttons, self.feedback, self.message])

    def check(self) -> Any:
        value = self.answer.value
        result = self.exercise.check(... if value in (None, "") else value)
        result.message = result.message.replace(HINT_OFFER, "(Stuck? Press Hint.)")
        self.feedback.value = result._repr_html_()
        return result

    def _note(self, note: Any) -> None:
        note.text = note.text.replace(MORE_HINTS, "(press Hint again for another)")
        self.feedback.value = note._repr_html_()


def playground(lab: Lab, lesson: str) -> Playground:
    if lesson not in scenarios.LESSONS:
        raise unknown("lesson", lesson, scenarios.LESSONS)
    return Playground(lab, lesson)
