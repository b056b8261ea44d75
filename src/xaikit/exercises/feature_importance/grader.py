"""Grader part of ``feature_importance``: planted columns, references, checks, hints, rubrics.

Never shipped to candidates, never importable in the grading kernel.

The planted truth: of the three columns joined to the bike-sharing data (:func:`materialise`),
two are pure noise drawn independently of everything else (a high-cardinality random ID and a
random low-cardinality code), one is an informative commute-peak flag; their names come from
one neutral pool (:data:`JOINED_NAMES`), drawn independently of the roles. The references are
computed from the same model and rows as the notebook: MDI, scikit-learn's
``permutation_importance`` (neg. MAE, ``n_repeats``, ``random_state=pi_seed``) on the training
and held-out samples, mean |SHAP| (path-dependent TreeSHAP) on ``X_shap``, and the group
permutation of ``temp`` + ``atemp``. Importances are in rentals per hour except MDI.
Tolerances are calibrated in ``tests/test_calibration_feature_importance.py`` (20 cases).

References
----------
Breiman, L. (2001). Random forests. Machine Learning 45, 5-32 (MDI and permutation importance).
Strobl, C. et al. (2007). Bias in random forest variable importance measures. BMC
Bioinformatics 8, 25 (MDI favours high-cardinality features).
Fisher, A., Rudin, C. & Dominici, F. (2019). All models are wrong, but many are useful. JMLR 20
(model reliance, permutation of groups).
Lundberg, S. M. et al. (2020). From local explanations to global understanding with explainable
AI for trees. Nature Machine Intelligence 2, 56-67 (TreeSHAP, mean |SHAP|).
"""
from __future__ import annotations

from functools import cached_property

import numpy as np

from xaikit.exercises.feature_importance.public import GROUP
from xaikit.exercises.framework import (AnswerFormatError, Rubric, as_array, as_float, close,
                                        correct, incorrect, partial)
from xaikit.importance import SCORING, ImportanceResult

#: MDI and permutation importances: same model, same rows, same seed give bit-identical
#: numbers; this only absorbs float64 summation order.
TOL_EXACT = 1e-12
#: mean |SHAP|, rentals per hour: TreeSHAP of a forest in float64 (observed local-accuracy
#: error ~1e-12 over 20 cases); loose enough for a per-row vs batched computation.
TOL_SHAP = 1e-6
#: group importance computed with another random permutation stream than the stated protocol
#: (another seed or generator), rentals per hour. The mean over n_repeats repeats varies with
#: the seed by a standard deviation of ~0.7 (20 seeds); 3.0 is ~4 standard deviations, and the
#: typical mistakes (sum of the single importances, one column only) are >= 5 away.
TOL_GROUP = 3.0
#: "group >= larger single importance" may fail by at most this much (rentals per hour).
TOL_GROUP_ORDER = 0.05
#: a group importance this close to 0 is the index-alignment no-op (nothing was shuffled).
TOL_NO_OP = 1e-9
#: q3's stated rule (:func:`noise_by_rule`): a joined column is pure noise when its Spearman
#: p-value with rentals on the training rows is at least NOISE_P_MIN (no relation beyond
#: chance) and its mean held-out permutation importance is below NOISE_MAX_HELDOUT rentals per
#: hour (the model gains nothing from it on new rows). Over 20 variants
#: (tests/test_calibration_feature_importance.py) the noise columns' p-values are >= 0.02 and
#: their held-out importances <= 0.5, the informative flag's p-values <= 1e-60 and its held-out
#: importance >= 5.5: the rule finds exactly the planted columns. "Within 2 std of 0" is not
#: used: the std over the repeats holds only the shuffles' randomness on the 300 rows, and a
#: noise column exceeds it in 2 of 20 variants.
NOISE_P_MIN = 1e-3
NOISE_MAX_HELDOUT = 1.0


# --- the planted columns (the truth of q3) ---------------------------------------------------

#: Names of the joined columns: ONE neutral pool for all three roles (names an operations table
#: could have; none suggests a record ID, a version, a time or a peak). Each variant draws three
#: distinct names with ``default_rng(9_000 + variant)`` and gives them the roles in the order
#: drawn, so a name says nothing about its column's role: the values must.
JOINED_NAMES = ("depot_code", "crew_zone", "route_group", "dock_status", "audit_mark",
                "fleet_tag", "service_class", "ops_category", "station_tier", "ledger_code")


def joined_names(variant: int) -> tuple:
    """The variant's three joined names by role: ``(id_name, code_name, flag_name)``, three
    distinct draws from :data:`JOINED_NAMES` (``default_rng(9_000 + variant)``)."""
    rng = np.random.default_rng(9_000 + int(variant))
    return tuple(str(n) for n in rng.choice(JOINED_NAMES, 3, replace=False))


def planted_columns(variant: int) -> tuple:
    """The names of the two pure-noise columns of ``variant``, the ID first."""
    return joined_names(variant)[:2]


def materialise(variant: int) -> dict:
    """The variant's joined columns: ``{"joined": DataFrame (8645, 3)}``, bike-sharing index.

    Names: :func:`joined_names` (one neutral pool, roles drawn independently of the names).

    - a high-cardinality random ID: a random permutation of 100000 ... 100000 + n - 1
      (``default_rng(7_000 + variant)``), a distinct value in every row: pure noise;
    - a low-cardinality random code, uniform on ``{0, ..., k - 1}`` with ``k = 3 + variant % 4``
      (same generator): pure noise;
    - a commute-peak flag (1 on working days at 7, 8, 17 and 18 h) with 10 % of its values
      flipped (``default_rng(8_000 + variant)``): related to rentals, so **not** noise (though
      redundant given ``hr`` x ``workingday``).

    The noise columns are drawn independently of the data, so they carry no information about
    rentals. The columns come in a variant-dependent order (the model's column order).
    """
    import pandas as pd

    from xaikit.datasets import load_bikeshare

    X = load_bikeshare().X
    variant, n = int(variant), len(X)
    rng = np.random.default_rng(7_000 + variant)
    id_name, low_name, flag = joined_names(variant)
    cols = {id_name: (100_000 + rng.permutation(n)).astype("float64"),
            low_name: rng.integers(0, 3 + variant % 4, size=n).astype("float64")}
    rng = np.random.default_rng(8_000 + variant)
    peak = (X["workingday"].to_numpy() == 1) & np.isin(X["hr"].to_numpy(), (7, 8, 17, 18))
    cols[flag] = (peak ^ (rng.random(n) < 0.10)).astype("float64")
    added = [id_name, low_name, flag]
    order = [added[i] for i in rng.permutation(3)]
    return {"joined": pd.DataFrame({c: cols[c] for c in order}, index=X.index)}


# --- the importances the questions ask for (references) --------------------------------------

def mae(model, X, y) -> float:
    """Mean absolute error of ``model`` on ``(X, y)``, rentals per hour."""
    return float(np.mean(np.abs(np.asarray(y, float) - np.asarray(model.predict(X), float))))


def mdi(forest, feature_names) -> ImportanceResult:
    """Impurity-based importance (MDI) of a fitted forest: ``forest.feature_importances_``.

    The spread is the standard deviation of each tree's own ``feature_importances_`` (as in
    scikit-learn's example "Feature importances with a forest of trees"). ``mean`` sums to 1
    (share of the total impurity reduction on the training data). Breiman (2001).
    """
    per_tree = np.array([t.feature_importances_ for t in forest.estimators_])
    return ImportanceResult("MDI", list(feature_names),
                            np.asarray(forest.feature_importances_, float),
                            per_tree.std(axis=0), None, "share of impurity reduction")


def permutation(model, X, y, *, n_repeats: int = 10, seed: int = 0,
                label: str = "permutation") -> ImportanceResult:
    """Permutation importance by ``sklearn.inspection.permutation_importance``.

    Called with ``scoring=SCORING`` (neg. MAE), ``n_repeats``, ``random_state=seed`` and
    ``n_jobs=1``: the same call gives bit-identical numbers. ``mean``, ``std`` (over repeats)
    and ``samples`` (n_features, n_repeats) are MAE increases in rentals per hour.
    Breiman (2001); scikit-learn user guide, "Permutation feature importance".
    """
    from sklearn.inspection import permutation_importance

    r = permutation_importance(model, X, y, scoring=SCORING, n_repeats=n_repeats,
                               random_state=seed, n_jobs=1)
    return ImportanceResult(label, list(X.columns), np.asarray(r.importances_mean, float),
                            np.asarray(r.importances_std, float),
                            np.asarray(r.importances, float), "rentals per hour (MAE increase)")


def group_permutation(model, X, y, columns, *, n_repeats: int = 10, seed: int = 0,
                      align_by_index: bool = False) -> np.ndarray:
    """Permutation importance of a group of columns shuffled **together** (one row order).

    ``permutation_importance`` permutes one column at a time; for a group, the columns keep
    their joint distribution (their correlation) while their link to the other features and
    the target is broken. Protocol: ``rng = numpy.random.default_rng(seed)``; for each repeat,
    ``idx = rng.permutation(n_rows)`` and the group takes the values
    ``X[columns].to_numpy()[idx]`` (a numpy array: assigning a DataFrame such as
    ``X[columns].iloc[idx]`` aligns its rows back by index label, so nothing moves);
    importance = MAE(permuted) - MAE(original). Fisher, Rudin & Dominici (2019).

    Parameters
    ----------
    model : fitted regressor
    X : pandas.DataFrame of shape (n_rows, n_features)
    y : array-like of shape (n_rows,)
    columns : list of str
    n_repeats, seed : int
    align_by_index : bool, default False
        Reproduce the index-alignment mistake (assign ``X[columns].iloc[idx]``): every repeat
        gives exactly 0. For the checks' tests.

    Returns
    -------
    ndarray of shape (n_repeats,)
        MAE increase of each repeat, rentals per hour.
    """
    rng = np.random.default_rng(seed)
    base = mae(model, X, y)
    columns = list(columns)
    out = np.empty(n_repeats)
    for r in range(n_repeats):
        idx = rng.permutation(len(X))
        Xp = X.copy()
        Xp[columns] = X[columns].iloc[idx] if align_by_index else X[columns].to_numpy()[idx]
        out[r] = mae(model, Xp, y) - base
    return out


def mean_abs_shap(model, X) -> tuple:
    """Mean |SHAP| per feature over the rows of ``X`` (path-dependent TreeSHAP,
    ``shap.TreeExplainer(model)``, no background data). Lundberg et al. (2020).

    Returns
    -------
    (ImportanceResult, ndarray of shape (n_rows, n_features))
        The mean |SHAP value| per feature (rentals per hour) and the SHAP values themselves.
    """
    import shap

    sv = np.asarray(shap.TreeExplainer(model).shap_values(X), float)
    return (ImportanceResult("mean |SHAP|", list(X.columns), np.abs(sv).mean(axis=0), None,
                             None, "rentals per hour"), sv)


def noise_by_rule(X_train, y_train, perm_test: ImportanceResult, columns) -> list:
    """q3's stated rule: the columns of ``columns`` that are pure noise by the evidence.

    Column ``c`` is pure noise when ``scipy.stats.spearmanr(X_train[c], y_train)`` has a
    p-value ``>= NOISE_P_MIN`` and its mean held-out permutation importance (``perm_test``,
    rentals per hour) is ``< NOISE_MAX_HELDOUT``. Returns the names in the order of
    ``columns``.
    """
    from scipy.stats import spearmanr

    names = list(perm_test.feature_names)
    out = []
    for c in columns:
        p = float(spearmanr(np.asarray(X_train[c], float), np.asarray(y_train, float))[1])
        if p >= NOISE_P_MIN and perm_test.mean[names.index(c)] < NOISE_MAX_HELDOUT:
            out.append(c)
    return out


class References:
    """The public context plus the grader's truth and references (attributes are delegated)."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.planted = planted_columns(ctx.variant)

    def __getattr__(self, name):
        if name == "ctx":
            raise AttributeError(name)
        return getattr(self.ctx, name)

    @cached_property
    def ref_mdi(self) -> ImportanceResult:
        return mdi(self.model, self.feature_names)

    @cached_property
    def ref_perm_train(self) -> ImportanceResult:
        return permutation(self.model, self.X_pi_train, self.y_pi_train,
                           n_repeats=self.n_repeats, seed=self.pi_seed,
                           label="permutation (train)")

    @cached_property
    def ref_perm_test(self) -> ImportanceResult:
        return permutation(self.model, self.X_pi_test, self.y_pi_test, n_repeats=self.n_repeats,
                           seed=self.pi_seed, label="permutation (test)")

    @cached_property
    def _shap(self):
        return mean_abs_shap(self.model, self.X_shap)

    @property
    def ref_shap(self) -> ImportanceResult:
        return self._shap[0]

    @property
    def ref_shap_values(self) -> np.ndarray:
        return self._shap[1]

    @cached_property
    def ref_group(self) -> np.ndarray:
        """Group permutation of ``GROUP`` on the held-out sample, shape (n_repeats,)."""
        return group_permutation(self.model, self.X_pi_test, self.y_pi_test, list(GROUP),
                                 n_repeats=self.n_repeats, seed=self.pi_seed)

    @cached_property
    def ref_noise_by_rule(self) -> list:
        """q3's stated rule applied to the joined columns: the reference of check_q3 (equal to
        ``planted`` as a set, calibrated over 20 variants)."""
        return noise_by_rule(self.X_train, self.trained.y_train, self.ref_perm_test,
                             self.joined)

    def single_test(self, name) -> float:
        """The held-out permutation importance of column ``name`` (rentals per hour)."""
        return float(self.ref_perm_test.mean[self.feature_names.index(name)])


def reference_context(ctx) -> References:
    """The grader's context for the public context ``ctx``."""
    return References(ctx)


# --- checks ----------------------------------------------------------------------------------

def _vector(name, value, ctx):
    p = len(ctx.feature_names)
    if hasattr(value, "index") and hasattr(value, "to_numpy") and not isinstance(value, dict):
        try:  # a pandas Series indexed by feature name: put it in column order
            if set(map(str, value.index)) == set(ctx.feature_names):
                return as_array(name, value.loc[ctx.feature_names].to_numpy(dtype=float), (p,))
        except (KeyError, TypeError, ValueError):
            pass
    if isinstance(value, dict):
        missing = set(ctx.feature_names) - set(value)
        if missing:
            raise AnswerFormatError(f"`{name}` is a dict without {sorted(missing)[:3]}.")
        return as_array(name, [value[f] for f in ctx.feature_names], (p,))
    return as_array(name, value, (p,))


def _verdict(score, notes, hint, done="Correct."):
    if score >= 1 - 1e-9:
        return correct(done)
    msg = "; ".join(notes) + "."
    return partial(score, msg, hint) if score else incorrect(msg, hint)


def check_q1(a, ctx):
    score, notes, hint = 0.0, [], None
    if a["mdi"] is None:
        notes.append("`mdi` missing")
    else:
        m = _vector("mdi", a["mdi"], ctx)
        if close(m, ctx.ref_mdi.mean, TOL_EXACT):
            score += 0.5
        else:
            notes.append("`mdi` is not the forest's impurity importance")
            hint = "model.feature_importances_ (one value per column of X_train, in order)."
    if a["mean_abs_shap"] is None:
        notes.append("`mean_abs_shap` missing")
    else:
        s = _vector("mean_abs_shap", a["mean_abs_shap"], ctx)
        sv = ctx.ref_shap_values
        if close(s, ctx.ref_shap.mean, TOL_SHAP):
            score += 0.5
        elif close(s, sv.mean(axis=0), TOL_SHAP):
            notes.append("`mean_abs_shap` averages signed SHAP values")
            hint = ("Positive and negative contributions cancel in a signed mean: take "
                    "np.abs(shap_values).mean(axis=0).")
        elif close(s, np.abs(sv).sum(axis=0), TOL_SHAP * len(sv)):
            notes.append("`mean_abs_shap` is a sum over rows, not a mean")
            hint = "Divide by the number of rows (or use .mean(axis=0))."
        else:
            notes.append("`mean_abs_shap` does not match TreeSHAP on X_SHAP")
            hint = hint or ("shap.TreeExplainer(model).shap_values(X_SHAP), then the mean of "
                            "the absolute values per column.")
    return _verdict(score, notes, hint)


def _perm(name, value, ctx):
    p = len(ctx.feature_names)
    arr = as_array(name, value, None)
    if arr.shape == (ctx.n_repeats, p) and p != ctx.n_repeats:
        raise AnswerFormatError(f"`{name}` is transposed: store result.importances, shape "
                                f"({p}, {ctx.n_repeats}) (features x repeats).")
    if arr.shape == (p,):
        return arr
    return as_array(name, value, (p, ctx.n_repeats))


def check_q2(a, ctx):
    score, notes, hint = 0.0, [], None
    refs = {"perm_train": ctx.ref_perm_train, "perm_test": ctx.ref_perm_test}
    other = {"perm_train": ctx.ref_perm_test, "perm_test": ctx.ref_perm_train}
    for name in ("perm_train", "perm_test"):
        if a[name] is None:
            notes.append(f"`{name}` missing")
            continue
        v = _perm(name, a[name], ctx)
        ref = refs[name]
        if v.ndim == 1:
            if close(v, ref.mean, TOL_EXACT):
                score += 0.25
                notes.append(f"`{name}` holds only the means")
                hint = "Store result.importances (every repeat), not importances_mean."
            else:
                notes.append(f"`{name}` does not reproduce")
            continue
        if close(v, ref.samples, TOL_EXACT):
            score += 0.5
        elif close(v, other[name].samples, TOL_EXACT):
            notes.append(f"`{name}` was computed on the other sample")
            hint = ("Training vs held-out swapped: perm_train on (X_PI_TRAIN, y_PI_TRAIN), "
                    "perm_test on (X_PI_TEST, y_PI_TEST).")
        elif np.all(np.abs(v.mean(1) - ref.mean) <= 4 * ref.std + 0.5):
            notes.append(f"`{name}` is close but does not reproduce exactly")
            hint = hint or ("Same call, same numbers: random_state=PI_SEED, "
                            "n_repeats=N_REPEATS, scoring='neg_mean_absolute_error', "
                            "on exactly the given sample.")
        else:
            notes.append(f"`{name}` does not match")
            hint = hint or ("scoring='neg_mean_absolute_error' (importance = MAE increase in "
                            "rentals per hour), random_state=PI_SEED, n_repeats=N_REPEATS.")
    return _verdict(score, notes, hint, "Correct: both reproduce sklearn's "
                                        "permutation_importance with the stated seed.")


def check_q3(a, ctx):
    v = a["noise_features"]
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, (list, tuple, np.ndarray)):
        raise AnswerFormatError("`noise_features` should be a list of feature names.")
    # a set: the order of the names (and repeats) is not asked
    names = {str(x).strip() for x in np.ravel(np.asarray(v, dtype=object))}
    unknown = sorted(names - set(ctx.feature_names))
    if unknown:
        raise AnswerFormatError(f"`noise_features` names unknown features: {unknown[:3]}.")
    truth = set(ctx.ref_noise_by_rule)  # the question's rule (= the planted noise columns)
    id_col = ctx.planted[0]
    if names == truth:
        return correct("Correct: exactly the joined columns with no relation to rentals.")
    extra, missing = names - truth, truth - names
    original = extra - set(ctx.joined)
    if original:
        hint = ("The 12 UCI columns are real measurements of the hour; small importance in this "
                "model is not the same as noise. The question is about the joined columns.")
    elif extra:
        hint = ("One joined column you named is clearly related to rentals (its Spearman "
                "p-value with y_train is far below 0.001, and its held-out permutation "
                "importance is well above 1 rental per hour). A column that other columns make redundant, "
                "so that a model can do without it, is still not pure noise: pure noise has "
                "no relation to the target at all.")
    elif id_col in missing:
        hint = ("MDI and training permutation rank one noise column above several real "
                "features; look at the held-out permutation importance instead.")
    else:
        hint = ("One more joined column meets the question's rule: Spearman p-value with "
                "y_train >= 0.001 and mean held-out permutation importance below 1 rental per "
                "hour.")
    found = len(names & truth)
    if found and not extra:
        return partial(0.5, f"{found} of {len(truth)} noise columns named, no false alarm.",
                       hint)
    return incorrect(f"The set is not right ({len(extra)} informative column(s) named as "
                     f"noise, {len(missing)} noise column(s) missed).", hint)


def check_q4(a, ctx):
    v = a["group_importance"]
    arr = as_array("group_importance", v, None)
    if arr.ndim == 1 and arr.size == ctx.n_repeats:
        g = float(arr.mean())
    else:
        g = as_float("group_importance", v)
    ref = float(ctx.ref_group.mean())
    singles = [ctx.single_test(f) for f in GROUP]
    if abs(g - ref) <= TOL_GROUP and g >= max(singles) - TOL_GROUP_ORDER:
        return correct("Correct: permuting temp and atemp together costs more accuracy than "
                       "either alone.")
    if abs(g) <= TOL_NO_OP:
        return incorrect("Your group importance is exactly 0: the shuffled values went back "
                         "to their own rows.",
                         "Assigning a DataFrame aligns it by index label: "
                         "X_perm[GROUP] = X_PI_TEST[GROUP].iloc[idx] puts every row back in "
                         "place. Assign a numpy array: X_PI_TEST[GROUP].to_numpy()[idx].")
    if abs(g - sum(singles)) <= 0.5 and abs(g - ref) > TOL_GROUP:
        return incorrect("This is the sum of the two single importances.",
                         "Permute both columns with ONE row order (the same idx for both) and "
                         "measure the MAE increase once.")
    if any(abs(g - s) <= 0.5 for s in singles):
        return incorrect("This equals one single-feature importance: only one column moved.",
                         "Give both temp and atemp the shuffled rows: "
                         "X_perm[GROUP] = X_PI_TEST[GROUP].to_numpy()[idx].")
    if 0 <= g < 1.0:
        return incorrect("The value is on the wrong scale.",
                         "Importance = MAE(permuted) - MAE(original) in rentals per hour, on "
                         "X_PI_TEST, averaged over N_REPEATS permutations.")
    if g < max(singles):
        return incorrect("Your group importance is below a single-feature importance.",
                         "Shuffling both columns removes at least the information of either "
                         "one; use one permutation for both columns.")
    return incorrect("The group importance does not match the protocol.",
                     "rng = np.random.default_rng(PI_SEED); per repeat idx = "
                     "rng.permutation(len(X_PI_TEST)); both columns take "
                     "X_PI_TEST[GROUP].to_numpy()[idx].")


# --- declaration: checks, hints and rubrics of the public questions ----------------------

CHECKS = {"q1": check_q1, "q2": check_q2, "q3": check_q3, "q4": check_q4}

HINTS = {
    "q1": ("model.feature_importances_; shap.TreeExplainer(model).shap_values(X_SHAP).",),
    "q2": ("sklearn.inspection.permutation_importance(model, X, y, scoring="
           "'neg_mean_absolute_error', n_repeats=N_REPEATS, random_state=PI_SEED)",),
    "q3": ("Pure noise = no statistical relation to rentals at all. The question's rule: "
           "Spearman p-value with y_train >= 0.001 AND mean held-out permutation importance "
           "below 1 rental per hour.",),
    "q4": ("One permutation index for both columns, assigned as a numpy array "
           "(.to_numpy()[idx]); MAE increase on X_PI_TEST.",),
}

RUBRICS = {
    "q5": Rubric(
        criteria=(
            "MDI is computed on the training data from the impurity decrease of the splits",
            "a column with many distinct values offers many candidate thresholds, so by "
            "chance it finds splits that reduce training impurity (overfitting deep trees), "
            "which MDI credits",
            "that gain does not generalise: held-out permutation importance is ~0 (and "
            "train permutation > test permutation for it)",
            "cites their own numbers (the ID's MDI rank vs its held-out importance)"),
        strong="Explains the cardinality bias mechanism (many thresholds, training-set "
               "impurity) and backs it with the train/test contrast from the notebook.",
        adequate="Says MDI favours high-cardinality features, without the mechanism or the "
                 "numbers.",
        weak="'MDI is biased' with no reason, or claims the ID is informative."),
    "q6": Rubric(
        criteria=(
            "r ≈ 0.99: the forest can use either; splits (and MDI/SHAP credit) are shared",
            "permuting one leaves its twin intact, so the model loses little: each single "
            "permutation importance understates 'temperature'; permuting them together does "
            "not",
            "permuting one alone also creates unrealistic rows (hot temp, cold atemp)"),
        strong="Both mechanisms (shared credit; substitution when one is permuted) with the "
               "group-vs-single numbers.",
        adequate="One mechanism, correctly.",
        weak="'They are correlated' with no consequence stated."),
    "q7": Rubric(
        criteria=(
            "'what does the model rely on / use to make predictions': mean |SHAP| (size of "
            "the contributions to this model's outputs) or training permutation importance; "
            "MDI only as a rough, biased proxy",
            "'what would hurt accuracy if lost': held-out permutation importance (the MAE "
            "increase on new data), with the caveat that a correlated twin can stand in",
            "neither says what would happen if a feature were removed and the model "
            "retrained (drop-column importance), nor anything causal",
            "mentions units: SHAP and permutation in rentals per hour, MDI a share"),
        strong="Maps each question to the right method with the reason, and names the "
               "retraining and correlation caveats.",
        adequate="Right mapping, thin reasons.",
        weak="Treats the three as interchangeable, or picks MDI for accuracy."),
}
