"""Exercise ``glassbox_vs_posthoc``: "Interpretable by design vs post hoc" (German credit and a
generated data set with a known additive truth; an Explainable Boosting Machine against XGBoost
explained with TreeSHAP).

``public.py``: the context and the questions' declarations; ``grader/``: the planted truth
(``materialise``), references, checks, hints and rubrics (never shipped to candidates).
"""
