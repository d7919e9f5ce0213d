"""Near-duplicate finding on a generated corpus with planted edited copies.

    python bench/duplicates.py ../shared/bench [--docs 5000] [--seed 1]

The distinct documents are the gold texts of DATASET_DIR/*/gold.jsonl (main texts of
real pages, many from the same sites), less those with a 5-gram Jaccard of 0.5 or more
with an earlier one, and, up to --docs, "mosaics" of paragraphs drawn from different
gold texts. For a sample of gold texts, copies are planted later in
the stream at several edit levels: words substituted, deleted or inserted, residue
lines added, paragraphs moved. Every copy's true word 5-gram Jaccard with its original
is computed with ``shingles``. Printed:

- recall: the share of copies whose true Jaccard is at or above the threshold that
  were flagged as a duplicate of their original (or of another copy of it), overall
  and by Jaccard band (target >= 95%);
- the share of distinct documents flagged (target < 0.1%), each with its true Jaccard;
- docs/s for the sketch (the parallel part) and the index (the serial part), in CPU
  time of one process (the machine may be shared).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cleaner.corpus.duplicates import THRESHOLD, DuplicateIndex, normalise_for_exact, shingles, sketch  # noqa: E402

RESIDUE = ["You may also like...", "Share this article", "Subscribe to our newsletter",
           "Source:- The Print", "Advertisement", "Follow us on Twitter", "Related posts",
           "Exit mobile version", "Click here to read more", "Sign up for free", "Read more:",
           "© 2025 All rights reserved", "Cookie settings", "Back to top"]
# (share of words edited, residue lines added, paragraphs moved)
EDIT_LEVELS = [(0.0, 2, 0), (0.01, 1, 1), (0.02, 3, 1), (0.03, 2, 2), (0.05, 2, 1),
               (0.07, 3, 2), (0.10, 2, 1), (0.15, 2, 2), (0.25, 1, 1)]
MIN_WORDS = 50
DISTINCT = 0.5


def jaccard(a: str, b: str) -> float:
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 1.0


def gold_texts(dataset_dir: Path) -> tuple[list[str], int]:
    """Gold texts of at least MIN_WORDS words that are distinct: each one's 5-gram
    Jaccard with every earlier one is below DISTINCT (the readability fixtures are
    variants of a few pages, and some sites pages repeat others). Also the number
    left out for that."""
    seen: set[str] = set()
    texts = []
    for path in sorted(dataset_dir.glob("*/gold.jsonl")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                text = json.loads(line)["text"]
                key = normalise_for_exact(text)
                if len(text.split()) >= MIN_WORDS and key not in seen:
                    seen.add(key)
                    texts.append(text)
    if not texts:
        sys.exit(f"no gold texts of {MIN_WORDS}+ words under {dataset_dir}/*/gold.jsonl: give the bench folder")
    distinct: list[tuple[str, set[str]]] = []
    for text in texts:
        own = shingles(text)
        if all(len(own & other) < DISTINCT * len(own | other) for _, other in distinct):
            distinct.append((text, own))
    return [text for text, _ in distinct], len(texts) - len(distinct)


def paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n") if p.strip()]


def mosaics(texts: list[str], count: int, rng: random.Random) -> list[str]:
    """Documents of 6-12 paragraphs of 15-150 words, each from a different gold text
    (no paragraph is most of a mosaic, so two mosaics that share one stay distinct)."""
    by_text = [[p for p in paragraphs(t) if 15 <= len(p.split()) <= 150] for t in texts]
    usable = [i for i, paras in enumerate(by_text) if paras]
    out = []
    for _ in range(count):
        sources = rng.sample(usable, rng.randint(6, 12))
        out.append("\n\n".join(rng.choice(by_text[s]) for s in sources))
    return out


def edited_copy(text: str, share: float, residue: int, moves: int, vocab: list[str], rng: random.Random) -> str:
    """``text`` with ``share`` of its words substituted, deleted or duplicated-inserted,
    ``residue`` residue lines added at the top or bottom and ``moves`` paragraphs moved."""
    paras = paragraphs(text)
    for _ in range(moves if len(paras) > 1 else 0):
        paras.insert(rng.randrange(len(paras)), paras.pop(rng.randrange(len(paras))))
    edited = []
    for para in paras:
        out = []
        for word in para.split(" "):
            if rng.random() >= share:
                out.append(word)
                continue
            action = rng.random()
            if action < 0.6:
                out.append(rng.choice(vocab))
            elif action < 0.8:
                out += [word, rng.choice(vocab)]
        edited.append(" ".join(out))
    for _ in range(residue):
        line = rng.choice(RESIDUE)
        edited.insert(0, line) if rng.random() < 0.3 else edited.append(line)
    return "\n\n".join(edited)


def build(texts: list[str], docs: int, rng: random.Random):
    """The stream: (id, text, origin id or None, true Jaccard or None), in input order."""
    vocab = sorted({w for t in texts for w in t.split()})
    distinct = [(f"gold-{i:05d}", t) for i, t in enumerate(texts)]
    distinct += [(f"mosaic-{i:05d}", t) for i, t in enumerate(mosaics(texts, max(0, docs - len(texts)), rng))]
    rng.shuffle(distinct)
    stream: list[tuple[str, str, str | None, float | None]] = [(i, t, None, None) for i, t in distinct]
    position = {doc_id: n for n, (doc_id, *_rest) in enumerate(stream)}
    originals = rng.sample(range(len(texts)), min(len(texts), 300))
    copies = []
    for n, index in enumerate(originals):
        origin = f"gold-{index:05d}"
        for level, (share, residue, moves) in enumerate(EDIT_LEVELS):
            copy = edited_copy(texts[index], share, residue, moves, vocab, rng)
            at = rng.randint(position[origin] + 1, len(stream))
            copies.append((at, (f"copy-{n:03d}-{level}", copy, origin, jaccard(texts[index], copy))))
    for at, row in sorted(copies, key=lambda c: -c[0]):
        stream.insert(at, row)
    return stream


def compare_hashes(texts: list[str]) -> None:
    """CPU seconds to sign ``texts`` three ways: datasketch's default (SHA-1 of each 5-gram
    string), xxHash32 of each 5-gram string, and ours (5-gram hashes from word hashes);
    the same words and the same permutations in all three."""
    from datasketch import MinHash
    from datasketch.hashfunc import sha1_hash32
    from xxhash import xxh32_intdigest

    from cleaner.corpus.duplicates import _PERMUTATIONS, NUM_PERM, SEED, shingle_hashes, signature, words

    def by_strings(hashfunc) -> None:
        for text in texts:
            mh = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=hashfunc, permutations=_PERMUTATIONS,
                         scheme="affine32")
            mh.update_batch([s.encode("utf-8") for s in shingles(text)])

    def ours() -> None:
        for text in texts:
            signature(shingle_hashes(words(text)))

    for name, run in [("SHA-1 of 5-gram strings (datasketch default)", lambda: by_strings(sha1_hash32)),
                      ("xxHash32 of 5-gram strings", lambda: by_strings(xxh32_intdigest)),
                      ("xxHash32 of words, 5-gram polynomial (ours)", ours)]:
        start = time.process_time()
        run()
        print(f"{name}: {time.process_time() - start:.2f} CPU s for {len(texts)} documents")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset_dir", type=Path, help="a folder of */gold.jsonl (../shared/bench)")
    parser.add_argument("--docs", type=int, default=5000, help="distinct documents (gold texts + mosaics)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    parser.add_argument("--compare-hashes", action="store_true",
                        help="also time three ways of hashing 5-grams on 1,000 gold texts (cycled)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    texts, similar = gold_texts(args.dataset_dir)
    stream = build(texts, args.docs, rng)
    if args.compare_hashes:
        compare_hashes([texts[i % len(texts)] for i in range(1000)])
    text_of = {doc_id: text for doc_id, text, *_ in stream}

    start = time.process_time()
    sketches = [sketch(text) for _, text, _, _ in stream]
    sketch_s = time.process_time() - start
    index = DuplicateIndex(args.threshold)
    start = time.process_time()
    verdicts = [index.offer(doc_id, sk) for (doc_id, *_), sk in zip(stream, sketches)]
    index_s = time.process_time() - start

    verdict_of = {doc_id: v for (doc_id, *_), v in zip(stream, verdicts)}
    edges = [args.threshold] + [e for e in (0.8, 0.85, 0.9) if e > args.threshold] + [1.01]
    bands = list(zip(edges, edges[1:]))
    found = {b: [0, 0] for b in bands}
    below = {"[0.70, threshold)": [0, 0], "below 0.70": [0, 0]}
    flagged_distinct, distinct = [], 0
    for (doc_id, text, origin, true_j), verdict in zip(stream, verdicts):
        if origin is None:
            distinct += 1
            if verdict:
                true_match = jaccard(text_of[verdict.duplicate_of], text)
                flagged_distinct.append((doc_id, f"{verdict.reason} (true {true_match:.2f})"))
            continue
        origin_verdict = verdict_of[origin]  # a distinct document flagged: its copies join its cluster
        hit = verdict is not None and verdict.kept == (origin_verdict.kept if origin_verdict else origin)
        if true_j is not None and true_j >= args.threshold:
            band = next(b for b in bands if b[0] <= true_j < b[1])
            found[band][0] += hit
            found[band][1] += 1
        else:
            counts = below["[0.70, threshold)" if true_j is not None and true_j >= 0.7 else "below 0.70"]
            counts[0] += verdict is not None
            counts[1] += 1

    total_hit = sum(h for h, _ in found.values())
    total = sum(n for _, n in found.values())
    print(f"corpus: {distinct} distinct documents ({len(texts)} gold texts; {similar} left out "
          f"as 5-gram Jaccard >= {DISTINCT} with another), "
          f"{len(stream) - distinct} planted copies, threshold {args.threshold} "
          f"(candidates confirmed at an estimate >= {index.cut:.3f})")
    print(f"copies with true 5-gram Jaccard >= {args.threshold} found: {total_hit}/{total} "
          f"= {100 * total_hit / max(total, 1):.1f}%")
    for (lo, hi), (hit, n) in found.items():
        print(f"  Jaccard [{lo:.2f}, {min(hi, 1.0):.2f}{']' if hi > 1 else ')'}: {hit}/{n}")
    print("copies below the threshold flagged: "
          + ", ".join(f"{name} {hit}/{n}" for name, (hit, n) in below.items()))
    print(f"distinct documents flagged: {len(flagged_distinct)}/{distinct} = "
          f"{100 * len(flagged_distinct) / distinct:.3f}%")
    for doc_id, reason in flagged_distinct[:10]:
        print(f"  {doc_id}: {reason}")
    print(f"speed: sketch {len(stream) / sketch_s:.0f} docs/s "
          f"({sum(len(t) for _, t, _, _ in stream) / sketch_s / 1e6:.1f} MB/s), "
          f"index {len(stream) / index_s:.0f} docs/s, CPU time of one process")


if __name__ == "__main__":
    main()
