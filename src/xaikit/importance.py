"""Global feature importance: a result type and the explorer's shuffle importance.

Public computation of the ``feature_importance`` explorer; no plotting. Every function takes
the exercise's context, never rows, columns or a seed: it computes on the explorer's own
samples (300 training and 300 held-out rows disjoint from the questions' samples), for the 12
UCI columns only, with the explorer's own seed and repeats. The importances the exercise asks
for (MDI, scikit-learn's permutation importance, mean |SHAP|, the group permutation) are
computed by the candidate with the libraries, and by the grader. Units are explicit and differ
between methods:

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


def explorer_rows(ctx) -> tuple:
    """The explorer's samples of a ``feature_importance`` context, after checking that they are
    its variant's (rows disjoint from the questions' samples): ``(X_train, y_train, X_test,
    y_test, columns)``, 300 rows each, ``columns`` the 12 UCI columns (never the joined ones).

    Raises
    ------
    TypeError
        If ``ctx`` is not a ``feature_importance`` context.
    ValueError
        If its row selections or explorer seed are not its variant's.
    """
    from xaikit.exercises.feature_importance.public import (FeatureImportanceContext,
                                                            explore_seed, sample_positions)

    ctx = ctx if isinstance(ctx, FeatureImportanceContext) else getattr(ctx, "ctx", None)
    if not isinstance(ctx, FeatureImportanceContext):
        raise TypeError("xaikit.importance works on a feature_importance context (ex.context) "
                        "only")
    t = ctx.trained
    pos = sample_positions(ctx.variant, len(t.X_train), len(t.X_test))
    own = (np.array_equal(ctx.train_positions, pos["train"])
           and np.array_equal(ctx.test_positions, pos["test"])
           and np.array_equal(ctx.explore_train_positions, pos["explore_train"])
           and np.array_equal(ctx.explore_test_positions, pos["explore_test"])
           and ctx.explore_seed == explore_seed(ctx.variant))
    if not own:
        raise ValueError("the context's rows or seed are not those of its variant: the "
                         "explorer computes on its own samples only")
    uci = set(t.dataset.X.columns)
    columns = [c for c in t.X_train.columns if c in uci]
    return (t.X_train.iloc[pos["explore_train"]], t.y_train.iloc[pos["explore_train"]],
            t.X_test.iloc[pos["explore_test"]], t.y_test.iloc[pos["explore_test"]], columns)


def shuffle_importance(ctx, sample: str) -> ImportanceResult:
    """The explorer's quick permutation importance of the 12 UCI columns on one of its samples.

    Rows: the explorer's 300 training (``sample="train"``) or 300 held-out (``"test"``) rows of
    :func:`explorer_rows`, never the questions' samples; the joined columns are never shuffled.
    Protocol: ``rng = numpy.random.default_rng(ctx.explore_seed)``; for each of
    ``EXPLORE_REPEATS`` (5) repeats and each column in order, ``idx = rng.permutation(300)``
    and only that column takes the values ``X[column].to_numpy()[idx]``; importance =
    MAE(shuffled) - MAE(original). All shuffled copies are predicted in one batch. This is
    *not* scikit-learn's ``permutation_importance`` protocol (another random stream), and
    columns are never shuffled together.

    Parameters
    ----------
    ctx : xaikit.exercises.feature_importance.public.FeatureImportanceContext
        The exercise's context (``ex.context``).
    sample : {"train", "test"}

    Returns
    -------
    ImportanceResult
        ``mean`` and ``std`` over the repeats, ``samples`` of shape (12, 5): MAE increase in
        rentals per hour.

    References
    ----------
    Breiman (2001); Fisher, Rudin & Dominici (2019) (see the module docstring).
    """
    import pandas as pd

    from xaikit.exercises.feature_importance.public import EXPLORE_REPEATS

    X_tr, y_tr, X_te, y_te, columns = explorer_rows(ctx)
    if sample not in ("train", "test"):
        raise ValueError('sample must be "train" or "test"')
    X, y = (X_tr, y_tr) if sample == "train" else (X_te, y_te)
    label = "shuffled, other training rows" if sample == "train" else \
        "shuffled, other held-out rows"
    model = ctx.trained.model
    y = np.asarray(y, float)
    n = len(X)
    rng = np.random.default_rng(ctx.explore_seed)
    base = X.to_numpy(dtype=float)
    blocks = [base]
    for _ in range(EXPLORE_REPEATS):
        for c in columns:
            j = X.columns.get_loc(c)
            Xp = base.copy()
            Xp[:, j] = base[rng.permutation(n), j]
            blocks.append(Xp)
    pred = np.asarray(model.predict(pd.DataFrame(np.vstack(blocks), columns=X.columns)), float)
    err = np.abs(pred.reshape(len(blocks), n) - y).mean(axis=1)
    samples = err[1:].reshape(EXPLORE_REPEATS, len(columns)).T - err[0]
    return ImportanceResult(label, columns, samples.mean(axis=1), samples.std(axis=1), samples,
                            "rentals per hour (MAE increase)")
