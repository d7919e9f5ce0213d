"""Reading inputs and writing outputs.

:mod:`~cleaner.io.readers` finds input files and turns them into documents, with
:mod:`~cleaner.io.decode` (bytes to text) and :mod:`~cleaner.io.html` (main text of a
page). Each corpus format has its own streaming module: :mod:`~cleaner.io.compression`
(gzip and zstd, told by their first bytes), :mod:`~cleaner.io.jsonl`,
:mod:`~cleaner.io.parquet`, :mod:`~cleaner.io.warc`; :mod:`~cleaner.io.writers` writes
files atomically; :mod:`~cleaner.io.provenance` names and reads a run's provenance file.

The bottom layer, with :mod:`cleaner.document`: it imports nothing else of cleaner
(docs/architecture.md).
"""
