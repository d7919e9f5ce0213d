"""The whole-text screens of single stages find what their reference finds.

``sentences/split-glued`` looks for its candidates with a standard-library search
for a stop and what may follow it (:func:`cleaner.rules.sentences._candidate_starts`)
instead of the ``regex`` module's whole-text scan; it must find the same
candidates, in the same order, on every text, including runs of stops, closing
and opening marks, ASCII quotes, letters of other scripts and case, and line breaks.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.rules.sentences import _CANDIDATE, _candidate_starts, split_glued_sentences

from conftest import GOLDEN, SEEDS

ALPHABET = list("aZbY.?!”’)]\\\"“‘ '\n1_") + ["Ä", "ä", "ß", "Σ", "σ", "ǅ", "Ⅷ", "ⅷ", "\u0301", "İ", "ﬀ"]


def _reference(text: str) -> list[int]:
    return [m.start() for m in _CANDIDATE.finditer(text)]


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=30))
def test_candidates_are_those_of_the_whole_text_scan(text):
    assert list(_candidate_starts(text)) == _reference(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_candidates_are_those_of_the_whole_text_scan_on_any_text(text):
    assert list(_candidate_starts(text)) == _reference(text)


def test_candidates_on_the_test_data_and_the_rule_examples():
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")) + sorted(GOLDEN.glob("*.txt"))]
    texts += [e.input for e in split_glued_sentences.examples]
    found = 0
    for text in texts:
        assert list(_candidate_starts(text)) == _reference(text)
        found += len(_reference(text))
    assert found > 0  # the data holds candidates: the comparison is not vacuous


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
def test_ascii_text_is_left_to_itself_by_ftfy_and_its_screen(text):
    # fix_text_screened returns an ASCII text at once: ftfy (encoding fixes only)
    # leaves it as it is, and the screen, which starts on characters beyond ASCII, finds nothing
    import ftfy

    from cleaner.rules.encoding import MOJIBAKE_CONFIG
    from cleaner.core.screens import MOJIBAKE_SCREEN

    assert ftfy.fix_text(text, MOJIBAKE_CONFIG) == text
    assert MOJIBAKE_SCREEN is not None and MOJIBAKE_SCREEN.search(text) is None
