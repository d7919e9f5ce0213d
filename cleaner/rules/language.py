"""Language identification: ``language/identify`` says which language a document
is in (``meta.language``, ``meta.language_score``); ``language/keep`` (opt-in)
drops the documents in other languages.

Both read the cleaned text (they come last in the order) with Google's CLD2,
whose tables the ``pycld2`` wheel holds (:mod:`cleaner.rules._langid`; nothing
is downloaded, ever). Texts too short to judge (fewer than 20 non-space
characters) get no language rather than a wrong one. Why CLD2, its accuracy and
its cost: docs/language.md.
"""

from __future__ import annotations

from cleaner.core.rule import Example, Judgement, Measure, filter_rule
from cleaner.rules import _langid

_DE = ("Der Bundestag hat am Freitag nach langer Debatte das neue Gesetz zur Förderung "
       "erneuerbarer Energien beschlossen, teilte die Regierung in Berlin mit.\n")
_EN = "The minister signed the agreement in Moscow on Friday, officials said after the meeting.\n"
_PL = "Rada miasta przyjęła w poniedziałek nowy budżet, który przewiduje więcej pieniędzy na szkoły.\n"
_SHORT = "OK, thanks!\n"


def _too_short(text: str) -> str:
    return f"too short to identify its language ({_langid.countable(text)} non-space characters < {_langid.MIN_CHARS})"


@filter_rule(
    "language/identify",
    "Identify the document's language: meta.language (ISO 639-1) and meta.language_score",
    examples=[
        Example(_DE, meta={"language": "de"}),
        Example(_EN, meta={"language": "en"}),
        Example(_PL, meta={"language": "pl"}),
        Example(_SHORT, meta={}, note="too short to judge: no language rather than a wrong one"),
        Example("1234 5678 9012 3456 7890 +++ ### 42\n", meta={}, note="no language in numbers and symbols"),
    ],
)
def identify(text: str) -> Judgement:
    """Identify the language of the cleaned text with CLD2 and keep it as
    metadata: ``language`` (ISO 639-1, e.g. ``de``; CLD2's own code for the few
    languages without one) and ``language_score``, the share of the text CLD2
    finds in that language (0 to 1: 0.55 for a page half in another language).
    CLD2 reads the first 300 characters: on the labelled sample its accuracy is
    the same as on 2,000, and the step stays within 10 % of the default
    pipeline's time (docs/language.md).

    Never drops a document (``language/keep`` does). Leaves alone texts with
    fewer than 20 non-space characters, and texts in which CLD2 finds no
    language (numbers, code, symbols): no language is better than a wrong one."""
    found = _langid.identify(text)
    if found is None:
        return Judgement.kept()
    language, score = found
    return Judgement.kept(measures=[Measure("language", language), Measure("language score", score)],
                          meta={"language": language, "language_score": score})


@filter_rule(
    "language/keep",
    "Drop documents not in one of the given languages (opt-in; default English)",
    examples=[
        Example(_DE, drops=True, note="German, not in [en]"),
        Example(_EN),
        Example(_SHORT, note="too short to judge: kept, with a step saying so"),
        Example(_PL + _PL, drops=True),
    ],
)
def keep_languages(text: str, *, languages: list[str] = ["en"], min_score: float = 0.65) -> Judgement:  # noqa: B006
    """Keep the documents whose language (as ``language/identify`` finds it) is
    one of ``languages`` (ISO 639-1 codes) with a score (the share of the text in
    that language) of at least ``min_score``; drop the others with the reason:
    "language de (0.97), not in [en]", or "language en (0.42) below min_score
    0.65" (a page mostly in other languages). 0.65 is datatrove's LanguageFilter
    threshold; on the bench pages it drops 12 of the 1,321 whose language CLD2
    finds right (docs/language.md).

    Leaves alone (keeps, with a step saying so) texts too short to judge: fewer
    than 20 non-space characters get no verdict rather than a wrong one, and so
    do texts in which CLD2 finds no language. Opt-in: a pack adds it (``[pack]
    add = ["language/keep"]``) with its options."""
    found = _langid.identify(text)
    if found is None:
        return Judgement.kept(_too_short(text) if _langid.countable(text) < _langid.MIN_CHARS
                              else "no language found in the text")
    language, score = found
    wanted = ", ".join(languages)
    measures = [Measure("language", language, f"in [{wanted}]", language in languages),
                Measure("language score", score, f">= {min_score:g}", score >= min_score)]
    meta = {"language": language, "language_score": score}
    if language not in languages:
        return Judgement.drop(f"language {language} ({score:.2f}), not in [{wanted}]", measures=measures, meta=meta,
                              label=f"language {language}, not in [{wanted}]")
    if score < min_score:
        return Judgement.drop(f"language {language} ({score:.2f}) below min_score {min_score:g}", measures=measures,
                              meta=meta, label=f"language score below {min_score:g}")
    return Judgement.kept(measures=measures, meta=meta)
