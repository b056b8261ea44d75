"""Rubrics of the prose questions of ``fooling_explainers`` (q5, q6)."""
from __future__ import annotations

from xaikit.exercises.framework import Rubric

RUBRICS = {
    "q5": Rubric(
        criteria=(
            "LIME and KernelSHAP rank personal_status_sex low (q1) while a flip of sex alone "
            "changes many decisions on real rows and the controls change none (q2)",
            "the explainers query the model on synthetic rows: LIME samples features "
            "independently (continuous values within quartile bins), KernelSHAP mixes the row "
            "with the background (here non-whole means); those rows are off the data manifold "
            "(q3: an independent detector flags far more of them than of real rows)",
            "names the mechanism: a model can detect such rows and answer them differently "
            "(Slack et al. 2020 scaffolding), so the explanation describes the innocuous "
            "behaviour, not the one real applicants get",
            "points at the feature the explainers show instead (the same top feature on every "
            "audit row) as the likely innocuous stand-in",
            "separates evidence from proof: flips are on real rows, but a flipped row is itself "
            "a counterfactual (sex with another marital status); the detector's share depends "
            "on the detector"),
        strong="Ties q1, q2 and q3 together with the numbers into the scaffolding mechanism, "
               "names the innocuous stand-in and states one limit of the evidence.",
        adequate="The flip test contradicts the explanations and the samples are "
                 "off-distribution, without the mechanism or the numbers.",
        weak="Trusts the explanations, or says 'LIME is unstable' without the evidence."),
    "q6": Rubric(
        criteria=(
            "access beyond predict on synthetic rows: the model's code/artefact, training data "
            "and pipeline (here a determined auditor could even read the model file)",
            "tests on real or on-manifold rows: flip / counterfactual tests of protected "
            "attributes and proxies, group outcome metrics (demographic parity, equalised odds)",
            "explanations computed on-manifold or model-internal: TreeSHAP / interventional "
            "SHAP with real background, conditional samplers; report the explainers' settings",
            "detect the attack: compare predictions on perturbed vs real rows, check whether "
            "the model behaves differently off-manifold, keep a hold-out of audit queries the "
            "vendor does not see",
            "governance: versioned, hashed model under audit equals the deployed one; "
            "monitoring; the protected attribute should not be an input (and proxies checked)"),
        strong="At least four concrete requirements, with why each defeats this attack, "
               "including that the audited model must be the deployed one.",
        adequate="Two or three valid requirements.",
        weak="'Use SHAP instead of LIME' (KernelSHAP was fooled too) or no requirement."),
}
