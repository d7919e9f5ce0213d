"""Write cleaner/rules/spacy_en.json: the tables of spaCy's English rule-based
tokenizer (``spacy.blank("en")``), which datatrove's Gopher and FineWeb filters
split words with. cleaner/rules/_tokens.py reads them to split words exactly as
spaCy does without importing spaCy (spaCy is MIT-licensed; the tables are its
``prefix_search``, ``suffix_search``, ``infix_finditer``, ``url_match`` patterns
and tokenizer exceptions, unchanged).

    pip install spacy && python bench/spacy_tables.py

Run it again when datatrove moves to a spaCy whose English tables differ
(tests/test_filters.py compares the two tokenizers when spaCy is installed).
"""

from __future__ import annotations

import json
from pathlib import Path

import spacy
from spacy.pipeline import Sentencizer

OUT = Path(__file__).resolve().parents[1] / "cleaner" / "rules" / "spacy_en.json"


def main() -> None:
    tok = spacy.blank("en").tokenizer
    tables = {
        "source": f"spaCy {spacy.__version__}, spacy.blank('en').tokenizer (MIT License, (c) ExplosionAI GmbH)",
        "prefix": tok.prefix_search.__self__.pattern,
        "suffix": tok.suffix_search.__self__.pattern,
        "infix": tok.infix_finditer.__self__.pattern,
        "url": tok.url_match.__self__.pattern,
        "flags": {
            "prefix": tok.prefix_search.__self__.flags,
            "suffix": tok.suffix_search.__self__.flags,
            "infix": tok.infix_finditer.__self__.flags,
            "url": tok.url_match.__self__.flags,
        },
        # the sentencizer's sentence-ending characters (datatrove's C4 filter counts sentences with it)
        "sentence_punct": sorted(Sentencizer.default_punct_chars),
        "token_match": None if tok.token_match is None else tok.token_match.__self__.pattern,
        "faster_heuristics": tok.faster_heuristics,
        # each exception: the tokens' texts (ORTH, attribute id 65; NORM is not needed)
        "specials": {key: [piece[65] for piece in value] for key, value in sorted(tok.rules.items())},
    }
    OUT.write_text(json.dumps(tables, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(tables['specials'])} exceptions)")


if __name__ == "__main__":
    main()
