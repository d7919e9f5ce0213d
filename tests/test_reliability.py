"""Reliability: a worker killed by the OS, a pattern that backtracks forever, and
other failures of one document never stop a run or lose the other documents."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cleaner import load_pack
from cleaner.running.plan import SMALL_INPUT
from cleaner.running.run import WORKER_DIED, RunOptions, run_corpus

BODY = "The minister signed the agreement in Moscow on Friday, officials said after the talks.\n"

KILLER_PLUGIN = '''
import os
import signal

from cleaner import Example, rule


@rule("plugin/die-on-marker", "Remove zzz; kill this process on the marker (test only)",
      examples=[Example("a zzz", "a "), Example("a")])
def die_on_marker(text: str) -> str:
    """Simulates the OS killing a worker (out of memory) on one document."""
    if "KILL-THE-WORKER" in text:
        os.kill(os.getpid(), signal.SIGKILL)
    return text.replace("zzz", "")
'''


def provenance(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "provenance.jsonl").read_text(encoding="utf-8").splitlines()]


def install_plugin(site: Path) -> None:
    """A plug-in package visible through PYTHONPATH, so forkserver workers find it too."""
    site.mkdir()
    (site / "killer_plugin.py").write_text(KILLER_PLUGIN, encoding="utf-8")
    info = site / "killer_plugin-0.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: killer-plugin\nVersion: 0.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[cleaner.rules]\nkiller = killer_plugin\n", encoding="utf-8")


@pytest.mark.parametrize("small_input", [SMALL_INPUT, 0], ids=["forked-from-main", "forked-by-forkserver"])
def test_a_worker_killed_by_the_os_fails_its_document_and_the_run_goes_on(tmp_path, small_input):
    """Either way workers start (a small input's from the main process, a larger
    one's from the forkserver), a document that kills its worker fails alone."""
    install_plugin(tmp_path / "site")
    pack = tmp_path / "killer.toml"
    pack.write_text('[pack]\nname = "killer"\nsteps = ["plugin/die-on-marker", "whitespace/*"]\n', encoding="utf-8")
    src = tmp_path / "in"
    src.mkdir()
    records = [{"id": f"r{n}", "text": BODY + ("KILL-THE-WORKER\n" if n == 3 else "")} for n in range(6)]
    (src / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    for n in range(3):
        (src / f"t{n}.txt").write_text(BODY, encoding="utf-8")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    done = subprocess.run(
        [sys.executable, "-c", f"import cleaner.running.plan; cleaner.running.plan.SMALL_INPUT = {small_input}; "
         "from cleaner.cli import main; main()", "run", str(src), str(out), "--pack", str(pack), "--jobs", "2", "--quiet"],
        capture_output=True, text=True, env=env, timeout=180,
    )
    assert done.returncode == 1, done.stderr
    status = {r["id"]: (r["status"], r["reason"]) for r in provenance(out)}
    assert status.pop("r3") == ("failed", WORKER_DIED)
    assert set(status) == {"r0", "r1", "r2", "r4", "r5", "t0.txt", "t1.txt", "t2.txt"}
    assert all(s == ("ok", None) for s in status.values()), status
    assert [json.loads(x)["id"] for x in (out / "a.jsonl").read_text().splitlines()] == ["r0", "r1", "r2", "r4", "r5"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"] == {"documents": 9, "ok": 8, "dropped": 0, "failed": 1}


EVIL_PACK = '''
[[rule]]
id = "residue/test-backtracking"
summary = "A pattern that backtracks catastrophically on a long run of a's"
where = "anywhere"
pattern = "(a|a)+b"
examples = [
  { input = "The minister signed the agreement in Moscow on Friday, officials said.\\n\\naab\\n", output = "The minister signed the agreement in Moscow on Friday, officials said.\\n\\n" },
  { input = "The minister signed the agreement in Moscow on Friday, officials said.\\n" },
]
'''


def test_a_catastrophic_pattern_fails_the_document_naming_the_rule(tmp_path):
    pack = tmp_path / "evil.toml"
    pack.write_text(EVIL_PACK, encoding="utf-8")
    src = tmp_path / "in"
    src.mkdir()
    (src / "evil.txt").write_text(BODY + "\n" + "a" * 30 + "!\n", encoding="utf-8")
    (src / "fine.txt").write_text(BODY + "\naab\n", encoding="utf-8")
    report = run_corpus(src, tmp_path / "out", load_pack([pack]), RunOptions(jobs=1))
    assert report.exit_code == 1
    status = {r["id"]: r for r in provenance(tmp_path / "out")}
    evil = status["evil.txt"]
    assert evil["status"] == "failed"
    assert evil["reason"].startswith("rule residue/test-backtracking failed: PatternTimeout")
    assert "catastrophic backtracking" in evil["reason"]
    assert status["fine.txt"]["status"] == "ok"
    assert (tmp_path / "out" / "fine.txt").read_text() == BODY


WESTERN = "Café owners in Zürich said the naïve façade of the régime would not last, officials said.\n"


@pytest.mark.parametrize(
    "data,encoding,text",
    [
        (WESTERN.encode("latin-1"), "cp1252", WESTERN),
        (("“Quoted” – 5 € " + WESTERN).encode("cp1252"), "cp1252", "“Quoted” – 5 € " + WESTERN),
        ("Zażółć gęślą jaźń, powiedział minister po rozmowach.\n".encode("cp1250"), "cp1250", None),
        (WESTERN.encode("utf-16-le"), "utf-16-le", WESTERN),
        (WESTERN.encode()[:20] + b"\xff" + WESTERN.encode()[20:], "utf-8", None),
    ],
    ids=["latin-1", "cp1252", "cp1250", "utf-16-no-bom", "utf-8-with-a-bad-byte"],
)
def test_legacy_and_damaged_encodings_decode_to_the_right_text(data, encoding, text):
    from cleaner.io.decode import decode_text

    got, used, note = decode_text(data)
    assert used == encoding
    if text is not None:
        assert got == text
    if "\ufffd" in got:
        assert note == "1 invalid byte sequence replaced"
        assert got.replace("\ufffd", "") == WESTERN


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="running as root: chmod 000 does not stop root reading")
def test_an_unreadable_file_fails_with_the_reason(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "locked.txt").write_text(BODY, encoding="utf-8")
    (src / "open.txt").write_text(BODY, encoding="utf-8")
    os.chmod(src / "locked.txt", 0)
    try:
        report = run_corpus(src, tmp_path / "out", load_pack(), RunOptions(jobs=1))
    finally:
        os.chmod(src / "locked.txt", 0o644)
    status = {r["id"]: (r["status"], r["reason"]) for r in provenance(tmp_path / "out")}
    assert status == {"locked.txt": ("failed", "cannot read file: Permission denied"), "open.txt": ("ok", None)}
    assert report.exit_code == 1


# --- SIGTERM (Slurm, Kubernetes, kill) is handled as Ctrl-C is (issue 21, item 12) ---


@pytest.mark.parametrize(
    "whole_group, small_input",
    [(True, 0), (False, SMALL_INPUT)],
    ids=["group-forkserver-workers", "main-only-forked-workers"],
)
def test_sigterm_says_what_was_kept_exits_143_leaves_no_temporary_files_and_resumes(tmp_path, whole_group, small_input):
    """Slurm's scancel sends SIGTERM to every process of the job (the workers too),
    Kubernetes to the main process only: either way the run stops as on Ctrl-C,
    with its message and exit 143, no temporary files in OUT, no semaphores leaked,
    no worker left, and the same command resumes to the bytes of a run never stopped."""
    from test_run_scale import alive, descendants, make_corpus, snapshot, wait_for_units

    src = make_corpus(tmp_path / "in", records=4000, texts=30)
    uninterrupted = tmp_path / "clean"
    run_corpus(src, uninterrupted, load_pack(), RunOptions(jobs=1))
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-c", f"import cleaner.running.plan; cleaner.running.plan.SMALL_INPUT = {small_input}; "
         "from cleaner.cli import main; main()", "run", str(src), str(out), "--jobs", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    wait_for_units(proc, out)
    family = descendants(proc.pid)
    if whole_group:
        os.killpg(proc.pid, signal.SIGTERM)
    else:
        proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 143, stderr
    found = re.search(r"^terminated \(SIGTERM\): (\d+) units? \([\d,]+ documents?, \d+% of the input\) kept in (\S+); "
                      r"run the same command to resume$", stderr, re.M)
    assert found and found.group(2) == str(out), stderr
    assert "Traceback" not in stderr and "leaked" not in stderr, stderr
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert not (out / "provenance.jsonl").exists()
    deadline = time.monotonic() + 30
    while alive(family) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(family), "the run's workers outlived it"
    kept = len(list((out / ".cleaner" / "parts").glob("*.prov.jsonl")))
    # the message never claims more than OUT holds; it may claim less: a unit whose part was
    # written as the signal came is on disk and resumed, though the message did not count it
    # (seen in CI: parts on disk 2, message 1)
    assert kept >= int(found.group(1)) >= 1
    resumed = run_corpus(src, out, load_pack(), RunOptions(jobs=2))
    assert resumed.resumed_units == kept
    assert snapshot(out) == snapshot(uninterrupted)


def test_sigterm_is_a_keyboard_interrupt_once_and_the_handler_is_put_back():
    from cleaner.running.parallel import Terminated, sigterm_interrupts

    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(Terminated):
        with sigterm_interrupts():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the handler raises here, at once
    assert issubclass(Terminated, KeyboardInterrupt)
    assert signal.getsignal(signal.SIGTERM) == before


HALF_SENT = '''
import gc, multiprocessing, os, signal, struct, sys, time
from multiprocessing.queues import SimpleQueue

from cleaner.running.parallel import ordered_map


def nothing():
    pass


def half_sent(n):
    """Item 1 dies half-way through sending its result back, as SIGTERM to the whole
    group can catch a worker: the length is in the pipe, none of the bytes; meanwhile
    Ctrl-C reaches the main process."""
    if n == 1:
        results = next(o for o in gc.get_objects() if isinstance(o, SimpleQueue))  # the pool's results
        results._wlock.acquire()
        os.write(results._writer.fileno(), struct.pack("!i", 1000))
        os.kill(multiprocessing.parent_process().pid, signal.SIGINT)
        time.sleep(60)
    return n


if __name__ == "__main__":
    try:
        for _ in ordered_map(half_sent, range(4), jobs=2, initializer=nothing, fork=sys.argv[1] == "fork"):
            pass
    except KeyboardInterrupt:
        sys.exit(130)
'''


@pytest.mark.parametrize("start", ["fork", "forkserver"])
def test_an_interrupt_ends_the_pool_though_a_worker_died_half_way_through_sending_a_result(tmp_path, start):
    """The pool's thread waited for the rest of that result for ever, and the
    interrupted run with it (the -j2 run given SIGTERM in the duplicates scan
    sometimes never exited)."""
    script = tmp_path / "half_sent.py"
    script.write_text(HALF_SENT, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script), start], stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.returncode is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode == 130, stderr


SIGTERM_AT_FORK = '''
import os, signal, sys

from cleaner.running.parallel import Terminated, ordered_map, sigterm_interrupts


def nothing():
    pass


def sigterm_now():
    os.kill(os.getpid(), signal.SIGTERM)


if __name__ == "__main__":
    os.register_at_fork(after_in_parent=sigterm_now)  # as the signal can come while a worker forks
    with sigterm_interrupts():
        try:
            for _ in ordered_map(abs, range(4), jobs=2, initializer=nothing, fork=True):
                pass
        except Terminated:
            sys.exit(143)
'''


def test_sigterm_as_a_worker_forks_from_the_main_process_still_stops_it(tmp_path):
    """Its handler ran in the fork's hooks, where Python only prints an exception
    ("Exception ignored in"), and the run, handling SIGTERM once, went on to the end."""
    script = tmp_path / "sigterm_at_fork.py"
    script.write_text(SIGTERM_AT_FORK, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 143 and "Exception ignored" not in done.stderr, done.stderr


def test_a_signal_handled_as_they_are_blocked_leaves_them_unblocked(monkeypatch):
    """Ctrl-C handled just as pthread_sigmask blocks SIGINT and SIGTERM (around each submit)
    raised before the block's ``try``, and left the caller's thread (a notebook's, a library
    user's) deaf to both for good."""
    from cleaner.running.parallel import _STOPS, _signals_held

    real = signal.pthread_sigmask

    def interrupted_as_it_blocks(how, mask):
        before = real(how, mask)
        if how == signal.SIG_BLOCK and mask:
            raise KeyboardInterrupt
        return before

    before = real(signal.SIG_BLOCK, ())
    monkeypatch.setattr(signal, "pthread_sigmask", interrupted_as_it_blocks)
    with pytest.raises(KeyboardInterrupt):
        with _signals_held(_STOPS):
            pass
    monkeypatch.undo()
    assert signal.pthread_sigmask(signal.SIG_BLOCK, ()) == before


FORKSERVER_MASK = '''
import os

from cleaner.running.parallel import ordered_map, sigterm_interrupts


def nothing():
    pass


def forkserver_blocked(_):
    """The signals the forkserver (a forkserver worker's parent) blocks, as a bit mask."""
    with open(f"/proc/{os.getppid()}/status") as status:
        return next(int(line.split()[1], 16) for line in status if line.startswith("SigBlk:"))


if __name__ == "__main__":
    with sigterm_interrupts():  # nothing started the forkserver before: ordered_map does
        print(max(blocked for _, blocked in ordered_map(forkserver_blocked, range(2), jobs=2, initializer=nothing)))
'''


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the forkserver's mask in /proc")
def test_a_forkserver_started_by_the_run_itself_does_not_block_sigterm(tmp_path):
    """Started by the first submit, while SIGTERM and SIGINT are held, the forkserver kept
    them blocked and outlived a SIGTERM to the whole group (until the main process ended)."""
    script = tmp_path / "forkserver_mask.py"
    script.write_text(FORKSERVER_MASK, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    blocked = int(done.stdout)
    assert not blocked & (1 << (signal.SIGTERM - 1) | 1 << (signal.SIGINT - 1)), hex(blocked)
