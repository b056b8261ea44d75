"""Exercise ``drift``: explanation drift on a monitored stream of bike-sharing hours.

A fixed XGBoost model of rentals per hour, trained on the odd dates of 1 June - 15 July 2011,
watches ten half-month calendar windows (1 June - 31 October; the first three hold the even
dates of the training period: the audited control windows). The candidate computes mean |SHAP|
per window with a fixed background, KS drift statistics on the inputs and on the SHAP values,
alert thresholds calibrated on the control windows, the error per window, and a 2-D PCA view of
the attributions; then tells covariate shift (the inputs move) from concept drift (the
relation moves, the inputs do not).
"""
