"""Rubrics of the written questions of ``fairness`` (q8, q9)."""
from __future__ import annotations

from xaikit.exercises.framework import Rubric

RUBRICS = {
    "q8": Rubric(
        criteria=(
            "dropping `sex` did not remove it: the features predict sex with a high AUC "
            "(about 0.88 with a depth-4 tree), `relationship` (Husband/Wife) alone about 0.85, "
            "`marital_status` next",
            "the SHAP decomposition attributes most of the Male-Female gap in mean log-odds to "
            "relationship and marital_status, then hours_per_week, age and capital_gain",
            "the decomposition is exact (sums to the gap by local accuracy) but describes the "
            "model's use of features, not causes: it cannot say how much of the gap is "
            "'legitimate' (hours, capital gains) and how much is sex through a proxy",
            "'fairness through unawareness' fails when proxies exist; removing the proxy "
            "features too would still leave correlated information and cost accuracy"),
        strong="Three or four criteria with the notebook's numbers (AUC, the top contributions, "
               "the gap in log-odds) and the limit that attribution is not causation.",
        adequate="Says the proxies carry sex and names relationship / marital_status; little "
                 "on what the decomposition can and cannot show.",
        weak="Claims the model is fair because sex is not an input, or reads the SHAP "
             "decomposition as a causal split of the discrimination."),
    "q9": Rubric(
        criteria=(
            "states the findings with their uncertainty: selection rates by sex, the DP "
            "difference with its bootstrap interval (excludes 0), the disparate-impact ratio "
            "far below the four-fifths (0.8) rule of thumb, the TPR/FPR gaps",
            "covers the second attribute with its interval (and whether it excludes 0)",
            "explains the proxy mechanism in plain words (household role encodes sex)",
            "reports the mitigation: DP difference after ThresholdOptimizer, its accuracy cost, "
            "and that it uses sex at decision time (legal question; disparate treatment) and is "
            "randomised; equalised odds may worsen or the base-rate difference remains",
            "recommends a decision and next steps: which fairness criterion applies to the use "
            "case, monitoring, documentation, data issues (1994 census coding, fnlwgt, binary "
            "sex), owner and sign-off"),
        strong="A committee-ready note (findings, uncertainty, mechanism, options with costs, "
               "a recommendation and its conditions) using the notebook's numbers, no jargon "
               "without a definition.",
        adequate="Findings and the mitigation with numbers; the trade-offs or the legal point "
                 "of using sex at decision time are missing.",
        weak="Numbers without interpretation, or 'the model is biased, apply the fix' with no "
             "uncertainty, costs or criterion."),
}
