"""Rubrics of the prose questions of ``glassbox_vs_posthoc`` (grader side)."""
from __future__ import annotations

from xaikit.exercises.framework import Rubric

RUBRICS = {
    "q6": Rubric(
        criteria=(
            "an EBM without pairs is a GAM: logit = intercept + sum of one-feature functions; "
            "a pure interaction such as c * x_a * x_b has no main effect, so every main-effect "
            "shape stays flat for it and the signal is lost (AUC gap to XGBoost in q4)",
            "XGBoost's trees model the product; SHAP spreads it over the two features (the "
            "vertical spread in a SHAP dependence plot), so post hoc does not hide it but "
            "does not name it either",
            "turning pairs on (FAST selection) recovers the AUC and names the pair; q5's share "
            "says how much of the prediction no longer reads off 1-D curves",
            "readability cost: 2-D heat maps instead of curves, more terms to review, a "
            "feature's effect now spread over its main term and its pairs (purification), "
            "pairs chosen by a greedy heuristic, limited to the N_PAIRS asked for"),
        strong="Explains why the additive model cannot fit the product (no main effect), uses "
               "the notebook's AUCs and pair share, and names at least two concrete "
               "readability costs of pairwise terms.",
        adequate="Says the EBM lacks the interaction and that pairs fix it at some cost, "
                 "with one concrete cost.",
        weak="'The EBM is less accurate' without the mechanism, or claims pairs are free."),
    "q7": Rubric(
        criteria=(
            "makes a clear recommendation for the credit decision and backs it with q1: on "
            "German credit the EBM's held-out AUC is within noise of XGBoost's (300 test rows: "
            "a difference of ~0.01-0.02 is not significant)",
            "the glass box's explanation IS the model (exact, global and local, auditable, "
            "editable shapes: e.g. monotonicity can be checked or enforced); TreeSHAP explains "
            "a black box post hoc (exact for the model, but one more layer to validate, "
            "background/reference choices, correlated features share credit)",
            "regulatory hooks: adverse-action reasons (ECOA/Reg B), GDPR Art. 22 / EU AI Act "
            "high-risk (credit scoring) transparency, model-risk management (SR 11-7): "
            "documentation, validation, monitoring",
            "states the limits: interactions (q4) — check for them and add a few reviewed "
            "pairs if they matter; shapes are associations, not causes; protected attributes "
            "(personal_status_sex, age, foreign_worker) appear in shapes and need a fairness "
            "review; EBM shapes can be jagged on sparse bins"),
        strong="Recommends the EBM (or justifies the opposite with numbers), ties it to the "
               "measured AUCs and to named regulatory needs, and lists the checks it still "
               "needs (interactions, protected attributes, monotonicity, monitoring).",
        adequate="A recommendation with one or two valid reasons; regulation mentioned only in "
                 "general.",
        weak="No recommendation, 'use the most accurate model', or 'SHAP makes any model "
             "compliant' without discussing what must be validated."),
}
