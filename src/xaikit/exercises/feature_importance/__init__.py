"""Exercise ``feature_importance``: "Three importances, three answers" (bike sharing, forest).

``public.py``: the context and the questions' declarations; ``grader.py``: the planted columns'
generator and truth, references, checks, hints and rubrics (never shipped to candidates).
"""
