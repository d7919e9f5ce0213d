"""Corpus rules: boilerplate that is only visible across documents (a site's template,
a copied article). A corpus rule scans every document first and keeps compact
statistics (hashes and counts, never the texts), then judges each document with
them; see :mod:`cleaner.corpus.model` for the pieces and :func:`cleaner.corpus.scan.clean_corpus`
for the two phases.

By layer (docs/architecture.md) this package sits with the rules, but for two modules:
:mod:`~cleaner.corpus.model`, the plain data the engine passes to a corpus rule, belongs to
the rule core, and :mod:`~cleaner.corpus.within`, which runs the scans to judge one document
within its corpus, to the running layer."""
