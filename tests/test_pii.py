"""PII masking (issue 24, item 4): ``pii/email``, ``pii/ip`` (public IPv4 and
IPv6) and, opt-in, ``pii/phone`` replace each match with a placeholder; the run,
its records and its messages say what was masked by kind and count, never the
value. The end-to-end test runs ``cleaner run --pack pii`` and ``cleaner
explain`` in a subprocess and looks for every input address in every file of OUT
(decompressed) and on stdout and stderr: zero leaks."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import zstandard

from cleaner import Pipeline
from cleaner.loading.pack import load_pack
from cleaner.rules.pii import mask_emails, mask_ips, mask_phones

ADDRESSES = [
    "jane.doe@mail-host.de", "press.office@city-council.co.uk", "tips@newsroom.io", "desk@newsroom.io",
    "ops@letters-desk.org", "81.2.69.160", "8.8.4.4", "151.101.1.69", "2a00:1450:4001:82b::200e",
    "+44 20 7946 1234", "(212) 736-5000",
]

TEXT = """Local council approves new budget

The council approved the new budget on Tuesday after a long debate about school funding.  Questions can be sent to jane.doe@mail-host.de   or to the clerk.
The server at 81.2.69.160 logged the vote, and the backup at 2a00:1450:4001:82b::200e kept a copy.
Call +44 20 7946 1234 or (212) 736-5000 for the minutes.

Contact: press.office@city-council.co.uk
"""

HTML = """<html lang="en"><head><title>Letters from readers</title>
<meta name="author" content="ops@letters-desk.org"><link rel="canonical" href="http://151.101.1.69/letters"></head>
<body><article><h1>Letters from readers</h1>
<p>Our editors answer every letter within a week, and they read all of them carefully before replying.</p>
<p>Write to jane.doe@mail-host.de or visit 151.101.1.69 for the archive of all our published letters.</p>
</article></body></html>
"""

RECORD = {"text": "Readers wrote to tips@newsroom.io about the outage at 8.8.4.4.\nThe report was filed on Monday by the desk.",
          "url": "http://81.2.69.160/report", "contact": "desk@newsroom.io"}


def test_each_rule_masks_and_says_kind_and_count_never_the_value():
    assert mask_emails.fn("a jane.doe@mail-host.de b x@y.io") == ("a email@example.com b email@example.com",
                                                                   "2 email addresses")
    assert mask_ips.fn("from 8.8.4.4 and 2a00:1450:4001:82b::200e") == ("from 192.0.2.1 and 2001:db8::1",
                                                                         "1 IPv4 address and 1 IPv6 address")
    assert mask_phones.fn("call +44 20 7946 1234") == ("call +1-555-0100", "1 telephone number")
    assert mask_emails.fn("x@example.org", replacement="[EMAIL]") == "x@example.org"
    assert mask_emails.fn("x@mail.io", replacement="[EMAIL]") == ("[EMAIL]", "1 email address")
    assert mask_emails("write to x@mail.io") == "write to email@example.com"  # a rule called on its own gives text


def test_a_line_removed_before_its_hidden_address_was_masked_is_recorded_masked():
    # the zero-width space hides the address from pii/email until unicode/remove-zero-width
    # joins it, and in that same pass c4/lines removes the line and records its text
    body = "The minister signed the agreement in Moscow on Friday, officials said after the meeting.\n"
    outcome = load_pack(["pii", "c4"]).clean(body + "Contact jane\u200b@gmail.com\n" + body, trace=True)
    removed = [step for step in outcome.steps if step.action == "removed"]
    assert removed and all("gmail.com" not in (step.text or "") for step in removed)
    assert all("jane@gmail.com" not in (step.after or "") for step in outcome.steps)


def test_an_address_beside_a_long_run_of_local_part_characters_is_masked_and_the_run_kept():
    # a base64 blob is all characters an address's local part may hold: the pattern must
    # not try every boundary in it to the run's end (64 KB took 55 s), nor take a part of it
    blob = "QUJD+/=" * 4000 + "-a" * 2000
    masked, said = mask_emails.fn(f"Contact someone@gmail.com. Image: {blob}@ end")
    assert masked == f"Contact email@example.com. Image: {blob}@ end" and said == "1 email address"


@pytest.mark.parametrize("text", [
    "Reach 10.0.0.1, 127.0.0.1, 169.254.0.1, 192.0.2.44, 198.51.100.2, 203.0.113.9, fe80::1, ::1, 2001:db8::7.",
    "Python version 3.11.7.1 and v8.8.8.8 are versions; 1.2.3.4.5 is a section; at 10:30:00 the std::vector grew.",
    "Mail to someone@example.com, a@b.test or root@localhost.",
])
def test_what_is_not_personal_stays(text):
    assert Pipeline(load_pack(["pii"], enable=["pii/phone"]).rules[:3]).clean(text).text == text


def test_a_masked_change_is_never_traced():
    outcome = load_pack(["pii"]).clean(TEXT, trace=True)
    masked = [s for s in outcome.steps if s.rule.startswith("pii/")]
    assert [(s.action, s.why) for s in masked] == [("masked", "2 email addresses"), ("masked", "1 IPv4 address and 1 IPv6 address")]
    assert all(s.before is None and s.after is None for s in masked)
    assert "jane.doe" not in json.dumps([s.to_dict() for s in outcome.steps])


def test_the_pii_pack_masks_first_and_masking_masked_text_changes_nothing():
    pipeline = load_pack(["pii"], enable=["pii/phone"])
    assert [r.id for r in pipeline.rules[:3]] == ["pii/email", "pii/ip", "pii/phone"]
    once = pipeline.clean(TEXT).text
    assert all(a not in once for a in ADDRESSES)
    again = pipeline.clean(once)
    assert again.text == once and not [s for s in again.steps if s.rule.startswith("pii/")]


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        return gzip.decompress(data)
    if path.name.endswith(".zst"):
        return zstandard.ZstdDecompressor().stream_reader(data).read()
    return data


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from cleaner.cli import main; main()", *args],
                          capture_output=True, text=True, env=dict(os.environ), timeout=300)


def test_no_input_address_reaches_out_stdout_or_stderr(tmp_path):
    src = tmp_path / "in"
    (src / "site").mkdir(parents=True)
    (src / "a.txt").write_text(TEXT, encoding="utf-8")
    (src / "site" / "letters.html").write_text(HTML, encoding="utf-8")
    (src / "b.jsonl").write_text(json.dumps(RECORD) + "\n", encoding="utf-8")
    phones = tmp_path / "phones.toml"
    phones.write_text('[pack]\nadd = ["pii/phone"]\n', encoding="utf-8")
    said = []
    for n, extra in enumerate([[], ["--compress", "zst", "--provenance-compress", "gz", "--pack", "corpus", "-v"]]):
        out = tmp_path / f"out{n}"
        done = _cli("run", str(src), str(out), "--pack", "pii", "--pack", str(phones), "--jobs", "1", *extra)
        assert done.returncode == 0, done.stderr
        said += [done.stdout, done.stderr]
        files = [p for p in out.rglob("*") if p.is_file()]
        assert any(p.name.startswith("provenance") for p in files)
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["rules"]["pii/email"] == 3 and manifest["rules"]["pii/phone"] == 1
        for path in files:
            content = _read(path)
            for address in ADDRESSES:
                assert address.encode() not in content, f"{address} in {path.relative_to(out)}"
    for name in ("a.txt", "site/letters.html", "b.jsonl"):
        for extra in ([], ["--json"], ["-v"], ["--corpus", str(tmp_path / "out0")]):
            done = _cli("explain", str(src / name), "--pack", "pii", "--pack", str(phones), *extra)
            assert done.returncode == 0, done.stderr
            said += [done.stdout, done.stderr]
    done = _cli("clean", str(src / "a.txt"), "--pack", "pii", "--pack", str(phones), "-v")
    assert done.returncode == 0, done.stderr
    said += [done.stdout, done.stderr]
    assert "masked pii/email: " in done.stderr + done.stdout
    assert "masked 2 email addresses" in "".join(said)
    for text in said:
        for address in ADDRESSES:
            assert address not in text


def test_a_pii_rule_enabled_alone_goes_first():
    assert [r.id for r in load_pack(enable=["pii/phone"]).rules[:2]] == ["pii/phone", "unicode/strip-bom"]
    assert [r.id for r in load_pack(enable=["pii/email"]).rules[:2]] == ["pii/email", "unicode/strip-bom"]
