"""The text the benchmarks build their corpora from (shared by scale.py, speed.py,
profile_text.py and instructions.py), and the warm-up they give a pipeline first."""

from __future__ import annotations

import json
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def warm_up(pipeline) -> None:
    """Clean every rule's examples once: patterns are compiled on first use
    (cleaner/loading/pack_checks.py), which is set-up, not cleaning."""
    for r in pipeline.rules:
        for example in r.examples:
            pipeline.clean(example.input)


def text_pool(bench_dir: Path | None) -> list[str]:
    """Real-looking documents: the seeds and golden files (residue-laden scrapes and
    clean articles), and, when given a benchmark folder, its gold and naive texts."""
    pool = [p.read_text(encoding="utf-8") for p in sorted((REPO / "seeds").glob("*.txt"))]
    pool += [p.read_text(encoding="utf-8") for p in sorted((REPO / "tests" / "golden").glob("*.txt"))]
    if bench_dir:
        for name in ("gold.jsonl", "naive_text.jsonl"):
            for path in sorted(bench_dir.glob(f"*/{name}")):
                with path.open(encoding="utf-8") as handle:
                    pool += [json.loads(line)["text"] for line in handle if line.strip()]
    return [t for t in pool if t.strip()]
