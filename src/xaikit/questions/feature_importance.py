"""Exercise ``feature_importance``: "Three importances, three answers" (bike sharing, forest).

The model is a random forest on the bike-sharing features plus two planted pure-noise columns
(a high-cardinality random ID and a random low-cardinality code) whose names and values depend
on the variant (:func:`xaikit.models.bikeshare_with_noise`). The grader's references come from
:mod:`xaikit.importance` on the same model and rows: MDI, ``permutation_importance`` (neg. MAE,
``N_REPEATS`` repeats, ``random_state=PI_SEED``) on a training and a held-out sample, mean |SHAP|,
and a group permutation of ``temp`` + ``atemp``. Importances are in rentals per hour except MDI.
Tolerances are calibrated in ``tests/test_calibration_feature_importance.py`` (20 variants).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from xaikit import importance as I
from xaikit.questions.base import (AnswerFormatError, as_array, as_float, close, correct, Exercise,
                                   incorrect, ModelContext, partial, Question, Rubric)

#: MDI and permutation importances: same model, same rows, same seed give bit-identical
#: numbers; this only absorbs float64 summation order (issue: <= 1e-12).
TOL_EXACT = 1e-12
#: mean |SHAP|, rentals per hour: TreeSHAP of a forest in float64 (observed local-accuracy
#: error ~1e-12 over 20 variants); loose enough for a per-row vs batched computation.
TOL_SHAP = 1e-6
#: group importance computed with another random permutation stream than the stated protocol
#: (another seed or generator), rentals per hour. The mean over N_REPEATS repeats varies with
#: the seed by a standard deviation of ~0.7 (20 seeds); 3.0 is ~4 standard deviations, and the
#: typical mistakes (sum of the single importances, one column only) are >= 5 away.
TOL_GROUP = 3.0
#: "group >= larger single importance" may fail by at most this much (rentals per hour).
TOL_GROUP_ORDER = 0.05

#: Take-home packs (see :mod:`xaikit.packs`): context members that read a grader reference
#: under an innocent name must never ship (``planted`` is refused by name already).
TAKE_HOME_EXCLUDE = {"single_test": "the grader's held-out permutation importance"}

N_REPEATS = 10
N_PI_ROWS = 300
N_SHAP_ROWS = 100
GROUP = ("temp", "atemp")


@dataclass
class FeatureImportanceContext(ModelContext):
    """Everything the notebook and the grader share for one variant.

    Attributes
    ----------
    variant : int
    trained : xaikit.models.TrainedModel
        Random forest on 12 bike-sharing features + 3 joined columns (2 of them pure noise).
    planted : tuple of str
        Names of the planted pure-noise columns (grader's truth; never shown in take-home).
    joined : tuple of str
        The three columns the operator's team joined to the UCI data (the two noise columns
        and an informative commute-peak flag), alphabetical: the candidates of q3.
    train_positions, test_positions : ndarray of int, shape (300,)
        Positions in ``X_train`` / ``X_test`` of the permutation-importance samples.
    pi_seed : int
        ``random_state`` of every permutation importance.
    n_repeats : int
    """

    variant: int
    trained: object
    planted: tuple
    joined: tuple
    train_positions: np.ndarray
    test_positions: np.ndarray
    pi_seed: int
    n_repeats: int = N_REPEATS

    @property
    def X_pi_train(self):
        return self.X_train.iloc[self.train_positions]

    @property
    def y_pi_train(self):
        return self.trained.y_train.iloc[self.train_positions]

    @property
    def X_pi_test(self):
        return self.X_test.iloc[self.test_positions]

    @property
    def y_pi_test(self):
        return self.trained.y_test.iloc[self.test_positions]

    @property
    def X_shap(self):
        """The first 100 rows of the held-out sample: the rows of mean |SHAP|."""
        return self.X_pi_test.iloc[:N_SHAP_ROWS]

    @cached_property
    def ref_mdi(self) -> I.ImportanceResult:
        return I.mdi(self.model, self.feature_names)

    @cached_property
    def ref_perm_train(self) -> I.ImportanceResult:
        return I.permutation(self.model, self.X_pi_train, self.y_pi_train,
                             n_repeats=self.n_repeats, seed=self.pi_seed,
                             label="permutation (train)")

    @cached_property
    def ref_perm_test(self) -> I.ImportanceResult:
        return I.permutation(self.model, self.X_pi_test, self.y_pi_test,
                             n_repeats=self.n_repeats, seed=self.pi_seed,
                             label="permutation (test)")

    @cached_property
    def ref_shap(self) -> I.ImportanceResult:
        return I.mean_abs_shap(self.model, self.X_shap)

    @cached_property
    def ref_shap_values(self) -> np.ndarray:
        from xaikit.explain import tree_shap

        return tree_shap(self.model, self.X_shap).values

    @cached_property
    def ref_group(self) -> np.ndarray:
        """Group permutation of ``GROUP`` on the held-out sample, shape (n_repeats,)."""
        return I.group_permutation(self.model, self.X_pi_test, self.y_pi_test, list(GROUP),
                                   n_repeats=self.n_repeats, seed=self.pi_seed)

    def single_test(self, name) -> float:
        return float(self.ref_perm_test.mean[self.feature_names.index(name)])


def build_context(variant: int = 0) -> FeatureImportanceContext:
    """The context of ``variant``: its forest, planted columns, samples and seed."""
    from xaikit.models import bikeshare_rf_planted, bikeshare_with_planted

    variant = int(variant)
    trained = bikeshare_rf_planted(variant)
    _, planted, joined = bikeshare_with_planted(variant)
    rng = np.random.default_rng(40_000 + variant)
    tr = np.sort(rng.choice(len(trained.X_train), N_PI_ROWS, replace=False))
    te = np.sort(rng.choice(len(trained.X_test), N_PI_ROWS, replace=False))
    return FeatureImportanceContext(variant=variant, trained=trained, planted=tuple(planted),
                                    joined=tuple(joined),
                                    train_positions=tr, test_positions=te,
                                    pi_seed=100 + variant)


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
    if score >= 1 - 1e-9:
        return correct()
    msg = "; ".join(notes) + "."
    return partial(score, msg, hint) if score else incorrect(msg, hint)


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
    if score >= 1 - 1e-9:
        return correct("Correct: both reproduce sklearn's permutation_importance with the "
                       "stated seed.")
    msg = "; ".join(notes) + "."
    return partial(score, msg, hint) if score else incorrect(msg, hint)


def check_q3(a, ctx):
    v = a["noise_features"]
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, (list, tuple, np.ndarray)):
        raise AnswerFormatError("`noise_features` should be a list of feature names.")
    names = {str(x).strip() for x in np.ravel(np.asarray(v, dtype=object))}
    unknown = sorted(names - set(ctx.feature_names))
    if unknown:
        raise AnswerFormatError(f"`noise_features` names unknown features: {unknown[:3]}.")
    truth = set(ctx.planted)
    id_col = ctx.planted[0]
    if names == truth:
        return correct("Correct: exactly the joined columns with no relation to rentals.")
    extra, missing = names - truth, truth - names
    original = extra - set(ctx.joined)
    if original:
        hint = ("The 12 UCI columns are real measurements of the hour; small importance in this "
                "model is not the same as noise. The question is about the joined columns.")
    elif extra:
        hint = ("One joined column you named has a held-out permutation importance far above its "
                "spread over the repeats: the model gains real accuracy from it.")
    elif id_col in missing:
        hint = ("MDI and training permutation rank one noise column above several real "
                "features; look at the held-out permutation importance instead.")
    else:
        hint = "One more joined column has a held-out importance indistinguishable from 0."
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
    if abs(g - sum(singles)) <= 0.5 and abs(g - ref) > TOL_GROUP:
        return incorrect("This is the sum of the two single importances.",
                         "Permute both columns with ONE row order (the same idx for both) and "
                         "measure the MAE increase once.")
    if any(abs(g - s) <= 0.5 for s in singles):
        return incorrect("This equals one single-feature importance: only one column moved.",
                         "Replace both temp and atemp by X[['temp', 'atemp']].iloc[idx].")
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
                     "rng.permutation(len(X_PI_TEST)); both columns take X[GROUP].iloc[idx].")


# --- declaration -----------------------------------------------------------------------------

QUESTIONS = (
    Question("q1", "MDI and mean |SHAP|", "auto", 2, "junior", 8,
             answers=("mdi", "mean_abs_shap"), check=check_q1,
             hints=("model.feature_importances_; shap.TreeExplainer(model).shap_values(X_SHAP).",)),
    Question("q2", "Permutation importance, train and held-out", "auto", 3, "junior", 12,
             answers=("perm_train", "perm_test"), check=check_q2,
             hints=("sklearn.inspection.permutation_importance(model, X, y, scoring="
                    "'neg_mean_absolute_error', n_repeats=N_REPEATS, random_state=PI_SEED)",)),
    Question("q3", "Which columns are pure noise?", "auto", 2, "mid", 6,
             answers=("noise_features",), check=check_q3,
             hints=("Compare each method's ranking with the held-out permutation importance "
                    "and its spread.",)),
    Question("q4", "temp and atemp together", "auto", 3, "mid", 10,
             answers=("group_importance",), check=check_q4,
             hints=("One permutation index for both columns, MAE increase on X_PI_TEST.",)),
    Question("q5", "Why does MDI like the ID column?", "manual", 2, "mid", 6, rubric=Rubric(
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
        weak="'MDI is biased' with no reason, or claims the ID is informative.")),
    Question("q6", "Why do temp and atemp split their importance?", "manual", 1, "mid", 5,
             rubric=Rubric(
        criteria=(
            "r ≈ 0.99: the forest can use either; splits (and MDI/SHAP credit) are shared",
            "permuting one leaves its twin intact, so the model loses little: each single "
            "permutation importance understates 'temperature'; permuting them together does "
            "not",
            "permuting one alone also creates unrealistic rows (hot temp, cold atemp)"),
        strong="Both mechanisms (shared credit; substitution when one is permuted) with the "
               "group-vs-single numbers.",
        adequate="One mechanism, correctly.",
        weak="'They are correlated' with no consequence stated.")),
    Question("q7", "Reliance or loss of accuracy?", "manual", 2, "mid", 6, rubric=Rubric(
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
        weak="Treats the three as interchangeable, or picks MDI for accuracy.")),
)

EXERCISE = Exercise(
    id="feature_importance", title="Three importances, three answers", level="junior-mid",
    minutes=65, notebook="03_feature_importance.ipynb",
    topics=("feature importance", "visualising explanations (importance, PDP, ICE)"),
    questions=QUESTIONS, build_context=build_context)
