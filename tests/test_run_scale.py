"""Corpus-scale runs: parallel output identical to serial, resuming after a kill,
refusing to mix runs, and every input document accounted for once."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner import load_pack
from cleaner.cli import app
from cleaner.running.run import RunError, RunOptions, run_corpus

runner = CliRunner()

PARAGRAPH = "The minister signed the agreement in Moscow on Friday, officials said after the talks."


def make_corpus(root: Path, records: int = 1200, texts: int = 30) -> Path:
    """A mixed corpus: a JSONL shard with residue and broken lines, and text files."""
    root.mkdir(parents=True)
    with (root / "shard.jsonl").open("w", encoding="utf-8") as handle:
        for n in range(records):
            if n % 250 == 7:
                handle.write("{broken json\n")
                continue
            text = f"Title number {n}\n\n{PARAGRAPH} Item {n}.year.The end came.\n\nShare this:\n\nYou may also like...\n"
            handle.write(json.dumps({"id": f"r{n}", "text": text}) + "\n")
    (root / "texts").mkdir()
    for n in range(texts):
        (root / "texts" / f"{n:03d}.txt").write_text(f"{PARAGRAPH} Text {n}.\n\nExit mobile version\n", encoding="utf-8")
    return root


def snapshot(out: Path) -> dict[str, bytes]:
    """Every output file's bytes (the manifest has timings, so it is left out)."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "manifest.json" and ".cleaner" not in p.parts
    }


def run(src: Path, out: Path, **kw) -> object:
    return run_corpus(src, out, load_pack(), RunOptions(**kw))


def test_parallel_output_is_identical_to_serial(tmp_path):
    src = make_corpus(tmp_path / "in")
    one, two = tmp_path / "one", tmp_path / "two"
    report1 = run(src, one, jobs=1)
    report2 = run(src, two, jobs=2)
    assert snapshot(one) == snapshot(two)
    assert report1.status == report2.status


def test_every_document_is_accounted_for_once(tmp_path):
    src = make_corpus(tmp_path / "in", records=600, texts=5)
    out = tmp_path / "out"
    report = run(src, out, jobs=1)
    records = [json.loads(x) for x in (out / "provenance.jsonl").read_text().splitlines()]
    assert len(records) == 600 + 5
    assert len({(r["source"]["path"], r["source"].get("line")) for r in records}) == len(records)
    manifest = json.loads((out / "manifest.json").read_text())
    counts = manifest["counts"]
    assert counts["ok"] + counts["dropped"] + counts["failed"] == counts["documents"] == 605
    assert counts["failed"] == 3 == report.status["failed"]  # the three broken lines
    # record outputs carry their line in the output file, in order
    lines = [r["output"]["line"] for r in records if r["output"] and r["source"]["path"] == "shard.jsonl"]
    assert lines == list(range(1, len(lines) + 1))
    assert len((out / "shard.jsonl").read_text().splitlines()) == len(lines)
    assert not (out / ".cleaner" / "parts").exists()


def _start(src: Path, out: Path, *extra: str) -> subprocess.Popen:
    code = "from cleaner.cli import main; main()"
    return subprocess.Popen(
        [sys.executable, "-c", code, "run", str(src), str(out), "--jobs", "1", "--quiet", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def wait_for_units(
    proc: subprocess.Popen, out: Path, units: int = 2, seconds: float = 120, parts: str = "parts/*.prov.jsonl"
) -> None:
    """Wait until the run ``proc`` has finished ``units`` units in ``out`` (files
    matching ``parts`` under ``OUT/.cleaner``: the clean phase's by default), and
    make sure it is still running (else the corpus was too small to interrupt it)."""
    work = out / ".cleaner"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        if work.is_dir() and len(list(work.glob(parts))) >= units:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the run finished before it could be interrupted; make the corpus bigger"


def descendants(pid: int) -> set[int]:
    """The processes started by ``pid`` and by those, recursively (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pids: set[int]) -> set[int]:
    """Those of ``pids`` still running (not zombies)."""
    running = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            running.add(pid)
    return running


def kill_midway(src: Path, out: Path, sig: int, *extra: str, parts: str = "parts/*.prov.jsonl") -> None:
    """Start ``cleaner run`` (with ``extra`` arguments) and send it ``sig`` once two
    units are done (see :func:`wait_for_units` for ``parts``); its workers must
    end with it, not wait for work forever."""
    proc = _start(src, out, *extra)
    wait_for_units(proc, out, parts=parts)
    family = descendants(proc.pid) if Path("/proc/self/stat").exists() else set()
    proc.send_signal(sig)
    proc.wait(timeout=60)
    assert not (out / "provenance.jsonl").exists(), "an interrupted run must not look finished"
    deadline = time.monotonic() + 30
    while alive(family) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(family), "the run's workers outlived it"


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
def test_a_killed_run_resumes_to_identical_output(tmp_path, sig):
    src = make_corpus(tmp_path / "in", records=4000, texts=30)
    clean = tmp_path / "clean"
    run(src, clean, jobs=1)
    out = tmp_path / "out"
    kill_midway(src, out, sig)
    done_before = len(list((out / ".cleaner" / "parts").glob("*.prov.jsonl")))
    # outputs are assembled as units finish: a kill -9 leaves their temporary files, Ctrl-C removes them
    assert bool(list(out.glob(".provenance.jsonl.*.tmp"))) == (sig == signal.SIGKILL)
    result = runner.invoke(app, ["run", str(src), str(out), "--jobs", "1"])
    assert result.exit_code == 1, result.output  # the broken JSON lines failed
    assert f"resumed: {done_before} units" in result.output
    assert snapshot(out) == snapshot(clean)


def test_finished_run_is_not_redone_and_other_runs_are_refused(tmp_path):
    src = make_corpus(tmp_path / "in", records=50, texts=2)
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", str(src), str(out), "-j", "1"]).exit_code == 1
    again = runner.invoke(app, ["run", str(src), str(out), "-j", "1"])
    assert again.exit_code == 1 and "nothing to do" in again.output
    other = runner.invoke(app, ["run", str(src), str(out), "-j", "1", "--headings", "plain"])
    assert other.exit_code == 2 and "--overwrite" in other.output
    redo = runner.invoke(app, ["run", str(src), str(out), "-j", "1", "--headings", "plain", "--overwrite"])
    assert redo.exit_code == 1
    assert (out / "texts" / "000.txt").read_text().startswith("The minister")


def test_an_out_with_foreign_files_is_refused(tmp_path):
    src = make_corpus(tmp_path / "in", records=5, texts=1)
    out = tmp_path / "out"
    out.mkdir()
    (out / "precious.txt").write_text("mine")
    with pytest.raises(RunError, match="not empty"):
        run(src, out)
    assert (out / "precious.txt").read_text() == "mine"


def test_a_hand_built_pipeline_cannot_go_parallel(tmp_path):
    from cleaner import Pipeline
    from cleaner.rules.whitespace import collapse_inline_runs

    src = make_corpus(tmp_path / "in", records=5, texts=1)
    with pytest.raises(RunError, match="jobs=1"):
        run_corpus(src, tmp_path / "out", Pipeline([collapse_inline_runs]), RunOptions(jobs=2))


def test_sharded_jsonl_output_with_compression(tmp_path):
    import gzip

    from cleaner.running.outputs import OutputOptions

    src = make_corpus(tmp_path / "in", records=450, texts=30)
    out = tmp_path / "out"
    report = run_corpus(src, out, load_pack(), RunOptions(output=OutputOptions(format="jsonl", shard_size=200, compress="gz")))
    shards = sorted(p.name for p in out.glob("part-*.jsonl.gz"))
    assert shards == ["part-00000.jsonl.gz", "part-00001.jsonl.gz", "part-00002.jsonl.gz"]
    rows = [json.loads(x) for name in shards for x in gzip.decompress((out / name).read_bytes()).splitlines()]
    assert len(rows) == report.status["ok"]
    texts = [r for r in rows if r.get("path", "").startswith("texts/")]
    assert len(texts) == 30 and all(r["text"].startswith("The minister") for r in texts)
    records = [json.loads(x) for x in (out / "provenance.jsonl").read_text().splitlines()]
    assert {r["output"]["path"] for r in records if r["output"]} == set(shards)


def test_txt_output_from_records(tmp_path):
    from cleaner.running.outputs import OutputOptions

    src = make_corpus(tmp_path / "in", records=20, texts=1)
    out = tmp_path / "out"
    run_corpus(src, out, load_pack(), RunOptions(output=OutputOptions(format="txt")))
    assert (out / "shard" / "00000001.txt").read_text().startswith("# Title number 0")
    assert not (out / "shard" / "00000008.txt").exists()  # line 8 is broken JSON: failed, no output


def test_parquet_shards(tmp_path):
    import pyarrow.parquet as pq

    from cleaner.running.outputs import OutputOptions

    src = make_corpus(tmp_path / "in", records=120, texts=0)
    out = tmp_path / "out"
    run_corpus(src, out, load_pack(), RunOptions(output=OutputOptions(format="parquet")))
    table = pq.read_table(out / "part-00000.parquet")
    assert table.num_rows == 120 - 1 and "text" in table.column_names


def test_parquet_shards_take_every_field_of_every_record(tmp_path):
    """A field that first appears late (past the writer's first batch) is a column too."""
    import pyarrow.parquet as pq

    from cleaner.running.outputs import OutputOptions

    src = tmp_path / "in"
    src.mkdir()
    rows = [{"id": str(n), "text": f"{PARAGRAPH} {n}."} | ({"lang": "en"} if n > 1050 else {}) for n in range(1100)]
    (src / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (src / "note.txt").write_text(f"{PARAGRAPH}\n")
    out = tmp_path / "out"
    run_corpus(src, out, load_pack(), RunOptions(output=OutputOptions(format="parquet", shard_size=5000)))
    table = pq.read_table(out / "part-00000.parquet")
    assert table.num_rows == 1101
    assert {"id", "text", "cleaner", "lang", "path"} <= set(table.column_names)
    assert table.column("lang").to_pylist()[1051] == "en" and table.column("lang").to_pylist()[0] is None
