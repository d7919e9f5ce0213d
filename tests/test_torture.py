"""The torture corpus: every kind of bad input the reliability issue lists, through
the real command line, in worker processes. The run must finish in bounded time,
exit 1, account for every document with the expected status and reason, and write
nothing outside OUT (which lies inside IN here, so it must not read itself either).

Small cases live in ``tests/torture/corpus/``; the huge ones (a 100 MB line, HTML
nested 100 000 deep, a page that keeps trafilatura busy) and the ones git cannot
hold portably (names with a newline or invalid UTF-8, symlink loops, an unreadable
file) are made here, in ``tmp_path``. ``tests/torture/README.md`` lists them all.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

TORTURE = Path(__file__).resolve().parent / "torture"
BODY = "The minister signed the agreement in Moscow on Friday, officials said after the talks.\n"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

#: id → (status, words the reason must contain, the encoding recorded, or None to skip).
EXPECTED: dict[str, tuple[str, str | None, str | None]] = {
    "ok.txt": ("ok", None, "utf-8"),
    "binary.png.txt": ("failed", "binary file", None),
    "binary-no-nul.txt": ("failed", "binary file", None),
    "invalid-utf8.txt": ("ok", None, "utf-8"),
    "utf16-bom.txt": ("ok", None, "utf-16"),
    "utf16-no-bom.txt": ("ok", None, "utf-16-le"),
    "cp1252.txt": ("ok", None, "cp1252"),
    "latin1.txt": ("ok", None, "cp1252"),
    "empty.txt": ("dropped", "empty input", None),
    "whitespace-only.txt": ("dropped", "empty input", None),
    "name with spaces.txt": ("ok", None, None),
    "collide.html": ("ok", None, None),
    "collide.txt": ("ok", None, None),
    "catastrophic.txt": ("failed", "rule residue/torture-backtracking failed: PatternTimeout", None),
    "record-ok": ("ok", None, None),
    "records.jsonl:2": ("failed", "not valid JSON", None),
    "record-without-text": ("failed", "records.jsonl line 3: record has no field 'text'", None),
    "record-number-text": ("failed", "records.jsonl line 4: record has a non-string (int) field 'text'", None),
    "records.jsonl:5": ("failed", "a record must be a JSON object", None),
    "../../escape": ("ok", None, None),
    "/abs/path\x00nul": ("ok", None, None),
    "record-lone-surrogate": ("ok", None, None),
    "record-residue-only": ("dropped", "no text left after cleaning", None),
    "records.jsonl:10": ("failed", "not valid JSON: 'utf-8' codec can't decode", None),
    "records.jsonl:11": ("failed", "JSON nested too deeply to read", None),
    **{f"gz-{n}": ("ok", None, None) for n in range(11)},
    "truncated.jsonl.gz:12": ("failed", "cannot read file further: CorruptInputError: gzip data is truncated", None),
    # made at test time
    "huge-line.txt": ("failed", "a line of 100,000,000 characters", None),
    "deep.html": ("dropped", "trafilatura found no main text", None),
    "slow.html": ("failed", "HTML extraction took longer than 2s", None),
    "new\nline.txt": ("ok", None, None),
    "bad-\\xff-name.txt": ("ok", None, None),
    "loop-a.txt": ("failed", "cannot read file: Too many levels of symbolic links", None),
    "loop-b.txt": ("failed", "cannot read file: Too many levels of symbolic links", None),
    "dangling.txt": ("failed", "cannot read file: No such file or directory", None),
    "unreadable.txt": ("ok", None, None) if IS_ROOT else ("failed", "cannot read file: Permission denied", None),
}

#: Where the documents that were written must land (relative to OUT).
OUTPUTS = {
    "collide.html": "collide.txt",
    "collide.txt": "collide.txt.txt",
    "new\nline.txt": "new\\x0aline.txt",
    "bad-\\xff-name.txt": "bad-\\xff-name.txt",
    "name with spaces.txt": "name with spaces.txt",
    "../../escape": "records.jsonl",
    "/abs/path\x00nul": "records.jsonl",
}


def build(src: Path) -> None:
    """The torture corpus in ``src``: the committed files plus the generated ones."""
    shutil.copytree(TORTURE / "corpus", src)
    with (src / "huge-line.txt").open("wb") as handle:  # one line of 100 MB
        chunk = b"word " * 200_000
        for _ in range(100):
            handle.write(chunk)
    paragraph = f"<p>{BODY.strip()}</p>"
    (src / "deep.html").write_text(
        "<html><body>" + "<div>" * 100_000 + paragraph + "</div>" * 100_000 + "</body></html>", encoding="utf-8"
    )
    (src / "slow.html").write_text(  # about 9 s of trafilatura on a 2020s core
        "<html><body><article>" + "<div><p>filler words here</p></div>" * 25_000 + "</article></body></html>",
        encoding="utf-8",
    )
    (src / "new\nline.txt").write_text(BODY, encoding="utf-8")
    with open(os.path.join(os.fsencode(src), b"bad-\xff-name.txt"), "wb") as handle:
        handle.write(BODY.encode())
    os.symlink("loop-b.txt", src / "loop-a.txt")
    os.symlink("loop-a.txt", src / "loop-b.txt")
    os.symlink("no-such-file.txt", src / "dangling.txt")
    os.symlink(".", src / "loop-dir")  # a folder that contains itself: not followed
    (src / "unreadable.txt").write_text(BODY, encoding="utf-8")
    os.chmod(src / "unreadable.txt", 0)


def tree(root: Path, skip: Path) -> dict[bytes, tuple[int, int, int]]:
    """Every path under ``root`` but ``skip``, with mode, size and mtime (symlinks not
    followed). A folder's size and mtime change when an entry is added, which the paths
    themselves show; OUT's own entry in IN is such a change, so folders keep only their mode."""
    found = {}
    for folder, dirs, files in os.walk(os.fsencode(root)):
        dirs[:] = [d for d in dirs if os.path.join(folder, d) != os.fsencode(skip)]
        for name in dirs + files:
            path = os.path.join(folder, name)
            st = os.lstat(path)
            is_dir = stat.S_ISDIR(st.st_mode)
            found[path] = (st.st_mode, 0 if is_dir else st.st_size, 0 if is_dir else st.st_mtime_ns)
    return found


def run_cli(src: Path, out: Path) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", "from cleaner.cli import main; main()", "run", str(src), str(out),
         "--pack", str(TORTURE / "evil.toml"), "--jobs", "2", "--html-timeout", "2", "--quiet"],
        capture_output=True, text=True, timeout=300,
    )
    return done, time.monotonic() - started


@pytest.fixture(scope="module")
def torture_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("torture")
    src = base / "in"
    build(src)
    out = src / "out"  # OUT inside IN: must not be read as input, now or on a rerun
    (base / "beside.txt").write_text("a file beside IN that nothing may touch\n", encoding="utf-8")
    before = tree(base, out)
    done, seconds = run_cli(src, out)
    yield base, src, out, done, seconds, before
    os.chmod(src / "unreadable.txt", 0o644)


def test_the_run_finishes_in_bounded_time_and_exits_1(torture_run):
    _, _, _, done, seconds, _ = torture_run
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert seconds < 120


def test_every_document_has_its_expected_status_and_reason(torture_run):
    _, _, out, _, _, _ = torture_run
    records = [json.loads(line) for line in (out / "provenance.jsonl").read_text(encoding="utf-8").splitlines()]
    got = {r["id"]: r for r in records}
    assert len(got) == len(records), "every document once"
    assert sorted(got) == sorted(EXPECTED)
    for doc_id, (status, reason, encoding) in EXPECTED.items():
        record = got[doc_id]
        assert record["status"] == status, (doc_id, record["reason"])
        if reason:
            assert reason in record["reason"], (doc_id, record["reason"])
        else:
            assert record["reason"] is None, doc_id
        path = record["source"]["path"]
        if doc_id == path or doc_id.startswith(path + ":"):  # the id says where: the reason does not again
            assert path not in (record["reason"] or ""), (doc_id, record["reason"])
        if encoding:
            assert record["source"]["encoding"] == encoding, doc_id
        assert (record["output"] is not None) == (status == "ok"), doc_id
    # the label is a codec's name; what was replaced is said beside it
    assert got["invalid-utf8.txt"]["source"]["encoding_note"] == "1 invalid byte sequence replaced"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    counts = {s: sum(1 for v in EXPECTED.values() if v[0] == s) for s in ("ok", "dropped", "failed")}
    assert manifest["counts"] == {"documents": len(EXPECTED), **counts}
    # the folder link is not followed, and said so; OUT inside IN is left out without a word
    assert manifest["skipped"] == {"count": 1, "files": ["loop-dir/"],
                                   "reasons": {"loop-dir/": "a symbolic link to a folder, not followed"}}


def test_outputs_stay_inside_out_and_collisions_both_survive(torture_run):
    base, src, out, _, _, before = torture_run
    records = {json.loads(x)["id"]: json.loads(x) for x in (out / "provenance.jsonl").read_text().splitlines()}
    for doc_id, path in OUTPUTS.items():
        assert records[doc_id]["output"]["path"] == path
    written = [p for p in out.rglob("*") if p.is_file()]
    for p in written:
        p.relative_to(out)  # inside OUT
        p.name.encode("utf-8")  # and a valid name
        assert "\n" not in p.name
    assert (out / "collide.txt").read_text() != (out / "collide.txt.txt").read_text()
    assert tree(base, out) == before, "nothing outside OUT was created, changed or removed"


def test_a_rerun_does_not_read_its_own_output(torture_run):
    base, src, out, _, _, before = torture_run
    provenance = (out / "provenance.jsonl").read_bytes()
    done, _ = run_cli(src, out)
    assert done.returncode == 1, done.stderr  # the same run, already complete
    assert (out / "provenance.jsonl").read_bytes() == provenance
    assert tree(base, out) == before


def test_the_readme_lists_every_case():
    readme = (TORTURE / "README.md").read_text(encoding="utf-8")
    committed = sorted(p.name for p in (TORTURE / "corpus").iterdir())
    generated = ["huge-line.txt", "deep.html", "slow.html", "new\\nline.txt", "bad-\\xff-name.txt",
                 "loop-a.txt", "dangling.txt", "loop-dir", "unreadable.txt"]
    for name in committed + generated:
        assert f"`{name}`" in readme, name
