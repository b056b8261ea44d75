"""Grading pipeline: small notebook transformations composed into build and grade.

- :mod:`xaikit.grading.notebook` — pure transformations of notebooks (strip solutions, clear
  outputs, read metadata, extract prose answers);
- :mod:`xaikit.grading.build` — solutions/ -> exercises/;
- :mod:`xaikit.grading.sandbox` — the candidate's kernel: rlimits, own user id, scrubbed
  environment, private folder, bubblewrap namespaces where available;
- :mod:`xaikit.grading.execute` — run a notebook in that kernel with per-cell and total time
  limits and capped outputs;
- :mod:`xaikit.grading.collect` — the cells that carry answers out of the kernel as JSON (after
  every cell) and record file / network / process attempts;
- :mod:`xaikit.grading.score` — checks in the grader's own process;
- :mod:`xaikit.grading.integrity` — static flags, structure and stale-output checks;
- :mod:`xaikit.grading.manual` — the interviewer's scores (CSV / YAML);
- :mod:`xaikit.grading.report` — report.json, report.md, summary.csv
  (:mod:`~xaikit.grading.report_html` report.html);
- :mod:`xaikit.grading.timeline` — the work timeline from JupyterLab's recorded cell times,
  and the lab settings that record them;
- :mod:`xaikit.grading.dashboard` — the batch's index.html;
- :mod:`xaikit.grading.pipeline` — one submission end to end, and parallel batches.
"""
