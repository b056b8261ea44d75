"""Global feature importance: a result type and a shuffle importance for exploring a model.

Public computation of the ``feature_importance`` explorer; no plotting. The importances the
exercise asks for (MDI, scikit-learn's permutation importance, mean |SHAP|, the group
permutation) are computed by the candidate with the libraries, and by the grader. Units are
explicit and differ between methods:

- MDI: share of the forest's total impurity (squared-error) reduction, sums to 1, no unit;
- permutation importance: increase of the mean absolute error when the feature is shuffled,
  **rentals per hour** (scoring ``"neg_mean_absolute_error"``);
- mean |SHAP|: mean absolute TreeSHAP value, **rentals per hour**.

References
----------
Breiman, L. (2001). Random forests. Machine Learning 45, 5-32 (MDI and permutation importance).
Strobl, C., Boulesteix, A.-L., Zeileis, A. & Hothorn, T. (2007). Bias in random forest variable
importance measures. BMC Bioinformatics 8, 25 (MDI favours high-cardinality features).
Fisher, A., Rudin, C. & Dominici, F. (2019). All models are wrong, but many are useful. JMLR 20
(model reliance, permutation of groups).
Lundberg, S. M. et al. (2020). From local explanations to global understanding with explainable
AI for trees. Nature Machine Intelligence 2, 56-67 (TreeSHAP, mean |SHAP|).
scikit-learn user guide, "Permutation feature importance" (section 4.2).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Scorer of every permutation importance here: importance = increase of MAE (rentals/hour).
SCORING = "neg_mean_absolute_error"


@dataclass
class ImportanceResult:
    """One importance per feature, with its spread.

    Attributes
    ----------
    method : str
        What was computed, e.g. "MDI", "permutation (test)", "mean |SHAP|".
    feature_names : list of str
    mean : ndarray of shape (n_features,)
    std : ndarray of shape (n_features,) or None
        MDI: standard deviation over the trees; permutation: over the repeats; None for mean
        |SHAP| (exact for the rows given).
    samples : ndarray of shape (n_features, n_repeats) or None
        The importance of each repeat (permutation importance only).
    unit : str
    """

    method: str
    feature_names: list
    mean: np.ndarray
    std: np.ndarray | None
    samples: np.ndarray | None
    unit: str

    def ranking(self) -> list:
        """Feature names, most important first (stable for ties)."""
        order = np.argsort(-self.mean, kind="stable")
        return [self.feature_names[i] for i in order]

    def to_series(self):
        import pandas as pd

        return pd.Series(self.mean, index=self.feature_names, name=self.method)

    def to_dict(self) -> dict:
        """Plain data (lists, str, None) for a JSON file; :meth:`from_dict` reads it back."""
        def plain(a):
            return None if a is None else np.asarray(a, float).tolist()

        return {"method": self.method, "feature_names": list(self.feature_names),
                "mean": plain(self.mean), "std": plain(self.std),
                "samples": plain(self.samples), "unit": self.unit}

    @classmethod
    def from_dict(cls, d: dict) -> "ImportanceResult":
        def arr(a):
            return None if a is None else np.asarray(a, float)

        return cls(str(d["method"]), [str(f) for f in d["feature_names"]], arr(d["mean"]),
                   arr(d["std"]), arr(d["samples"]), str(d["unit"]))


def mae(model, X, y) -> float:
    """Mean absolute error of ``model`` on ``(X, y)``, rentals per hour."""
    return float(np.mean(np.abs(np.asarray(y, float) - np.asarray(model.predict(X), float))))


def shuffle_importance(model, X, y, columns, *, n_repeats: int = 5, seed: int = 0,
                       label: str = "shuffled") -> ImportanceResult:
    """A quick permutation importance: each column of ``columns`` shuffled alone.

    Protocol: ``rng = numpy.random.default_rng(seed)``; for each repeat and each column in
    order, ``idx = rng.permutation(n_rows)`` and only that column takes the values
    ``X[column].to_numpy()[idx]``; importance = MAE(shuffled) - MAE(original). All shuffled
    copies are predicted in one batch. This is *not* scikit-learn's
    ``permutation_importance`` protocol (another random stream: the numbers differ from it
    by the seed-to-seed spread), and columns are never shuffled together.

    Parameters
    ----------
    model : fitted regressor
    X : pandas.DataFrame of shape (n_rows, n_features)
    y : array-like of shape (n_rows,)
        Rentals per hour.
    columns : list of str
        Columns of ``X`` to shuffle, one at a time.
    n_repeats : int, default 5
    seed : int, default 0
    label : str
        Name stored in ``method``.

    Returns
    -------
    ImportanceResult
        ``mean`` and ``std`` over the repeats, ``samples`` of shape (len(columns), n_repeats):
        MAE increase in rentals per hour.

    Raises
    ------
    KeyError
        For a column that is not in ``X``.

    References
    ----------
    Breiman (2001); Fisher, Rudin & Dominici (2019) (see the module docstring).
    """
    import pandas as pd

    columns = list(columns)
    missing = [c for c in columns if c not in X.columns]
    if missing:
        raise KeyError(f"columns not in X: {missing}")
    y = np.asarray(y, float)
    n = len(X)
    rng = np.random.default_rng(seed)
    base = X.to_numpy(dtype=float)
    blocks = []
    for _ in range(int(n_repeats)):
        for c in columns:
            j = X.columns.get_loc(c)
            Xp = base.copy()
            Xp[:, j] = base[rng.permutation(n), j]
            blocks.append(Xp)
    pred = np.asarray(model.predict(pd.DataFrame(np.vstack(blocks), columns=X.columns)), float)
    err = np.abs(pred.reshape(len(blocks), n) - y).mean(axis=1)
    samples = err.reshape(int(n_repeats), len(columns)).T - mae(model, X, y)
    return ImportanceResult(label, columns, samples.mean(axis=1), samples.std(axis=1), samples,
                            "rentals per hour (MAE increase)")
