"""Exercise ``distillation``: "Distil the black box" (bike sharing 2011, XGBoost teacher).

``public.py``: the context and the questions' declarations; ``grader.py``: references, checks,
hints, rubrics and the choice of each variant's target and grouping (never shipped to
candidates).
"""
