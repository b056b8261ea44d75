"""Grading pipeline: small notebook transformations composed into build and grade.

- :mod:`xaikit.grading.notebook` — pure transformations of notebooks (strip solutions, clear
  outputs, read metadata, extract prose answers);
- :mod:`xaikit.grading.build` — solutions/ -> exercises/;
- :mod:`xaikit.grading.execute` — run a notebook in a fresh kernel with timeouts;
- :mod:`xaikit.grading.collect` — the cell that carries answers out of the kernel as JSON;
- :mod:`xaikit.grading.score` — checks in the grader's own process;
- :mod:`xaikit.grading.report` — report.json, report.md, summary.csv;
- :mod:`xaikit.grading.pipeline` — one submission end to end, and batches.
"""
