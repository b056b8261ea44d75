"""Rubrics of the written questions of ``reason_codes``."""
from xaikit.exercises.framework import Rubric

RUBRICS = {
    "q6": Rubric(
        criteria=(
            "reads q1: the unconstrained model's PDP contradicts the policy (e.g. small credit "
            "amounts raise the risk, a step of about 1 log-odds), the constrained one never does",
            "explains why it matters for reasons: a reason must be consistent and actionable; "
            "a non-monotone effect can blame the same value for one applicant and credit it for "
            "another, and reasons can reverse between nearby applicants",
            "compares held-out performance (AUC close; the constraint costs little here) and "
            "says what the constraint can hide (a real U-shape, e.g. very small loans to weak "
            "applicants: check it with the data before calling it noise)",
            "recommends the constrained model for adverse-action notices, with the policy "
            "owner's sign-off on each constraint"),
        strong="Uses the q1 numbers, weighs performance against consistency, questions whether "
               "the domain constraint is right, and recommends with a reason.",
        adequate="Prefers the constrained model with one valid reason.",
        weak="'Constraints make the model worse/better' without evidence, or no recommendation."),
    "q7": Rubric(
        criteria=(
            "method: interventional TreeSHAP (exact for trees, no sampling) of the constrained "
            "model's margin in log-odds; grouped by concept by summing (additivity); at most "
            "four concepts with a positive sum, largest first",
            "reference: the stated population (100 approved training applicants; what the "
            "applicant is compared with), the base value = its mean log-odds; reasons change if "
            "the reference changes",
            "exclusions: protected attributes never stated but STILL USED by the model (a fair-"
            "lending finding to escalate, not hidden by excluding them from the notice); the "
            "policy-excluded telephone feature verified unused",
            "limits: explains the model, not causes; correlated features (amount and duration) "
            "share credit, which grouping mitigates; log-odds, not probability; a protected "
            "attribute's share is not redistributed to stated reasons",
            "validation: local accuracy checked, monotonicity verified on a grid, reasons "
            "stable under a different reference sample, reviewed notices, a re-run when the "
            "model is retrained"),
        strong="Covers method, reference, exclusions, limits and validation precisely enough "
               "that a reviewer could reproduce the reasons, and flags that the model uses "
               "protected attributes.",
        adequate="Method and reference stated; some limits; validation thin.",
        weak="Describes SHAP in general terms, no reference population, or claims the reasons "
             "are causes."),
}
