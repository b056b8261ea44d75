"""Counterfactual explanations: the decision rule and the recourse constraints (public).

Pure computation (no plotting, no widgets). What an exercise states, not what it asks or how
an answer is checked:

- A **decision** is ``deny`` when the model's probability of class 1 (denied) is at least
  ``threshold`` (default 0.5, probability scale, not log-odds). A counterfactual is **valid**
  when it flips a denial to an approval (probability < threshold); it is **fragile** when its
  probability is within ``FRAGILE_MARGIN`` (0.01) of the threshold.
- A feature is **changed** when ``|x'_j - x_j| > CHANGE_TOL``.
- **Constraints** come from :class:`xaikit.datasets.FeatureInfo`: immutable features must be
  exactly equal, ``direction`` ("decrease"/"increase") and ``range`` (low, high) respected,
  whole-number features (scores, 0/1 codes) stay whole.

The distance scale, the plausibility bound and the search for a minimal counterfactual are
what the exercise asks the candidate to compute, and checking a counterfactual against the
constraints is part of the grader's check: none of them is here. (The what-if editor,
:class:`xaikit.widgets.counterfactuals.CounterfactualEditor`, shows the constraints its own
sliders break.)

References
----------
Wachter, S., Mittelstadt, B. & Russell, C. (2017). Counterfactual explanations without opening
the black box: automated decisions and the GDPR. Harvard Journal of Law & Technology 31(2).
Ustun, B., Spangher, A. & Liu, Y. (2019). Actionable recourse in linear classification.
FAT* 2019 (immutable features and allowed directions).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: probability of denial at or above which an application is denied
THRESHOLD = 0.5
#: a valid counterfactual whose probability is within this of the threshold is "fragile"
FRAGILE_MARGIN = 0.01
#: a feature counts as changed when |x' - x| exceeds this (raw units; absorbs JSON/float noise)
CHANGE_TOL = 1e-9
#: tolerance of a range bound (raw units). The source file stores the ratios and ``uria`` as
#: single-precision numbers printed with 15 digits (``uria`` 3.59999990463257 is 3.6, the
#: lowest ``uria`` 1.79999995231628 is the range's 1.8), so bounds are compared within 1e-6.
RANGE_TOL = 1e-6
#: grid step of ratio features in the exercise's search (raw ratio units)
RATIO_STEP = 0.005


def deny_probability(model, X) -> np.ndarray:
    """Probability of denial (class 1), shape (n_samples,), probability scale.

    Parameters
    ----------
    model : fitted classifier with ``predict_proba`` (class 1 = denied)
    X : array-like of shape (n_samples, n_features)
    """
    return np.asarray(model.predict_proba(np.asarray(X, dtype=float))[:, 1], dtype=float)


@dataclass(frozen=True)
class Constraints:
    """Which features may change, which way and within which range (raw units).

    Attributes
    ----------
    names : tuple of str, length n_features
    mutable : ndarray of bool, shape (n_features,)
    direction : tuple of {"any", "increase", "decrease", "none"}
    low, high : ndarray of shape (n_features,)
        Plausible range (``FeatureInfo.range``); -inf/inf where the feature has none.
    integer : ndarray of bool, shape (n_features,)
        Features that only take whole values (scores, 0/1 codes).
    data_low, data_high : ndarray of shape (n_features,)
        Smallest and largest value observed in the data set.
    """

    names: tuple
    mutable: np.ndarray
    direction: tuple
    low: np.ndarray
    high: np.ndarray
    integer: np.ndarray
    data_low: np.ndarray
    data_high: np.ndarray

    @classmethod
    def from_dataset(cls, dataset) -> "Constraints":
        """The constraints of ``dataset.features`` (in ``dataset.X``'s column order)."""
        feats = [dataset.features[n] for n in dataset.X.columns]
        low = np.array([f.range[0] if f.range else -np.inf for f in feats], float)
        high = np.array([f.range[1] if f.range else np.inf for f in feats], float)
        X = np.asarray(dataset.X, dtype=float)
        integer = np.all(np.equal(np.mod(X, 1), 0), axis=0)
        return cls(names=tuple(f.name for f in feats),
                   mutable=np.array([f.mutable for f in feats], bool),
                   direction=tuple(f.direction for f in feats), low=low, high=high,
                   integer=integer, data_low=X.min(0), data_high=X.max(0))

    @property
    def mutable_names(self) -> list:
        return [n for n, m in zip(self.names, self.mutable) if m]

    @property
    def immutable_names(self) -> list:
        return [n for n, m in zip(self.names, self.mutable) if not m]
