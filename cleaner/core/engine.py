"""Apply rules to text and record every change they make.

The engine, not the rules, writes provenance: a rule returns new text (or a
verdict on a line) and the engine compares, records a :class:`Step` when
something changed, and merges metadata. No rule author can forget a record.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from cleaner.corpus.model import CorpusContext, CorpusDoc, CorpusVerdict
from cleaner.core.lines import run_line_pass
from cleaner.core.screens import AnyChar, any_char_of
from cleaner.core.settled import CheckLog

if TYPE_CHECKING:  # rule.py sits above the engine (a Rule applies itself through it)
    from cleaner.core.rule import Rule


@dataclass(frozen=True)
class Step:
    """One recorded change: a removed line or a changed text."""

    rule: str
    # "removed" | "changed" | "masked" (by a private rule: why, never text) | "dropped" (the whole
    # document, by a corpus or filter rule) | "kept" (by a filter, with a note)
    action: str
    chars_before: int
    chars_after: int
    line: int | None = None  # removed: 1-based line number in the text the rule saw
    text: str | None = None  # removed: the line's text
    why: str | None = None  # the rule's own reason, when it gives one (a removed line, a dropped or replaced text)
    measures: tuple[Any, ...] = ()  # a filter's measures (cleaner.rule.Measure): dropped, kept with a note, or traced
    label: str | None = None  # a filter's drop: the reason without the document's values, for counting
    before: str | None = field(default=None, compare=False, repr=False)  # traced runs only
    after: str | None = field(default=None, compare=False, repr=False)

    @classmethod
    def removed(cls, rule: str, chars_before: int, chars_after: int, line: int, text: str, why: str | None) -> Step:
        """``Step(rule, "removed", chars_before, chars_after, line=line, text=text, why=why)``,
        equal to it in every way, built five times faster: a frozen dataclass's
        ``__init__`` sets each of the eleven fields through ``object.__setattr__``,
        and a pack like c4 records a removed-line step for most lines of a web text."""
        step = object.__new__(cls)
        fields = step.__dict__
        fields.update(_STEP_DEFAULTS)
        fields["rule"] = rule
        fields["action"] = "removed"
        fields["chars_before"] = chars_before
        fields["chars_after"] = chars_after
        fields["line"] = line
        fields["text"] = text
        fields["why"] = why
        return step

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"rule": self.rule, "action": self.action}
        if self.line is not None:
            d["line"] = self.line
            d["text"] = self.text
            if self.why:
                d["why"] = self.why
        elif self.why:  # a document a corpus or filter rule dropped, or a text it replaced
            d["why"] = self.why
        if self.label:
            d["label"] = self.label
        if self.measures:
            d["measures"] = [m.to_dict() for m in self.measures]
        d["chars_before"] = self.chars_before
        d["chars_after"] = self.chars_after
        return d


#: every field of a :class:`Step` that has a default, with it (for :meth:`Step.removed`)
_STEP_DEFAULTS = {name: f.default for name, f in Step.__dataclass_fields__.items() if f.default is not MISSING}


@dataclass
class Outcome:
    """What cleaning one text produced."""

    text: str
    steps: list[Step] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    status: str = "ok"  # "ok" | "dropped" | "failed"
    reason: str | None = None


class RuleFailure(RuntimeError):
    """A rule raised while cleaning a document; carries the rule id."""

    def __init__(self, rule_id: str, error: BaseException) -> None:
        super().__init__(f"rule {rule_id} failed: {type(error).__name__}: {error}")
        self.rule_id = rule_id


def merge_meta(meta: dict[str, Any], new: dict[str, Any] | None) -> None:
    """Add ``new`` to ``meta``: lists are extended without duplicates, other values
    keep the first one found."""
    for key, value in (new or {}).items():
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, list):
            current = meta.setdefault(key, [])
            current.extend(v for v in value if v not in current)
        else:
            meta.setdefault(key, value)


def _stages(rules: Sequence[Rule]) -> list[list[Rule]]:
    """Consecutive line rules form one line pass; every other rule is its own stage.
    (A new list each call: :func:`_stages_of` keeps one per rule tuple.)"""
    stages: list[list[Rule]] = []
    for r in rules:
        if r.kind == "line" and stages and stages[-1][0].kind == "line":
            stages[-1].append(r)
        else:
            stages.append([r])
    return stages


def _apply_stage(
    stage: Sequence[Rule], outcome: Outcome, trace: bool, fast: bool = False, corpus: CorpusContext | None = None
) -> bool:
    """Run one stage on ``outcome``; True when its ``can_change`` ruled the text
    out (nothing was run)."""
    text = outcome.text
    first = stage[0]
    fn = first.fast if fast and first.fast is not None else first.fn
    try:
        if fast and first.can_change is not None and not first.can_change(text):
            return True  # exact: the rule would return the text unchanged (or no metadata)
        if first.kind == "corpus":
            _apply_verdict(first, corpus_verdict(first, text, corpus), outcome, trace)
        elif first.kind == "filter":
            judgement = fn(text, outcome.meta, **first.options) if _reads_meta(fn) else fn(text, **first.options)
            _apply_judgement(first, judgement, outcome, trace)
        elif first.kind == "line":
            new, removals = run_line_pass(stage, text, fast=fast, corpus=corpus)
            before = len(text)
            for n, rem in enumerate(removals, 1):
                # a removed line takes its line break with it; the last step lands exactly
                after = len(new) if n == len(removals) else before - rem.width
                outcome.steps.append(Step.removed(rem.rule.id, before, after, rem.line_no, rem.text, rem.why))
                if rem.meta:
                    merge_meta(outcome.meta, rem.meta)
                before = after
            if removals and trace:
                outcome.steps[-1] = _with_trace(outcome.steps[-1], text, new)
            outcome.text = new
        elif first.kind == "meta":
            merge_meta(outcome.meta, fn(text, **first.options))
        else:
            new = fn(text, **first.options)
            why = None
            if isinstance(new, tuple):  # (text, why): the rule says what it changed
                new, why = new
            if new != text:
                step = Step(first.id, "masked" if first.private else "changed", len(text), len(new), why=why)
                # a private rule's change is never kept as text, not even traced (pii/*)
                outcome.steps.append(_with_trace(step, text, new) if trace and not first.private else step)
                outcome.text = new
    except Exception as exc:  # one rule's bug must not hide which rule it was
        failing = first.id if len(stage) == 1 else ", ".join(r.id for r in stage)
        raise RuleFailure(getattr(exc, "rule_id", None) or failing, exc) from exc
    return False


def corpus_verdict(rule: Rule, text: str, corpus: CorpusContext | None) -> CorpusVerdict:
    """A corpus rule's verdict on ``text``, with the corpus's statistics, or, when
    there is no corpus (``Pipeline.clean`` of one text), with this document's own:
    a corpus of one document."""
    doc = corpus.doc if corpus is not None else CorpusDoc("document")
    stats = corpus.stats.get(rule.id) if corpus is not None else None
    if stats is None:
        assert rule.scan is not None and rule.statistics is not None
        stats = rule.statistics(**rule.options)
        stats.add(doc, rule.scan(text, doc))
    verdict: CorpusVerdict = rule.fn(text, doc, stats, **rule.options)
    return verdict


def _apply_verdict(rule: Rule, verdict: CorpusVerdict, outcome: Outcome, trace: bool) -> None:
    """Record a corpus rule's verdict: removed lines as steps (like a line pass),
    a replaced text as a change with its reason, rewritten lines as one change
    with their reason, or the whole document dropped with the reason; metadata
    kept either way."""
    merge_meta(outcome.meta, verdict.meta)
    text = outcome.text
    if verdict.drop is not None:
        outcome.steps.append(Step(rule.id, "dropped", len(text), 0, why=verdict.drop))
        outcome.text, outcome.status, outcome.reason = "", "dropped", verdict.drop
        return
    if verdict.replace is not None:
        new, why = verdict.replace
        step = Step(rule.id, "changed", len(text), len(new), why=why)
        outcome.steps.append(_with_trace(step, text, new) if trace else step)
        outcome.text = new
        return
    if verdict.rewrite is not None:
        rewritten, why = verdict.rewrite
        lines = text.split("\n")
        for index, line in rewritten:
            lines[index] = line
        new = "\n".join(lines)
        step = Step(rule.id, "changed", len(text), len(new), why=why)
        outcome.steps.append(_with_trace(step, text, new) if trace else step)
        outcome.text = text = new
    if not verdict.remove:
        return
    lines = text.split("\n")
    gone = dict(verdict.remove)
    before = len(text)
    for index in sorted(gone):
        width = len(lines[index]) + (1 if index < len(lines) - 1 else 0)
        outcome.steps.append(
            Step(rule.id, "removed", before, before - width, line=index + 1, text=lines[index].strip(), why=gone[index])
        )
        before -= width
    new = "\n".join(line for i, line in enumerate(lines) if i not in gone)
    if trace:
        outcome.steps[-1] = _with_trace(outcome.steps[-1], text, new)
    outcome.text = new


def _apply_judgement(rule: Rule, judgement: Any, outcome: Outcome, trace: bool) -> None:
    """Record a filter rule's judgement: a drop as a ``dropped`` step with its
    reason and measures (the document stops there, as for a corpus rule's drop);
    a kept document with a note as a ``kept`` step, and, in a traced run, every
    judgement with its measures (for ``explain``); metadata kept either way."""
    merge_meta(outcome.meta, judgement.meta)
    size = len(outcome.text)
    if not judgement.keep:
        reason = judgement.reason or rule.summary
        label = judgement.label if judgement.label and judgement.label != reason else None
        outcome.steps.append(Step(rule.id, "dropped", size, 0, why=reason, measures=judgement.measures, label=label))
        outcome.text, outcome.status, outcome.reason = "", "dropped", reason
    elif judgement.reason or trace:
        outcome.steps.append(Step(rule.id, "kept", size, size, why=judgement.reason, measures=judgement.measures))


@lru_cache(maxsize=256)
def _reads_meta(fn: Any) -> bool:
    """A filter whose function takes a second positional parameter ``meta``
    (``fn(text, meta, **options)``) is handed the document's metadata so far (read
    only): the Gopher, C4 and FineWeb filters read ``language`` to judge only the
    languages they were made for."""
    import inspect

    params = list(inspect.signature(fn).parameters.values())
    return len(params) > 1 and params[1].name == "meta" and params[1].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD


def _masked_step(step: Step, private: Sequence[Rule]) -> Step:
    """``step`` with what it recorded of the text (a removed line, its reason, a
    traced before and after) masked by the pipeline's private rules (pii/*).

    The private rules run first, but an address can become readable only later in
    the same pass (``jane\\u200b@mail.de`` once the zero-width space goes, ``&#64;``
    once entities are decoded), and a line rule after that may remove its line and
    record it before the next pass masks the text. The output text was masked
    already; this keeps the record from holding what the output does not. An
    address still in an encoded form (``&#64;``) in a traced before is left: it is
    not an address to the private rules either."""
    if step.text is None and step.why is None and step.before is None and step.after is None:
        return step
    return replace(step, text=_masked(step.text, private), why=_masked(step.why, private),
                   before=_masked(step.before, private), after=_masked(step.after, private))


def _masked(value: str | None, private: Sequence[Rule]) -> str | None:
    if not value:
        return value
    for rule in private:
        out = rule.fn(value, **rule.options)
        value = out[0] if isinstance(out, tuple) else out
    return value


def _with_trace(step: Step, before: str, after: str) -> Step:
    return Step(**{**step.__dict__, "before": before, "after": after})


#: Passes over the rules at most, until the text stops changing.
MAX_PASSES = 3


def apply_rules(
    rules: Sequence[Rule],
    text: str,
    *,
    trace: bool = False,
    fast: bool = True,
    corpus: CorpusContext | None = None,
    stop_before: str | None = None,
) -> Outcome:
    """Run ``rules`` in order on ``text`` until it stops changing. Raises
    :class:`RuleFailure` on a rule error.

    Why repeat: rules interact. Deleting a stray control character can complete a
    mojibake sequence that ftfy repairs only on the next pass; cleaning cleaned
    text must change nothing, so the engine runs the rules again while the last
    pass changed something (at most :data:`MAX_PASSES` times). Most texts settle
    in the first pass and pay for one more check.

    With ``trace=True`` each text change also keeps the text before and after it
    (for ``cleaner explain``); a line pass keeps them on its last removal.

    ``fast=True`` uses the rules' exact fast paths (``Rule.can_change``,
    ``Rule.fast`` and the line pass's screening) and leaves out of the check pass
    the stages that provably have nothing to do (:mod:`cleaner.core.settled`);
    ``fast=False`` runs only the reference implementations, every stage in every
    pass. Both give the same outcome for every input.

    Corpus rules (kind ``corpus``) run in the first pass only, judged with
    ``corpus`` (see :mod:`cleaner.corpus.model`): their statistics were gathered
    on the text as the first pass hands it to them, which ``stop_before=rule_id``
    returns (the scan). A document a corpus rule drops stops there.

    Filter rules (kind ``filter``) judge the text as it reaches them; in a later
    pass they judge it again only when it changed since. A document a filter
    drops stops there.
    """
    outcome = Outcome(text=text)
    judged: dict[int, str] = {}  # filter stage position -> the text it last judged
    stages = _stages_of(tuple(rules))
    by_chars = _character_screen(tuple(rules)) if fast else None
    log = CheckLog(stages) if fast else None  # which stages the check pass may leave out
    for pass_number in range(MAX_PASSES):
        before = outcome.text
        screened: str | None = None  # the text the character screen last cleared
        for position, stage in enumerate(stages):
            seen = outcome.text
            idle = False  # can_change ruled the text out
            if stage[0].kind == "corpus":
                if pass_number == 0 and stage[0].id == stop_before:
                    return outcome
                if pass_number > 0:
                    continue
                _apply_stage(stage, outcome, trace, fast, corpus)
                if outcome.status == "dropped":
                    return outcome
            elif stage[0].kind == "filter":
                if judged.get(position) != seen:
                    judged[position] = seen
                    _apply_stage(stage, outcome, trace, fast, corpus)
                    if outcome.status == "dropped":
                        return outcome
            elif log is not None and pass_number > 0 and log.still_idle(position):
                idle = True  # exact: can_change would rule the text out again (cleaner.core.settled)
            elif log is not None and pass_number > 0 and log.settled(position):
                pass  # exact: the stage would leave the text as it is (cleaner.core.settled)
            elif by_chars is not None and isinstance(stage[0].can_change, AnyChar) and (
                seen is screened or not by_chars(seen)
            ):
                screened = seen  # none of these rules can change it
            else:
                idle = _apply_stage(stage, outcome, trace, fast, corpus)  # line rules see the corpus in their context
            if log is not None:
                log.ran(position, stage, seen, outcome.text, idle)
        if outcome.text == before:
            break
    return outcome


@lru_cache(maxsize=64)
def _stages_of(rules: tuple[Rule, ...]) -> tuple[tuple[Rule, ...], ...]:
    """:func:`_stages` of ``rules``, once per rule tuple (a pipeline's rules do not
    change; it was computed again for every document)."""
    return tuple(tuple(stage) for stage in _stages(rules))


@lru_cache(maxsize=64)
def _character_screen(rules: tuple[Rule, ...]) -> AnyChar | None:
    """One search for the characters of every rule whose fast path is an
    :class:`AnyChar` test. Most texts hold none of them, and while the text stays
    the same object (no rule changed it) each of those rules is skipped at the
    cost of one search, not one per rule."""
    tests = [r.can_change for r in rules if isinstance(r.can_change, AnyChar)]
    return any_char_of(tests) if len(tests) > 1 else None


def apply_rule(rule: Rule, text: str, **options: Any) -> Outcome:
    """Run one rule alone (a line rule forms a line pass of its own)."""
    return apply_rules([rule.bound(**options) if options else rule], text)


class Pipeline:
    """An ordered list of rules with a name and a content hash: a resolved pack."""

    def __init__(
        self,
        rules: Iterable[Rule],
        name: str = "custom",
        sha256: str = "",
        *,
        packs: tuple[str, ...] | None = None,
        options: dict[str, dict[str, Any]] | None = None,
        disable: tuple[str, ...] = (),
        enable: tuple[str, ...] = (),
        fast: bool = True,
        implementations: dict[str, Any] | None = None,
        warnings: tuple[str, ...] = (),
    ) -> None:
        self.rules: tuple[Rule, ...] = tuple(rules)
        # the rules whose matches a step must never record (pii/*): see _masked_step
        self.private: tuple[Rule, ...] = tuple(rule for rule in self.rules if rule.private)
        # exact fast paths on (the default) or the reference implementations only
        self.fast = fast
        self.name = name
        self.sha256 = sha256
        # how load_pack built it, so that worker processes can build it again
        self.packs = packs
        self.options = options or {}
        self.disable = disable
        self.enable = enable
        # rule id -> cleaner.loading.registry.Implementation (whose code runs it), from load_pack
        self.implementations: dict[str, Any] = implementations or {}
        # what loading the pack warned about (plugins left out, shadowed rules)
        self.warnings = warnings
        # every rule the packs could have named (cleaner.loading.registry.Registry), from load_pack
        self.registry: Any = None

    def __repr__(self) -> str:
        return f"<Pipeline {self.name}: {len(self.rules)} rules>"

    def __call__(self, text: str) -> str:
        """Clean ``text`` and return only the text (for ``map``-style pipelines)."""
        return self.clean(text).text

    def clean(self, text: str, *, trace: bool = False, corpus: CorpusContext | None = None) -> Outcome:
        """Clean one text. Never raises for a rule error: the outcome is ``failed``
        with the rule id and error, and the text is returned unchanged. A value
        that is not a string is the caller's mistake: :class:`TypeError`."""
        if not isinstance(text, str):
            raise TypeError(f"Pipeline.clean() takes a str, not {type(text).__name__}")
        empty = not text.strip()
        if empty and (corpus is None or corpus.doc.html is None):
            return Outcome(text="", status="dropped", reason="empty input")
        # an HTML page whose extractor found nothing still has its page: corpus rules may give it its own text
        try:
            outcome = apply_rules(self.rules, text, trace=trace, fast=self.fast, corpus=corpus)
        except RuleFailure as exc:
            return Outcome(text=text, status="failed", reason=str(exc))
        if self.private:
            outcome.steps = [_masked_step(step, self.private) for step in outcome.steps]
        if outcome.status == "dropped":  # by a corpus or filter rule, with its reason
            return outcome
        if not outcome.text.strip():
            outcome.status, outcome.reason = "dropped", "empty input" if empty else "no text left after cleaning"
        return outcome
