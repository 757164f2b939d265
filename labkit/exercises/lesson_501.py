"""Exercises of lesson 02 (notebooks/02-501-not-implemented.ipynb): 501 Not Implemented, 405 beside it.

``q1`` and ``q2`` tell an unknown method (501) from a method the resource does not
allow (405 with Allow); ``q3`` is a make-it-happen task: send a request that gets
501 for its transfer coding (judged from the Exchange, or from ``lab.last()``);
``q4`` is the 400 for 'chunked' not last; ``q5`` reads a real server against the RFC.
"""

from __future__ import annotations

from typing import Any

from labkit.errors import LabNotRunning
from labkit.exercises.checks import STOPPED, CheckedTask, Param, Refused, Run
from labkit.exercises.core import hop_name, make_choice, make_short_answer
from labkit.exercises.observe import maker
from labkit.http.requestcheck import transfer_codings
from labkit.i18n import Msg, Text
from labkit.recorder import Role

LESSON = "501"

q1 = make_choice(
    "501.unknown-method",
    LESSON,
    Msg(
        "A client sends BREW /orders/7. The server does not know any method called BREW, on any "
        "of its resources. Which status does RFC 9110 (9.1, 15.6.2) ask for?"
    ),
    ["400", "404", "405", "501"],
    "501",
    why={
        "501": Msg(
            "a method the server does not recognise at all gets 501 Not Implemented "
            "(RFC 9110 9.1), whatever the resource."
        ),
        "405": Msg(
            "405 is for a method the server knows but this resource does not allow, like "
            "DELETE on the read-only /orders/7; it comes with Allow. BREW is unknown everywhere."
        ),
        "400": Msg(
            "the request is well-formed: BREW is a valid method name (a token). 400 is for "
            "a request that is not valid HTTP."
        ),
        "404": Msg(
            "the resource exists; the method is the problem. Send the same method to a path "
            "that does not exist (lab.request('BREW', '/nothing')): is the method or the path "
            "checked first?"
        ),
    },
    hints=(
        Msg("Is the problem this resource, or the server as a whole?"),
        Msg("Try lab.request('BREW', '/orders/7') and lab.request('BREW', '/nothing')."),
    ),
    solution=Msg("q1.check('501'): the server recognises no BREW method on any resource."),
)

_Q2 = "501.allow-header"
q2 = make_short_answer(
    _Q2,
    LESSON,
    Msg(
        "DELETE /orders/7 gets 405 Method Not Allowed: the server knows DELETE, but this order is "
        "read-only. Which header MUST a 405 carry (RFC 9110 15.5.6)?"
    ),
    accepted={"Allow"},
    why={
        "Allow": Msg(
            "Allow lists the methods the resource does allow (here "
            "GET, HEAD, OPTIONS); OPTIONS answers with the same header."
        ),
        "Allowed": Msg(
            "close, but not its name: read the 405's headers (ex.headers) or RFC 9110 "
            "10.2.1 for the exact spelling."
        ),
        "Retry-After": Msg(
            "Retry-After says when to try again (503, 429); waiting "
            "will not make DELETE allowed here."
        ),
        "Upgrade": Msg("Upgrade goes with 426 Upgrade Required (another protocol), not with 405."),
        "Via": Msg("Via is added by proxies on the way; it is not what a 405 owes the client."),
        "Content-Type": Msg(
            "Content-Type describes the body; a 405 must also tell "
            "the client which methods would work."
        ),
    },
    hints=(
        Msg("The header tells the client which methods would have worked."),
        "ex = lab.request('DELETE', '/orders/7'); ex.headers",
    ),
    kind="header",
    default=Msg(
        "that header does not tell the client what would have worked: read ex.headers of the 405."
    ),
    solution=Msg("Allow (here 'Allow: GET, HEAD, OPTIONS'); ex.header('Allow')."),
)


def _exchange_of(answer: Any) -> Any:
    """The Exchange to judge: the one given, or the lab's last one when a Lab is given."""
    from labkit.exchange import Exchange
    from labkit.lab import Lab

    if isinstance(answer, Exchange):
        return answer
    if isinstance(answer, Lab):
        if not answer.running:
            raise Refused(STOPPED)
        try:
            return answer.last()
        except LabNotRunning:
            # nothing to judge yet, not a wrong answer: it was counted as one, "your answer
            # raised LabNotRunning", though the lab ran and the learner's code raised nothing
            raise Refused(
                Msg(
                    "no request has reached the lab yet, so there is nothing to judge: send one "
                    "with lab.raw(...) (or curl or nc in a terminal), then q3.check(lab) again."
                )
            ) from None
    raise Refused(
        Msg(
            "pass the Exchange that lab.raw(...) returned (q3.check(ex)), or the lab itself to "
            "judge its last request (q3.check(lab)); not a {kind}.",
            kind=type(answer).__name__,
        )
    )


def _codings(run: Run) -> list[str] | None:
    """The transfer codings of the request as the first server hop received it."""
    ex = run["ex"]
    run.detail = run.say(
        Msg(
            "status: {status}; made by: {hop}; why: {why}",
            status=ex.status,
            hop=hop_name(maker(ex)),
            why=ex.why,
        )
    )
    first = next((h for h in ex.hops if h.role is not Role.CLIENT and h.received), None)
    head = first.bytes_in.split(b"\r\n\r\n", 1)[0] if first else b""
    return transfer_codings(head) if head else None


def _carried_a_coding(run: Run) -> Text:
    if run["codings"] is not None:
        return ""
    ex = run["ex"]
    if ex.status is None and ex.client_error:
        return Msg(
            "that request never reached the lab: {error}. httpx refuses "
            "unknown transfer codings itself; send the bytes with lab.raw(...).",
            error=ex.client_error,
        )
    extra: Text = ""
    if ex.status == 501:
        extra = Msg(" (a 501 for the method, not for a transfer coding)")
    return Msg(
        "that request carried no Transfer-Encoding header{extra}. Send one with a coding "
        "the server does not implement, with 'chunked' last.",
        extra=extra,
    )


def _got_501(run: Run) -> Text:
    ex, codings = run["ex"], run["codings"]
    if ex.status == 501:
        return ""
    if ex.status == 400 and (not codings or codings[-1] != "chunked"):
        return Msg(
            "Transfer-Encoding: {codings} got 400: the server could not find where "
            "the body ends (ex.why). RFC 9112 6.3 says how it finds that out: which coding "
            "frames the body, and where in the list does the server look for it?",
            codings=", ".join(codings),  # the header's own list syntax, not a Listed
        )
    if set(codings) == {"chunked"}:
        return Msg(
            "Transfer-Encoding: chunked got {status}, not 501: chunked is the one transfer "
            "coding every HTTP/1.1 recipient must be able to parse (RFC 9112 7.1). Put a "
            "coding before it that the server does not implement.",
            status=ex.status,
        )
    return Msg("that request got {status}, not 501.", status=ex.status)


q3 = CheckedTask(
    "501.make-transfer-coding-501",
    LESSON,
    Msg(
        "Make it happen: send a request that the lab answers with 501 because of its transfer "
        "coding (not its method). httpx will not send such a request, so use lab.raw(...) (to the "
        "origin or the gateway). Then check the Exchange: q3.check(ex) (or q3.check(lab) after "
        "sending it with curl or nc)."
    ),
    usage="q3.check(ex)",
    takes=(Param("ex", _exchange_of),),
    observe={"codings": _codings},
    checks=(_carried_a_coding, _got_501),
    success=lambda run: Msg(
        "the request said Transfer-Encoding: {codings}; the "
        "{hop} found where the body ends (chunked is last) but does not "
        "implement the other coding: 501 (RFC 9112 6.1).",
        # the header's list as a request writes it (RFC 9110 5.6.1): a Listed joined it with
        # the Chinese enumeration comma, "Transfer-Encoding: gzip、chunked"
        codings=", ".join(run["codings"]),
        hop=hop_name(maker(run["ex"])),
    ),
    hints=(
        Msg(
            "The request needs a body framed with Transfer-Encoding, e.g. b'POST /orders "
            "HTTP/1.1\\r\\nHost: lab\\r\\nTransfer-Encoding: ...\\r\\n\\r\\n0\\r\\n\\r\\n'."
        ),
        Msg(
            "'chunked' must come last, or you get 400; put a coding before it that the server "
            "does not implement."
        ),
        Msg(
            "Which codings does the server list as implemented? (The origin's 501 page says.) Put "
            "any other one before chunked."
        ),
    ),
    solution="""ex = lab.raw(
    b"POST /orders HTTP/1.1\\r\\nHost: lab\\r\\nTransfer-Encoding: gzip, chunked\\r\\n"
    b"Connection: close\\r\\n\\r\\n0\\r\\n\\r\\n"
)
q3.check(ex)""",
)

q4 = make_choice(
    "501.chunked-not-final",
    LESSON,
    Msg(
        "A request arrives with 'Transfer-Encoding: chunked, gzip' (chunked first, gzip last). "
        "Which status must the server send (RFC 9112 6.3)?"
    ),
    ["200", "400", "411", "501"],
    "400",
    why={
        "400": Msg(
            "when chunked is not the final coding, the server cannot find where the "
            "body ends, so it MUST answer 400 and close the connection (RFC 9112 6.3)."
        ),
        "501": Msg(
            "501 is for a coding the server does not implement while the framing is still "
            "clear (chunked last, as in 'gzip, chunked'). Here chunked is not last, so the framing "
            "itself is broken."
        ),
        "411": Msg(
            "411 Length Required is for a body with no length at all; here the framing is "
            "present but unusable."
        ),
        "200": Msg("the server cannot even find the end of the body; it cannot serve the request."),
    },
    hints=(
        Msg("Which coding tells the server where the body ends? Where must it stand?"),
        Msg(
            "Compare labkit.scenarios.run('501-transfer-coding', lab) with "
            "labkit.scenarios.run('400-chunked-not-final', lab)."
        ),
    ),
    solution=Msg(
        "q4.check('400'): chunked not last means the message length cannot be found "
        "(RFC 9112 6.3); the server answers 400 and closes."
    ),
)

q5 = make_choice(
    "501.python-http-server",
    LESSON,
    Msg(
        "Python's http.server answers 'DELETE / HTTP/1.1' with '501 Unsupported method': it "
        "implements DELETE (RFC 9110 9.3.5) on no resource, so 501 is right for it (RFC 9110 9.1). "
        "What should a server answer that implements DELETE but does not allow it on this "
        "resource? Options: '404', '405 without Allow', '405 with Allow', '501'."
    ),
    ["404", "405 without Allow", "405 with Allow", "501"],
    "405 with Allow",
    why={
        "405 with Allow": Msg(
            "a known method that this resource does not support is 405, "
            "and a 405 MUST list what is allowed in Allow (RFC 9110 15.5.6)."
        ),
        "405 without Allow": Msg(
            "read RFC 9110 15.5.6: what else does a 405 owe the client, "
            "besides its status? Compare the headers of lab.request('DELETE', '/orders/7')."
        ),
        "501": Msg(
            "that is what http.server does, and right for it: 501 is for a method the "
            "server does not recognise or implements on no resource (RFC 9110 9.1). This server "
            "implements DELETE; only this resource does not allow it."
        ),
        "404": Msg("the resource exists (GET / works); only the method is not allowed."),
    },
    # other words for the options, as learners write them (refused as no option)
    also={
        "405 with Allow": (
            "405 带 Allow",
            "405 带 Allow 头",
            "405 带上 Allow",
            "405 带上 Allow 头",
            "405 并带上 Allow 头",
            "405 并带 Allow 头",
            # refused as no option (an outside re-examination)
            "405，并带上 Allow",
            "405，带上 Allow",
            "405，带 Allow",
            "405 加 Allow",
            "405 加上 Allow 头",
        ),
        "405 without Allow": ("405 不带 Allow",),
    },
    hints=(
        Msg("Does the server implement DELETE nowhere, or only not allow it on this resource?"),
        Msg("What does lab.request('DELETE', '/orders/7') answer, with which headers?"),
    ),
    solution=Msg(
        "q5.check('405 with Allow'): a method the server implements, not allowed "
        "here: 405 and Allow: GET, HEAD, OPTIONS (RFC 9110 9.1, 15.5.6). A server that implements "
        "it nowhere, like http.server, answers 501."
    ),
)

__all__ = ["q1", "q2", "q3", "q4", "q5"]
