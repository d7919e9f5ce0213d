"""Corpus rules: boilerplate that is only visible across documents (a site's template,
a copied article). A corpus rule scans every document first and keeps compact
statistics (hashes and counts, never the texts), then judges each document with
them; see :mod:`cleaner.corpus.model` for the pieces and :func:`cleaner.corpus.scan.clean_corpus`
for the two phases."""
