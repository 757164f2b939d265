"""Exchanges tell the same story every run: no ports, no timing noise, every hop."""

from __future__ import annotations

import re
import subprocess

import pytest

import labkit


def _story(lab: labkit.Lab) -> list[str]:
    return [
        repr(lab.get("/orders/7")),
        repr(lab.get("/up/garbage/")),
        repr(lab.get("/orders/abc")),
        repr(lab.get("/orders/7", via="portal")),
        repr(lab.get("/slow?delay=0.1")),
        repr(lab.get("/up/blackhole/")),
    ]


def test_text_is_the_same_in_two_fresh_labs(busy_cores: None) -> None:
    """Both cores busy, as on a shared hub: a hop's measured time varies, the text does not."""
    with labkit.start() as a:
        first = _story(a)
    with labkit.start() as b:
        second = _story(b)
    assert first == second
    assert not any(re.search(r"127\.0\.0\.1|:\d{4,5}", text) for text in first)


def test_text_tells_time_from_configuration_only(lab: labkit.Lab) -> None:
    lab.gateway.route("/").read_timeout = 0.3
    timed_out = repr(lab.get("/slow?delay=0.6")).splitlines()
    assert timed_out[-1].endswith("[made here]  gave up after the read timeout, 0.3 s")
    hole = repr(lab.get("/up/blackhole/")).splitlines()
    assert hole[-1].endswith("[made here]  gave up after the connect timeout, 0.2 s")
    # the 200 is not a race against the 0.3 s timeout (a loaded hub lost it by 0.1 s): the text
    # still tells the configured delay, not the longer timeout nor the measured time
    lab.gateway.route("/").read_timeout = 5
    slow = repr(lab.get("/slow?delay=0.2")).splitlines()
    assert "  origin     -> 200 OK  [made here]  answered after its set delay, 0.2 s" in slow
    assert slow[-1].endswith("-> 200 OK  [relayed]"), "the gateway only relayed: no time"
    answers = [line for line in repr(lab.get("/orders/7")).splitlines()[1:] if " -> " in line]
    assert len(answers) == 2 and all(line.endswith("]") for line in answers), answers


def test_text_names_status_maker_and_hops(lab: labkit.Lab) -> None:
    text = repr(lab.get("/up/garbage/"))
    assert text.splitlines()[0].endswith("-> 502 Bad Gateway, made by the gateway")
    assert "upstream 'garbage'" in text
    assert "[made here]" in text


def test_a_cell_that_shows_ex_hops_shows_one_line_per_hop(lab: labkit.Lab) -> None:
    """Lesson 08 tells the learner to look at `ex.hops`: each hop in one line, with
    generated=True where the hop made what it sent (the gateway its 502, the upstream its
    garbage), not every event with its bytes."""
    shown = repr(lab.get("/up/garbage/").hops)
    assert shown == (
        "[Hop(name='client', received='502 Bad Gateway', sent='GET /up/garbage/', "
        "generated=False), "
        "Hop(name='gateway', received='GET /up/garbage/ HTTP/1.1', sent='502 Bad Gateway', "
        "generated=True), "
        "Hop(name='garbage', received='GET / HTTP/1.1', sent='SSH-2.0-OpenSSH_9.2 hello, this is "
        "not an HTTP server, then FIN (closed)', generated=True)]"
    ), shown


def test_html_view(lab: labkit.Lab) -> None:
    html = lab.get("/orders/abc")._repr_html_()
    assert "500 Internal Server Error" in html and "<table>" in html
    assert "made by the <b>origin</b>" in html


def test_ids_are_given_at_the_first_hop_and_foreign_ids_replaced(lab: labkit.Lab) -> None:
    ex = lab.get("/orders/7", headers={"X-Request-ID": "not-ours"})
    assert ex.header("x-request-id") == ex.id != "not-ours"
    assert {e.request_id for h in ex.hops for e in h.events} == {ex.id}


@pytest.mark.skipif(
    subprocess.run(["which", "curl"], capture_output=True).returncode, reason="needs curl"
)
def test_a_curl_request_is_recorded_too(lab: labkit.Lab) -> None:
    out = subprocess.run(
        ["curl", "-s", "-D", "-", "-o", "/dev/null", lab.gateway.url + "/up/reset/"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rid = re.search(r"(?i)x-request-id: (\S+)", out).group(1)
    ex = lab.exchange(rid)
    assert ex.status == 502 and ex.generated_by == "gateway"
    assert lab.last().id == rid


def test_raw_bytes_are_visible(lab: labkit.Lab) -> None:
    ex = lab.get("/orders/7")
    raw = ex.raw("origin")
    assert "GET /orders/7 HTTP/1.1\\r\\n" in raw and "HTTP/1.1 200 OK\\r\\n" in raw
