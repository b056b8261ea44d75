"""Rubrics of the written questions of ``explanation_quality`` (grader side)."""
from __future__ import annotations

from xaikit.exercises.framework import Rubric

RUBRICS = {
    "q6": Rubric(
        criteria=(
            "names the explainer that ignores the model from the sanity checks: its explanation "
            "is identical (rank correlation 1) for the trained, the leaf-randomised and the "
            "label-permuted model, on both data sets, so it cannot be explaining the model "
            "(Adebayo et al. 2018)",
            "notes that this explainer's deletion / insertion areas and stability look as good "
            "as the others': it ranks by correlation with y, which agrees with the model on "
            "the linear features; good-looking metrics alone do not prove faithfulness",
            "reads stability correctly: the model-free and the seeded LIME explainer are the "
            "most stable; TreeSHAP's ranks of near-zero features move (most on German credit, "
            "with its many little-used features); stability is necessary, not sufficient (a "
            "constant explainer is perfectly stable)",
            "states the limits of deletion / insertion: replacing a feature by its mean makes "
            "off-manifold rows (correlated decoy), the result depends on the baseline, and "
            "TreeSHAP explains log-odds relative to the average prediction, not the effect of "
            "a jump to the mean row; so the areas do not rank TreeSHAP first everywhere",
            "uses the planted truth: which explainer puts the true support (including the "
            "|x| feature, which hardly correlates with y) on top and which credits the decoy"),
        strong="Four or five criteria tied to the notebook's own numbers (which letter, its "
               "correlations of 1.0, areas within a few hundredths of each other, the decoy "
               "or the |x| feature).",
        adequate="Flags the right explainer from the sanity checks and explains one limit of "
                 "the other metrics.",
        weak="Verdicts from the best area or the highest stability, or from reading the source "
             "code, without the randomisation evidence."),
    "q7": Rubric(
        criteria=(
            "on German credit the three explainers disagree on the top features and their "
            "areas are close: no single metric crowns one",
            "recommends TreeSHAP for this tree model (exact for the model, deterministic, "
            "passes the sanity checks) and says what it explains (log-odds relative to the "
            "average applicant, not causes)",
            "a process: run the sanity checks and deletion / insertion on every new model "
            "version, fix seeds and settings, monitor stability, document the baseline",
            "how to handle conflicts with a stakeholder: report the disagreement, prefer "
            "explanations validated against the model, never pick the explanation that tells "
            "the preferred story"),
        strong="A clear recommendation backed by the measurements, its limits, and a repeatable "
               "validation process.",
        adequate="A recommendation with one or two valid reasons and one process step.",
        weak="'Use all three' or 'the most stable one', or claims that an explanation shows "
             "causes."),
}
