"""Exercise ``interactions`` ("Find the interaction"): SHAP interaction values, Friedman and
Popescu's H-statistic and 2-D partial dependence on a generated data set with a planted
pairwise term and a correlated-but-additive decoy pair, then the ``hr`` x ``workingday``
interaction of a bike-sharing model. Public part: :mod:`.public`; grader part: :mod:`.grader`.
"""
