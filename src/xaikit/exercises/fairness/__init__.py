"""``fairness``: a fairness audit of an income model trained without sex and race (UCI Adult):
group metrics with fairlearn and bootstrap intervals, the proxy for sex, an exact SHAP
decomposition of the gap in mean log-odds, one mitigation (ThresholdOptimizer) and its cost."""
