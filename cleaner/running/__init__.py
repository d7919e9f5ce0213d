"""A run over a corpus: planning units (:mod:`~cleaner.running.plan`), running them in workers
(:mod:`~cleaner.running.run`, :mod:`~cleaner.running.worker`, :mod:`~cleaner.running.parallel`),
committing each unit (:mod:`~cleaner.running.commit`, :mod:`~cleaner.running.state`), assembling the
outputs (:mod:`~cleaner.running.assemble`, :mod:`~cleaner.running.outputs`), and the one-document paths
(:mod:`~cleaner.running.single`, :mod:`~cleaner.running.finished_run`). Sits above the packs;
see docs/architecture.md."""
