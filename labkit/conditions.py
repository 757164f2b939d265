"""What can go wrong between a gateway and its upstream, and which status follows.

One table, read by the gateway, the scenario catalogue, the tests and the lessons,
so the prose cannot drift from the behaviour. The statuses are the lab's reading of the
RFCs (RFC 9110 15.6.3 502, 15.6.4 503, 15.6.5 504; RFC 9112 6.3 for framing); where
real gateways differ, ``labkit.personalities`` (and ``docs/gateways.md``, generated
from it) has what they sent. Where the RFC names no status for a condition (a
502 for every way an upstream's answer can be unusable, a 503 for "no healthy
upstream"), the status is this lab's reading of the RFC's words, and the
explanation says so. ``proxy_status`` is the error type from RFC 9209's registry
(section 2.3) that the lab's gateway names in its ``Proxy-Status`` header.
"""

from __future__ import annotations

import enum
import errno

from labkit.i18n import Msg
from labkit.record import FrozenRecord

# Why the lab's own proxy (the rfc gateway, the portal) made its 502/503/504, as it records it
# (``ex.why``, in English: str()); a panel says it in its language (render.text.why_in)
FAILED_WHY = Msg("{explanation} (upstream {name})")


class Condition(str, enum.Enum):
    """An upstream condition the gateway can observe (not a status: the table maps it)."""

    REFUSED = "refused"
    CONNECT_TIMEOUT = "connect-timeout"
    CLOSED_WITHOUT_RESPONSE = "closed-without-response"
    RESET = "reset"
    HEADERS_CUT = "headers-cut"
    INVALID_STATUS_LINE = "invalid-status-line"
    INVALID_HEADER = "invalid-header"
    HEADER_TOO_BIG = "header-too-big"
    INVALID_CONTENT_LENGTH = "invalid-content-length"
    INVALID_FRAMING = "invalid-framing"
    READ_TIMEOUT = "read-timeout"
    NO_HEALTHY_UPSTREAM = "no-healthy-upstream"
    UNREACHABLE = "unreachable"
    DNS_ERROR = "dns-error"
    UNASKED_SWITCH = "unasked-switch"
    BODY_CUT = "body-cut"


class Outcome(FrozenRecord):
    __slots__ = ("explanation", "proxy_status", "rfc", "status")
    status: int | None  # None: the upstream's own status was already relayed
    explanation: Msg  # English as str(); a page renders it in the request's language
    rfc: Msg
    proxy_status: str  # RFC 9209 2.3 error type; "" when no response of ours is possible

    def __init__(
        self, status: int | None, explanation: Msg, rfc: Msg, proxy_status: str = ""
    ) -> None:
        set_ = object.__setattr__
        set_(self, "status", status)
        set_(self, "explanation", explanation)
        set_(self, "rfc", rfc)
        set_(self, "proxy_status", proxy_status)


# Condition -> what the gateway answers and why (the lab's reading of the RFCs, its default).
RFC_TABLE: dict[Condition, Outcome] = {
    Condition.REFUSED: Outcome(
        502,
        Msg("nothing is listening at the upstream's address: the connection was refused"),
        Msg(
            "RFC 9110 15.6.3 speaks of an invalid response; reading 'no response at all' as 502 "
            "too is the lab's choice, as it is nginx's and Caddy's; HAProxy answers 503"
        ),
        "connection_refused",
    ),
    Condition.CONNECT_TIMEOUT: Outcome(
        504,
        Msg("the upstream did not accept the connection within the connect timeout"),
        Msg("RFC 9110 15.6.5"),
        "connection_timeout",
    ),
    Condition.CLOSED_WITHOUT_RESPONSE: Outcome(
        502,
        Msg("the upstream closed the connection without sending a response"),
        Msg(
            "RFC 9110 15.6.3: the lab reads 'no response' like an invalid one, as nginx, HAProxy "
            "and Caddy do"
        ),
        "connection_terminated",
    ),
    Condition.RESET: Outcome(
        502,
        Msg("the upstream reset the connection before sending a response"),
        Msg(
            "RFC 9110 15.6.3: the lab reads 'no response' like an invalid one, as nginx, HAProxy "
            "and Caddy do"
        ),
        "connection_terminated",
    ),
    Condition.HEADERS_CUT: Outcome(
        502,
        Msg("the upstream closed the connection in the middle of the response headers"),
        Msg("RFC 9110 15.6.3"),
        "http_response_incomplete",
    ),
    Condition.INVALID_STATUS_LINE: Outcome(
        502,
        Msg("the upstream's reply does not start with a valid HTTP status line"),
        Msg(
            "RFC 9110 15.6.3: a reply that does not start with a status line as RFC 9112 4 "
            "defines it is an invalid response"
        ),
        "http_protocol_error",
    ),
    Condition.INVALID_HEADER: Outcome(
        502,
        Msg("the upstream sent a header line that is not 'name: value'"),
        Msg(
            "RFC 9110 15.6.3: a field line that is not a name, a colon and a value, as RFC "
            "9112 5 defines it, makes the response invalid; whitespace between the name and "
            "the colon RFC 9112 5.1 has a proxy remove before forwarding, and this lab refuses "
            "that too by its own choice, as nginx and HAProxy do (Caddy drops the field)"
        ),
        "http_protocol_error",
    ),
    Condition.HEADER_TOO_BIG: Outcome(
        502,
        Msg("the upstream's response headers are larger than the gateway's buffer"),
        Msg(
            "RFC 9110 5.4 sets no limit on a header section, so such a head is not invalid: "
            "the limit is the gateway's own, and 502 is the status RFC 9209 2.3.19 recommends "
            "for it"
        ),
        "http_response_header_section_size",
    ),
    Condition.INVALID_CONTENT_LENGTH: Outcome(
        502,
        Msg("the upstream sent an invalid Content-Length, so the body's end cannot be found"),
        Msg(
            "RFC 9112 6.3, rule 5: a proxy that receives a response with an invalid "
            "Content-Length MUST close the connection to the server, discard the response and "
            "send 502, as HAProxy and Caddy do; nginx 1.22.1 relays it as a 200"
        ),
        "http_protocol_error",
    ),
    Condition.INVALID_FRAMING: Outcome(
        502,
        Msg("the upstream's Transfer-Encoding names a coding the gateway cannot decode"),
        Msg(
            "RFC 9112 6.3, rule 4, would read such a body until the close; the lab refuses it "
            "because the coding cannot be decoded, RFC 9112 6.1 and 7, as HAProxy and Caddy do; "
            "nginx 1.22.1 relays it as a 200"
        ),
        "http_response_transfer_coding",
    ),
    Condition.READ_TIMEOUT: Outcome(
        504,
        Msg("the upstream accepted the request but sent no response within the read timeout"),
        Msg("RFC 9110 15.6.5"),
        "http_response_timeout",
    ),
    Condition.NO_HEALTHY_UPSTREAM: Outcome(
        503,
        Msg("every upstream of the pool is marked unhealthy, so none was tried"),
        Msg(
            "RFC 9110 15.6.4 names overload or maintenance; reading 'no healthy upstream' as 503 "
            "is the lab's choice, observed in HAProxy and Caddy and in Envoy's documentation; nginx "
            "answers 502"
        ),
        "destination_unavailable",
    ),
    Condition.UNREACHABLE: Outcome(
        502,
        Msg(
            "the gateway could not reach the upstream's address: its connect() failed before "
            "anything at that address refused or accepted the connection"
        ),
        Msg(
            "RFC 9110 15.6.3 speaks of an invalid response; 502 is the status RFC 9209 2.3.6 "
            "recommends for destination_ip_unroutable, and nginx's and Caddy's answer; HAProxy "
            "answers 503"
        ),
        "destination_ip_unroutable",
    ),
    # A Route to a host name the resolver found no address for (a learner's: the lab's own
    # targets are addresses): no connect() was made. nginx (resolving at run time: a resolver
    # and a variable in proxy_pass) and Caddy answered 502 for a name under .invalid, HAProxy
    # 503 (observed 2026-12-06: personalities' DNS_ERROR rows)
    Condition.DNS_ERROR: Outcome(
        502,
        Msg(
            "the gateway found no address for the upstream's host name: the name did not "
            "resolve, so no connection was tried"
        ),
        Msg(
            "RFC 9209 2.3.2 recommends 502 for dns_error, a DNS error while finding an IP "
            "address for the next hop's host name"
        ),
        "dns_error",
    ),
    # A 101 Switching Protocols to a request that proposed no protocol (no Upgrade field):
    # RFC 9110 7.8, "A server MUST NOT switch to a protocol that was not indicated by the
    # client in the corresponding request's Upgrade header field". The lab's gateway never
    # passes a client's Upgrade on (proxy.py), so every 101 it meets is unasked.
    Condition.UNASKED_SWITCH: Outcome(
        502,
        Msg(
            "the upstream switched the connection to another protocol with 101 Switching "
            "Protocols, which the request had not asked for"
        ),
        Msg(
            "RFC 9110 7.8: a server MUST NOT switch to a protocol the request's Upgrade field "
            "did not name; the lab refuses such an answer as invalid, 15.6.3, as HAProxy does; "
            "nginx 1.22.1 relays the 101 and what follows it, Caddy 2.6.2 answers an empty 200"
        ),
        "http_protocol_error",
    ),
    Condition.BODY_CUT: Outcome(
        None,
        Msg(
            "the upstream broke off after the status line was relayed: the status cannot be "
            "changed any more, the gateway closes the connection and the client must treat the "
            "message as incomplete"
        ),
        Msg("RFC 9112 8"),
    ),
}


# A connect() that failed neither by a refusal nor by the gateway's timeout is the unreachable
# condition (its status, its page); the error type its Proxy-Status names is the errno's, from
# RFC 9209 2.3, with the page's RFC note for that type. nginx answers 502 for every failed
# connect() (ngx_event_connect_peer declines the peer whatever the errno; only its log level
# differs), Caddy 502 for every dial error, HAProxy 503 with SC--; so the status stays 502
# where RFC 9209 recommends 500 (2.3.30, 2.3.31; 2.1.1 allows another status "for backwards
# compatibility with previous behaviours").
UNREACHABLE_RFC: dict[str, Msg] = {
    "destination_ip_unroutable": RFC_TABLE[Condition.UNREACHABLE].rfc,
    "destination_ip_prohibited": Msg(
        "RFC 9110 15.6.3 speaks of an invalid response; 502 is the status RFC 9209 2.3.5 "
        "recommends for destination_ip_prohibited, and nginx's and Caddy's answer to a failed "
        "connect(); HAProxy answers 503"
    ),
    "proxy_internal_error": Msg(
        "RFC 9209 2.3.30 recommends 500 for proxy_internal_error, an error of the gateway's own; "
        "the lab answers 502, nginx's and Caddy's answer to a failed connect(); HAProxy answers "
        "503"
    ),
    "proxy_configuration_error": Msg(
        "RFC 9209 2.3.31 recommends 500 for proxy_configuration_error, an error in the gateway's "
        "configuration; the lab answers 502, nginx's and Caddy's answer to a failed connect(); "
        "HAProxy answers 503"
    ),
}
CONNECT_ERRORS: dict[int, str] = {
    # no route from here (2.3.6): the routing table has none (ENETUNREACH, at once), a router
    # said so (ICMP unreachable: EHOSTUNREACH), no neighbour answered (EHOSTUNREACH, EHOSTDOWN)
    errno.ENETUNREACH: "destination_ip_unroutable",
    errno.ENETDOWN: "destination_ip_unroutable",
    errno.EHOSTUNREACH: "destination_ip_unroutable",
    errno.EHOSTDOWN: "destination_ip_unroutable",
    # a firewall on the gateway's machine refused to send the SYN (an OUTPUT rule's DROP is
    # EPERM on Linux; an LSM or a cgroup hook, EACCES or EPERM): 2.3.5, "configured to
    # prohibit connections to the next hop IP address"
    errno.EPERM: "destination_ip_prohibited",
    errno.EACCES: "destination_ip_prohibited",
    # no local address or port to connect from (every ephemeral port in use toward that
    # address, a source address that is not the machine's): nothing about the next hop
    errno.EADDRNOTAVAIL: "proxy_internal_error",
    # an address connect() cannot use as given (an IPv6 link-local one without its interface)
    errno.EINVAL: "proxy_configuration_error",
}


def connect_error(number: int | None) -> str:
    """The RFC 9209 error type of a connect() that failed with errno ``number`` (neither
    refused nor timed out by the gateway): CONNECT_ERRORS, else proxy_internal_error, RFC
    9209 2.1's generic type for an error the registry names no better."""
    if number is None:
        return "proxy_internal_error"
    return CONNECT_ERRORS.get(number, "proxy_internal_error")
