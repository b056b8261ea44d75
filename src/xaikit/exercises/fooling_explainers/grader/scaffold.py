"""The planted scaffold of ``fooling_explainers`` (grader side: the truth of the exercise).

Slack, Hilgard, Jia, Singh & Lakkaraju (2020), "Fooling LIME and SHAP: Adversarial Attacks on
Post hoc Explanation Methods", AIES: an out-of-distribution (OOD) detector, trained to tell
real rows from perturbation samples, routes real rows to a *biased* model and off-manifold rows
to an *innocuous* one. Here:

- biased model: score = [woman] + [duration > d months] + [checking account < 0 DM], with d
  drawn per variant from :data:`DURATION_CUTS`;
- innocuous model: the same with [woman] replaced by the variant's innocuous feature above a
  threshold (:data:`INNOCUOUS`);
- P(bad) = (0.15, 0.45, 0.75, 0.90)[score]: declined (P >= 0.5) when score >= 2;
- OOD detector: a depth-3 ``DecisionTreeClassifier`` on the 20 columns plus the number of
  non-whole values (:func:`xaikit.fooling.non_integer_count`), trained on ``X_train`` (real)
  against Slack-style perturbations of it (Gaussian noise on the numeric columns, as LIME;
  features replaced by the training mean, as KernelSHAP with a mean background).

The composed model is written as one node table (:func:`compose`), read by the public
:class:`xaikit.fooling.NodeTableModel`.
"""
from __future__ import annotations

import numpy as np

from xaikit.exercises.fooling_explainers.public import FEMALE_CODE, SENSITIVE
from xaikit.fooling import N_NON_INTEGER, non_integer_count

#: innocuous feature -> threshold (the model declines more above it); one drawn per variant
INNOCUOUS = {"residence_since": 2.5, "installment_rate": 2.5, "existing_credits": 1.5,
             "job": 1.5}
#: the duration cut-offs (months) one is drawn from per variant (``default_rng(42_000 + v)``)
DURATION_CUTS = (12.0, 15.0, 18.0, 21.0, 24.0, 30.0)


def shared_conditions(variant: int) -> list:
    """The legitimate conditions both models share, ``(feature, low, high)`` = low < x <= high:
    a long loan and a negative checking balance."""
    cut = float(np.random.default_rng(42_000 + int(variant)).choice(DURATION_CUTS))
    return [("duration_months", cut, np.inf), ("checking_status", -np.inf, 0.5)]
#: P(bad) by score 0..3
P_BY_SCORE = (0.15, 0.45, 0.75, 0.90)
DETECTOR_DEPTH = 3


def innocuous_feature(variant: int) -> str:
    """The variant's innocuous feature (``default_rng(40_000 + variant)``)."""
    rng = np.random.default_rng(40_000 + int(variant))
    return str(rng.choice(sorted(INNOCUOUS)))


def perturbations(X, rng) -> np.ndarray:
    """Slack-style perturbation samples of the rows ``X`` (n, p): as many LIME-like rows
    (N(0, 0.3 sd) noise on the numeric columns) as KernelSHAP-like rows (a random non-empty
    subset of columns replaced by the column means). Shape (2n, p)."""
    from xaikit.datasets import load_german_credit

    A = np.asarray(X, float)
    n, p = A.shape
    numeric = [i for i in range(p) if i not in load_german_credit().categorical_indices]
    lime_like = A.copy()
    lime_like[:, numeric] += rng.normal(0, 0.3, (n, len(numeric))) * A[:, numeric].std(0)
    shap_like = A.copy()
    for i in range(n):
        k = rng.integers(1, p)
        cols = rng.choice(p, k, replace=False)
        shap_like[i, cols] = A[:, cols].mean(0)
    return np.vstack([lime_like, shap_like])


def train_detector(X_train, variant: int):
    """The variant's OOD detector: class 1 = perturbation sample. Trained on the 20 columns
    plus the non-whole count; ``DecisionTreeClassifier(max_depth=3, random_state=variant)``."""
    from sklearn.tree import DecisionTreeClassifier

    rng = np.random.default_rng(41_000 + int(variant))
    real = np.asarray(X_train, float)
    fake = perturbations(real, rng)
    A = np.vstack([real, fake])
    A = np.column_stack([A, non_integer_count(A)])
    y = np.r_[np.zeros(len(real)), np.ones(len(fake))]
    return DecisionTreeClassifier(max_depth=DETECTOR_DEPTH, random_state=int(variant)).fit(A, y)


class _Nodes:
    def __init__(self):
        self.rows = []

    def add(self, feature="", threshold=np.nan, p1=np.nan):
        self.rows.append({"feature": feature, "threshold": threshold, "left": -1, "right": -1,
                          "p1": p1})
        return len(self.rows) - 1

    def split(self, node, left, right):
        self.rows[node]["left"], self.rows[node]["right"] = left, right


def _interval(nodes, feature, low, high, yes, no):
    """Nodes testing ``low < x[feature] <= high``; ``yes``/``no`` build the two outcomes."""
    if np.isfinite(low) and np.isfinite(high):
        top = nodes.add(feature, low)
        inner = nodes.add(feature, high)
        nodes.split(top, no(), inner)
        nodes.split(inner, yes(), no())
        return top
    if np.isfinite(low):
        top = nodes.add(feature, low)
        nodes.split(top, no(), yes())
        return top
    top = nodes.add(feature, high)
    nodes.split(top, yes(), no())
    return top


def _score_tree(nodes, conditions, score=0):
    if not conditions:
        return nodes.add(p1=P_BY_SCORE[score])
    (f, lo, hi), rest = conditions[0], conditions[1:]
    return _interval(nodes, f, lo, hi, lambda: _score_tree(nodes, rest, score + 1),
                     lambda: _score_tree(nodes, rest, score))


def model_conditions(variant: int) -> dict:
    """The conditions of both models: ``{"biased": [...], "innocuous": [...]}``."""
    f = innocuous_feature(variant)
    shared = shared_conditions(variant)
    return {"biased": [(SENSITIVE, FEMALE_CODE - 0.5, FEMALE_CODE + 0.5), *shared],
            "innocuous": [(f, INNOCUOUS[f], np.inf), *shared]}


def compose(variant: int, X_train, feature_names):
    """The composed model as a node table (pandas.DataFrame, one row per node, root 0)."""
    import pandas as pd

    tree = train_detector(X_train, variant).tree_
    names = list(feature_names) + [N_NON_INTEGER]
    conds = model_conditions(variant)
    nodes = _Nodes()

    def copy(i):
        if tree.children_left[i] < 0:
            p_fake = tree.value[i][0][1] / tree.value[i][0].sum()
            return _score_tree(nodes, conds["innocuous" if p_fake >= 0.5 else "biased"])
        top = nodes.add(names[tree.feature[i]], float(tree.threshold[i]))
        nodes.split(top, copy(tree.children_left[i]), copy(tree.children_right[i]))
        return top

    copy(0)
    return pd.DataFrame(nodes.rows).rename_axis("node")


def materialise(variant: int) -> dict:
    """The variant's files: ``{"model": node table}`` (see :func:`compose`)."""
    from xaikit.models import credit_model

    t = credit_model()
    return {"model": compose(variant, t.X_train, list(t.X_train.columns))}
