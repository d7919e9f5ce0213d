"""The rule core: what a rule is (:mod:`~cleaner.core.rule`), how a pipeline applies rules to
one text (:mod:`~cleaner.core.engine`), the line pass and its screens (:mod:`~cleaner.core.lines`,
:mod:`~cleaner.core.line_screen`, :mod:`~cleaner.core.pattern_reading`, :mod:`~cleaner.core.screens`),
and the small pieces they share (settled kinds, rule options, code blocks, the disk cache, the
version). Imports only :mod:`cleaner.io`, :mod:`cleaner.document` and :mod:`cleaner.corpus.model`;
see docs/architecture.md."""
