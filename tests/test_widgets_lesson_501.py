"""Lesson 501's playground and quiz widgets, driven without a browser over real sockets."""

from __future__ import annotations

import pytest

import labkit
from labkit import scenarios
from labkit.exercises.lesson_501 import q2
from labkit.widgets import Playground, Quiz

LESSON_501 = {s.id: s for s in scenarios.for_lesson("501")}


@pytest.mark.parametrize("scenario_id", list(LESSON_501))
def test_each_scenario_runs_and_shows_its_status(lab, scenario_id):
    p = Playground(lab, "501")
    p.scenario.value = scenario_id
    p.run_button.click()
    assert p.message.value == ""
    ex = p.inspector.exchange
    expected = LESSON_501[scenario_id].status
    assert ex.status == expected
    assert f"<h3 style='margin:4px 0'>{expected} " in p.inspector.summary.value
    assert "origin" in p.inspector.summary.value


@pytest.mark.parametrize(
    ("method", "path", "status", "allow"),
    [
        ("BREW", "/orders/7", 501, None),
        ("DELETE", "/orders/7", 405, "GET, HEAD, OPTIONS"),
        ("OPTIONS", "/orders/7", 204, "GET, HEAD, OPTIONS"),
        ("OPTIONS", "/orders", 204, "GET, HEAD, POST, OPTIONS"),
        ("GET", "/orders/7", 200, None),
        ("BREW", "/nothing", 501, None),
    ],
)
def test_method_and_path_controls_send_the_request(lab, method, path, status, allow):
    p = Playground(lab, "501")
    method_box, path_box, send = p.method, p.path, p.buttons["Send"]
    method_box.value = method
    path_box.value = path
    send.click()
    assert p.message.value == ""
    ex = p.inspector.exchange
    assert (ex.method, ex.target, ex.status) == (method, path, status)
    assert f">{status} " in p.inspector.summary.value
    assert ex.header("Allow") == allow
    if allow:
        assert "allow" in p.inspector.headers.value.lower()
        assert "RFC 9110 15.5.6" in p.inspector.headers.value


def test_a_method_that_is_not_a_word_is_reported_in_the_panel(lab):
    """The refusal said "one word of letters", yet a token (RFC 9110 5.6.2) takes digits and
    symbols too, and the panel sends M-SEARCH: it names what a token holds (fails before)."""
    p = Playground(lab, "501")
    method_box, send = p.method, p.buttons["Send"]
    method_box.value = "BR EW"
    send.click()
    assert p.message.value == (
        "The method must be one word without spaces, like GET or BREW: letters, digits and "
        "!#$%&'*+-.^_`|~ (a token, RFC 9110 9.1, 5.6.2), not 'BR EW'."
    )
    method_box.value = "M-SEARCH"  # SSDP's method: a token with a hyphen, sent as typed
    send.click()
    assert p.message.value == ""
    assert p.inspector.exchange.method == "M-SEARCH" and p.inspector.exchange.status == 501
    method_box.value = "BREW"
    send.click()
    assert p.message.value == ""
    assert p.inspector.exchange.status == 501


def test_a_path_that_is_not_ascii_is_told_how_to_write_it(lab):
    """'/ünï' was told the path "must start with '/' and hold no spaces or control
    characters", which it does: what is wrong is that it is not ASCII, and the panel says how
    a browser writes it."""
    p = Playground(lab, "501")
    p.method.value, p.path.value = "GET", "/ünï"
    p.buttons["Send"].click()
    assert p.message.role == "alert"
    assert p.message.value == (
        "A request line is ASCII: percent-encode the path's other characters as a browser "
        "does, '/%C3%BCn%C3%AF' for '/ünï' (RFC 3986 2.1)."
    )
    p.path.value = "/%C3%BCn%C3%AF"  # as it says: sent, and the origin has no such page
    p.buttons["Send"].click()
    assert p.message.value == "" and p.inspector.exchange.status == 404


def test_quiz_widget_for_the_allow_header(lab):
    quiz = Quiz(q2)
    quiz.answer.value = "Retry-After"
    quiz.check_button.click()
    assert "Not yet" in quiz.feedback.value
    quiz.answer.value = "Allow"
    quiz.check_button.click()
    assert "Correct" in quiz.feedback.value
    assert quiz.message.value == ""


@pytest.mark.parametrize(
    ("method", "target", "status", "made_by"),
    [
        ("OPTIONS", "*", 204, "origin"),  # the server as a whole (RFC 9110 9.3.7), via the gateway
        ("CONNECT", "example.com:443", 501, "gateway"),  # no tunnel here (RFC 9110 9.3.6)
        ("GET", "*", 400, "gateway"),  # '*' is OPTIONS's alone (RFC 9112 3.2.4)
    ],
)
def test_the_other_request_target_forms_are_sent_as_typed(lab, method, target, status, made_by):
    """'OPTIONS *' (asterisk-form) and 'CONNECT example.com:443' (authority-form) were refused
    with "the path must start with '/'": they are request targets (RFC 9112 3.2.3, 3.2.4), and
    the servers' answers to them are lesson 02's."""
    p = Playground(lab, "501")
    p.method.value, p.path.value = method, target
    p.buttons["Send"].click()
    assert p.message.value == ""
    ex = p.inspector.exchange
    assert (ex.method, ex.target, ex.status, ex.generated_by) == (method, target, status, made_by)


def test_a_target_of_no_form_names_the_forms_there_are(lab):
    p = Playground(lab, "501")
    p.method.value, p.path.value = "GET", "orders/7"
    p.buttons["Send"].click()
    assert p.message.role == "alert"
    assert p.message.value == (
        "The target must be a path such as '/orders/7', '*' (OPTIONS, RFC 9112 3.2.4) or "
        "host:port (CONNECT, 3.2.3), with no spaces or control characters, not 'orders/7'."
    )
    p.path.value = "example.com:443"  # authority-form with GET: the servers would answer 404
    p.buttons["Send"].click()
    assert p.message.value == (
        "Only CONNECT takes host:port (authority-form) as its target (RFC 9112 3.2.3): "
        "choose CONNECT to send 'example.com:443', or a path such as '/orders/7'."
    )


def test_a_chinese_refusal_keeps_the_name_it_starts_with_as_written() -> None:
    """The alert capitalised its line's first letter in every language: a Chinese refusal
    that starts with host:port read "Host:port（authority 形式）", a header's name, where
    Chinese has no capitals to begin a sentence with (fails before)."""
    with labkit.start(lang="zh-CN") as zh_lab:
        p = Playground(zh_lab, "501")
        p.method.value, p.path.value = "GET", "example.com:443"
        p.buttons["Send"].click()
        assert p.message.value.startswith("host:port（authority 形式）只能作为 CONNECT 的请求目标")


def test_send_acts_on_the_words_its_press_carries_from_the_browser(lab):
    """In the browser, Send's press is an update of its own model that carries (or follows)
    the boxes' words as they were when it was pressed, while the boxes' own updates may still
    be held back (jupyter-widgets/ipywidgets#1382; tests/test_browser.py drives the real one).
    Such an update is what Send acts on, whatever the boxes hold in Python yet. Two presses
    made while an earlier update was unanswered arrive merged in one update, whose count of
    presses went up by two: two requests are sent (the press was a ToggleButton's value,
    flipped twice and sent once, and was one request: fails before)."""
    from labkit.widgets.press import Press

    p = Playground(lab, "501")
    send = p.buttons["Send"]
    assert isinstance(send, Press)
    assert p.method.value == "BREW" and p.path.value == "/orders/7"  # the words held back
    send.set_state({"typed_0": "GET", "typed_1": "/orders/42", "presses": send.presses + 1})
    ex = p.inspector.exchange
    assert (ex.method, ex.target, ex.status) == ("GET", "/orders/42", 404)
    assert p.status.value.startswith("Sent 'GET /orders/42 HTTP/1.1' to the gateway")
    sent: list[str] = []
    p.status.observe(
        lambda change: sent.append(change["new"]) if change["new"].startswith("Sent") else None,
        names="value",
    )
    send.set_state({"typed_1": "/orders/7", "presses": send.presses + 2})
    assert (p.inspector.exchange.method, p.inspector.exchange.target) == ("GET", "/orders/7")
    assert [line.split(" to the gateway")[0] for line in sent] == [
        "Sent 'GET /orders/7 HTTP/1.1'"
    ] * 2
    sent.clear()
    send.set_state({"typed_1": "/orders/8"})  # a box's words, not a press: nothing sent
    assert p.inspector.exchange.target == "/orders/7"
