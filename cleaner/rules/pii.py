"""Personal data masking: ``pii/email``, ``pii/ip`` (public IPv4 and IPv6) and,
opt-in, ``pii/phone``. Each match is replaced by a placeholder (an option), as
datatrove's PIIFormatter does.

These rules are ``private``: their changes are recorded by kind and count ("2
email addresses"), never by text — not in provenance, the manifest, ``explain``'s
diffs or any message. The ``pii`` pack (rules/pii.toml) puts them first in the
order, before any rule that records text (a removed line keeps its text in
provenance), so that no address reaches a record.

Addresses meant for examples are not personal and stay: the domains reserved for
documentation (``example.com``, ``.org``, ``.net``; ``.example``, ``.test``,
``.invalid``, ``.localhost``: RFC 2606), the documentation IP ranges (192.0.2.0/24,
198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32) and every other address that is
not global (private, loopback, link-local: Python's ``ipaddress.is_global``), and
the fictional telephone numbers 555-0100 to 555-0199. The default placeholders
are such addresses, so masking masked text changes nothing.
"""

from __future__ import annotations

import ipaddress
import re

from cleaner.core.rule import Example, rule

#: datatrove's e-mail pattern (PIIFormatter), which follows RFC 5322's dot-atoms, with
#: a look-ahead that the local part is at most 64 characters before its "@" (RFC 5321's
#: limit): without it, each word boundary inside a long run of the local part's
#: characters (a base64 blob, "a-a-a-…") scanned to the run's end, quadratic in its length
#: (64 KB: 55 s). A local part longer than 64 characters is not an address and is left alone.
EMAIL = re.compile(
    r"\b(?=[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:(?:[A-Za-z0-9](?:["
    r"A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?|\[(?:(?:25[0-5]|2[0-4][0-9]|["
    r"01]?[0-9][0-9]?)\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?|[A-Za-z0-9-]*[A-Za-z0-9]:)])"
)
RESERVED_DOMAINS = ("example.com", "example.org", "example.net")
RESERVED_TLDS = ("example", "test", "invalid", "localhost")

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
#: Four octets, not inside a longer dotted number (a version "1.2.3.4.5") or a word.
IPV4 = re.compile(rf"(?<![\w.]){_OCTET}(?:\.{_OCTET}){{3}}(?![\w]|\.\d)")
#: Candidates for IPv6: hex groups with two colons or more; ipaddress decides.
IPV6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|:)?(?![\w:])")
#: "version 1.2.3.4", "v1.2.3.4": a version, not an address.
_VERSION = re.compile(r"(?:\bv|\bversion\s*|\bver\.?\s*)$", re.IGNORECASE)

#: International numbers (+ and country code) and North American ones with separators.
PHONE = re.compile(
    r"(?<![\w+\-./])(?:\+[1-9]\d{0,2}[ .\-]?(?:\(\d{1,4}\)[ .\-]?)?\d{1,4}(?:[ .\-]?\d{2,4}){1,4}"
    r"|\(\d{3}\)[ .\-]?\d{3}[ .\-]\d{4}|\d{3}([.\-])\d{3}\1\d{4})(?![\w\-/]|\.\d)"
)
_FICTIONAL = re.compile(r"555\D?01\d\d$")


def _plural(n: int, kind: str) -> str:
    return f"{n} {kind}" + ("" if n == 1 else "es" if kind.endswith("ss") else "s")


def _email_is_public(address: str) -> bool:
    domain = address.rsplit("@", 1)[1].lower()
    if domain.startswith("["):
        return True
    return not (domain in RESERVED_DOMAINS or domain.endswith(tuple("." + d for d in RESERVED_DOMAINS))
                or domain.rsplit(".", 1)[-1] in RESERVED_TLDS)


def _ip_is_public(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_global
    except ValueError:
        return False


@rule(
    "pii/email",
    "Replace e-mail addresses with a placeholder (recorded by count, never by value)",
    examples=[
        Example("Write to jane.doe@mail-host.de for details.\n", "Write to email@example.com for details.\n"),
        Example("Contact: support@example.com or admin@intranet.test\n", note="addresses reserved for examples stay"),
        Example("Follow @jane_doe on the platform; price 3@5 EUR.\n", note="a handle is not an address"),
    ],
    can_change=lambda text: "@" in text,
    private=True,
)
def mask_emails(text: str, *, replacement: str = "email@example.com") -> str | tuple[str, str]:
    """Replace every e-mail address with ``replacement`` (datatrove's default,
    ``email@example.com``), and say how many ("2 email addresses"), never which.
    The pattern is datatrove's PIIFormatter pattern.

    Leaves alone addresses at the domains reserved for examples (example.com,
    example.org, example.net and the .example, .test, .invalid and .localhost
    names), the placeholder among them, and @-handles without a domain."""
    count = 0

    def swap(match: re.Match[str]) -> str:
        nonlocal count
        if match.group(0) == replacement or not _email_is_public(match.group(0)):
            return match.group(0)
        count += 1
        return replacement

    new = EMAIL.sub(swap, text)
    return (new, _plural(count, "email address")) if count else text


@rule(
    "pii/ip",
    "Replace public IPv4 and IPv6 addresses with a placeholder (recorded by count, never by value)",
    examples=[
        Example("The attack came from 81.2.69.160 and 2a00:1450:4001:82b::200e.\n",
                "The attack came from 192.0.2.1 and 2001:db8::1.\n"),
        Example("The router answers on 192.168.1.1 and ::1; the docs use 203.0.113.7.\n",
                note="private, loopback and documentation addresses stay"),
        Example("Install version 2.4.1.10 (or v1.2.3.4); see section 10.2.3 at 12:30:45.\n",
                note="versions, section numbers and times are not addresses"),
    ],
    can_change=lambda text: "." in text or ":" in text,
    private=True,
)
def mask_ips(text: str, *, replacement: str = "192.0.2.1", replacement_v6: str = "2001:db8::1") -> str | tuple[str, str]:
    """Replace every public IP address (``ipaddress``'s ``is_global``) with a
    placeholder from the documentation ranges (``192.0.2.1``, ``2001:db8::1``),
    and say how many of each version, never which. datatrove's PIIFormatter
    masks public IPv4 addresses only; IPv6 addresses are personal data too.

    Leaves alone addresses that are not global (private networks, loopback,
    link-local, the documentation ranges), a dotted number inside a longer one
    or after "version"/"v" (a version), and colon-separated numbers that are not
    IPv6 addresses (times)."""
    counts = {4: 0, 6: 0}

    def swap4(match: re.Match[str]) -> str:
        found = match.group(0)
        if not _ip_is_public(found) or _VERSION.search(text, max(0, match.start() - 10), match.start()):
            return found
        counts[4] += 1
        return replacement

    def swap6(match: re.Match[str]) -> str:
        found = match.group(0)
        if found.count(":") < 2 or not _ip_is_public(found):
            return found
        counts[6] += 1
        return replacement_v6

    new = IPV4.sub(swap4, text)
    if ":" in new:
        new = IPV6.sub(swap6, new)
    if not counts[4] and not counts[6]:
        return text
    said = [_plural(n, f"IPv{v} address") for v, n in counts.items() if n]
    return new, " and ".join(said)


@rule(
    "pii/phone",
    "Replace telephone numbers with a placeholder (opt-in; recorded by count, never by value)",
    examples=[
        Example("Call +44 20 7946 1234 or (212) 736-5000 today.\n", "Call +1-555-0100 or +1-555-0100 today.\n"),
        Example("Order 2019-05-12, ISBN 978-3-16-148410-0, 12.05.2020, 1,234,567 copies.\n",
                note="dates, ISBNs and counts are not telephone numbers"),
        Example("Call 555-0142 or +1-555-0100 (fictional numbers).\n", note="fictional numbers stay"),
    ],
    can_change=lambda text: any(c.isdigit() for c in text),
    after="pii/ip",
    private=True,
)
def mask_phones(text: str, *, replacement: str = "+1-555-0100") -> str | tuple[str, str]:
    """Replace telephone numbers with ``replacement`` (a fictional number) and
    say how many, never which: international numbers (``+`` and a country code,
    8 to 15 digits) and North American ones with separators (``(212) 736-5000``,
    ``212-736-5000``, ``212.736.5000``).

    Opt-in (``--enable pii/phone``, or the pii pack with ``add``): a number is
    only a telephone number by its shape, and local formats differ by country, so
    this leaves alone what it cannot tell: numbers without a ``+`` or a North
    American shape, dates, ISBNs, counts, and the fictional 555-0100 to 555-0199."""
    count = 0

    def swap(match: re.Match[str]) -> str:
        nonlocal count
        found = match.group(0)
        digits = sum(c.isdigit() for c in found)
        if found == replacement or not 8 <= digits <= 15 or _FICTIONAL.search(found):
            return found
        count += 1
        return replacement

    new = PHONE.sub(swap, text)
    return (new, _plural(count, "telephone number")) if count else text
