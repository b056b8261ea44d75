"""Exercise ``shap_vs_lime``: "When SHAP and LIME disagree" (German credit, XGBoost).

``public.py``: the context and the questions' declarations; ``grader.py``: references, checks,
hints and rubrics (never shipped to candidates).
"""
