"""Exercise ``pdp_ice``: "Feature effects: PDP, ICE, centered ICE, ALE" (bike sharing, GBM).

``public.py``: the context and the questions' declarations; ``grader.py``: references, checks,
hints and rubrics (never shipped to candidates).
"""
