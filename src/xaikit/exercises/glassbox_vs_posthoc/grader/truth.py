"""The planted truth of ``glassbox_vs_posthoc``: the generated data (:func:`materialise`) and the
true shape functions the checks compare the candidate's EBM with (grader side only).

Data card of the generated set (``variant_frame("glassbox_vs_posthoc", v, "synthetic")``)
------------------------------------------------------------------------------------------
- **Source**: simulated by :func:`materialise` with ``numpy.random.default_rng(31_000 +
  variant)``; no real person or record. Licence: same as the package.
- **Rows**: 2000, index 0..1999, independent draws.
- **Columns**: ``x1`` ... ``x6``, each independently uniform on [-1, 1] (unitless scores);
  ``y_additive`` and ``y_interaction`` (0/1 events).
- **Truth** (log-odds of the event): ``INTERCEPT + sum_j f_j(x_j)`` for ``y_additive``; four
  features carry a shape drawn from :data:`SHAPES` (linear, quadratic, sine, step, tanh, bump;
  each centred to mean 0 over U(-1, 1)), the other two are pure noise (``f_j = 0``). Which
  feature has which shape depends on the variant. ``y_interaction`` adds
  ``INTERACTION_STRENGTH * x_a * x_b`` for one pair (a, b) drawn per variant: a pure interaction
  (its main effects are 0 because the x are independent and centred), which no sum of
  one-feature functions can represent. Labels are Bernoulli draws from the logistic of the
  log-odds (one draw for each target, from the same generator).
- **Known issues**: a uniform design with independent features is kinder than real data: with
  correlated features an EBM's shapes (and SHAP values) are less identifiable.
"""
from __future__ import annotations

import numpy as np

FEATURES = ("x1", "x2", "x3", "x4", "x5", "x6")
N_ROWS = 2000
INTERCEPT = -0.3
#: coefficient of the planted product x_a * x_b, log-odds (variance of the term: 1)
INTERACTION_STRENGTH = 3.0
_BUMP_MEAN = float(np.sqrt(np.pi / 8) * __import__("math").erf(np.sqrt(8)) / 2)

#: the shape families, log-odds, each of mean 0 over U(-1, 1)
SHAPES = {
    "linear": lambda x: 1.6 * x,
    "quadratic": lambda x: 2.4 * (x ** 2 - 1 / 3),
    "sine": lambda x: 1.4 * np.sin(np.pi * x),
    "step": lambda x: 1.2 * np.sign(x),
    "tanh": lambda x: 1.6 * np.tanh(3 * x),
    "bump": lambda x: 2.5 * (np.exp(-8 * x ** 2) - _BUMP_MEAN),
}


def planted(variant: int) -> dict:
    """The variant's truth: ``{"shapes": {feature: family or None}, "pair": (a, b)}``.

    Drawn with ``default_rng(30_000 + variant)``: four distinct families for four of the six
    features (the other two are noise, ``None``), and the interacting pair (two distinct
    features, in column order).
    """
    rng = np.random.default_rng(30_000 + int(variant))
    families = list(rng.choice(sorted(SHAPES), 4, replace=False))
    informative = sorted(rng.choice(len(FEATURES), 4, replace=False))
    shapes = {f: None for f in FEATURES}
    for j, fam in zip(informative, families):
        shapes[FEATURES[j]] = str(fam)
    pair = tuple(FEATURES[j] for j in sorted(rng.choice(len(FEATURES), 2, replace=False)))
    return {"shapes": shapes, "pair": pair}


def true_shape(variant: int, feature: str, x) -> np.ndarray:
    """The true shape function ``f_j`` of ``feature`` at ``x`` (log-odds; zeros for noise)."""
    fam = planted(variant)["shapes"][feature]
    x = np.asarray(x, dtype=float)
    return np.zeros_like(x) if fam is None else SHAPES[fam](x)


def true_logit(variant: int, X, interaction: bool) -> np.ndarray:
    """The true log-odds of the event for the rows of ``X`` (columns ``FEATURES``)."""
    out = INTERCEPT + sum(true_shape(variant, f, X[f].to_numpy()) for f in FEATURES)
    if interaction:
        a, b = planted(variant)["pair"]
        out = out + INTERACTION_STRENGTH * X[a].to_numpy() * X[b].to_numpy()
    return np.asarray(out, float)


def materialise(variant: int) -> dict:
    """The variant's generated data: ``{"synthetic": DataFrame (2000, 8)}`` (see the module
    docstring for the card)."""
    import pandas as pd

    rng = np.random.default_rng(31_000 + int(variant))
    X = pd.DataFrame(rng.uniform(-1, 1, size=(N_ROWS, len(FEATURES))), columns=FEATURES)
    u = rng.random((N_ROWS, 2))
    frame = X.copy()
    for k, (name, inter) in enumerate((("y_additive", False), ("y_interaction", True))):
        p = 1 / (1 + np.exp(-true_logit(variant, X, inter)))
        frame[name] = (u[:, k] < p).astype("int64")
    return {"synthetic": frame}
