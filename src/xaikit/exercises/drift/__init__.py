"""Exercise ``drift``: explanation drift on a monitored stream of bike-sharing hours.

A fixed XGBoost model of rentals per hour, trained on the first half of 2011, watches ten
windows of later hours. The candidate computes mean |SHAP| per window with a fixed
background, KS drift statistics on the inputs and on the SHAP values, an alert threshold
calibrated on audited drift-free windows, the error per window, and a 2-D PCA view of the
attributions; then tells covariate shift (the inputs move) from concept drift (the relation
moves, the inputs do not). The planted windows are made by ``grader.materialise``.
"""
