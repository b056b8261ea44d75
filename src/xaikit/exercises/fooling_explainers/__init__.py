"""``fooling_explainers``: audit a credit model that fools LIME and KernelSHAP.

The model is the scaffolding attack of Slack et al. (2020), "Fooling LIME and SHAP:
Adversarial Attacks on Post hoc Explanation Methods", AIES: an out-of-distribution detector
routes real-looking rows to a biased model (it uses the applicant's sex) and the perturbation
samples of LIME and KernelSHAP to an innocuous one. The candidate gets the composed model as a
black box and gathers evidence without trusting perturbations.
"""
