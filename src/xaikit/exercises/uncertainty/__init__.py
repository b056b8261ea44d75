"""Exercise ``uncertainty``: "How sure is that importance?" (generated data with a planted tie,
German credit).

``public.py``: the contexts (generated data and its five retrained XGBoost models, the credit
model, rows, seeds) and the questions' declarations; ``grader/``: the planted data
(``materialise``), references, checks, hints and rubrics (never shipped to candidates).
"""
