"""The public API is typed for its users: ``mypy --strict`` accepts a typed user
script against the installed package (``cleaner/py.typed`` ships in the wheel) and
rejects one that misuses it, line by line."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

# mypy is in the test extra: in CI a missing mypy fails, it does not skip
importlib.import_module("mypy") if os.environ.get("CI") else pytest.importorskip("mypy")

GOOD = '''
"""A typed user script: what a user of cleaner's public API writes."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cleaner import (
    Example, Outcome, Pipeline, Rule, Step, clean, default_pipeline, line_rule, load_pack, meta_rule, rule,
)
from cleaner.integrations.hf import CleanBatch, clean_batch, map_kwargs


@rule("custom/shout", "Upper-case the text", examples=[Example("quiet words", "QUIET WORDS"), Example("LOUD")])
def shout(text: str) -> str:
    return text.upper()


@line_rule(
    "residue/my-site-digest",
    "Remove the MySite digest line",
    where="tail",
    examples=[Example("Story.\\n\\nMySite digest\\n", "Story.\\n\\n"), Example("MySite digest, said the man.\\n")],
)
def digest(line: str, ctx: Any) -> bool:
    return line.strip() == "MySite digest"


@meta_rule("meta/shouty", "Note shouting", examples=[Example("HEY", meta={"shouty": True}), Example("hey", meta={})])
def shouty(text: str) -> dict[str, Any]:
    return {"shouty": True} if text.isupper() else {}


def summarise(outcome: Outcome) -> dict[str, Any]:
    steps: list[dict[str, Any]] = [s.to_dict() for s in outcome.steps]
    first: Step | None = outcome.steps[0] if outcome.steps else None
    line: int | None = first.line if first else None
    reason: str | None = outcome.reason
    return {"status": outcome.status, "reason": reason, "steps": steps, "line": line,
            "meta": dict(outcome.meta), "chars": len(outcome.text)}


def main() -> None:
    text: str = clean("The deal was signed.  \\n\\nYou may also like...\\n")
    pipeline: Pipeline = load_pack(
        [Path("my-site.toml"), "page-dump"],
        options={"headings/normalise": {"style": "plain"}},
        disable=["sentences/split-glued"],
        enable=["encoding/uncurl-quotes"],
    )
    default: Pipeline = default_pipeline()
    outcome: Outcome = pipeline.clean(text)
    traced: Outcome = default.clean(text, trace=True)
    cleaned: str = pipeline(text)
    rules: tuple[Rule, ...] = pipeline.rules
    ids: list[str] = [r.id for r in rules]
    name: str = pipeline.name
    sha: str = pipeline.sha256
    by_rule: str = shout("quiet words")  # a Rule is a function of text
    as_rule: Rule = shout
    kinds: list[str] = [digest.kind, shouty.kind, as_rule.summary]
    examples: tuple[Example, ...] = shout.examples
    columns: dict[str, list[Any]] = clean_batch({"text": [text]}, default, only_ok=True)
    kwargs: dict[str, Any] = map_kwargs(packs=["my-site.toml"], disable=["sentences/split-glued"])
    fn: CleanBatch = kwargs["function"]
    print(json.dumps(summarise(outcome)), traced.status, cleaned, ids, name, sha, by_rule, kinds,
          len(examples), columns, fn.pack_sha256)


if __name__ == "__main__":
    main()
'''

# each line marked "# wrong" must be reported by mypy
BAD = '''
from __future__ import annotations

from cleaner import Outcome, Pipeline, clean, default_pipeline, load_pack

clean(42)  # wrong: clean takes text
clean(None)  # wrong: and not None
load_pack(options={"headings/normalise": "plain"})  # wrong: options are {rule id: {option: value}}
load_pack(disable="sentences/split-glued", fast=True)  # wrong: no such keyword
pipeline: Pipeline = default_pipeline()
outcome: Outcome = pipeline.clean(b"bytes")  # wrong: bytes are not text
count: int = outcome.status  # wrong: a status is a str
pipeline.rules.append(pipeline.rules[0])  # wrong: the rules are a tuple
step: str = outcome.steps[0].to_dict()  # wrong: a step's dict is a dict
'''


def run_mypy(tmp_path: Path, name: str, source: str) -> subprocess.CompletedProcess[str]:
    """``python -m mypy --strict`` on one script in an empty folder, so that it sees
    cleaner as a user's environment has it (installed, not the source tree)."""
    script = tmp_path / name
    script.write_text(textwrap.dedent(source), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("MYPYPATH", "PYTHONPATH")}
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--cache-dir", str(tmp_path / ".mypy"),
         "--show-error-codes", name],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )


def test_mypy_strict_accepts_a_typed_user_script(tmp_path):
    result = run_mypy(tmp_path, "user.py", GOOD)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_rejects_misuse_line_by_line(tmp_path):
    result = run_mypy(tmp_path, "bad.py", BAD)
    assert result.returncode == 1, result.stdout + result.stderr
    source = textwrap.dedent(BAD).splitlines()
    wrong = {n for n, line in enumerate(source, 1) if "# wrong" in line}
    reported = {int(line.split(":")[1]) for line in result.stdout.splitlines() if line.startswith("bad.py:") and ": error:" in line}
    assert wrong == reported, result.stdout
    # the package was read as typed: no "missing library stubs or py.typed marker"
    assert "import-untyped" not in result.stdout and "import-not-found" not in result.stdout
