"""Exercise ``counterfactuals``: "Minimal recourse under constraints" (Boston HMDA, XGBoost).

``public.py``: the context and the questions' declarations; ``grader.py``: the exhaustive
search, references, checks, hints and rubrics (never shipped to candidates).
"""
